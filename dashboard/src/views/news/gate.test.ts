import { describe, expect, it } from "vitest";
import { FetchGate } from "./gate";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("FetchGate", () => {
  it("joins a fetch under way instead of starting another", async () => {
    const gate = new FetchGate<number>(1000, () => 0);
    const d = deferred<number>();
    let calls = 0;
    const fetch = () => {
      calls += 1;
      return d.promise;
    };
    const a = gate.get("k", fetch);
    const b = gate.get("k", fetch);
    d.resolve(7);
    expect(await a).toBe(7);
    expect(await b).toBe(7);
    expect(calls).toBe(1);
  });

  it("answers from the last value within the interval, fetches again after it", async () => {
    let now = 0;
    const gate = new FetchGate<number>(1000, () => now);
    let calls = 0;
    const fetch = async () => ++calls;
    expect(await gate.get("k", fetch)).toBe(1);
    now = 999;
    expect(await gate.get("k", fetch)).toBe(1);
    now = 1000;
    expect(await gate.get("k", fetch)).toBe(2);
    expect(await gate.get("other", fetch)).toBe(3);
  });

  it("does not remember a failure", async () => {
    const gate = new FetchGate<number>(1000, () => 0);
    await expect(gate.get("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await gate.get("k", async () => 5)).toBe(5);
  });
});
