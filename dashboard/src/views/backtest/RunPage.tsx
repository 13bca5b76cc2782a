/** One backtest at /backtest/:id: its progress while it runs (polled every second, with a
 * Cancel), its error if it failed, its results once it completed. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { StepUpCancelled, useStepUp } from "../../components/StepUp";
import { useToast } from "../../components/Toasts";
import { errorLine } from "../../api/errors";
import { Button, Card, ErrorLine, Loading, PageTitle, cx } from "../../components/ui";
import { dateTime, duration, num } from "../../lib/format";
import { EquityCharts, MetricsGrid, MonthlyReturns, RunAttribution, TradesTable } from "./Results";
import { isActive, mutedClass, StatusBadge, useBacktest, type BacktestOut } from "./parts";

/** The bar's percentage: the server's, else done/total, clamped; null when unknown. */
export function progressPercent(progress: BacktestOut["progress"]): number | null {
  if (!progress) return null;
  if (typeof progress.percent === "number" && Number.isFinite(progress.percent)) return Math.min(100, Math.max(0, progress.percent));
  if (progress.total && progress.total > 0) return Math.min(100, Math.max(0, (progress.done / progress.total) * 100));
  return null;
}

function Progress({ run }: { run: BacktestOut }) {
  const client = useQueryClient();
  const guard = useStepUp();
  const toast = useToast();
  const percent = progressPercent(run.progress);
  const cancel = useMutation({
    mutationFn: () => guard("Cancel a backtest", async () => unwrap(await api.POST("/api/backtests/{backtest_id}/cancel", { params: { path: { backtest_id: run.id } } }))),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["backtest", run.id] });
      void client.invalidateQueries({ queryKey: ["backtests"] });
    },
    onError: (e) => {
      if (!(e instanceof StepUpCancelled)) toast.push({ tone: "error", title: "Not cancelled", body: errorLine(e) });
    },
  });
  const active = isActive(run.status);
  return (
    <Card title="Progress" testId="backtest-progress" actions={active ? <Button variant="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending} data-testid="backtest-cancel">{cancel.isPending ? "Cancelling…" : "Cancel"}</Button> : undefined}>
      <div className="flex items-center gap-3">
        <div
          role="progressbar"
          aria-label="Backtest progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent !== null ? Math.round(percent) : run.status === "queued" || !run.progress?.done ? 0 : undefined}
          aria-valuetext={percent === null ? run.status : `${Math.round(percent)}%`}
          className="h-3 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        >
          <div className={cx("h-full rounded-full transition-[width] duration-500", run.status === "failed" ? "bg-rose-600" : run.status === "cancelled" ? "bg-amber-500" : "bg-sky-600", percent === null && active && "w-1/3 animate-pulse")} style={percent === null ? undefined : { width: `${percent}%` }} />
        </div>
        <span className="w-12 text-right text-sm font-semibold tabular-nums">{percent === null ? "…" : `${Math.round(percent)}%`}</span>
      </div>
      <p className={cx("mt-2 text-sm", mutedClass)}>
        {run.status === "queued" && "Waiting for a worker."}
        {run.status === "running" && (run.progress?.total ? `${num(run.progress.done, 0)} of ${num(run.progress.total, 0)} bars replayed (warm-up included).` : run.progress?.done ? `${num(run.progress.done, 0)} bars replayed.` : "Loading the data and warming up the indicators.")}
        {run.status === "cancelled" && "Cancelled: the run stopped where it was."}
        {run.status === "failed" && "The run failed."}
      </p>
      {run.error && (
        <div className="mt-2">
          <ErrorLine error={new Error(run.error)} />
        </div>
      )}
    </Card>
  );
}

function Summary({ run }: { run: BacktestOut }) {
  const started = run.started_at ? Date.parse(run.started_at) : NaN;
  const finished = run.finished_at ? Date.parse(run.finished_at) : NaN;
  const took = Number.isFinite(started) && Number.isFinite(finished) ? duration((finished - started) / 1000) : null;
  const items: Array<[string, string]> = [
    ["Symbols", run.symbols.join(", ") || "—"],
    ["Strategies", run.strategies.join(", ") || "—"],
    ["Timeframe", run.timeframe ?? "—"],
    ["Data", run.data_start ? `${dateTime(run.data_start, { dayOnly: true })} → ${dateTime(run.data_end, { dayOnly: true })}` : "—"],
    ["Submitted", dateTime(run.submitted_at ?? run.started_at)],
    ["Took", took ?? "—"],
  ];
  return (
    <dl className="mb-4 grid grid-cols-2 gap-x-4 gap-y-1 text-sm md:grid-cols-3 xl:grid-cols-6" data-testid="backtest-summary">
      {items.map(([k, v]) => (
        <div key={k} className="min-w-0">
          <dt className={cx("text-xs", mutedClass)}>{k}</dt>
          <dd className="truncate" title={v}>
            {v}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function RunPage({ id }: { id: string }) {
  const [tradesOffset, setTradesOffset] = useState(0);
  const query = useBacktest(id, tradesOffset);
  const back = (
    <Link to="/backtest" className="text-sm text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
      ← All backtests
    </Link>
  );
  if (query.isPending) return <Loading />;
  if (query.isError)
    return (
      <div className="flex flex-col gap-3">
        <PageTitle actions={back}>Backtest</PageTitle>
        <ErrorLine error={query.error} />
      </div>
    );
  const run = query.data;
  return (
    <div className="flex flex-col gap-4" data-testid="backtest-run" data-status={run.status}>
      <div>
        <PageTitle actions={back}>
          <span className="flex flex-wrap items-center gap-2">
            Backtest <span className="font-mono text-base font-normal break-all">{run.id}</span> <StatusBadge status={run.status} />
          </span>
        </PageTitle>
        <Summary run={run} />
      </div>
      {run.status !== "completed" && <Progress run={run} />}
      {run.status === "completed" && (
        <>
          <MetricsGrid metrics={run.metrics} />
          <EquityCharts run={run} />
          <RunAttribution run={run} />
          <MonthlyReturns metrics={run.metrics} />
          <TradesTable run={run} onPage={setTradesOffset} />
        </>
      )}
    </div>
  );
}
