/** The backtest form as plain data: its defaults, the bundled data sets it offers, the
 * client-side checks (one line per problem, so a mistake is caught before a round trip)
 * and the request body it turns into. Kept free of React so every rule is tested directly. */
import type { components } from "../../api/schema";

export type BacktestIn = components["schemas"]["BacktestIn"];
export type Timeframe = components["schemas"]["Timeframe"];
export type TierName = components["schemas"]["TierName"];
export type DatasetName = NonNullable<BacktestIn["dataset"]>;
/** A bundled data set, or `"server"`: the server's own `data.dir` (the field is left out). */
export type DatasetChoice = DatasetName | "server";

export const TIMEFRAMES: Timeframe[] = ["1d", "1h", "15m", "5m", "1m"];
export const TIERS: TierName[] = ["conservative", "moderate", "aggressive"];


export interface DatasetInfo {
  label: string;
  /** Symbols with daily bars in the bundled Parquet files (PROVENANCE.md). */
  symbols: string[];
  /** The first and last day with bars (any symbol). */
  first: string;
  last: string;
  /** The window a new form starts with. */
  defaultStart: string;
  defaultEnd: string;
  note: string;
}

export const DATASETS: Record<DatasetName, DatasetInfo> = {
  stocknet: {
    label: "StockNet daily 2013–2015, with tweets",
    symbols: ["AAPL", "AMZN", "BABA", "BAC", "FB", "GOOG", "INTC", "JPM", "MSFT", "PCLN"],
    first: "2013-03-01",
    last: "2015-12-31",
    defaultStart: "2014-01-01",
    defaultEnd: "2015-06-30",
    note: "Bars 2013-03-01 to 2015-12-31 (BABA from 2014-09-19); tweets for news 2014–2015.",
  },
  equities_daily: {
    label: "US equities daily 2015–2021",
    symbols: ["AAPL", "AMZN", "GOOGL", "JNJ", "JPM", "KO", "MSFT", "NVDA", "SPY", "TSLA", "XOM"],
    first: "2015-01-02",
    last: "2021-06-04",
    defaultStart: "2019-01-01",
    defaultEnd: "2020-12-31",
    note: "Adjusted bars 2015-01-02 to 2021-04-21 (SPY 2017-01-03 to 2021-06-04); tweets only for 2015.",
  },
};

/** The symbols the seeded demo run traded: checked on a fresh form where the data has them. */
export const SEEDED_SYMBOLS = ["AAPL", "MSFT", "AMZN", "GOOG"];

export interface StrategyChoice {
  on: boolean;
  /** The slider, 0–1; the weights sent are these normalised to sum 1. */
  weight: number;
}

export interface FormState {
  dataset: DatasetChoice;
  /** Checked bundled symbols. */
  symbols: string[];
  /** More symbols, typed: commas or spaces between them. */
  extraSymbols: string;
  start: string;
  end: string;
  timeframe: Timeframe;
  capital: string;
  /** Basis points of the traded value; empty: the server's setting. */
  commissionBps: string;
  slippageBps: string;
  strategies: Record<string, StrategyChoice>;
  news: boolean;
  learning: boolean;
  /** Empty: the server's tier. */
  riskTier: TierName | "";
}

export function initialForm(strategyNames: string[] = []): FormState {
  const data = DATASETS.stocknet;
  return {
    dataset: "stocknet",
    symbols: SEEDED_SYMBOLS.filter((s) => data.symbols.includes(s)),
    extraSymbols: "",
    start: data.defaultStart,
    end: data.defaultEnd,
    timeframe: "1d",
    capital: "100000",
    commissionBps: "",
    slippageBps: "",
    strategies: Object.fromEntries(strategyNames.map((name) => [name, { on: true, weight: 1 }])),
    news: true,
    learning: true,
    riskTier: "",
  };
}

/** Adds strategies the form does not know yet (checked, full weight); keeps the user's choices. */
export function withStrategies(form: FormState, names: string[]): FormState {
  const missing = names.filter((n) => !(n in form.strategies));
  if (missing.length === 0) return form;
  return { ...form, strategies: { ...form.strategies, ...Object.fromEntries(missing.map((n) => [n, { on: true, weight: 1 }])) } };
}

/** Another data set: checked symbols it lacks are dropped and a range outside its data is
 * replaced by its default window, so the form stays runnable. */
export function switchDataset(form: FormState, dataset: DatasetChoice): FormState {
  if (dataset === "server") return { ...form, dataset, symbols: [], extraSymbols: [form.extraSymbols, ...form.symbols].filter(Boolean).join(", ") };
  const data = DATASETS[dataset];
  const kept = form.symbols.filter((s) => data.symbols.includes(s));
  const inside = form.start >= data.first && form.end <= data.last && form.start <= form.end;
  return {
    ...form,
    dataset,
    symbols: kept.length > 0 ? kept : SEEDED_SYMBOLS.filter((s) => data.symbols.includes(s)),
    start: inside ? form.start : data.defaultStart,
    end: inside ? form.end : data.defaultEnd,
    timeframe: "1d",
  };
}

const SYMBOL = /^[A-Za-z0-9.\-/:_]{1,32}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The typed symbols, upper-cased, split on commas and white space. */
export function typedSymbols(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

/** Every symbol the run will trade: checked then typed, each once. */
export function allSymbols(form: FormState): string[] {
  return [...new Set([...form.symbols, ...typedSymbols(form.extraSymbols)])];
}

export function chosenStrategies(form: FormState): string[] {
  return Object.entries(form.strategies)
    .filter(([, c]) => c.on)
    .map(([name]) => name);
}

/** The checked strategies' weights scaled to sum 1 (what the run starts with); empty when
 * they sum to 0. */
export function normalisedWeights(strategies: Record<string, StrategyChoice>): Record<string, number> {
  const on = Object.entries(strategies).filter(([, c]) => c.on);
  const total = on.reduce((sum, [, c]) => sum + Math.max(0, c.weight), 0);
  if (!(total > 0)) return {};
  return Object.fromEntries(on.map(([name, c]) => [name, Math.max(0, c.weight) / total]));
}

/** A number typed by a person: spaces, `_` and thousands commas allowed; null when not one. */
export function parseAmount(text: string): number | null {
  const cleaned = text.replace(/[\s_,]/g, "");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cleaned)) return null;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : null;
}

function validDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Every problem with the form, one line each; empty when it can be sent. */
export function validate(form: FormState): string[] {
  const problems: string[] = [];
  const symbols = allSymbols(form);
  const bad = typedSymbols(form.extraSymbols).filter((s) => !SYMBOL.test(s));
  if (bad.length > 0) problems.push(`Not a symbol: ${bad.join(", ")}.`);
  if (symbols.length === 0) problems.push("Choose at least one symbol.");
  else if (symbols.length > 50) problems.push(`At most 50 symbols (${symbols.length} chosen).`);

  const startOk = validDay(form.start);
  const endOk = validDay(form.end);
  if (!startOk) problems.push("Give a start date (YYYY-MM-DD).");
  if (!endOk) problems.push("Give an end date (YYYY-MM-DD).");
  if (startOk && endOk) {
    if (form.end <= form.start) problems.push("The end date must be after the start date.");
    else if (form.dataset !== "server") {
      const data = DATASETS[form.dataset];
      if (form.end < data.first || form.start > data.last) problems.push(`No data in that range: this data set runs ${data.first} to ${data.last}.`);
    }
  }
  if (form.dataset !== "server" && form.timeframe !== "1d") problems.push("The bundled data is daily: choose the 1d timeframe.");

  const capital = parseAmount(form.capital);
  if (capital === null || capital <= 0) problems.push("Initial capital must be a number above 0.");
  else if (capital > 1e12) problems.push("Initial capital must be at most 1,000,000,000,000.");
  for (const [label, text] of [
    ["Commission", form.commissionBps],
    ["Slippage", form.slippageBps],
  ] as const) {
    if (text.trim() === "") continue;
    const bps = parseAmount(text);
    if (bps === null || bps < 0 || bps > 1000) problems.push(`${label} must be between 0 and 1000 bps.`);
  }

  const names = chosenStrategies(form);
  if (names.length === 0) problems.push("Choose at least one strategy.");
  else if (names.length > 20) problems.push("At most 20 strategies.");
  else if (Object.keys(normalisedWeights(form.strategies)).length === 0) problems.push("Give at least one chosen strategy a weight above 0.");
  return problems;
}

/** bps → a fraction as a decimal string (5 → "0.0005"), without float noise. */
export function bpsToRate(bps: number): string {
  return String(Number((bps / 10_000).toPrecision(12)));
}

function cleanAmount(text: string): string {
  return text.replace(/[\s_,]/g, "");
}

/** What is sent: the API's own `BacktestIn`. */
export type BacktestBody = BacktestIn;

/** The request body of a valid form (call {@link validate} first). Empty costs are left
 * out (the server's settings apply); weights go normalised. */
export function buildBody(form: FormState): BacktestBody {
  const strategies = chosenStrategies(form);
  const body: BacktestBody = {
    symbols: allSymbols(form),
    start: form.start,
    end: form.end,
    timeframe: form.timeframe,
    strategies,
    weights: normalisedWeights(form.strategies),
    initial_capital: cleanAmount(form.capital),
    news: form.news,
    learning: form.learning,
  };
  if (form.dataset !== "server") body.dataset = form.dataset;
  if (form.commissionBps.trim() !== "") body.commission_rate = bpsToRate(parseAmount(form.commissionBps) ?? 0);
  if (form.slippageBps.trim() !== "") body.slippage_bps = cleanAmount(form.slippageBps);
  if (form.riskTier !== "") body.risk_tier = form.riskTier;
  return body;
}
