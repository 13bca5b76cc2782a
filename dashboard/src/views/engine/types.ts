/** The engine page's shapes: the generated API types it reads, and the few it must read
 * defensively because the server is still growing them (the micro-trading block). */
import type { components } from "../../api/schema";

type S = components["schemas"];
export type EngineStatus = S["EngineStatusOut"];
export type ControlStatus = S["ControlStatusOut"];
export type TradingStatus = S["TradingStatusOut"];
export type Breaker = S["BreakerOut"];
export type CommandOut = S["CommandOut"];
export type DailyRow = S["DailyRowOut"];
export type Decision = S["DecisionOut"];
export type DecisionDetail = S["DecisionDetailOut"];
export type Signal = S["SignalOut"];
export type NotificationSettings = S["NotificationSettingsOut"];
export type NotificationSettingsIn = S["NotificationSettingsIn"];
export type Notification = S["NotificationOut"];
export type ConfigChange = S["ConfigChangeOut"];
export type TierName = S["TierName"];

export const TIERS: TierName[] = ["conservative", "moderate", "aggressive"];

/** `GET /api/trading/status`'s `micro` block (seed 17.1): the mode's caps and today's use. */
export interface MicroStatus {
  enabled: boolean;
  max_daily: number | null;
  /** Micro entries made today; null when no hosted engine drives the run shown. */
  used_today: number | null;
  /** A fraction of the active pool (0.03 = 3 %), a decimal string or a number. */
  allocation_cap_pct: string | number | null;
  max_hold_minutes: number | null;
  open_micro_positions: number | null;
}
