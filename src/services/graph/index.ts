/** Forecast graph: PNG rendered in-process with chart.js on @napi-rs/canvas. */
export { renderForecastGraph, outlineGraph, type GraphOutline } from './render.ts';
export { safeRenderGraph, type SafeRenderOptions, type GraphLogger } from './safe-render.ts';
export { GRAPH_COLORS, type GraphSpec, type GraphPoint, type GraphUnit, type GraphWords } from './spec.ts';
export type { GraphLabels, GraphSubject } from './labels.ts';
export { fitTimeWindow, pointAt, type WindowInput } from './window.ts';
export { GRAPH_FONT_FAMILY, ensureGraphFont } from './fonts.ts';
export { formatValueAuto } from './format.ts';
export { createGraphRenderPool, type GraphRenderPool, type GraphRenderPoolOptions, type RenderPoolLogger, type TimedRender } from './render-pool.ts';
export { createGraphScheduler, type GraphScheduler, type GraphSchedulerOptions } from './graph-scheduler.ts';
