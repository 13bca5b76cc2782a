/** Step-up: a dangerous action the server refuses with 403 `step_up_required` is paused,
 * the user is asked to confirm with their passkey, and after a fresh assertion the action
 * is sent again — once. Cancelling rejects with {@link StepUpCancelled}. */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { ApiError, errorLine } from "../api/errors";
import { stepUp as passkeyStepUp } from "../api/passkeys";
import { Dialog } from "./Dialog";
import { Button } from "./ui";

export class StepUpCancelled extends Error {
  constructor() {
    super("cancelled: the action was not sent");
    this.name = "StepUpCancelled";
  }
}

type Guard = <T>(label: string, action: () => Promise<T>) => Promise<T>;
const StepUpContext = createContext<Guard | null>(null);

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The prompt on screen: the first action's label and every action waiting on it (a
 * second protected action while the prompt is up waits for the same passkey). */
interface Pending {
  label: string;
  waiters: Waiter[];
}

export function StepUpProvider({ children, stepUp = passkeyStepUp }: { children: ReactNode; stepUp?: () => Promise<unknown> }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = useRef<Pending | null>(null);

  const ask = useCallback(
    (label: string) =>
      new Promise<void>((resolve, reject) => {
        if (current.current) {
          current.current.waiters.push({ resolve, reject });
          return;
        }
        const next = { label, waiters: [{ resolve, reject }] };
        current.current = next;
        setError(null);
        setPending(next);
      }),
    [],
  );

  const guard = useCallback<Guard>(
    async (label, action) => {
      try {
        return await action();
      } catch (e) {
        if (!(e instanceof ApiError) || !e.needsStepUp) throw e;
        await ask(label);
        return action();
      }
    },
    [ask],
  );

  const close = useCallback(() => {
    for (const waiter of current.current?.waiters ?? []) waiter.reject(new StepUpCancelled());
    current.current = null;
    setPending(null);
  }, []);

  const confirm = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      await stepUp();
      for (const waiter of current.current?.waiters ?? []) waiter.resolve();
      current.current = null;
      setPending(null);
    } catch (e) {
      setError(errorLine(e));
    } finally {
      setBusy(false);
    }
  }, [stepUp]);

  const value = useMemo(() => guard, [guard]);
  return (
    <StepUpContext.Provider value={value}>
      {children}
      <Dialog open={pending !== null} title="Confirm with your passkey" onClose={close} testId="step-up-dialog">
        <p className="mb-3 text-sm text-slate-700 dark:text-slate-300">
          <strong>{pending?.label}</strong> is a protected action. Confirm it is you with your passkey; for the next few minutes protected actions will not ask again.
        </p>
        {error && (
          <p role="alert" className="mb-3 text-sm text-rose-700 dark:text-rose-300">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" disabled={busy} onClick={() => void confirm()}>
            {busy ? "Waiting for passkey…" : "Use passkey"}
          </Button>
        </div>
      </Dialog>
    </StepUpContext.Provider>
  );
}

/** `guard("Flatten all positions", () => call())`: runs the call, asking for a step-up if needed. */
export function useStepUp(): Guard {
  const guard = useContext(StepUpContext);
  if (!guard) throw new Error("useStepUp outside StepUpProvider");
  return guard;
}
