/** The open positions, marked at their last price, each with a guarded Close. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { api, unwrap } from "../../api/client";
import { errorLine } from "../../api/errors";
import { ConfirmDialog } from "../../components/Dialog";
import { StepUpCancelled, useStepUp } from "../../components/StepUp";
import { useToast } from "../../components/Toasts";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Badge, Button, cx } from "../../components/ui";
import { dateTime, money, pct, qty, tone, toneClass } from "../../lib/format";
import { closeQuestion, commandToast, type Position } from "./logic";

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
      <ScrollTable label="Open positions table" className="-mx-2 px-2">
        <table className="w-full text-left text-sm" data-testid="positions-table">
          <HeadRow className="whitespace-nowrap">
            <Th>Symbol</Th>
            <Th>Side</Th>
            <Th right>Qty</Th>
            <Th right>Unrealised P&amp;L</Th>
            <Th right>Last</Th>
            <Th right>Avg price</Th>
            <Th right>Mkt value</Th>
            <Th right>Stop</Th>
            <Th right>Target</Th>
            <Th>Sector</Th>
            <Th>Opened</Th>
            <Th>Strategies</Th>
            <Th><span className="sr-only">Actions</span></Th>
          </HeadRow>
          <tbody>
            {positions.map((p) => {
              const pnlTone = toneClass[tone(p.unrealized_pnl)];
              const busy = close.isPending && close.variables === p.symbol;
              return (
                <tr key={p.symbol} data-testid="position-row" data-symbol={p.symbol} className={cx(rowRule, "whitespace-nowrap tabular-nums hover:bg-slate-50 dark:hover:bg-slate-800/50")}>
                  <Td className="font-semibold">
                    {p.symbol}
                    {p.micro && (
                      <Badge className="ml-1.5 bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100">micro</Badge>
                    )}
                  </Td>
                  <Td>
                    <Badge className={p.side === "short" ? "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100" : "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100"}>{p.side}</Badge>
                  </Td>
                  <Td right>{qty(p.quantity)}</Td>
                  <Td right className={pnlTone} data-testid="position-pnl">
                    {money(p.unrealized_pnl, { signed: true })}{" "}
                    <span className="text-xs">({pct(p.unrealized_pnl_pct, { signed: true })})</span>
                  </Td>
                  <Td right>{money(p.last_price)}</Td>
                  <Td right>{money(p.avg_price)}</Td>
                  <Td right>{money(p.market_value)}</Td>
                  <Td right>{money(p.stop_loss)}</Td>
                  <Td right>{money(p.take_profit)}</Td>
                  <Td>{p.sector || "Unknown"}</Td>
                  <Td>{dateTime(p.opened_at)}</Td>
                  <Td className="text-xs whitespace-normal text-slate-700 dark:text-slate-300">{p.strategies.join(", ") || "—"}</Td>
                  <Td right>
                    <Button variant="secondary" className="px-2 py-0.5 text-xs" data-testid="close-position" aria-label={`Close ${p.symbol}`} disabled={busy} onClick={() => setAsked(p)}>
                      {busy ? "Closing…" : "Close"}
                    </Button>
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollTable>
      <ConfirmDialog
        open={asked !== null}
        title={asked ? `Close ${asked.symbol}` : "Close position"}
        message={
          asked && (
            <>
              <p>{closeQuestion(asked)}</p>
              <p className="mt-2 text-slate-600 dark:text-slate-400">
                Last {money(asked.last_price)} · unrealised <span className={toneClass[tone(asked.unrealized_pnl)]}>{money(asked.unrealized_pnl, { signed: true })}</span>. The engine sends a market order; the fill shows up here.
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
