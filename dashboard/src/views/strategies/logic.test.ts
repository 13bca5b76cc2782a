import { describe, expect, it } from "vitest";
import { bucketRows, clipOf, compareShadow, meanReward, mergePaths, pathStats, stepPath, weightHistory, weightSlices, type AdjustmentOut, type StrategyOut } from "./logic";

function adj(over: Partial<AdjustmentOut> & { ts: string }): AdjustmentOut {
  return { run_id: "bt-1", old_weight: 0.25, new_weight: 0.25, reward: 0, outcomes: 0, clipped_by: null, policy: "ema", shadow: false, reason: "", ...over };
}

function strategy(name: string, weight: number | null): StrategyOut {
  return { name, description: "", weight, active: true, trades: 0, wins: 0, losses: 0, win_rate: null, pnl: "0" };
}

const t = (iso: string) => Date.parse(iso);

describe("weightSlices", () => {
  it("shares are relative to the weights shown and skip empty ones", () => {
    const slices = weightSlices([strategy("a", 0.3), strategy("b", 0.1), strategy("c", null), strategy("d", 0)]);
    expect(slices.map((s) => s.name)).toEqual(["a", "b"]);
    expect(slices[0]!.share).toBeCloseTo(0.75);
    expect(slices[1]!.share).toBeCloseTo(0.25);
    expect(slices[0]!.colour).not.toEqual(slices[1]!.colour);
  });
});

describe("stepPath", () => {
  it("sorts oldest first and opens with the first old weight", () => {
    const path = stepPath([
      { ts: "2024-01-03T00:00:00Z", old_weight: 0.3, new_weight: 0.35 },
      { ts: "2024-01-01T00:00:00Z", old_weight: 0.25, new_weight: 0.3 },
    ]);
    expect(path).toEqual([
      { t: t("2024-01-01T00:00:00Z"), weight: 0.25 },
      { t: t("2024-01-01T00:00:00Z"), weight: 0.3 },
      { t: t("2024-01-03T00:00:00Z"), weight: 0.35 },
    ]);
  });

  it("is empty without rows and skips unreadable times", () => {
    expect(stepPath([])).toEqual([]);
    expect(stepPath([{ ts: "nope", old_weight: 0.1, new_weight: 0.2 }])).toEqual([]);
  });
});

describe("clipOf", () => {
  it("treats null, empty and blank as not clipped", () => {
    expect(clipOf({ clipped_by: null })).toBeNull();
    expect(clipOf({ clipped_by: "" })).toBeNull();
    expect(clipOf({ clipped_by: "  " })).toBeNull();
    expect(clipOf({ clipped_by: "max_shift" })).toBe("max_shift");
  });
});

describe("weightHistory", () => {
  it("prefers applied changes, then live adjustments, never shadow ones", () => {
    const change = { ts: "2024-01-01T00:00:00Z", old_weight: 0.2, new_weight: 0.3, reason: "learning" };
    const live = adj({ ts: "2024-01-02T00:00:00Z", old_weight: 0.25, new_weight: 0.27 });
    const shadow = adj({ ts: "2024-01-02T00:00:00Z", old_weight: 0.25, new_weight: 0.4, shadow: true });
    expect(weightHistory([change], [live]).source).toBe("changes");
    const fromAdj = weightHistory([], [shadow, live]);
    expect(fromAdj.source).toBe("adjustments");
    expect(fromAdj.points.map((p) => p.weight)).toEqual([0.25, 0.27]);
    expect(weightHistory([], [shadow])).toEqual({ source: "none", points: [] });
  });
});

describe("meanReward", () => {
  it("averages only adjustments that saw outcomes", () => {
    expect(meanReward([{ reward: 0.2, outcomes: 3 }, { reward: 0, outcomes: 0 }, { reward: -0.4, outcomes: 5 }])).toBeCloseTo(-0.1);
    expect(meanReward([{ reward: 0, outcomes: 0 }])).toBeNull();
    expect(meanReward([])).toBeNull();
  });
});

describe("compareShadow", () => {
  it("is null when nothing ran in shadow", () => {
    expect(compareShadow([adj({ ts: "2024-01-01T00:00:00Z" })], 0.25)).toBeNull();
    expect(compareShadow([], 0.25)).toBeNull();
  });

  it("sets the live path against each shadow policy's path", () => {
    const rows = [
      adj({ ts: "2024-01-01T00:00:00Z", old_weight: 0.25, new_weight: 0.26, reward: 0.1, outcomes: 20 }),
      adj({ ts: "2024-01-02T00:00:00Z", old_weight: 0.26, new_weight: 0.24, reward: -0.3, outcomes: 21, clipped_by: "max_shift" }),
      adj({ ts: "2024-01-01T00:00:00Z", old_weight: 0.25, new_weight: 0.3, reward: 0.5, outcomes: 20, shadow: true, policy: "exp3" }),
      adj({ ts: "2024-01-02T00:00:00Z", old_weight: 0.3, new_weight: 0.35, reward: 0.3, outcomes: 21, shadow: true, policy: "exp3" }),
      adj({ ts: "2024-01-02T00:00:00Z", old_weight: 0.25, new_weight: 0.2, reward: -1, outcomes: 21, shadow: true, policy: "thompson" }),
    ];
    const out = compareShadow(rows, 0.24)!;
    expect(out.live.policy).toBe("ema");
    expect(out.live.finalWeight).toBeCloseTo(0.24);
    expect(out.live.meanReward).toBeCloseTo(-0.1);
    expect(out.live.clipped).toBe(1);
    expect(out.shadows.map((s) => s.policy)).toEqual(["exp3", "thompson"]);
    expect(out.shadows[0]!.finalWeight).toBeCloseTo(0.35);
    expect(out.shadows[0]!.meanReward).toBeCloseTo(0.4);
    expect(out.shadows[0]!.adjustments).toBe(2);
    expect(out.shadows[1]!.finalWeight).toBeCloseTo(0.2);
  });

  it("holds the live weight flat over the shadow's span when only shadow rows exist", () => {
    const rows = [
      adj({ ts: "2024-01-05T00:00:00Z", old_weight: 0.3, new_weight: 0.32, shadow: true, reward: 0.2, outcomes: 4 }),
      adj({ ts: "2024-01-01T00:00:00Z", old_weight: 0.25, new_weight: 0.3, shadow: true, reward: 0.4, outcomes: 2 }),
    ];
    const out = compareShadow(rows, 0.9)!;
    expect(out.live.points).toEqual([
      { t: t("2024-01-01T00:00:00Z"), weight: 0.25 },
      { t: t("2024-01-05T00:00:00Z"), weight: 0.25 },
    ]);
    expect(out.live.finalWeight).toBe(0.25);
    expect(out.live.meanReward).toBeNull();
    expect(out.shadows[0]!.finalWeight).toBeCloseTo(0.32);
    expect(out.shadows[0]!.meanReward).toBeCloseTo(0.3);
  });
});

describe("mergePaths", () => {
  it("carries each series' last value forward onto every time", () => {
    const rows = mergePaths({
      live: [
        { t: 1, weight: 0.25 },
        { t: 3, weight: 0.2 },
      ],
      shadow: [
        { t: 2, weight: 0.3 },
        { t: 4, weight: 0.4 },
      ],
    });
    expect(rows).toEqual([
      { t: 1, live: 0.25 },
      { t: 2, live: 0.25, shadow: 0.3 },
      { t: 3, live: 0.2, shadow: 0.3 },
      { t: 4, live: 0.2, shadow: 0.4 },
    ]);
  });

  it("keeps the later of two points at the same time", () => {
    expect(
      mergePaths({
        w: [
          { t: 1, weight: 0.25 },
          { t: 1, weight: 0.3 },
        ],
      }),
    ).toEqual([{ t: 1, w: 0.3 }]);
  });
});

describe("bucketRows", () => {
  it("orders buckets, parses money and turns win rate into a percentage", () => {
    const rows = bucketRows(
      [
        { start: "2024-02-01", trades: 2, wins: 1, losses: 1, win_rate: 0.5, mean_return: 0.01, pnl: "-5.5000", cumulative_pnl: "4.5000" },
        { start: "2024-01-01", trades: 1, wins: 1, losses: 0, win_rate: 1, mean_return: 0.02, pnl: "10.0000", cumulative_pnl: "10.0000" },
        { start: "2024-03-01", trades: 0, wins: 0, losses: 0, win_rate: null, mean_return: null, pnl: "0", cumulative_pnl: "4.5000" },
      ],
      "month",
    );
    expect(rows.map((r) => r.label)).toEqual(["2024-01", "2024-02", "2024-03"]);
    expect(rows.map((r) => r.pnl)).toEqual([10, -5.5, 0]);
    expect(rows[1]!.cumulative).toBe(4.5);
    expect(rows.map((r) => r.winRate)).toEqual([100, 50, null]);
  });
});

describe("pathStats", () => {
  it("gives start, end, range and the moves that changed something", () => {
    expect(pathStats([])).toBeNull();
    expect(
      pathStats([
        { t: 1, weight: 0.25 },
        { t: 2, weight: 0.25 },
        { t: 3, weight: 0.2 },
        { t: 4, weight: 0.3 },
      ]),
    ).toEqual({ start: 0.25, end: 0.3, min: 0.2, max: 0.3, moves: 2 });
  });
});
