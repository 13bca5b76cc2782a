/** Says plainly when the live stream is down and being re-established, so a stale number
 * is never taken for a current one. */
import type { LiveStatus } from "../api/live";

export function ReconnectBanner({ status }: { status: LiveStatus }) {
  if (status !== "reconnecting") return null;
  return (
    <div role="status" data-testid="reconnect-banner" className="bg-amber-100 px-4 py-2 text-center text-sm text-amber-950 dark:bg-amber-900 dark:text-amber-50">
      Live updates interrupted — reconnecting… Figures on screen may be out of date.
    </div>
  );
}

export function LiveDot({ status }: { status: LiveStatus }) {
  const colour = status === "open" ? "bg-emerald-500" : status === "closed" ? "bg-slate-400" : "bg-amber-500";
  const label = status === "open" ? "Live" : status === "closed" ? "Offline" : status === "connecting" ? "Connecting" : "Reconnecting";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300" data-testid="live-status" data-status={status}>
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${colour}`} />
      {label}
    </span>
  );
}
