/** The trade table: one row per closed trade; a row opens into its trail. */
import { useState } from "react";
import type { components } from "../../api/schema";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Badge, cx } from "../../components/ui";
import { dateTime, duration, money, pct, qty, tone, toneClass } from "../../lib/format";
import { TradeTrail } from "./TradeTrail";

type Trade = components["schemas"]["TradeOut"];

const COLUMNS = 12;

function TradeRow({ trade, open, onToggle, run }: { trade: Trade; open: boolean; onToggle: () => void; run: string | undefined }) {
  const trailId = `trail-${trade.id}`;
  const pnlTone = toneClass[tone(trade.pnl)];
  return (
    <>
      <tr
        data-testid="trade-row"
        data-trade-id={trade.id}
        onClick={onToggle}
        className={cx(rowRule, "cursor-pointer whitespace-nowrap tabular-nums hover:bg-slate-50 dark:hover:bg-slate-800/50", open && "bg-slate-50 dark:bg-slate-800/50")}
      >
        <Td dense>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={open ? trailId : undefined}
            aria-label={`${open ? "Hide" : "Show"} the trail of the ${trade.symbol} trade closed ${dateTime(trade.exit_ts)}`}
            data-testid="trade-toggle"
            className="inline-flex h-6 w-6 items-center justify-center rounded text-slate-700 hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-700"
          >
            <span aria-hidden="true" className={cx("inline-block transition-transform", open && "rotate-90")}>
              ▸
            </span>
          </button>
        </Td>
        <Td className="font-semibold">{trade.symbol}</Td>
        <Td>
          <Badge className={trade.direction === "short" ? "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100" : "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100"}>{trade.direction}</Badge>
        </Td>
        <Td right className={cx("font-medium", pnlTone)} data-testid="trade-pnl">{money(trade.pnl, { signed: true })}</Td>
        <Td right className={toneClass[tone(trade.return_pct)]}>{pct(trade.return_pct, { signed: true })}</Td>
        <Td>{dateTime(trade.entry_ts)}</Td>
        <Td>{dateTime(trade.exit_ts)}</Td>
        <Td right>{duration(trade.hold_seconds)}</Td>
        <Td right>{qty(trade.quantity)}</Td>
        <Td right>{money(trade.entry_price)}</Td>
        <Td right>{money(trade.exit_price)}</Td>
        <Td className="text-xs whitespace-normal text-slate-700 dark:text-slate-300">{trade.strategies.join(", ") || "—"}</Td>
      </tr>
      {open && (
        <tr id={trailId} className="bg-slate-50 dark:bg-slate-950/40">
          <td colSpan={COLUMNS} className="p-0">
            {/* pinned to the visible width while the wide table scrolls sideways on a phone */}
            <div className="sticky left-0 max-w-[calc(min(100vw,80rem)-3.5rem)] p-2 sm:p-3">
              <TradeTrail tradeId={trade.id} run={run} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

export function TradeTable({ trades, run }: { trades: Trade[]; run: string | undefined }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <ScrollTable label="Closed trades table" className="-mx-2 px-2">
      <table className="w-full text-left text-sm" data-testid="trades-table">
        <HeadRow className="whitespace-nowrap">
          <Th className="w-7"><span className="sr-only">Trail</span></Th>
          <Th>Symbol</Th>
          <Th>Dir</Th>
          <Th right>P&amp;L</Th>
          <Th right>Return</Th>
          <Th>Entry</Th>
          <Th>Exit</Th>
          <Th right>Held</Th>
          <Th right>Qty</Th>
          <Th right>Entry px</Th>
          <Th right>Exit px</Th>
          <Th>Strategies</Th>
        </HeadRow>
        <tbody>
          {trades.map((t) => (
            <TradeRow key={t.id} trade={t} run={run} open={open.has(t.id)} onToggle={() => toggle(t.id)} />
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}
