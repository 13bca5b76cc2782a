/** Figures derived from a backtest's result in the browser: the drawdown curve, P&L per
 * strategy, curves rebased to 100 for comparison, and the best run per metric. Pure, so
 * they are tested without a chart. */
import { toNumber } from "../../lib/format";

export interface Point {
  time: string;
  value: number;
}

/** An equity point as the API sends it (money as a decimal string). */
export interface EquityLike {
  ts: string;
  equity: string | number;
}

/** Equity points with a usable value, as chart points. */
export function equityPoints(equity: EquityLike[]): Point[] {
  const out: Point[] = [];
  for (const p of equity) {
    const value = toNumber(p.equity);
    if (value !== null) out.push({ time: p.ts, value });
  }
  return out;
}

/** How far below its running peak the curve is at each point, as a fraction ≤ 0 (−0.05 is
 * 5% under the best equity so far). The deepest value is the run's max drawdown. */
export function drawdown(points: Point[]): Point[] {
  let peak = -Infinity;
  return points.map((p) => {
    peak = Math.max(peak, p.value);
    return { time: p.time, value: peak > 0 ? p.value / peak - 1 : 0 };
  });
}

/** The curve rebased so its first point is 100: runs of different capital and periods
 * compare on growth alone. Empty when the first value cannot be a base (≤ 0). */
export function normalise(points: Point[]): Point[] {
  const base = points[0]?.value;
  if (base === undefined || !(base > 0)) return [];
  return points.map((p) => ({ time: p.time, value: (p.value / base) * 100 }));
}

export interface TradeLike {
  pnl: string | number;
  strategies: string[];
}

export interface StrategyShare {
  name: string;
  pnl: number;
  trades: number;
  wins: number;
  losses: number;
}

export const UNATTRIBUTED = "unattributed";

/** P&L and trade counts per strategy. A trade opened on the word of several strategies
 * splits its P&L equally between them (the ensemble records who voted, not how much each
 * is owed), so the shares add up to the trades' total; each of them counts the whole
 * trade in its trades, wins and losses. Same rule as the server's report. Best P&L first. */
export function attribution(trades: TradeLike[]): StrategyShare[] {
  const by = new Map<string, StrategyShare>();
  for (const trade of trades) {
    const pnl = toNumber(trade.pnl) ?? 0;
    const names = [...new Set(trade.strategies)];
    if (names.length === 0) names.push(UNATTRIBUTED);
    for (const name of names) {
      const share = by.get(name) ?? { name, pnl: 0, trades: 0, wins: 0, losses: 0 };
      share.pnl += pnl / names.length;
      share.trades += 1;
      if (pnl > 0) share.wins += 1;
      if (pnl < 0) share.losses += 1;
      by.set(name, share);
    }
  }
  return sortShares([...by.values()]);
}

/** The server's attribution (`metrics.strategies`, over every trade of the run) in the
 * same shape; null when the metrics do not carry one. */
export function sharesFromMetrics(metrics: Record<string, unknown> | null | undefined): StrategyShare[] | null {
  const raw = metrics?.strategies;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const out: StrategyShare[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!value || typeof value !== "object") continue;
    const v = value as Record<string, unknown>;
    out.push({ name, pnl: toNumber(v.pnl as number) ?? 0, trades: toNumber(v.trades as number) ?? 0, wins: toNumber(v.wins as number) ?? 0, losses: toNumber(v.losses as number) ?? 0 });
  }
  return sortShares(out);
}

function sortShares(shares: StrategyShare[]): StrategyShare[] {
  return shares.sort((a, b) => b.pnl - a.pnl || a.name.localeCompare(b.name));
}

/** Which of the values is best (indices; ties all win). Nothing is marked unless at least
 * two values are known: a lone number is not "best" of anything. */
export function bestIndices(values: Array<number | null | undefined>, better: "high" | "low"): Set<number> {
  const known = values.map((v, i) => [v, i] as const).filter((pair): pair is readonly [number, number] => typeof pair[0] === "number" && Number.isFinite(pair[0]));
  if (known.length < 2) return new Set();
  const target = better === "high" ? Math.max(...known.map(([v]) => v)) : Math.min(...known.map(([v]) => v));
  return new Set(known.filter(([v]) => v === target).map(([, i]) => i));
}

/** The compare ids from `?compare=a,b`: trimmed, each once, at most four. */
export function parseCompare(param: string | null): string[] {
  if (!param) return [];
  return [...new Set(param.split(",").map((s) => s.trim()).filter(Boolean))].slice(0, 4);
}

export interface MonthRow {
  year: number;
  /** January to December; null where the run has no data that month. */
  months: Array<number | null>;
  total: number | null;
}

/** `metrics.monthly_returns` read defensively (any malformed row is skipped). */
export function monthlyRows(metrics: Record<string, unknown> | null | undefined): MonthRow[] {
  const raw = metrics?.monthly_returns;
  if (!Array.isArray(raw)) return [];
  const rows: MonthRow[] = [];
  for (const item of raw as unknown[]) {
    if (!item || typeof item !== "object") continue;
    const r = item as { year?: unknown; months?: unknown; total?: unknown };
    if (typeof r.year !== "number" || !Array.isArray(r.months)) continue;
    const months = Array.from({ length: 12 }, (_, i) => {
      const v = (r.months as unknown[])[i];
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    });
    rows.push({ year: r.year, months, total: typeof r.total === "number" && Number.isFinite(r.total) ? r.total : null });
  }
  return rows;
}

/** How strongly a month's return is tinted: 0 none, 1 under ±0.5 %, 2 under ±2 %, 3 beyond;
 * the sign picks green or red. */
export function monthShade(value: number | null): { sign: "up" | "down" | "flat"; level: 0 | 1 | 2 | 3 } {
  if (value === null || value === 0) return { sign: "flat", level: 0 };
  const size = Math.abs(value);
  return { sign: value > 0 ? "up" : "down", level: size < 0.005 ? 1 : size < 0.02 ? 2 : 3 };
}
