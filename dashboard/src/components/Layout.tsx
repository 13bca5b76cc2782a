/** The frame around every signed-in view: navigation, live status, theme, the user. */
import type { ReactNode } from "react";
import { NavLink } from "react-router";
import { logout } from "../api/passkeys";
import { useSession } from "../api/session";
import { useLiveStatus } from "../live/LiveProvider";
import { useTheme } from "../lib/theme";
import { LiveDot, ReconnectBanner } from "./ReconnectBanner";
import { Button, cx } from "./ui";

export const NAV = [
  { to: "/portfolio", label: "Portfolio" },
  { to: "/trades", label: "Trades" },
  { to: "/strategies", label: "Strategies" },
  { to: "/news", label: "News" },
  { to: "/backtest", label: "Backtest" },
  { to: "/engine", label: "Engine" },
  { to: "/account", label: "Account" },
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const state = useSession();
  const status = useLiveStatus();
  const [theme, setTheme] = useTheme();
  const user = state.kind === "signed-in" ? state.session.user : null;
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        <div className="mx-auto flex max-w-7xl items-center gap-3 px-3 py-2">
          <span className="font-bold tracking-tight">tradebot</span>
          <nav aria-label="Main" className="-mx-1 flex flex-1 gap-1 overflow-x-auto">
            {NAV.map((item) => (
              <NavLink
                key={item.to}
                to={item.to}
                className={({ isActive }) =>
                  cx("rounded-md px-2.5 py-1.5 text-sm whitespace-nowrap", isActive ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800")
                }
              >
                {item.label}
              </NavLink>
            ))}
          </nav>
          <LiveDot status={status} />
          <Button variant="ghost" aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`} onClick={() => setTheme(theme === "dark" ? "light" : "dark")}>
            {theme === "dark" ? "☀" : "☾"}
          </Button>
          {user && (
            <span className="hidden text-sm text-slate-600 sm:inline dark:text-slate-400" data-testid="signed-in-user">
              {user.display_name}
            </span>
          )}
          <Button variant="ghost" onClick={() => void logout()}>
            Sign out
          </Button>
        </div>
      </header>
      <ReconnectBanner status={status} />
      <main id="main" className="mx-auto max-w-7xl px-3 py-4">
        {children}
      </main>
    </div>
  );
}
