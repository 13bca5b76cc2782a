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
  status: ["trading-status", "control-status", "runs"],
  backtest: ["backtests", "backtest"],
};

const LiveContext = createContext<LiveSocket | null>(null);
const FillsContext = createContext<RecentFill[]>([]);

/** A fill as the activity list shows it (newest first, the last {@link MAX_FILLS}). */
export interface RecentFill {
  seq: number;
  fillId: string;
  symbol: string;
  side: string;
  quantity: string;
  price: string;
  ts: string;
}
export const MAX_FILLS = 50;

export function recentFillOf(event: LiveEvent): RecentFill {
  const d = event.data as Partial<Record<"fill_id" | "symbol" | "side" | "quantity" | "price" | "ts", string>>;
  return { seq: event.seq, fillId: d.fill_id ?? String(event.seq), symbol: d.symbol ?? "?", side: d.side ?? "?", quantity: d.quantity ?? "", price: d.price ?? "", ts: d.ts ?? event.ts };
}

export function LiveProvider({ children, signedIn }: { children: ReactNode; signedIn: boolean }) {
  const client = useQueryClient();
  const toast = useToast();
  const [socket, setSocket] = useState<LiveSocket | null>(null);
  const [fills, setFills] = useState<RecentFill[]>([]);
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
      // cancelRefetch false: a steady stream of events must not keep restarting (and so
      // starving) a slow view's fetch; one already under way is awaited instead.
      for (const key of keys) void client.invalidateQueries({ queryKey: [key] }, { cancelRefetch: false });
    };
    const offEvent = live.onEvent((event: LiveEvent) => {
      for (const key of INVALIDATES[event.kind] ?? []) pendingKeys.current.add(key);
      flushTimer.current ??= setTimeout(flush, 100);
      if (event.kind === "fill") {
        const fill = recentFillOf(event);
        setFills((all) => [fill, ...all].slice(0, MAX_FILLS));
        toast.push({
          tone: "success",
          title: `Filled: ${fill.side.toUpperCase()} ${qty(fill.quantity)} ${fill.symbol}`,
          body: `at ${money(fill.price)}`,
          testId: "toast-fill",
          data: { "fill-id": fill.fillId, seq: String(event.seq) },
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
      flushTimer.current = null;
      pendingKeys.current.clear();
      setSocket(null);
    };
  }, [signedIn, client, toast]);

  return (
    <LiveContext.Provider value={socket}>
      <FillsContext.Provider value={fills}>{children}</FillsContext.Provider>
    </LiveContext.Provider>
  );
}

/** The fills received over /ws since sign-in, newest first. */
export function useRecentFills(): RecentFill[] {
  return useContext(FillsContext);
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
