import type { DatabaseSync } from '../../core/database.ts';
import type { AlertStatus } from './alert-event.ts';

/** What is remembered about one alert post. */
export interface AlertRecord {
  alertId: string;
  /** `posting`: claimed, post in progress (or crashed); `posted`: open post exists; `closed`: resolved. */
  state: 'posting' | 'posted' | 'closed';
  channel: string | null;
  ts: string | null;
  status: AlertStatus;
  hostId: string | null;
  /** Whether the last decision mentioned people, and why (stable code). */
  mentioned: boolean;
  mentionCode: string | null;
  /** Forecast limit time (epoch seconds, near end of the band); null: none in sight or no forecast. */
  etaAt: number | null;
  /** Whether the post carries a forecast (refreshed periodically). */
  hasForecast: boolean;
  claimedAt: number;
  postedAt: number | null;
  updatedAt: number | null;
  closedAt: number | null;
}

export interface AlertStore {
  /**
   * Claims the right to post `alertId`. True for a new alert, or for a `posting` claim older than
   * `takeoverSeconds` (its poster crashed). Atomic: of two racing callers, one wins.
   */
  claim(alertId: string, status: AlertStatus, now: number, takeoverSeconds: number): boolean;
  /** Gives a claim back (the post failed), so the next event or poll retries. */
  release(alertId: string): void;
  markPosted(alertId: string, fields: { channel: string; ts: string; status: AlertStatus; hostId: string | null; mentioned: boolean; mentionCode: string; etaAt: number | null; hasForecast: boolean }, now: number): void;
  update(alertId: string, fields: Partial<Pick<AlertRecord, 'status' | 'mentioned' | 'mentionCode' | 'etaAt'>>, now: number): void;
  markClosed(alertId: string, now: number): void;
  get(alertId: string): AlertRecord | null;
  /** Posted, not closed. */
  listOpen(): AlertRecord[];
}

interface Row {
  alert_id: string;
  state: AlertRecord['state'];
  channel: string | null;
  ts: string | null;
  status: AlertStatus;
  host_id: string | null;
  mentioned: number;
  mention_code: string | null;
  eta_at: number | null;
  has_forecast: number;
  claimed_at: number;
  posted_at: number | null;
  updated_at: number | null;
  closed_at: number | null;
}

function toRecord(r: Row): AlertRecord {
  return {
    alertId: r.alert_id, state: r.state, channel: r.channel, ts: r.ts, status: r.status, hostId: r.host_id,
    mentioned: r.mentioned === 1, mentionCode: r.mention_code, etaAt: r.eta_at, hasForecast: r.has_forecast === 1, claimedAt: r.claimed_at,
    postedAt: r.posted_at, updatedAt: r.updated_at, closedAt: r.closed_at,
  };
}

/** Alert posts in SQLite (table `alert_posts`), shared safely by restarts and parallel processes. */
export function createAlertStore(db: DatabaseSync): AlertStore {
  db.exec(`CREATE TABLE IF NOT EXISTS alert_posts (
    alert_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    channel TEXT, ts TEXT,
    status TEXT NOT NULL,
    host_id TEXT,
    mentioned INTEGER NOT NULL DEFAULT 0,
    mention_code TEXT,
    eta_at REAL,
    has_forecast INTEGER NOT NULL DEFAULT 0,
    claimed_at REAL NOT NULL,
    posted_at REAL, updated_at REAL, closed_at REAL
  )`);
  const insert = db.prepare(`INSERT OR IGNORE INTO alert_posts (alert_id, state, status, claimed_at) VALUES (?, 'posting', ?, ?)`);
  const takeover = db.prepare(`UPDATE alert_posts SET claimed_at = ?, status = ? WHERE alert_id = ? AND state = 'posting' AND claimed_at <= ?`);
  const release = db.prepare(`DELETE FROM alert_posts WHERE alert_id = ? AND state = 'posting'`);
  const posted = db.prepare(`UPDATE alert_posts SET state = 'posted', channel = ?, ts = ?, status = ?, host_id = ?, mentioned = ?, mention_code = ?, eta_at = ?, has_forecast = ?, posted_at = ?, updated_at = ? WHERE alert_id = ?`);
  const closed = db.prepare(`UPDATE alert_posts SET state = 'closed', status = 'OK', closed_at = ?, updated_at = ? WHERE alert_id = ?`);
  const get = db.prepare(`SELECT * FROM alert_posts WHERE alert_id = ?`);
  const open = db.prepare(`SELECT * FROM alert_posts WHERE state = 'posted' ORDER BY posted_at`);

  return {
    claim(alertId, status, now, takeoverSeconds) {
      if (Number(insert.run(alertId, status, now).changes) === 1) return true;
      return Number(takeover.run(now, status, alertId, now - takeoverSeconds).changes) === 1;
    },
    release(alertId) {
      release.run(alertId);
    },
    markPosted(alertId, f, now) {
      posted.run(f.channel, f.ts, f.status, f.hostId, f.mentioned ? 1 : 0, f.mentionCode, f.etaAt, f.hasForecast ? 1 : 0, now, now, alertId);
    },
    update(alertId, f, now) {
      const sets: string[] = [];
      const values: (string | number | null)[] = [];
      if (f.status !== undefined) {
        sets.push('status = ?');
        values.push(f.status);
      }
      if (f.mentioned !== undefined) {
        sets.push('mentioned = ?');
        values.push(f.mentioned ? 1 : 0);
      }
      if (f.mentionCode !== undefined) {
        sets.push('mention_code = ?');
        values.push(f.mentionCode);
      }
      if (f.etaAt !== undefined) {
        sets.push('eta_at = ?');
        values.push(f.etaAt);
      }
      sets.push('updated_at = ?');
      values.push(now, alertId);
      db.prepare(`UPDATE alert_posts SET ${sets.join(', ')} WHERE alert_id = ?`).run(...values);
    },
    markClosed(alertId, now) {
      closed.run(now, now, alertId);
    },
    get(alertId) {
      const row = get.get(alertId) as Row | undefined;
      return row ? toRecord(row) : null;
    },
    listOpen() {
      return (open.all() as unknown as Row[]).map(toRecord);
    },
  };
}
