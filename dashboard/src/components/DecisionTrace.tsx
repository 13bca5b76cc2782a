/** A decision's reasoning trace: every risk check in the order the engine ran it, whether it
 * passed, what it saw, and what it did to the size — then the orders and their fills. The
 * same trail in the trade log and the decision explorer. */
import type { components } from "../api/schema";
import { dateTime, money, num, qty } from "../lib/format";
import { Badge, cx } from "./ui";

type Check = components["schemas"]["CheckOut"];
type Order = components["schemas"]["OrderOut"];

export interface SizeEffect {
  effect: string;
  before?: string;
  after?: string;
}

/** The check's effect on size: `set 7,200 → 6,870.65`, `scale`, or null for none. */
export function sizeEffectOf(check: Check): string | null {
  const raw = (check.inputs as { size_effect?: SizeEffect }).size_effect;
  if (!raw || raw.effect === "none") return null;
  const before = raw.before !== undefined ? num(raw.before, 2) : null;
  const after = raw.after !== undefined ? num(raw.after, 2) : null;
  if (before && after) return `${raw.effect} ${before} → ${after}`;
  if (after) return `${raw.effect} → ${after}`;
  return raw.effect;
}

/** The inputs a reader needs, without the size effect (shown in its own column). */
export function inputsOf(check: Check): string {
  const rest = Object.entries(check.inputs).filter(([key]) => key !== "size_effect");
  if (rest.length === 0) return "";
  return rest.map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`).join(", ");
}

export function TraceTable({ trace, caption }: { trace: Check[]; caption?: string }) {
  return (
    // Focusable with a name: a keyboard user must be able to scroll a wide table too.
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={caption ?? "Risk checks"}>
      <table className="w-full text-left text-sm" data-testid="decision-trace">
        {caption && <caption className="mb-1 text-left text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">{caption}</caption>}
        <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
          <tr>
            <th scope="col" className="py-1 pr-3">Check</th>
            <th scope="col" className="py-1 pr-3">Result</th>
            <th scope="col" className="py-1 pr-3">Detail</th>
            <th scope="col" className="py-1 pr-3">Effect on size</th>
            <th scope="col" className="py-1">Inputs</th>
          </tr>
        </thead>
        <tbody>
          {trace.map((check, i) => (
            <tr key={`${check.check}-${i}`} data-testid="trace-check" data-passed={check.passed} className="border-t border-slate-200 align-top dark:border-slate-800">
              <td className="py-1 pr-3 font-medium whitespace-nowrap">{check.check}</td>
              <td className="py-1 pr-3">
                <Badge className={check.passed ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100" : "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100"}>{check.passed ? "passed" : "failed"}</Badge>
              </td>
              <td className="py-1 pr-3">{check.detail}</td>
              <td className="py-1 pr-3 whitespace-nowrap tabular-nums">{sizeEffectOf(check) ?? "—"}</td>
              <td className="py-1 font-mono text-xs break-all text-slate-700 dark:text-slate-300">{inputsOf(check)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function OrdersTable({ orders }: { orders: Order[] }) {
  if (orders.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No orders.</p>;
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Orders and fills">
      <table className="w-full text-left text-sm" data-testid="decision-orders">
        <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
          <tr>
            <th scope="col" className="py-1 pr-3">Client order id</th>
            <th scope="col" className="py-1 pr-3">Side</th>
            <th scope="col" className="py-1 pr-3">Type</th>
            <th scope="col" className="py-1 pr-3">Quantity</th>
            <th scope="col" className="py-1 pr-3">Status</th>
            <th scope="col" className="py-1">Fills</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.client_order_id} className="border-t border-slate-200 align-top dark:border-slate-800">
              <td className="py-1 pr-3 font-mono text-xs">{order.client_order_id}</td>
              <td className={cx("py-1 pr-3 uppercase")}>{order.side}</td>
              <td className="py-1 pr-3">{order.type}</td>
              <td className="py-1 pr-3 tabular-nums">{order.quantity ? qty(order.quantity) : money(order.notional)}</td>
              <td className="py-1 pr-3">{order.status}</td>
              <td className="py-1">
                <ul data-testid="order-fills">
                  {order.fills.map((fill) => (
                    <li key={fill.fill_id} className="tabular-nums">
                      {qty(fill.quantity)} @ {money(fill.price)} · fee {money(fill.commission)} · {dateTime(fill.ts)}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
