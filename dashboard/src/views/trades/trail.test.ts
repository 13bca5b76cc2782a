import { describe, expect, it } from "vitest";
import type { components } from "../../api/schema";
import { bracketExit } from "./trail";

type Order = components["schemas"]["OrderOut"];

function order(id: string, side: string, type: string, fillTs: string | null): Order {
  return {
    client_order_id: id,
    symbol: "GOOG",
    side,
    type,
    quantity: "3",
    notional: null,
    limit_price: null,
    stop_price: null,
    status: fillTs ? "filled" : "cancelled",
    created_at: "2015-06-19T13:30:00Z",
    updated_at: "2015-06-19T13:30:00Z",
    broker_order_id: null,
    reason: "",
    fills: fillTs ? [{ fill_id: `${id}-f`, ts: fillTs, side, quantity: "3", price: "524.75", commission: "0.79" }] : [],
  };
}

describe("bracketExit", () => {
  it("finds the filled leg on the closing side: a stop is a stop-loss", () => {
    const exit = bracketExit(
      [order("o", "buy", "market", "2015-06-19T13:30:00Z"), order("o-sl", "sell", "stop", "2015-06-29T13:30:00Z"), order("o-tp", "sell", "limit", null)],
      "buy",
    );
    expect(exit?.kind).toBe("stop-loss");
    expect(exit?.order.client_order_id).toBe("o-sl");
  });

  it("a filled limit on the closing side is the take-profit; a short closes by buying", () => {
    expect(bracketExit([order("o", "sell", "market", "2015-06-19T13:30:00Z"), order("o-tp", "buy", "limit", "2015-06-22T13:30:00Z")], "sell")?.kind).toBe("take-profit");
  });

  it("takes the latest closing fill, and is null when no exit filled", () => {
    const exit = bracketExit([order("a-sl", "sell", "stop", "2015-06-20T13:30:00Z"), order("b", "sell", "market", "2015-06-25T13:30:00Z")], "buy");
    expect(exit?.kind).toBe("market");
    expect(bracketExit([order("o", "buy", "market", "2015-06-19T13:30:00Z"), order("o-sl", "sell", "stop", null)], "buy")).toBeNull();
  });
});
