/** Micro trading (short intraday trades with their own caps): whether it is on, how much of
 * today's allowance is used, and the rules it trades under (`risk.rules.micro`). */
import { Badge, Card, cx } from "../../components/ui";
import { duration, pct } from "../../lib/format";
import { Fact, toneBadge } from "./bits";
import { microSettings, microUse } from "./logic";
import type { MicroStatus } from "./types";

export function MicroPanel({ micro, settings }: { micro: MicroStatus | null; settings: unknown }) {
  const rules = microSettings(settings, { pct: (v) => pct(v, { digits: 1 }), duration });
  return (
    <Card
      title="Micro trading"
      testId="micro-panel"
      actions={micro && <Badge className={micro.enabled ? toneBadge.good : toneBadge.idle}>{micro.enabled ? "enabled" : "disabled"}</Badge>}
    >
      {micro === null ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">This server does not report micro trading.</p>
      ) : (
        <MicroFigures micro={micro} />
      )}
      {rules.length > 0 && (
        <details className="mt-3 text-sm" data-testid="micro-rules">
          <summary className="cursor-pointer text-slate-700 dark:text-slate-300">Rules in effect</summary>
          <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-3 gap-y-1">
            {rules.map((r) => (
              <div key={r.key} className="contents">
                <dt className="text-slate-600 dark:text-slate-400">{r.label}</dt>
                <dd className="text-right tabular-nums">{r.value}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </Card>
  );
}

function MicroFigures({ micro }: { micro: MicroStatus }) {
  const use = microUse(micro);
  const used = micro.used_today === null ? "—" : String(micro.used_today);
  const max = micro.max_daily === null ? "—" : String(micro.max_daily);
  return (
    <div className="flex flex-col gap-3">
      <div>
        <div className="flex items-baseline justify-between text-sm">
          <span className="text-slate-600 dark:text-slate-400">Used today</span>
          <span data-testid="micro-used" className="font-semibold tabular-nums">
            {used} / {max}
          </span>
        </div>
        <div
          role="progressbar"
          aria-label="Micro trades used today"
          aria-valuemin={0}
          aria-valuemax={micro.max_daily ?? undefined}
          aria-valuenow={micro.used_today ?? undefined}
          aria-valuetext={micro.used_today === null ? "unknown: no engine here drives this run" : `${used} of ${max}`}
          className="mt-1 h-2.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
        >
          <div className={cx("h-full", use !== null && use >= 1 ? "bg-rose-500" : "bg-sky-600")} style={{ width: `${(use ?? 0) * 100}%` }} />
        </div>
        {micro.used_today === null && <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Today's count is known only to an engine this server runs.</p>}
      </div>
      <dl className="grid grid-cols-3 gap-2">
        <Fact label="Cap">{micro.allocation_cap_pct === null ? "—" : pct(micro.allocation_cap_pct, { digits: 1 })}</Fact>
        <Fact label="Max hold">{micro.max_hold_minutes === null ? "—" : duration(micro.max_hold_minutes * 60)}</Fact>
        <Fact label="Open" testId="micro-open">
          {micro.open_micro_positions ?? "—"}
        </Fact>
      </dl>
    </div>
  );
}
