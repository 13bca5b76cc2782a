/** How a trade ended, read from its orders. A trade closed by its own bracket (the stop-loss
 * or take-profit order placed with the entry) has no exit decision of its own: the API gives
 * the entry decision as both, and the closing fill is among the entry's orders. */
import type { components } from "../../api/schema";

type Order = components["schemas"]["OrderOut"];

export type ExitKind = "stop-loss" | "take-profit" | "market";

export interface BracketExit {
  kind: ExitKind;
  order: Order;
  /** The last closing fill's time, for ordering. */
  ts: string;
}

/** The order that closed the position: the filled order on the other side from `entrySide`
 * with the latest fill; its type says which leg it was. Null when none filled. */
export function bracketExit(orders: Order[], entrySide: string | null): BracketExit | null {
  const side = (entrySide ?? "").toLowerCase();
  let best: BracketExit | null = null;
  for (const order of orders) {
    if (order.side.toLowerCase() === side || order.fills.length === 0) continue;
    const ts = order.fills.reduce((latest, f) => (f.ts > latest ? f.ts : latest), "");
    if (best && ts <= best.ts) continue;
    const type = order.type.toLowerCase();
    const kind: ExitKind = type.includes("stop") ? "stop-loss" : type === "limit" ? "take-profit" : "market";
    best = { kind, order, ts };
  }
  return best;
}

export const EXIT_WORDS: Record<ExitKind, string> = {
  "stop-loss": "its stop-loss order filled",
  "take-profit": "its take-profit order filled",
  market: "a closing market order filled",
};
