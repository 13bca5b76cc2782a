/** The decision explorer: every decision the engine made (acted or skipped, and what
 * stopped it), filtered and paged; a row opens its full trail — the signal and what each
 * strategy contributed, every risk check, the orders and their fills. */
import { useEffect, useId, useRef, useState, type RefObject } from "react";
import { OrdersTable, TraceTable } from "../../components/DecisionTrace";
import { controlClass, Field, SelectField, type Choice } from "../../components/Field";
import { Loaded } from "../../components/Loaded";
import { PagedTable, rowRule, Td } from "../../components/Table";
import { Badge, Button, Card, cx, Empty } from "../../components/ui";
import { dateTime, money, num, qty } from "../../lib/format";
import { useDecision, useDecisions } from "./api";
import { toneBadge } from "./bits";
import { contributionsOf, NO_DECISION_FILTERS, symbolProblem, type DecisionFilters } from "./logic";
import type { Decision, DecisionDetail, Signal } from "./types";

const LIMIT = 25;
const ACTIONS: ReadonlyArray<Choice<DecisionFilters["action"]>> = [
  ["", "all"],
  ["act", "acted"],
  ["skip", "skipped"],
];

export function Decisions({ runId }: { runId: string | undefined }) {
  const [filters, setFilters] = useState<DecisionFilters>(NO_DECISION_FILTERS);
  const [symbolDraft, setSymbolDraft] = useState("");
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useDecisions(runId, filters, LIMIT, offset);
  const detailBox = useRef<HTMLDivElement>(null);
  const ids = useId();
  const problem = symbolProblem(symbolDraft);

  const apply = (next: Partial<DecisionFilters>) => {
    setFilters((f) => ({ ...f, ...next }));
    setOffset(0);
  };
  const open = (id: string) => {
    setSelected(id);
    detailBox.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  };

  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
      <Card title="Decisions" className="min-w-0" testId="decisions">
        <form
          className="mb-3 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) apply({ symbol: symbolDraft.trim() });
          }}
        >
          <Field label="Symbol">
            <input
              data-testid="decisions-symbol"
              className={cx(controlClass, "w-28 uppercase")}
              value={symbolDraft}
              placeholder="any"
              aria-invalid={problem !== null}
              aria-describedby={problem ? `${ids}-symbol-problem` : undefined}
              onChange={(e) => setSymbolDraft(e.target.value)}
              onBlur={() => !problem && symbolDraft.trim() !== filters.symbol && apply({ symbol: symbolDraft.trim() })}
            />
          </Field>
          <SelectField label="Action" data-testid="decisions-action" value={filters.action} onChange={(action) => apply({ action })} options={ACTIONS} />
          <Field label="From (UTC)">
            <input type="date" className={controlClass} value={filters.from} onChange={(e) => apply({ from: e.target.value })} />
          </Field>
          <Field label="To (UTC)">
            <input type="date" className={controlClass} value={filters.to} onChange={(e) => apply({ to: e.target.value })} />
          </Field>
          <Button type="submit" variant="secondary">
            Apply
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              setSymbolDraft("");
              apply(NO_DECISION_FILTERS);
            }}
          >
            Clear
          </Button>
          {problem && (
            <p id={`${ids}-symbol-problem`} role="alert" className="w-full text-xs text-rose-700 dark:text-rose-300">
              Symbol: {problem}
            </p>
          )}
        </form>
        <PagedTable
          query={list}
          empty="No decisions match."
          label="Decisions table"
          paging={{ offset, limit: LIMIT, onPage: setOffset }}
          columns={["Time", "Symbol", "Action", "Side", { label: "Quantity", right: true }, "Reason", { label: "Failed check", className: "whitespace-nowrap" }]}
          row={(d) => <DecisionRow key={d.id} d={d} selected={d.id === selected} onOpen={open} />}
        />
      </Card>
      <div ref={detailBox} className="min-w-0">
        <DecisionPanel id={selected} runId={runId} onClose={() => setSelected(null)} />
      </div>
    </div>
  );
}

function ActionBadge({ action }: { action: string }) {
  return <Badge className={action === "act" ? toneBadge.good : toneBadge.idle}>{action === "act" ? "act" : action}</Badge>;
}

function DecisionRow({ d, selected, onOpen }: { d: Decision; selected: boolean; onOpen: (id: string) => void }) {
  return (
    <tr
      data-testid="decision-row"
      data-id={d.id}
      data-action={d.action}
      data-selected={selected}
      onClick={() => onOpen(d.id)}
      className={cx(rowRule, "cursor-pointer align-top hover:bg-slate-50 dark:hover:bg-slate-800/60", selected && "bg-sky-50 dark:bg-sky-950")}
    >
      <Td className="whitespace-nowrap tabular-nums">
        <button type="button" className="text-left underline-offset-2 hover:underline" aria-label={`Open the ${d.action} decision on ${d.symbol} at ${dateTime(d.ts)}`} onClick={(e) => (e.stopPropagation(), onOpen(d.id))}>
          {dateTime(d.ts)}
        </button>
      </Td>
      <Td className="font-medium">{d.symbol}</Td>
      <Td>
        <ActionBadge action={d.action} />
      </Td>
      <Td className="uppercase">{d.side ?? "—"}</Td>
      <Td right>{d.action === "act" ? qty(d.quantity) : "—"}</Td>
      <Td className="max-w-[18rem]"><span className="line-clamp-2">{d.reason}</span></Td>
      <Td className="whitespace-nowrap">{d.first_failed_check ?? "—"}</Td>
    </tr>
  );
}

function DecisionPanel({ id, runId, onClose }: { id: string | null; runId: string | undefined; onClose: () => void }) {
  const detail = useDecision(id, runId);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (detail.data) heading.current?.focus({ preventScroll: true });
  }, [detail.data]);
  if (id === null) {
    return (
      <Card title="Decision">
        <Empty>Pick a decision to see its signal, every risk check and its orders.</Empty>
      </Card>
    );
  }
  return (
    <Card testId="decision-detail" className="xl:sticky xl:top-4">
      <Loaded query={detail}>{(d) => <DecisionBody d={d} headingRef={heading} onClose={onClose} />}</Loaded>
    </Card>
  );
}

function DecisionBody({ d, headingRef, onClose }: { d: DecisionDetail; headingRef: RefObject<HTMLHeadingElement | null>; onClose: () => void }) {
  const levels: Array<[string, string | null]> = [
    ["Reference", d.reference_price],
    ["Limit", d.limit_price],
    ["Stop", d.stop_price],
    ["Stop loss", d.stop_loss],
    ["Take profit", d.take_profit],
  ];
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-start justify-between gap-2">
        <div>
          <h2 ref={headingRef} tabIndex={-1} className="flex flex-wrap items-center gap-2 text-base font-semibold outline-none">
            {d.symbol} <ActionBadge action={d.action} />
            {d.side && <span className="text-sm uppercase">{d.side}</span>}
            {d.action === "act" && <span className="text-sm tabular-nums">{qty(d.quantity)}</span>}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {dateTime(d.ts)} · {d.order_type}
            {d.notional && ` · ${money(d.notional)}`}
          </p>
        </div>
        <Button variant="ghost" aria-label="Close the decision" onClick={onClose}>
          ×
        </Button>
      </div>
      <p className="text-sm" data-testid="decision-reason">
        {d.reason}
        {d.first_failed_check && (
          <>
            {" "}
            <Badge className={toneBadge.bad}>stopped by {d.first_failed_check}</Badge>
          </>
        )}
      </p>
      <dl className="grid grid-cols-3 gap-2 text-sm sm:grid-cols-5">
        {levels.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs text-slate-600 uppercase dark:text-slate-400">{label}</dt>
            <dd className="tabular-nums">{money(value)}</dd>
          </div>
        ))}
      </dl>
      {d.strategies.length > 0 && (
        <p className="text-sm">
          <span className="text-slate-600 dark:text-slate-400">Strategies: </span>
          {d.strategies.join(", ")}
        </p>
      )}
      <SignalBlock signal={d.signal} />
      <section>
        <h3 className="mb-1 text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">Risk checks</h3>
        {d.trace.length === 0 ? <Empty>No checks recorded.</Empty> : <TraceTable trace={d.trace} />}
      </section>
      <section>
        <h3 className="mb-1 text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">Orders</h3>
        <OrdersTable orders={d.orders} />
      </section>
    </div>
  );
}

function SignalBlock({ signal }: { signal: Signal | null }) {
  if (!signal) return <p className="text-sm text-slate-600 dark:text-slate-400">No signal recorded.</p>;
  const parts = contributionsOf(signal.contributions);
  const widest = Math.max(1e-9, ...parts.map(([, v]) => Math.abs(v)));
  return (
    <section data-testid="decision-signal">
      <h3 className="mb-1 text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">Signal</h3>
      <dl className="mb-2 grid grid-cols-4 gap-2 text-sm">
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-400">Direction</dt>
          <dd className="font-medium">{signal.direction}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-400">Strength</dt>
          <dd className="tabular-nums">{num(signal.strength, 3)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-400">Confidence</dt>
          <dd className="tabular-nums">{num(signal.confidence, 3)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-400">Price</dt>
          <dd className="tabular-nums">{money(signal.price)}</dd>
        </div>
      </dl>
      {parts.length > 0 && (
        <ul aria-label="Contributions by strategy" className="flex flex-col gap-1 text-xs">
          {parts.map(([name, value]) => (
            <li key={name} className="grid grid-cols-[8rem_1fr_3.5rem] items-center gap-2">
              <span className="truncate" title={name}>
                {name}
              </span>
              <span aria-hidden="true" className="relative h-2 rounded bg-slate-100 dark:bg-slate-800">
                <span className={cx("absolute top-0 h-2 rounded", value >= 0 ? "left-1/2 bg-emerald-500" : "right-1/2 bg-rose-500")} style={{ width: `${(Math.abs(value) / widest) * 50}%` }} />
              </span>
              <span className="text-right tabular-nums">{num(value, 3)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
