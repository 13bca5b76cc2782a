/** /strategies: every strategy of the run as a card, the weight donut, and the selected
 * strategy's weight path, results over time, shadow-policy comparison and learning log.
 * The selection lives in the URL (`?strategy=`) so a view of one strategy can be linked. */
import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { RunPicker, useRunId } from "../../components/RunPicker";
import { Card, Empty, ErrorLine, Loading, PageTitle } from "../../components/ui";
import { WeightDonut } from "./charts";
import { colourOf, weightSlices } from "./logic";
import { StrategyCards } from "./StrategyCards";
import { StrategyDetail } from "./StrategyDetail";

export default function StrategiesView() {
  const [run] = useRunId();
  const [params, setParams] = useSearchParams();
  const list = useQuery({
    queryKey: ["strategies", run],
    queryFn: async () => unwrap(await api.GET("/api/strategies", { params: { query: { run_id: run } } })),
  });
  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const names = items.map((s) => s.name);
  const wanted = params.get("strategy");
  const selected = wanted && names.includes(wanted) ? wanted : names[0];
  const chosen = items.find((s) => s.name === selected);
  const slices = useMemo(() => weightSlices(items), [items]);
  const select = useCallback(
    (name: string) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          next.set("strategy", name);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  return (
    <div>
      <PageTitle actions={<RunPicker />}>Strategies</PageTitle>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorLine error={list.error} />
      ) : items.length === 0 ? (
        <Empty>No strategies recorded for this run.</Empty>
      ) : (
        <div className="space-y-4">
          <div className="grid grid-cols-1 gap-4 xl:grid-cols-4">
            <div className="xl:col-span-3">
              <StrategyCards items={items} selected={selected} onSelect={select} />
            </div>
            <Card title="Weights now" testId="weights-card">
              {slices.length === 0 ? <Empty>No strategy has a weight.</Empty> : <WeightDonut slices={slices} selected={selected} onSelect={select} />}
            </Card>
          </div>
          {selected && (
            <section aria-labelledby="strategy-detail-title" className="space-y-3">
              <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
                <h2 id="strategy-detail-title" className="flex items-center gap-2 text-lg font-semibold">
                  <span aria-hidden className="size-3 rounded-full" style={{ background: colourOf(names, selected) }} />
                  {selected}
                </h2>
                <label className="flex items-center gap-2 text-sm">
                  <span className="text-slate-600 dark:text-slate-400">Strategy</span>
                  <select
                    data-testid="strategy-select"
                    value={selected}
                    onChange={(e) => select(e.target.value)}
                    className="rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-800"
                  >
                    {names.map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <StrategyDetail run={run} name={selected} colour={colourOf(names, selected)} description={chosen?.description} />
            </section>
          )}
        </div>
      )}
    </div>
  );
}
