import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { FilterBar } from "./FilterBar";
import { NO_FILTERS, type TradeFilters } from "./filters";

function Harness({ onPatch }: { onPatch: (patch: Partial<TradeFilters>) => void }) {
  const [filters, setFilters] = useState<TradeFilters>(NO_FILTERS);
  return (
    <FilterBar
      filters={filters}
      strategies={["macd", "momentum"]}
      onChange={(patch) => {
        onPatch(patch);
        setFilters((f) => ({ ...f, ...patch }));
      }}
      onClear={() => setFilters(NO_FILTERS)}
    />
  );
}

describe("FilterBar", () => {
  it("commits the typed symbol once, after the typing stops", async () => {
    const user = userEvent.setup();
    const onPatch = vi.fn();
    render(<Harness onPatch={onPatch} />);
    await user.type(screen.getByLabelText("Symbol"), "aapl");
    await waitFor(() => expect(onPatch).toHaveBeenCalledWith({ symbol: "aapl" }));
    expect(onPatch).toHaveBeenCalledTimes(1);
  });

  it("sends each select at once, and counts what is active for Clear", async () => {
    const user = userEvent.setup();
    const onPatch = vi.fn();
    render(<Harness onPatch={onPatch} />);
    expect(screen.getByTestId("filter-clear")).toBeDisabled();
    await user.selectOptions(screen.getByLabelText("Profitable"), "no");
    await user.selectOptions(screen.getByLabelText("Direction"), "short");
    await user.selectOptions(screen.getByLabelText("Strategy"), "macd");
    expect(onPatch.mock.calls).toEqual([[{ profitable: "no" }], [{ direction: "short" }], [{ strategy: "macd" }]]);
    expect(screen.getByTestId("filter-clear")).toHaveTextContent("Clear (3)");
    await user.click(screen.getByTestId("filter-clear"));
    expect(screen.getByLabelText("Profitable")).toHaveValue("any");
  });
});
