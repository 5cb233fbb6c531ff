import type { AlertDataSource } from './alert-data.ts';
import type { AlertEvent } from './alert-event.ts';
import { loadAlertContext, type AlertContext } from './alert-context.ts';
import type { AlertRecordStore } from '../../core/state/types.ts';

/** One line of `@opsbot alerts`. */
export interface OpenAlertSummary {
  event: AlertEvent;
  /** What is known about it (the command words its headline and link from this). */
  ctx: AlertContext;
  /** Seconds to the limit from now; null when not forecast or not in sight. */
  secondsToLimit: number | null;
  /** Whether opsbot posted it. */
  posted: boolean;
}

/**
 * Open alerts with their ETA, soonest first (then by severity and age). Alerts already posted use
 * the stored ETA; others are forecast now, at most `maxForecasts` of them to bound the calls.
 */
export async function listOpenAlerts(options: { data: AlertDataSource; store: Pick<AlertRecordStore, 'get'>; now: number; maxForecasts?: number }): Promise<OpenAlertSummary[]> {
  const { data, store, now } = options;
  let budget = options.maxForecasts ?? 30;
  // Only what polling would keep open: an alert with a `closedAt` or status OK is closed there too.
  const alerts = (await data.listOpenAlerts()).filter((event) => event.open);
  const summaries = await Promise.all(
    alerts.map(async (event) => {
      const record = await store.get(event.id);
      const posted = record?.state === 'posted';
      const forecastNow = !posted && budget-- > 0;
      const ctx = await loadAlertContext(event, { data, now, withForecast: forecastNow });
      const secondsToLimit = posted ? (record.etaAt === null ? null : Math.max(0, record.etaAt - now)) : (ctx.forecast?.secondsToLimit ?? null);
      return { event, ctx, secondsToLimit, posted };
    }),
  );
  const rank = { CRITICAL: 0, WARNING: 1, UNKNOWN: 2, OK: 3 };
  return summaries.sort((a, b) => (a.secondsToLimit ?? Infinity) - (b.secondsToLimit ?? Infinity) || rank[a.event.status] - rank[b.event.status] || a.event.openedAt - b.event.openedAt);
}
