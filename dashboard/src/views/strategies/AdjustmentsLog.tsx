/** The learning engine's adjustments for one strategy, newest first, a page at a time:
 * what moved the weight, by how much, on what reward, and which guardrail clipped it. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { PagedTable, rowRule, Td } from "../../components/Table";
import { Badge, Card, Code, cx } from "../../components/ui";
import { dateTime, num, pct, signedFixed, tone, toneClass } from "../../lib/format";
import { clipOf } from "./logic";

export const LOG_PAGE = 20;

export function AdjustmentsLog({ run, name }: { run: string | undefined; name: string }) {
  const [offset, setOffset] = useState(0);
  const page = useQuery({
    queryKey: ["strategies", run, "history", name, "log", offset],
    queryFn: async () => unwrap(await api.GET("/api/strategies/{name}/history", { params: { path: { name }, query: { run_id: run, limit: LOG_PAGE, offset } } })),
    select: (data) => data.adjustments,
    placeholderData: keepPreviousData,
  });
  return (
    <Card title="Learning adjustments" testId="adjustments-log">
      <PagedTable
        query={page}
        empty={
          <>
            No learning adjustments for {name} in this run. Learning moves weights after closed trades when <Code>learning.enabled</Code> is on (
            {"for a backtest: "}
            <Code>tradebot backtest --learning on</Code>).
          </>
        }
        label={`Learning adjustments of ${name}`}
        className="min-w-[760px]"
        paging={{ offset, limit: LOG_PAGE, onPage: setOffset }}
        columns={["Time", "Weight", { label: "Δ", right: true }, { label: "Reward", right: true }, { label: "Outcomes", right: true }, "Clipped by", "Policy", "Reason"]}
        row={(a, i) => {
          const clip = clipOf(a);
          const raw = a.new_weight - a.old_weight;
          // Under half a hundredth of a percent shows as 0.00%: neither signed nor coloured.
          const delta = Math.abs(raw) < 0.00005 ? 0 : raw;
          return (
            <tr key={`${a.ts}-${a.policy}-${a.shadow}-${i}`} data-testid="adjustment-row" className={cx(rowRule, "align-top", a.shadow && "bg-violet-50/60 dark:bg-violet-950/30")}>
              <Td className="whitespace-nowrap tabular-nums">{dateTime(a.ts)}</Td>
              <Td className="whitespace-nowrap tabular-nums">{pct(a.old_weight, { digits: 2 })} → {pct(a.new_weight, { digits: 2 })}</Td>
              <Td right className={cx("whitespace-nowrap", toneClass[tone(delta)])}>{pct(delta, { digits: 2, signed: true })}</Td>
              <Td right className={toneClass[tone(a.reward)]}>{signedFixed(a.reward)}</Td>
              <Td right>{num(a.outcomes, 0)}</Td>
              <Td>{clip ? <Badge className="bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100">{clip}</Badge> : <span className="text-slate-600 dark:text-slate-400">—</span>}</Td>
              <Td className="whitespace-nowrap">
                {a.policy}
                {a.shadow && <Badge className="ml-1 bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100">shadow</Badge>}
              </Td>
              <Td className="text-slate-700 dark:text-slate-300">{a.reason || "—"}</Td>
            </tr>
          );
        }}
      />
    </Card>
  );
}
