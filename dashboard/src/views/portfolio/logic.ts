/** The portfolio view's arithmetic and wording, kept pure so it is tested without a server:
 * which periods the equity curve offers, what a period's change was, how the book splits
 * by sector, what closing a position will do, and how a command's answer is told. */
import type { components, operations } from "../../api/schema";
import type { ToastTone } from "../../components/Toasts";
import { qty, toNumber } from "../../lib/format";

export type Position = components["schemas"]["PositionOut"];
export type EquityPoint = components["schemas"]["EquityPointOut"];
export type CommandOut = components["schemas"]["CommandOut"];
export type Period = NonNullable<NonNullable<operations["get_history_api_portfolio_history_get"]["parameters"]["query"]>["period"]>;

/** The server's periods, shortest first. Typed against the generated schema both ways: a
 * period the server drops fails `satisfies`, one it adds fails `_everyPeriod`. */
export const PERIODS = ["1D", "1W", "1M", "3M", "6M", "1Y", "ALL"] as const satisfies readonly Period[];
const _everyPeriod: [Exclude<Period, (typeof PERIODS)[number]>] extends [never] ? true : false = true;
void _everyPeriod;

export const DEFAULT_PERIOD: Period = "1M";

/** `?period=` from the URL, or the default when absent or not one the server knows. */
export function parsePeriod(raw: string | null): Period {
  return (PERIODS as readonly string[]).includes(raw ?? "") ? (raw as Period) : DEFAULT_PERIOD;
}

/** Equity points as chart points (numbers); unreadable values are dropped, not drawn as 0. */
export function equitySeries(points: EquityPoint[]): Array<{ time: string; value: number }> {
  const out: Array<{ time: string; value: number }> = [];
  for (const p of points) {
    const value = toNumber(p.equity);
    if (value !== null) out.push({ time: p.ts, value });
  }
  return out;
}

/** First to last equity over the shown period: the figure a trader reads first on a curve. */
export function periodChange(points: EquityPoint[]): { change: number; pct: number | null } | null {
  const series = equitySeries(points);
  if (series.length < 2) return null;
  const first = series[0]!.value;
  const last = series[series.length - 1]!.value;
  return { change: last - first, pct: first !== 0 ? (last - first) / Math.abs(first) : null };
}

export interface SectorSlice {
  sector: string;
  value: number;
  share: number;
  symbols: string[];
}

/** Market value by sector, largest first. Shorts count by their absolute value: the pie shows
 * where the book's exposure sits, and a negative slice cannot be drawn. */
export function sectorAllocation(positions: Position[]): SectorSlice[] {
  const bySector = new Map<string, { value: number; symbols: string[] }>();
  for (const p of positions) {
    const value = Math.abs(toNumber(p.market_value) ?? 0);
    const sector = p.sector?.trim() || "Unknown";
    const entry = bySector.get(sector) ?? { value: 0, symbols: [] };
    entry.value += value;
    entry.symbols.push(p.symbol);
    bySector.set(sector, entry);
  }
  const total = [...bySector.values()].reduce((sum, s) => sum + s.value, 0);
  return [...bySector.entries()]
    .map(([sector, s]) => ({ sector, value: s.value, share: total > 0 ? s.value / total : 0, symbols: s.symbols }))
    .filter((s) => s.value > 0)
    .sort((a, b) => b.value - a.value || a.sector.localeCompare(b.sector));
}

/** A short is closed by buying it back; anything else by selling. */
export function closingSide(side: string): "buy" | "sell" {
  return side.toLowerCase() === "short" ? "buy" : "sell";
}

/** The confirmation line: `Close AAPL: sell 10 at market?`. */
export function closeQuestion(position: Pick<Position, "symbol" | "side" | "quantity">): string {
  return `Close ${position.symbol}: ${closingSide(position.side)} ${qty(Math.abs(toNumber(position.quantity) ?? 0))} at market?`;
}

/** How a close command's answer is told: applied is done, refused is an error, pending or
 * taken means the engine has it and the fill will follow (the live feed toasts it). */
export function commandToast(label: string, out: CommandOut): { tone: ToastTone; title: string; body: string } {
  const body = out.outcome || out.status;
  if (out.status === "refused") return { tone: "error", title: `${label}: refused`, body };
  if (out.status === "applied") return { tone: "success", title: `${label}: done`, body };
  return { tone: "info", title: `${label}: sent to the engine`, body };
}

/** Drawdown reads as a loss whichever sign convention a source used. */
export function drawdown(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return -Math.abs(value);
}
