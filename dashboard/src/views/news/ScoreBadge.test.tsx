import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ScoreBadge } from "./ScoreBadge";

describe("ScoreBadge", () => {
  it("shows the score, the model and the confidence", () => {
    render(<ScoreBadge score={0.42} model="finbert" confidence={0.87} />);
    const badge = screen.getByTestId("score-badge");
    expect(screen.getByTestId("score-value")).toHaveTextContent("+0.42");
    expect(screen.getByTestId("score-model")).toHaveTextContent("finbert");
    expect(screen.getByTestId("score-confidence")).toHaveTextContent("87%");
    expect(badge).toHaveAttribute("data-band", "positive");
    expect(badge).toHaveTextContent("(positive)");
  });

  it.each([
    [0.8, "very positive", "bg-emerald-700"],
    [0.2, "positive", "bg-emerald-100"],
    [0, "neutral", "bg-slate-200"],
    [-0.3, "negative", "bg-rose-100"],
    [-0.9, "very negative", "bg-rose-700"],
  ])("colours %s as %s", (score, band, colour) => {
    render(<ScoreBadge score={score} model="lexicon" confidence={0.5} />);
    const badge = screen.getByTestId("score-badge");
    expect(badge).toHaveAttribute("data-band", band);
    expect(badge.className).toContain(colour);
  });

  it("uses a true minus for negative scores", () => {
    render(<ScoreBadge score={-0.5} model="lexicon" confidence={1} />);
    expect(screen.getByTestId("score-value")).toHaveTextContent("−0.50");
  });
});
