import { act, render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";
import { useSearchParam } from "./searchParam";

let setTab: (value: string | undefined) => void = () => undefined;

function Tab() {
  const [tab, set] = useSearchParam("tab");
  setTab = set;
  return <p data-testid="tab">{tab ?? "none"}</p>;
}

function start(url: string) {
  const router = createMemoryRouter([{ path: "/engine", element: <Tab /> }], { initialEntries: ["/other", url], initialIndex: 1 });
  render(<RouterProvider router={router} />);
  return router;
}

describe("useSearchParam", () => {
  it("reads the parameter", () => {
    start("/engine?tab=audit");
    expect(screen.getByTestId("tab")).toHaveTextContent("audit");
  });

  it("reads an absent parameter as undefined", () => {
    start("/engine?run=r1");
    expect(screen.getByTestId("tab")).toHaveTextContent("none");
  });

  it("sets it in place, keeping the other parameters and the history entry", () => {
    const router = start("/engine?run=r1&tab=audit");
    act(() => setTab("performance"));
    expect(screen.getByTestId("tab")).toHaveTextContent("performance");
    expect(router.state.location.search).toBe("?run=r1&tab=performance");
    expect(router.state.historyAction).toBe("REPLACE");
  });

  it("removes it when set empty", () => {
    const router = start("/engine?tab=audit&run=r1");
    act(() => setTab(undefined));
    expect(screen.getByTestId("tab")).toHaveTextContent("none");
    expect(router.state.location.search).toBe("?run=r1");
  });
});
