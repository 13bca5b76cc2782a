/** Toasts: short notices (a fill, a refused action) in a live region screen readers announce. */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { cx } from "./ui";

export type ToastTone = "info" | "success" | "error";
export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  body?: string;
  /** Extra attributes for the e2e tests (e.g. the fill id). */
  testId?: string;
  data?: Record<string, string>;
}

interface ToastApi {
  push: (toast: Omit<Toast, "id">, ttlMs?: number) => void;
}

const ToastContext = createContext<ToastApi | null>(null);
const MAX_TOASTS = 5;

const toneClasses: Record<ToastTone, string> = {
  info: "border-sky-300 bg-white dark:border-sky-800 dark:bg-slate-900",
  success: "border-emerald-400 bg-white dark:border-emerald-700 dark:bg-slate-900",
  error: "border-rose-400 bg-rose-50 dark:border-rose-700 dark:bg-rose-950",
};

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (toast: Omit<Toast, "id">, ttlMs = 6000) => {
      const id = next.current++;
      setToasts((all) => [...all.slice(-(MAX_TOASTS - 1)), { ...toast, id }]);
      setTimeout(() => dismiss(id), ttlMs);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ push }), [push]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div aria-live="polite" className="pointer-events-none fixed right-3 bottom-3 z-50 flex w-80 max-w-[calc(100vw-1.5rem)] flex-col gap-2">
        {toasts.map((t) => {
          const extra = Object.fromEntries(Object.entries(t.data ?? {}).map(([k, v]) => [`data-${k}`, v]));
          return (
            <div key={t.id} role={t.tone === "error" ? "alert" : "status"} data-testid={t.testId ?? "toast"} {...extra} className={cx("pointer-events-auto rounded-lg border p-3 text-sm shadow-lg", toneClasses[t.tone])}>
              <div className="flex items-start justify-between gap-2">
                <strong className="font-semibold">{t.title}</strong>
                <button type="button" aria-label="Dismiss" className="text-slate-500 hover:text-slate-900 dark:hover:text-white" onClick={() => dismiss(t.id)}>
                  ×
                </button>
              </div>
              {t.body && <div className="mt-1 text-slate-700 dark:text-slate-300">{t.body}</div>}
            </div>
          );
        })}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast outside ToastProvider");
  return api;
}
