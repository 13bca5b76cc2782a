/** The open positions, marked at their last price, each with a guarded Close. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { api, unwrap } from "../../api/client";
import { errorLine } from "../../api/errors";
import { ConfirmDialog } from "../../components/Dialog";
import { StepUpCancelled, useStepUp } from "../../components/StepUp";
import { useToast } from "../../components/Toasts";
import { Badge, Button, cx } from "../../components/ui";
import { dateTime, money, pct, qty, tone } from "../../lib/format";
import { toneText } from "../trades/format";
import { closeQuestion, commandToast, type Position } from "./logic";

const TH = "px-2 py-1.5 font-medium whitespace-nowrap";
const TD = "px-2 py-1.5 whitespace-nowrap tabular-nums";

function useClosePosition(run: string | undefined) {
  const guard = useStepUp();
  const toast = useToast();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (symbol: string) => guard(`Close ${symbol}`, async () => unwrap(await api.POST("/api/controls/close-position", { body: { symbol, run_id: run ?? null } }))),
    onSuccess: (out, symbol) => {
      toast.push({ ...commandToast(`Close ${symbol}`, out), testId: "toast-close" });
      void client.invalidateQueries({ queryKey: ["positions"] });
      void client.invalidateQueries({ queryKey: ["portfolio"] });
    },
    onError: (error, symbol) => {
      if (error instanceof StepUpCancelled) return;
      toast.push({ tone: "error", title: `Close ${symbol} failed`, body: errorLine(error), testId: "toast-close" });
    },
  });
}

/** `run`: the run these positions belong to (the positions answer's own run id), so Close
 * goes to the run on screen, not whichever the server would pick by default. */
export function PositionsTable({ positions, run }: { positions: Position[]; run: string | undefined }) {
  const [asked, setAsked] = useState<Position | null>(null);
  const close = useClosePosition(run);
  const confirm = () => {
    if (!asked) return;
    close.mutate(asked.symbol);
    setAsked(null);
  };
  // stable: the dialog re-runs its focus effect when this changes
  const cancel = useCallback(() => setAsked(null), []);
  return (
    <>
      <div className="-mx-2 overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="positions-table">
          <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
            <tr>
              <th scope="col" className={TH}>Symbol</th>
              <th scope="col" className={TH}>Side</th>
              <th scope="col" className={cx(TH, "text-right")}>Qty</th>
              <th scope="col" className={cx(TH, "text-right")}>Unrealised P&amp;L</th>
              <th scope="col" className={cx(TH, "text-right")}>Last</th>
              <th scope="col" className={cx(TH, "text-right")}>Avg price</th>
              <th scope="col" className={cx(TH, "text-right")}>Mkt value</th>
              <th scope="col" className={cx(TH, "text-right")}>Stop</th>
              <th scope="col" className={cx(TH, "text-right")}>Target</th>
              <th scope="col" className={TH}>Sector</th>
              <th scope="col" className={TH}>Opened</th>
              <th scope="col" className={TH}>Strategies</th>
              <th scope="col" className={TH}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {positions.map((p) => {
              const pnlTone = toneText[tone(p.unrealized_pnl)];
              const busy = close.isPending && close.variables === p.symbol;
              return (
                <tr key={p.symbol} data-testid="position-row" data-symbol={p.symbol} className="border-t border-slate-200 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800/50">
                  <td className={cx(TD, "font-semibold")}>
                    {p.symbol}
                    {p.micro && (
                      <Badge className="ml-1.5 bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100">micro</Badge>
                    )}
                  </td>
                  <td className={TD}>
                    <Badge className={p.side === "short" ? "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100" : "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100"}>{p.side}</Badge>
                  </td>
                  <td className={cx(TD, "text-right")}>{qty(p.quantity)}</td>
                  <td className={cx(TD, "text-right", pnlTone)} data-testid="position-pnl">
                    {money(p.unrealized_pnl, { signed: true })}{" "}
                    <span className="text-xs">({pct(p.unrealized_pnl_pct, { signed: true })})</span>
                  </td>
                  <td className={cx(TD, "text-right")}>{money(p.last_price)}</td>
                  <td className={cx(TD, "text-right")}>{money(p.avg_price)}</td>
                  <td className={cx(TD, "text-right")}>{money(p.market_value)}</td>
                  <td className={cx(TD, "text-right")}>{money(p.stop_loss)}</td>
                  <td className={cx(TD, "text-right")}>{money(p.take_profit)}</td>
                  <td className={TD}>{p.sector || "Unknown"}</td>
                  <td className={TD}>{dateTime(p.opened_at)}</td>
                  <td className="px-2 py-1.5 text-xs text-slate-700 dark:text-slate-300">{p.strategies.join(", ") || "—"}</td>
                  <td className={cx(TD, "text-right")}>
                    <Button variant="secondary" className="px-2 py-0.5 text-xs" data-testid="close-position" aria-label={`Close ${p.symbol}`} disabled={busy} onClick={() => setAsked(p)}>
                      {busy ? "Closing…" : "Close"}
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={asked !== null}
        title={asked ? `Close ${asked.symbol}` : "Close position"}
        message={
          asked && (
            <>
              <p>{closeQuestion(asked)}</p>
              <p className="mt-2 text-slate-600 dark:text-slate-400">
                Last {money(asked.last_price)} · unrealised <span className={toneText[tone(asked.unrealized_pnl)]}>{money(asked.unrealized_pnl, { signed: true })}</span>. The engine sends a market order; the fill shows up here.
              </p>
            </>
          )
        }
        confirmLabel={asked ? `Close ${asked.symbol}` : "Close"}
        danger
        onConfirm={confirm}
        onCancel={cancel}
      />
    </>
  );
}
