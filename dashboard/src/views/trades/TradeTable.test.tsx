import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { components } from "../../api/schema";
import { TradeTable } from "./TradeTable";

type Detail = components["schemas"]["TradeDetailOut"];
type DecisionDetail = components["schemas"]["DecisionDetailOut"];

const decision: DecisionDetail = {
  id: "dec-1",
  signal_id: "sig-1",
  ts: "2015-06-18T20:00:00Z",
  symbol: "GOOG",
  action: "act",
  side: "buy",
  quantity: "3",
  notional: null,
  reference_price: "536.73",
  order_type: "market",
  limit_price: null,
  stop_price: null,
  stop_loss: "525.32",
  take_profit: "570.96",
  reason: "enter long GOOG: confidence 0.60, conservative tier",
  strategies: ["macd", "momentum"],
  first_failed_check: null,
  trace: [
    { check: "confidence gate", passed: true, detail: "confidence 0.6 clears 0.60", inputs: { confidence: 0.6 } },
    { check: "quantity", passed: true, detail: "9 at 536.73", inputs: { size_effect: { effect: "set", before: "4881.2", after: "4830.57" } } },
  ],
  signal: null,
  orders: [
    {
      client_order_id: "tb-1",
      symbol: "GOOG",
      side: "buy",
      type: "market",
      quantity: "3",
      notional: null,
      limit_price: null,
      stop_price: null,
      status: "filled",
      created_at: "2015-06-19T13:30:00Z",
      updated_at: "2015-06-19T13:30:00Z",
      broker_order_id: null,
      reason: "entry",
      fills: [{ fill_id: "f-1", ts: "2015-06-19T13:30:00Z", side: "buy", quantity: "3", price: "537.48", commission: "0.81" }],
    },
    {
      client_order_id: "tb-1-sl",
      symbol: "GOOG",
      side: "sell",
      type: "stop",
      quantity: "3",
      notional: null,
      limit_price: null,
      stop_price: "525.32",
      status: "filled",
      created_at: "2015-06-19T13:30:00Z",
      updated_at: "2015-06-29T13:30:00Z",
      broker_order_id: null,
      reason: "stop loss",
      fills: [{ fill_id: "f-2", ts: "2015-06-29T13:30:00Z", side: "sell", quantity: "3", price: "524.75", commission: "0.79" }],
    },
  ],
};

const { signal: _s, orders: _o, ...entry } = decision;

const detail: Detail = {
  id: "trd-1",
  symbol: "GOOG",
  direction: "long",
  quantity: "3",
  entry_ts: "2015-06-19T13:30:00Z",
  exit_ts: "2015-06-29T13:30:00Z",
  entry_price: "537.48",
  exit_price: "524.75",
  pnl: "-39.79",
  commission: "1.60",
  borrow_cost: "0",
  return_pct: -0.0247,
  hold_seconds: 864000,
  strategies: ["macd", "momentum"],
  entry_decision_id: "dec-1",
  exit_decision_id: "dec-1",
  entry_decision: entry,
  exit_decision: entry,
  signal: { id: "sig-1", ts: "2015-06-18T20:00:00Z", symbol: "GOOG", direction: "long", strength: 0.405, confidence: 0.6, price: 536.73, sources: { macd: 0.604, momentum: 0.215 }, contributions: { macd: 0.296, momentum: 0.1095 } },
  contributions: { macd: 0.296, momentum: 0.1095 },
  news: [
    { id: 7, article_id: 3, content_hash: "h", ticker: "GOOG", score: 0.62, confidence: 0.9, model: "lexicon", entities: [], source: "twitter", url: "https://example.com/goog", title: "$GOOG beats", body: "", published_at: "2015-06-18T19:07:00Z", symbols_hint: [] },
  ],
  outcome: { closed_at: "2015-06-29T13:30:00Z", pnl: "-39.79", return_pct: -0.0247, hold_seconds: 864000, risk_adjusted: -1.96, contributions: { macd: 0.296, momentum: 0.1095 }, direction: 1, signal_id: "sig-1" },
};

const { entry_decision: _e, exit_decision: _x, signal: _sig, contributions: _c, news: _n, outcome: _out, ...row } = detail;

function client(): QueryClient {
  // the trail's reads answered from the cache: no server in a unit test
  const c = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  c.setQueryData(["trade", "trd-1", undefined], detail);
  c.setQueryData(["decision", "dec-1", undefined], decision);
  return c;
}

describe("TradeTable", () => {
  it("opens a row into its trail and closes it again", async () => {
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={client()}>
        <TradeTable trades={[row]} run={undefined} />
      </QueryClientProvider>,
    );
    const toggle = within(screen.getByTestId("trade-row")).getByRole("button");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId("trade-trail")).not.toBeInTheDocument();

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const trail = screen.getByTestId("trade-trail");
    expect(within(trail).getByTestId("trail-news")).toHaveTextContent("$GOOG beats");
    expect(within(trail).getByRole("link", { name: "$GOOG beats" })).toHaveAttribute("rel", expect.stringContaining("noopener"));
    expect(within(trail).getByTestId("trail-news")).toHaveTextContent("very positive by lexicon");
    expect(within(trail).getAllByTestId("vote-row").map((r) => r.dataset.strategy)).toEqual(["macd", "momentum"]);
    expect(within(trail).getAllByTestId("trace-check")).toHaveLength(2);
    expect(within(trail).getByTestId("trail-orders")).toHaveTextContent("tb-1-sl");
    // closed by its own stop: no second copy of the entry as the exit
    expect(within(trail).getByTestId("trail-bracket-exit")).toHaveAttribute("data-exit-kind", "stop-loss");
    expect(within(trail).getAllByTestId("decision-orders")).toHaveLength(1);
    expect(within(trail).getAllByTestId("trail-credit").map((c) => c.textContent)).toEqual([expect.stringContaining("macdblamed"), expect.stringContaining("momentumblamed")]);

    await user.click(screen.getByTestId("trade-row"));
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId("trade-trail")).not.toBeInTheDocument();
  });
});
