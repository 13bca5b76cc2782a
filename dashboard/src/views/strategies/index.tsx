/** /strategies: every strategy of the run as a card, the weight donut, and the selected
 * strategy's weight path, results over time, shadow-policy comparison and learning log.
 * The selection lives in the URL (`?strategy=`) so a view of one strategy can be linked. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap } from "../../api/client";
import { RunPicker, useRunId } from "../../components/RunPicker";
import { useSearchParam } from "../../lib/searchParam";
import { controlClass, Options } from "../../components/Field";
import { Card, Empty, ErrorLine, Loading, PageTitle } from "../../components/ui";
import { WeightDonut } from "./charts";
import { colourOf, weightSlices } from "./logic";
import { StrategyCards } from "./StrategyCards";
import { StrategyDetail } from "./StrategyDetail";

export default function StrategiesView() {
  const [run] = useRunId();
  const [wanted, select] = useSearchParam("strategy");
  const list = useQuery({
    queryKey: ["strategies", run],
    queryFn: async () => unwrap(await api.GET("/api/strategies", { params: { query: { run_id: run } } })),
  });
  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const names = items.map((s) => s.name);
  const selected = wanted && names.includes(wanted) ? wanted : names[0];
  const chosen = items.find((s) => s.name === selected);
  const slices = useMemo(() => weightSlices(items), [items]);

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
                  <select data-testid="strategy-select" value={selected} onChange={(e) => select(e.target.value)} className={controlClass}>
                    <Options values={names} />
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
