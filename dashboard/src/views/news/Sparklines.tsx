/** One tile per ticker: the daily mean sentiment over its newest scored items as a small
 * line, and the latest day's mean as a number. A tile's ticker filters the list. */
import { useQuery } from "@tanstack/react-query";
import { Line, LineChart, ReferenceLine, Tooltip, YAxis } from "recharts";
import { api, unwrap } from "../../api/client";
import { cx } from "../../components/ui";
import { sentimentBand, toneClass } from "../../lib/format";
import { useTheme } from "../../lib/theme";
import { FetchGate } from "./gate";
import { dailyMeans, MAX_LIMIT, scoreText, sparkDomain, type DailyMean } from "./logic";

interface Spark {
  means: DailyMean[];
  items: number;
}

const gate = new FetchGate<Spark>(15_000);

function useSpark(run: string | undefined, ticker: string) {
  return useQuery({
    queryKey: ["news", "sparkline", run, ticker],
    queryFn: () =>
      gate.get(`${run ?? ""}|${ticker}`, async () => {
        const page = unwrap(await api.GET("/api/news", { params: { query: { run_id: run, ticker, limit: MAX_LIMIT, offset: 0 } } }));
        return { means: dailyMeans(page.items), items: page.items.length };
      }),
  });
}

/** Text colour for a mean, by the same bands as the badges (readable on the tile). */
function meanTone(mean: number): string {
  const label = sentimentBand(mean).label;
  if (label.endsWith("positive")) return toneClass.up;
  if (label.endsWith("negative")) return toneClass.down;
  return "text-slate-700 dark:text-slate-300";
}

function SparkTile({ run, ticker, active, onPick }: { run: string | undefined; ticker: string; active: boolean; onPick: (ticker: string) => void }) {
  const spark = useSpark(run, ticker);
  const [theme] = useTheme();
  const means = spark.data?.means ?? [];
  const latest = means[means.length - 1];
  const stroke = theme === "dark" ? "#38bdf8" : "#0369a1";
  const label = latest
    ? `${ticker}: daily mean sentiment of its newest ${spark.data?.items ?? 0} items over ${means.length} day${means.length === 1 ? "" : "s"}, latest ${scoreText(latest.mean)} on ${latest.day}`
    : `${ticker}: no scored news`;
  return (
    <li
      data-testid="sparkline"
      data-ticker={ticker}
      className={cx("min-w-0 rounded-xl border bg-white p-3 dark:bg-slate-900", active ? "border-sky-600 dark:border-sky-400" : "border-slate-200 dark:border-slate-800")}
    >
      <div className="flex items-baseline justify-between gap-2">
        <button type="button" onClick={() => onPick(ticker)} aria-pressed={active} className="rounded font-semibold hover:underline focus-visible:outline-2 focus-visible:outline-sky-600" title={active ? "Show every ticker" : `Only ${ticker}`}>
          {ticker}
        </button>
        <span className={cx("text-lg font-semibold tabular-nums", latest ? meanTone(latest.mean) : "text-slate-600 dark:text-slate-400")} data-testid="sparkline-latest">
          {latest ? scoreText(latest.mean) : "—"}
        </span>
      </div>
      <div className="text-xs text-slate-600 dark:text-slate-400">
        {spark.isPending ? "Loading…" : spark.isError ? "Could not load" : latest ? `${latest.day} · ${latest.count} item${latest.count === 1 ? "" : "s"}` : "No items"}
      </div>
      <div role="img" aria-label={label} className="mt-1 h-10">
        {means.length > 1 && (
          <LineChart responsive data={means} style={{ width: "100%", height: 40 }} margin={{ top: 2, right: 2, bottom: 2, left: 2 }} accessibilityLayer={false}>
            <YAxis hide domain={sparkDomain(means)} />
            <ReferenceLine y={0} stroke={theme === "dark" ? "#475569" : "#cbd5e1"} strokeDasharray="2 2" />
            <Tooltip
              formatter={(v) => scoreText(Number(v))}
              labelFormatter={(_, payload) => String((payload?.[0]?.payload as DailyMean | undefined)?.day ?? "")}
              contentStyle={{ background: theme === "dark" ? "#0f172a" : "#fff", border: "1px solid #64748b", borderRadius: 6, fontSize: 11, padding: "2px 6px" }}
            />
            <Line dataKey="mean" name="Daily mean" type="linear" stroke={stroke} strokeWidth={1.5} dot={false} isAnimationActive={false} />
          </LineChart>
        )}
      </div>
    </li>
  );
}

export function Sparklines({ run, tickers, selected, onPick }: { run: string | undefined; tickers: string[]; selected?: string | undefined; onPick: (ticker: string) => void }) {
  return (
    <ul className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6" aria-label="Sentiment by ticker">
      {tickers.map((t) => (
        <SparkTile key={t} run={run} ticker={t} active={selected === t} onPick={onPick} />
      ))}
    </ul>
  );
}
