/** The trade log's filter controls. They read and write the URL (via `onChange`); the symbol
 * box keeps its own text while typing and commits after a short pause, so each keystroke is
 * not a request. */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { Button } from "../../components/ui";
import { activeFilterCount, type TradeFilters } from "./filters";

const CONTROL = "h-8 w-full rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-800 dark:[color-scheme:dark]";
const SYMBOL_PAUSE_MS = 350;

function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="mb-0.5 block text-xs font-medium text-slate-600 dark:text-slate-400">
        {label}
      </label>
      {children(id)}
    </div>
  );
}

export function FilterBar({ filters, strategies, onChange, onClear }: { filters: TradeFilters; strategies: string[]; onChange: (patch: Partial<TradeFilters>) => void; onClear: () => void }) {
  const [symbol, setSymbol] = useState(filters.symbol);
  const committed = useRef(filters.symbol);
  // the URL changed from elsewhere (back button, Clear): show it
  useEffect(() => {
    committed.current = filters.symbol;
    setSymbol(filters.symbol);
  }, [filters.symbol]);
  useEffect(() => {
    if (symbol.trim() === committed.current) return;
    const timer = setTimeout(() => onChange({ symbol: symbol.trim() }), SYMBOL_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [symbol, onChange]);
  const commitSymbol = () => {
    if (symbol.trim() !== committed.current) onChange({ symbol: symbol.trim() });
  };
  const active = activeFilterCount(filters);
  const strategyOptions = filters.strategy && !strategies.includes(filters.strategy) ? [...strategies, filters.strategy] : strategies;

  return (
    <form
      role="search"
      aria-label="Filter trades"
      data-testid="trade-filters"
      className="grid grid-cols-2 items-end gap-2 sm:grid-cols-3 lg:grid-cols-7"
      onSubmit={(e) => {
        e.preventDefault();
        commitSymbol();
      }}
    >
      <Field label="Symbol">
        {(id) => (
          <input id={id} data-testid="filter-symbol" type="search" inputMode="text" autoCapitalize="characters" spellCheck={false} placeholder="AAPL" value={symbol} onChange={(e) => setSymbol(e.target.value)} onBlur={commitSymbol} className={CONTROL} />
        )}
      </Field>
      <Field label="Closed from">
        {(id) => <input id={id} data-testid="filter-from" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => onChange({ from: e.target.value })} className={CONTROL} />}
      </Field>
      <Field label="Closed to">
        {(id) => <input id={id} data-testid="filter-to" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => onChange({ to: e.target.value })} className={CONTROL} />}
      </Field>
      <Field label="Strategy">
        {(id) => (
          <select id={id} data-testid="filter-strategy" value={filters.strategy} onChange={(e) => onChange({ strategy: e.target.value })} className={CONTROL}>
            <option value="">Any</option>
            {strategyOptions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Profitable">
        {(id) => (
          <select id={id} data-testid="filter-profitable" value={filters.profitable} onChange={(e) => onChange({ profitable: e.target.value as TradeFilters["profitable"] })} className={CONTROL}>
            <option value="any">Any</option>
            <option value="yes">Winners</option>
            <option value="no">Losers</option>
          </select>
        )}
      </Field>
      <Field label="Direction">
        {(id) => (
          <select id={id} data-testid="filter-direction" value={filters.direction} onChange={(e) => onChange({ direction: e.target.value as TradeFilters["direction"] })} className={CONTROL}>
            <option value="any">Any</option>
            <option value="long">Long</option>
            <option value="short">Short</option>
          </select>
        )}
      </Field>
      <div>
        <Button data-testid="filter-clear" disabled={active === 0 && symbol === ""} onClick={onClear} className="h-8 w-full">
          Clear{active > 0 ? ` (${active})` : ""}
        </Button>
      </div>
    </form>
  );
}
