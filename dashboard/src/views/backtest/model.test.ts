import { describe, expect, it } from "vitest";
import { allSymbols, bpsToRate, buildBody, DATASETS, initialForm, normalisedWeights, parseAmount, switchDataset, typedSymbols, validate, withStrategies, type FormState } from "./model";

const STRATS = ["momentum", "macd", "mean_reversion", "news"];

function form(patch: Partial<FormState> = {}): FormState {
  return { ...initialForm(STRATS), ...patch };
}

describe("initialForm", () => {
  it("starts on the seeded demo: StockNet, AAPL MSFT AMZN GOOG, every strategy on", () => {
    const f = initialForm(STRATS);
    expect(f.dataset).toBe("stocknet");
    expect(f.symbols).toEqual(["AAPL", "MSFT", "AMZN", "GOOG"]);
    expect(Object.keys(f.strategies)).toEqual(STRATS);
    expect(validate(f)).toEqual([]);
  });

  it("withStrategies adds new names and keeps the user's choices", () => {
    const f = form({ strategies: { macd: { on: false, weight: 0.3 } } });
    const g = withStrategies(f, ["macd", "news"]);
    expect(g.strategies).toEqual({ macd: { on: false, weight: 0.3 }, news: { on: true, weight: 1 } });
    expect(withStrategies(g, ["macd"])).toBe(g);
  });
});

describe("validate", () => {
  it("gives one line per problem", () => {
    const f = form({ symbols: [], start: "2015-03-01", end: "2015-01-01", capital: "0", strategies: { macd: { on: false, weight: 1 } } });
    expect(validate(f)).toEqual(["Choose at least one symbol.", "The end date must be after the start date.", "Initial capital must be a number above 0.", "Choose at least one strategy."]);
  });

  it("refuses an end on the start day, a bad date, a range outside the data", () => {
    expect(validate(form({ start: "2014-05-05", end: "2014-05-05" }))).toEqual(["The end date must be after the start date."]);
    expect(validate(form({ start: "2014-02-30" }))).toEqual(["Give a start date (YYYY-MM-DD)."]);
    expect(validate(form({ end: "" }))).toEqual(["Give an end date (YYYY-MM-DD)."]);
    expect(validate(form({ start: "2018-01-01", end: "2018-06-30" }))).toEqual(["No data in that range: this data set runs 2013-03-01 to 2015-12-31."]);
  });

  it("checks typed symbols, capital, costs, timeframe and weights", () => {
    expect(validate(form({ extraSymbols: "JPM, A$B" }))).toEqual(["Not a symbol: A$B."]);
    expect(validate(form({ capital: "abc" }))).toEqual(["Initial capital must be a number above 0."]);
    expect(validate(form({ capital: "-5" }))).toEqual(["Initial capital must be a number above 0."]);
    expect(validate(form({ capital: "2e12" }))).toEqual(["Initial capital must be at most 1,000,000,000,000."]);
    expect(validate(form({ capital: "250,000" }))).toEqual([]);
    expect(validate(form({ commissionBps: "-1", slippageBps: "2000" }))).toEqual(["Commission must be between 0 and 1000 bps.", "Slippage must be between 0 and 1000 bps."]);
    expect(validate(form({ timeframe: "1h" }))).toEqual(["The bundled data is daily: choose the 1d timeframe."]);
    expect(validate(form({ dataset: "server", timeframe: "1h" }))).toEqual([]);
    const zero = Object.fromEntries(STRATS.map((n) => [n, { on: true, weight: 0 }]));
    expect(validate(form({ strategies: zero }))).toEqual(["Give at least one chosen strategy a weight above 0."]);
  });

  it("counts typed symbols towards the at-least-one rule", () => {
    expect(validate(form({ symbols: [], extraSymbols: "jpm" }))).toEqual([]);
  });
});

describe("symbols", () => {
  it("types split on commas and spaces, upper-cased, each once after the checked ones", () => {
    expect(typedSymbols(" jpm,intc  aapl;; ")).toEqual(["JPM", "INTC", "AAPL"]);
    expect(allSymbols(form({ symbols: ["AAPL", "MSFT"], extraSymbols: "aapl jpm" }))).toEqual(["AAPL", "MSFT", "JPM"]);
  });

  it("switching data set keeps what it has and moves a range it does not cover", () => {
    const f = switchDataset(form(), "equities_daily");
    expect(f.symbols).toEqual(["AAPL", "MSFT", "AMZN"]); // GOOG is GOOGL there
    expect([f.start, f.end]).toEqual([DATASETS.equities_daily.defaultStart, DATASETS.equities_daily.defaultEnd]);
    const g = switchDataset(form({ start: "2015-02-01", end: "2015-06-30" }), "equities_daily");
    expect([g.start, g.end]).toEqual(["2015-02-01", "2015-06-30"]);
    const s = switchDataset(form({ extraSymbols: "XYZ" }), "server");
    expect(s.symbols).toEqual([]);
    expect(allSymbols(s)).toEqual(["XYZ", "AAPL", "MSFT", "AMZN", "GOOG"]);
  });
});

describe("weights", () => {
  it("scales the checked sliders to sum 1 and leaves the unchecked out", () => {
    const w = normalisedWeights({ a: { on: true, weight: 1 }, b: { on: true, weight: 0.5 }, c: { on: false, weight: 1 }, d: { on: true, weight: 0.5 } });
    expect(w).toEqual({ a: 0.5, b: 0.25, d: 0.25 });
    expect(normalisedWeights({ a: { on: true, weight: 0 } })).toEqual({});
  });
});

describe("buildBody", () => {
  it("sends what the form says, costs converted, empty costs left to the server", () => {
    const f = form({ strategies: { momentum: { on: true, weight: 1 }, macd: { on: true, weight: 0.5 }, news: { on: false, weight: 1 }, mean_reversion: { on: true, weight: 0.5 } }, capital: "250,000", commissionBps: "5", news: false, learning: false });
    expect(buildBody(f)).toEqual({
      symbols: ["AAPL", "MSFT", "AMZN", "GOOG"],
      start: "2014-01-01",
      end: "2015-06-30",
      timeframe: "1d",
      strategies: ["momentum", "macd", "mean_reversion"],
      weights: { momentum: 0.5, macd: 0.25, mean_reversion: 0.25 },
      initial_capital: "250000",
      commission_rate: "0.0005",
      news: false,
      learning: false,
      dataset: "stocknet",
    });
  });

  it("adds slippage, and the risk tier only when one is chosen (else the server's applies)", () => {
    const f = form({ slippageBps: "2.5", riskTier: "aggressive" });
    expect(buildBody(f).risk_tier).toBe("aggressive");
    expect(buildBody(form())).not.toHaveProperty("risk_tier");
    expect(buildBody(f).slippage_bps).toBe("2.5");
  });

  it("leaves the data set out for the server's data folder", () => {
    expect(buildBody(form({ dataset: "server", symbols: [], extraSymbols: "BTC/USDT" }))).not.toHaveProperty("dataset");
  });
});

describe("numbers", () => {
  it("parses amounts people type and converts bps exactly", () => {
    expect(parseAmount("1_000 000")).toBe(1_000_000);
    expect(parseAmount("1.5e3")).toBe(1500);
    expect(parseAmount("")).toBeNull();
    expect(parseAmount("12abc")).toBeNull();
    expect(bpsToRate(5)).toBe("0.0005");
    expect(bpsToRate(0.3)).toBe("0.00003");
    expect(bpsToRate(1000)).toBe("0.1");
  });
});
