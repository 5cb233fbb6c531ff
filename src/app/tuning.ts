/**
 * Timings of the crash-safety machinery, overridable through undocumented environment variables
 * so that tests and benches which kill the bot can restart it and see the work finished in
 * seconds rather than minutes. Not configuration: production runs on the defaults, and a value
 * that is not a positive number is ignored (the default applies).
 *
 * - OPSBOT_RELAY_LEASE_SECONDS: a relay's lease (default 60); a dead run's relay is taken over after it.
 * - OPSBOT_RELAY_SWEEP_SECONDS: how often expired relays and due aborts are looked for (default 30).
 * - OPSBOT_ABORT_RETRY_SECONDS: first retry of a failed multipart-upload abort, doubling (default 30).
 * - OPSBOT_OUTBOX_LEASE_SECONDS: an outbox entry being sent is retaken after it (default 60).
 * - OPSBOT_ALERT_CLAIM_TAKEOVER_SECONDS: an alert claimed but never marked posted is taken over after it (default 120).
 * - OPSBOT_LEADER_LEASE_SECONDS: a leader (alert poller, inventory refresher) that stopped renewing is replaced after it (default 15).
 */
export interface Tuning {
  relayLeaseSeconds: number;
  relaySweepSeconds: number;
  abortRetrySeconds: number;
  outboxLeaseSeconds: number;
  alertClaimTakeoverSeconds: number;
  leaderLeaseSeconds: number;
}

export const DEFAULT_TUNING: Tuning = {
  relayLeaseSeconds: 60,
  relaySweepSeconds: 30,
  abortRetrySeconds: 30,
  outboxLeaseSeconds: 60,
  alertClaimTakeoverSeconds: 120,
  leaderLeaseSeconds: 15,
};

const VARIABLES: Record<keyof Tuning, string> = {
  relayLeaseSeconds: 'OPSBOT_RELAY_LEASE_SECONDS',
  relaySweepSeconds: 'OPSBOT_RELAY_SWEEP_SECONDS',
  abortRetrySeconds: 'OPSBOT_ABORT_RETRY_SECONDS',
  outboxLeaseSeconds: 'OPSBOT_OUTBOX_LEASE_SECONDS',
  alertClaimTakeoverSeconds: 'OPSBOT_ALERT_CLAIM_TAKEOVER_SECONDS',
  leaderLeaseSeconds: 'OPSBOT_LEADER_LEASE_SECONDS',
};

export function tuningFromEnv(env: NodeJS.ProcessEnv): Tuning {
  const tuning = { ...DEFAULT_TUNING };
  for (const [field, name] of Object.entries(VARIABLES) as [keyof Tuning, string][]) {
    const value = Number(env[name]);
    if (env[name] && Number.isFinite(value) && value > 0) tuning[field] = value;
  }
  return tuning;
}
