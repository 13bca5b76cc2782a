/** Past and queued backtests, newest first, with their headline numbers; tick 2–4 of them
 * to compare. */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { PagedTable, rowRule, Td } from "../../components/Table";
import { Button, Card, cx } from "../../components/ui";
import { dateTime, num, pct, ratio, tone, toneClass } from "../../lib/format";
import { isActive, mutedClass, StatusBadge } from "./parts";

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
      <PagedTable
        query={list}
        empty="No backtest yet: run one above."
        label="Backtests table"
        bleed
        className="min-w-[56rem]"
        paging={{ offset, limit: PAGE, onPage: setOffset }}
        columns={[{ label: <span className="sr-only">Compare</span>, className: "w-8" }, "Run", "Status", "Symbols", "Strategies", { label: "Return", right: true }, { label: "Sharpe", right: true }, { label: "Max DD", right: true }, { label: "Trades", right: true }, "Submitted"]}
        row={(b) => (
          <tr key={b.id} data-testid="backtest-row" data-id={b.id} className={rowRule}>
            <Td>
              <input type="checkbox" aria-label={`Compare ${b.id}`} checked={checked.includes(b.id)} disabled={!checked.includes(b.id) && checked.length >= 4} onChange={(e) => toggle(b.id, e.target.checked)} />
            </Td>
            <Td>
              <Link to={`/backtest/${encodeURIComponent(b.id)}`} className="font-mono text-xs whitespace-nowrap text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
                {b.id}
              </Link>
            </Td>
            <Td>
              <StatusBadge status={b.status} />
              {isActive(b.status) && b.progress?.percent != null && <span className={cx("ml-1 text-xs tabular-nums", mutedClass)}>{Math.round(b.progress.percent)}%</span>}
            </Td>
            <Td className="max-w-[12rem] truncate font-mono text-xs" title={b.symbols.join(", ")}>{b.symbols.join(", ")}</Td>
            <Td className="max-w-[14rem] truncate text-xs" title={b.strategies.join(", ")}>{b.strategies.join(", ")}</Td>
            <Td right className={toneClass[tone(b.total_return)]}>{pct(b.total_return, { signed: true })}</Td>
            <Td right>{ratio(b.sharpe)}</Td>
            <Td right>{pct(b.max_drawdown)}</Td>
            <Td right>{num(b.trade_count, 0)}</Td>
            <Td className={cx("text-xs whitespace-nowrap", mutedClass)}>{dateTime(b.submitted_at ?? b.started_at)}</Td>
          </tr>
        )}
      />
    </Card>
  );
}
