/** Dark and light themes: the choice is kept in localStorage (it is not a secret) and
 * applied as the `dark` class on <html>; unset, the OS preference decides. */
import { useCallback, useSyncExternalStore } from "react";

export type Theme = "dark" | "light";
const KEY = "tradebot.theme";
const listeners = new Set<() => void>();

export function preferredTheme(): Theme {
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem(KEY) : null;
  if (saved === "dark" || saved === "light") return saved;
  return typeof matchMedia !== "undefined" && matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
}

export function applyTheme(theme: Theme): void {
  document.documentElement.classList.toggle("dark", theme === "dark");
  document.documentElement.style.colorScheme = theme;
}

function current(): Theme {
  return document.documentElement.classList.contains("dark") ? "dark" : "light";
}

export function useTheme(): [Theme, (theme: Theme) => void] {
  const theme = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    current,
    () => "dark" as Theme,
  );
  const set = useCallback((next: Theme) => {
    localStorage.setItem(KEY, next);
    applyTheme(next);
    for (const listener of listeners) listener();
  }, []);
  return [theme, set];
}
