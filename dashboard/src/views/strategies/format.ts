/** Gain/loss text colours for this view.
 *
 * Same meaning as `toneClass` in lib/format.ts, one shade darker in the light theme:
 * emerald-600 on white is 3.7:1, under the AA ratio (4.5:1) that axe holds small text to.
 * (Reported for lib/format.ts; once it changes there this can return `toneClass` as is.) */
import { tone, toneClass } from "../../lib/format";

const readable = {
  up: "text-emerald-700 dark:text-emerald-400",
  down: "text-rose-700 dark:text-rose-400",
  flat: toneClass.flat,
} as const;

export function toneText(value: string | number | null | undefined): string {
  return readable[tone(value)];
}
