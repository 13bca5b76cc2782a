/** The strategies view's derived figures, kept pure so they are tested without a browser:
 * the donut's slices, a strategy's weight path, the live-vs-shadow comparison and the
 * per-bucket metrics series. */
import type { components } from "../../api/schema";
import { toNumber } from "../../lib/format";

export type StrategyOut = components["schemas"]["StrategyOut"];
export type AdjustmentOut = components["schemas"]["AdjustmentOut"];
export type WeightChangeOut = components["schemas"]["WeightChangeOut"];
export type StrategyBucketOut = components["schemas"]["StrategyBucketOut"];

/** Strategy colours: one per name, the same in the cards, the donut and the legend. */
export const PALETTE = ["#0ea5e9", "#f59e0b", "#8b5cf6", "#10b981", "#f43f5e", "#14b8a6", "#f97316", "#6366f1"] as const;

export function colourOf(names: readonly string[], name: string): string {
  const i = names.indexOf(name);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length]!;
}

export interface Slice {
  name: string;
  weight: number;
  /** The weight as a share of all weights shown (the donut is relative even when the
   * stored weights do not sum to 1, e.g. while a strategy is switched off). */
  share: number;
  colour: string;
}

/** Donut slices of the current weights: strategies without a weight, or with none left,
 * are omitted (a zero slice draws nothing and only clutters the legend). */
export function weightSlices(items: readonly StrategyOut[]): Slice[] {
  const names = items.map((s) => s.name);
  const weighted = items.filter((s) => s.weight !== null && Number.isFinite(s.weight) && s.weight > 0);
  const total = weighted.reduce((sum, s) => sum + (s.weight ?? 0), 0);
  return weighted.map((s) => ({ name: s.name, weight: s.weight ?? 0, share: total > 0 ? (s.weight ?? 0) / total : 0, colour: colourOf(names, s.name) }));
}

export interface PathPoint {
  /** Epoch milliseconds. */
  t: number;
  weight: number;
}

function byTime<T extends { ts: string }>(rows: readonly T[]): T[] {
  return [...rows].filter((r) => Number.isFinite(Date.parse(r.ts))).sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
}

/** A step path from old → new weight rows (any order in, oldest first out): the first
 * row's old weight opens it so the first move shows as a step, not as the start. */
export function stepPath(rows: readonly { ts: string; old_weight: number; new_weight: number }[]): PathPoint[] {
  const sorted = byTime(rows);
  const first = sorted[0];
  if (!first) return [];
  return [{ t: Date.parse(first.ts), weight: first.old_weight }, ...sorted.map((r) => ({ t: Date.parse(r.ts), weight: r.new_weight }))];
}

/** A user's reset has no run; it is never clipped. Empty strings mean "not clipped" too
 * (older rows stored "" rather than NULL). */
export function clipOf(adjustment: Pick<AdjustmentOut, "clipped_by">): string | null {
  const c = adjustment.clipped_by?.trim();
  return c ? c : null;
}

/** Where the weight-history chart gets its path: the applied weight changes when the store
 * has them; else the run's live learning adjustments (a backtest learns without writing
 * the strategies' stored weights, so its path lives only in the adjustments). */
export function weightHistory(changes: readonly WeightChangeOut[], adjustments: readonly AdjustmentOut[]): { source: "changes" | "adjustments" | "none"; points: PathPoint[] } {
  if (changes.length > 0) return { source: "changes", points: stepPath(changes) };
  const live = adjustments.filter((a) => !a.shadow);
  if (live.length > 0) return { source: "adjustments", points: stepPath(live) };
  return { source: "none", points: [] };
}

export interface PathStats {
  start: number;
  end: number;
  min: number;
  max: number;
  /** Points where the weight actually changed (a clipped cycle can leave it put). */
  moves: number;
}

export function pathStats(points: readonly PathPoint[]): PathStats | null {
  const first = points[0];
  if (!first) return null;
  let moves = 0;
  for (let i = 1; i < points.length; i += 1) if (Math.abs(points[i]!.weight - points[i - 1]!.weight) > 1e-12) moves += 1;
  const weights = points.map((p) => p.weight);
  return { start: first.weight, end: points[points.length - 1]!.weight, min: Math.min(...weights), max: Math.max(...weights), moves };
}

export interface PolicySide {
  policy: string;
  points: PathPoint[];
  finalWeight: number | null;
  /** Mean reward over the adjustments that had evaluated outcomes (null: none had). */
  meanReward: number | null;
  adjustments: number;
  clipped: number;
}

export interface ShadowComparison {
  live: PolicySide;
  shadows: PolicySide[];
}

/** Mean reward of the adjustments that saw outcomes: one with none evaluated carries a
 * placeholder reward of 0 and would pull the mean towards zero. */
export function meanReward(rows: readonly Pick<AdjustmentOut, "reward" | "outcomes">[]): number | null {
  const seen = rows.filter((r) => r.outcomes > 0 && Number.isFinite(r.reward));
  if (seen.length === 0) return null;
  return seen.reduce((sum, r) => sum + r.reward, 0) / seen.length;
}

function side(policy: string, rows: AdjustmentOut[]): PolicySide {
  const points = stepPath(rows);
  return {
    policy,
    points,
    finalWeight: points.length > 0 ? points[points.length - 1]!.weight : null,
    meanReward: meanReward(rows),
    adjustments: rows.length,
    clipped: rows.filter((r) => clipOf(r) !== null).length,
  };
}

/** The live weight path against each shadow policy's proposed path, for one strategy.
 *
 * A shadow run records what its policy would have done while the weights in use stay put,
 * so when only shadow rows exist the live path is flat at the weight the shadow started
 * from (its first old weight: the weight in use), or at `currentWeight` failing that; the
 * flat line spans the shadow's time range so the two can be read against each other. */
export function compareShadow(adjustments: readonly AdjustmentOut[], currentWeight: number | null): ShadowComparison | null {
  const shadowRows = adjustments.filter((a) => a.shadow);
  if (shadowRows.length === 0) return null;
  const liveRows = adjustments.filter((a) => !a.shadow);
  const policies = [...new Set(byTime(shadowRows).map((a) => a.policy))];
  const shadows = policies.map((p) =>
    side(
      p,
      shadowRows.filter((a) => a.policy === p),
    ),
  );
  let live: PolicySide;
  if (liveRows.length > 0) {
    const livePolicies = [...new Set(byTime(liveRows).map((a) => a.policy))];
    live = side(livePolicies.join(", "), liveRows);
  } else {
    const sorted = byTime(shadowRows);
    const held = sorted[0]?.old_weight ?? currentWeight;
    const first = Date.parse(sorted[0]!.ts);
    const last = Date.parse(sorted[sorted.length - 1]!.ts);
    live = {
      policy: "none (weights held)",
      points: held === null ? [] : [{ t: first, weight: held }, { t: last, weight: held }],
      finalWeight: held,
      meanReward: null,
      adjustments: 0,
      clipped: 0,
    };
  }
  return { live, shadows };
}

export interface ChartRow {
  t: number;
  [series: string]: number;
}

/** Merge step paths into one row per time for a multi-line chart: each series carries its
 * last value forward so every line is defined on every row (a step chart needs it). */
export function mergePaths(series: Record<string, readonly PathPoint[]>): ChartRow[] {
  const times = [...new Set(Object.values(series).flatMap((pts) => pts.map((p) => p.t)))].sort((a, b) => a - b);
  const cursor: Record<string, number> = {};
  const last: Record<string, number | undefined> = {};
  return times.map((t) => {
    const row: ChartRow = { t };
    for (const [key, pts] of Object.entries(series)) {
      let i = cursor[key] ?? 0;
      while (i < pts.length && pts[i]!.t <= t) {
        last[key] = pts[i]!.weight;
        i += 1;
      }
      cursor[key] = i;
      const value = last[key];
      if (value !== undefined) row[key] = value;
    }
    return row;
  });
}

export interface BucketRow {
  start: string;
  label: string;
  pnl: number;
  cumulative: number;
  /** Win rate as a percentage (0–100) for the chart's right axis; null: no trades. */
  winRate: number | null;
  trades: number;
}

/** Per-bucket chart rows, oldest first: P&L and cumulative P&L as numbers (display only:
 * the exact decimals stay in the table), labelled by week or month. */
export function bucketRows(buckets: readonly StrategyBucketOut[], bucket: "week" | "month"): BucketRow[] {
  return [...buckets]
    .sort((a, b) => a.start.localeCompare(b.start))
    .map((b) => ({
      start: b.start,
      label: bucket === "month" ? b.start.slice(0, 7) : b.start.slice(0, 10),
      pnl: toNumber(b.pnl) ?? 0,
      cumulative: toNumber(b.cumulative_pnl) ?? 0,
      winRate: b.win_rate === null ? null : b.win_rate * 100,
      trades: b.trades,
    }));
}
