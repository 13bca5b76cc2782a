/** The list's filters, all in the URL (so a filtered list can be linked and survives a
 * reload): ticker applies on change; text, score and day fields when they are committed
 * (Enter or leaving the field), not on every keystroke. */
import { useEffect, useState, type InputHTMLAttributes } from "react";
import { captionClass, controlClass, Field, SelectField } from "../../components/Field";
import { Button, cx } from "../../components/ui";
import { PARAM, type NewsFilters } from "./logic";

function CommitInput({ label, value, onCommit, testId, className, ...input }: { label: string; value: string; onCommit: (v: string) => void; testId: string; className?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange">) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => draft !== value && onCommit(draft);
  return (
    <Field label={label}>
      <input
        {...input}
        data-testid={testId}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
        className={cx(controlClass, className)}
      />
    </Field>
  );
}

const PRESETS: Array<{ label: string; min?: number; max?: number }> = [
  { label: "All" },
  { label: "Positive", min: 0.15 },
  { label: "Negative", max: -0.15 },
];

export function Filters({ filters, tickers, onChange, onClear }: { filters: NewsFilters; tickers: string[]; onChange: (changes: Record<string, string | number | undefined>) => void; onClear: () => void }) {
  const preset = PRESETS.find((p) => p.min === filters.minScore && p.max === filters.maxScore);
  return (
    <div className="grid grid-cols-2 items-end gap-3 sm:flex sm:flex-wrap" data-testid="news-filters">
      <SelectField label="Ticker" data-testid="news-filter-ticker" value={filters.ticker ?? ""} onChange={(t) => onChange({ [PARAM.ticker]: t || undefined })} options={[["", "All tickers"], ...tickers]} selectClass={cx(controlClass, "w-full sm:w-auto")} />
      <CommitInput label="Source" testId="news-filter-source" value={filters.source ?? ""} onCommit={(v) => onChange({ [PARAM.source]: v })} placeholder="any" className="w-full sm:w-28" />
      <div role="group" aria-label="Sentiment" className="col-span-2 flex flex-col gap-0.5">
        <span className={captionClass} aria-hidden>
          Sentiment
        </span>
        <span className="inline-flex w-fit rounded-lg border border-slate-300 p-0.5 dark:border-slate-700">
          {PRESETS.map((p) => (
            <Button
              key={p.label}
              variant="ghost"
              aria-pressed={preset === p}
              className={cx("px-2 py-0.5 text-xs", preset === p && "bg-slate-200 dark:bg-slate-700")}
              onClick={() => onChange({ [PARAM.minScore]: p.min, [PARAM.maxScore]: p.max })}
            >
              {p.label}
            </Button>
          ))}
        </span>
      </div>
      <CommitInput label="Min score" testId="news-filter-min" type="number" min={-1} max={1} step={0.05} value={filters.minScore?.toString() ?? ""} onCommit={(v) => onChange({ [PARAM.minScore]: v })} className="w-full sm:w-20" />
      <CommitInput label="Max score" testId="news-filter-max" type="number" min={-1} max={1} step={0.05} value={filters.maxScore?.toString() ?? ""} onCommit={(v) => onChange({ [PARAM.maxScore]: v })} className="w-full sm:w-20" />
      <CommitInput label="From" testId="news-filter-from" type="date" value={filters.from ?? ""} onCommit={(v) => onChange({ [PARAM.from]: v })} className="w-full sm:w-auto" />
      <CommitInput label="To" testId="news-filter-to" type="date" value={filters.to ?? ""} onCommit={(v) => onChange({ [PARAM.to]: v })} className="w-full sm:w-auto" />
      <Button onClick={onClear} data-testid="news-filter-clear" className="col-span-2 sm:col-span-1">
        Clear
      </Button>
    </div>
  );
}
