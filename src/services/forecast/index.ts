/** The forecast engine's public API. */
export { forecastTimeToLimit, MIN_HISTORY_SECONDS, MIN_POINTS } from './forecast.ts';
export { parseForecastDocument, guessUnit, type ParsedForecastDocument } from './forecast-document.ts';
export { forecastOutcome } from './story.ts';
export type { CleanupPattern, CycleName, ForecastAdjustment, ForecastOutcome, ForecastStory, ForecastSwing, PreviousTrend, RatePeriod, SettledStory, TrendBasis } from './story.ts';
export type { CycleInfo, ForecastEvent, ForecastInput, ForecastMethod, ForecastOptions, ForecastResult, MetricPoint, TimeValue, TrendLine, ValueUnit } from './types.ts';
