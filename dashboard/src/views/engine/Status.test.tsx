import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Breakers } from "./Status";

describe("Breakers", () => {
  const now = Date.parse("2024-03-05T14:00:00Z");
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(now);
  });
  afterEach(() => vi.useRealTimers());

  it("ticks a tripped breaker's cooldown down every second on the wall clock", () => {
    render(
      <Breakers
        breakers={[
          { name: "daily_loss", tripped: true, since: "2024-03-05T13:00:00Z", until: "2024-03-05T14:30:00Z", symbols: [] },
          { name: "single_position", tripped: true, since: "2024-03-05T13:00:00Z", until: null, symbols: ["AAPL", "MSFT"] },
          { name: "volatility", tripped: false },
        ]}
        asOf="2024-03-05T14:00:00Z"
        fetchedAt={now}
      />,
    );
    const [daily, single] = screen.getAllByTestId("breaker-cooldown");
    expect(daily).toHaveTextContent("30:00");
    expect(single).toHaveTextContent("until lifted");
    expect(screen.getByText("AAPL, MSFT")).toBeInTheDocument();
    expect(screen.getByText("2 tripped")).toBeInTheDocument();
    act(() => vi.advanceTimersByTime(1000));
    expect(daily).toHaveTextContent("29:59");
  });

  it("counts a replay's cooldowns on its own clock, which does not tick here", () => {
    render(<Breakers breakers={[{ name: "daily_loss", tripped: true, since: "2013-04-01T20:00:00Z", until: "2013-04-02T20:00:00Z" }]} asOf="2013-04-01T21:00:00Z" fetchedAt={now} />);
    expect(screen.getByTestId("breaker-cooldown")).toHaveTextContent("23:00:00");
    expect(screen.getByText(/cooldowns on the replay's clock/)).toBeInTheDocument();
    act(() => vi.advanceTimersByTime(5000));
    expect(screen.getByTestId("breaker-cooldown")).toHaveTextContent("23:00:00");
  });
});
