/** The engine page's decisions, kept out of the components so they can be tested alone:
 * which state to show, which controls make sense in it, the heat gauge's geometry, the
 * chart series derived from the daily rows, and what a form or a filter sends. */
import { toNumber } from "../../lib/format";
import type { ControlStatus, DailyRow, EngineStatus, MicroStatus, NotificationSettings, NotificationSettingsIn, TierName } from "./types";
import { TIERS } from "./types";

// --- state -------------------------------------------------------------------------------

/** The state the page shows: the hosted engine's while it has one of its own (running,
 * paused, killed, starting, failed); when it is idle or stopped but a paper or live run is
 * going in another process (`tradebot paper`), that run's, so a pause made from the CLI
 * shows here too. */
export function shownState(engine: Pick<EngineStatus, "state">, run: Pick<ControlStatus, "state">): string {
  if (engine.state !== "idle" && engine.state !== "stopped") return engine.state;
  if (run.state === "active") return "running";
  if (run.state === "paused" || run.state === "killed") return run.state;
  return engine.state;
}

export type StateTone = "good" | "warn" | "bad" | "idle";

export function stateTone(state: string): StateTone {
  if (state === "running") return "good";
  if (state === "paused" || state === "starting") return "warn";
  if (state === "killed" || state === "failed") return "bad";
  return "idle";
}

/** Which run the status (and the controls) should name. A backtest has no status or
 * controls — asking would be refused — so with one picked the page shows the hosted
 * engine's status and says so; its decisions and charts still come from the backtest.
 * `ready` is false while the picked run's mode is not known yet. */
export function statusTarget(runId: string | undefined, runs: Array<{ id: string; mode: string }> | undefined): { ready: boolean; run: string | undefined; note: string | null } {
  if (!runId) return { ready: true, run: undefined, note: null };
  if (!runs) return { ready: false, run: undefined, note: null };
  const picked = runs.find((r) => r.id === runId);
  if (picked && picked.mode === "backtest") return { ready: true, run: undefined, note: `Run ${runId} is a backtest: the status and the controls below are the engine's own run's.` };
  return { ready: true, run: runId, note: null };
}

// --- controls ----------------------------------------------------------------------------

export type Control = "start" | "pause" | "resume" | "kill" | "flatten" | "tier";
export interface Availability {
  enabled: boolean;
  /** Why it is disabled (a tooltip and a screen-reader description); null when enabled. */
  why: string | null;
}

const ENGINES_THAT_START = new Set(["replay", "paper"]);
const ENGINE_BUSY = new Set(["starting", "running", "paused", "killed"]);

/** Which controls make sense now. The run's control state decides pause, resume, kill,
 * flatten and the tier (they act on the run); the hosted engine's state decides start.
 * Buttons are disabled, never hidden, so the bar keeps its shape and says why. */
export function controlAvailability(engine: Pick<EngineStatus, "state" | "engine">, run: Pick<ControlStatus, "state">, busy = false): Record<Control, Availability> {
  const on = (ok: boolean, why: string): Availability => (busy ? { enabled: false, why: "a command is being sent" } : ok ? { enabled: true, why: null } : { enabled: false, why });
  const noRun = "no paper or live run is running";
  let startWhy = "the engine is already running";
  if (!ENGINES_THAT_START.has(engine.engine)) {
    startWhy = engine.engine === "live" ? "live trading starts through go-live" : `api.engine is ${engine.engine}: set it to replay or paper`;
  }
  const canStart = ENGINES_THAT_START.has(engine.engine) && !ENGINE_BUSY.has(engine.state);
  const s = run.state;
  return {
    start: on(canStart, startWhy),
    pause: on(s === "active", s === "stopped" ? noRun : `trading is already ${s}`),
    resume: on(s === "paused" || s === "killed", s === "stopped" ? noRun : "trading is not paused or killed"),
    kill: on(s === "active" || s === "paused", s === "stopped" ? noRun : "trading is already killed"),
    flatten: on(s !== "stopped", noRun),
    tier: on(s !== "stopped", noRun),
  };
}

/** Whether moving from `current` to `wanted` raises the risk (the server then asks for a
 * passkey; the label of the step-up prompt says so). An unknown tier counts as the lowest. */
export function raisesTier(current: string | null | undefined, wanted: TierName): boolean {
  const level = TIERS.indexOf(current as TierName);
  return TIERS.indexOf(wanted) > Math.max(0, level);
}

// --- clocks ------------------------------------------------------------------------------

/** More apart than this, the engine runs on its own clock (a replay's simulated time). */
export const OWN_CLOCK_SKEW_MS = 5 * 60_000;

/** "Now" for the engine's cooldowns: the wall clock while the engine's clock follows it
 * (paper, live), else the engine's own time as last reported — a replay's breakers end in
 * simulated time, which a wall-clock countdown would show as long over. */
export function engineNow(asOf: string | null | undefined, fetchedAt: number, now: number): { now: number; simulated: boolean } {
  const engineMs = asOf ? Date.parse(asOf) : Number.NaN;
  if (!Number.isFinite(engineMs) || Math.abs(fetchedAt - engineMs) <= OWN_CLOCK_SKEW_MS) return { now, simulated: false };
  return { now: engineMs, simulated: true };
}

/** The cooldown left on a breaker as `1d 02:03:04`, `02:03:04` or `03:04` (ticks each
 * second); `until lifted` when it has no end; `ending` once its end has passed (the next
 * status drops it); `—` when not tripped. */
export function cooldownLeft(tripped: boolean, until: string | null | undefined, now: number): string {
  if (!tripped) return "—";
  if (!until) return "until lifted";
  const ms = Date.parse(until) - now;
  if (!Number.isFinite(ms)) return "—";
  if (ms <= 0) return "ending";
  return countdown(ms);
}

export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  const clock = h > 0 || d > 0 ? `${two(h)}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
  return d > 0 ? `${d}d ${clock}` : clock;
}

/** How long ago a wall time was: `4s ago`, `3m ago`, `2h ago`; `—` when unknown. */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return "—";
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return "—";
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

// --- heat and pools ----------------------------------------------------------------------

/** A fraction as a short percentage: 0.06 → `6%`, 0.032 → `3.2%`, 0.0325 → `3.25%`. */
export function shortPct(value: number): string {
  const text = (value * 100).toFixed(2).replace(/\.?0+$/, "");
  return `${text === "-0" ? "0" : text}%`;
}

export type HeatLevel = "ok" | "warn" | "hot" | "unknown";
export interface HeatGauge {
  heat: number | null;
  max: number | null;
  /** heat / max, clamped to [0, 1] for the arc (0 when either is unknown). */
  ratio: number;
  level: HeatLevel;
  label: string;
}

/** Warm from half the tier's maximum; hot from 80 % of it — where the stop manager starts
 * tightening stops (risk.stops.heat_tighten_at). */
export function heatGauge(heatRaw: string | number | null | undefined, maxRaw: string | number | null | undefined): HeatGauge {
  const heat = toNumber(heatRaw);
  const max = toNumber(maxRaw);
  if (heat === null) return { heat, max, ratio: 0, level: "unknown", label: "Portfolio heat unknown" };
  if (max === null || max <= 0) return { heat, max: null, ratio: 0, level: "unknown", label: `Portfolio heat ${shortPct(heat)} (tier maximum unknown)` };
  const raw = heat / max;
  const ratio = Math.min(1, Math.max(0, raw));
  // A hair of tolerance: 0.08 / 0.1 is 0.7999… in floating point, and 80 % is hot.
  const level = raw >= 0.8 - 1e-9 ? "hot" : raw >= 0.5 - 1e-9 ? "warn" : "ok";
  return { heat, max, ratio, level, label: `Portfolio heat ${shortPct(heat)} of ${shortPct(max)} max` };
}

/** A point on the gauge's upper semicircle: ratio 0 at the left end, 1 at the right. */
export function arcPoint(ratio: number, cx: number, cy: number, r: number): { x: number; y: number } {
  const angle = Math.PI * (1 - Math.min(1, Math.max(0, ratio)));
  return { x: cx + r * Math.cos(angle), y: cy - r * Math.sin(angle) };
}

/** The SVG path of the arc from the left end to `ratio` (empty when there is none to draw). */
export function arcPath(ratio: number, cx: number, cy: number, r: number): string {
  if (!(ratio > 0)) return "";
  const end = arcPoint(ratio, cx, cy, r);
  const f = (n: number) => Number(n.toFixed(3));
  return `M ${f(cx - r)} ${f(cy)} A ${r} ${r} 0 0 1 ${f(end.x)} ${f(end.y)}`;
}

/** The tier's maximum heat from the settings in effect (`risk.rules.tiers.<tier>`). */
export function maxHeatFor(settings: unknown, tier: string | null | undefined): number | null {
  if (!tier) return null;
  const tiers = dig(settings, ["risk", "rules", "tiers", tier]);
  return toNumber(dig(tiers, ["max_portfolio_heat"]) as string | number | null | undefined);
}

export interface PoolSplit {
  active: number;
  reserve: number;
  /** The active pool's share of the two, 0..1. */
  activeShare: number;
}

export function poolSplit(activeRaw: string | null | undefined, reserveRaw: string | null | undefined): PoolSplit | null {
  const active = toNumber(activeRaw);
  const reserve = toNumber(reserveRaw);
  if (active === null || reserve === null) return null;
  const total = Math.max(0, active) + Math.max(0, reserve);
  return { active, reserve, activeShare: total > 0 ? Math.max(0, active) / total : 0 };
}

// --- micro trading -----------------------------------------------------------------------

/** The status's micro block, or null when the server does not send one (older servers). */
export function readMicro(status: unknown): MicroStatus | null {
  const raw = dig(status, ["micro"]);
  if (!raw || typeof raw !== "object" || typeof (raw as { enabled?: unknown }).enabled !== "boolean") return null;
  const m = raw as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const cap = m.allocation_cap_pct;
  return {
    enabled: m.enabled as boolean,
    max_daily: n(m.max_daily),
    used_today: n(m.used_today),
    allocation_cap_pct: typeof cap === "string" || typeof cap === "number" ? cap : null,
    max_hold_minutes: n(m.max_hold_minutes),
    open_micro_positions: n(m.open_micro_positions),
  };
}

/** Today's use of the daily cap as a 0..1 fraction; null when either is unknown. */
export function microUse(micro: Pick<MicroStatus, "used_today" | "max_daily">): number | null {
  if (micro.used_today === null || micro.max_daily === null) return null;
  if (micro.max_daily <= 0) return micro.used_today > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, micro.used_today / micro.max_daily));
}

/** A duration as the API sends it — ISO 8601 (`PT2H30M`, `P1D`) or Python's `2:30:00` /
 * `1 day, 0:00:00` — in seconds; null when it is neither. */
export function durationSeconds(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== "string") return null;
  const iso = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(raw);
  if (iso && raw !== "P" && raw !== "PT") {
    const [, d, h, m, s] = iso;
    return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  }
  const py = /^(?:(-?\d+) days?, )?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(raw);
  if (py) {
    const [, d, h, m, s] = py;
    return Number(d ?? 0) * 86_400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
  }
  return null;
}

export interface SettingRow {
  key: string;
  label: string;
  value: string;
}

const MICRO_LABELS: Record<string, string> = {
  enabled: "Enabled in the rules",
  allocation_cap_pct: "Allocation cap (of active pool)",
  stop_loss_atr_multiplier: "Stop loss (× ATR)",
  reward_risk_ratio: "Reward : risk",
  max_daily: "Max trades a day",
  max_hold: "Max hold",
};

/** `risk.rules.micro` from the settings in effect, as labelled rows (fractions as %,
 * durations as `2h`); unknown keys keep their name so a new rule still shows. */
export function microSettings(settings: unknown, fmt: { pct: (v: number) => string; duration: (s: number) => string }): SettingRow[] {
  const micro = dig(settings, ["risk", "rules", "micro"]);
  if (!micro || typeof micro !== "object") return [];
  return Object.entries(micro as Record<string, unknown>).map(([key, raw]) => {
    let value: string;
    const n = toNumber(typeof raw === "string" || typeof raw === "number" ? raw : null);
    if (typeof raw === "boolean") value = raw ? "yes" : "no";
    else if (key.endsWith("_pct") && n !== null) value = fmt.pct(n);
    else if (key === "max_hold" || key.endsWith("_hold") || key.endsWith("_interval")) {
      const s = durationSeconds(raw);
      value = s === null ? String(raw) : fmt.duration(s);
    } else if (n !== null) value = String(n);
    else value = raw === null || raw === undefined ? "—" : typeof raw === "string" ? raw : JSON.stringify(raw);
    return { key, label: MICRO_LABELS[key] ?? key.replaceAll("_", " "), value };
  });
}

// --- charts ------------------------------------------------------------------------------

export interface ChartPoint {
  time: string;
  value: number;
}

export interface PerformanceSeries {
  /** The equity P&L is counted from (the run's starting equity when it can be recovered). */
  base: number | null;
  /** Cumulative P&L in money: equity − base. */
  pnl: ChartPoint[];
  /** Daily returns in percent (the chart colours each bar by its sign). */
  returns: ChartPoint[];
  /** Drawdown from the running peak in percent (0 or below). */
  drawdown: ChartPoint[];
}

/** The three performance series from the daily rows (any order; the API sends newest
 * first). P&L counts from the equity before the first day when the first day's return
 * gives it (equity / (1 + return)), so the first day's own gain is not lost; else from the
 * first day's equity. */
export function performanceSeries(rows: DailyRow[]): PerformanceSeries {
  const sorted = [...rows].sort((a, b) => a.day.localeCompare(b.day));
  const first = sorted[0];
  let base: number | null = null;
  if (first) {
    const equity = toNumber(first.equity);
    const r = first.daily_return;
    base = equity !== null && r !== null && r > -1 ? equity / (1 + r) : equity;
  }
  const out: PerformanceSeries = { base, pnl: [], returns: [], drawdown: [] };
  for (const row of sorted) {
    const equity = toNumber(row.equity);
    if (equity !== null && base !== null) out.pnl.push({ time: row.day, value: round(equity - base, 2) });
    if (row.daily_return !== null && Number.isFinite(row.daily_return)) out.returns.push({ time: row.day, value: round(row.daily_return * 100, 4) });
    if (Number.isFinite(row.drawdown)) out.drawdown.push({ time: row.day, value: round(Math.min(0, row.drawdown) * 100, 4) });
  }
  return out;
}

export interface PerformanceSummary {
  days: number;
  totalPnl: number | null;
  bestDay: number | null;
  worstDay: number | null;
  maxDrawdown: number | null;
  upDays: number;
  downDays: number;
}

/** The figures over the charts (returns and drawdown as fractions). */
export function performanceSummary(rows: DailyRow[]): PerformanceSummary {
  const s = performanceSeries(rows);
  const returns = rows.map((r) => r.daily_return).filter((r): r is number => r !== null && Number.isFinite(r));
  const drawdowns = rows.map((r) => r.drawdown).filter((d) => Number.isFinite(d));
  return {
    days: rows.length,
    totalPnl: s.pnl.length > 0 ? s.pnl[s.pnl.length - 1]!.value : null,
    bestDay: returns.length > 0 ? Math.max(...returns) : null,
    worstDay: returns.length > 0 ? Math.min(...returns) : null,
    maxDrawdown: drawdowns.length > 0 ? Math.min(0, ...drawdowns) : null,
    upDays: returns.filter((r) => r > 0).length,
    downDays: returns.filter((r) => r < 0).length,
  };
}

// --- decisions ---------------------------------------------------------------------------

export interface DecisionFilters {
  symbol: string;
  action: "" | "act" | "skip";
  /** `YYYY-MM-DD` from a date input, or empty. */
  from: string;
  to: string;
}

export const NO_DECISION_FILTERS: DecisionFilters = { symbol: "", action: "", from: "", to: "" };

const SYMBOL = /^[A-Za-z0-9.\-/:_]{1,32}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The query `GET /api/trading/decisions` takes for these filters (days as whole UTC days,
 * the end inclusive); an invalid symbol is left out rather than sent to be refused. */
export function decisionQuery(filters: DecisionFilters, runId: string | undefined, limit: number, offset: number) {
  const symbol = filters.symbol.trim();
  return {
    limit,
    offset,
    ...(runId ? { run_id: runId } : {}),
    ...(symbol && SYMBOL.test(symbol) ? { symbol: symbol.toUpperCase() } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(DAY.test(filters.from) ? { start: `${filters.from}T00:00:00Z` } : {}),
    ...(DAY.test(filters.to) ? { end: `${filters.to}T23:59:59.999Z` } : {}),
  };
}

export function symbolProblem(symbol: string): string | null {
  const s = symbol.trim();
  return s && !SYMBOL.test(s) ? "letters, digits and . - / : _ only (AAPL, BTC/USDT)" : null;
}

/** A signal's contributions, largest first (by size, whatever the sign). */
export function contributionsOf(contributions: Record<string, number> | null | undefined): Array<[string, number]> {
  return Object.entries(contributions ?? {})
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0].localeCompare(b[0]));
}

// --- notifications -----------------------------------------------------------------------

export const CHANNELS = ["log", "telegram", "email"] as const;
export const SEVERITIES = ["info", "warning", "critical"] as const;
type Channel = (typeof CHANNELS)[number];
type Severity = (typeof SEVERITIES)[number];

export interface NotificationForm {
  enabled: boolean;
  channels: string[];
  min_severity: string;
  telegram_per_hour: string;
  email_per_hour: string;
  /** `HH:MM` (UTC) or empty: off. */
  daily_summary_at: string;
  weekly_digest: boolean;
  large_trade_pnl: string;
}

export function formOf(s: NotificationSettings): NotificationForm {
  return {
    enabled: s.enabled,
    channels: [...s.channels],
    min_severity: s.min_severity,
    telegram_per_hour: String(s.telegram_per_hour),
    email_per_hour: String(s.email_per_hour),
    daily_summary_at: s.daily_summary_at ?? "",
    weekly_digest: s.weekly_digest,
    large_trade_pnl: s.large_trade_pnl,
  };
}

const COUNT = /^\d{1,6}$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DECIMAL = /^\d{1,12}(\.\d{1,4})?$/;

/** What the PUT sends: only the fields that changed (the server keeps the rest), or the
 * first problem with the form as one line. An empty summary time sends null: off. */
export function notificationChanges(original: NotificationSettings, form: NotificationForm): { changes: NotificationSettingsIn; problem: string | null } {
  const changes: NotificationSettingsIn = {};
  const fail = (problem: string) => ({ changes: {}, problem });
  if (form.enabled !== original.enabled) changes.enabled = form.enabled;
  const channels = CHANNELS.filter((c) => form.channels.includes(c));
  if (form.enabled && channels.length === 0) return fail("Pick at least one channel, or turn notifications off.");
  const before = [...original.channels].sort().join(",");
  if ([...channels].sort().join(",") !== before) changes.channels = channels as Channel[];
  if (form.min_severity !== original.min_severity) {
    if (!(SEVERITIES as readonly string[]).includes(form.min_severity)) return fail("Minimum severity must be info, warning or critical.");
    changes.min_severity = form.min_severity as Severity;
  }
  for (const key of ["telegram_per_hour", "email_per_hour"] as const) {
    const text = form[key].trim();
    if (!COUNT.test(text)) return fail(`${key === "telegram_per_hour" ? "Telegram" : "Email"} per hour must be a whole number (0 or more).`);
    if (Number(text) !== original[key]) changes[key] = Number(text);
  }
  const at = form.daily_summary_at.trim();
  if (at && !HHMM.test(at)) return fail("Daily summary time must be HH:MM (UTC), or empty for none.");
  if ((at || null) !== original.daily_summary_at) changes.daily_summary_at = at || null;
  if (form.weekly_digest !== original.weekly_digest) changes.weekly_digest = form.weekly_digest;
  const large = form.large_trade_pnl.trim();
  if (!DECIMAL.test(large)) return fail("Large-trade P&L must be an amount like 500 or 250.50.");
  if (Number(large) !== Number(original.large_trade_pnl)) changes.large_trade_pnl = large;
  return { changes, problem: null };
}

// --- helpers -----------------------------------------------------------------------------

function dig(value: unknown, path: string[]): unknown {
  let at: unknown = value;
  for (const key of path) {
    if (!at || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
