import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/errors";
import { FormView } from "./BacktestForm";
import { initialForm, type BacktestBody, type FormState } from "./model";

function Harness({ onSubmit, start, serverError }: { onSubmit: (b: BacktestBody) => void; start?: Partial<FormState>; serverError?: unknown }) {
  const [form, setForm] = useState<FormState>(() => ({ ...initialForm(["momentum", "macd"]), ...start }));
  return <FormView form={form} setForm={setForm} descriptions={{ momentum: "Rides trends" }} onSubmit={onSubmit} serverError={serverError} />;
}

// Generous timeout: user-event on a loaded two-core machine is slow, and a test that times
// out would keep clicking into the next test's DOM.
describe("the backtest form", { timeout: 30_000 }, () => {
  it("shows one line per problem on submit and sends nothing", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} start={{ symbols: ["AAPL"], start: "2015-02-01", end: "2015-01-01", capital: "0" }} />);
    expect(screen.queryByTestId("backtest-form-errors")).toBeNull();

    await user.click(screen.getByRole("checkbox", { name: "AAPL" }));
    await user.click(screen.getByRole("checkbox", { name: "momentum" }));
    await user.click(screen.getByRole("checkbox", { name: "macd" }));
    await user.click(screen.getByRole("button", { name: "Run backtest" }));

    const errors = within(screen.getByTestId("backtest-form-errors")).getAllByRole("listitem").map((li) => li.textContent);
    expect(errors).toEqual(["Choose at least one symbol.", "The end date must be after the start date.", "Initial capital must be a number above 0.", "Choose at least one strategy."]);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("clears a fixed problem and sends the body", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} start={{ symbols: [] }} />);
    await user.click(screen.getByRole("button", { name: "Run backtest" }));
    expect(screen.getByTestId("backtest-form-errors")).toHaveTextContent("Choose at least one symbol.");

    await user.type(screen.getByLabelText("More symbols"), "jpm");
    expect(screen.queryByTestId("backtest-form-errors")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Run backtest" }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    const body = onSubmit.mock.calls[0]![0] as BacktestBody;
    expect(body.symbols).toEqual(["JPM"]);
    expect(body.weights).toEqual({ momentum: 0.5, macd: 0.5 });
  });

  it("shows the normalised weights as the sliders move", () => {
    render(<Harness onSubmit={vi.fn()} />);
    expect(screen.getByTestId("backtest-weight-momentum")).toHaveTextContent("50%");
    const slider = screen.getByLabelText("Weight of macd");
    // A range input is set through its change event (a user drags it).
    fireEvent.change(slider, { target: { value: "0.25" } });
    expect(screen.getByTestId("backtest-weight-momentum")).toHaveTextContent("80%");
    expect(screen.getByTestId("backtest-weight-macd")).toHaveTextContent("20%");
    expect(screen.getByText("Rides trends")).toBeInTheDocument();
  });

  it("shows the server's refusal as its one line", () => {
    render(<Harness onSubmit={vi.fn()} serverError={new ApiError(400, "no 1d data for ZZZ", "the data holds: AAPL, MSFT")} />);
    expect(screen.getByRole("alert")).toHaveTextContent("no 1d data for ZZZ — the data holds: AAPL, MSFT");
  });

  it("sends the chosen risk tier", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await user.selectOptions(screen.getByLabelText("Risk tier"), "conservative");
    await user.click(screen.getByRole("button", { name: "Run backtest" }));
    expect((onSubmit.mock.calls[0]![0] as BacktestBody).risk_tier).toBe("conservative");
  });
});
