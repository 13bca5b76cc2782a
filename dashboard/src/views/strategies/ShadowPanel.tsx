/** Live weights against what a shadow policy proposed: two (or more) step lines and a
 * small table of final weight and mean reward under each. A shadow policy only records,
 * so this is where a trader sees whether switching policy would have paid. */
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Card, Code, Empty } from "../../components/ui";
import { pct, signedFixed, tone, toneClass } from "../../lib/format";
import { StepChart, type LineSpec } from "./charts";
import { mergePaths, type ShadowComparison } from "./logic";

const SHADOW_COLOURS = ["#a855f7", "#f97316", "#14b8a6"];

export function ShadowEmpty({ name }: { name: string }) {
  return (
    <div data-testid="shadow-empty" className="space-y-2 p-1 text-sm text-slate-700 dark:text-slate-300">
      <p>
        No shadow-policy adjustments for <strong>{name}</strong> in this run.
      </p>
      <p className="text-slate-600 dark:text-slate-400">
        A <em>shadow policy</em> runs the learning engine beside the weights in use: after each closed trade it proposes new weights and records them, but the ensemble keeps trading on
        the live weights. It lets you compare a policy (ema, exp3, thompson) on real outcomes before trusting it with money.
      </p>
      <p className="text-slate-600 dark:text-slate-400">
        Enable it with <Code>learning.shadow: true</Code> (with <Code>learning.enabled: true</Code> and
        the <Code>learning.policy</Code> to try) in the YAML file given with <Code>--config</Code>, or the
        environment variable <Code>TRADEBOT_LEARNING__SHADOW=true</Code>, then run a backtest or session.
      </p>
    </div>
  );
}

export function ShadowPanel({ name, comparison, truncated }: { name: string; comparison: ShadowComparison | null; truncated: boolean }) {
  if (!comparison) {
    return (
      <Card title="Shadow policy vs live" testId="shadow-comparison">
        <ShadowEmpty name={name} />
      </Card>
    );
  }
  const series: Record<string, typeof comparison.live.points> = { live: comparison.live.points };
  const lines: LineSpec[] = [{ key: "live", name: `Live (${comparison.live.policy})`, colour: "#0ea5e9" }];
  comparison.shadows.forEach((s, i) => {
    series[`shadow${i}`] = s.points;
    lines.push({ key: `shadow${i}`, name: `Shadow (${s.policy})`, colour: SHADOW_COLOURS[i % SHADOW_COLOURS.length]!, dashed: true });
  });
  const rows = mergePaths(series);
  const sides = [
    { label: "Live", side: comparison.live },
    ...comparison.shadows.map((s) => ({ label: "Shadow", side: s })),
  ];
  return (
    <Card title="Shadow policy vs live" testId="shadow-comparison">
      {rows.length === 0 ? (
        <Empty>No weight path to draw.</Empty>
      ) : (
        <>
          <ul className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Lines">
            {lines.map((l) => (
              <li key={l.key} className="flex items-center gap-1.5">
                <svg width="18" height="6" aria-hidden>
                  <line x1="0" y1="3" x2="18" y2="3" stroke={l.colour} strokeWidth="2" strokeDasharray={l.dashed ? "5 3" : undefined} />
                </svg>
                {l.name}
              </li>
            ))}
          </ul>
          <StepChart rows={rows} lines={lines} testId="shadow-chart" label={`Weight of ${name}: live path against the shadow policy's proposed path`} />
        </>
      )}
      <ScrollTable label="Live and shadow figures" className="mt-3">
        <table className="w-full min-w-[420px] text-sm" data-testid="shadow-table">
          <HeadRow>
            <Th>Path</Th>
            <Th>Policy</Th>
            <Th right>Final weight</Th>
            <Th right>Mean reward</Th>
            <Th right>Adjustments</Th>
            <Th right>Clipped</Th>
          </HeadRow>
          <tbody>
            {sides.map(({ label, side }) => (
              <tr key={`${label}-${side.policy}`} className={rowRule}>
                <Td className="font-medium">{label}</Td>
                <Td>{side.policy}</Td>
                <Td right>{side.finalWeight === null ? "—" : pct(side.finalWeight, { digits: 2 })}</Td>
                <Td right className={toneClass[tone(side.meanReward)]}>{signedFixed(side.meanReward)}</Td>
                <Td right>{side.adjustments}</Td>
                <Td right>{side.clipped}</Td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
      {truncated && <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">Drawn from the newest 500 adjustments.</p>}
    </Card>
  );
}
