/** The frame around every signed-in view: navigation, live status, theme, the user. */
import { useState, type ReactNode } from "react";
import { NavLink } from "react-router";
import { logout } from "../api/passkeys";
import { useSession } from "../api/session";
import { useLiveStatus, useRecentFills } from "../live/LiveProvider";
import { dateTime, money, qty, toneClass } from "../lib/format";
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
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
          <span className="mr-auto font-bold tracking-tight md:mr-0">tradebot</span>
          <nav aria-label="Main" className="order-last -mx-1 flex w-full min-w-0 gap-1 overflow-x-auto md:order-none md:w-auto md:flex-1">
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
          <ActivityButton />
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

/** The fills received live since sign-in: a count in the header, the list on demand. */
function ActivityButton() {
  const fills = useRecentFills();
  const [open, setOpen] = useState(false);
  return (
    <div className="relative">
      <Button variant="ghost" aria-expanded={open} aria-controls="activity-panel" onClick={() => setOpen(!open)}>
        Fills <span className="rounded-full bg-slate-200 px-1.5 text-xs tabular-nums dark:bg-slate-700" data-testid="fills-count">{fills.length}</span>
      </Button>
      <div id="activity-panel" hidden={!open} className="absolute right-0 z-40 mt-2 max-h-96 w-80 overflow-y-auto rounded-xl border border-slate-200 bg-white p-2 shadow-xl dark:border-slate-700 dark:bg-slate-900">
        <h2 className="px-1 pb-1 text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">Fills received live</h2>
        {fills.length === 0 && <p className="p-1 text-sm text-slate-600 dark:text-slate-400">None yet.</p>}
        <ul>
          {fills.map((f) => (
            <li key={`${f.seq}-${f.fillId}`} data-testid="recent-fill" data-fill-id={f.fillId} className="flex justify-between gap-2 border-t border-slate-100 px-1 py-1 text-sm tabular-nums dark:border-slate-800">
              <span>
                <span className={f.side === "buy" ? toneClass.up : toneClass.down}>{f.side.toUpperCase()}</span> {qty(f.quantity)} {f.symbol}
              </span>
              <span>{money(f.price)}</span>
              <span className="text-xs text-slate-600 dark:text-slate-400">{dateTime(f.ts)}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
