import { describe, expect, it } from "vitest";
import { attribution, bestIndices, drawdown, equityPoints, monthlyRows, monthShade, normalise, parseCompare, sharesFromMetrics, UNATTRIBUTED } from "./derive";
import { formatMetric, HEADLINE, metricValue } from "./metrics";
import { progressPercent } from "./RunPage";
import { shortId } from "./Compare";

const pts = (values: number[]) => values.map((value, i) => ({ time: `2014-01-0${i + 1}T21:00:00Z`, value }));

describe("drawdown", () => {
  it("is the fall below the running peak, 0 at new highs", () => {
    const dd = drawdown(pts([100, 110, 99, 104.5, 120, 90])).map((p) => Number(p.value.toFixed(6)));
    expect(dd).toEqual([0, 0, -0.1, -0.05, 0, -0.25]);
  });

  it("keeps the times and handles an empty curve", () => {
    expect(drawdown(pts([5, 4]))[1]?.time).toBe("2014-01-02T21:00:00Z");
    expect(drawdown([])).toEqual([]);
  });
});

describe("equityPoints", () => {
  it("reads decimal strings and skips what is not a number", () => {
    expect(equityPoints([{ ts: "a", equity: "100000.5000" }, { ts: "b", equity: "x" }, { ts: "c", equity: 99 }])).toEqual([
      { time: "a", value: 100000.5 },
      { time: "c", value: 99 },
    ]);
  });
});

describe("normalise", () => {
  it("rebases to 100 at the first point", () => {
    const values = normalise(pts([50_000, 55_000, 45_000])).map((p) => p.value);
    expect(values).toHaveLength(3);
    [100, 110, 90].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 9));
  });
  it("gives nothing without a positive base", () => {
    expect(normalise([])).toEqual([]);
    expect(normalise(pts([0, 10]))).toEqual([]);
  });
});

describe("attribution", () => {
  it("splits a trade's P&L equally among its strategies; each counts the trade", () => {
    const shares = attribution([
      { pnl: "90", strategies: ["momentum", "macd", "news"] },
      { pnl: "-40", strategies: ["macd"] },
      { pnl: "10.5", strategies: ["momentum", "momentum"] },
      { pnl: "-5", strategies: [] },
    ]);
    expect(shares).toEqual([
      { name: "momentum", pnl: 40.5, trades: 2, wins: 2, losses: 0 },
      { name: "news", pnl: 30, trades: 1, wins: 1, losses: 0 },
      { name: UNATTRIBUTED, pnl: -5, trades: 1, wins: 0, losses: 1 },
      { name: "macd", pnl: -10, trades: 2, wins: 1, losses: 1 },
    ]);
    // The shares add up to the trades' total P&L.
    expect(shares.reduce((s, x) => s + x.pnl, 0)).toBeCloseTo(55.5, 10);
  });

  it("reads the server's attribution from the metrics, best first", () => {
    const metrics = { strategies: { macd: { pnl: -1519.7, trades: 48, wins: 12, losses: 36 }, news: { pnl: 106.18, trades: 7, wins: 4, losses: 3 }, bad: 3 } };
    expect(sharesFromMetrics(metrics)).toEqual([
      { name: "news", pnl: 106.18, trades: 7, wins: 4, losses: 3 },
      { name: "macd", pnl: -1519.7, trades: 48, wins: 12, losses: 36 },
    ]);
    expect(sharesFromMetrics({})).toBeNull();
    expect(sharesFromMetrics(null)).toBeNull();
  });
});

describe("bestIndices", () => {
  it("marks the highest or lowest, ties included", () => {
    expect([...bestIndices([0.1, 0.3, null, 0.3], "high")]).toEqual([1, 3]);
    expect([...bestIndices([-0.05, -0.02, -0.1], "high")]).toEqual([1]); // shallowest drawdown
    expect([...bestIndices([0.2, 0.1], "low")]).toEqual([1]);
  });
  it("marks nothing with fewer than two known values", () => {
    expect(bestIndices([null, 1, undefined], "high").size).toBe(0);
    expect(bestIndices([Number.NaN, 1], "high").size).toBe(0);
  });
});

describe("monthly returns", () => {
  it("reads rows defensively and pads to twelve months", () => {
    const rows = monthlyRows({ monthly_returns: [{ year: 2014, months: [0.01, null, -0.02], total: 0.05 }, { year: "x" }, 3] });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.months).toHaveLength(12);
    expect(rows[0]?.months.slice(0, 4)).toEqual([0.01, null, -0.02, null]);
    expect(monthlyRows({})).toEqual([]);
  });
  it("shades by size and sign", () => {
    expect(monthShade(null)).toEqual({ sign: "flat", level: 0 });
    expect(monthShade(0.001)).toEqual({ sign: "up", level: 1 });
    expect(monthShade(-0.01)).toEqual({ sign: "down", level: 2 });
    expect(monthShade(0.05)).toEqual({ sign: "up", level: 3 });
  });
});

describe("metrics and ids", () => {
  it("formats by kind and reads numbers only", () => {
    const byKey = Object.fromEntries(HEADLINE.map((d) => [d.key, d]));
    expect(formatMetric(byKey.total_return!, -0.0189)).toBe("−1.89%");
    expect(formatMetric(byKey.sharpe!, -0.862)).toBe("−0.86");
    expect(formatMetric(byKey.trades!, 71)).toBe("71");
    expect(formatMetric(byKey.sharpe!, null)).toBe("—");
    expect(metricValue({ a: 1.5, b: "x", c: null, d: [1] }, "a")).toBe(1.5);
    expect(metricValue({ b: "x", c: null, d: [1] }, "b")).toBeNull();
    expect(metricValue({ d: [1] }, "d")).toBeNull();
    expect(metricValue(null, "a")).toBeNull();
  });

  it("parses ?compare= and shortens ids", () => {
    expect(parseCompare(" a, b,a,,c,d,e")).toEqual(["a", "b", "c", "d"]);
    expect(parseCompare(null)).toEqual([]);
    expect(shortId("bt-20261207T025036-8db328b3")).toBe("8db328b3");
  });

  it("computes the progress bar's percentage", () => {
    expect(progressPercent({ done: 5, total: 10, percent: null })).toBe(50);
    expect(progressPercent({ done: 5, total: 10, percent: 42.5 })).toBe(42.5);
    expect(progressPercent({ done: 5, total: null, percent: null })).toBeNull();
    expect(progressPercent({ done: 50, total: 10, percent: null })).toBe(100);
    expect(progressPercent(null)).toBeNull();
  });
});
