/** The /ws client: authenticates with the first message (browsers cannot set headers on a
 * WebSocket), resumes after a drop from the last sequence number it saw, and reconnects
 * with backoff. Framework-free so its logic is unit-tested with a scripted socket. */

export type LiveKind = "fill" | "order" | "decision" | "signal" | "news" | "portfolio" | "status" | "backtest";

export interface LiveEvent {
  seq: number;
  kind: LiveKind | string;
  ts: string;
  run_id: string | null;
  data: Record<string, unknown>;
}

/** `connecting` before the first hello; `reconnecting` after a drop; `closed` when stopped. */
export type LiveStatus = "connecting" | "open" | "reconnecting" | "closed";

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_TOO_SLOW = 4429;

export interface SocketLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  url: string;
  /** The access token to authenticate with (null: not signed in, wait). */
  token: () => string | null;
  /** A new token after a 4401 (expired token); null ends the session. */
  renew: () => Promise<string | null>;
  connect?: (url: string) => SocketLike;
  /** Backoff before reconnect attempt `n` (0-based), in ms. */
  backoff?: (attempt: number) => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** 0.5 s, 1 s, 2 s … capped at 15 s, with ±20 % jitter so reconnecting tabs spread out. */
export function defaultBackoff(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function liveUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}

export class LiveSocket {
  private socket: SocketLike | null = null;
  private lastSeq: number | null = null;
  private attempt = 0;
  private timer: unknown = null;
  private stopped = false;
  private state: LiveStatus = "connecting";
  private readonly eventListeners = new Set<(event: LiveEvent) => void>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private readonly resetListeners = new Set<() => void>();
  private readonly options: Required<LiveOptions>;

  constructor(options: LiveOptions) {
    this.options = {
      connect: (url) => new WebSocket(url) as unknown as SocketLike,
      backoff: defaultBackoff,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  get status(): LiveStatus {
    return this.state;
  }

  get seq(): number | null {
    return this.lastSeq;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.options.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "bye");
    this.setStatus("closed");
  }

  onEvent(listener: (event: LiveEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called when the server could not replay what was missed: reload every view. */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.state) return;
    this.state = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private open(): void {
    const token = this.options.token();
    if (this.stopped || !token) return;
    const socket = this.options.connect(this.options.url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token, since: this.lastSeq }));
    socket.onmessage = (ev) => this.receive(String(ev.data));
    socket.onerror = () => undefined; // onclose follows and decides
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      void this.dropped(ev.code);
    };
  }

  private receive(raw: string): void {
    let message: { type?: string } & Partial<LiveEvent>;
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return; // not ours to crash on: the next message is judged on its own
    }
    if (message.type === "hello") {
      this.attempt = 0;
      this.setStatus("open");
      const latest = (message as { latest?: unknown }).latest;
      // A server newer than what was seen (restarted, numbering anew): follow its numbers.
      if (typeof latest === "number" && this.lastSeq !== null && latest < this.lastSeq) this.restart(latest);
    } else if (message.type === "reset") {
      const latest = (message as { latest?: unknown }).latest;
      this.restart(typeof latest === "number" ? latest : null);
    } else if (message.type === "event" && typeof message.seq === "number") {
      if (this.lastSeq !== null && message.seq <= this.lastSeq) return; // already seen
      this.lastSeq = message.seq;
      const event = message as LiveEvent;
      for (const listener of this.eventListeners) listener(event);
    }
  }

  /** What was missed cannot be replayed: continue from the server's `latest` and have every
   * view reload. */
  private restart(latest: number | null): void {
    this.lastSeq = latest;
    for (const listener of this.resetListeners) listener();
  }

  private async dropped(code: number): Promise<void> {
    if (this.stopped) return;
    this.setStatus("reconnecting");
    if (code === CLOSE_UNAUTHORIZED) {
      const token = await this.options.renew();
      if (!token) {
        this.stop();
        return;
      }
    }
    const wait = this.options.backoff(this.attempt);
    this.attempt += 1;
    this.timer = this.options.setTimer(() => {
      this.timer = null;
      this.open();
    }, wait);
  }
}
