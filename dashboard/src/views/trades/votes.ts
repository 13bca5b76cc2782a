/** How each strategy took part in a trade, read back from what the engine recorded.
 *
 * The ensemble (src/tradebot/signals/ensemble.py) stores, per strategy, its strength `sᵢ`
 * (`signal.sources`) and its signed share of the score `cᵢ = dᵢ·sᵢ·wᵢ/Σw`
 * (`signal.contributions`). So the vote is the sign of `cᵢ`, and the weight it carried —
 * its share of the ensemble's weight at that moment — is `|cᵢ| / sᵢ`. A neutral vote
 * (`cᵢ = 0`) hides its weight: shown as unknown, never as 0.
 *
 * The learning engine (src/tradebot/learning/credit.py) makes each strategy responsible for
 * `|cᵢ| / Σ|c|` of the outcome, credited when it voted with the trade and the trade won (or
 * against it and it lost), blamed otherwise. */
import type { components } from "../../api/schema";

type Signal = components["schemas"]["SignalOut"];
type Outcome = components["schemas"]["OutcomeOut"];

export type VoteSide = "long" | "short" | "neutral";

export interface Vote {
  strategy: string;
  vote: VoteSide;
  /** The strategy's own strength, 0..1; null when not recorded. */
  strength: number | null;
  /** Its share of the ensemble weight, 0..1; null when the vote hides it. */
  weight: number | null;
  /** Its signed part of the score. */
  contribution: number;
  /** Its part of the score as a fraction of the score (signed: against the signal < 0). */
  share: number | null;
}

const EPS = 1e-12;

function sideOf(c: number): VoteSide {
  if (c > EPS) return "long";
  if (c < -EPS) return "short";
  return "neutral";
}

/** The votes behind a signal, loudest first. `fallback` is the trade's own copy of the
 * contributions, for a signal that was not kept. */
export function deriveVotes(signal: Pick<Signal, "sources" | "contributions"> | null, fallback: Record<string, number> = {}): Vote[] {
  const contributions = signal && Object.keys(signal.contributions).length > 0 ? signal.contributions : fallback;
  const sources = signal?.sources ?? {};
  const names = [...new Set([...Object.keys(contributions), ...Object.keys(sources)])];
  const score = Object.values(contributions).reduce((sum, c) => sum + (Number.isFinite(c) ? c : 0), 0);
  const votes = names.map((strategy): Vote => {
    const raw = contributions[strategy];
    const contribution = raw !== undefined && Number.isFinite(raw) ? raw : 0;
    const s = sources[strategy];
    const strength = s !== undefined && Number.isFinite(s) ? s : null;
    const vote = sideOf(contribution);
    const weight = vote !== "neutral" && strength !== null && strength > EPS ? Math.min(Math.abs(contribution) / strength, 1) : null;
    const share = Math.abs(score) > EPS ? contribution / score : null;
    return { strategy, vote, strength, weight, contribution, share };
  });
  return votes.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.strategy.localeCompare(b.strategy));
}

export type Verdict = "credited" | "blamed" | "unchanged";

export interface Credit {
  strategy: string;
  /** Responsibility `|cᵢ| / Σ|c|`; they sum to 1. */
  responsibility: number;
  verdict: Verdict;
  /** Did it vote with the trade's direction? */
  withTrade: boolean;
}

/** Who the learning engine credits or blames for this outcome, and how much of it each bears. */
export function learningCredit(outcome: Pick<Outcome, "contributions" | "direction" | "risk_adjusted">): Credit[] {
  const entries = Object.entries(outcome.contributions).filter(([, c]) => Number.isFinite(c) && c !== 0);
  const total = entries.reduce((sum, [, c]) => sum + Math.abs(c), 0);
  if (total <= 0) return [];
  const r = Math.sign(outcome.risk_adjusted);
  return entries
    .map(([strategy, c]): Credit => {
      const withTrade = c * outcome.direction > 0;
      const sign = (withTrade ? 1 : -1) * r;
      return { strategy, responsibility: Math.abs(c) / total, withTrade, verdict: sign > 0 ? "credited" : sign < 0 ? "blamed" : "unchanged" };
    })
    .sort((a, b) => b.responsibility - a.responsibility || a.strategy.localeCompare(b.strategy));
}
