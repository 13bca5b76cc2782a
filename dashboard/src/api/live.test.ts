/** The /ws client against a scripted socket (a browser WebSocket cannot be opened in jsdom
 * to a real server here; the real one is exercised in the Chromium end-to-end test). */
import { describe, expect, it } from "vitest";
import { CLOSE_UNAUTHORIZED, defaultBackoff, LiveSocket, liveUrl, type LiveEvent, type LiveStatus, type SocketLike } from "./live";

class ScriptedSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closed: number | null = null;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closed = code;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  message(body: unknown) {
    this.onmessage?.({ data: JSON.stringify(body) } as MessageEvent);
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

function harness(token: () => string | null = () => "tok-1", renew: () => Promise<string | null> = async () => "tok-2") {
  const sockets: ScriptedSocket[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const live = new LiveSocket({
    url: "ws://x/ws",
    token,
    renew,
    connect: () => {
      const s = new ScriptedSocket();
      sockets.push(s);
      return s;
    },
    backoff: (n) => 100 * (n + 1),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  });
  const statuses: LiveStatus[] = [];
  const events: LiveEvent[] = [];
  live.onStatus((s) => statuses.push(s));
  live.onEvent((e) => events.push(e));
  return { live, sockets, timers, statuses, events };
}

const event = (seq: number, kind = "fill") => ({ type: "event", seq, kind, ts: "2024-01-01T00:00:00Z", run_id: "r", data: { symbol: "AAPL" } });

describe("LiveSocket", () => {
  it("authenticates with the first message and opens on hello", () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    expect(JSON.parse(h.sockets[0]!.sent[0]!)).toEqual({ type: "auth", token: "tok-1", since: null });
    h.sockets[0]!.message({ type: "hello", latest: 0, user: "alice" });
    expect(h.live.status).toBe("open");
  });

  it("delivers events once, in order, dropping repeats", () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.message({ type: "hello", latest: 0, user: "a" });
    h.sockets[0]!.message(event(1));
    h.sockets[0]!.message(event(2));
    h.sockets[0]!.message(event(2));
    h.sockets[0]!.message(event(1));
    expect(h.events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it("reconnects after a drop, resuming from the last seq, and shows it meanwhile", () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.message({ type: "hello", latest: 0, user: "a" });
    h.sockets[0]!.message(event(7));
    h.sockets[0]!.drop(1006);
    expect(h.live.status).toBe("reconnecting");
    expect(h.timers).toHaveLength(1);
    h.timers[0]!.fn();
    h.sockets[1]!.open();
    expect(JSON.parse(h.sockets[1]!.sent[0]!)).toMatchObject({ since: 7 });
    h.sockets[1]!.message({ type: "hello", latest: 7, user: "a" });
    expect(h.statuses).toEqual(["open", "reconnecting", "open"]);
  });

  it("backs off longer on each failed attempt and resets after a hello", () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.drop(1006);
    h.timers[0]!.fn();
    h.sockets[1]!.drop(1006);
    expect(h.timers.map((t) => t.ms)).toEqual([100, 200]);
    h.timers[1]!.fn();
    h.sockets[2]!.open();
    h.sockets[2]!.message({ type: "hello", latest: 0, user: "a" });
    h.sockets[2]!.drop(1006);
    expect(h.timers[2]!.ms).toBe(100);
  });

  it("renews the token on 4401 and stops when it cannot", async () => {
    let token = "old";
    const h = harness(
      () => token,
      async () => {
        token = "new";
        return token;
      },
    );
    h.live.start();
    h.sockets[0]!.drop(CLOSE_UNAUTHORIZED);
    await Promise.resolve();
    await Promise.resolve();
    h.timers[0]!.fn();
    h.sockets[1]!.open();
    expect(JSON.parse(h.sockets[1]!.sent[0]!).token).toBe("new");

    const refused = harness(() => "x", async () => null);
    refused.live.start();
    refused.sockets[0]!.drop(CLOSE_UNAUTHORIZED);
    await Promise.resolve();
    await Promise.resolve();
    expect(refused.live.status).toBe("closed");
    expect(refused.timers).toHaveLength(0);
  });

  it("asks for a reload on reset and ignores garbage", () => {
    const h = harness();
    let resets = 0;
    h.live.onReset(() => resets++);
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.onmessage?.({ data: "{not json" } as MessageEvent);
    h.sockets[0]!.message({ type: "reset", latest: 99 });
    expect(resets).toBe(1);
  });

  it("does not reconnect after stop", () => {
    const h = harness();
    h.live.start();
    h.live.stop();
    expect(h.sockets[0]!.closed).toBe(1000);
    h.sockets[0]!.drop(1000);
    expect(h.timers).toHaveLength(0);
    expect(h.live.status).toBe("closed");
  });
});

describe("helpers", () => {
  it("uses wss under https", () => {
    expect(liveUrl({ protocol: "https:", host: "bot.example:443" })).toBe("wss://bot.example:443/ws");
    expect(liveUrl({ protocol: "http:", host: "localhost:8000" })).toBe("ws://localhost:8000/ws");
  });
  it("caps the backoff and jitters within ±20%", () => {
    expect(defaultBackoff(0, () => 0.5)).toBe(500);
    expect(defaultBackoff(20, () => 0.5)).toBe(15000);
    expect(defaultBackoff(3, () => 0)).toBe(3200);
    expect(defaultBackoff(3, () => 1)).toBe(4800);
  });
});

describe("a server that numbers anew (restarted)", () => {
  it("follows the server's numbers after a reset, and reloads the views", () => {
    const h = harness();
    let resets = 0;
    h.live.onReset(() => resets++);
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.message({ type: "hello", latest: 0, user: "a" });
    h.sockets[0]!.message(event(5000));
    h.sockets[0]!.drop(1006);
    h.timers[0]!.fn();
    h.sockets[1]!.open();
    expect(JSON.parse(h.sockets[1]!.sent[0]!)).toMatchObject({ since: 5000 });
    h.sockets[1]!.message({ type: "hello", latest: 0, user: "a" });
    h.sockets[1]!.message({ type: "reset", latest: 0 });
    h.sockets[1]!.message(event(1));
    expect(h.events.map((e) => e.seq)).toEqual([5000, 1]);
    expect(resets).toBeGreaterThanOrEqual(1);
  });

  it("notices a hello behind what it saw even without a reset", () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.message({ type: "hello", latest: 0, user: "a" });
    h.sockets[0]!.message(event(40));
    h.sockets[0]!.drop(1006);
    h.timers[0]!.fn();
    h.sockets[1]!.open();
    h.sockets[1]!.message({ type: "hello", latest: 3, user: "a" });
    h.sockets[1]!.message(event(4));
    expect(h.events.map((e) => e.seq)).toEqual([40, 4]);
  });
});
