/** Past and queued backtests, newest first, with their headline numbers; tick 2–4 of them
 * to compare. */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { Button, Card, Empty, ErrorLine, Loading, Pager, cx } from "../../components/ui";
import { dateTime, num, pct, tone } from "../../lib/format";
import { ratio, toneText } from "./format";
import { isActive, mutedClass, ScrollX, StatusBadge } from "./parts";

const PAGE = 25;

export function RunsList({ initiallyChecked = [] }: { initiallyChecked?: string[] }) {
  const navigate = useNavigate();
  const [offset, setOffset] = useState(0);
  const [checked, setChecked] = useState<string[]>(initiallyChecked);
  const list = useQuery({
    queryKey: ["backtests", { limit: PAGE, offset }],
    queryFn: async () => unwrap(await api.GET("/api/backtests", { params: { query: { limit: PAGE, offset } } })),
    // Jobs under way change every second; live events also refresh the list.
    refetchInterval: (query) => (query.state.data?.items.some((b) => isActive(b.status)) ? 2000 : false),
  });
  const canCompare = checked.length >= 2 && checked.length <= 4;
  const toggle = (id: string, on: boolean) => setChecked((all) => (on ? [...all.filter((x) => x !== id), id] : all.filter((x) => x !== id)));

  return (
    <Card
      title="Backtests"
      testId="backtest-list"
      actions={
        <span className="flex items-center gap-2">
          <span className={cx("text-xs", mutedClass)}>{checked.length === 0 ? "Tick 2–4 runs to compare" : `${checked.length} ticked`}</span>
          <Button variant="primary" disabled={!canCompare} data-testid="backtest-compare-button" onClick={() => void navigate(`/backtest?compare=${checked.map(encodeURIComponent).join(",")}`)}>
            Compare
          </Button>
        </span>
      }
    >
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorLine error={list.error} />
      ) : list.data.items.length === 0 ? (
        <Empty>No backtest yet: run one above.</Empty>
      ) : (
        <>
          <ScrollX label="Backtests table" bleed>
            <table className="w-full min-w-[56rem] text-sm">
              <thead>
                <tr className={cx("border-b border-slate-200 text-left text-xs uppercase dark:border-slate-800", mutedClass)}>
                  <th scope="col" className="w-8 py-2">
                    <span className="sr-only">Compare</span>
                  </th>
                  <th scope="col" className="py-2 pr-3">Run</th>
                  <th scope="col" className="py-2 pr-3">Status</th>
                  <th scope="col" className="py-2 pr-3">Symbols</th>
                  <th scope="col" className="py-2 pr-3">Strategies</th>
                  <th scope="col" className="py-2 pr-3 text-right">Return</th>
                  <th scope="col" className="py-2 pr-3 text-right">Sharpe</th>
                  <th scope="col" className="py-2 pr-3 text-right">Max DD</th>
                  <th scope="col" className="py-2 pr-3 text-right">Trades</th>
                  <th scope="col" className="py-2">Submitted</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((b) => (
                  <tr key={b.id} data-testid="backtest-row" data-id={b.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800/60">
                    <td className="py-1.5">
                      <input type="checkbox" aria-label={`Compare ${b.id}`} checked={checked.includes(b.id)} disabled={!checked.includes(b.id) && checked.length >= 4} onChange={(e) => toggle(b.id, e.target.checked)} />
                    </td>
                    <td className="py-1.5 pr-3">
                      <Link to={`/backtest/${encodeURIComponent(b.id)}`} className="font-mono text-xs whitespace-nowrap text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
                        {b.id}
                      </Link>
                    </td>
                    <td className="py-1.5 pr-3">
                      <StatusBadge status={b.status} />
                      {isActive(b.status) && b.progress?.percent != null && <span className={cx("ml-1 text-xs tabular-nums", mutedClass)}>{Math.round(b.progress.percent)}%</span>}
                    </td>
                    <td className="max-w-[12rem] truncate py-1.5 pr-3 font-mono text-xs" title={b.symbols.join(", ")}>
                      {b.symbols.join(", ")}
                    </td>
                    <td className="max-w-[14rem] truncate py-1.5 pr-3 text-xs" title={b.strategies.join(", ")}>
                      {b.strategies.join(", ")}
                    </td>
                    <td className={cx("py-1.5 pr-3 text-right tabular-nums", toneText[tone(b.total_return)])}>{pct(b.total_return, { signed: true })}</td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{ratio(b.sharpe)}</td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{pct(b.max_drawdown)}</td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{num(b.trade_count, 0)}</td>
                    <td className={cx("py-1.5 text-xs whitespace-nowrap", mutedClass)}>{dateTime(b.submitted_at ?? b.started_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollX>
          {list.data.total > PAGE && <Pager offset={offset} limit={PAGE} total={list.data.total} onChange={setOffset} />}
        </>
      )}
    </Card>
  );
}
