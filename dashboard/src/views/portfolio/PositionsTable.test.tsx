import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { StepUpProvider } from "../../components/StepUp";
import { ToastProvider } from "../../components/Toasts";
import type { Position } from "./logic";
import { PositionsTable } from "./PositionsTable";

function wrap(children: ReactNode) {
  return (
    <QueryClientProvider client={new QueryClient()}>
      <ToastProvider>
        <StepUpProvider stepUp={async () => undefined}>{children}</StepUpProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}

const short: Position = {
  symbol: "TSLA",
  side: "short",
  quantity: "-5",
  avg_price: "200",
  last_price: "210",
  market_value: "-1050",
  cost_basis: "-1000",
  unrealized_pnl: "-50",
  unrealized_pnl_pct: -0.05,
  opened_at: "2024-03-05T14:30:00Z",
  entry_decision_id: "dec-1",
  strategies: ["momentum", "macd"],
  stop_loss: null,
  take_profit: "180",
  sector: "Consumer Discretionary",
  micro: true,
};

describe("PositionsTable", () => {
  it("shows a position's levels, sector and micro flag, and a loss in red", () => {
    render(wrap(<PositionsTable positions={[short]} run={undefined} />));
    const row = screen.getByTestId("position-row");
    expect(row).toHaveAttribute("data-symbol", "TSLA");
    expect(within(row).getByText("micro")).toBeInTheDocument();
    expect(within(row).getByText("Consumer Discretionary")).toBeInTheDocument();
    expect(within(row).getByText("$180.00")).toBeInTheDocument();
    expect(within(row).getByTestId("position-pnl")).toHaveClass("text-rose-700");
    expect(within(row).getByTestId("position-pnl")).toHaveTextContent("−$50.00 (−5.00%)");
  });

  it("asks before closing, in the words of the order it will send, and cancels cleanly", async () => {
    const user = userEvent.setup();
    render(wrap(<PositionsTable positions={[short]} run={undefined} />));
    await user.click(screen.getByRole("button", { name: "Close TSLA" }));
    const dialog = screen.getByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Close TSLA: buy 5 at market?");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument();
  });
});
