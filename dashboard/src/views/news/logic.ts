/** The news view's logic, pure so it is tested without a browser: URL params ↔ filters ↔
 * API query, the live event's payload, merging live items into a page, and the per-ticker
 * daily mean sentiment behind the sparklines. */
import type { components } from "../../api/schema";
import { signedFixed } from "../../lib/format";
export type NewsItemOut = components["schemas"]["NewsItemOut"];
export type RunOut = components["schemas"]["RunOut"];

/** Items per page of the list. */
export const PAGE = 25;
/** The most one request may ask for (the API's `limit` bound): a sparkline's sample. */
export const MAX_LIMIT = 500;

export interface NewsFilters {
  ticker?: string;
  source?: string;
  minScore?: number;
  maxScore?: number;
  /** Published on or after this UTC day (YYYY-MM-DD). */
  from?: string;
  /** Published on or before this UTC day (YYYY-MM-DD). */
  to?: string;
}

/** URL parameter names: the API's own, so a link reads like the request it makes. */
export const PARAM = { ticker: "ticker", source: "source", minScore: "min_score", maxScore: "max_score", from: "start", to: "end", offset: "offset" } as const;

const SYMBOL = /^[A-Za-z0-9.\-/:_]{1,32}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function score(raw: string | null): number | undefined {
  if (raw === null || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) return undefined;
  return Math.min(1, Math.max(-1, n));
}

function day(raw: string | null): string | undefined {
  return raw && DAY.test(raw) && !Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) ? raw : undefined;
}

/** The filters a URL asks for; what the API would refuse (a malformed symbol or day, a
 * score that is not a number) is dropped rather than turned into a 422 on every load. */
export function filtersFromParams(params: URLSearchParams): NewsFilters {
  const out: NewsFilters = {};
  const ticker = params.get(PARAM.ticker)?.trim();
  if (ticker && SYMBOL.test(ticker)) out.ticker = ticker.toUpperCase();
  const source = params.get(PARAM.source)?.trim();
  if (source) out.source = source.slice(0, 200);
  const min = score(params.get(PARAM.minScore));
  if (min !== undefined) out.minScore = min;
  const max = score(params.get(PARAM.maxScore));
  if (max !== undefined) out.maxScore = max;
  const from = day(params.get(PARAM.from));
  if (from) out.from = from;
  const to = day(params.get(PARAM.to));
  if (to) out.to = to;
  return out;
}

export function offsetFromParams(params: URLSearchParams): number {
  const n = Number(params.get(PARAM.offset) ?? 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** `params` with filters set (or removed when empty), back on page 1 unless the change
 * is the page itself: a new filter makes the old offset meaningless. */
export function withParams(params: URLSearchParams, changes: Record<string, string | number | undefined | null>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || String(value).trim() === "") next.delete(key);
    else next.set(key, String(value).trim());
  }
  if (!(PARAM.offset in changes)) next.delete(PARAM.offset);
  return next;
}

/** `params` without any news filter (the run and other views' parameters stay). */
export function withoutFilters(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of Object.values(PARAM)) next.delete(key);
  return next;
}

export function hasFilters(f: NewsFilters): boolean {
  return Object.values(f).some((v) => v !== undefined);
}

export interface NewsQuery {
  run_id?: string;
  limit: number;
  offset: number;
  ticker?: string;
  source?: string;
  min_score?: number;
  max_score?: number;
  start?: string;
  end?: string;
}

/** The API query for a page. `anchor` (an ISO time) caps `end` so a later page stays put
 * while new items arrive at the top (see the view). */
export function toQuery(f: NewsFilters, page: { run?: string | undefined; limit: number; offset: number; anchor?: string | null }): NewsQuery {
  const q: NewsQuery = { limit: page.limit, offset: page.offset };
  if (page.run) q.run_id = page.run;
  if (f.ticker) q.ticker = f.ticker;
  if (f.source) q.source = f.source;
  if (f.minScore !== undefined) q.min_score = f.minScore;
  if (f.maxScore !== undefined) q.max_score = f.maxScore;
  if (f.from) q.start = `${f.from}T00:00:00Z`;
  const userEnd = f.to ? `${f.to}T23:59:59.999Z` : undefined;
  const anchor = page.anchor ?? undefined;
  if (userEnd && anchor) q.end = Date.parse(anchor) < Date.parse(userEnd) ? anchor : userEnd;
  else if (userEnd ?? anchor) q.end = userEnd ?? anchor;
  return q;
}

/** What the list shows of an item: a fetched one, or one that arrived live (which has
 * no id or body yet: the next fetch brings them). */
export interface NewsRow {
  key: string;
  ticker: string;
  score: number;
  confidence: number;
  model: string;
  title: string;
  source: string;
  url: string;
  published_at: string;
  content_hash: string;
  body?: string;
}

/** One scored item: the same article is scored per ticker and per model. */
export function itemKey(item: { content_hash: string; ticker: string; model: string }): string {
  return `${item.content_hash}|${item.ticker}|${item.model}`;
}

export function rowOf(item: NewsItemOut): NewsRow {
  return {
    key: itemKey(item),
    ticker: item.ticker,
    score: item.score,
    confidence: item.confidence,
    model: item.model,
    title: item.title,
    source: item.source,
    url: item.url,
    published_at: item.published_at,
    content_hash: item.content_hash,
    body: item.body,
  };
}

const str = (v: unknown): v is string => typeof v === "string";
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A `news` event's data (engine_bridge.news_payload) as a row; null when it is not one
 * (a newer server's shape, a truncated message): such an event is ignored, not shown. */
export function liveRow(data: Record<string, unknown>): NewsRow | null {
  const { ticker, score, confidence, model, title, source, url, published_at, content_hash } = data;
  if (!str(ticker) || !finite(score) || !str(model) || !str(title) || !str(published_at) || !str(content_hash)) return null;
  if (Number.isNaN(Date.parse(published_at))) return null;
  return {
    key: itemKey({ content_hash, ticker, model }),
    ticker,
    score,
    confidence: finite(confidence) ? confidence : 0,
    model,
    title,
    source: str(source) ? source : "",
    url: str(url) ? url : "",
    published_at,
    content_hash,
  };
}

/** Whether a live item belongs in the list the user is looking at (the server applies the
 * same filters to fetched pages): ticker, source, score range, days and the run's symbols. */
export function matchesFilters(row: Pick<NewsRow, "ticker" | "source" | "score" | "published_at">, f: NewsFilters, symbols?: readonly string[] | null): boolean {
  if (f.ticker && row.ticker.toUpperCase() !== f.ticker) return false;
  if (symbols && symbols.length > 0 && !symbols.some((s) => s.toUpperCase() === row.ticker.toUpperCase())) return false;
  if (f.source && row.source !== f.source) return false;
  if (f.minScore !== undefined && row.score < f.minScore) return false;
  if (f.maxScore !== undefined && row.score > f.maxScore) return false;
  const t = Date.parse(row.published_at);
  if (f.from && t < Date.parse(`${f.from}T00:00:00Z`)) return false;
  if (f.to && t > Date.parse(`${f.to}T23:59:59.999Z`)) return false;
  return true;
}

/** Page 1 with the live arrivals it does not hold yet: the newest `limit` of both,
 * newest first. An arrival older than the page's last row belongs to a later page and is
 * left out (under a burst, the refetched page already holds newer items than it). */
export function mergeLive(live: readonly NewsRow[], page: readonly NewsRow[], limit: number): NewsRow[] {
  const seen = new Set(page.map((r) => r.key));
  const extra: NewsRow[] = [];
  for (const r of live) {
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    extra.push(r);
  }
  if (extra.length === 0) return page.slice(0, limit);
  const time = (r: NewsRow) => Date.parse(r.published_at);
  // Array.prototype.sort is stable: the page's own order (the server's) holds for ties.
  return [...extra, ...page].sort((a, b) => time(b) - time(a)).slice(0, limit);
}

/** Live arrivals for the list in view, and what a reader on a later page is told. */
export interface LiveState {
  /** The run and filters these arrivals were matched against: another scope starts empty. */
  scope: string;
  /** Newest first, at most {@link KEEP_LIVE}. */
  live: NewsRow[];
  /** Arrivals while the reader was past page 1 (the "3 new items" counter). */
  unseen: number;
  /** Past page 1, the page is read as of just before the first arrival (`end` ≤ anchor). */
  anchor: string | null;
}

/** Arrivals kept for page 1 (older ones are in the fetched page by then). */
export const KEEP_LIVE = 100;

export const emptyLive = (scope: string): LiveState => ({ scope, live: [], unseen: 0, anchor: null });

/** `state` after `row` arrived while the reader is at `offset` in list `scope`: a repeat
 * (the stream resends after a reconnect) changes nothing. */
export function receive(state: LiveState, row: NewsRow, scope: string, offset: number): LiveState {
  const base = state.scope === scope ? state : emptyLive(scope);
  if (base.live.some((r) => r.key === row.key)) return base;
  const later = offset > 0;
  return {
    scope,
    live: [row, ...base.live].slice(0, KEEP_LIVE),
    unseen: later ? base.unseen + 1 : base.unseen,
    anchor: later && base.anchor === null ? justBefore(row.published_at) : base.anchor,
  };
}

/** Back on page 1: the arrivals show there, so nothing is unseen or held back. */
export function backToTop(state: LiveState, scope: string): LiveState {
  const base = state.scope === scope ? state : emptyLive(scope);
  return { ...base, unseen: 0, anchor: null };
}

/** An ISO time one millisecond before `iso`: "published before the first new item". */
export function justBefore(iso: string): string {
  return new Date(Date.parse(iso) - 1).toISOString();
}

export interface DailyMean {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  mean: number;
  count: number;
}

/** Mean score per UTC day, oldest first; items with an unreadable time or score are
 * skipped (one bad row must not bend a whole day's mean). */
export function dailyMeans(items: readonly { published_at: string; score: number }[]): DailyMean[] {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const item of items) {
    const t = Date.parse(item.published_at);
    if (Number.isNaN(t) || !Number.isFinite(item.score)) continue;
    const key = new Date(t).toISOString().slice(0, 10);
    const s = sums.get(key) ?? { sum: 0, count: 0 };
    s.sum += item.score;
    s.count += 1;
    sums.set(key, s);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, s]) => ({ day: d, mean: s.sum / s.count, count: s.count }));
}

/** A sparkline's y range: symmetric around 0 (so above/below the line reads as
 * positive/negative) and just wide enough, in steps of 0.25, for the means drawn. Daily
 * means sit well inside ±1, and a ±1 axis flattens every line. */
export function sparkDomain(means: readonly { mean: number }[]): [number, number] {
  const peak = Math.max(0, ...means.map((m) => Math.abs(m.mean)).filter(Number.isFinite));
  const m = Math.min(1, Math.max(0.25, Math.ceil(peak / 0.25) * 0.25));
  return [-m, m];
}

/** The tickers to offer and draw: the run's symbols, else the tickers present, plus the
 * one filtered on (a link may name one the run no longer trades); sorted, no repeats. */
export function tickerChoices(symbols: readonly string[] | null | undefined, present: readonly string[], selected?: string): string[] {
  const base = symbols && symbols.length > 0 ? symbols : present;
  const all = new Set(base.map((s) => s.toUpperCase()));
  if (selected) all.add(selected.toUpperCase());
  return [...all].sort();
}

/** The run the server reads when none is named: a running paper/live session, else the
 * newest run (runs come newest first). Used only to pick which tickers to offer. */
export function defaultRun<T extends Pick<RunOut, "mode" | "status">>(runs: readonly T[]): T | undefined {
  return runs.find((r) => r.status === "running" && (r.mode === "paper" || r.mode === "live")) ?? runs[0];
}

/** A score as `+0.42` / `−0.42` / `0.00` (two decimals: the models' resolution). */
export function scoreText(score: number): string {
  return signedFixed(score, 2);
}

export { safeHref } from "../../lib/url";
