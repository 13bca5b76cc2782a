/** Which of a run's metrics (the server's `summarise` keys) the view shows, how each is
 * written and which direction is better (for the comparison's highlight). */
import { duration, money, num, pct, ratio, toNumber } from "../../lib/format";

export type MetricKind = "pct" | "ratio" | "int" | "money" | "duration";

export interface MetricDef {
  key: string;
  label: string;
  kind: MetricKind;
  /** Which way is better when runs are compared; null: neither (not highlighted). */
  better: "high" | "low" | null;
  /** Green/red by sign. */
  signed?: boolean;
  hint?: string;
}

/** The headline grid, in reading order. */
export const HEADLINE: MetricDef[] = [
  { key: "total_return", label: "Total return", kind: "pct", better: "high", signed: true },
  { key: "annual_return", label: "CAGR", kind: "pct", better: "high", signed: true },
  { key: "sharpe", label: "Sharpe", kind: "ratio", better: "high", signed: true },
  { key: "sortino", label: "Sortino", kind: "ratio", better: "high", signed: true },
  { key: "calmar", label: "Calmar", kind: "ratio", better: "high", signed: true },
  { key: "max_drawdown", label: "Max drawdown", kind: "pct", better: "high", hint: "deepest fall below a running peak" },
  { key: "win_rate", label: "Win rate", kind: "pct", better: "high" },
  { key: "profit_factor", label: "Profit factor", kind: "ratio", better: "high", hint: "gross profit / gross loss" },
  { key: "trades", label: "Trades", kind: "int", better: null },
  { key: "exposure", label: "Exposure", kind: "pct", better: null, hint: "time with a position open" },
];

/** The smaller figures under the grid. */
export const DETAIL: MetricDef[] = [
  // Money figures scale with the capital: not ranked across runs (returns are).
  { key: "final_equity", label: "Final equity", kind: "money", better: null },
  { key: "net_pnl", label: "Net P&L", kind: "money", better: null, signed: true },
  { key: "annual_volatility", label: "Volatility (annual)", kind: "pct", better: "low" },
  { key: "benchmark_return", label: "Benchmark (buy & hold)", kind: "pct", better: null, signed: true },
  { key: "alpha", label: "Alpha (annual)", kind: "pct", better: "high", signed: true },
  { key: "beta", label: "Beta", kind: "ratio", better: null },
  { key: "expectancy", label: "Expectancy / trade", kind: "money", better: null, signed: true },
  { key: "avg_win", label: "Average win", kind: "money", better: null },
  { key: "avg_loss", label: "Average loss", kind: "money", better: null },
  { key: "largest_win", label: "Largest win", kind: "money", better: null },
  { key: "largest_loss", label: "Largest loss", kind: "money", better: null },
  { key: "wins", label: "Wins", kind: "int", better: null },
  { key: "losses", label: "Losses", kind: "int", better: null },
  { key: "avg_hold_s", label: "Average hold", kind: "duration", better: null },
  { key: "max_drawdown_duration_s", label: "Longest drawdown", kind: "duration", better: "low" },
  { key: "decisions_acted", label: "Decisions acted", kind: "int", better: null },
  { key: "decisions_skipped", label: "Decisions skipped", kind: "int", better: null },
];

/** The rows of the side-by-side comparison. */
export const COMPARED: MetricDef[] = [...HEADLINE, ...DETAIL.filter((d) => ["final_equity", "net_pnl", "annual_volatility", "alpha", "expectancy", "max_drawdown_duration_s"].includes(d.key))];

/** A metric as a number, or null (absent, null, not a number). */
export function metricValue(metrics: Record<string, unknown> | null | undefined, key: string): number | null {
  const v = metrics?.[key];
  return typeof v === "number" || typeof v === "string" ? toNumber(v) : null;
}

export function formatMetric(def: MetricDef, value: number | null): string {
  if (value === null) return "—";
  switch (def.kind) {
    case "pct":
      return pct(value, { signed: def.signed });
    case "ratio":
      return ratio(value);
    case "int":
      return num(value, 0);
    case "money":
      return money(value, { signed: def.signed });
    case "duration":
      return duration(value);
  }
}
