import { describe, expect, it } from "vitest";
import { closeQuestion, closingSide, commandToast, drawdown, equitySeries, parsePeriod, periodChange, PERIODS, sectorAllocation, type CommandOut, type EquityPoint, type Position } from "./logic";

function position(over: Partial<Position>): Position {
  return {
    symbol: "AAPL",
    side: "long",
    quantity: "10",
    avg_price: "100",
    last_price: "110",
    market_value: "1100",
    cost_basis: "1000",
    unrealized_pnl: "100",
    unrealized_pnl_pct: 0.1,
    opened_at: "2024-03-05T14:30:00Z",
    entry_decision_id: "dec-1",
    strategies: ["momentum"],
    stop_loss: "95",
    take_profit: "120",
    sector: "Information Technology",
    micro: false,
    ...over,
  };
}

function point(ts: string, equity: string): EquityPoint {
  return { ts, equity, cash: equity, positions_value: "0", realised_pnl: "0" };
}

describe("periods", () => {
  it("offers the server's periods and falls back to 1M for anything else", () => {
    expect(PERIODS).toEqual(["1D", "1W", "1M", "3M", "6M", "1Y", "ALL"]);
    expect(parsePeriod("3M")).toBe("3M");
    expect(parsePeriod("ALL")).toBe("ALL");
    expect(parsePeriod("2Y")).toBe("1M");
    expect(parsePeriod("all")).toBe("1M");
    expect(parsePeriod(null)).toBe("1M");
  });
});

describe("equity curve", () => {
  it("turns decimal strings into numbers and drops unreadable points", () => {
    const series = equitySeries([point("2024-01-01T00:00:00Z", "100000.5"), point("2024-01-02T00:00:00Z", "oops"), point("2024-01-03T00:00:00Z", "99000")]);
    expect(series).toEqual([
      { time: "2024-01-01T00:00:00Z", value: 100000.5 },
      { time: "2024-01-03T00:00:00Z", value: 99000 },
    ]);
  });

  it("measures the change first to last, as a fraction of the first", () => {
    const change = periodChange([point("2024-01-01T00:00:00Z", "100000"), point("2024-01-02T00:00:00Z", "101000"), point("2024-01-03T00:00:00Z", "98000")]);
    expect(change?.change).toBe(-2000);
    expect(change?.pct).toBeCloseTo(-0.02, 12);
  });

  it("has no change with fewer than two points, and no percentage from zero", () => {
    expect(periodChange([point("2024-01-01T00:00:00Z", "100")])).toBeNull();
    expect(periodChange([point("2024-01-01T00:00:00Z", "0"), point("2024-01-02T00:00:00Z", "5")])).toEqual({ change: 5, pct: null });
  });
});

describe("sector allocation", () => {
  it("sums market value by sector, largest first, with shares that add up to 1", () => {
    const slices = sectorAllocation([
      position({ symbol: "AAPL", market_value: "3000", sector: "Information Technology" }),
      position({ symbol: "MSFT", market_value: "1000", sector: "Information Technology" }),
      position({ symbol: "XOM", market_value: "1000", sector: "Energy" }),
    ]);
    expect(slices.map((s) => [s.sector, s.value, s.symbols])).toEqual([
      ["Information Technology", 4000, ["AAPL", "MSFT"]],
      ["Energy", 1000, ["XOM"]],
    ]);
    expect(slices[0]!.share).toBeCloseTo(0.8, 12);
    expect(slices.reduce((sum, s) => sum + s.share, 0)).toBeCloseTo(1, 12);
  });

  it("counts a short by its size, and an empty sector as Unknown", () => {
    const slices = sectorAllocation([position({ symbol: "TSLA", side: "short", market_value: "-500", sector: "" }), position({ symbol: "AAPL", market_value: "500" })]);
    expect(slices.map((s) => [s.sector, s.value, s.share])).toEqual([
      ["Information Technology", 500, 0.5],
      ["Unknown", 500, 0.5],
    ]);
  });

  it("is empty with no positions or no value", () => {
    expect(sectorAllocation([])).toEqual([]);
    expect(sectorAllocation([position({ market_value: "0" })])).toEqual([]);
  });
});

describe("closing a position", () => {
  it("sells a long and buys back a short, at market", () => {
    expect(closingSide("long")).toBe("sell");
    expect(closingSide("SHORT")).toBe("buy");
    expect(closeQuestion(position({ symbol: "AAPL", quantity: "10" }))).toBe("Close AAPL: sell 10 at market?");
    expect(closeQuestion(position({ symbol: "TSLA", side: "short", quantity: "-5" }))).toBe("Close TSLA: buy 5 at market?");
    expect(closeQuestion(position({ symbol: "BTC/USDT", quantity: "0.01250000" }))).toBe("Close BTC/USDT: sell 0.0125 at market?");
  });

  function command(status: CommandOut["status"], outcome: string): CommandOut {
    return { id: "cmd-1", kind: "close_position", status, outcome, run_id: "run-1", source: "api", symbol: "AAPL", issued_at: "2024-03-05T14:30:00Z" };
  }

  it("tells applied as done, refused as an error and pending as sent", () => {
    expect(commandToast("Close AAPL", command("applied", "closed 10 AAPL"))).toEqual({ tone: "success", title: "Close AAPL: done", body: "closed 10 AAPL" });
    expect(commandToast("Close AAPL", command("refused", "no open position in AAPL"))).toEqual({ tone: "error", title: "Close AAPL: refused", body: "no open position in AAPL" });
    expect(commandToast("Close AAPL", command("pending", ""))).toEqual({ tone: "info", title: "Close AAPL: sent to the engine", body: "pending" });
    expect(commandToast("Close AAPL", command("taken", "")).tone).toBe("info");
  });
});

describe("drawdown", () => {
  it("reads as a loss whichever sign the source used", () => {
    expect(drawdown(0.12)).toBe(-0.12);
    expect(drawdown(-0.12)).toBe(-0.12);
    expect(drawdown(null)).toBeNull();
    expect(drawdown(Number.NaN)).toBeNull();
  });
});
