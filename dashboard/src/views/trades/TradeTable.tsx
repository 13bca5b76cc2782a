/** The trade table: one row per closed trade; a row opens into its trail. */
import { useState } from "react";
import type { components } from "../../api/schema";
import { Badge, cx } from "../../components/ui";
import { dateTime, duration, money, pct, qty, tone } from "../../lib/format";
import { toneText } from "./format";
import { TradeTrail } from "./TradeTrail";

type Trade = components["schemas"]["TradeOut"];

const TH = "px-2 py-1.5 font-medium whitespace-nowrap";
const TD = "px-2 py-1.5 whitespace-nowrap tabular-nums";
const COLUMNS = 12;

function TradeRow({ trade, open, onToggle, run }: { trade: Trade; open: boolean; onToggle: () => void; run: string | undefined }) {
  const trailId = `trail-${trade.id}`;
  const pnlTone = toneText[tone(trade.pnl)];
  return (
    <>
      <tr
        data-testid="trade-row"
        data-trade-id={trade.id}
        onClick={onToggle}
        className={cx("cursor-pointer border-t border-slate-200 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800/50", open && "bg-slate-50 dark:bg-slate-800/50")}
      >
        <td className="py-1 pl-1">
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
        </td>
        <td className={cx(TD, "font-semibold")}>{trade.symbol}</td>
        <td className={TD}>
          <Badge className={trade.direction === "short" ? "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100" : "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100"}>{trade.direction}</Badge>
        </td>
        <td className={cx(TD, "text-right font-medium", pnlTone)} data-testid="trade-pnl">
          {money(trade.pnl, { signed: true })}
        </td>
        <td className={cx(TD, "text-right", toneText[tone(trade.return_pct)])}>{pct(trade.return_pct, { signed: true })}</td>
        <td className={TD}>{dateTime(trade.entry_ts)}</td>
        <td className={TD}>{dateTime(trade.exit_ts)}</td>
        <td className={cx(TD, "text-right")}>{duration(trade.hold_seconds)}</td>
        <td className={cx(TD, "text-right")}>{qty(trade.quantity)}</td>
        <td className={cx(TD, "text-right")}>{money(trade.entry_price)}</td>
        <td className={cx(TD, "text-right")}>{money(trade.exit_price)}</td>
        <td className="px-2 py-1.5 text-xs text-slate-700 dark:text-slate-300">{trade.strategies.join(", ") || "—"}</td>
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
    <div className="-mx-2 overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="trades-table">
        <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
          <tr>
            <th scope="col" className="w-7 py-1.5 pl-1">
              <span className="sr-only">Trail</span>
            </th>
            <th scope="col" className={TH}>Symbol</th>
            <th scope="col" className={TH}>Dir</th>
            <th scope="col" className={cx(TH, "text-right")}>P&amp;L</th>
            <th scope="col" className={cx(TH, "text-right")}>Return</th>
            <th scope="col" className={TH}>Entry</th>
            <th scope="col" className={TH}>Exit</th>
            <th scope="col" className={cx(TH, "text-right")}>Held</th>
            <th scope="col" className={cx(TH, "text-right")}>Qty</th>
            <th scope="col" className={cx(TH, "text-right")}>Entry px</th>
            <th scope="col" className={cx(TH, "text-right")}>Exit px</th>
            <th scope="col" className={TH}>Strategies</th>
          </tr>
        </thead>
        <tbody>
          {trades.map((t) => (
            <TradeRow key={t.id} trade={t} run={run} open={open.has(t.id)} onToggle={() => toggle(t.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
