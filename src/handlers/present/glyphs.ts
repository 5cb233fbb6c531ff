import type { HostStatus } from '../../services/inventory/types.ts';
import type { AlertStatus } from '../../services/alerts/alert-event.ts';

/**
 * The status glyphs every job shows, as Slack emoji codes (the shell turns them into emoji): one
 * table per kind of status, so a host, an alert and a relay look the same wherever they appear.
 */
export const HOST_STATUS_GLYPHS: Readonly<Record<HostStatus, string>> = {
  working: ':large_green_circle:',
  standby: ':large_yellow_circle:',
  maintenance: ':wrench:',
  poweroff: ':black_circle:',
};

export const ALERT_STATUS_GLYPHS: Readonly<Record<AlertStatus, string>> = {
  CRITICAL: ':red_circle:',
  WARNING: ':large_orange_circle:',
  UNKNOWN: ':white_circle:',
  OK: ':large_green_circle:',
};

/** Outcomes of a piece of work (a relay, an action). */
export const OUTCOME_GLYPHS = {
  done: ':white_check_mark:',
  failed: ':x:',
  working: ':hourglass_flowing_sand:',
  info: ':information_source:',
  refused: ':no_entry:',
  warning: ':warning:',
  retry: ':repeat:',
} as const;
