/** The trade log's filter controls. They read and write the URL (via `onChange`); the symbol
 * box keeps its own text while typing and commits after a short pause, so each keystroke is
 * not a request. */
import { useEffect, useRef, useState } from "react";
import { controlClass, Field, SelectField, type Choice } from "../../components/Field";
import { Button, cx } from "../../components/ui";
import { activeFilterCount, type TradeFilters } from "./filters";

const CONTROL = cx(controlClass, "h-8 w-full");
const SYMBOL_PAUSE_MS = 350;
const PROFITABLE: ReadonlyArray<Choice<TradeFilters["profitable"]>> = [
  ["any", "Any"],
  ["yes", "Winners"],
  ["no", "Losers"],
];
const DIRECTIONS: ReadonlyArray<Choice<TradeFilters["direction"]>> = [
  ["any", "Any"],
  ["long", "Long"],
  ["short", "Short"],
];

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
        <input data-testid="filter-symbol" type="search" inputMode="text" autoCapitalize="characters" spellCheck={false} placeholder="AAPL" value={symbol} onChange={(e) => setSymbol(e.target.value)} onBlur={commitSymbol} className={CONTROL} />
      </Field>
      <Field label="Closed from">
        <input data-testid="filter-from" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => onChange({ from: e.target.value })} className={CONTROL} />
      </Field>
      <Field label="Closed to">
        <input data-testid="filter-to" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => onChange({ to: e.target.value })} className={CONTROL} />
      </Field>
      <SelectField label="Strategy" data-testid="filter-strategy" value={filters.strategy} onChange={(strategy) => onChange({ strategy })} options={[["", "Any"], ...strategyOptions]} selectClass={CONTROL} />
      <SelectField label="Profitable" data-testid="filter-profitable" value={filters.profitable} onChange={(profitable) => onChange({ profitable })} options={PROFITABLE} selectClass={CONTROL} />
      <SelectField label="Direction" data-testid="filter-direction" value={filters.direction} onChange={(direction) => onChange({ direction })} options={DIRECTIONS} selectClass={CONTROL} />
      <div>
        <Button data-testid="filter-clear" disabled={active === 0 && symbol === ""} onClick={onClear} className="h-8 w-full">
          Clear{active > 0 ? ` (${active})` : ""}
        </Button>
      </div>
    </form>
  );
}
