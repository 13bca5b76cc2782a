/** Portfolio: what the account is worth now, how it got here, and what it holds — value and
 * cash tiles, the equity curve, the run's performance, the open positions (each closable)
 * and where the exposure sits by sector. Every figure is for the run picked at the top. */
import { RunPicker, useRunId } from "../../components/RunPicker";
import { Card, Empty, ErrorLine, Loading, PageTitle, Stat } from "../../components/ui";
import { dateTime, money, pct, ratio, tone, toneClass } from "../../lib/format";
import { EquityCard } from "./EquityCard";
import { drawdown } from "./logic";
import { PositionsTable } from "./PositionsTable";
import { useMetrics, usePortfolio, usePositions } from "./queries";
import { SectorPie } from "./SectorPie";

const TILES = "grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6";

function AccountTiles({ run }: { run: string | undefined }) {
  const portfolio = usePortfolio(run);
  if (portfolio.isPending) return <Loading />;
  if (portfolio.isError) return <ErrorLine error={portfolio.error} />;
  const p = portfolio.data;
  return (
    <div className={TILES}>
      <Stat label="Portfolio value" value={money(p.equity)} sub={p.as_of ? `as of ${dateTime(p.as_of)}` : "no snapshot yet"} testId="stat-equity" />
      <Stat label="Daily P&L" value={money(p.daily_pnl, { signed: true })} sub={<span className={toneClass[tone(p.daily_pnl_pct)]}>{pct(p.daily_pnl_pct, { signed: true })} today</span>} signedValue={p.daily_pnl} testId="stat-daily-pnl" />
      <Stat label="Cash" value={money(p.cash)} sub={`${money(p.positions_value)} in ${p.open_positions} position${p.open_positions === 1 ? "" : "s"}`} testId="stat-cash" />
      <Stat label="Buying power" value={money(p.buying_power)} sub="cash less reserve" testId="stat-buying-power" />
      <Stat label="Reserve" value={money(p.reserve)} sub="held back by risk" testId="stat-reserve" />
      <Stat label="Realised P&L" value={money(p.realised_pnl, { signed: true })} sub={p.initial_equity ? `from ${money(p.initial_equity)} start` : undefined} signedValue={p.realised_pnl} testId="stat-realised-pnl" />
    </div>
  );
}

function PerformanceTiles({ run }: { run: string | undefined }) {
  const metrics = useMetrics(run);
  if (metrics.isPending) return <Loading />;
  if (metrics.isError) return <ErrorLine error={metrics.error} />;
  const m = metrics.data;
  const dd = drawdown(m.max_drawdown);
  return (
    <section aria-labelledby="performance-heading">
      <h2 id="performance-heading" className="mb-2 text-sm font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">
        Performance <span className="font-normal normal-case text-slate-600 dark:text-slate-400">({m.source}{m.as_of ? `, ${dateTime(m.as_of)}` : ""})</span>
      </h2>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
        <Stat label="ROI" value={pct(m.total_return, { signed: true })} sub={m.net_pnl !== null ? `${money(m.net_pnl, { signed: true })} net` : undefined} signedValue={m.total_return} testId="stat-roi" />
        <Stat label="Sharpe" value={ratio(m.sharpe)} sub={m.sortino !== null ? `Sortino ${ratio(m.sortino)}` : undefined} testId="stat-sharpe" />
        <Stat label="Win rate" value={pct(m.win_rate, { digits: 1 })} sub={`${m.wins} W · ${m.losses} L of ${m.trades}`} testId="stat-win-rate" />
        <Stat label="Max drawdown" value={pct(dd, { digits: 1 })} sub={m.calmar !== null ? `Calmar ${ratio(m.calmar)}` : undefined} signedValue={dd} testId="stat-max-drawdown" />
        <Stat label="Profit factor" value={ratio(m.profit_factor)} sub={m.exposure !== null ? `exposure ${pct(m.exposure, { digits: 0 })}` : undefined} testId="stat-profit-factor" />
      </div>
    </section>
  );
}

function Holdings({ run }: { run: string | undefined }) {
  const positions = usePositions(run);
  const items = positions.data?.items ?? [];
  return (
    <Card title={`Open positions${positions.data ? ` (${items.length})` : ""}`} testId="positions-card" className="min-w-0">
      {positions.isPending ? (
        <Loading />
      ) : positions.isError ? (
        <ErrorLine error={positions.error} />
      ) : items.length === 0 ? (
        <Empty>No open positions.</Empty>
      ) : (
        <PositionsTable positions={items} run={positions.data.run_id} />
      )}
    </Card>
  );
}

/** The sector split beside the curve: it reads the same (shared, cached) positions query. */
function Allocation({ run }: { run: string | undefined }) {
  const positions = usePositions(run);
  if (positions.isError) return <ErrorLine error={positions.error} />;
  return <SectorPie positions={positions.data?.items ?? []} loading={positions.isPending} />;
}

export default function PortfolioView() {
  const [run] = useRunId();
  return (
    <div className="space-y-4">
      <PageTitle actions={<RunPicker />}>Portfolio</PageTitle>
      <AccountTiles run={run} />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <EquityCard run={run} />
        <Allocation run={run} />
      </div>
      <PerformanceTiles run={run} />
      <Holdings run={run} />
    </div>
  );
}
