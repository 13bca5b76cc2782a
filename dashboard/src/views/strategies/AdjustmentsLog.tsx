/** The learning engine's adjustments for one strategy, newest first, a page at a time:
 * what moved the weight, by how much, on what reward, and which guardrail clipped it. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { Badge, Card, Empty, ErrorLine, Loading, Pager, cx } from "../../components/ui";
import { dateTime, num, pct } from "../../lib/format";
import { toneText } from "./format";
import { clipOf, signedFixed } from "./logic";

export const LOG_PAGE = 20;
const code = "rounded bg-slate-100 px-1 dark:bg-slate-800";

export function AdjustmentsLog({ run, name }: { run: string | undefined; name: string }) {
  const [offset, setOffset] = useState(0);
  const page = useQuery({
    queryKey: ["strategies", run, "history", name, "log", offset],
    queryFn: async () => unwrap(await api.GET("/api/strategies/{name}/history", { params: { path: { name }, query: { run_id: run, limit: LOG_PAGE, offset } } })),
    placeholderData: keepPreviousData,
  });
  const adjustments = page.data?.adjustments;
  return (
    <Card title="Learning adjustments" testId="adjustments-log">
      {page.isPending ? (
        <Loading />
      ) : page.isError ? (
        <ErrorLine error={page.error} />
      ) : !adjustments || adjustments.total === 0 ? (
        <Empty>
          No learning adjustments for {name} in this run. Learning moves weights after closed trades when <code className={code}>learning.enabled</code> is on (
          {"for a backtest: "}
          <code className={code}>tradebot backtest --learning on</code>).
        </Empty>
      ) : (
        <>
          <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={`Learning adjustments of ${name}`}>
            <table className="w-full min-w-[760px] text-sm">
              <thead>
                <tr className="border-b border-slate-200 text-left text-xs text-slate-600 uppercase dark:border-slate-800 dark:text-slate-400">
                  <th scope="col" className="py-1.5 pr-3 font-medium">Time</th>
                  <th scope="col" className="py-1.5 pr-3 font-medium">Weight</th>
                  <th scope="col" className="py-1.5 pr-3 text-right font-medium">Δ</th>
                  <th scope="col" className="py-1.5 pr-3 text-right font-medium">Reward</th>
                  <th scope="col" className="py-1.5 pr-3 text-right font-medium">Outcomes</th>
                  <th scope="col" className="py-1.5 pr-3 font-medium">Clipped by</th>
                  <th scope="col" className="py-1.5 pr-3 font-medium">Policy</th>
                  <th scope="col" className="py-1.5 font-medium">Reason</th>
                </tr>
              </thead>
              <tbody>
                {adjustments.items.map((a, i) => {
                  const clip = clipOf(a);
                  const raw = a.new_weight - a.old_weight;
                  // Under half a hundredth of a percent shows as 0.00%: neither signed nor coloured.
                  const delta = Math.abs(raw) < 0.00005 ? 0 : raw;
                  return (
                    <tr key={`${a.ts}-${a.policy}-${a.shadow}-${i}`} data-testid="adjustment-row" className={cx("border-b border-slate-100 align-top last:border-0 dark:border-slate-800/60", a.shadow && "bg-violet-50/60 dark:bg-violet-950/30")}>
                      <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{dateTime(a.ts)}</td>
                      <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">
                        {pct(a.old_weight, { digits: 2 })} → {pct(a.new_weight, { digits: 2 })}
                      </td>
                      <td className={cx("py-1.5 pr-3 text-right whitespace-nowrap tabular-nums", toneText(delta))}>{pct(delta, { digits: 2, signed: true })}</td>
                      <td className={cx("py-1.5 pr-3 text-right tabular-nums", toneText(a.reward))}>{signedFixed(a.reward)}</td>
                      <td className="py-1.5 pr-3 text-right tabular-nums">{num(a.outcomes, 0)}</td>
                      <td className="py-1.5 pr-3">{clip ? <Badge className="bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100">{clip}</Badge> : <span className="text-slate-600 dark:text-slate-400">—</span>}</td>
                      <td className="py-1.5 pr-3 whitespace-nowrap">
                        {a.policy}
                        {a.shadow && <Badge className="ml-1 bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100">shadow</Badge>}
                      </td>
                      <td className="py-1.5 text-slate-700 dark:text-slate-300">{a.reason || "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} limit={LOG_PAGE} total={adjustments.total} onChange={setOffset} />
        </>
      )}
    </Card>
  );
}
