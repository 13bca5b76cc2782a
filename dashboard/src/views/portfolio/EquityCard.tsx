/** The equity curve over a chosen period, with the period's change beside the title. */
import { useMemo } from "react";
import { TimeSeriesChart, type SeriesSpec } from "../../components/charts/TimeSeriesChart";
import { Badge, Card, cx, Empty, ErrorLine, Loading } from "../../components/ui";
import { money, pct, tone, toneClass } from "../../lib/format";
import { useSearchParam } from "../../lib/searchParam";
import { equitySeries, parsePeriod, periodChange, PERIODS, type Period } from "./logic";
import { useEquityHistory } from "./queries";

const UP = "#10b981";
const DOWN = "#f43f5e";

function PeriodPicker({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  return (
    <div role="group" aria-label="Period" className="inline-flex overflow-hidden rounded-lg border border-slate-300 dark:border-slate-700" data-testid="period-picker">
      {PERIODS.map((p) => (
        <button
          key={p}
          type="button"
          aria-pressed={p === value}
          onClick={() => onChange(p)}
          className={cx(
            "px-2.5 py-1 text-xs font-medium tabular-nums",
            p === value ? "bg-sky-700 text-white" : "bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700",
          )}
        >
          {p}
        </button>
      ))}
    </div>
  );
}

export function EquityCard({ run }: { run: string | undefined }) {
  const [param, setPeriod] = useSearchParam("period");
  const period = parsePeriod(param ?? null);
  const history = useEquityHistory(run, period);
  const points = history.data?.points;
  const change = useMemo(() => (points ? periodChange(points) : null), [points]);
  const series = useMemo<SeriesSpec[]>(
    () => (points ? [{ kind: "area", points: equitySeries(points), color: (change?.change ?? 0) < 0 ? DOWN : UP, title: "Equity" }] : []),
    [points, change],
  );

  const title = (
    <span className="flex flex-wrap items-baseline gap-2">
      <span>Equity</span>
      {change && (
        <span data-testid="equity-change" className={cx("text-sm font-medium tabular-nums normal-case", toneClass[tone(change.change)])}>
          {money(change.change, { signed: true })} ({pct(change.pct, { signed: true })}) over {period}
        </span>
      )}
      {history.data?.downsampled && (
        <span data-testid="equity-downsampled" title="More snapshots than points drawn: thinned evenly by the server">
          <Badge>downsampled</Badge>
        </span>
      )}
    </span>
  );

  return (
    <Card title={title} actions={<PeriodPicker value={period} onChange={setPeriod} />} testId="equity-card">
      {history.isPending ? (
        <Loading />
      ) : history.isError ? (
        <ErrorLine error={history.error} />
      ) : !points || points.length === 0 ? (
        <Empty>No snapshots in this period yet.</Empty>
      ) : (
        <TimeSeriesChart series={series} height={280} label={`Equity curve over ${period}, ${points.length} points`} testId="equity-chart" fitKey={`${run ?? ""}:${period}`} />
      )}
    </Card>
  );
}
