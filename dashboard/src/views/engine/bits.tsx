/** Small pieces the engine page's panels share: a ticking clock, labelled facts, badge
 * tones, tabs. */
import { useEffect, useState, type ReactNode } from "react";
import { cx } from "../../components/ui";
import { toneClass } from "../../lib/format";
import type { StateTone } from "./logic";

/** The wall clock, re-read every `ms` while mounted (cooldowns and ages tick with it). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export const toneBadge: Record<StateTone, string> = {
  good: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  warn: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  bad: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  idle: "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100",
};

/** A term and its value in a definition list (the facts grid). */
export function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-600 uppercase dark:text-slate-400">{label}</dt>
      <dd data-testid={testId} className="truncate text-sm font-medium tabular-nums">
        {children}
      </dd>
    </div>
  );
}

/** yes / no / not applicable, coloured; `null` means the engine does not have it (a replay
 * has no live feed). */
export function YesNo({ value, yes = "yes", no = "no" }: { value: boolean | null | undefined; yes?: string; no?: string }) {
  if (value === null || value === undefined) return <span className={toneClass.flat}>n/a</span>;
  return <span className={value ? toneClass.up : toneClass.down}>{value ? yes : no}</span>;
}

export interface TabSpec {
  id: string;
  label: string;
}

/** An accessible tab strip (arrow keys move along it). Tab `x` is `#tab-x` and controls
 * `#panel-x`, which the caller renders with {@link TabPanel}. */
export function Tabs({ tabs, current, onChange, label }: { tabs: TabSpec[]; current: string; onChange: (id: string) => void; label: string }) {
  const move = (from: number, step: number) => {
    const next = tabs[(from + step + tabs.length) % tabs.length];
    if (!next) return;
    onChange(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="flex gap-1 overflow-x-auto border-b border-slate-200 dark:border-slate-800">
      {tabs.map((tab, i) => {
        const selected = tab.id === current;
        return (
          <button
            key={tab.id}
            id={`tab-${tab.id}`}
            type="button"
            role="tab"
            aria-selected={selected}
            aria-controls={`panel-${tab.id}`}
            tabIndex={selected ? 0 : -1}
            data-testid={`engine-tab-${tab.id}`}
            onClick={() => onChange(tab.id)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight") move(i, 1);
              if (e.key === "ArrowLeft") move(i, -1);
            }}
            className={cx(
              "-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap",
              selected ? "border-sky-600 text-sky-800 dark:border-sky-400 dark:text-sky-300" : "border-transparent text-slate-700 hover:text-slate-950 dark:text-slate-300 dark:hover:text-white",
            )}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}

export function TabPanel({ id, children }: { id: string; children: ReactNode }) {
  return (
    <div role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} data-testid={`engine-panel-${id}`} className="pt-4">
      {children}
    </div>
  );
}
