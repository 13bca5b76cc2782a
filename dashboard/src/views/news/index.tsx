/** /news: scored news with filters in the URL, a live feed, and per-ticker sentiment
 * sparklines.
 *
 * Live items (the `news` event) go on top of page 1 marked "new". On a later page the
 * list must not shift under the reader, so arrivals are only counted ("3 new items"), and
 * the page's query is capped at "published before the first arrival": the refetch each
 * event triggers then returns the same page. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import type { LiveEvent } from "../../api/live";
import { RunPicker, useRunId, useRuns } from "../../components/RunPicker";
import { Button, Card, Empty, ErrorLine, Loading, PageTitle, Pager } from "../../components/ui";
import { useLiveEvent } from "../../live/LiveProvider";
import { num } from "../../lib/format";
import { Filters } from "./Filters";
import {
  backToTop,
  defaultRun,
  emptyLive,
  filtersFromParams,
  hasFilters,
  liveRow,
  matchesFilters,
  mergeLive,
  offsetFromParams,
  MAX_LIMIT,
  PAGE,
  PARAM,
  receive,
  rowOf,
  tickerChoices,
  toQuery,
  withoutFilters,
  withParams,
  type LiveState,
} from "./logic";
import { NewsList } from "./NewsList";
import { Sparklines } from "./Sparklines";

/** Sparkline tiles drawn at most (a run with many symbols keeps the page readable). */
const MAX_SPARKS = 12;

function useRunSymbols(run: string | undefined): string[] | undefined {
  const runs = useRuns();
  const detail = useQuery({
    queryKey: ["run", run, "detail"],
    queryFn: async () => unwrap(await api.GET("/api/runs/{run_id}", { params: { path: { run_id: run! } } })),
    enabled: !!run,
  });
  if (run) return detail.data?.symbols;
  return defaultRun(runs.data?.items ?? [])?.symbols;
}

export default function NewsView() {
  const [run] = useRunId();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const offset = offsetFromParams(params);
  const scope = `${run ?? ""}|${JSON.stringify(filters)}`;
  const [state, setState] = useState<LiveState>(() => emptyLive(scope));
  const current = state.scope === scope ? state : emptyLive(scope);
  const symbols = useRunSymbols(run);

  const query = toQuery(filters, { run, limit: PAGE, offset, anchor: offset > 0 ? current.anchor : null });
  const page = useQuery({
    queryKey: ["news", "list", query],
    queryFn: async () => unwrap(await api.GET("/api/news", { params: { query } })),
    placeholderData: keepPreviousData,
  });

  useLiveEvent("news", (event: LiveEvent) => {
    const row = liveRow(event.data);
    // Named run: the server keeps its symbols only; no run: news is shared by all.
    if (!row || !matchesFilters(row, filters, run ? symbols : null)) return;
    setState((prev) => receive(prev, row, scope, offset));
  });

  const update = useCallback((changes: Record<string, string | number | undefined>) => setParams((prev) => withParams(prev, changes), { replace: true }), [setParams]);
  const goTo = useCallback(
    (next: number) => {
      if (next === 0) setState((prev) => backToTop(prev, scope));
      setParams((prev) => withParams(prev, { [PARAM.offset]: next > 0 ? next : undefined }));
    },
    [scope, setParams],
  );

  const fetched = useMemo(() => (page.data?.items ?? []).map(rowOf), [page.data]);
  const rows = offset === 0 ? mergeLive(current.live, fetched, PAGE) : fetched;
  const fresh = useMemo(() => new Set(current.live.map((r) => r.key)), [current.live]);
  const present = useMemo(() => [...new Set(fetched.map((r) => r.ticker))], [fetched]);
  const tickers = tickerChoices(symbols, present, filters.ticker);
  const sparkTickers = tickerChoices(symbols, present).slice(0, MAX_SPARKS);

  return (
    <div className="space-y-4">
      <PageTitle actions={<RunPicker />}>News &amp; sentiment</PageTitle>
      <Card title="Sentiment by ticker" testId="sparklines" actions={<span className="text-xs text-slate-600 dark:text-slate-400">daily mean score of each ticker&apos;s newest {MAX_LIMIT} items</span>}>
        {sparkTickers.length === 0 ? (
          page.isPending ? <Loading /> : <Empty>No tickers yet.</Empty>
        ) : (
          <Sparklines run={run} tickers={sparkTickers} selected={filters.ticker} onPick={(t) => update({ [PARAM.ticker]: filters.ticker === t ? undefined : t })} />
        )}
      </Card>
      <Card
        title="Scored news"
        testId="news"
        actions={
          page.data && (
            <span className="text-xs text-slate-600 tabular-nums dark:text-slate-400" data-testid="news-total">
              {num(page.data.total, 0)} item{page.data.total === 1 ? "" : "s"}
            </span>
          )
        }
      >
        <Filters filters={filters} tickers={tickers} onChange={update} onClear={() => setParams((prev) => withoutFilters(prev), { replace: true })} />
        <div className="mt-3">
          {offset > 0 && current.unseen > 0 && (
            <div role="status" className="mb-2 flex flex-wrap items-center justify-between gap-2 rounded-lg border border-sky-300 bg-sky-50 px-3 py-1.5 text-sm text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100">
              <span data-testid="news-new-count">
                {current.unseen} new item{current.unseen === 1 ? "" : "s"}
              </span>
              <Button variant="ghost" className="py-0.5 text-sky-900 dark:text-sky-100" onClick={() => goTo(0)}>
                Back to the newest
              </Button>
            </div>
          )}
          {page.isPending ? (
            <Loading />
          ) : page.isError ? (
            <ErrorLine error={page.error} />
          ) : rows.length === 0 ? (
            <Empty>
              {hasFilters(filters) ? "No scored news matches these filters." : "No scored news yet: the sentiment stage stores each article it scores (news.enabled, and a news source or replay file)."}
            </Empty>
          ) : (
            <>
              <NewsList rows={rows} fresh={offset === 0 ? fresh : new Set()} />
              <Pager offset={offset} limit={PAGE} total={page.data.total} onChange={goTo} />
            </>
          )}
        </div>
      </Card>
    </div>
  );
}
