/** The portfolio view's reads. Query keys start with the names the live feed invalidates
 * (src/live/LiveProvider.tsx), so a fill or a snapshot refreshes the figures in place. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { Period } from "./logic";

export function usePortfolio(run: string | undefined) {
  return useQuery({
    queryKey: ["portfolio", run],
    queryFn: async () => unwrap(await api.GET("/api/portfolio", { params: { query: { run_id: run } } })),
  });
}

export function usePositions(run: string | undefined) {
  return useQuery({
    queryKey: ["positions", run],
    queryFn: async () => unwrap(await api.GET("/api/portfolio/positions", { params: { query: { run_id: run } } })),
  });
}

export function useEquityHistory(run: string | undefined, period: Period) {
  return useQuery({
    queryKey: ["portfolio-history", run, period],
    queryFn: async () => unwrap(await api.GET("/api/portfolio/history", { params: { query: { run_id: run, period } } })),
    // switching period keeps the old curve up until the new one arrives: no flash of "Loading"
    placeholderData: keepPreviousData,
  });
}

export function useMetrics(run: string | undefined) {
  return useQuery({
    queryKey: ["metrics", run],
    queryFn: async () => unwrap(await api.GET("/api/trading/metrics", { params: { query: { run_id: run } } })),
  });
}
