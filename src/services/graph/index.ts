/** Forecast graph: PNG rendered in-process with chart.js on @napi-rs/canvas. */
export { renderForecastGraph } from './render.ts';
export { safeRenderGraph, type SafeRenderOptions, type GraphLogger } from './safe-render.ts';
export { GRAPH_COLORS, type GraphSpec, type GraphPoint, type GraphUnit } from './spec.ts';
export { GRAPH_FONT_FAMILY, ensureGraphFont } from './fonts.ts';
export { formatValueAuto } from './format.ts';
export { createGraphRenderPool, type GraphRenderPool, type GraphRenderPoolOptions, type RenderPoolLogger, type TimedRender } from './render-pool.ts';
export { createGraphScheduler, type GraphScheduler, type GraphSchedulerOptions } from './graph-scheduler.ts';
