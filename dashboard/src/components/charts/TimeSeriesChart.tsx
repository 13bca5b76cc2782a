/** Prices and equity on TradingView's lightweight-charts: line, area or histogram series on
 * one time axis, sized to its container and coloured for the current theme. */
import {
  AreaSeries,
  createChart,
  HistogramSeries,
  LineSeries,
  type IChartApi,
  type ISeriesApi,
  type SeriesType,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";
import { useTheme } from "../../lib/theme";

export interface Point {
  /** ISO time or epoch seconds. */
  time: string | number;
  value: number;
}

export interface SeriesSpec {
  kind: "line" | "area" | "histogram";
  points: Point[];
  color?: string;
  title?: string;
}

/** Epoch seconds, ascending, one value per second (the chart refuses duplicates). */
export function toChartData(points: Point[]): Array<{ time: UTCTimestamp; value: number }> {
  const out: Array<{ time: UTCTimestamp; value: number }> = [];
  for (const p of points) {
    const t = typeof p.time === "number" ? p.time : Math.floor(Date.parse(p.time) / 1000);
    if (!Number.isFinite(t) || !Number.isFinite(p.value)) continue;
    out.push({ time: t as UTCTimestamp, value: p.value });
  }
  out.sort((a, b) => a.time - b.time);
  return out.filter((p, i) => i === 0 || p.time !== out[i - 1]!.time);
}

/** `fitKey`: what the data is of (a period, a run); when it changes the chart fits the new
 * data, while refreshes of the same data keep the reader's zoom. */
export function TimeSeriesChart({ series, height = 260, label, testId, fitKey = "" }: { series: SeriesSpec[]; height?: number; label: string; testId?: string; fitKey?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const fitted = useRef<string | null>(null);
  const [theme] = useTheme();

  useEffect(() => {
    if (!box.current) return;
    const dark = theme === "dark";
    const made = createChart(box.current, {
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: dark ? "#cbd5e1" : "#334155", attributionLogo: false },
      grid: { vertLines: { color: dark ? "#1e293b" : "#e2e8f0" }, horzLines: { color: dark ? "#1e293b" : "#e2e8f0" } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
    });
    chart.current = made;
    fitted.current = null;
    return () => {
      made.remove();
      chart.current = null;
    };
  }, [theme]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const added: ISeriesApi<SeriesType>[] = [];
    for (const spec of series) {
      const color = spec.color ?? "#0ea5e9";
      const s =
        spec.kind === "area"
          ? c.addSeries(AreaSeries, { lineColor: color, topColor: `${color}55`, bottomColor: `${color}05`, lineWidth: 2, title: spec.title ?? "" })
          : spec.kind === "histogram"
            ? c.addSeries(HistogramSeries, { color, title: spec.title ?? "" })
            : c.addSeries(LineSeries, { color, lineWidth: 2, title: spec.title ?? "" });
      s.setData(toChartData(spec.points));
      added.push(s);
    }
    // Fit once, when the first points arrive: a live refresh must not throw away the
    // range the reader zoomed or scrolled to.
    if (fitted.current !== fitKey && series.some((spec) => spec.points.length > 0)) {
      c.timeScale().fitContent();
      fitted.current = fitKey;
    }
    return () => {
      for (const s of added) {
        try {
          c.removeSeries(s);
        } catch {
          // the chart was removed with the theme change
        }
      }
    };
  }, [series, theme, fitKey]);

  return <div ref={box} role="img" aria-label={label} data-testid={testId} style={{ height }} className="w-full" />;
}
