/** P&L and trades per strategy: a bar per strategy (green gain, red loss) and the same
 * figures in a table, the chart's accessible reading. */
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Card, Empty, cx } from "../../components/ui";
import { money, pct, tone } from "../../lib/format";
import { toneText } from "./format";
import { useTheme } from "../../lib/theme";
import type { StrategyShare } from "./derive";
import { mutedClass, ScrollX } from "./parts";

export function Attribution({ shares, note }: { shares: StrategyShare[]; note: string }) {
  const [theme] = useTheme();
  const dark = theme === "dark";
  const axis = dark ? "#cbd5e1" : "#334155";
  const label = `P&L by strategy: ${shares.map((s) => `${s.name} ${money(s.pnl)}`).join(", ")}`;
  return (
    <Card title="Attribution by strategy" testId="backtest-attribution">
      {shares.length === 0 ? (
        <Empty>No closed trade to attribute.</Empty>
      ) : (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          <div role="img" aria-label={label} style={{ height: Math.max(140, 40 * shares.length + 40) }}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={shares} layout="vertical" margin={{ left: 8, right: 16, top: 4, bottom: 4 }} accessibilityLayer={false}>
                <CartesianGrid horizontal={false} stroke={dark ? "#1e293b" : "#e2e8f0"} />
                <XAxis type="number" tick={{ fill: axis, fontSize: 11 }} tickFormatter={(v: number) => money(v, { compact: true })} stroke={axis} />
                <YAxis type="category" dataKey="name" width={110} tick={{ fill: axis, fontSize: 12 }} stroke={axis} />
                <ReferenceLine x={0} stroke={axis} />
                <Tooltip
                  formatter={(value) => [money(Number(value)), "P&L"]}
                  contentStyle={{ background: dark ? "#0f172a" : "#ffffff", borderColor: dark ? "#334155" : "#cbd5e1", color: axis, fontSize: 12 }}
                  cursor={{ fill: dark ? "#1e293b" : "#f1f5f9" }}
                />
                <Bar dataKey="pnl" isAnimationActive={false}>
                  {shares.map((s) => (
                    <Cell key={s.name} fill={s.pnl >= 0 ? "#10b981" : "#f43f5e"} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ScrollX label="Attribution table">
            <table className="w-full text-sm">
              <thead>
                <tr className={cx("border-b border-slate-200 text-left text-xs uppercase dark:border-slate-800", mutedClass)}>
                  <th scope="col" className="py-1.5 pr-3">Strategy</th>
                  <th scope="col" className="py-1.5 pr-3 text-right">Trades</th>
                  <th scope="col" className="py-1.5 pr-3 text-right">Win rate</th>
                  <th scope="col" className="py-1.5 text-right">P&amp;L share</th>
                </tr>
              </thead>
              <tbody>
                {shares.map((s) => (
                  <tr key={s.name} data-testid="attribution-row" data-strategy={s.name} className="border-b border-slate-100 last:border-0 dark:border-slate-800/60">
                    <td className="py-1.5 pr-3">{s.name}</td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{s.trades}</td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{s.trades ? pct(s.wins / s.trades, { digits: 1 }) : "—"}</td>
                    <td className={cx("py-1.5 text-right tabular-nums", toneText[tone(s.pnl)])}>{money(s.pnl, { signed: true })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className={cx("mt-2 text-xs", mutedClass)}>{note}</p>
          </ScrollX>
        </div>
      )}
    </Card>
  );
}
