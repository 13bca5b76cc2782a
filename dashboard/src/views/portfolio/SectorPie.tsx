/** Where the book's exposure sits: market value by sector, a donut and a legend with %. */
import { useMemo } from "react";
import { Pie, PieChart, Tooltip } from "recharts";
import { Card, Empty, Loading } from "../../components/ui";
import { money, pct } from "../../lib/format";
import { sectorAllocation, type Position } from "./logic";

/** Distinct in both themes and for the common colour-vision deficiencies (Okabe–Ito-like). */
const COLOURS = ["#0ea5e9", "#f59e0b", "#10b981", "#a855f7", "#ef4444", "#14b8a6", "#eab308", "#6366f1", "#ec4899", "#64748b"];

export function SectorPie({ positions, loading }: { positions: Position[]; loading?: boolean }) {
  const slices = useMemo(() => sectorAllocation(positions), [positions]);
  const data = useMemo(() => slices.map((s, i) => ({ name: s.sector, value: s.value, fill: COLOURS[i % COLOURS.length] })), [slices]);
  const summary = slices.map((s) => `${s.sector} ${pct(s.share, { digits: 1 })}`).join(", ");
  return (
    <Card title="Sector allocation" testId="sector-allocation">
      {loading ? (
        <Loading />
      ) : slices.length === 0 ? (
        <Empty>No open positions.</Empty>
      ) : (
        <div className="flex flex-col items-center gap-4 sm:flex-row sm:items-start xl:flex-col xl:items-stretch">
          <div role="img" aria-label={`Market value by sector: ${summary}`} className="shrink-0 self-center">
            <PieChart width={180} height={180}>
              <Pie data={data} dataKey="value" nameKey="name" innerRadius={48} outerRadius={84} paddingAngle={slices.length > 1 ? 1 : 0} stroke="none" isAnimationActive={false} />
              <Tooltip formatter={(value) => money(Number(value))} />
            </PieChart>
          </div>
          <ul className="w-full min-w-0 space-y-1 text-sm" aria-label="Sectors">
            {slices.map((s, i) => (
              <li key={s.sector} data-testid="sector-slice" data-sector={s.sector} className="flex items-center gap-2">
                <span aria-hidden="true" className="inline-block h-3 w-3 shrink-0 rounded-sm" style={{ background: COLOURS[i % COLOURS.length] }} />
                <span className="min-w-0 flex-1 truncate" title={s.symbols.join(", ")}>
                  {s.sector}
                </span>
                <span className="tabular-nums text-slate-600 dark:text-slate-400">{money(s.value, { compact: true })}</span>
                <span className="w-14 text-right font-medium tabular-nums">{pct(s.share, { digits: 1 })}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
