import { describe, expect, it } from "vitest";
import { dateTime, duration, money, num, pct, qty, ratio, sentimentBand, signedFixed, timeLeft, tone, toneClass, toNumber } from "./format";

describe("money", () => {
  it("formats decimal strings with two places and separators", () => {
    expect(money("1234.5")).toBe("$1,234.50");
    expect(money("-12.345")).toBe("−$12.35");
  });
  it("signs gains only when asked", () => {
    expect(money(5, { signed: true })).toBe("+$5.00");
    expect(money(0, { signed: true })).toBe("$0.00");
  });
  it("compacts large values for tiles", () => {
    expect(money("1250000", { compact: true })).toBe("$1.3M");
    expect(money("9999", { compact: true })).toBe("$9,999.00");
  });
  it("shows an unknown as a dash, never NaN", () => {
    expect(money(null)).toBe("—");
    expect(money("not a number")).toBe("—");
    expect(money("")).toBe("—");
  });
});

describe("pct", () => {
  it("turns fractions into percentages", () => {
    expect(pct(0.01234)).toBe("1.23%");
    expect(pct(-0.5, { digits: 0 })).toBe("−50%");
    expect(pct(0.1, { signed: true })).toBe("+10.00%");
  });
  it("does not show a minus sign on a value that rounds to zero", () => {
    expect(pct(-0.00001)).toBe("0.00%");
  });
});

describe("numbers and tones", () => {
  it("parses only finite numbers", () => {
    expect(toNumber("1e3")).toBe(1000);
    expect(toNumber("Infinity")).toBeNull();
    expect(toNumber(undefined)).toBeNull();
  });
  it("keeps fractional quantities (crypto) and whole shares", () => {
    expect(qty("10")).toBe("10");
    expect(qty("0.00012345")).toBe("0.00012345");
    expect(num("1234.5678", 1)).toBe("1,234.6");
  });
  it("writes ratios with two decimals and a true minus", () => {
    expect(ratio(-0.8612)).toBe("−0.86");
    expect(ratio("1.5")).toBe("1.5");
    expect(ratio(2.345, 1)).toBe("2.3");
    expect(ratio(-1234.5)).toBe("−1,234.5");
    expect(ratio(null)).toBe("—");
  });
  it("signs scores and rewards with a true minus and leaves zero unsigned", () => {
    expect(signedFixed(0.1104)).toBe("+0.110");
    expect(signedFixed(-1.957, 2)).toBe("−1.96");
    expect(signedFixed(-0.0001, 2)).toBe("0.00");
    expect(signedFixed(0)).toBe("0.000");
    expect(signedFixed("0.4231", 2)).toBe("+0.42");
    expect(signedFixed(null)).toBe("—");
    expect(signedFixed(Number.NaN)).toBe("—");
  });
  it("colours by sign", () => {
    expect(tone("-1")).toBe("down");
    expect(tone(2)).toBe("up");
    expect(tone("0")).toBe("flat");
    expect(tone(null)).toBe("flat");
  });
});

describe("times", () => {
  it("shows UTC times to the minute", () => {
    expect(dateTime("2024-03-05T14:30:59Z")).toBe("2024-03-05 14:30");
    expect(dateTime("2024-03-05T14:30:59+02:00", { dayOnly: true })).toBe("2024-03-05");
    expect(dateTime("garbage")).toBe("—");
  });
  it("reads durations at a glance", () => {
    expect(duration(45)).toBe("45s");
    expect(duration(3 * 3600 + 5 * 60)).toBe("3h 5m");
    expect(duration(2 * 86400 + 3600)).toBe("2d 1h");
    expect(duration(86400)).toBe("1d");
  });
  it("counts a cooldown down and stops at zero", () => {
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(timeLeft("2024-01-01T00:10:00Z", now)).toBe("10m");
    expect(timeLeft("2023-12-31T23:59:00Z", now)).toBe("—");
  });
});

describe("sentimentBand", () => {
  it("bands scores symmetrically", () => {
    expect(sentimentBand(0.8).label).toBe("very positive");
    expect(sentimentBand(0.2).label).toBe("positive");
    expect(sentimentBand(0).label).toBe("neutral");
    expect(sentimentBand(-0.2).label).toBe("negative");
    expect(sentimentBand(-0.9).label).toBe("very negative");
  });
  it("never puts white text on a band under AA contrast (emerald-600 is 3.8:1)", () => {
    for (const score of [1, 0.5, -0.5, -1]) {
      const { className } = sentimentBand(score);
      expect(className).toContain("text-white");
      expect(className).toMatch(/bg-(emerald|rose)-700/);
    }
  });
});

describe("toneClass", () => {
  it("uses the 700 shades for small text on light backgrounds", () => {
    expect(toneClass.up).toContain("text-emerald-700");
    expect(toneClass.down).toContain("text-rose-700");
    expect(toneClass[tone("-3")]).toBe(toneClass.down);
  });
});
