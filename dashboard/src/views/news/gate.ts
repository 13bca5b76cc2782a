/** At most one request per key in flight, and none again within `minIntervalMs` of the
 * last answer.
 *
 * Every live `news` event invalidates every "news" query, and an invalidation cancels a
 * fetch still under way and starts it over. A sparkline asks for hundreds of items; under
 * a steady stream of news it would be restarted before it ever answered. Behind the gate
 * a restart joins the fetch already under way, and a daily mean is not re-read more often
 * than it can visibly change. */
export class FetchGate<T> {
  private readonly entries = new Map<string, { value?: T; at: number; pending?: Promise<T> }>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(key: string, fetch: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry?.pending) return entry.pending;
    if (entry && entry.value !== undefined && this.now() - entry.at < this.minIntervalMs) return Promise.resolve(entry.value);
    const pending = fetch().then(
      (value) => {
        this.entries.set(key, { value, at: this.now() });
        return value;
      },
      (error: unknown) => {
        // A failure is not remembered: the next ask tries again (and the last good value
        // stays for the interval it was given).
        if (entry) this.entries.set(key, { ...(entry.value !== undefined ? { value: entry.value } : {}), at: entry.at });
        else this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, { ...(entry ?? { at: 0 }), pending });
    return pending;
  }
}
