import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ConfirmDialog } from "./Dialog";

describe("Dialog", () => {
  it("keeps the focus where the user put it when its parent re-renders", async () => {
    const view = (tick: number) => (
      <ConfirmDialog open title={`Kill (${tick})`} message={<input aria-label="Also flatten" type="checkbox" />} confirmLabel="Kill" danger onConfirm={() => undefined} onCancel={() => undefined} />
    );
    const { rerender } = render(view(0));
    expect(screen.getByLabelText("Also flatten")).toHaveFocus();
    await userEvent.tab();
    await userEvent.tab();
    const kill = screen.getByRole("button", { name: "Kill" });
    expect(kill).toHaveFocus();
    rerender(view(1)); // a new onCancel each second, as the engine card's clock does
    expect(kill).toHaveFocus();
  });

  it("cancels on Escape with the latest callback", async () => {
    const calls: number[] = [];
    const view = (n: number) => <ConfirmDialog open title="Flatten" message="All positions" confirmLabel="Flatten" onConfirm={() => undefined} onCancel={() => calls.push(n)} />;
    const { rerender } = render(view(1));
    rerender(view(2));
    await userEvent.keyboard("{Escape}");
    expect(calls).toEqual([2]);
  });
});
