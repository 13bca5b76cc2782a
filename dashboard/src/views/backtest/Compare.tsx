/** 2–4 backtests side by side (/backtest?compare=a,b): equity curves rebased to 100 on one
 * chart, one colour each, and their metrics in one table with the best of each row marked. */
import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link } from "react-router";
import { TimeSeriesChart, type SeriesSpec } from "../../components/charts/TimeSeriesChart";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Card, Empty, ErrorLine, Loading, cx } from "../../components/ui";
import { dateTime, tone, toneClass } from "../../lib/format";
import { bestIndices, equityPoints, normalise } from "./derive";
import { COMPARED, formatMetric, metricValue } from "./metrics";
import { backtestQuery, isActive, mutedClass, RUN_COLOURS, StatusBadge, type BacktestOut } from "./parts";

/** The run's short name in headers: the id's last part (ids are long and share a prefix). */
export function shortId(id: string): string {
  const tail = id.split("-").pop() ?? id;
  return tail.length >= 6 ? tail : id.slice(-12);
}

export function Compare({ ids }: { ids: string[] }) {
  const results = useQueries({
    queries: ids.map((id) => ({
      ...backtestQuery(id, 0),
      refetchInterval: (query: { state: { data?: BacktestOut } }) => (isActive(query.state.data?.status) ? 2000 : false),
    })),
  });
  const runs = results.map((r) => r.data);
  const stamp = runs.map((r) => `${r?.id}:${r?.status}:${r?.equity?.length ?? 0}`).join("|");
  const series = useMemo<SeriesSpec[]>(
    () =>
      runs.flatMap((run, i) => (run ? [{ kind: "line" as const, points: normalise(equityPoints(run.equity ?? [])), color: RUN_COLOURS[i % RUN_COLOURS.length], title: shortId(run.id) }] : [])),
    // `stamp` stands for the curves: a poll that changes nothing keeps the chart.
    [stamp],
  );

  const close = (
    <Link to="/backtest" className="text-sm text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
      Close comparison
    </Link>
  );
  if (ids.length < 2)
    return (
      <Card title="Compare" testId="backtest-compare" actions={close}>
        <Empty>Tick two to four backtests in the list to compare them.</Empty>
      </Card>
    );
  if (results.some((r) => r.isPending))
    return (
      <Card title="Compare" testId="backtest-compare" actions={close}>
        <Loading />
      </Card>
    );

  return (
    <Card title={`Compare ${ids.length} backtests`} testId="backtest-compare" actions={close}>
      {results.map((r, i) => (r.isError ? <ErrorLine key={ids[i]} error={r.error} /> : null))}
      <ul className="mb-3 flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Legend" data-testid="backtest-compare-legend">
        {runs.map((run, i) =>
          run ? (
            <li key={run.id} className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block h-2.5 w-5 rounded-sm" style={{ background: RUN_COLOURS[i % RUN_COLOURS.length] }} />
              <Link to={`/backtest/${encodeURIComponent(run.id)}`} className="font-mono text-xs underline-offset-2 hover:underline">
                {run.id}
              </Link>
              <StatusBadge status={run.status} />
              <span className={cx("text-xs", mutedClass)}>
                {run.symbols.join(", ")} · {dateTime(run.data_start, { dayOnly: true })} → {dateTime(run.data_end, { dayOnly: true })}
              </span>
            </li>
          ) : null,
        )}
      </ul>
      {series.some((s) => s.points.length > 0) ? (
        <TimeSeriesChart series={series} height={300} label={`Equity of ${series.map((s) => s.title).join(", ")}, each rebased to 100 at its start`} testId="backtest-compare-chart" fitKey={ids.join(",")} />
      ) : (
        <Empty>None of these runs has an equity curve yet.</Empty>
      )}
      <p className={cx("mt-1 mb-3 text-xs", mutedClass)}>Each curve starts at 100: growth of the same stake, whatever the capital.</p>
      <ScrollTable label="Compared metrics" bleed>
        <table className="w-full max-w-4xl text-sm" data-testid="backtest-compare-table">
          <HeadRow>
            <Th>Metric</Th>
            {runs.map((run, i) => (
              <Th key={ids[i]} right title={ids[i]}>
                <span aria-hidden className="mr-1 inline-block h-2 w-3 rounded-sm" style={{ background: RUN_COLOURS[i % RUN_COLOURS.length] }} />
                <span className="font-mono normal-case">{shortId(run?.id ?? ids[i] ?? "")}</span>
              </Th>
            ))}
          </HeadRow>
          <tbody>
            {COMPARED.map((def) => {
              const values = runs.map((run) => metricValue(run?.metrics, def.key));
              const best = def.better ? bestIndices(values, def.better) : new Set<number>();
              return (
                <tr key={def.key} data-metric={def.key} className={rowRule}>
                  <th scope="row" className="py-1 pr-3 text-left font-normal">
                    {def.label}
                  </th>
                  {values.map((v, i) => (
                    <Td
                      key={ids[i]}
                      dense
                      right
                      data-best={best.has(i) ? "true" : undefined}
                      className={cx(best.has(i) ? "rounded bg-emerald-100 font-semibold text-emerald-950 dark:bg-emerald-900 dark:text-emerald-50" : def.signed && toneClass[tone(v)])}
                    >
                      {formatMetric(def, v)}
                      {best.has(i) && <span className="sr-only"> (best)</span>}
                    </Td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollTable>
    </Card>
  );
}
