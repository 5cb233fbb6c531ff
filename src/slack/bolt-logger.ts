import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../core/logger.ts';

/** Bolt's logger interface on top of our pino logger (so Bolt's lines are JSON and scrubbed too). */
export function toBoltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  const join = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: (...msgs) => child.debug(join(msgs)),
    info: (...msgs) => child.info(join(msgs)),
    warn: (...msgs) => child.warn(join(msgs)),
    error: (...msgs) => child.error(join(msgs)),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => {},
  };
}
