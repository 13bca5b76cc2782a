/** Formatting for money, percentages, quantities and times. The API sends money as decimal
 * strings (exact); they are shown rounded here and never used for arithmetic that goes
 * back to the server. */

type Num = string | number | null | undefined;

export function toNumber(value: Num): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

const money2 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const moneyCompact = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 1 });

/** `$1,234.56`; `—` when unknown. `compact` gives `$1.2M` for tiles. */
export function money(value: Num, options: { compact?: boolean; signed?: boolean } = {}): string {
  const n = toNumber(value);
  if (n === null) return "—";
  const text = (options.compact && Math.abs(n) >= 10_000 ? moneyCompact : money2).format(Math.abs(n));
  if (n < 0) return `−${text}`;
  return options.signed && n > 0 ? `+${text}` : text;
}

/** A fraction as a percentage: 0.0123 → `1.23%`; `signed` adds `+` to gains. */
export function pct(value: Num, options: { digits?: number; signed?: boolean } = {}): string {
  const n = toNumber(value);
  if (n === null) return "—";
  const digits = options.digits ?? 2;
  const text = `${(Math.abs(n) * 100).toFixed(digits)}%`;
  if (n < 0 && Number((Math.abs(n) * 100).toFixed(digits)) !== 0) return `−${text}`;
  return options.signed && n > 0 ? `+${text}` : text;
}

/** A plain number with up to `digits` decimals and thousands separators. */
export function num(value: Num, digits = 2): string {
  const n = toNumber(value);
  if (n === null) return "—";
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** A ratio (Sharpe, Sortino, Calmar, profit factor, beta) with two decimals and a true minus
 * sign, as `pct` and `money` write negatives: `−0.86`, never `-0.86` beside `−$12.00`. */
export function ratio(value: Num, digits = 2): string {
  return num(value, digits).replace(/^-/, "−");
}

/** A signed figure with fixed decimals and a true minus, for scores, rewards and
 * contributions, where the sign is the point: `+0.420`, `−1.30`; no sign on one that rounds
 * to zero, `—` when unknown. */
export function signedFixed(value: Num, digits = 3): string {
  const n = toNumber(value);
  if (n === null) return "—";
  const text = Math.abs(n).toFixed(digits);
  if (Number(text) === 0) return text;
  return n < 0 ? `−${text}` : `+${text}`;
}

/** A quantity: whole shares without decimals, fractional (crypto) up to 8. */
export function qty(value: Num): string {
  const n = toNumber(value);
  if (n === null) return "—";
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 8 });
}

/** `"up"`, `"down"` or `"flat"`: which colour a value is shown in. */
export function tone(value: Num): "up" | "down" | "flat" {
  const n = toNumber(value);
  if (n === null || n === 0) return "flat";
  return n > 0 ? "up" : "down";
}

/** Text colours by sign: the 700 shades keep AA contrast on white for small text. */
export const toneClass = { up: "text-emerald-700 dark:text-emerald-400", down: "text-rose-700 dark:text-rose-400", flat: "text-slate-600 dark:text-slate-400" } as const;

/** ISO time → `2024-03-05 14:30` in UTC (the engine's clock), or the day only. */
export function dateTime(iso: string | null | undefined, options: { dayOnly?: boolean } = {}): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const text = d.toISOString();
  return options.dayOnly ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 16)}`;
}

/** Seconds → `3d 4h`, `2h 5m`, `45s`. */
export function duration(seconds: Num): string {
  const s = toNumber(seconds);
  if (s === null) return "—";
  const total = Math.max(0, Math.round(s));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${total % 60}s`;
}

/** Time left until `iso` from `now`, e.g. for a breaker's cooldown; `—` when past. */
export function timeLeft(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "—";
  const ms = Date.parse(iso) - now;
  return ms > 0 ? duration(ms / 1000) : "—";
}

/** Sentiment score in [-1, 1] → a label and a colour band. */
export function sentimentBand(score: number): { label: string; className: string } {
  if (score >= 0.5) return { label: "very positive", className: "bg-emerald-700 text-white" };
  if (score >= 0.15) return { label: "positive", className: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100" };
  if (score > -0.15) return { label: "neutral", className: "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100" };
  if (score > -0.5) return { label: "negative", className: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100" };
  return { label: "very negative", className: "bg-rose-700 text-white" };
}
