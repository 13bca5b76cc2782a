/** Display helpers the trade log needs beyond src/lib/format.ts. */
import { sentimentBand } from "../../lib/format";

/** A signed figure with fixed decimals and a real minus: `+0.42`, `−1.30`. */
export function signed(value: number, digits = 3): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return value > 0 ? `+${text}` : `−${text}`;
}

/** {@link sentimentBand}, with the strongest positive band darkened: white on emerald-600
 * is 3.8:1, under the 4.5:1 AA needs for a small badge (axe flags it). */
export function newsBand(score: number): { label: string; className: string } {
  const band = sentimentBand(score);
  return { ...band, className: band.className.replace("bg-emerald-600", "bg-emerald-700") };
}

/** Gain/loss colours for small text. `toneClass` in src/lib/format.ts uses emerald-600 and
 * rose-600, which fall under 4.5:1 on white and slate-50 in the light theme (axe flags
 * them); the -700 shades pass. Large figures (Stat) are fine with either. */
export const toneText = {
  up: "text-emerald-700 dark:text-emerald-400",
  down: "text-rose-700 dark:text-rose-400",
  flat: "text-slate-600 dark:text-slate-400",
} as const;
