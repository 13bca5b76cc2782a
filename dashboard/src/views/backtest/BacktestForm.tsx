/** The form that starts a backtest: data, symbols and dates; strategies and their starting
 * weights; capital, costs and risk; news and learning. Checked here first (one line per
 * problem), then by the server (its refusal shown as one line); accepted, it opens the run. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState, type ReactNode } from "react";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { captionClass, Field, SelectField, tallControlClass } from "../../components/Field";
import { Button, Card, ErrorLine, cx } from "../../components/ui";
import { pct } from "../../lib/format";
import {
  DATASETS,
  TIERS,
  TIMEFRAMES,
  allSymbols,
  buildBody,
  initialForm,
  normalisedWeights,
  parseAmount,
  switchDataset,
  validate,
  withStrategies,
  type BacktestBody,
  type DatasetChoice,
  type FormState,
} from "./model";
import { mutedClass } from "./parts";

const inputClass = cx(tallControlClass, "w-full");

/** The settings' default ensemble: offered when the strategy list cannot be read. */
const FALLBACK_STRATEGIES = ["momentum", "macd", "mean_reversion", "news"];

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
      <legend className="px-1 text-xs font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">{title}</legend>
      <div className="flex flex-col gap-3">{children}</div>
    </fieldset>
  );
}

export interface FormViewProps {
  form: FormState;
  setForm: (update: (form: FormState) => FormState) => void;
  descriptions: Record<string, string>;
  onSubmit: (body: BacktestBody) => void;
  busy?: boolean;
  serverError?: unknown;
  strategiesNote?: ReactNode;
}

/** The form itself, without the network (tested on its own). */
export function FormView({ form, setForm, descriptions, onSubmit, busy = false, serverError, strategiesNote }: FormViewProps) {
  const ids = useId();
  const [tried, setTried] = useState(false);
  const problems = useMemo(() => validate(form), [form]);
  const weights = normalisedWeights(form.strategies);
  const data = form.dataset === "server" ? null : DATASETS[form.dataset];
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const capital = parseAmount(form.capital);

  return (
    <form
      data-testid="backtest-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (problems.length === 0) onSubmit(buildBody(form));
      }}
      className="flex flex-col gap-3"
    >
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-3">
        <Section title="Data">
          <div>
            <SelectField<DatasetChoice>
              label="Data set"
              value={form.dataset}
              onChange={(v) => setForm((f) => switchDataset(f, v))}
              options={[
                ["stocknet", DATASETS.stocknet.label],
                ["equities_daily", DATASETS.equities_daily.label],
                ["server", "The server's data folder (data.dir)"],
              ]}
              selectClass={inputClass}
            />
            <p className={cx("mt-1 text-xs", mutedClass)}>{data ? data.note : "Symbols and bars as the server's data.dir holds them; type the symbols below."}</p>
          </div>
          {data && (
            <div role="group" aria-labelledby={`${ids}-symbols`}>
              <div className="mb-1 flex items-center justify-between gap-2">
                <span id={`${ids}-symbols`} className={captionClass}>
                  Symbols
                </span>
                <span className="flex gap-1">
                  <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={() => set("symbols", [...data.symbols])}>
                    All
                  </Button>
                  <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={() => set("symbols", [])}>
                    None
                  </Button>
                </span>
              </div>
              <div className="flex flex-wrap gap-1.5">
                {data.symbols.map((symbol) => {
                  const on = form.symbols.includes(symbol);
                  return (
                    <label key={symbol} className={cx("flex cursor-pointer items-center gap-1 rounded-md border px-2 py-1 font-mono text-xs", on ? "border-sky-600 bg-sky-50 text-sky-900 dark:border-sky-500 dark:bg-sky-950 dark:text-sky-100" : "border-slate-300 dark:border-slate-700")}>
                      <input type="checkbox" checked={on} onChange={(e) => set("symbols", e.target.checked ? [...form.symbols, symbol] : form.symbols.filter((s) => s !== symbol))} />
                      {symbol}
                    </label>
                  );
                })}
              </div>
            </div>
          )}
          <div>
            <Field label={data ? "More symbols" : "Symbols"}>
              <input className={cx(inputClass, "font-mono")} placeholder="e.g. JPM, INTC" value={form.extraSymbols} onChange={(e) => set("extraSymbols", e.target.value)} />
            </Field>
            <p className={cx("mt-1 text-xs", mutedClass)} data-testid="backtest-symbol-count">
              {allSymbols(form).length} symbol{allSymbols(form).length === 1 ? "" : "s"}: {allSymbols(form).join(", ") || "none"}
            </p>
          </div>
          <div className="grid grid-cols-2 gap-2">
            <Field label="Start">
              <input type="date" className={inputClass} min={data?.first} max={data?.last} value={form.start} onChange={(e) => set("start", e.target.value)} />
            </Field>
            <Field label="End (included)">
              <input type="date" className={inputClass} min={data?.first} max={data?.last} value={form.end} onChange={(e) => set("end", e.target.value)} />
            </Field>
          </div>
          <div className="flex flex-wrap items-end gap-2">
            <SelectField label="Timeframe" className="min-w-[7rem] flex-1" value={form.timeframe} onChange={(v) => set("timeframe", v)} options={TIMEFRAMES} selectClass={inputClass} />
            {data && (
              <Button onClick={() => setForm((f) => ({ ...f, start: data.first, end: data.last }))} title={`${data.first} to ${data.last}`}>
                All data
              </Button>
            )}
          </div>
        </Section>

        <Section title="Strategies">
          {strategiesNote}
          <ul className="flex flex-col gap-2" aria-label="Strategies and starting weights">
            {Object.entries(form.strategies).map(([name, choice]) => (
              <li key={name} className="rounded-md border border-slate-200 p-2 dark:border-slate-800">
                <div className="flex items-center justify-between gap-2">
                  <label className="flex items-center gap-2 text-sm font-medium">
                    <input type="checkbox" checked={choice.on} onChange={(e) => setForm((f) => ({ ...f, strategies: { ...f.strategies, [name]: { ...choice, on: e.target.checked } } }))} />
                    {name}
                  </label>
                  <span className="text-xs tabular-nums" data-testid={`backtest-weight-${name}`}>
                    {choice.on ? pct(weights[name] ?? 0, { digits: 0 }) : "off"}
                  </span>
                </div>
                {descriptions[name] && <p className={cx("mt-0.5 text-xs", mutedClass)}>{descriptions[name]}</p>}
                <div className="mt-1 flex items-center gap-2">
                  <input
                    type="range"
                    min={0}
                    max={1}
                    step={0.05}
                    value={choice.weight}
                    disabled={!choice.on}
                    aria-label={`Weight of ${name}`}
                    onChange={(e) => setForm((f) => ({ ...f, strategies: { ...f.strategies, [name]: { ...choice, weight: Number(e.target.value) } } }))}
                    className="flex-1 accent-sky-700 disabled:opacity-40"
                  />
                  <span className="w-9 text-right text-xs tabular-nums">{choice.weight.toFixed(2)}</span>
                </div>
              </li>
            ))}
          </ul>
          <p className={cx("text-xs", mutedClass)}>Weights are scaled to sum to 100% (shown right); the ensemble starts from them.</p>
        </Section>

        <Section title="Account, costs and risk">
          <Field label="Initial capital (USD)">
            <input inputMode="decimal" className={cx(inputClass, "tabular-nums")} value={form.capital} onChange={(e) => set("capital", e.target.value)} />
          </Field>
          <div className="grid grid-cols-2 gap-2">
            <Field label="Commission (bps)">
              <input inputMode="decimal" placeholder="server default" className={cx(inputClass, "tabular-nums")} value={form.commissionBps} onChange={(e) => set("commissionBps", e.target.value)} />
            </Field>
            <Field label="Slippage (bps)">
              <input inputMode="decimal" placeholder="server default" className={cx(inputClass, "tabular-nums")} value={form.slippageBps} onChange={(e) => set("slippageBps", e.target.value)} />
            </Field>
          </div>
          <p className={cx("-mt-2 text-xs", mutedClass)}>
            1 bp = 0.01% of the traded value{capital !== null && capital > 0 && form.commissionBps.trim() !== "" && parseAmount(form.commissionBps) !== null ? ` · ${pct((parseAmount(form.commissionBps) ?? 0) / 10_000, { digits: 3 })} per fill` : ""}.
          </p>
          <SelectField<FormState["riskTier"]> label="Risk tier" value={form.riskTier} onChange={(v) => set("riskTier", v)} options={[["", "The server's tier"], ...TIERS]} selectClass={inputClass} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={form.news} onChange={(e) => set("news", e.target.checked)} />
            News: replay the bundled tweets (2014–2015)
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={form.learning} onChange={(e) => set("learning", e.target.checked)} />
            Learning: adapt strategy weights from outcomes
          </label>
        </Section>
      </div>

      {tried && problems.length > 0 && (
        <ul role="alert" data-testid="backtest-form-errors" className="rounded-lg border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-100">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {serverError != null && <ErrorLine error={serverError} />}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy} data-testid="backtest-submit">
          {busy ? "Starting…" : "Run backtest"}
        </Button>
        <span className={cx("text-xs", mutedClass)}>
          {allSymbols(form).length} symbols · {form.start} → {form.end} · {form.timeframe} · {Object.keys(weights).length} strategies
        </span>
      </div>
    </form>
  );
}

/** The form wired to the server: strategies from GET /api/strategies, POST /api/backtests. */
export function BacktestForm() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const strategies = useQuery({ queryKey: ["strategies", "backtest-form"], queryFn: async () => unwrap(await api.GET("/api/strategies")), staleTime: 60_000 });
  const names = strategies.data?.items.map((s) => s.name) ?? (strategies.isError ? FALLBACK_STRATEGIES : []);
  const descriptions = Object.fromEntries((strategies.data?.items ?? []).map((s) => [s.name, s.description]));
  const [form, setFormState] = useState<FormState>(() => initialForm());
  const namesKey = names.join(",");
  useEffect(() => {
    if (namesKey) setFormState((f) => withStrategies(f, namesKey.split(",")));
  }, [namesKey]);

  const submit = useMutation({
    mutationFn: async (body: BacktestBody) => unwrap(await api.POST("/api/backtests", { body })),
    onSuccess: (accepted) => {
      void client.invalidateQueries({ queryKey: ["backtests"] });
      void navigate(`/backtest/${encodeURIComponent(accepted.id)}`);
    },
  });

  // A refusal is about the form as it was sent: once the form changes, it no longer applies.
  const { reset } = submit;
  useEffect(() => reset(), [form, reset]);

  const note = strategies.isPending ? (
    <p className={cx("text-xs", mutedClass)}>Loading strategies…</p>
  ) : strategies.isError ? (
    <p className={cx("text-xs", mutedClass)}>The strategy list could not be read; the default ensemble is offered.</p>
  ) : null;

  return (
    <Card title="New backtest">
      <FormView form={form} setForm={setFormState} descriptions={descriptions} onSubmit={(body) => submit.mutate(body)} busy={submit.isPending} serverError={submit.error ?? undefined} strategiesNote={note} />
    </Card>
  );
}
