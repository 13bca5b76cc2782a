/** A formatter the shared lib lacks: a ratio (Sharpe, profit factor) with two decimals and a
 * true minus sign, like `pct` and `money` write negatives. */
import { num } from "../../lib/format";

export function ratio(value: string | number | null | undefined, digits = 2): string {
  return num(value, digits).replace(/^-/, "−");
}

/** Green/red by sign, like the shared `toneClass` but with a green that meets AA contrast
 * on white for small text (emerald-600 on white is 3.8:1; emerald-700 is 5.5:1). */
export const toneText = {
  up: "text-emerald-700 dark:text-emerald-400",
  down: "text-rose-600 dark:text-rose-400",
  flat: "text-slate-600 dark:text-slate-400",
} as const;
