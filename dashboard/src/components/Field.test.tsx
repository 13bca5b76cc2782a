import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { Field, SelectField, type Choice } from "./Field";

type Side = "any" | "long" | "short";
const SIDES: ReadonlyArray<Choice<Side>> = [["any", "Any"], "long", ["short", "Shorts only"]];

function Harness({ onPick }: { onPick: (side: Side) => void }) {
  const [side, setSide] = useState<Side>("any");
  return (
    <SelectField
      label="Direction"
      data-testid="direction"
      value={side}
      onChange={(next) => {
        onPick(next);
        setSide(next);
      }}
      options={SIDES}
    />
  );
}

describe("SelectField", () => {
  it("is named by its label and offers each choice with its words", () => {
    render(<Harness onPick={() => undefined} />);
    const select = screen.getByLabelText("Direction");
    expect(select).toBe(screen.getByTestId("direction"));
    expect([...(select as HTMLSelectElement).options].map((o) => [o.value, o.text])).toEqual([
      ["any", "Any"],
      ["long", "long"],
      ["short", "Shorts only"],
    ]);
  });

  it("hands back the chosen value", async () => {
    const onPick = vi.fn();
    render(<Harness onPick={onPick} />);
    await userEvent.selectOptions(screen.getByLabelText("Direction"), "short");
    expect(onPick).toHaveBeenCalledWith("short");
    expect(screen.getByLabelText("Direction")).toHaveValue("short");
  });
});

describe("Field", () => {
  it("names its control even with the caption hidden", () => {
    render(
      <Field label="Channel" hideLabel>
        <input />
      </Field>,
    );
    expect(screen.getByRole("textbox", { name: "Channel" })).toBeInTheDocument();
    expect(screen.getByText("Channel")).toHaveClass("sr-only");
  });
});
