/** The trade log's filters: kept in the URL so a filtered log can be shared and reloaded, and
 * turned into `GET /api/trades` query parameters. Pure, so the mapping is tested on its own.
 *
 * URL keys: `symbol`, `from` and `to` (YYYY-MM-DD, exit day, inclusive), `strategy`,
 * `profitable` (yes|no), `direction` (long|short) and `offset`; any other key (`run`) is
 * left alone. Changing a filter drops `offset`: page 3 of the old result means nothing. */
import type { operations } from "../../api/schema";

export type TradesQuery = NonNullable<operations["list_trades_api_trades_get"]["parameters"]["query"]>;

export const PAGE_SIZE = 25;

export type Profitable = "any" | "yes" | "no";
export type DirectionFilter = "any" | "long" | "short";

export interface TradeFilters {
  symbol: string;
  from: string;
  to: string;
  strategy: string;
  profitable: Profitable;
  direction: DirectionFilter;
}

export type FilterKey = keyof TradeFilters;
const FILTER_KEYS: FilterKey[] = ["symbol", "from", "to", "strategy", "profitable", "direction"];

export const NO_FILTERS: TradeFilters = { symbol: "", from: "", to: "", strategy: "", profitable: "any", direction: "any" };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The server's symbol pattern (api/schemas/values.py). */
const SYMBOL = /^[A-Za-z0-9.\-/:_]{1,32}$/;
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function validDay(raw: string | null): string {
  if (!raw || !DAY.test(raw)) return "";
  return Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) ? "" : raw;
}

/** The filters in `params`; a value that is not one the filter takes reads as no filter. */
export function parseFilters(params: URLSearchParams): TradeFilters {
  const profitable = params.get("profitable");
  const direction = params.get("direction");
  return {
    symbol: (params.get("symbol") ?? "").trim(),
    from: validDay(params.get("from")),
    to: validDay(params.get("to")),
    strategy: (params.get("strategy") ?? "").trim(),
    profitable: profitable === "yes" || profitable === "no" ? profitable : "any",
    direction: direction === "long" || direction === "short" ? direction : "any",
  };
}

export function parseOffset(params: URLSearchParams): number {
  const n = Number(params.get("offset"));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

function isDefault(key: FilterKey, value: string): boolean {
  return value === "" || value === NO_FILTERS[key];
}

/** `params` with `patch` applied and the page reset; defaults are removed, not written. */
export function withFilters(params: URLSearchParams, patch: Partial<TradeFilters>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of FILTER_KEYS) {
    if (!(key in patch)) continue;
    const value = (patch[key] ?? "").trim();
    if (isDefault(key, value)) next.delete(key);
    else next.set(key, value);
  }
  next.delete("offset");
  return next;
}

/** Every filter cleared (and the page); the run and anything else stays. */
export function clearFilters(params: URLSearchParams): URLSearchParams {
  return withFilters(params, NO_FILTERS);
}

export function withOffset(params: URLSearchParams, offset: number): URLSearchParams {
  const next = new URLSearchParams(params);
  if (offset > 0) next.set("offset", String(Math.floor(offset)));
  else next.delete("offset");
  return next;
}

export function activeFilterCount(filters: TradeFilters): number {
  return FILTER_KEYS.filter((key) => !isDefault(key, filters[key])).length;
}

/** What is wrong with the filters as typed, in one line; null when the server can take them.
 * A filter named here is left out of the query rather than sent to be refused. */
export function filterProblem(filters: TradeFilters): string | null {
  if (filters.symbol && !SYMBOL.test(filters.symbol)) return `"${filters.symbol}" is not a symbol: letters, digits and . - / : _ only (e.g. AAPL, BTC/USDT).`;
  if (filters.strategy && !NAME.test(filters.strategy)) return `"${filters.strategy}" is not a strategy name.`;
  if (filters.from && filters.to && filters.from > filters.to) return `"From" (${filters.from}) is after "To" (${filters.to}): no trade can match.`;
  return null;
}

/** The `GET /api/trades` query: days become UTC bounds covering the whole day (the API
 * filters on the exit time, at or after `start` and at or before `end`). */
export function toTradesQuery(filters: TradeFilters, run: string | undefined, offset: number, limit: number = PAGE_SIZE): TradesQuery {
  const query: TradesQuery = { limit, offset };
  if (run) query.run_id = run;
  if (filters.symbol && SYMBOL.test(filters.symbol)) query.symbol = filters.symbol.toUpperCase();
  if (filters.from) query.start = `${filters.from}T00:00:00Z`;
  if (filters.to) query.end = `${filters.to}T23:59:59.999999Z`;
  if (filters.strategy && NAME.test(filters.strategy)) query.strategy = filters.strategy;
  if (filters.profitable !== "any") query.profitable = filters.profitable === "yes";
  if (filters.direction !== "any") query.direction = filters.direction;
  return query;
}
