/** A sentiment score as a badge: coloured by its band, with the score, the model that
 * gave it and how sure the model was — a FinBERT −0.8 and a lexicon −0.8 are not the
 * same evidence. */
import { cx } from "../../components/ui";
import { pct, sentimentBand } from "../../lib/format";
import { scoreText } from "./logic";

export function ScoreBadge({ score, model, confidence }: { score: number; model: string; confidence: number }) {
  const band = sentimentBand(score);
  return (
    <span
      data-testid="score-badge"
      data-band={band.label}
      title={`${band.label} sentiment, scored by ${model} with ${pct(confidence, { digits: 0 })} confidence`}
      className={cx("inline-flex max-w-full items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium whitespace-nowrap tabular-nums", band.className)}
    >
      <span className="font-semibold" data-testid="score-value">
        {scoreText(score)}
      </span>
      <span className="sr-only">({band.label})</span>
      <span aria-hidden>·</span>
      <span data-testid="score-model" className="truncate">
        {model}
      </span>
      <span aria-hidden>·</span>
      <span data-testid="score-confidence">
        <span className="sr-only">confidence </span>
        {pct(confidence, { digits: 0 })}
      </span>
    </span>
  );
}
