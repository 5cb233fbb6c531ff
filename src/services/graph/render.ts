import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, SubTitle, Title, type ChartConfiguration, type ChartDataset, type ChartItem, type Plugin } from 'chart.js';
import { DateTime, IANAZone } from 'luxon';
import { zoneAbbreviation } from '../urgency/zone-name.ts';
import { prepareSeries, type XY } from './decimate.ts';
import { ensureGraphFont } from './fonts.ts';
import { encodePngFast } from './png.ts';
import { formatTimeTick, formatValue, niceTicks, timeTicks, valueScale, type ValueScale } from './format.ts';
import { GRAPH_COLORS as C, type GraphPoint, type GraphSpec } from './spec.ts';

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
      layout: { padding: { left: px(8), right: px(20), top: px(4), bottom: px(6) } },
      scales: {
        x: {
          type: 'linear',
          min: layout.xMin,
          max: layout.xMax,
          afterBuildTicks: (axis) => {
            axis.ticks = timeTicks(layout.xMin, layout.xMax, spec.timeZone, Math.max(4, Math.floor(width / 110))).map((value) => ({ value }));
          },
          ticks: { callback: (v) => formatTimeTick(Number(v), spec.timeZone), maxRotation: 0, autoSkip: true, color: C.text, font: font(13) },
          title: { display: true, text: `time (${layout.zoneName})`, color: C.text, font: font(13) },
          grid: { color: C.grid },
        },
        y: {
          type: 'linear',
          min: layout.yTicks[0],
          max: layout.yMax,
          afterBuildTicks: (axis) => {
            axis.ticks = layout.yTicks.map((value) => ({ value }));
          },
          ticks: { display: layout.hasValues, callback: (v) => formatValue(Number(v), layout.scale), color: C.text, font: font(13) },
          grid: { color: C.grid },
        },
      },
      plugins: {
        title: { display: true, text: spec.title, color: C.text, font: font(20, 'bold'), padding: { top: px(6), bottom: px(2) } },
        subtitle: { display: Boolean(spec.subtitle), text: spec.subtitle ?? '', color: '#555555', font: font(14), padding: { bottom: px(6) } },
        legend: {
          position: 'bottom',
          labels: { color: C.text, font: font(13), boxWidth: px(26), boxHeight: px(10) },
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

interface Layout {
  history: XY[];
  hasData: boolean;
  xMin: number;
  xMax: number;
  hasValues: boolean;
  yTicks: number[];
  yMax: number;
  scale: ValueScale;
  zoneName: string;
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
}

function finitePoint(p: GraphPoint | undefined): p is GraphPoint {
  return p !== undefined && Number.isFinite(p.time) && Number.isFinite(p.value);
}

/** Axis ranges and the decimated history. */
function computeLayout(spec: GraphSpec, width: number): Layout {
  const history = prepareSeries(spec.series, Math.max(50, width));
  const hasData = history.some((p) => p.y !== null);
  const lines = [spec.trend?.from, spec.trend?.to, spec.projection?.from, spec.projection?.to, spec.projection?.low, spec.projection?.high].filter(finitePoint);

  const times = [spec.now, ...history.map((p) => p.x), ...lines.map((p) => p.time)];
  if (spec.eta && Number.isFinite(spec.eta.time)) times.push(spec.eta.time);
  let xMin = Math.min(...times);
  let xMax = Math.max(...times);
  if (xMax - xMin < 3600) {
    xMin = Math.min(xMin, spec.now - 86400);
    xMax = Math.max(xMax, spec.now + 3600);
  }
  xMax += (xMax - xMin) * 0.02;

  const t = spec.thresholds ?? {};
  const values = [...history.flatMap((p) => (p.y === null ? [] : [p.y])), ...lines.map((p) => p.value), t.warning, t.critical, t.limit].filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v),
  );
  const lo = Math.min(0, ...values);
  const top = values.length ? Math.max(...values) : 1;
  const hi = spec.unit === 'percent' && top <= 100 ? 100 : top * 1.06 || 1;
  const scale = valueScale(spec.unit, Math.max(Math.abs(lo), Math.abs(hi)));
  const yTicks = niceTicks(lo, hi, 6, scale.factor);
  // Headroom so a limit on the top tick (100%) is not hidden by the frame.
  const yMax = Math.max(yTicks[yTicks.length - 1], top + (yTicks[1] - yTicks[0]) * 0.25);
  const zoneName = zoneAbbreviation(DateTime.fromSeconds(spec.now, { zone: spec.timeZone }));
  return { history, hasData, hasValues: values.length > 0, xMin, xMax, yTicks, yMax, scale, zoneName };
}

function datasets(spec: GraphSpec, layout: Layout): ChartDataset<'line', XY[]>[] {
  const lone = layout.history.filter((p) => p.y !== null).length === 1;
  const out: ChartDataset<'line', XY[]>[] = [
    {
      label: 'history',
      data: layout.history,
      borderColor: C.history,
      backgroundColor: C.history,
      borderWidth: 1.6,
      pointRadius: lone ? 3 : 0,
      spanGaps: false,
    },
  ];
  const { trend, projection } = spec;
  if (trend && finitePoint(trend.from) && finitePoint(trend.to)) {
    out.push({ label: 'trend', data: line(trend.from, trend.to), borderColor: C.trend, backgroundColor: C.trend, borderWidth: 2, pointRadius: 0 });
  }
  if (projection && finitePoint(projection.from) && finitePoint(projection.to)) {
    out.push({
      label: 'projection',
      data: line(projection.from, projection.to),
      borderColor: C.trend,
      backgroundColor: C.trend,
      borderWidth: 2,
      borderDash: [8, 5],
      pointRadius: 0,
    });
    if (finitePoint(projection.low) || finitePoint(projection.high)) {
      // Legend entry only; the band itself is drawn by the overlay plugin.
      out.push({ label: 'ETA range', data: [], borderColor: 'rgba(0,0,0,0)', backgroundColor: C.band, borderWidth: 0 });
    }
  }
  return out;
}

function line(a: GraphPoint, b: GraphPoint): XY[] {
  return [
    { x: a.time, y: a.value },
    { x: b.time, y: b.value },
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

/** Band, threshold lines, "now", the ETA marker and the "no data" notice. */

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

function overlayPlugin(spec: GraphSpec, layout: Layout, family: string, px: (n: number) => number): Plugin<'line'> {
  const text = (ctx: CanvasRenderingContext2DLike, size: number, weight = '') => {
    ctx.font = `${weight} ${px(size)}px ${family}`.trim();
  };
  return {
    id: 'opsbotOverlay',
    beforeDatasetsDraw(chart) {
      const { ctx, left, right, top, bottom, x, y } = geometry(chart);
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, right - left, bottom - top);
      ctx.clip();

      const p = spec.projection;
      if (p && finitePoint(p.from) && (finitePoint(p.low) || finitePoint(p.high))) {
        // Fan from the projection start to the near and far ETA; unbounded far end runs off the right edge.
        const near = finitePoint(p.low) ? p.low : p.to;
        const far = finitePoint(p.high) ? p.high : { time: layout.xMax * 2 - layout.xMin, value: near.value };
        ctx.fillStyle = C.band;
        ctx.beginPath();
        ctx.moveTo(x(p.from.time), y(p.from.value));
        ctx.lineTo(x(near.time), y(near.value));
        ctx.lineTo(x(far.time), y(far.value));
        ctx.closePath();
        ctx.fill();
      }

      const th = spec.thresholds ?? {};
      const rules: [number | undefined, string, number, number[]][] = [
        [th.warning, C.warning, 1.5, [6, 4]],
        [th.critical, C.critical, 2, []],
        [th.limit, C.limit, 3, []],
      ];
      for (const [v, color, w, dash] of rules) {
        if (v === undefined || !Number.isFinite(v)) continue;
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
      if (spec.eta && Number.isFinite(spec.eta.time)) {
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

      const th = spec.thresholds ?? {};
      const labels: [number | undefined, string, string][] = [
        [th.warning, C.warning, 'warning'],
        [th.critical, C.critical, 'critical'],
        [th.limit, C.limit, 'limit'],
      ];
      // Left end: the right end is where the projection, band and ETA are.
      text(ctx, 12);
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      for (const [v, color, name] of labels) {
        if (v === undefined || !Number.isFinite(v)) continue;
        const label = `${name} ${formatValue(v, layout.scale)}`;
        labelBox(ctx, label, left + px(6), y(v) - px(3), color, px);
      }

      text(ctx, 12);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      labelBox(ctx, 'now', clamp(x(spec.now), left + px(20), right - px(20)), bottom - px(2), C.now, px);

      if (spec.eta && Number.isFinite(spec.eta.time)) {
        const ex = x(spec.eta.time);
        const limit = th.limit ?? spec.projection?.to.value;
        const ly = limit !== undefined && Number.isFinite(limit) ? y(limit) : null;
        text(ctx, 14, 'bold');
        const w = ctx.measureText(spec.eta.label).width;
        // Above the limit line when there is room (the usual headroom), else just under it.
        const room = ly === null || ly - top > px(30);
        ctx.textAlign = 'center';
        ctx.textBaseline = room ? 'bottom' : 'top';
        const labelY = ly === null ? top + px(24) : room ? ly - px(8) : Math.min(ly + px(10), bottom - px(40));
        labelBox(ctx, spec.eta.label, clamp(ex, left + w / 2 + px(6), right - w / 2 - px(6)), labelY, C.eta, px);
        if (ly !== null) {
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
        ctx.fillText('no data', (left + right) / 2, (top + bottom) / 2);
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
