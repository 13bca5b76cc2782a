/** The step-up prompt's logic. The passkey ceremony itself cannot run in jsdom (no
 * WebAuthn): it is passed in as a function here and exercised for real, with a virtual
 * authenticator, in the Chromium end-to-end test. */
import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { StepUpCancelled, StepUpProvider, useStepUp } from "./StepUp";

function Harness({ action, onDone }: { action: () => Promise<string>; onDone: (outcome: string) => void }) {
  const guard = useStepUp();
  const [label] = useState("Flatten all positions");
  return (
    <button
      type="button"
      onClick={() =>
        guard(label, action).then(onDone, (e: unknown) => onDone(e instanceof StepUpCancelled ? "cancelled" : `error: ${(e as Error).message}`))
      }
    >
      go
    </button>
  );
}

const stepUpRequired = () => new ApiError(403, "needs a fresh passkey assertion", null, "step_up_required");

describe("StepUpProvider", () => {
  it("runs an allowed action without asking", async () => {
    const outcomes: string[] = [];
    render(
      <StepUpProvider stepUp={async () => undefined}>
        <Harness action={async () => "done"} onDone={(o) => outcomes.push(o)} />
      </StepUpProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "go" }));
    await waitFor(() => expect(outcomes).toEqual(["done"]));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("asks for the passkey on step_up_required, then sends the action again once", async () => {
    let calls = 0;
    let stepUps = 0;
    const outcomes: string[] = [];
    render(
      <StepUpProvider stepUp={async () => void stepUps++}>
        <Harness
          action={async () => {
            calls++;
            if (calls === 1) throw stepUpRequired();
            return "flattened";
          }}
          onDone={(o) => outcomes.push(o)}
        />
      </StepUpProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "go" }));
    const dialog = await screen.findByRole("dialog", { name: "Confirm with your passkey" });
    expect(dialog).toHaveTextContent("Flatten all positions");
    await userEvent.click(screen.getByRole("button", { name: "Use passkey" }));
    await waitFor(() => expect(outcomes).toEqual(["flattened"]));
    expect(calls).toBe(2);
    expect(stepUps).toBe(1);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("cancelling sends nothing more", async () => {
    let calls = 0;
    const outcomes: string[] = [];
    render(
      <StepUpProvider stepUp={async () => undefined}>
        <Harness
          action={async () => {
            calls++;
            throw stepUpRequired();
          }}
          onDone={(o) => outcomes.push(o)}
        />
      </StepUpProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "go" }));
    await screen.findByRole("dialog");
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(outcomes).toEqual(["cancelled"]));
    expect(calls).toBe(1);
  });

  it("keeps the prompt open with the reason when the passkey fails", async () => {
    const outcomes: string[] = [];
    render(
      <StepUpProvider
        stepUp={async () => {
          throw new ApiError(400, "the passkey was not accepted", "try again");
        }}
      >
        <Harness action={async () => Promise.reject(stepUpRequired())} onDone={(o) => outcomes.push(o)} />
      </StepUpProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "go" }));
    await screen.findByRole("dialog");
    await userEvent.click(screen.getByRole("button", { name: "Use passkey" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the passkey was not accepted — try again");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(outcomes).toEqual([]);
  });

  it("passes other errors through untouched", async () => {
    const outcomes: string[] = [];
    render(
      <StepUpProvider stepUp={async () => undefined}>
        <Harness action={async () => Promise.reject(new ApiError(409, "no run is hosted"))} onDone={(o) => outcomes.push(o)} />
      </StepUpProvider>,
    );
    await act(async () => userEvent.click(screen.getByRole("button", { name: "go" })));
    await waitFor(() => expect(outcomes).toEqual(["error: no run is hosted"]));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("a second protected action while the prompt is up waits for the same passkey", async () => {
    let stepUps = 0;
    let fresh = false;
    const outcomes: string[] = [];
    const action = (name: string) => async () => {
      if (!fresh) throw stepUpRequired();
      return name;
    };
    function Two() {
      const guard = useStepUp();
      return (
        <>
          <button type="button" onClick={() => void guard("Close AAPL", action("aapl")).then((o) => outcomes.push(o))}>
            aapl
          </button>
          <button type="button" onClick={() => void guard("Close MSFT", action("msft")).then((o) => outcomes.push(o))}>
            msft
          </button>
        </>
      );
    }
    render(
      <StepUpProvider
        stepUp={async () => {
          stepUps++;
          fresh = true;
        }}
      >
        <Two />
      </StepUpProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "aapl" }));
    await screen.findByRole("dialog");
    await userEvent.click(screen.getByRole("button", { name: "msft" }));
    await userEvent.click(screen.getByRole("button", { name: "Use passkey" }));
    await waitFor(() => expect(outcomes.sort()).toEqual(["aapl", "msft"]));
    expect(stepUps).toBe(1);
  });
});
