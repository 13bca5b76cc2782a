/** A modal dialog (focus moves in, Escape cancels) and a confirmation built on it. */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { Button } from "./ui";

export function Dialog({ open, title, children, onClose, testId }: { open: boolean; title: string; children: ReactNode; onClose: () => void; testId?: string }) {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  // The latest onClose, read when Escape is pressed: the effect below must run only when
  // the dialog opens or closes — re-running it (a parent re-rendering each second with a
  // new callback) would move the focus back to the first control under the user's hands.
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement as HTMLElement | null;
    panel.current?.querySelector<HTMLElement>("button, input, select, textarea")?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close.current();
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      previous?.focus?.();
    };
  }, [open]);
  if (!open) return null;
  return (
    <div className="fixed inset-0 z-[60] flex items-center justify-center bg-slate-950/60 p-4">
      <div ref={panel} role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId} className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-5 shadow-xl dark:border-slate-700 dark:bg-slate-900">
        <h2 id={titleId} className="mb-3 text-lg font-semibold">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}

export function ConfirmDialog({ open, title, message, confirmLabel, danger, busy, onConfirm, onCancel }: { open: boolean; title: string; message: ReactNode; confirmLabel: string; danger?: boolean; busy?: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Dialog open={open} title={title} onClose={onCancel} testId="confirm-dialog">
      <div className="mb-4 text-sm text-slate-700 dark:text-slate-300">{message}</div>
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant={danger ? "danger" : "primary"} disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
