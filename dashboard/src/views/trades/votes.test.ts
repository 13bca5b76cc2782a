import { describe, expect, it } from "vitest";
import { deriveVotes, learningCredit } from "./votes";

describe("deriveVotes", () => {
  it("reads the vote from the contribution's sign and the weight as |c| / strength", () => {
    // seeded: a short signal from two equally weighted strategies
    const votes = deriveVotes({ sources: { momentum: 0.45361426661953236, macd: 0.7534506674826038 }, contributions: { momentum: -0.22680713330976618, macd: -0.3767253337413019 } });
    expect(votes.map((v) => [v.strategy, v.vote])).toEqual([
      ["macd", "short"],
      ["momentum", "short"],
    ]);
    expect(votes[0]!.weight).toBeCloseTo(0.5, 12);
    expect(votes[1]!.weight).toBeCloseTo(0.5, 12);
    expect(votes[0]!.strength).toBeCloseTo(0.7534506674826038, 12);
    expect(votes[0]!.share! + votes[1]!.share!).toBeCloseTo(1, 12);
    expect(votes[0]!.share).toBeCloseTo(0.3767253337413019 / 0.6035324670510681, 12);
  });

  it("shows a dissenting vote with a negative share of the score", () => {
    const votes = deriveVotes({ sources: { a: 0.9, b: 0.3 }, contributions: { a: 0.6, b: -0.1 } });
    const b = votes.find((v) => v.strategy === "b")!;
    expect(b.vote).toBe("short");
    expect(b.weight).toBeCloseTo(1 / 3, 12);
    expect(b.share).toBeCloseTo(-0.2, 12);
  });

  it("keeps a neutral vote with its strength but no weight (the record hides it)", () => {
    const votes = deriveVotes({ sources: { a: 0.8, quiet: 0.4 }, contributions: { a: 0.8, quiet: 0 } });
    const quiet = votes.find((v) => v.strategy === "quiet")!;
    expect(quiet).toMatchObject({ vote: "neutral", strength: 0.4, weight: null, contribution: 0, share: 0 });
  });

  it("falls back to the trade's contributions when the signal was not kept", () => {
    const votes = deriveVotes(null, { momentum: 0.6368256998897913 });
    expect(votes).toEqual([{ strategy: "momentum", vote: "long", strength: null, weight: null, contribution: 0.6368256998897913, share: 1 }]);
  });

  it("is empty with nothing recorded", () => {
    expect(deriveVotes(null)).toEqual([]);
  });
});

describe("learningCredit", () => {
  it("blames strategies that voted for a losing trade, in proportion to their part", () => {
    const credits = learningCredit({ contributions: { macd: 0.3, momentum: 0.1 }, direction: 1, risk_adjusted: -1.96 });
    expect(credits.map((c) => [c.strategy, c.verdict, c.withTrade])).toEqual([
      ["macd", "blamed", true],
      ["momentum", "blamed", true],
    ]);
    expect(credits[0]!.responsibility).toBeCloseTo(0.75, 12);
  });

  it("credits a strategy that voted against a losing trade, and those with a winning short", () => {
    expect(learningCredit({ contributions: { with: 0.5, against: -0.1 }, direction: 1, risk_adjusted: -0.5 }).map((c) => [c.strategy, c.verdict])).toEqual([
      ["with", "blamed"],
      ["against", "credited"],
    ]);
    expect(learningCredit({ contributions: { a: -0.4 }, direction: -1, risk_adjusted: 2 })[0]!.verdict).toBe("credited");
  });

  it("leaves out silent strategies, and learns nothing from a flat trade", () => {
    expect(learningCredit({ contributions: { a: 0.4, silent: 0 }, direction: 1, risk_adjusted: 0 })).toEqual([{ strategy: "a", responsibility: 1, withTrade: true, verdict: "unchanged" }]);
    expect(learningCredit({ contributions: {}, direction: 1, risk_adjusted: 1 })).toEqual([]);
  });
});
