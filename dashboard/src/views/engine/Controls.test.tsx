import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { StepUpProvider } from "../../components/StepUp";
import { ToastProvider } from "../../components/Toasts";
import { actionLabel, Controls } from "./Controls";
import { HeatGauge } from "./Status";
import type { ControlStatus, EngineStatus } from "./types";

function renderControls(engine: Partial<EngineStatus>, run: Partial<ControlStatus>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const fullEngine: EngineStatus = { state: "running", engine: "replay", loop_alive: true, tier: "moderate", ...engine };
  const fullRun: ControlStatus = { state: "active", hosted: true, ...run };
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>
        <StepUpProvider stepUp={async () => undefined}>
          <Controls engine={fullEngine} run={fullRun} runId={undefined} />
        </StepUpProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

const ids = ["control-start", "control-pause", "control-resume", "control-kill", "control-flatten", "tier-select"];
const states = () => Object.fromEntries(ids.map((id) => [id, !(screen.getByTestId(id) as HTMLButtonElement).disabled]));

describe("Controls", () => {
  it("shows every control in every state, enabling those that make sense (running)", () => {
    renderControls({ state: "running" }, { state: "active" });
    expect(states()).toEqual({ "control-start": false, "control-pause": true, "control-resume": false, "control-kill": true, "control-flatten": true, "tier-select": true });
    expect(screen.getByTestId("control-resume")).toHaveAttribute("title", "trading is not paused or killed");
    expect(screen.getByTestId("tier-select")).toHaveValue("moderate");
  });

  it("paused: resume, not pause", () => {
    renderControls({ state: "paused" }, { state: "paused" });
    expect(states()).toMatchObject({ "control-pause": false, "control-resume": true, "control-kill": true });
  });

  it("nothing running: only start", () => {
    renderControls({ state: "idle", tier: null }, { state: "stopped" });
    expect(states()).toEqual({ "control-start": true, "control-pause": false, "control-resume": false, "control-kill": false, "control-flatten": false, "tier-select": false });
  });

  it("asks before a kill, offering to flatten too", async () => {
    renderControls({ state: "running" }, { state: "active" });
    await userEvent.click(screen.getByTestId("control-kill"));
    const dialog = screen.getByTestId("confirm-dialog");
    expect(within(dialog).getByRole("button", { name: "Kill" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByTestId("kill-flatten"));
    expect(within(dialog).getByRole("button", { name: "Kill and flatten" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument();
  });

  it("names the protected action in the passkey prompt", () => {
    expect(actionLabel({ kind: "tier", tier: "aggressive" }, "moderate", "active")).toBe("Raise the risk tier to aggressive");
    expect(actionLabel({ kind: "tier", tier: "conservative" }, "moderate", "active")).toBe("Set the risk tier to conservative");
    expect(actionLabel({ kind: "resume" }, "moderate", "killed")).toBe("Resume a killed run");
    expect(actionLabel({ kind: "kill", flatten: true }, null, "active")).toBe("Kill and flatten every position");
  });
});

describe("HeatGauge", () => {
  it("is an image labelled with the heat against the tier's maximum", () => {
    render(<HeatGauge heat="0.032" heatValue="320" max={0.06} tier="conservative" />);
    const gauge = screen.getByRole("img", { name: "Portfolio heat 3.2% of 6% max" });
    expect(gauge).toHaveAttribute("data-ratio", "0.5333");
    expect(screen.getByText("$320.00 at risk · conservative tier")).toBeInTheDocument();
  });
});
