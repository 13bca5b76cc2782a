/** The engine's status: its state and why, where it trades, how fresh it is, its circuit
 * breakers (cooldowns ticking), the pools, the heat against the tier's maximum and the
 * last day's P&L. */
import type { ReactNode } from "react";
import type { components } from "../../api/schema";
import { Badge, Card, cx } from "../../components/ui";
import { dateTime, money, pct, qty, tone, toneClass } from "../../lib/format";
import { Fact, toneBadge, useNow, YesNo } from "./bits";
import { Controls } from "./Controls";
import { ago, arcPath, cooldownLeft, engineNow, heatGauge, poolSplit, shownState, stateTone, type HeatLevel } from "./logic";
import type { Breaker, ControlStatus, EngineStatus } from "./types";

export function EngineCard({ engine, run, runId }: { engine: EngineStatus; run: ControlStatus; runId: string | undefined }) {
  const now = useNow();
  const state = shownState(engine, run);
  const holds = [engine.paused_by && `paused by ${engine.paused_by}`, engine.halted_by && `halted by ${engine.halted_by}`].filter(Boolean) as string[];
  if (holds.length === 0 && run.hold) holds.push(run.hold);
  const beatAge = engine.heartbeat_at ? now - Date.parse(engine.heartbeat_at) : null;
  return (
    <Card testId="engine-status">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex min-w-0 flex-col gap-1">
          <div className="flex flex-wrap items-center gap-2">
            <h2 className="text-sm font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">Engine</h2>
            <span data-testid="engine-state" data-state={state} className={cx("inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-sm font-semibold", toneBadge[stateTone(state)])}>
              <span aria-hidden="true" className={cx("h-2 w-2 rounded-full", state === "running" ? "bg-emerald-500" : "bg-current opacity-70")} />
              {state}
            </span>
            {run.run_id && <Badge>{run.hosted ? "hosted" : "external"} run</Badge>}
          </div>
          {(engine.reason || holds.length > 0) && (
            <p data-testid="engine-reason" className="text-sm text-slate-700 dark:text-slate-300">
              {[engine.reason, ...holds].filter(Boolean).join(" · ")}
            </p>
          )}
        </div>
        <Controls engine={engine} run={run} runId={runId} />
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3 lg:grid-cols-6">
        <Fact label="Engine">{engine.engine}</Fact>
        <Fact label="Mode" testId="engine-mode">
          {engine.mode ?? run.mode ?? "—"}
        </Fact>
        <Fact label="Broker">{engine.broker ?? "—"}</Fact>
        <Fact label="Tier" testId="engine-tier">
          {engine.tier ?? run.tier ?? "—"}
        </Fact>
        <Fact label="Run">
          <span title={run.run_id ?? engine.run_id ?? undefined} className="font-mono text-xs">
            {(run.run_id ?? engine.run_id ?? "—").slice(0, 18)}
          </span>
        </Fact>
        <Fact label="Started">{dateTime(engine.started_at ?? run.started_at)}</Fact>
        <Fact label="Engine clock">{dateTime(engine.as_of)}</Fact>
        <Fact label="Last decision">{dateTime(engine.last_decision_at)}</Fact>
        <Fact label="Last bar">{dateTime(engine.last_bar_at)}</Fact>
        <Fact label="Feed">
          <YesNo value={engine.feed_fresh} yes="fresh" no="stale" />
        </Fact>
        <Fact label="Reconciled">
          <YesNo value={engine.reconciled} />
        </Fact>
        <Fact label="Heartbeat" testId="engine-heartbeat">
          <span className={engine.loop_alive ? toneClass.up : beatAge === null ? "" : toneClass.down}>{engine.loop_alive ? "alive" : engine.heartbeat_at ? "stalled" : "—"}</span>
          {engine.heartbeat_at && <span className="text-slate-600 dark:text-slate-400"> · {ago(engine.heartbeat_at, now)}</span>}
        </Fact>
      </dl>
    </Card>
  );
}

const breakerNames: Record<string, string> = {
  daily_loss: "Daily loss",
  single_position: "Single position",
  volatility: "Volatility",
  manual: "Manual",
};

/** Each breaker: tripped or not, since when, for which tickers, and the cooldown left,
 * counted on the engine's clock (a replay's is simulated and does not tick here). */
export function Breakers({ breakers, asOf, fetchedAt }: { breakers: Breaker[]; asOf: string | null | undefined; fetchedAt: number }) {
  const wall = useNow();
  const clock = engineNow(asOf, fetchedAt, wall);
  const tripped = breakers.filter((b) => b.tripped).length;
  return (
    <Card
      title="Circuit breakers"
      testId="breakers"
      actions={
        <span className="text-sm text-slate-600 dark:text-slate-400">
          {tripped === 0 ? "none tripped" : `${tripped} tripped`}
          {clock.simulated && " · cooldowns on the replay's clock"}
        </span>
      }
    >
      {breakers.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No risk engine: no breakers.</p>
      ) : (
        <ul className="grid grid-cols-2 gap-2 xl:grid-cols-4">
          {breakers.map((b) => {
            const extra = b as Breaker & { reason?: string | null };
            return (
              <li
                key={b.name}
                data-testid="breaker"
                data-name={b.name}
                data-tripped={b.tripped}
                className={cx("rounded-lg border p-3 text-sm", b.tripped && "col-span-2 xl:col-span-1", b.tripped ? "border-rose-300 bg-rose-50 dark:border-rose-800 dark:bg-rose-950" : "border-slate-200 dark:border-slate-800")}
              >
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium">{breakerNames[b.name] ?? b.name.replaceAll("_", " ")}</span>
                  <Badge className={b.tripped ? toneBadge.bad : toneBadge.good}>{b.tripped ? "tripped" : "armed"}</Badge>
                </div>
                {b.tripped ? (
                  <dl className="mt-2 grid grid-cols-2 gap-x-2 gap-y-1 text-xs">
                    <dt className="text-slate-600 dark:text-slate-400">Cooldown left</dt>
                    <dd data-testid="breaker-cooldown" className="text-right font-semibold tabular-nums">
                      {cooldownLeft(b.tripped, b.until, clock.now)}
                    </dd>
                    <dt className="text-slate-600 dark:text-slate-400">Since</dt>
                    <dd className="text-right tabular-nums">{dateTime(b.since)}</dd>
                    {b.until && (
                      <>
                        <dt className="text-slate-600 dark:text-slate-400">Until</dt>
                        <dd className="text-right tabular-nums">{dateTime(b.until)}</dd>
                      </>
                    )}
                    {(b.symbols?.length ?? 0) > 0 && (
                      <>
                        <dt className="text-slate-600 dark:text-slate-400">Symbols</dt>
                        <dd className="text-right">{b.symbols?.join(", ")}</dd>
                      </>
                    )}
                    {extra.reason && <dd className="col-span-2 text-slate-700 dark:text-slate-300">{extra.reason}</dd>}
                  </dl>
                ) : (
                  <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">Not tripped</p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

const heatColour: Record<HeatLevel, string> = {
  ok: "stroke-emerald-500",
  warn: "stroke-amber-500",
  hot: "stroke-rose-500",
  unknown: "stroke-slate-400",
};

/** A semicircle: the heat (what every stop being hit would cost) against the tier's
 * maximum; it turns amber at half and red at 80 %, where stops start to tighten. */
export function HeatGauge({ heat, heatValue, max, tier }: { heat: string | null | undefined; heatValue: string | null | undefined; max: number | null; tier: string | null | undefined }) {
  const g = heatGauge(heat, max);
  const track = arcPath(1, 100, 100, 80);
  const value = arcPath(g.ratio, 100, 100, 80);
  return (
    <Card title="Portfolio heat" testId="heat">
      <div className="flex flex-col items-center">
        <svg viewBox="0 0 200 112" role="img" aria-label={g.label} data-testid="heat-gauge" data-ratio={g.ratio.toFixed(4)} className="w-full max-w-[14rem]">
          <path d={track} fill="none" strokeWidth="16" strokeLinecap="round" className="stroke-slate-200 dark:stroke-slate-700" />
          {value && <path d={value} fill="none" strokeWidth="16" strokeLinecap="round" className={heatColour[g.level]} />}
          <text x="100" y="92" textAnchor="middle" className="fill-slate-900 text-[26px] font-semibold dark:fill-slate-100">
            {g.heat === null ? "—" : pct(g.heat, { digits: 1 })}
          </text>
          <text x="100" y="110" textAnchor="middle" className="fill-slate-600 text-[12px] dark:fill-slate-400">
            {g.max === null ? "max unknown" : `of ${pct(g.max, { digits: 0 })} max`}
          </text>
        </svg>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          {money(heatValue)} at risk{tier ? ` · ${tier} tier` : ""}
        </p>
      </div>
    </Card>
  );
}

export function Pools({ active, reserve }: { active: string | null | undefined; reserve: string | null | undefined }) {
  const split = poolSplit(active, reserve);
  return (
    <Card title="Pools" testId="pools">
      {split === null ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No risk engine running: no pools.</p>
      ) : (
        <div className="flex flex-col gap-3">
          <div className="grid grid-cols-2 gap-2">
            <PoolFigure label="Active" value={money(split.active)} share={split.activeShare} swatch="bg-sky-600" testId="pool-active" />
            <PoolFigure label="Reserve" value={money(split.reserve)} share={1 - split.activeShare} swatch="bg-amber-500" testId="pool-reserve" />
          </div>
          <div
            role="img"
            aria-label={`Active pool ${money(split.active)} (${pct(split.activeShare, { digits: 0 })}), reserve ${money(split.reserve)} (${pct(1 - split.activeShare, { digits: 0 })})`}
            className="flex h-3 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
          >
            <div className="bg-sky-600" style={{ width: `${split.activeShare * 100}%` }} />
            <div className="bg-amber-500" style={{ width: `${(1 - split.activeShare) * 100}%` }} />
          </div>
          <p className="text-xs text-slate-600 dark:text-slate-400">The reserve takes a share of each realised gain and is drawn only in an emergency.</p>
        </div>
      )}
    </Card>
  );
}

function PoolFigure({ label, value, share, swatch, testId }: { label: string; value: string; share: number; swatch: string; testId: string }) {
  return (
    <div>
      <div className="flex items-center gap-1.5 text-xs font-medium text-slate-600 uppercase dark:text-slate-400">
        <span aria-hidden="true" className={cx("h-2.5 w-2.5 rounded-sm", swatch)} />
        {label}
      </div>
      <div data-testid={testId} className="text-lg font-semibold tabular-nums">
        {value}
      </div>
      <div className="text-xs text-slate-600 tabular-nums dark:text-slate-400">{pct(share, { digits: 1 })}</div>
    </div>
  );
}

type Portfolio = components["schemas"]["PortfolioOut"];

export function DayPnl({ portfolio, engine, error }: { portfolio: Portfolio | undefined; engine: EngineStatus; error: ReactNode }) {
  const daily = portfolio?.daily_pnl;
  return (
    <Card title="Last 24 h P&L" testId="pnl-24h">
      {error}
      <div data-testid="pnl-24h-value" className={cx("text-3xl font-semibold tabular-nums", toneClass[tone(daily)])}>
        {money(daily, { signed: true })}
      </div>
      <div className={cx("text-sm tabular-nums", toneClass[tone(portfolio?.daily_pnl_pct)])}>{pct(portfolio?.daily_pnl_pct, { signed: true })}</div>
      <dl className="mt-3 grid grid-cols-2 gap-x-3 gap-y-2">
        <Fact label="Equity">{money(engine.equity ?? portfolio?.equity)}</Fact>
        <Fact label="Cash">{money(engine.cash ?? portfolio?.cash)}</Fact>
        <Fact label="Open positions">{qty(engine.open_positions ?? portfolio?.open_positions)}</Fact>
        <Fact label="Realised">
          <span className={toneClass[tone(portfolio?.realised_pnl)]}>{money(portfolio?.realised_pnl, { signed: true })}</span>
        </Fact>
      </dl>
    </Card>
  );
}
