/** The strategies view's Recharts pieces: the weight donut, a step chart of weight paths
 * and the per-bucket P&L bars with the cumulative line and win rate. Each is an image to
 * assistive technology (role="img" + a label that states what it shows); the keyboard
 * layer is off so nothing focusable hides inside that image. */
import { Bar, CartesianGrid, Cell, ComposedChart, Line, LineChart, Pie, PieChart, Tooltip, XAxis, YAxis } from "recharts";
import { money, pct } from "../../lib/format";
import { useTheme } from "../../lib/theme";
import type { BucketRow, ChartRow, Slice } from "./logic";

export function useChartColours() {
  const [theme] = useTheme();
  const dark = theme === "dark";
  return {
    text: dark ? "#cbd5e1" : "#334155",
    grid: dark ? "#1e293b" : "#e2e8f0",
    tooltip: {
      contentStyle: { background: dark ? "#0f172a" : "#ffffff", border: `1px solid ${dark ? "#334155" : "#cbd5e1"}`, borderRadius: 8, fontSize: 12, color: dark ? "#e2e8f0" : "#0f172a" },
      labelStyle: { color: dark ? "#e2e8f0" : "#0f172a" },
    },
    up: dark ? "#34d399" : "#059669",
    down: dark ? "#fb7185" : "#e11d48",
    line: dark ? "#e2e8f0" : "#0f172a",
    accent: dark ? "#fbbf24" : "#b45309",
  };
}

export const day = (t: number | string): string => {
  const d = new Date(typeof t === "number" ? t : Date.parse(t));
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 10);
};

export function WeightDonut({ slices, selected, onSelect }: { slices: Slice[]; selected?: string | undefined; onSelect: (name: string) => void }) {
  const c = useChartColours();
  const label = `Current weights: ${slices.map((s) => `${s.name} ${pct(s.share, { digits: 0 })}`).join(", ")}`;
  return (
    <div className="flex flex-col items-center gap-3 sm:flex-row xl:flex-col">
      <div role="img" aria-label={label} data-testid="weight-donut" className="shrink-0">
        <PieChart width={160} height={160} accessibilityLayer={false}>
          <Pie data={slices} dataKey="weight" nameKey="name" innerRadius={48} outerRadius={72} paddingAngle={2} stroke="none" isAnimationActive={false} onClick={(d: { name?: string }) => d.name && onSelect(d.name)}>
            {slices.map((s) => (
              <Cell key={s.name} fill={s.colour} opacity={selected && selected !== s.name ? 0.45 : 1} className="cursor-pointer" />
            ))}
          </Pie>
          <Tooltip formatter={(v) => pct(Number(v), { digits: 1 })} {...c.tooltip} />
        </PieChart>
      </div>
      <ul className="w-full space-y-1 text-sm" aria-label="Weights">
        {slices.map((s) => (
          <li key={s.name} className="flex items-center justify-between gap-2">
            <span className="flex min-w-0 items-center gap-2">
              <span aria-hidden className="size-2.5 shrink-0 rounded-full" style={{ background: s.colour }} />
              <span className="truncate">{s.name}</span>
            </span>
            <span className="tabular-nums">{pct(s.share, { digits: 1 })}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const STEPS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/** A weight axis with round ticks: a little room above and below the lines (a weight
 * held at its extreme is not drawn on the axis itself), a step of a "nice" size giving at
 * most five intervals, and the decimals those ticks need — learning moves weights by
 * fractions of a percent, and `25% 25% 25%` says nothing. */
export function weightAxis(values: number[]): { domain: [number, number]; ticks: number[]; digits: number } {
  if (values.length === 0) return { domain: [0, 1], ticks: [0, 0.25, 0.5, 0.75, 1], digits: 0 };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.08, 0.0005);
  const low = Math.max(0, lo - pad);
  const high = Math.min(1, hi + pad);
  const step = STEPS.find((s) => Math.ceil(high / s - 1e-9) - Math.floor(low / s + 1e-9) <= 5) ?? 0.25;
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i += 1) ticks.push(Number((i * step).toFixed(6)));
  const decimals = (Number((step * 100).toFixed(4)).toString().split(".")[1] ?? "").length;
  return { domain: [ticks[0]!, ticks[ticks.length - 1]!], ticks, digits: decimals };
}

export interface LineSpec {
  key: string;
  name: string;
  colour: string;
  dashed?: boolean;
}

/** Weight paths as step lines over time (a weight holds until the next change). */
export function StepChart({ rows, lines, label, testId, height = 220 }: { rows: ChartRow[]; lines: LineSpec[]; label: string; testId?: string; height?: number }) {
  const c = useChartColours();
  const values = rows.flatMap((r) => lines.map((l) => r[l.key]).filter((v): v is number => v !== undefined));
  const axis = weightAxis(values);
  return (
    <div role="img" aria-label={label} data-testid={testId}>
      <LineChart responsive data={rows} style={{ width: "100%", height }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid stroke={c.grid} vertical={false} />
        <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={day} tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} minTickGap={24} />
        <YAxis tickFormatter={(v: number) => pct(v, { digits: axis.digits })} tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} width={axis.digits > 1 ? 56 : 48} domain={axis.domain} ticks={axis.ticks} />
        <Tooltip labelFormatter={(t) => day(Number(t))} formatter={(v) => pct(Number(v), { digits: 2 })} {...c.tooltip} />
        {lines.map((l) => (
          <Line key={l.key} dataKey={l.key} name={l.name} type="stepAfter" stroke={l.colour} strokeWidth={2} strokeDasharray={l.dashed ? "5 4" : undefined} dot={false} isAnimationActive={false} connectNulls />
        ))}
      </LineChart>
    </div>
  );
}

/** P&L per bucket (green/red bars), the cumulative P&L (a line on the same dollar axis)
 * and the win rate (a dashed line on a 0–100 % axis). */
export function MetricsChart({ rows, label }: { rows: BucketRow[]; label: string }) {
  const c = useChartColours();
  return (
    <>
      <ul className="mb-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700 dark:text-slate-300" aria-label="Chart key">
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="inline-flex gap-0.5">
            <span className="h-2.5 w-1.5 rounded-sm" style={{ background: c.up }} />
            <span className="h-2.5 w-1.5 rounded-sm" style={{ background: c.down }} />
          </span>
          P&L per period
        </li>
        <li className="flex items-center gap-1.5">
          <svg width="16" height="6" aria-hidden>
            <line x1="0" y1="3" x2="16" y2="3" stroke={c.line} strokeWidth="2" />
          </svg>
          Cumulative P&L
        </li>
        <li className="flex items-center gap-1.5">
          <svg width="16" height="6" aria-hidden>
            <line x1="0" y1="3" x2="16" y2="3" stroke={c.accent} strokeWidth="1.5" strokeDasharray="3 3" />
          </svg>
          Win rate (right axis)
        </li>
      </ul>
      <div role="img" aria-label={label} data-testid="strategy-metrics-chart">
        <ComposedChart responsive data={rows} style={{ width: "100%", height: 240 }} margin={{ top: 8, right: 0, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke={c.grid} vertical={false} />
          <XAxis dataKey="label" tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} minTickGap={16} />
          <YAxis yAxisId="usd" tickFormatter={(v: number) => money(v, { compact: true })} tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} width={64} />
          <YAxis yAxisId="rate" orientation="right" domain={[0, 100]} tickFormatter={(v: number) => `${v}%`} tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} width={40} />
          <Tooltip
            formatter={(v, name) => (name === "Win rate" ? (v === null || v === undefined ? "—" : `${Number(v).toFixed(0)}%`) : money(Number(v)))}
            {...c.tooltip}
          />
          <Bar yAxisId="usd" dataKey="pnl" name="P&L" isAnimationActive={false}>
            {rows.map((r) => (
              <Cell key={r.start} fill={r.pnl < 0 ? c.down : c.up} />
            ))}
          </Bar>
          <Line yAxisId="usd" dataKey="cumulative" name="Cumulative P&L" type="linear" stroke={c.line} strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line yAxisId="rate" dataKey="winRate" name="Win rate" type="linear" stroke={c.accent} strokeOpacity={0.7} strokeWidth={1} strokeDasharray="3 3" dot={{ r: 2, fill: c.accent, strokeWidth: 0 }} isAnimationActive={false} connectNulls />
        </ComposedChart>
      </div>
    </>
  );
}
