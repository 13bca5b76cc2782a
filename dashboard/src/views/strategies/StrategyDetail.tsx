/** Everything about the selected strategy: its weight path, its results per week or month,
 * the shadow-policy comparison and the learning log. Query keys start with "strategies"
 * so a fill (which invalidates that key) refreshes all of it in place. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Button, Card, Empty, ErrorLine, Loading, cx } from "../../components/ui";
import { dateTime, money, pct, tone, toneClass } from "../../lib/format";
import { AdjustmentsLog } from "./AdjustmentsLog";
import { MetricsChart, StepChart } from "./charts";
import { bucketRows, compareShadow, mergePaths, pathStats, weightHistory, type StrategyBucketOut } from "./logic";
import { ShadowPanel } from "./ShadowPanel";

/** The most the history route gives in one page: enough for a run's whole path. */
export const PATH_LIMIT = 500;

function WeightHistoryCard({ name, colour, query }: { name: string; colour: string; query: ReturnType<typeof usePath> }) {
  const data = query.data;
  const history = useMemo(() => (data ? weightHistory(data.changes.items, data.adjustments.items) : null), [data]);
  const rows = useMemo(() => (history ? mergePaths({ weight: history.points }) : []), [history]);
  const found = history ? pathStats(history.points) : null;
  // Under half a hundredth of a percent shows as 0.00%: neither signed nor coloured.
  const stats = found && { ...found, change: Math.abs(found.end - found.start) < 0.00005 ? 0 : found.end - found.start };
  return (
    <Card title="Weight history" testId="weight-history">
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorLine error={query.error} />
      ) : !history || history.source === "none" ? (
        <Empty>
          The weight of {name} has not moved{data?.weight !== null && data?.weight !== undefined ? ` (it is ${pct(data.weight, { digits: 1 })})` : ""}: no applied changes and no live learning adjustments in this run.
          {data?.adjustments.items.some((a) => a.shadow) && " Learning ran in shadow here: what its policy proposed is compared below."}
        </Empty>
      ) : (
        <>
          {stats && (
            <div className="mb-2 grid grid-cols-2 gap-x-5 gap-y-1 text-sm sm:flex sm:flex-wrap" data-testid="weight-stats">
              <span>
                <span className="text-slate-600 dark:text-slate-400">Start </span>
                <span className="font-semibold tabular-nums">{pct(stats.start)}</span>
              </span>
              <span>
                <span className="text-slate-600 dark:text-slate-400">Now </span>
                <span className="font-semibold tabular-nums">{pct(stats.end)}</span>
                <span className={cx("ml-1 tabular-nums", toneClass[tone(stats.change)])}>({pct(stats.change, { signed: true })})</span>
              </span>
              <span>
                <span className="text-slate-600 dark:text-slate-400">Range </span>
                <span className="font-semibold tabular-nums">
                  {pct(stats.min)}–{pct(stats.max)}
                </span>
              </span>
              <span>
                <span className="text-slate-600 dark:text-slate-400">Moves </span>
                <span className="font-semibold tabular-nums">{stats.moves}</span>
              </span>
            </div>
          )}
          <StepChart rows={rows} height={300} lines={[{ key: "weight", name: "Weight", colour }]} testId="weight-history-chart" label={`Weight of ${name} over time, from ${pct(history.points[0]!.weight, { digits: 1 })} to ${pct(history.points[history.points.length - 1]!.weight, { digits: 1 })}`} />
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            {history.source === "changes"
              ? `${data!.changes.total} applied weight change${data!.changes.total === 1 ? "" : "s"}.`
              : "From this run's live learning adjustments (a backtest learns without changing the stored weights)."}
          </p>
          {history.source === "changes" && (
            <ScrollTable label={`Weight changes of ${name}`} className="mt-2 max-h-40 overflow-y-auto">
              <table className="w-full text-xs">
                <HeadRow>
                  <Th dense>Time</Th>
                  <Th dense>Change</Th>
                  <Th dense>Reason</Th>
                </HeadRow>
                <tbody>
                  {data!.changes.items.slice(0, 20).map((c, i) => (
                    <tr key={`${c.ts}-${i}`} data-testid="weight-change-row" className={rowRule}>
                      <Td dense className="whitespace-nowrap tabular-nums">{dateTime(c.ts)}</Td>
                      <Td dense className="whitespace-nowrap tabular-nums">{pct(c.old_weight, { digits: 2 })} → {pct(c.new_weight, { digits: 2 })}</Td>
                      <Td dense>{c.reason || "—"}</Td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
          )}
        </>
      )}
    </Card>
  );
}

function usePath(run: string | undefined, name: string) {
  return useQuery({
    queryKey: ["strategies", run, "history", name, "path"],
    queryFn: async () => unwrap(await api.GET("/api/strategies/{name}/history", { params: { path: { name }, query: { run_id: run, limit: PATH_LIMIT, offset: 0 } } })),
  });
}

function BucketTable({ buckets }: { buckets: StrategyBucketOut[] }) {
  return (
    <ScrollTable label="Results per period" className="mt-3 max-h-48 overflow-y-auto">
      <table className="w-full min-w-[480px] text-xs" data-testid="strategy-metrics-table">
        <HeadRow className="sticky top-0 bg-white dark:bg-slate-900">
          <Th dense>From</Th>
          <Th dense right>Trades</Th>
          <Th dense right>W / L</Th>
          <Th dense right>Win rate</Th>
          <Th dense right>Mean return</Th>
          <Th dense right>P&L</Th>
          <Th dense right>Cumulative</Th>
        </HeadRow>
        <tbody>
          {[...buckets].reverse().map((b) => (
            <tr key={b.start} className={rowRule}>
              <Td dense className="whitespace-nowrap tabular-nums">{b.start}</Td>
              <Td dense right>{b.trades}</Td>
              <Td dense right>{b.wins} / {b.losses}</Td>
              <Td dense right>{pct(b.win_rate, { digits: 0 })}</Td>
              <Td dense right className={toneClass[tone(b.mean_return)]}>{pct(b.mean_return, { signed: true })}</Td>
              <Td dense right className={toneClass[tone(b.pnl)]}>{money(b.pnl, { signed: true })}</Td>
              <Td dense right className={toneClass[tone(b.cumulative_pnl)]}>{money(b.cumulative_pnl, { signed: true })}</Td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}

function MetricsCard({ run, name }: { run: string | undefined; name: string }) {
  const [bucket, setBucket] = useState<"week" | "month">("month");
  const metrics = useQuery({
    queryKey: ["strategies", run, "metrics", name, bucket],
    queryFn: async () => unwrap(await api.GET("/api/strategies/{name}/metrics", { params: { path: { name }, query: { run_id: run, bucket } } })),
    placeholderData: keepPreviousData,
  });
  const buckets = metrics.data?.buckets ?? [];
  const rows = useMemo(() => bucketRows(buckets, bucket), [buckets, bucket]);
  const trades = buckets.reduce((n, b) => n + b.trades, 0);
  const wins = buckets.reduce((n, b) => n + b.wins, 0);
  const total = rows.length > 0 ? rows[rows.length - 1]!.cumulative : 0;
  const toggle = (
    <div role="group" aria-label="Bucket" className="inline-flex rounded-lg border border-slate-300 p-0.5 dark:border-slate-700">
      {(["week", "month"] as const).map((b) => (
        <Button key={b} variant="ghost" aria-pressed={bucket === b} data-testid={`bucket-${b}`} onClick={() => setBucket(b)} className={cx("px-2 py-0.5 text-xs", bucket === b && "bg-slate-200 dark:bg-slate-700")}>
          {b === "week" ? "Weekly" : "Monthly"}
        </Button>
      ))}
    </div>
  );
  return (
    <Card title={`Results by ${bucket}`} actions={toggle} testId="strategy-metrics">
      {metrics.isPending ? (
        <Loading />
      ) : metrics.isError ? (
        <ErrorLine error={metrics.error} />
      ) : rows.length === 0 ? (
        <Empty>No closed trades opened by {name} in this run yet.</Empty>
      ) : (
        <>
          <div className="mb-2 flex flex-wrap gap-x-5 gap-y-1 text-sm">
            <span>
              <span className="text-slate-600 dark:text-slate-400">Trades </span>
              <span className="font-semibold tabular-nums">{trades}</span>
            </span>
            <span>
              <span className="text-slate-600 dark:text-slate-400">Win rate </span>
              <span className="font-semibold tabular-nums">{trades > 0 ? pct(wins / trades, { digits: 1 }) : "—"}</span>
            </span>
            <span>
              <span className="text-slate-600 dark:text-slate-400">P&L </span>
              <span className={cx("font-semibold tabular-nums", toneClass[tone(total)])}>{money(buckets[buckets.length - 1]?.cumulative_pnl, { signed: true })}</span>
            </span>
          </div>
          <MetricsChart rows={rows} label={`${name}: P&L per ${bucket} as bars, cumulative P&L as a line ending at ${money(total, { signed: true })}, and win rate`} />
          <BucketTable buckets={buckets} />
        </>
      )}
    </Card>
  );
}

export function StrategyDetail({ run, name, colour, description }: { run: string | undefined; name: string; colour: string; description?: string | undefined }) {
  const path = usePath(run, name);
  const comparison = useMemo(() => (path.data ? compareShadow(path.data.adjustments.items, path.data.weight) : null), [path.data]);
  return (
    <div className="space-y-4" data-testid="strategy-detail" data-name={name}>
      {description && <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p>}
      <div className="grid grid-cols-1 items-start gap-4 xl:grid-cols-2">
        <WeightHistoryCard name={name} colour={colour} query={path} />
        <MetricsCard run={run} name={name} />
      </div>
      {path.isPending ? (
        <Loading />
      ) : path.isError ? (
        <ErrorLine error={path.error} />
      ) : (
        <ShadowPanel name={name} comparison={comparison} truncated={path.data.adjustments.total > PATH_LIMIT} />
      )}
      <AdjustmentsLog key={name} run={run} name={name} />
    </div>
  );
}
