import { describe, expect, it } from "vitest";
import {
  backToTop,
  dailyMeans,
  emptyLive,
  KEEP_LIVE,
  receive,
  defaultRun,
  filtersFromParams,
  itemKey,
  justBefore,
  liveRow,
  matchesFilters,
  mergeLive,
  offsetFromParams,
  rowOf,
  safeHref,
  scoreText,
  sparkDomain,
  tickerChoices,
  toQuery,
  withoutFilters,
  withParams,
  type NewsItemOut,
  type NewsRow,
} from "./logic";

function item(over: Partial<NewsItemOut> = {}): NewsItemOut {
  return {
    id: 1,
    article_id: 1,
    content_hash: "h1",
    ticker: "AAPL",
    score: 0.3,
    confidence: 0.8,
    model: "lexicon",
    entities: [],
    source: "twitter",
    url: "https://example.com/a",
    title: "Apple up",
    body: "",
    published_at: "2024-03-05T14:30:00Z",
    symbols_hint: [],
    ...over,
  };
}

const row = (over: Partial<NewsItemOut> = {}): NewsRow => rowOf(item(over));

describe("filtersFromParams", () => {
  it("reads the API's names and normalises them", () => {
    const f = filtersFromParams(new URLSearchParams("ticker=aapl&source=twitter&min_score=-0.5&max_score=2&start=2024-01-01&end=2024-02-01&run=bt-1"));
    expect(f).toEqual({ ticker: "AAPL", source: "twitter", minScore: -0.5, maxScore: 1, from: "2024-01-01", to: "2024-02-01" });
  });

  it("drops what the API would refuse instead of failing every load", () => {
    const f = filtersFromParams(new URLSearchParams("ticker=A%20B&min_score=abc&max_score=&start=yesterday&end=2024-13-45"));
    expect(f).toEqual({});
  });
});

describe("offsetFromParams / withParams / withoutFilters", () => {
  it("reads only a positive whole offset", () => {
    expect(offsetFromParams(new URLSearchParams("offset=50"))).toBe(50);
    expect(offsetFromParams(new URLSearchParams("offset=-5"))).toBe(0);
    expect(offsetFromParams(new URLSearchParams("offset=2.5"))).toBe(0);
    expect(offsetFromParams(new URLSearchParams(""))).toBe(0);
  });

  it("a filter change goes back to page 1 and keeps the run", () => {
    const next = withParams(new URLSearchParams("run=bt-1&offset=50&ticker=AAPL"), { ticker: "MSFT", source: "" });
    expect(next.get("ticker")).toBe("MSFT");
    expect(next.has("source")).toBe(false);
    expect(next.has("offset")).toBe(false);
    expect(next.get("run")).toBe("bt-1");
  });

  it("a page change keeps the filters; page 1 has no offset", () => {
    const p = new URLSearchParams("ticker=AAPL");
    expect(withParams(p, { offset: 25 }).toString()).toBe("ticker=AAPL&offset=25");
    expect(withParams(new URLSearchParams("ticker=AAPL&offset=25"), { offset: undefined }).toString()).toBe("ticker=AAPL");
  });

  it("sets two bounds at once (a preset) and clears them", () => {
    const p = withParams(new URLSearchParams(""), { min_score: 0.15, max_score: undefined });
    expect(p.toString()).toBe("min_score=0.15");
    expect(withoutFilters(new URLSearchParams("run=r&ticker=A&min_score=0.1&offset=25&start=2024-01-01")).toString()).toBe("run=r");
  });
});

describe("toQuery", () => {
  it("turns days into UTC bounds covering the whole day", () => {
    const q = toQuery({ ticker: "AAPL", minScore: -0.2, maxScore: 0.4, from: "2024-01-01", to: "2024-01-31", source: "rss" }, { run: "bt-1", limit: 25, offset: 50 });
    expect(q).toEqual({ run_id: "bt-1", limit: 25, offset: 50, ticker: "AAPL", source: "rss", min_score: -0.2, max_score: 0.4, start: "2024-01-01T00:00:00Z", end: "2024-01-31T23:59:59.999Z" });
  });

  it("leaves out what is not set, including a missing run", () => {
    expect(toQuery({}, { run: undefined, limit: 25, offset: 0 })).toEqual({ limit: 25, offset: 0 });
  });

  it("caps the end at the anchor, whichever is earlier", () => {
    expect(toQuery({}, { limit: 25, offset: 25, anchor: "2024-01-10T00:00:00.000Z" }).end).toBe("2024-01-10T00:00:00.000Z");
    expect(toQuery({ to: "2024-01-05" }, { limit: 25, offset: 25, anchor: "2024-01-10T00:00:00.000Z" }).end).toBe("2024-01-05T23:59:59.999Z");
    expect(toQuery({ to: "2024-01-20" }, { limit: 25, offset: 25, anchor: "2024-01-10T00:00:00.000Z" }).end).toBe("2024-01-10T00:00:00.000Z");
  });
});

describe("liveRow", () => {
  const payload = {
    ticker: "AAPL",
    score: -0.6,
    confidence: 0.9,
    model: "finbert",
    title: "Apple down",
    source: "rss",
    url: "https://x.test/1",
    published_at: "2024-03-05T15:00:00+00:00",
    content_hash: "abc",
  };

  it("reads engine_bridge.news_payload", () => {
    const r = liveRow(payload)!;
    expect(r.key).toBe(itemKey({ content_hash: "abc", ticker: "AAPL", model: "finbert" }));
    expect(r.score).toBe(-0.6);
    expect(r.body).toBeUndefined();
  });

  it("ignores a payload that is not a scored item", () => {
    expect(liveRow({ ...payload, score: "high" })).toBeNull();
    expect(liveRow({ ...payload, published_at: "soon" })).toBeNull();
    expect(liveRow({ ticker: "AAPL" })).toBeNull();
  });
});

describe("matchesFilters", () => {
  const r = row({ ticker: "AAPL", source: "rss", score: 0.2, published_at: "2024-03-05T23:59:59Z" });

  it("passes with no filters", () => {
    expect(matchesFilters(r, {})).toBe(true);
  });

  it("applies each filter like the server", () => {
    expect(matchesFilters(r, { ticker: "MSFT" })).toBe(false);
    expect(matchesFilters(r, { ticker: "AAPL" })).toBe(true);
    expect(matchesFilters(r, { source: "twitter" })).toBe(false);
    expect(matchesFilters(r, { minScore: 0.2 })).toBe(true);
    expect(matchesFilters(r, { minScore: 0.25 })).toBe(false);
    expect(matchesFilters(r, { maxScore: 0.1 })).toBe(false);
    expect(matchesFilters(r, { to: "2024-03-05" })).toBe(true);
    expect(matchesFilters(r, { to: "2024-03-04" })).toBe(false);
    expect(matchesFilters(r, { from: "2024-03-06" })).toBe(false);
  });

  it("keeps a named run's symbols only", () => {
    expect(matchesFilters(r, {}, ["msft", "AAPL"])).toBe(true);
    expect(matchesFilters(r, {}, ["MSFT"])).toBe(false);
    expect(matchesFilters(r, {}, [])).toBe(true);
  });
});

describe("mergeLive", () => {
  const at = (h: number) => `2024-03-06T${String(h).padStart(2, "0")}:00:00Z`;

  it("puts arrivals the page lacks on top, newest first, without repeats", () => {
    const page = [row({ content_hash: "p1", published_at: at(5) }), row({ content_hash: "p2", published_at: at(4) })];
    const live = [
      row({ content_hash: "n1", published_at: at(10) }),
      row({ content_hash: "p1", published_at: at(5) }),
      row({ content_hash: "n2", published_at: at(11) }),
      row({ content_hash: "n1", published_at: at(10) }),
    ];
    expect(mergeLive(live, page, 25).map((r) => r.content_hash)).toEqual(["n2", "n1", "p1", "p2"]);
  });

  it("keeps the page at its size, dropping its oldest", () => {
    const page = [row({ content_hash: "p1", published_at: at(5) }), row({ content_hash: "p2", published_at: at(4) })];
    expect(mergeLive([row({ content_hash: "n1", published_at: at(6) })], page, 2).map((r) => r.content_hash)).toEqual(["n1", "p1"]);
  });

  it("leaves out arrivals older than a full page (they belong to a later page)", () => {
    const page = [row({ content_hash: "p1", published_at: at(9) }), row({ content_hash: "p2", published_at: at(8) })];
    const live = [row({ content_hash: "old1", published_at: at(3) }), row({ content_hash: "old2", published_at: at(2) })];
    expect(mergeLive(live, page, 2).map((r) => r.content_hash)).toEqual(["p1", "p2"]);
  });

  it("keeps the server's order among items of the same time", () => {
    const page = [row({ content_hash: "b", published_at: at(5) }), row({ content_hash: "a", published_at: at(5) })];
    expect(mergeLive([row({ content_hash: "n", published_at: at(5) })], page, 25).map((r) => r.content_hash)).toEqual(["n", "b", "a"]);
  });

  it("the same article under another model is another item", () => {
    const page = [row({ content_hash: "a", model: "lexicon" })];
    expect(mergeLive([row({ content_hash: "a", model: "finbert" })], page, 25)).toHaveLength(2);
  });
});

describe("justBefore", () => {
  it("is one millisecond earlier, in UTC", () => {
    expect(justBefore("2024-03-05T15:00:00+01:00")).toBe("2024-03-05T13:59:59.999Z");
  });
});

describe("dailyMeans", () => {
  it("averages per UTC day, oldest first", () => {
    const means = dailyMeans([
      { published_at: "2024-03-06T01:00:00Z", score: 0.5 },
      { published_at: "2024-03-05T23:30:00-02:00", score: -0.5 },
      { published_at: "2024-03-05T10:00:00Z", score: 0.2 },
      { published_at: "2024-03-05T12:00:00Z", score: 0.4 },
    ]);
    expect(means).toHaveLength(2);
    expect(means[0]).toMatchObject({ day: "2024-03-05", count: 2 });
    expect(means[0]!.mean).toBeCloseTo(0.3);
    expect(means[1]).toMatchObject({ day: "2024-03-06", count: 2 });
    expect(means[1]!.mean).toBeCloseTo(0);
  });

  it("skips unreadable rows and is empty for none", () => {
    expect(dailyMeans([])).toEqual([]);
    expect(
      dailyMeans([
        { published_at: "bad", score: 1 },
        { published_at: "2024-03-05T10:00:00Z", score: Number.NaN },
        { published_at: "2024-03-05T10:00:00Z", score: -1 },
      ]),
    ).toEqual([{ day: "2024-03-05", mean: -1, count: 1 }]);
  });
});

describe("tickerChoices / defaultRun", () => {
  it("prefers the run's symbols, adds the filtered one, sorts", () => {
    expect(tickerChoices(["MSFT", "aapl"], ["GOOG"], "TSLA")).toEqual(["AAPL", "MSFT", "TSLA"]);
    expect(tickerChoices(undefined, ["GOOG", "AAPL", "GOOG"])).toEqual(["AAPL", "GOOG"]);
    expect(tickerChoices([], [], undefined)).toEqual([]);
  });

  it("picks a running paper/live session, else the newest run", () => {
    const runs = [
      { id: "a", mode: "backtest", status: "running" },
      { id: "b", mode: "paper", status: "running" },
      { id: "c", mode: "live", status: "completed" },
    ];
    expect(defaultRun(runs)?.id).toBe("b");
    expect(defaultRun(runs.slice(2))?.id).toBe("c");
    expect(defaultRun([])).toBeUndefined();
  });
});

describe("scoreText / safeHref", () => {
  it("signs scores with a true minus and two decimals", () => {
    expect(scoreText(0.4231)).toBe("+0.42");
    expect(scoreText(-0.5)).toBe("−0.50");
    expect(scoreText(-0.001)).toBe("0.00");
    expect(scoreText(Number.NaN)).toBe("—");
  });

  it("links only web URLs", () => {
    expect(safeHref("https://twitter.com/i/web/status/1")).toBe("https://twitter.com/i/web/status/1");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});

describe("sparkDomain", () => {
  it("is symmetric, in quarter steps, between ±0.25 and ±1", () => {
    expect(sparkDomain([])).toEqual([-0.25, 0.25]);
    expect(sparkDomain([{ mean: 0.1 }, { mean: -0.2 }])).toEqual([-0.25, 0.25]);
    expect(sparkDomain([{ mean: 0.3 }])).toEqual([-0.5, 0.5]);
    expect(sparkDomain([{ mean: -0.9 }])).toEqual([-1, 1]);
    expect(sparkDomain([{ mean: 1 }, { mean: Number.NaN }])).toEqual([-1, 1]);
  });
});

describe("receive / backToTop", () => {
  const n = (hash: string, h = 10) => row({ content_hash: hash, published_at: `2024-03-06T${h}:00:00Z` });

  it("on page 1 an arrival is kept for the top, nothing is counted or held back", () => {
    const s = receive(emptyLive("x"), n("a"), "x", 0);
    expect(s.live.map((r) => r.content_hash)).toEqual(["a"]);
    expect(s.unseen).toBe(0);
    expect(s.anchor).toBeNull();
  });

  it("past page 1 arrivals are counted and the page is anchored before the first", () => {
    let s = receive(emptyLive("x"), n("a", 10), "x", 25);
    s = receive(s, n("b", 11), "x", 25);
    s = receive(s, n("b", 11), "x", 25);
    expect(s.unseen).toBe(2);
    expect(s.anchor).toBe("2024-03-06T09:59:59.999Z");
    expect(s.live.map((r) => r.content_hash)).toEqual(["b", "a"]);
    const top = backToTop(s, "x");
    expect(top.unseen).toBe(0);
    expect(top.anchor).toBeNull();
    expect(top.live).toHaveLength(2);
  });

  it("another run or filter starts over", () => {
    const s = receive(receive(emptyLive("x"), n("a"), "x", 25), n("b"), "y", 25);
    expect(s.scope).toBe("y");
    expect(s.live.map((r) => r.content_hash)).toEqual(["b"]);
    expect(s.unseen).toBe(1);
    expect(backToTop(s, "z")).toEqual(emptyLive("z"));
  });

  it("keeps a bounded number of arrivals", () => {
    let s = emptyLive("x");
    for (let i = 0; i < KEEP_LIVE + 5; i += 1) s = receive(s, n(`h${i}`), "x", 0);
    expect(s.live).toHaveLength(KEEP_LIVE);
    expect(s.live[0]!.content_hash).toBe(`h${KEEP_LIVE + 4}`);
  });
});
