/** P&L and trades per strategy: a bar per strategy (green gain, red loss) and the same
 * figures in a table, the chart's accessible reading. */
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Card, Empty, cx } from "../../components/ui";
import { money, pct, tone, toneClass } from "../../lib/format";
import { useTheme } from "../../lib/theme";
import type { StrategyShare } from "./derive";
import { mutedClass } from "./parts";

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
          <ScrollTable label="Attribution table">
            <table className="w-full text-sm">
              <HeadRow>
                <Th>Strategy</Th>
                <Th right>Trades</Th>
                <Th right>Win rate</Th>
                <Th right>P&amp;L share</Th>
              </HeadRow>
              <tbody>
                {shares.map((s) => (
                  <tr key={s.name} data-testid="attribution-row" data-strategy={s.name} className={rowRule}>
                    <Td>{s.name}</Td>
                    <Td right>{s.trades}</Td>
                    <Td right>{s.trades ? pct(s.wins / s.trades, { digits: 1 }) : "—"}</Td>
                    <Td right className={toneClass[tone(s.pnl)]}>{money(s.pnl, { signed: true })}</Td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className={cx("mt-2 text-xs", mutedClass)}>{note}</p>
          </ScrollTable>
        </div>
      )}
    </Card>
  );
}
