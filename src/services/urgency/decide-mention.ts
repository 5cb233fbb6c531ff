import type { TeamCalendar } from './calendar.ts';
import { isWorkingTime, nextWorkingPeriodStart, toZoned, type Instant } from './working-time.ts';

/** Mackerel alert status. */
export type AlertStatus = 'CRITICAL' | 'WARNING' | 'UNKNOWN' | 'OK';

/** The part of a time-to-limit forecast the policy needs (seconds from `now`; null = not in sight). */
export interface ForecastEta {
  secondsToLimit: number | null;
  low: number | null;
  high: number | null;
  /** The forecast's method; `'uncertain'` (no model predicts the series well) never mentions by itself. */
  method?: string;
}

/** When to mention people. */
export interface MentionPolicy {
  /** Mention on every CRITICAL alert, forecast or not. */
  mentionOnCritical: boolean;
  /** Also mention when the limit comes this soon after the next working period starts: people need time to react. */
  marginMinutes: number;
  /** During working hours, mention when the limit is this close. */
  urgentWithinMinutes: number;
}

/** A reasonable starting point; the config may override each field. */
export const DEFAULT_MENTION_POLICY: Readonly<MentionPolicy> = Object.freeze({
  mentionOnCritical: true,
  marginMinutes: 60,
  urgentWithinMinutes: 120,
});

/** Why a decision was taken, stable for tests, logs and metrics. */
export type MentionCode = 'critical' | 'already-full' | 'urgent-in-hours' | 'before-next-working-period' | 'can-wait' | 'no-forecast' | 'uncertain-forecast' | 'resolved';

/** Input of {@link decideMention}. */
export interface MentionInput {
  now: Instant;
  status: AlertStatus;
  /** Absent or null when there is no forecast for this alert. */
  forecast?: ForecastEta | null;
  calendar: TeamCalendar;
  policy: MentionPolicy;
}

/**
 * Why, as data (the alert poster words it): `full` is the seconds to the limit the decision used
 * (the near end of the band), `when` the next working period's start (epoch seconds).
 */
export type MentionReason =
  | { code: 'resolved' }
  | { code: 'critical' }
  | { code: 'no-forecast' }
  | { code: 'uncertain-forecast' }
  /** No limit within the forecast horizon. */
  | { code: 'not-in-sight' }
  | { code: 'already-full' }
  | { code: 'urgent-in-hours'; full: number }
  | { code: 'before-next-working-period'; full: number; when: number }
  /** Full within `marginMinutes` after the next working period starts. */
  | { code: 'near-work-start'; full: number; when: number; marginMinutes: number }
  /** Full later than that; `inHours`: decided during working hours. */
  | { code: 'can-wait'; full: number; when: number; inHours: boolean };

/** Outcome of {@link decideMention}: whether to mention, the stable code, and why (worded by the poster). */
export interface MentionDecision {
  mention: boolean;
  reason: MentionReason;
  code: MentionCode;
}

/**
 * Decides whether an alert post mentions people, and why (as data).
 *
 * In order: OK alerts never mention; CRITICAL mentions when `policy.mentionOnCritical`; an uncertain
 * forecast (method `'uncertain'`) alone does not mention; otherwise the
 * near end of the forecast band (`low ?? secondsToLimit`) decides — already at the limit mentions;
 * during working hours a limit within `urgentWithinMinutes` mentions; a limit before the next
 * working period starts plus `marginMinutes` mentions (at night, on weekends and holidays this is
 * the usual case; during working hours it catches "full tonight"); anything later can wait.
 */
export function decideMention(input: MentionInput): MentionDecision {
  const { status, forecast, calendar, policy } = input;
  if (status === 'OK') return quiet('resolved', { code: 'resolved' });
  if (status === 'CRITICAL' && policy.mentionOnCritical) return loud('critical', { code: 'critical' });
  if (!forecast) return quiet('no-forecast', { code: 'no-forecast' });
  if (forecast.method === 'uncertain') return quiet('uncertain-forecast', { code: 'uncertain-forecast' });

  const near = seconds(forecast.low) ?? seconds(forecast.secondsToLimit);
  if (near === null) return quiet('can-wait', { code: 'not-in-sight' });
  if (near === 0) return loud('already-full', { code: 'already-full' });

  const moment = calendarMoment(input.now, calendar);
  const inHours = moment.inHours;
  if (inHours && near <= policy.urgentWithinMinutes * 60) return loud('urgent-in-hours', { code: 'urgent-in-hours', full: near });

  const { untilNext, when } = moment.next();
  if (near < untilNext) return loud('before-next-working-period', { code: 'before-next-working-period', full: near, when });
  if (near < untilNext + policy.marginMinutes * 60) {
    return loud('before-next-working-period', { code: 'near-work-start', full: near, when, marginMinutes: policy.marginMinutes });
  }
  return quiet('can-wait', { code: 'can-wait', full: near, when, inHours });
}

/** Where `now` stands in the calendar; the same for every alert decided at that moment. */
interface CalendarMoment {
  inHours: boolean;
  /** Seconds until the next working period starts, and that start (epoch seconds); throws as `nextWorkingPeriodStart`. */
  next(): { untilNext: number; when: number };
}

// A burst of alerts is decided at one `now`: the calendar arithmetic (luxon zone conversions,
// ~0.3 ms) is done once per calendar and second, not per alert. Only the latest moment is kept.
const lastMoments = new WeakMap<TeamCalendar, { at: number; moment: CalendarMoment }>();

function calendarMoment(instant: Instant, calendar: TeamCalendar): CalendarMoment {
  if (typeof instant !== 'number') return computeMoment(instant, calendar);
  const last = lastMoments.get(calendar);
  if (last && last.at === instant) return last.moment;
  const moment = computeMoment(instant, calendar);
  lastMoments.set(calendar, { at: instant, moment });
  return moment;
}

function computeMoment(instant: Instant, calendar: TeamCalendar): CalendarMoment {
  const now = toZoned(instant, calendar);
  let next: { untilNext: number; when: number } | undefined;
  return {
    inHours: isWorkingTime(now, calendar),
    next() {
      if (!next) {
        const start = nextWorkingPeriodStart(now, calendar);
        next = { untilNext: start.diff(now, 'seconds').seconds, when: start.toSeconds() };
      }
      return next;
    },
  };
}

/** A usable number of seconds: null for null/NaN/±∞, negatives clamp to 0 (already past the limit). */
function seconds(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Math.max(0, v);
}

function loud(code: MentionCode, reason: MentionReason): MentionDecision {
  return { mention: true, code, reason };
}

function quiet(code: MentionCode, reason: MentionReason): MentionDecision {
  return { mention: false, code, reason };
}
