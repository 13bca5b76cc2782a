/** Trade log: every closed trade of the run, filtered from the URL (shareable), 25 a page —
 * and behind each row the whole trail that led to it: the news, the votes, the risk checks,
 * the orders and fills, the exit and what the learning engine took from it. */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { RunPicker, useRunId } from "../../components/RunPicker";
import { Button, Card, Empty, ErrorLine, Loading, PageTitle, Pager } from "../../components/ui";
import { FilterBar } from "./FilterBar";
import { clearFilters, filterProblem, PAGE_SIZE, parseFilters, parseOffset, toTradesQuery, withFilters, withOffset, type TradeFilters } from "./filters";
import { useStrategyNames, useTrades } from "./queries";
import { TradeTable } from "./TradeTable";

export default function TradesView() {
  const [run] = useRunId();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);
  const offset = parseOffset(params);
  const query = useMemo(() => toTradesQuery(filters, run, offset), [filters, run, offset]);
  const trades = useTrades(run, query);
  const strategies = useStrategyNames(run);
  const problem = filterProblem(filters);

  const change = useCallback((patch: Partial<TradeFilters>) => setParams((prev) => withFilters(prev, patch)), [setParams]);
  const clear = useCallback(() => setParams((prev) => clearFilters(prev)), [setParams]);
  const page = (next: number) => setParams((prev) => withOffset(prev, next));

  const total = trades.data?.total;
  return (
    <div className="space-y-4">
      <PageTitle actions={<RunPicker />}>Trade log</PageTitle>
      <Card>
        <FilterBar filters={filters} strategies={strategies.data ?? []} onChange={change} onClear={clear} />
        {problem && (
          <p role="status" className="mt-2 text-sm text-amber-800 dark:text-amber-300" data-testid="filter-problem">
            {problem}
          </p>
        )}
      </Card>
      <Card
        title={
          <span>
            Closed trades{" "}
            {total !== undefined && (
              <span data-testid="trades-total" className="font-normal normal-case tabular-nums text-slate-600 dark:text-slate-400">
                ({total.toLocaleString("en-US")})
              </span>
            )}
          </span>
        }
        actions={trades.isFetching && !trades.isPending ? <span className="text-xs text-slate-600 dark:text-slate-400">Updating…</span> : undefined}
        testId="trades-card"
      >
        {trades.isPending ? (
          <Loading />
        ) : trades.isError ? (
          <ErrorLine error={trades.error} />
        ) : trades.data.items.length === 0 ? (
          trades.data.total > 0 ? (
            <Empty>
              No trades on this page.{" "}
              <Button variant="ghost" className="px-1 py-0 underline" onClick={() => page(0)}>
                Go to the first page
              </Button>
            </Empty>
          ) : (
            <Empty>No closed trades match these filters.</Empty>
          )
        ) : (
          <>
            <TradeTable trades={trades.data.items} run={run} />
            <Pager offset={offset} limit={PAGE_SIZE} total={trades.data.total} onChange={page} />
          </>
        )}
      </Card>
    </div>
  );
}
