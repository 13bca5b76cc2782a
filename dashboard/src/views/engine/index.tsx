/** The trading engine page (seed 02's panels): its state and the operator's controls at the
 * top, always in view; then heat, pools, the day's P&L and micro trading; the circuit
 * breakers; and, in tabs, the decision explorer, performance charts, notifications and
 * the settings audit. Everything refreshes live (/ws) and the status is polled too. */
import { PageTitle, ErrorLine, Loading } from "../../components/ui";
import { RunPicker, useRunId, useRuns } from "../../components/RunPicker";
import { useSearchParam } from "../../lib/searchParam";
import { usePortfolio } from "../portfolio/queries";
import { useTradingConfig, useTradingStatus } from "./api";
import { Audit } from "./Audit";
import { TabPanel, Tabs, type TabSpec } from "./bits";
import { Decisions } from "./Decisions";
import { maxHeatFor, readMicro, statusTarget } from "./logic";
import { MicroPanel } from "./Micro";
import { Notifications } from "./Notifications";
import { Performance } from "./Performance";
import { Breakers, DayPnl, EngineCard, HeatGauge, Pools } from "./Status";

const TABS: TabSpec[] = [
  { id: "decisions", label: "Decisions" },
  { id: "performance", label: "Performance" },
  { id: "notifications", label: "Notifications" },
  { id: "audit", label: "Settings audit" },
];

export default function EngineView() {
  const [runId] = useRunId();
  const [wanted, setTab] = useSearchParam("tab");
  const tab = TABS.find((t) => t.id === wanted)?.id ?? "decisions";
  return (
    <div className="flex flex-col gap-4">
      <PageTitle actions={<RunPicker />}>Trading engine</PageTitle>
      <Overview runId={runId} />
      <section aria-label="Engine details">
        <Tabs tabs={TABS} current={tab} onChange={setTab} label="Engine details" />
        <TabPanel id={tab}>
          {tab === "decisions" && <Decisions runId={runId} />}
          {tab === "performance" && <Performance runId={runId} />}
          {tab === "notifications" && <Notifications />}
          {tab === "audit" && <Audit />}
        </TabPanel>
      </section>
    </div>
  );
}

function Overview({ runId: picked }: { runId: string | undefined }) {
  const runs = useRuns();
  const target = statusTarget(picked, runs.data?.items ?? (runs.isError ? [] : undefined));
  const runId = target.run;
  const status = useTradingStatus(runId, target.ready);
  const portfolio = usePortfolio(runId);
  const config = useTradingConfig();
  if (status.isPending) return <Loading label="Reading the engine's status…" />;
  if (status.isError) return <ErrorLine error={status.error} />;
  const { engine, run } = status.data.data;
  const tier = engine.tier ?? run.tier;
  return (
    <>
      {target.note && (
        <p data-testid="status-note" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          {target.note}
        </p>
      )}
      <EngineCard engine={engine} run={run} runId={runId} />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-4">
        <HeatGauge heat={engine.heat} heatValue={engine.heat_value} max={maxHeatFor(config.data, tier)} tier={tier} />
        <Pools active={engine.active_pool} reserve={engine.reserve_pool} />
        <DayPnl portfolio={portfolio.data} engine={engine} error={portfolio.isError ? <ErrorLine error={portfolio.error} /> : null} />
        <MicroPanel micro={readMicro(status.data.data)} settings={config.data} />
      </div>
      <Breakers breakers={engine.breakers ?? []} asOf={engine.as_of} fetchedAt={status.data.fetchedAt} />
    </>
  );
}
