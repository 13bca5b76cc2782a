import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LiveDot, ReconnectBanner } from "./ReconnectBanner";

describe("ReconnectBanner", () => {
  it("is shown only while reconnecting", () => {
    const { rerender } = render(<ReconnectBanner status="open" />);
    expect(screen.queryByTestId("reconnect-banner")).toBeNull();
    rerender(<ReconnectBanner status="reconnecting" />);
    expect(screen.getByTestId("reconnect-banner")).toHaveTextContent("reconnecting");
    rerender(<ReconnectBanner status="connecting" />);
    expect(screen.queryByTestId("reconnect-banner")).toBeNull();
    rerender(<ReconnectBanner status="closed" />);
    expect(screen.queryByTestId("reconnect-banner")).toBeNull();
  });

  it("labels the live dot for each state", () => {
    const { rerender } = render(<LiveDot status="open" />);
    expect(screen.getByTestId("live-status")).toHaveTextContent("Live");
    rerender(<LiveDot status="reconnecting" />);
    expect(screen.getByTestId("live-status")).toHaveTextContent("Reconnecting");
    expect(screen.getByTestId("live-status")).toHaveAttribute("data-status", "reconnecting");
  });
});
