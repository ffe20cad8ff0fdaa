// Time-series charts with uPlot. Rates are drawn as percentages, durations in human units;
// the same numbers are in the table below each chart for screen-reader users.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatCount, formatRate } from "../format/numbers.ts";
import { formatDuration } from "../format/durations.ts";
import { formatShortDay } from "../format/dates.ts";
import { h } from "./dom.ts";

// Okabe–Ito: distinguishable with common colour-vision deficiencies.
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];

export type ChartSpec = {
  title: string;
  kind: "rate" | "duration" | "count";
  days: string[];
  series: { label: string; values: (number | null)[] }[];
};

// Tick steps that read well: whole minutes and hours for durations, 10 % steps for rates.
const DURATION_INCRS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

const formatter = (kind: ChartSpec["kind"]) => (v: number | null | undefined) =>
  kind === "rate" ? formatRate(v, 0) : kind === "duration" ? formatDuration(v) : formatCount(v);

export function timeSeriesChart(spec: ChartSpec): HTMLElement {
  const plotHost = h("div", { class: "chart-plot" });
  const figure = h("figure", { class: "chart", "aria-label": `${spec.title}, chart by day` }, h("figcaption", {}, spec.title), plotHost);
  const xs = spec.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const fmt = formatter(spec.kind);
  const opts: uPlot.Options = {
    width: 600,
    height: 240,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    scales: { x: { time: true }, y: { range: spec.kind === "rate" ? [0, 1] : (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { stroke: "#3b4252", grid: { stroke: "#e5e7eb" }, ticks: { stroke: "#d1d5db" }, space: 60, values: (_u, splits) => splits.map((ts) => formatShortDay(new Date(ts * 1000).toISOString().slice(0, 10))) },
      {
        stroke: "#3b4252",
        grid: { stroke: "#e5e7eb" },
        ticks: { stroke: "#d1d5db" },
        size: spec.kind === "duration" ? 78 : 56,
        incrs: spec.kind === "duration" ? DURATION_INCRS : undefined,
        values: (_u, vals) => vals.map((v) => fmt(v)),
      },
    ],
    series: [
      { label: "Day", value: (_u, v) => (v === null ? "—" : new Date(v * 1000).toISOString().slice(0, 10)) },
      ...spec.series.map((s, i) => ({
        label: s.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        points: { show: spec.days.length <= 31, size: 5 },
        value: (_u: uPlot, v: number | null) => fmt(v),
      })),
    ],
  };
  const plot = new uPlot(opts, [xs, ...spec.series.map((s) => s.values)] as uPlot.AlignedData, plotHost);
  // Follow the container's width (phones, resized windows).
  const resize = () => {
    const width = Math.max(260, Math.floor(plotHost.clientWidth));
    if (width && width !== plot.width) plot.setSize({ width, height: width < 500 ? 200 : 240 });
  };
  new ResizeObserver(resize).observe(plotHost);
  requestAnimationFrame(resize);
  return figure;
}
