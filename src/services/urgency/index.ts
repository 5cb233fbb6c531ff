/** Urgency / mention policy: team calendar and the decision whether an alert post mentions people. */
export { parseCalendar, CalendarConfigError, type TeamCalendar } from './calendar.ts';
export { isWorkingTime, nextWorkingPeriodStart, workingPeriodAt, toZoned, type Instant, type WorkingPeriod } from './working-time.ts';
export {
  decideMention,
  DEFAULT_MENTION_POLICY,
  type AlertStatus,
  type ForecastEta,
  type MentionPolicy,
  type MentionCode,
  type MentionInput,
  type MentionDecision,
  type MentionReason,
} from './decide-mention.ts';
export { zoneAbbreviation } from './zone-name.ts';
