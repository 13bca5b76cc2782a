/** One card per strategy: the whole card is a button that selects it (the details below
 * follow), so the figures a trader scans first — weight, record, P&L — sit on it. */
import type { ReactNode } from "react";
import { cx } from "../../components/ui";
import { money, num, pct, tone, toneClass } from "../../lib/format";
import { colourOf, type StrategyOut } from "./logic";

function Figure({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <span className={cx("block min-w-0", className)}>
      <span className="block text-[11px] font-medium text-slate-600 uppercase dark:text-slate-400">{label}</span>
      <span className="block truncate text-sm font-semibold tabular-nums">{children}</span>
    </span>
  );
}

export function StrategyCards({ items, selected, onSelect }: { items: StrategyOut[]; selected?: string | undefined; onSelect: (name: string) => void }) {
  const names = items.map((s) => s.name);
  return (
    <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2" aria-label="Strategies">
      {items.map((s) => {
        const on = s.name === selected;
        return (
          <li key={s.name} className="min-w-0">
            <button
              type="button"
              data-testid="strategy-card"
              data-name={s.name}
              aria-pressed={on}
              onClick={() => onSelect(s.name)}
              className={cx(
                "flex h-full w-full flex-col gap-2 rounded-xl border bg-white p-3 text-left shadow-sm transition-colors hover:border-sky-500 focus-visible:outline-2 focus-visible:outline-sky-600 dark:bg-slate-900",
                on ? "border-sky-600 ring-1 ring-sky-600 dark:border-sky-400 dark:ring-sky-400" : "border-slate-200 dark:border-slate-800",
              )}
            >
              <span className="flex w-full items-center justify-between gap-2">
                <span className="flex min-w-0 items-center gap-2">
                  <span aria-hidden className="size-2.5 shrink-0 rounded-full" style={{ background: colourOf(names, s.name) }} />
                  <span className="truncate font-semibold">{s.name}</span>
                </span>
                <span
                  className={cx(
                    "shrink-0 rounded-full px-2 py-0.5 text-[11px] font-medium",
                    s.active ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100" : "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100",
                  )}
                >
                  {s.active ? "active" : "inactive"}
                </span>
              </span>
              <span className="line-clamp-2 min-h-[2.5em] text-xs text-slate-600 dark:text-slate-400">{s.description || "No description."}</span>
              <span className="grid w-full grid-cols-3 gap-x-3 gap-y-1.5">
                <Figure label="Weight">{s.weight === null ? "—" : pct(s.weight, { digits: 1 })}</Figure>
                <Figure label="Trades">{num(s.trades, 0)}</Figure>
                <Figure label="W / L">
                  <span className={toneClass[tone(s.wins)]}>{s.wins}</span>
                  <span className="text-slate-500 dark:text-slate-400"> / </span>
                  <span className={toneClass[tone(-s.losses)]}>{s.losses}</span>
                </Figure>
                <Figure label="Win rate">{s.win_rate === null ? "—" : pct(s.win_rate, { digits: 1 })}</Figure>
                <Figure label="P&L" className="col-span-2">
                  <span data-testid="strategy-pnl" className={toneClass[tone(s.pnl)]}>
                    {money(s.pnl, { signed: true })}
                  </span>
                </Figure>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
