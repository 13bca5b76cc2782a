/** A decision's reasoning trace: every risk check in the order the engine ran it, whether it
 * passed, what it saw, and what it did to the size — then the orders and their fills. The
 * same trail in the trade log and the decision explorer. */
import type { components } from "../api/schema";
import { dateTime, money, num, qty } from "../lib/format";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "./Table";
import { Badge } from "./ui";

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
    <ScrollTable label={caption ?? "Risk checks"}>
      <table className="w-full text-left text-sm" data-testid="decision-trace">
        {caption && <caption className="mb-1 text-left text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">{caption}</caption>}
        <HeadRow>
          <Th dense>Check</Th>
          <Th dense>Result</Th>
          <Th dense>Detail</Th>
          <Th dense>Effect on size</Th>
          <Th dense>Inputs</Th>
        </HeadRow>
        <tbody>
          {trace.map((check, i) => (
            <tr key={`${check.check}-${i}`} data-testid="trace-check" data-passed={check.passed} className={`${rowRule} align-top`}>
              <Td dense className="font-medium whitespace-nowrap">{check.check}</Td>
              <Td dense>
                <Badge className={check.passed ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100" : "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100"}>{check.passed ? "passed" : "failed"}</Badge>
              </Td>
              <Td dense>{check.detail}</Td>
              <Td dense className="whitespace-nowrap tabular-nums">{sizeEffectOf(check) ?? "—"}</Td>
              <Td dense className="font-mono text-xs break-all text-slate-700 dark:text-slate-300">{inputsOf(check)}</Td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}

export function OrdersTable({ orders }: { orders: Order[] }) {
  if (orders.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No orders.</p>;
  return (
    <ScrollTable label="Orders and fills">
      <table className="w-full text-left text-sm" data-testid="decision-orders">
        <HeadRow>
          <Th dense>Client order id</Th>
          <Th dense>Side</Th>
          <Th dense>Type</Th>
          <Th dense>Quantity</Th>
          <Th dense>Status</Th>
          <Th dense>Fills</Th>
        </HeadRow>
        <tbody>
          {orders.map((order) => (
            <tr key={order.client_order_id} className={`${rowRule} align-top`}>
              <Td dense className="font-mono text-xs">{order.client_order_id}</Td>
              <Td dense className="uppercase">{order.side}</Td>
              <Td dense>{order.type}</Td>
              <Td dense className="tabular-nums">{order.quantity ? qty(order.quantity) : money(order.notional)}</Td>
              <Td dense>{order.status}</Td>
              <Td dense>
                <ul data-testid="order-fills">
                  {order.fills.map((fill) => (
                    <li key={fill.fill_id} className="tabular-nums">
                      {qty(fill.quantity)} @ {money(fill.price)} · fee {money(fill.commission)} · {dateTime(fill.ts)}
                    </li>
                  ))}
                </ul>
              </Td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}
