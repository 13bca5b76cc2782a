/** The operator's controls: start, pause, resume, kill (optionally flattening), flatten, and
 * the risk tier. Every command goes through the step-up guard (the server decides which
 * need a passkey) and its record is toasted; a refusal is its one line. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import { errorLine } from "../../api/errors";
import { ConfirmDialog } from "../../components/Dialog";
import { controlClass, Options } from "../../components/Field";
import { StepUpCancelled, useStepUp } from "../../components/StepUp";
import { useToast, type ToastTone } from "../../components/Toasts";
import { Button, cx } from "../../components/ui";
import { commands } from "./api";
import { controlAvailability, raisesTier, type Control } from "./logic";
import { TIERS, type CommandOut, type ControlStatus, type EngineStatus, type TierName } from "./types";

type Action = { kind: "start" } | { kind: "pause" } | { kind: "resume" } | { kind: "kill"; flatten: boolean } | { kind: "flatten" } | { kind: "tier"; tier: TierName };

const commandTone: Record<CommandOut["status"], ToastTone> = { applied: "success", refused: "error", pending: "info", taken: "info" };

function isCommand(out: unknown): out is CommandOut {
  return !!out && typeof out === "object" && "kind" in out && "status" in out && "outcome" in out;
}

/** The step-up prompt's words for an action (what the passkey confirms). */
export function actionLabel(action: Action, currentTier: string | null | undefined, runState: string): string {
  switch (action.kind) {
    case "start":
      return "Start the engine";
    case "pause":
      return "Pause trading";
    case "resume":
      return runState === "killed" ? "Resume a killed run" : "Resume trading";
    case "kill":
      return action.flatten ? "Kill and flatten every position" : "Kill trading";
    case "flatten":
      return "Flatten every position";
    case "tier":
      return raisesTier(currentTier, action.tier) ? `Raise the risk tier to ${action.tier}` : `Set the risk tier to ${action.tier}`;
  }
}

export function Controls({ engine, run, runId }: { engine: EngineStatus; run: ControlStatus; runId: string | undefined }) {
  const guard = useStepUp();
  const toast = useToast();
  const client = useQueryClient();
  const tierId = useId();
  const [confirming, setConfirming] = useState<"kill" | "flatten" | null>(null);
  const [flattenToo, setFlattenToo] = useState(false);
  const currentTier = engine.tier ?? run.tier ?? null;

  const send = useMutation({
    mutationFn: (action: Action) =>
      guard<unknown>(actionLabel(action, currentTier, run.state), () => {
        switch (action.kind) {
          case "start":
            return commands.start();
          case "pause":
            return commands.pause(runId);
          case "resume":
            return commands.resume(runId);
          case "kill":
            return commands.kill(runId, action.flatten);
          case "flatten":
            return commands.flatten(runId);
          case "tier":
            return commands.tier(runId, action.tier);
        }
      }),
    onSuccess: (out, action) => {
      if (isCommand(out)) {
        toast.push({ tone: commandTone[out.status], title: `${out.kind.replaceAll("_", " ")}: ${out.status}`, body: out.outcome, testId: "toast-command", data: { kind: out.kind, status: out.status } });
      } else {
        const state = out && typeof out === "object" && "state" in out ? String((out as { state: unknown }).state) : "sent";
        toast.push({ tone: "info", title: `${action.kind}: ${state}`, testId: "toast-command", data: { kind: action.kind, status: state } });
      }
    },
    onError: (e, action) => {
      if (!(e instanceof StepUpCancelled)) toast.push({ tone: "error", title: `${action.kind}: not done`, body: errorLine(e), testId: "toast-command-error" });
    },
    onSettled: () => {
      for (const key of ["trading-status", "control-status", "portfolio", "positions"]) void client.invalidateQueries({ queryKey: [key] });
    },
  });

  const available = controlAvailability(engine, run, send.isPending);
  const confirm = (kind: "kill" | "flatten", title: string, confirmLabel: string, action: Action, message: ReactNode) => (
    <ConfirmDialog
      open={confirming === kind}
      title={title}
      danger
      busy={send.isPending}
      confirmLabel={confirmLabel}
      onCancel={() => setConfirming(null)}
      onConfirm={() => {
        setConfirming(null);
        send.mutate(action);
      }}
      message={message}
    />
  );
  const button = (control: Control, label: string, variant: "primary" | "secondary" | "danger", onClick: () => void) => (
    <Button variant={variant} className="disabled:opacity-50" data-testid={`control-${control}`} disabled={!available[control].enabled} title={available[control].why ?? undefined} onClick={onClick}>
      {label}
    </Button>
  );

  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="engine-controls">
      {button("start", "Start", "primary", () => send.mutate({ kind: "start" }))}
      {button("pause", "Pause", "secondary", () => send.mutate({ kind: "pause" }))}
      {button("resume", "Resume", "secondary", () => send.mutate({ kind: "resume" }))}
      {button("kill", "Kill", "danger", () => {
        setFlattenToo(false);
        setConfirming("kill");
      })}
      {button("flatten", "Flatten", "danger", () => setConfirming("flatten"))}
      <label htmlFor={tierId} className="ml-1 flex items-center gap-2 text-sm">
        <span className="text-slate-600 dark:text-slate-400">Tier</span>
        <select
          id={tierId}
          data-testid="tier-select"
          className={cx(controlClass, "disabled:opacity-50")}
          value={currentTier ?? ""}
          disabled={!available.tier.enabled}
          title={available.tier.why ?? undefined}
          onChange={(e) => {
            const tier = e.target.value as TierName;
            if (tier && tier !== currentTier) send.mutate({ kind: "tier", tier });
          }}
        >
          {!currentTier && <option value="">unknown</option>}
          <Options values={TIERS} />
        </select>
      </label>
      {confirm(
        "kill",
        "Kill trading?",
        flattenToo ? "Kill and flatten" : "Kill",
        { kind: "kill", flatten: flattenToo },
        <div className="flex flex-col gap-3">
          <p>Every new order stops and the open orders are cancelled. Positions stay open unless you flatten them too. Resuming a killed run needs your passkey.</p>
          <label className="flex items-center gap-2">
            <input type="checkbox" data-testid="kill-flatten" checked={flattenToo} onChange={(e) => setFlattenToo(e.target.checked)} />
            <span>Also flatten all positions (market orders; needs your passkey)</span>
          </label>
        </div>,
      )}
      {confirm("flatten", "Flatten every position?", "Flatten all", { kind: "flatten" }, <p>Trading is killed and every open position is closed with a market order. This needs your passkey.</p>)}
    </div>
  );
}
