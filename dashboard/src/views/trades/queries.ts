/** The trade log's reads. First key elements are the ones the live feed invalidates
 * ("trades", "trade", "decision", "strategies"): a new fill refreshes the log in place. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { TradesQuery } from "./filters";

export function useTrades(run: string | undefined, query: TradesQuery) {
  return useQuery({
    queryKey: ["trades", run, query],
    queryFn: async () => unwrap(await api.GET("/api/trades", { params: { query } })),
    // paging or filtering keeps the old rows up until the new ones arrive
    placeholderData: keepPreviousData,
  });
}

/** The strategy names for the filter. Its own key: the strategies view may keep a different
 * shape under ["strategies", run]. */
export function useStrategyNames(run: string | undefined) {
  return useQuery({
    queryKey: ["strategies", "names", run],
    queryFn: async () => unwrap(await api.GET("/api/strategies", { params: { query: { run_id: run } } })),
    select: (out) => out.items.map((s) => s.name).sort(),
  });
}

/** One trade with its trail. Keyed ["trade", id, run]: a prefix ["trade", id] reaches it. */
export function useTrade(id: string, run: string | undefined) {
  return useQuery({
    queryKey: ["trade", id, run],
    queryFn: async () => unwrap(await api.GET("/api/trades/{trade_id}", { params: { path: { trade_id: id }, query: { run_id: run } } })),
  });
}

/** A decision with its orders and fills (the trade detail carries the decision, not the orders). */
export function useDecision(id: string | null | undefined, run: string | undefined) {
  return useQuery({
    queryKey: ["decision", id, run],
    queryFn: async () => unwrap(await api.GET("/api/trading/decisions/{decision_id}", { params: { path: { decision_id: id! }, query: { run_id: run } } })),
    enabled: Boolean(id),
  });
}
