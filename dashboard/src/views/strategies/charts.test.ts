import { describe, expect, it } from "vitest";
import { weightAxis } from "./charts";

describe("weightAxis", () => {
  it("gives round ticks with room around the lines", () => {
    const axis = weightAxis([0.25, 0.4084]);
    expect(axis.ticks).toEqual([0.2, 0.25, 0.3, 0.35, 0.4, 0.45]);
    expect(axis.domain).toEqual([0.2, 0.45]);
    expect(axis.digits).toBe(0);
  });

  it("adds the decimals that small moves need", () => {
    const axis = weightAxis([0.2437, 0.25]);
    expect(axis.ticks.length).toBeLessThanOrEqual(6);
    expect(axis.ticks[0]).toBeLessThan(0.2437);
    expect(axis.ticks[axis.ticks.length - 1]).toBeGreaterThan(0.25);
    expect(axis.digits).toBeGreaterThanOrEqual(1);
    const labels = axis.ticks.map((t) => (t * 100).toFixed(axis.digits));
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("a flat line still gets a readable range, within 0..1", () => {
    const flat = weightAxis([0.25, 0.25]);
    expect(flat.domain[0]).toBeLessThan(0.25);
    expect(flat.domain[1]).toBeGreaterThan(0.25);
    const full = weightAxis([0, 1]);
    expect(full.domain).toEqual([0, 1]);
    expect(weightAxis([]).domain).toEqual([0, 1]);
  });
});
