import { describe, expect, it } from "vitest";
import {
  ago,
  arcPath,
  arcPoint,
  contributionsOf,
  controlAvailability,
  cooldownLeft,
  countdown,
  decisionQuery,
  durationSeconds,
  engineNow,
  formOf,
  heatGauge,
  maxHeatFor,
  microSettings,
  microUse,
  NO_DECISION_FILTERS,
  notificationChanges,
  performanceSeries,
  performanceSummary,
  poolSplit,
  raisesTier,
  readMicro,
  shortPct,
  shownState,
  stateTone,
  statusTarget,
  symbolProblem,
} from "./logic";
import type { DailyRow, NotificationSettings } from "./types";

type EngineState = Parameters<typeof controlAvailability>[0]["state"];
type RunState = Parameters<typeof controlAvailability>[1]["state"];

const enabled = (engineState: EngineState, runState: RunState, engine = "replay") =>
  Object.entries(controlAvailability({ state: engineState, engine }, { state: runState }))
    .filter(([, a]) => a.enabled)
    .map(([c]) => c)
    .sort();

describe("shownState", () => {
  it("shows the hosted engine's own state while it has one", () => {
    expect(shownState({ state: "running" }, { state: "active" })).toBe("running");
    expect(shownState({ state: "paused" }, { state: "paused" })).toBe("paused");
    expect(shownState({ state: "failed" }, { state: "stopped" })).toBe("failed");
  });
  it("shows a run driven from another process when the engine here is idle", () => {
    expect(shownState({ state: "idle" }, { state: "active" })).toBe("running");
    expect(shownState({ state: "stopped" }, { state: "killed" })).toBe("killed");
    expect(shownState({ state: "idle" }, { state: "stopped" })).toBe("idle");
  });
  it("colours states by how worrying they are", () => {
    expect(stateTone("running")).toBe("good");
    expect(stateTone("paused")).toBe("warn");
    expect(stateTone("killed")).toBe("bad");
    expect(stateTone("idle")).toBe("idle");
  });
});

describe("controlAvailability", () => {
  it("an active run can be paused, killed, flattened and re-tiered, not resumed or started", () => {
    expect(enabled("running", "active")).toEqual(["flatten", "kill", "pause", "tier"]);
  });
  it("a paused run can be resumed, killed, flattened, not paused again", () => {
    expect(enabled("paused", "paused")).toEqual(["flatten", "kill", "resume", "tier"]);
  });
  it("a killed run can be resumed or flattened, not killed or paused", () => {
    expect(enabled("killed", "killed")).toEqual(["flatten", "resume", "tier"]);
  });
  it("with no run only start makes sense, and only for an engine that can start", () => {
    expect(enabled("idle", "stopped")).toEqual(["start"]);
    expect(enabled("stopped", "stopped", "paper")).toEqual(["start"]);
    expect(enabled("failed", "stopped")).toEqual(["start"]);
    expect(enabled("idle", "stopped", "none")).toEqual([]);
    expect(enabled("idle", "stopped", "live")).toEqual([]);
    expect(enabled("starting", "stopped")).toEqual([]);
  });
  it("says why a control is disabled", () => {
    const a = controlAvailability({ state: "running", engine: "replay" }, { state: "paused" });
    expect(a.pause.why).toBe("trading is already paused");
    expect(a.start.why).toBe("the engine is already running");
    expect(controlAvailability({ state: "idle", engine: "none" }, { state: "stopped" }).start.why).toMatch(/api.engine is none/);
    expect(a.resume.why).toBeNull();
  });
  it("disables everything while a command is in flight", () => {
    const a = controlAvailability({ state: "running", engine: "replay" }, { state: "active" }, true);
    expect(Object.values(a).every((x) => !x.enabled)).toBe(true);
  });
  it("knows which tier moves raise the risk", () => {
    expect(raisesTier("moderate", "aggressive")).toBe(true);
    expect(raisesTier("moderate", "conservative")).toBe(false);
    expect(raisesTier(null, "moderate")).toBe(true);
    expect(raisesTier(undefined, "conservative")).toBe(false);
  });
});

describe("cooldowns and clocks", () => {
  const t0 = Date.parse("2024-03-05T14:00:00Z");
  it("counts down with seconds, hours and days", () => {
    expect(countdown(65_000)).toBe("01:05");
    expect(countdown(3_600_000 + 2 * 60_000 + 5_000)).toBe("01:02:05");
    expect(countdown(86_400_000 + 3_600_000)).toBe("1d 01:00:00");
    expect(countdown(400)).toBe("00:01");
  });
  it("tells a breaker's cooldown from its end and now", () => {
    expect(cooldownLeft(true, "2024-03-05T14:30:00Z", t0)).toBe("30:00");
    expect(cooldownLeft(true, "2024-03-05T14:30:00Z", t0 + 1000)).toBe("29:59");
    expect(cooldownLeft(true, null, t0)).toBe("until lifted");
    expect(cooldownLeft(true, "2024-03-05T13:00:00Z", t0)).toBe("ending");
    expect(cooldownLeft(false, "2024-03-05T14:30:00Z", t0)).toBe("—");
  });
  it("uses the wall clock for an engine that follows it, the engine's for a replay", () => {
    expect(engineNow("2024-03-05T14:00:01Z", t0, t0 + 7000)).toEqual({ now: t0 + 7000, simulated: false });
    const replay = engineNow("2021-01-04T15:00:00Z", t0, t0 + 7000);
    expect(replay).toEqual({ now: Date.parse("2021-01-04T15:00:00Z"), simulated: true });
    expect(engineNow(null, t0, t0 + 5)).toEqual({ now: t0 + 5, simulated: false });
  });
  it("says how long ago", () => {
    expect(ago("2024-03-05T13:59:56Z", t0)).toBe("4s ago");
    expect(ago("2024-03-05T13:57:00Z", t0)).toBe("3m ago");
    expect(ago("2024-03-05T11:00:00Z", t0)).toBe("3h ago");
    expect(ago(null, t0)).toBe("—");
  });
});

describe("heat gauge", () => {
  it("labels heat against the tier's maximum", () => {
    const g = heatGauge("0.032", "0.06");
    expect(g.label).toBe("Portfolio heat 3.2% of 6% max");
    expect(g.ratio).toBeCloseTo(0.5333, 3);
    expect(g.level).toBe("warn");
  });
  it("is ok below half, hot from 80% and clamps past the maximum", () => {
    expect(heatGauge(0.01, 0.1).level).toBe("ok");
    expect(heatGauge(0.08, 0.1).level).toBe("hot");
    expect(heatGauge(0.2, 0.1).ratio).toBe(1);
    expect(heatGauge(-0.01, 0.1).ratio).toBe(0);
  });
  it("says what it does not know", () => {
    expect(heatGauge(null, "0.06").label).toBe("Portfolio heat unknown");
    expect(heatGauge("0.05", null)).toMatchObject({ level: "unknown", ratio: 0, label: "Portfolio heat 5% (tier maximum unknown)" });
  });
  it("draws the arc from the left end over the top to the right", () => {
    const at = (r: number) => arcPoint(r, 100, 100, 80);
    expect(at(0).x).toBeCloseTo(20);
    expect(at(0).y).toBeCloseTo(100);
    expect(at(0.5).x).toBeCloseTo(100);
    expect(at(0.5).y).toBeCloseTo(20);
    expect(at(1).x).toBeCloseTo(180);
    expect(at(1).y).toBeCloseTo(100);
    expect(arcPath(0.5, 100, 100, 80)).toBe("M 20 100 A 80 80 0 0 1 100 20");
    expect(arcPath(0, 100, 100, 80)).toBe("");
  });
  it("finds the tier's maximum in the settings", () => {
    const settings = { risk: { rules: { tiers: { moderate: { max_portfolio_heat: "0.10" } } } } };
    expect(maxHeatFor(settings, "moderate")).toBe(0.1);
    expect(maxHeatFor(settings, "aggressive")).toBeNull();
    expect(maxHeatFor(undefined, "moderate")).toBeNull();
  });
  it("writes short percentages", () => {
    expect(shortPct(0.06)).toBe("6%");
    expect(shortPct(0.032)).toBe("3.2%");
    expect(shortPct(0.0325)).toBe("3.25%");
    expect(shortPct(0)).toBe("0%");
  });
});

describe("pools", () => {
  it("splits active and reserve", () => {
    expect(poolSplit("8000", "2000")).toEqual({ active: 8000, reserve: 2000, activeShare: 0.8 });
    expect(poolSplit("0", "0")?.activeShare).toBe(0);
    expect(poolSplit(null, "10")).toBeNull();
  });
});

describe("micro trading", () => {
  const block = { enabled: true, max_daily: 10, used_today: 3, allocation_cap_pct: "0.03", max_hold_minutes: 120, open_micro_positions: 1 };
  it("reads the status's micro block, or null from a server without one", () => {
    expect(readMicro({ micro: block })).toEqual(block);
    expect(readMicro({ engine: {} })).toBeNull();
    expect(readMicro({ micro: { enabled: "yes" } })).toBeNull();
    expect(readMicro({ micro: { enabled: false } })).toMatchObject({ enabled: false, used_today: null, max_daily: null });
  });
  it("measures today's use of the cap", () => {
    expect(microUse({ used_today: 3, max_daily: 10 })).toBe(0.3);
    expect(microUse({ used_today: 12, max_daily: 10 })).toBe(1);
    expect(microUse({ used_today: null, max_daily: 10 })).toBeNull();
    expect(microUse({ used_today: 0, max_daily: 0 })).toBe(0);
  });
  it("reads durations in ISO 8601 and Python's form", () => {
    expect(durationSeconds("PT2H")).toBe(7200);
    expect(durationSeconds("PT1H30M15S")).toBe(5415);
    expect(durationSeconds("P1D")).toBe(86_400);
    expect(durationSeconds("2:00:00")).toBe(7200);
    expect(durationSeconds("1 day, 0:30:00")).toBe(88_200);
    expect(durationSeconds("PT")).toBeNull();
    expect(durationSeconds("soon")).toBeNull();
  });
  it("lists the micro rules with their units", () => {
    const settings = { risk: { rules: { micro: { enabled: false, allocation_cap_pct: "0.03", max_daily: 10, max_hold: "PT2H", new_rule: "x" } } } };
    const rows = microSettings(settings, { pct: (v) => `${v * 100}%`, duration: (s) => `${s}s` });
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ["Enabled in the rules", "no"],
      ["Allocation cap (of active pool)", "3%"],
      ["Max trades a day", "10"],
      ["Max hold", "7200s"],
      ["new rule", "x"],
    ]);
    expect(microSettings({}, { pct: String, duration: String })).toEqual([]);
  });
});

describe("performance series", () => {
  const row = (day: string, equity: string, daily_return: number | null, drawdown: number): DailyRow => ({ day, equity, daily_return, drawdown, trades_closed: 0, realised_pnl: "0" });
  // Newest first, as the API sends them; started from 10,000.
  const rows = [row("2024-01-04", "10200", 0.02, 0), row("2024-01-03", "10000", -0.0099, -0.0099), row("2024-01-02", "10100", 0.01, 0)];

  it("counts P&L from the equity before the first day, oldest first", () => {
    const s = performanceSeries(rows);
    expect(s.base).toBeCloseTo(10000, 6);
    expect(s.pnl).toEqual([
      { time: "2024-01-02", value: 100 },
      { time: "2024-01-03", value: 0 },
      { time: "2024-01-04", value: 200 },
    ]);
  });
  it("falls back to the first day's equity when its return is unknown", () => {
    const s = performanceSeries([row("2024-01-02", "5000", null, 0), row("2024-01-03", "5100", 0.02, 0)]);
    expect(s.base).toBe(5000);
    expect(s.pnl.map((p) => p.value)).toEqual([0, 100]);
    expect(s.returns).toEqual([{ time: "2024-01-03", value: 2 }]);
  });
  it("gives returns and drawdown in percent, drawdown never above zero", () => {
    const s = performanceSeries([...rows, row("2024-01-05", "10300", 0.0098, 0.0000001)]);
    expect(s.returns.map((p) => p.value)).toEqual([1, -0.99, 2, 0.98]);
    expect(s.drawdown.map((p) => p.value)).toEqual([0, -0.99, 0, 0]);
  });
  it("sums the days up", () => {
    expect(performanceSummary(rows)).toEqual({ days: 3, totalPnl: 200, bestDay: 0.02, worstDay: -0.0099, maxDrawdown: -0.0099, upDays: 2, downDays: 1 });
    expect(performanceSummary([])).toMatchObject({ days: 0, totalPnl: null, bestDay: null, maxDrawdown: null });
  });
});

describe("decision filters", () => {
  it("sends only the filters set, days as whole UTC days", () => {
    expect(decisionQuery(NO_DECISION_FILTERS, undefined, 25, 0)).toEqual({ limit: 25, offset: 0 });
    expect(decisionQuery({ symbol: " aapl ", action: "skip", from: "2024-03-01", to: "2024-03-02" }, "run-1", 25, 50)).toEqual({
      limit: 25,
      offset: 50,
      run_id: "run-1",
      symbol: "AAPL",
      action: "skip",
      start: "2024-03-01T00:00:00Z",
      end: "2024-03-02T23:59:59.999Z",
    });
  });
  it("leaves out a symbol the API would refuse, and says why", () => {
    expect(decisionQuery({ ...NO_DECISION_FILTERS, symbol: "AA PL" }, undefined, 25, 0)).toEqual({ limit: 25, offset: 0 });
    expect(symbolProblem("AA PL")).toMatch(/letters, digits/);
    expect(symbolProblem("BTC/USDT")).toBeNull();
    expect(symbolProblem("")).toBeNull();
  });
  it("orders contributions by size whatever their sign", () => {
    expect(contributionsOf({ a: 0.1, b: -0.5, c: 0.3, d: Number.NaN })).toEqual([
      ["b", -0.5],
      ["c", 0.3],
      ["a", 0.1],
    ]);
    expect(contributionsOf(null)).toEqual([]);
  });
});

describe("notification settings form", () => {
  const original: NotificationSettings = {
    enabled: true,
    channels: ["log", "telegram"],
    min_severity: "warning",
    telegram_per_hour: 10,
    email_per_hour: 5,
    daily_summary_at: "21:00",
    weekly_digest: false,
    large_trade_pnl: "500.0000",
  };
  it("sends nothing when nothing changed", () => {
    expect(notificationChanges(original, formOf(original))).toEqual({ changes: {}, problem: null });
  });
  it("sends only what changed, an emptied summary time as null (off)", () => {
    const form = { ...formOf(original), channels: ["telegram", "log", "email"], telegram_per_hour: "3", daily_summary_at: "", large_trade_pnl: "750.5" };
    expect(notificationChanges(original, form)).toEqual({
      changes: { channels: ["log", "telegram", "email"], telegram_per_hour: 3, daily_summary_at: null, large_trade_pnl: "750.5" },
      problem: null,
    });
  });
  it("treats a channel list in another order as unchanged", () => {
    expect(notificationChanges(original, { ...formOf(original), channels: ["telegram", "log"] }).changes).toEqual({});
  });
  it("refuses bad values with one line", () => {
    const bad = (patch: Partial<ReturnType<typeof formOf>>) => notificationChanges(original, { ...formOf(original), ...patch }).problem;
    expect(bad({ telegram_per_hour: "-1" })).toMatch(/Telegram per hour/);
    expect(bad({ email_per_hour: "2.5" })).toMatch(/Email per hour/);
    expect(bad({ daily_summary_at: "25:00" })).toMatch(/HH:MM/);
    expect(bad({ large_trade_pnl: "lots" })).toMatch(/Large-trade/);
    expect(bad({ channels: [] })).toMatch(/at least one channel/);
    expect(bad({ channels: [], enabled: false })).toBeNull();
  });
});

describe("statusTarget", () => {
  const runs = [
    { id: "bt-1", mode: "backtest" },
    { id: "paper-1", mode: "paper" },
  ];
  it("names no run when none is picked", () => {
    expect(statusTarget(undefined, undefined)).toEqual({ ready: true, run: undefined, note: null });
  });
  it("waits for the runs to know what was picked", () => {
    expect(statusTarget("paper-1", undefined).ready).toBe(false);
  });
  it("names a paper or live run, or one it does not know (the server decides)", () => {
    expect(statusTarget("paper-1", runs)).toEqual({ ready: true, run: "paper-1", note: null });
    expect(statusTarget("old-1", runs)).toEqual({ ready: true, run: "old-1", note: null });
  });
  it("shows the engine's own status beside a backtest, and says so", () => {
    const t = statusTarget("bt-1", runs);
    expect(t.run).toBeUndefined();
    expect(t.note).toMatch(/bt-1 is a backtest/);
  });
});
