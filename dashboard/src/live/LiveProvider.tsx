/** Keeps one /ws connection while signed in and turns its events into fresh views: each
 * event kind invalidates the queries it changes (TanStack Query refetches in the
 * background, values update in place), fills raise a toast, a reset reloads everything. */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { refreshSession } from "../api/client";
import { LiveSocket, liveUrl, type LiveEvent, type LiveStatus } from "../api/live";
import { currentSession, signOut } from "../api/session";
import { useToast } from "../components/Toasts";
import { money, qty } from "../lib/format";

/** Which query keys (first element) each event kind makes stale. */
export const INVALIDATES: Record<string, string[]> = {
  fill: ["portfolio", "positions", "portfolio-history", "trades", "trade", "strategies", "metrics", "trading-status", "decision"],
  order: ["decision", "trading-status"],
  decision: ["decisions", "trading-status", "signals"],
  signal: ["signals"],
  news: ["news"],
  portfolio: ["portfolio", "positions", "portfolio-history", "trading-status"],
  status: ["trading-status", "control-status"],
  backtest: ["backtests", "backtest"],
};

const LiveContext = createContext<LiveSocket | null>(null);

export function LiveProvider({ children, signedIn }: { children: ReactNode; signedIn: boolean }) {
  const client = useQueryClient();
  const toast = useToast();
  const [socket, setSocket] = useState<LiveSocket | null>(null);
  const pendingKeys = useRef(new Set<string>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (!signedIn) return;
    const live = new LiveSocket({
      url: liveUrl(window.location),
      token: () => currentSession()?.token ?? null,
      renew: async () => {
        const out = await refreshSession();
        if (!out) signOut("Your session expired: sign in again with your passkey.");
        return out?.access_token ?? null;
      },
    });
    // Events come in bursts (a bar decides for every symbol at once): invalidations are
    // gathered for 100 ms so a burst refetches each view once.
    const flush = () => {
      flushTimer.current = null;
      const keys = [...pendingKeys.current];
      pendingKeys.current.clear();
      for (const key of keys) void client.invalidateQueries({ queryKey: [key] });
    };
    const offEvent = live.onEvent((event: LiveEvent) => {
      for (const key of INVALIDATES[event.kind] ?? []) pendingKeys.current.add(key);
      flushTimer.current ??= setTimeout(flush, 100);
      if (event.kind === "fill") {
        const d = event.data as { side?: string; quantity?: string; symbol?: string; price?: string; fill_id?: string };
        toast.push({
          tone: "success",
          title: `Filled: ${(d.side ?? "").toUpperCase()} ${qty(d.quantity)} ${d.symbol ?? ""}`,
          body: `at ${money(d.price)}`,
          testId: "toast-fill",
          data: { "fill-id": d.fill_id ?? "", seq: String(event.seq) },
        });
      }
    });
    const offReset = live.onReset(() => void client.invalidateQueries());
    live.start();
    setSocket(live);
    return () => {
      offEvent();
      offReset();
      live.stop();
      if (flushTimer.current) clearTimeout(flushTimer.current);
      setSocket(null);
    };
  }, [signedIn, client, toast]);

  return <LiveContext.Provider value={socket}>{children}</LiveContext.Provider>;
}

export function useLiveSocket(): LiveSocket | null {
  return useContext(LiveContext);
}

export function useLiveStatus(): LiveStatus {
  const socket = useLiveSocket();
  return useSyncExternalStore(
    (listener) => socket?.onStatus(listener) ?? (() => undefined),
    () => socket?.status ?? "closed",
    () => "closed" as LiveStatus,
  );
}

/** Calls `handler` for every live event of `kind` while the component is mounted. */
export function useLiveEvent(kind: string, handler: (event: LiveEvent) => void): void {
  const socket = useLiveSocket();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => socket?.onEvent((event) => event.kind === kind && latest.current(event)), [socket, kind]);
}
