import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, SubTitle, Title, type ChartConfiguration, type ChartDataset, type ChartItem, type Plugin } from 'chart.js';
import { IANAZone } from 'luxon';
import { prepareSeries, type XY } from './decimate.ts';
import { ensureGraphFont } from './fonts.ts';
import { encodePngFast } from './png.ts';
import { formatTimeTick, formatValue, niceTicks, timeTicks, valueScale, type ValueScale } from './format.ts';
import { GRAPH_COLORS as C, type GraphPoint, type GraphSpec } from './spec.ts';
import { pointAt } from './window.ts';

let chartRegistered = false;

/** Registers only the chart.js pieces a line chart on a linear X axis needs, once. */
function ensureChartComponents(): void {
  if (chartRegistered) return;
  Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Title, SubTitle);
  chartRegistered = true;
}

/**
 * Renders the forecast graph as a PNG, in-process (chart.js on @napi-rs/canvas).
 *
 * Drawing is synchronous and bounded by decimating the history to about one min/max pair per
 * pixel column; so is the PNG encoding (a fast deflate, see `encodePngFast`): run it on the render
 * pool's worker threads, not on a thread that serves requests.
 *
 * @throws {RangeError} for an invalid spec (unknown time zone, size out of range, bad `now`)
 */
export async function renderForecastGraph(spec: GraphSpec): Promise<Buffer> {
  const width = spec.width ?? 1000;
  const height = spec.height ?? 500;
  validate(spec, width, height);
  const family = ensureGraphFont();
  ensureChartComponents();

  const canvas = createCanvas(width, height);
  const layout = computeLayout(spec, width);
  const px = (n: number) => Math.round((n * width) / 1000);
  const font = (size: number, weight: 'normal' | 'bold' = 'normal') => ({ family, size: px(size), weight });
  const words = spec.words;
  const xTicks = timeTicks(layout.xMin, layout.xMax, spec.timeZone, Math.max(4, Math.floor(width / 110)));
  const xLabel = (t: number) => formatTimeTick(t, spec.timeZone, spec.language);
  // The last tick label is centred on its tick, which may sit at the right edge: leave room for its half.
  const measure = canvas.getContext('2d');
  measure.font = `${px(13)}px ${family}`;
  const lastLabel = xTicks.length > 0 ? measure.measureText(xLabel(xTicks[xTicks.length - 1]!)).width : 0;
  const rightPad = Math.max(px(20), Math.ceil(lastLabel / 2) + px(6));

  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: { datasets: datasets(spec, layout) },
    options: {
      animation: false,
      responsive: false,
      maintainAspectRatio: false,
      devicePixelRatio: 1,
      parsing: false,
      normalized: true,
      events: [],
      layout: { padding: { left: px(8), right: rightPad, top: px(4), bottom: px(6) } },
      scales: {
        x: {
          type: 'linear',
          min: layout.xMin,
          max: layout.xMax,
          afterBuildTicks: (axis) => {
            axis.ticks = xTicks.map((value) => ({ value }));
          },
          ticks: { callback: (v) => xLabel(Number(v)), maxRotation: 0, autoSkip: true, color: C.text, font: font(13) },
          title: { display: words.timeAxis !== '', text: words.timeAxis, color: C.text, font: font(13) },
          grid: { color: C.grid },
        },
        y: {
          type: 'linear',
          min: layout.yMin,
          max: layout.yMax,
          afterBuildTicks: (axis) => {
            axis.ticks = layout.yTicks.map((value) => ({ value }));
          },
          ticks: { display: layout.hasValues, callback: (v) => formatValue(Number(v), layout.scale), color: C.text, font: font(13) },
          title: { display: words.valueAxis !== '', text: words.valueAxis, color: C.text, font: font(13) },
          grid: { color: C.grid },
        },
      },
      plugins: {
        title: { display: true, text: spec.title, color: C.text, font: font(20, 'bold'), padding: { top: px(6), bottom: px(2) } },
        subtitle: { display: Boolean(spec.subtitle), text: spec.subtitle ?? '', color: '#555555', font: font(14), padding: { bottom: px(6) } },
        legend: {
          position: 'bottom',
          // A line sample for lines (dashed for the projection), a filled box for the band.
          labels: {
            color: C.text,
            font: font(13),
            usePointStyle: true,
            pointStyleWidth: px(30),
            boxHeight: px(10),
            padding: px(14),
            // chart.js takes a point-style sample's stroke from the point, not the line: give it the line's.
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
                const ds = chart.data.datasets[item.datasetIndex ?? 0] as ChartDataset<'line', XY[]>;
                return { ...item, lineDash: (ds.borderDash as number[] | undefined)?.map(px) ?? [], lineWidth: px(Number(ds.borderWidth ?? 1) + 0.5), strokeStyle: ds.borderColor as string };
              }),
          },
        },
        tooltip: { enabled: false },
      },
    },
    plugins: [backgroundPlugin(), overlayPlugin(spec, layout, family, px)],
  };

  const chart = new Chart(canvas as unknown as ChartItem, config);
  try {
    return encodePngFast(canvas);
  } finally {
    chart.destroy();
  }
}

/** What the graph of a spec shows, without drawing it: the axes' ranges and ticks and the legend's names (for tests). */
export interface GraphOutline {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  yTicks: number[];
  legend: string[];
  /** The ETA lies past the axis: its label is at the right edge. */
  etaBeyond: boolean;
}

/** @see GraphOutline */
export function outlineGraph(spec: GraphSpec): GraphOutline {
  const width = spec.width ?? 1000;
  validate(spec, width, spec.height ?? 500);
  const layout = computeLayout(spec, width);
  const { xMin, xMax, yMin, yMax, yTicks, etaBeyond } = layout;
  return { xMin, xMax, yMin, yMax, yTicks, etaBeyond, legend: datasets(spec, layout).map((d) => d.label ?? '') };
}

interface Layout {
  history: XY[];
  hasData: boolean;
  xMin: number;
  xMax: number;
  hasValues: boolean;
  yTicks: number[];
  yMin: number;
  yMax: number;
  scale: ValueScale;
  /** The trend and projection cut to the window (absent when outside it). */
  trend: { from: GraphPoint; to: GraphPoint } | null;
  projection: { from: GraphPoint; to: GraphPoint } | null;
  /** The ETA band's fan, when some of it lies in the window. */
  band: { from: GraphPoint; near: GraphPoint; far: GraphPoint } | null;
  /** The ETA lies past the window's end: its label goes to the right edge. */
  etaBeyond: boolean;
}

function validate(spec: GraphSpec, width: number, height: number): void {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < 200 || v > 4000) throw new RangeError(`graph ${name} must be an integer 200-4000, got ${v}`);
  }
  if (!IANAZone.isValidZone(spec.timeZone)) throw new RangeError(`graph timeZone: unknown IANA zone ${JSON.stringify(spec.timeZone)}`);
  if (!Number.isFinite(spec.now)) throw new RangeError(`graph now: expected epoch seconds, got ${spec.now}`);
  if (!Array.isArray(spec.series)) throw new RangeError('graph series: expected an array of points');
  if (!spec.words || typeof spec.words !== 'object') throw new RangeError('graph words: expected the axis, legend and label texts');
  const w = spec.window;
  if (w && !(Number.isFinite(w.from) && Number.isFinite(w.to) && w.to > w.from)) throw new RangeError(`graph window: expected from < to, got ${JSON.stringify(w)}`);
}

function finitePoint(p: GraphPoint | undefined): p is GraphPoint {
  return p !== undefined && Number.isFinite(p.time) && Number.isFinite(p.value);
}

/** The segment cut to [from, to]; null when it lies outside. */
function clipSegment(a: GraphPoint, b: GraphPoint, from: number, to: number): { from: GraphPoint; to: GraphPoint } | null {
  const [p, q] = a.time <= b.time ? [a, b] : [b, a];
  if (q.time < from || p.time > to || q.time === p.time) return null;
  return { from: p.time < from ? pointAt(p, q, from) : p, to: q.time > to ? pointAt(p, q, to) : q };
}

/** The window, the history inside it (decimated), the lines cut to it and the value axis. */
function computeLayout(spec: GraphSpec, width: number): Layout {
  const p = spec.projection;
  const rawLines = [spec.trend?.from, spec.trend?.to, p?.from, p?.to, p?.low, p?.high].filter(finitePoint);
  const etaTime = spec.eta && Number.isFinite(spec.eta.time) ? spec.eta.time : null;

  let xMin: number;
  let xMax: number;
  if (spec.window) {
    ({ from: xMin, to: xMax } = spec.window);
  } else {
    // No window chosen: everything in the spec, and a small margin after the last moment.
    const times = [spec.now, ...spec.series.map((s) => s.time).filter(Number.isFinite), ...rawLines.map((l) => l.time)];
    if (etaTime !== null) times.push(etaTime);
    xMin = Math.min(...times);
    xMax = Math.max(...times);
    if (xMax - xMin < 3600) {
      xMin = Math.min(xMin, spec.now - 86400);
      xMax = Math.max(xMax, spec.now + 3600);
    }
    xMax += (xMax - xMin) * 0.02;
  }

  // Points just outside the window are kept so the line runs to the frame (the chart clips it).
  const inWindow = inRange(spec.series, xMin, xMax);
  const history = prepareSeries(inWindow, Math.max(50, width));
  const hasData = history.some((h) => h.y !== null && h.x >= xMin && h.x <= xMax);

  const trend = spec.trend && finitePoint(spec.trend.from) && finitePoint(spec.trend.to) ? clipSegment(spec.trend.from, spec.trend.to, xMin, xMax) : null;
  const projection = p && finitePoint(p.from) && finitePoint(p.to) ? clipSegment(p.from, p.to, xMin, xMax) : null;
  let band: Layout['band'] = null;
  if (p && finitePoint(p.from) && (finitePoint(p.low) || finitePoint(p.high)) && p.from.time < xMax) {
    const near = finitePoint(p.low) ? p.low : p.to;
    // An unbounded far end runs off the right edge.
    const far = finitePoint(p.high) ? p.high : { time: xMax + (xMax - xMin), value: near.value };
    // A band narrower than about a hundredth of the axis cannot be seen: neither drawn nor named in the legend.
    if (Math.abs(far.time - near.time) >= 0.01 * (xMax - xMin)) band = { from: p.from, near, far };
  }

  const t = spec.thresholds ?? {};
  const visible = [...history.flatMap((h) => (h.y === null || h.x < xMin || h.x > xMax ? [] : [h.y]))];
  const lineValues = [trend?.from, trend?.to, projection?.from, projection?.to].filter(finitePoint).map((l) => l.value);
  if (band && band.near.time <= xMax) lineValues.push(band.near.value);
  const values = [...visible, ...lineValues, t.warning, t.critical, t.limit].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const percent = spec.unit === 'percent';
  const top = values.length ? Math.max(...values) : percent ? 100 : 1;
  const bottom = values.length ? Math.min(...values) : 0;
  // From zero, unless everything sits in the upper half (a disk at 92-99 %): then from a little below it.
  let lo = Math.min(0, bottom);
  if (bottom > 0 && bottom >= top * 0.5) lo = bottom - (top - bottom) * 0.15 - top * 0.02;
  let hi = top > lo ? top + (top - lo) * 0.06 : top + Math.abs(top) * 0.1 || 1;
  if (percent) hi = Math.min(Math.max(hi, Math.min(100, top)), 100);
  const scale = valueScale(spec.unit, Math.max(Math.abs(lo), Math.abs(hi)));
  let yTicks = niceTicks(lo, hi, 6, scale.factor);
  if (percent) yTicks = yTicks.filter((v) => v <= 100);
  const step = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
  const yMin = lo >= 0 ? Math.max(0, yTicks[0]!) : yTicks[0]!;
  // Headroom so a line on the top tick is not hidden by the frame; percentages stop at 100 (the
  // overlay draws a limit on 100 % over the frame).
  let yMax = Math.max(hi, top + step * 0.25);
  if (percent) yMax = Math.min(yMax, 100);
  if (yMax <= yMin) yMax = yMin + 1;
  yTicks = yTicks.filter((v) => v <= yMax + step * 1e-6);
  const etaBeyond = etaTime !== null && etaTime > xMax;
  return { history, hasData, hasValues: values.length > 0, xMin, xMax, yTicks, yMin, yMax, scale, trend, projection, band, etaBeyond };
}

/** Points inside [from, to], plus the nearest one on each side (the line reaches the frame). */
function inRange(series: readonly GraphPoint[], from: number, to: number): GraphPoint[] {
  let before: GraphPoint | null = null;
  let after: GraphPoint | null = null;
  const out: GraphPoint[] = [];
  for (const pt of series) {
    if (!Number.isFinite(pt.time)) continue;
    if (pt.time < from) {
      if (!before || pt.time > before.time) before = pt;
    } else if (pt.time > to) {
      if (!after || pt.time < after.time) after = pt;
    } else out.push(pt);
  }
  if (before) out.push(before);
  if (after) out.push(after);
  return out;
}

function datasets(spec: GraphSpec, layout: Layout): ChartDataset<'line', XY[]>[] {
  const legend = spec.words.legend;
  const lone = layout.history.filter((p) => p.y !== null).length === 1;
  const out: ChartDataset<'line', XY[]>[] = [];
  if (layout.hasData) {
    out.push({
      label: legend.history,
      data: layout.history,
      borderColor: C.history,
      backgroundColor: C.history,
      borderWidth: 1.6,
      pointRadius: lone ? 3 : 0,
      pointStyle: lone ? 'circle' : 'line',
      spanGaps: false,
    });
  }
  if (layout.trend) {
    // Wider than the history and under it: where the data follows the fit, the trend shows as its halo.
    out.push({ label: legend.trend, data: line(layout.trend), borderColor: C.trendFit, backgroundColor: C.trendFit, borderWidth: 4, pointRadius: 0, pointStyle: 'line' });
  }
  if (layout.projection) {
    out.push({
      label: legend.projection,
      data: line(layout.projection),
      borderColor: C.trend,
      backgroundColor: C.trend,
      borderWidth: 2,
      borderDash: [8, 5],
      pointRadius: 0,
      pointStyle: 'line',
    });
  }
  if (layout.band) {
    // Legend entry only; the band itself is drawn by the overlay plugin, under the lines.
    out.push({ label: legend.band, data: [], borderColor: C.bandEdge, backgroundColor: C.band, borderWidth: 1, pointStyle: 'rect' });
  }
  return out;
}

function line(segment: { from: GraphPoint; to: GraphPoint }): XY[] {
  return [
    { x: segment.from.time, y: segment.from.value },
    { x: segment.to.time, y: segment.to.value },
  ];
}

function backgroundPlugin(): Plugin<'line'> {
  return {
    id: 'opsbotBackground',
    beforeDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = C.background;
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };
}

/** The drawing context, the plot area and the data → pixel mappings an overlay hook needs. */
function geometry(chart: Chart) {
  const { left, right, top, bottom } = chart.chartArea;
  return {
    ctx: chart.ctx as unknown as CanvasRenderingContext2DLike,
    left,
    right,
    top,
    bottom,
    x: (t: number) => chart.scales.x!.getPixelForValue(t),
    y: (v: number) => chart.scales.y!.getPixelForValue(v),
  };
}

/** Band, threshold lines, "now", the ETA marker and the "no data" notice. */
function overlayPlugin(spec: GraphSpec, layout: Layout, family: string, px: (n: number) => number): Plugin<'line'> {
  const text = (ctx: CanvasRenderingContext2DLike, size: number, weight = '') => {
    ctx.font = `${weight} ${px(size)}px ${family}`.trim();
  };
  const words = spec.words;
  const th = spec.thresholds ?? {};
  const shown = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && v >= layout.yMin && v <= layout.yMax;
  return {
    id: 'opsbotOverlay',
    beforeDatasetsDraw(chart) {
      const { ctx, left, right, top, bottom, x, y } = geometry(chart);
      ctx.save();
      ctx.beginPath();
      // A few pixels over the top, so a limit on the axis maximum (100 %) is drawn whole.
      ctx.rect(left, top - px(3), right - left, bottom - top + px(3));
      ctx.clip();

      const band = layout.band;
      if (band) {
        // Fan from the projection start to the near and far ETA, under the lines.
        ctx.fillStyle = C.band;
        ctx.strokeStyle = C.bandEdge;
        ctx.lineWidth = px(1);
        ctx.beginPath();
        ctx.moveTo(x(band.from.time), y(band.from.value));
        ctx.lineTo(x(band.near.time), y(band.near.value));
        ctx.lineTo(x(band.far.time), y(band.far.value));
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
      }

      const rules: [number | undefined, string, number, number[]][] = [
        [th.warning, C.warning, 1.5, [6, 4]],
        [th.critical, C.critical, 2, []],
        [th.limit, C.limit, 3, []],
      ];
      for (const [v, color, w, dash] of rules) {
        if (!shown(v)) continue;
        ctx.strokeStyle = color;
        ctx.lineWidth = px(w);
        ctx.setLineDash(dash.map(px));
        ctx.beginPath();
        ctx.moveTo(left, Math.round(y(v)));
        ctx.lineTo(right, Math.round(y(v)));
        ctx.stroke();
      }

      ctx.setLineDash([px(3), px(3)]);
      ctx.lineWidth = px(1.2);
      ctx.strokeStyle = C.now;
      vertical(ctx, x(spec.now), top, bottom);
      if (spec.eta && Number.isFinite(spec.eta.time) && !layout.etaBeyond) {
        ctx.strokeStyle = C.eta;
        ctx.lineWidth = px(2);
        ctx.setLineDash([px(5), px(4)]);
        vertical(ctx, x(spec.eta.time), top, bottom);
      }
      ctx.restore();
    },
    afterDatasetsDraw(chart) {
      const { ctx, left, right, top, bottom, x, y } = geometry(chart);
      ctx.save();
      ctx.setLineDash([]);

      const labels: [number | undefined, string, string][] = [
        [th.warning, C.warning, words.warning],
        [th.critical, C.critical, words.critical],
        [th.limit, C.limit, words.limit],
      ];
      // At the left end (the right end is where the projection, band and ETA are), above its line;
      // where that would cover another label or the frame, beside that label, else under the line.
      text(ctx, 12);
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      const boxes: { x0: number; y0: number; x1: number; y1: number }[] = [];
      const overlaps = (b: { x0: number; y0: number; x1: number; y1: number }) => boxes.some((o) => b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1);
      const placed = labels
        .filter((l): l is [number, string, string] => shown(l[0]))
        .map(([v, color, name]) => ({ y: y(v), color, label: `${name} ${formatValue(v, layout.scale)}` }))
        .sort((a, b) => a.y - b.y);
      for (const l of placed) {
        const m = ctx.measureText(l.label);
        const w = m.width + px(6);
        const h = (m.actualBoundingBoxAscent + m.actualBoundingBoxDescent || px(12)) + px(4);
        const above = l.y - px(4) - h + px(2);
        const under = l.y + px(5);
        const box = (x0: number, y0: number) => ({ x0: x0 - px(3), y0: y0 - px(2), x1: x0 - px(3) + w, y1: y0 - px(2) + h });
        const xs = [left + px(6), ...boxes.map((b) => b.x1 + px(9))];
        const candidates = [...xs.map((x0) => ({ x0, y0: above })), ...xs.map((x0) => ({ x0, y0: under }))];
        const fits = (c: { x0: number; y0: number }) => c.y0 - px(2) >= top && c.x0 + w <= right && !overlaps(box(c.x0, c.y0));
        const spot = candidates.find(fits) ?? { x0: left + px(6), y0: under };
        labelBox(ctx, l.label, spot.x0, spot.y0, l.color, px);
        boxes.push(box(spot.x0, spot.y0));
      }

      text(ctx, 12);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      const nowWidth = ctx.measureText(words.now).width;
      labelBox(ctx, words.now, clamp(x(spec.now), left + nowWidth / 2 + px(6), right - nowWidth / 2 - px(6)), bottom - px(2), C.now, px);

      if (spec.eta && Number.isFinite(spec.eta.time)) {
        // Past the window: the label at the right edge, pointing on.
        const label = layout.etaBeyond ? `${spec.eta.label} →` : spec.eta.label;
        const ex = layout.etaBeyond ? right : x(spec.eta.time);
        const limit = th.limit ?? spec.projection?.to.value;
        const ly = limit !== undefined && Number.isFinite(limit) && limit <= layout.yMax ? y(limit) : null;
        text(ctx, 14, 'bold');
        const w = ctx.measureText(label).width;
        // Above the limit line when there is room (the usual headroom); else low on the ETA line,
        // where a rising projection leaves the plot empty (not over the band and the thresholds).
        const room = ly !== null && ly - top > px(30);
        ctx.textAlign = 'center';
        ctx.textBaseline = 'bottom';
        const labelY = room ? ly - px(8) : bottom - px(24);
        labelBox(ctx, label, clamp(ex, left + w / 2 + px(6), right - w / 2 - px(6)), labelY, C.eta, px);
        if (ly !== null && !layout.etaBeyond) {
          ctx.fillStyle = C.eta;
          ctx.beginPath();
          ctx.arc(ex, ly, px(5), 0, Math.PI * 2);
          ctx.fill();
        }
      }

      if (!layout.hasData) {
        text(ctx, 28, 'bold');
        ctx.fillStyle = '#999999';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(words.noData, (left + right) / 2, (top + bottom) / 2);
      }
      ctx.restore();
    },
  };
}

/** The subset of the 2D context used here (chart.js types it with DOM types this project lacks). */
type CanvasRenderingContext2DLike = SKRSContext2D;

function vertical(ctx: CanvasRenderingContext2DLike, x: number, top: number, bottom: number): void {
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, top);
  ctx.lineTo(Math.round(x) + 0.5, bottom);
  ctx.stroke();
}

/** Text on a translucent white box so it stays readable over lines; uses the current font and alignment. */
function labelBox(ctx: CanvasRenderingContext2DLike, label: string, x: number, y: number, color: string, px: (n: number) => number): void {
  const m = ctx.measureText(label);
  const w = m.width;
  const h = m.actualBoundingBoxAscent + m.actualBoundingBoxDescent || px(12);
  const x0 = ctx.textAlign === 'right' ? x - w : ctx.textAlign === 'center' ? x - w / 2 : x;
  const y0 = ctx.textBaseline === 'bottom' ? y - h : y;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(x0 - px(3), y0 - px(2), w + px(6), h + px(4));
  ctx.fillStyle = color;
  ctx.fillText(label, x, y);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}
