/** Performance by day: cumulative P&L, daily returns (gains green, losses red) and the
 * drawdown from the running peak, with the figures a reader looks for first. */
import { useMemo, type ReactElement } from "react";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { TimeSeriesChart, type SeriesSpec } from "../../components/charts/TimeSeriesChart";
import { Card, Empty, ErrorLine, Loading, Stat } from "../../components/ui";
import { money, pct } from "../../lib/format";
import { useTheme } from "../../lib/theme";
import { useMetricsHistory } from "./api";
import { performanceSeries, performanceSummary, type ChartPoint } from "./logic";

const GAIN = "#10b981";
const LOSS = "#f43f5e";

export function Performance({ runId }: { runId: string | undefined }) {
  const history = useMetricsHistory(runId);
  const rows = useMemo(() => history.data ?? [], [history.data]);
  const series = useMemo(() => performanceSeries(rows), [rows]);
  const summary = useMemo(() => performanceSummary(rows), [rows]);
  const pnl = useMemo<SeriesSpec[]>(() => [{ kind: "line", points: series.pnl, color: "#0ea5e9", title: "P&L" }], [series]);

  if (history.isPending) return <Loading />;
  if (history.isError) return <ErrorLine error={history.error} />;
  if (rows.length === 0) return <Empty>No days recorded for this run yet.</Empty>;
  const last = series.pnl[series.pnl.length - 1]?.value ?? null;
  return (
    <div className="flex flex-col gap-4">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <Stat label="Cumulative P&L" value={money(summary.totalPnl, { signed: true })} signedValue={summary.totalPnl} testId="perf-total-pnl" />
        <Stat label="Days" value={summary.days} sub={`${summary.upDays} up · ${summary.downDays} down`} />
        <Stat label="Best day" value={pct(summary.bestDay, { signed: true })} signedValue={summary.bestDay} />
        <Stat label="Worst day" value={pct(summary.worstDay, { signed: true })} signedValue={summary.worstDay} />
        <Stat label="Max drawdown" value={pct(summary.maxDrawdown)} signedValue={summary.maxDrawdown} testId="perf-max-drawdown" />
        <Stat label="From" value={money(series.base, { compact: true })} sub="starting equity" />
      </div>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Card title="Cumulative P&L" className="xl:col-span-2">
          <TimeSeriesChart series={pnl} height={260} label={`Cumulative P&L over ${rows.length} days, now ${money(last, { signed: true })}`} testId="chart-pnl" fitKey={runId ?? ""} />
        </Card>
        <Card title="Daily returns (%)">
          <ReturnsChart points={series.returns} label={`Daily returns: ${summary.upDays} up days, ${summary.downDays} down days`} />
        </Card>
        <Card title="Drawdown (%)">
          <DrawdownChart points={series.drawdown} label={`Drawdown from the running peak, deepest ${pct(summary.maxDrawdown)}`} />
        </Card>
      </div>
    </div>
  );
}

function useAxisColours() {
  const [theme] = useTheme();
  const dark = theme === "dark";
  return {
    text: dark ? "#cbd5e1" : "#334155",
    grid: dark ? "#1e293b" : "#e2e8f0",
    tooltip: { backgroundColor: dark ? "#0f172a" : "#ffffff", border: `1px solid ${dark ? "#334155" : "#cbd5e1"}`, borderRadius: 8, color: dark ? "#f1f5f9" : "#0f172a", fontSize: 12 },
  };
}

const percent = (v: unknown) => `${typeof v === "number" ? v.toFixed(2) : String(v)}%`;
const tickPct = (v: number) => `${Number(v.toFixed(2))}%`;
/** `2024-03-05` → `03-05` on the axis (the tooltip shows the whole day). */
const tickDay = (d: unknown) => (typeof d === "string" ? d.slice(5) : String(d));

const MARGIN = { top: 4, right: 8, bottom: 0, left: 0 };

/** What both daily charts share: a named image of a fixed height, filled by the chart. */
function DayChart({ label, testId, children }: { label: string; testId: string; children: ReactElement }) {
  return (
    <div role="img" aria-label={label} data-testid={testId} style={{ height: 220 }}>
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  );
}

/** The grid and the day and percent axes, as chart children (Recharts reads its own
 * children, so these are elements in the chart, not a component around them). */
function dayAxes(c: ReturnType<typeof useAxisColours>) {
  return [
    <CartesianGrid key="grid" stroke={c.grid} vertical={false} />,
    <XAxis key="x" dataKey="time" tick={{ fill: c.text, fontSize: 11 }} tickFormatter={tickDay} minTickGap={24} />,
    <YAxis key="y" width={52} tick={{ fill: c.text, fontSize: 11 }} tickFormatter={tickPct} />,
  ];
}

/** One bar a day, green up and red down (Recharts: the bars need a colour each). */
function ReturnsChart({ points, label }: { points: ChartPoint[]; label: string }) {
  const c = useAxisColours();
  return (
    <DayChart label={label} testId="chart-returns">
      <BarChart data={points} accessibilityLayer={false} margin={MARGIN}>
        {dayAxes(c)}
        <ReferenceLine y={0} stroke={c.text} strokeOpacity={0.4} />
        <Tooltip contentStyle={c.tooltip} cursor={{ fill: c.grid }} formatter={(v) => [percent(v), "return"]} />
        <Bar dataKey="value" isAnimationActive={false}>
          {points.map((p) => (
            <Cell key={p.time} fill={p.value >= 0 ? GAIN : LOSS} />
          ))}
        </Bar>
      </BarChart>
    </DayChart>
  );
}

/** Under water: the fall from the running peak, filled down from zero. */
function DrawdownChart({ points, label }: { points: ChartPoint[]; label: string }) {
  const c = useAxisColours();
  return (
    <DayChart label={label} testId="chart-drawdown">
      <AreaChart data={points} accessibilityLayer={false} margin={MARGIN}>
        {dayAxes(c)}
        <Tooltip contentStyle={c.tooltip} formatter={(v) => [percent(v), "drawdown"]} />
        <Area dataKey="value" type="linear" stroke={LOSS} fill={LOSS} fillOpacity={0.3} isAnimationActive={false} />
      </AreaChart>
    </DayChart>
  );
}
