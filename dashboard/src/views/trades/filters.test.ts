import { describe, expect, it } from "vitest";
import { activeFilterCount, clearFilters, filterProblem, NO_FILTERS, PAGE_SIZE, parseFilters, parseOffset, toTradesQuery, withFilters, withOffset } from "./filters";

const url = (s: string) => new URLSearchParams(s);

describe("URL → filters", () => {
  it("reads every filter", () => {
    expect(parseFilters(url("symbol=aapl&from=2015-01-01&to=2015-02-01&strategy=macd&profitable=no&direction=short"))).toEqual({
      symbol: "aapl",
      from: "2015-01-01",
      to: "2015-02-01",
      strategy: "macd",
      profitable: "no",
      direction: "short",
    });
  });

  it("reads nothing, or a value a filter does not take, as no filter", () => {
    expect(parseFilters(url(""))).toEqual(NO_FILTERS);
    expect(parseFilters(url("profitable=maybe&direction=up&from=yesterday&to=2015-13-45"))).toEqual(NO_FILTERS);
  });

  it("reads the page offset, zero when absent or nonsense", () => {
    expect(parseOffset(url("offset=50"))).toBe(50);
    expect(parseOffset(url(""))).toBe(0);
    expect(parseOffset(url("offset=-25"))).toBe(0);
    expect(parseOffset(url("offset=2.5"))).toBe(0);
    expect(parseOffset(url("offset=x"))).toBe(0);
  });
});

describe("filters → URL", () => {
  it("writes a changed filter, resets the page and keeps the run", () => {
    const next = withFilters(url("run=bt-1&offset=50&symbol=AAPL"), { direction: "long" });
    expect(next.get("run")).toBe("bt-1");
    expect(next.get("symbol")).toBe("AAPL");
    expect(next.get("direction")).toBe("long");
    expect(next.has("offset")).toBe(false);
  });

  it("removes a filter set back to its default instead of writing it", () => {
    const next = withFilters(url("symbol=AAPL&profitable=yes&direction=short"), { symbol: "  ", profitable: "any", direction: "any" });
    expect(next.toString()).toBe("");
  });

  it("clears every filter but nothing else", () => {
    expect(clearFilters(url("run=bt-1&symbol=AAPL&from=2015-01-01&strategy=macd&offset=25&period=1M")).toString()).toBe("run=bt-1&period=1M");
  });

  it("pages without touching the filters", () => {
    expect(withOffset(url("symbol=AAPL"), 25).toString()).toBe("symbol=AAPL&offset=25");
    expect(withOffset(url("symbol=AAPL&offset=25"), 0).toString()).toBe("symbol=AAPL");
  });

  it("round-trips: what is written reads back the same", () => {
    const filters = { symbol: "BTC/USDT", from: "2015-01-01", to: "2015-03-31", strategy: "news", profitable: "yes", direction: "long" } as const;
    expect(parseFilters(withFilters(url(""), filters))).toEqual(filters);
  });

  it("counts the active filters", () => {
    expect(activeFilterCount(NO_FILTERS)).toBe(0);
    expect(activeFilterCount({ ...NO_FILTERS, symbol: "AAPL", profitable: "no" })).toBe(2);
  });
});

describe("filters → GET /api/trades query", () => {
  it("sends only the paging and the run with no filters", () => {
    expect(toTradesQuery(NO_FILTERS, undefined, 0)).toEqual({ limit: PAGE_SIZE, offset: 0 });
    expect(toTradesQuery(NO_FILTERS, "bt-1", 50)).toEqual({ limit: 25, offset: 50, run_id: "bt-1" });
  });

  it("maps each filter to the API's parameter", () => {
    expect(toTradesQuery({ symbol: "aapl", from: "2015-01-01", to: "2015-02-01", strategy: "macd", profitable: "yes", direction: "short" }, undefined, 0)).toEqual({
      limit: 25,
      offset: 0,
      symbol: "AAPL",
      start: "2015-01-01T00:00:00Z",
      end: "2015-02-01T23:59:59.999999Z",
      strategy: "macd",
      profitable: true,
      direction: "short",
    });
    expect(toTradesQuery({ ...NO_FILTERS, profitable: "no" }, undefined, 0).profitable).toBe(false);
  });

  it("leaves out what the server would refuse, and says why", () => {
    const bad = { ...NO_FILTERS, symbol: "AA PL!" };
    expect(toTradesQuery(bad, undefined, 0)).not.toHaveProperty("symbol");
    expect(filterProblem(bad)).toMatch(/not a symbol/);
    expect(filterProblem({ ...NO_FILTERS, from: "2015-03-01", to: "2015-02-01" })).toMatch(/after/);
    expect(filterProblem({ ...NO_FILTERS, symbol: "BTC/USDT", from: "2015-02-01", to: "2015-02-01" })).toBeNull();
  });
});
