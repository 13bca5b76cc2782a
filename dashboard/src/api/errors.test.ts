import { describe, expect, it } from "vitest";
import { readCookie, unwrap } from "./client";
import { ApiError, detailOf, errorLine } from "./errors";

describe("errors", () => {
  it("reads the API's one line and hint", () => {
    expect(detailOf({ detail: "no run 'x'", hint: "list runs with /api/runs" })).toEqual({ detail: "no run 'x'", hint: "list runs with /api/runs" });
  });
  it("turns a validation list into one line naming the field", () => {
    const body = { detail: [{ loc: ["body", "symbols"], msg: "List should have at least 1 item" }] };
    expect(detailOf(body).detail).toBe("symbols: List should have at least 1 item");
  });
  it("never shows a raw object", () => {
    expect(detailOf("<html>502</html>").detail).toBe("the server gave an unexpected answer");
  });
  it("knows a step-up refusal by status and code", () => {
    expect(new ApiError(403, "x", null, "step_up_required").needsStepUp).toBe(true);
    expect(new ApiError(403, "x").needsStepUp).toBe(false);
    expect(errorLine(new ApiError(409, "engine busy", "stop it first"))).toBe("engine busy — stop it first");
  });
  it("unwraps data or throws with the header code", () => {
    const ok = new Response("{}", { status: 200 });
    expect(unwrap({ data: { a: 1 }, response: ok })).toEqual({ a: 1 });
    const refused = new Response("{}", { status: 403, headers: { "X-Tradebot-Error": "step_up_required" } });
    expect(() => unwrap({ error: { detail: "fresh passkey needed" }, response: refused })).toThrow(ApiError);
    try {
      unwrap({ error: { detail: "fresh passkey needed" }, response: refused });
    } catch (e) {
      expect((e as ApiError).needsStepUp).toBe(true);
    }
  });
});

describe("readCookie", () => {
  it("finds the CSRF cookie among others and decodes it", () => {
    expect(readCookie("tradebot_csrf", "a=1; tradebot_csrf=abc%3D%3D; b=2")).toBe("abc==");
    expect(readCookie("tradebot_csrf", "a=1")).toBeNull();
  });
});
