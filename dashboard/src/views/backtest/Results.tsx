/** A finished backtest: its metrics, equity and drawdown, monthly returns, attribution by
 * strategy and its trades (paged by the API). */
import { useMemo } from "react";
import { Link } from "react-router";
import { TimeSeriesChart, type SeriesSpec } from "../../components/charts/TimeSeriesChart";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Card, Empty, Pager, cx } from "../../components/ui";
import { dateTime, duration, money, pct, qty, tone, toneClass } from "../../lib/format";
import { Attribution } from "./Attribution";
import { attribution, drawdown, equityPoints, monthlyRows, monthShade, sharesFromMetrics } from "./derive";
import { DETAIL, HEADLINE, formatMetric, metricValue, type MetricDef } from "./metrics";
import { mutedClass, TRADES_PAGE, type BacktestOut } from "./parts";

function Tile({ def, metrics, big }: { def: MetricDef; metrics: Record<string, unknown> | null | undefined; big?: boolean }) {
  const value = metricValue(metrics, def.key);
  return (
    <div className="min-w-0 rounded-lg border border-slate-200 px-3 py-2 dark:border-slate-800" data-testid={`metric-${def.key}`} title={def.hint}>
      <div className={cx("truncate text-[11px] font-medium tracking-wide uppercase", mutedClass)}>{def.label}</div>
      <div className={cx("tabular-nums", big ? "text-xl font-semibold" : "text-sm font-medium", def.signed ? toneClass[tone(value)] : def.key === "max_drawdown" && value ? toneClass.down : "")}>{formatMetric(def, value)}</div>
    </div>
  );
}

export function MetricsGrid({ metrics }: { metrics: Record<string, unknown> | null | undefined }) {
  return (
    <Card title="Performance" testId="backtest-metrics">
      {!metrics ? (
        <Empty>The run recorded no metrics.</Empty>
      ) : (
        <>
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 md:grid-cols-5">
            {HEADLINE.map((def) => (
              <Tile key={def.key} def={def} metrics={metrics} big />
            ))}
          </div>
          <div className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3 md:grid-cols-4 xl:grid-cols-6">
            {DETAIL.filter((def) => metrics[def.key] !== undefined).map((def) => (
              <Tile key={def.key} def={def} metrics={metrics} />
            ))}
          </div>
        </>
      )}
    </Card>
  );
}

const SHADES = {
  up: ["", "bg-emerald-50 dark:bg-emerald-950", "bg-emerald-100 dark:bg-emerald-900", "bg-emerald-200 dark:bg-emerald-800"],
  down: ["", "bg-rose-50 dark:bg-rose-950", "bg-rose-100 dark:bg-rose-900", "bg-rose-200 dark:bg-rose-800"],
  flat: ["", "", "", ""],
} as const;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function MonthCell({ value, strong }: { value: number | null; strong?: boolean }) {
  const shade = monthShade(value);
  return <td className={cx("px-1.5 py-1 text-right text-xs tabular-nums", SHADES[shade.sign][shade.level], strong && "font-semibold")}>{value === null ? "" : pct(value, { digits: 1 })}</td>;
}

export function MonthlyReturns({ metrics }: { metrics: Record<string, unknown> | null | undefined }) {
  const rows = monthlyRows(metrics);
  if (rows.length === 0) return null;
  return (
    <Card title="Monthly returns" testId="backtest-monthly">
      <ScrollTable label="Monthly returns table">
        <table className="w-full min-w-[44rem] border-separate border-spacing-0.5">
          <thead>
            <tr className={cx("text-xs", mutedClass)}>
              <th scope="col" className="px-1.5 text-left font-medium">
                Year
              </th>
              {MONTHS.map((m) => (
                <th key={m} scope="col" className="px-1.5 text-right font-medium">
                  {m}
                </th>
              ))}
              <th scope="col" className="px-1.5 text-right font-medium">
                Year
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.year}>
                <th scope="row" className="px-1.5 text-left text-xs font-medium">
                  {row.year}
                </th>
                {row.months.map((v, i) => (
                  <MonthCell key={MONTHS[i]} value={v} />
                ))}
                <MonthCell value={row.total} strong />
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
    </Card>
  );
}

/** A key that changes only when the curve does, so a refetch (another page of trades)
 * keeps the chart and its zoom. */
function curveKey(run: BacktestOut): string {
  const eq = run.equity ?? [];
  const last = eq[eq.length - 1];
  return `${run.id}:${eq.length}:${eq[0]?.ts ?? ""}:${last?.ts ?? ""}:${last?.equity ?? ""}`;
}

export function EquityCharts({ run }: { run: BacktestOut }) {
  const key = curveKey(run);
  const points = useMemo(() => equityPoints(run.equity ?? []), [key]);
  const { equity, dd } = useMemo<{ equity: SeriesSpec[]; dd: SeriesSpec[] }>(
    () => ({
      equity: [{ kind: "area", points, color: "#0ea5e9", title: "Equity" }],
      dd: [{ kind: "area", points: drawdown(points).map((p) => ({ time: p.time, value: p.value * 100 })), color: "#e11d48", title: "Drawdown %" }],
    }),
    [points],
  );
  const deepest = Math.min(0, ...drawdown(points).map((p) => p.value));
  return (
    <Card title="Equity and drawdown" testId="backtest-equity" actions={<span className={cx("text-xs", mutedClass)}>{points.length} points · deepest {pct(deepest)}</span>}>
      {points.length === 0 ? (
        <Empty>No equity was recorded.</Empty>
      ) : (
        <div className="flex flex-col gap-1">
          <TimeSeriesChart series={equity} height={280} label={`Equity from ${money(points[0]?.value)} to ${money(points[points.length - 1]?.value)}`} testId="backtest-equity-chart" />
          <TimeSeriesChart series={dd} height={120} label={`Drawdown below the running peak, deepest ${pct(deepest)}`} testId="backtest-drawdown-chart" />
        </div>
      )}
    </Card>
  );
}

export function TradesTable({ run, onPage }: { run: BacktestOut; onPage: (offset: number) => void }) {
  const trades = run.trades ?? [];
  const total = run.trade_count ?? trades.length;
  return (
    <Card
      title="Trades"
      testId="backtest-trades"
      actions={
        run.run_id ? (
          <Link to={`/trades?run=${encodeURIComponent(run.run_id)}`} className="text-sm text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
            Open in the trade log
          </Link>
        ) : undefined
      }
    >
      {trades.length === 0 ? (
        <Empty>No closed trade.</Empty>
      ) : (
        <>
          <ScrollTable label="Trades table" bleed>
            <table className="w-full min-w-[60rem] text-sm">
              <HeadRow>
                <Th>Symbol</Th>
                <Th>Side</Th>
                <Th right>Qty</Th>
                <Th>Entry</Th>
                <Th>Exit</Th>
                <Th right>Entry px</Th>
                <Th right>Exit px</Th>
                <Th right>P&amp;L</Th>
                <Th right>Return</Th>
                <Th right>Held</Th>
                <Th>Strategies</Th>
              </HeadRow>
              <tbody>
                {trades.map((t) => (
                  <tr key={t.id} data-testid="backtest-trade" className={rowRule}>
                    <Td dense className="font-mono text-xs">{t.symbol}</Td>
                    <Td dense className="text-xs">{t.direction}</Td>
                    <Td dense right>{qty(t.quantity)}</Td>
                    <Td dense className="text-xs whitespace-nowrap">{dateTime(t.entry_ts, { dayOnly: run.timeframe === "1d" })}</Td>
                    <Td dense className="text-xs whitespace-nowrap">{dateTime(t.exit_ts, { dayOnly: run.timeframe === "1d" })}</Td>
                    <Td dense right>{money(t.entry_price)}</Td>
                    <Td dense right>{money(t.exit_price)}</Td>
                    <Td dense right className={toneClass[tone(t.pnl)]}>{money(t.pnl, { signed: true })}</Td>
                    <Td dense right className={toneClass[tone(t.return_pct)]}>{pct(t.return_pct, { signed: true })}</Td>
                    <Td dense right className="text-xs">{duration(t.hold_seconds)}</Td>
                    <Td dense className="text-xs">{t.strategies.join(", ") || "—"}</Td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
          {total > TRADES_PAGE && <Pager offset={run.trades_offset} limit={TRADES_PAGE} total={total} onChange={onPage} />}
        </>
      )}
    </Card>
  );
}

/** Attribution over every trade when the server's metrics carry it, else over the page of
 * trades loaded (said so). Either way a trade's P&L is split equally among its strategies. */
export function RunAttribution({ run }: { run: BacktestOut }) {
  const fromServer = sharesFromMetrics(run.metrics);
  const trades = run.trades ?? [];
  const shares = fromServer ?? attribution(trades);
  const split = "A trade opened by several strategies splits its P&L equally among them (each counts the trade once), so the shares add up to the net P&L.";
  const scope = fromServer ? `Over all ${run.trade_count ?? ""} trades.` : `Over the ${trades.length} trades on this page.`;
  return <Attribution shares={shares} note={`${split} ${scope}`} />;
}
