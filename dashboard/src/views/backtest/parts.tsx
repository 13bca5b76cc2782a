/** Small pieces the backtest screens share: the status badge, the queries. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { Badge } from "../../components/ui";

export type BacktestOut = components["schemas"]["BacktestOut"];
export type BacktestItem = components["schemas"]["BacktestItem"];
export type Status = BacktestItem["status"];

export const mutedClass = "text-slate-600 dark:text-slate-400";

const STATUS_CLASS: Record<Status, string> = {
  queued: "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100",
  running: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
  completed: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  failed: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  cancelled: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
};

export function StatusBadge({ status }: { status: Status }) {
  return (
    <Badge className={STATUS_CLASS[status]}>
      <span data-testid="backtest-status">{status}</span>
    </Badge>
  );
}

export function isActive(status: Status | undefined): boolean {
  return status === "queued" || status === "running";
}

export const TRADES_PAGE = 50;

/** One backtest with a page of its trades; polled every second while it is queued or
 * running (live `backtest` events refresh it too, through the "backtest" key). */
export function useBacktest(id: string, tradesOffset = 0) {
  return useQuery({
    ...backtestQuery(id, tradesOffset),
    refetchInterval: (query) => (isActive(query.state.data?.status) ? 1000 : false),
    placeholderData: keepPreviousData,
  });
}

/** The query of one backtest (shared by the run page and the comparison: one cache). */
export function backtestQuery(id: string, tradesOffset = 0) {
  return {
    queryKey: ["backtest", id, { tradesOffset }] as const,
    queryFn: async (): Promise<BacktestOut> =>
      unwrap(
        await api.GET("/api/backtests/{backtest_id}", {
          params: { path: { backtest_id: id }, query: { trades_limit: TRADES_PAGE, trades_offset: tradesOffset } },
        }),
      ),
  };
}

/** The colours of up to four compared runs: distinct hues that read on both themes. */
export const RUN_COLOURS = ["#0ea5e9", "#f59e0b", "#d946ef", "#10b981"];
