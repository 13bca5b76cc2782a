/** The engine page's reads and commands. Query keys start with the names the live
 * provider invalidates ("trading-status", "portfolio", "metrics", "decisions", "decision"),
 * so /ws events refresh the page in place. */
import { useQuery, keepPreviousData } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { DailyRow, TierName } from "./types";
import { decisionQuery, type DecisionFilters } from "./logic";

/** The status also changes without an event (heartbeat, feed, clocks): polled as well. */
const STATUS_POLL_MS = 5_000;
/** The daily rows of a long run come in pages of 500 (the API's maximum); 20 pages is 40
 * years of days, past which the charts stop rather than loop. */
const HISTORY_PAGE = 500;
const HISTORY_PAGES = 20;

export function useTradingStatus(run: string | undefined, enabled = true) {
  return useQuery({
    queryKey: ["trading-status", run],
    enabled,
    queryFn: async () => {
      const data = unwrap(await api.GET("/api/trading/status", { params: { query: run ? { run_id: run } : {} } }));
      return { data, fetchedAt: Date.now() };
    },
    refetchInterval: STATUS_POLL_MS,
    staleTime: 2_000,
  });
}

export function useTradingConfig() {
  return useQuery({
    queryKey: ["trading-config"],
    queryFn: async () => unwrap(await api.GET("/api/trading/config")).settings,
    staleTime: 60_000,
  });
}

export function useMetricsHistory(run: string | undefined) {
  return useQuery({
    queryKey: ["metrics", run, "history"],
    queryFn: async () => {
      const rows: DailyRow[] = [];
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const query = { limit: HISTORY_PAGE, offset: page * HISTORY_PAGE, ...(run ? { run_id: run } : {}) };
        const got = unwrap(await api.GET("/api/trading/metrics/history", { params: { query } }));
        rows.push(...got.items);
        if (got.items.length === 0 || rows.length >= got.total) break;
      }
      return rows;
    },
  });
}

export function useDecisions(run: string | undefined, filters: DecisionFilters, limit: number, offset: number) {
  return useQuery({
    queryKey: ["decisions", run, filters, limit, offset],
    queryFn: async () => unwrap(await api.GET("/api/trading/decisions", { params: { query: decisionQuery(filters, run, limit, offset) } })),
    placeholderData: keepPreviousData,
  });
}

export function useDecision(id: string | null, run: string | undefined) {
  return useQuery({
    queryKey: ["decision", id, run],
    enabled: id !== null,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/trading/decisions/{decision_id}", {
          params: { path: { decision_id: id ?? "" }, query: run ? { run_id: run } : {} },
        }),
      ),
  });
}

export function useNotificationSettings() {
  return useQuery({
    queryKey: ["notification-settings"],
    queryFn: async () => unwrap(await api.GET("/api/trading/notifications/config")),
  });
}

export interface NotificationFilters {
  channel: string;
  status: string;
}

export function useNotificationHistory(filters: NotificationFilters, limit: number, offset: number) {
  return useQuery({
    queryKey: ["notification-history", filters, limit, offset],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/trading/notifications/history", {
          params: { query: { limit, offset, ...(filters.channel ? { channel: filters.channel } : {}), ...(filters.status ? { status: filters.status } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useConfigAudit(limit: number, offset: number) {
  return useQuery({
    queryKey: ["config-audit", limit, offset],
    queryFn: async () => unwrap(await api.GET("/api/trading/config/audit", { params: { query: { limit, offset } } })),
    placeholderData: keepPreviousData,
  });
}

// --- commands ----------------------------------------------------------------------------

const target = (run: string | undefined) => (run ? { run_id: run } : {});

export const commands = {
  pause: async (run: string | undefined) => unwrap(await api.POST("/api/controls/pause", { body: target(run) })),
  resume: async (run: string | undefined) => unwrap(await api.POST("/api/controls/resume", { body: target(run) })),
  kill: async (run: string | undefined, flatten: boolean) => unwrap(await api.POST("/api/controls/kill", { body: { ...target(run), flatten } })),
  flatten: async (run: string | undefined) => unwrap(await api.POST("/api/controls/flatten", { body: target(run) })),
  tier: async (run: string | undefined, tier: TierName) => unwrap(await api.POST("/api/controls/tier", { body: { ...target(run), tier } })),
  start: startEngine,
};

/** `POST /api/controls/start`: 202 with the engine's status; 409 as one line when one runs. */
async function startEngine(): Promise<unknown> {
  return unwrap(await api.POST("/api/controls/start"));
}
