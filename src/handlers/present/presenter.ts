import type { Language } from '../../core/language.ts';
import type { Mrkdwn } from '../../core/message.ts';
import { fill, fillPlain, templateFor, type ArgsOf, type Entry } from './catalogue.ts';
import { describeError } from './describe-error.ts';
import { formatBytes, formatDay, formatDuration, formatNumber, formatRate, formatTime } from './format.ts';
import { CATALOGUES, type Catalogue, type MessageKey } from './messages/index.ts';

/**
 * The presentation kit one team's bot speaks with: its language, its calendar's time zone, the
 * catalogue and the formatters bound to them. Every handler, the shell and the CLI get one; nothing
 * else chooses words, units or date styles.
 */
export interface Presenter {
  readonly language: Language;
  readonly timeZone: string;
  /** A catalogue message as mrkdwn (values escaped). */
  t<K extends MessageKey>(key: K, ...params: ArgsOf<Catalogue[K]>): Mrkdwn;
  /** A catalogue message as plain text (button labels, headers, graph titles and axes). */
  text<K extends MessageKey>(key: K, ...params: ArgsOf<Catalogue[K]>): string;
  bytes(bytes: number): string;
  rate(bytesPerSecond: number): string;
  duration(seconds: number): string;
  /** A moment in the team's zone, with its day when it is not today. */
  time(epochSeconds: number): string;
  /** A calendar day in the team's zone. */
  day(epochSeconds: number): string;
  number(value: number, digits?: number): string;
  /** What people read about a failure (never an exception's own message). */
  error(error: unknown): Mrkdwn;
}

export interface PresenterOptions {
  language: Language;
  timeZone: string;
  /** Epoch seconds, for "today" (default: the system clock). */
  now?: () => number;
}

export function createPresenter(options: PresenterOptions): Presenter {
  const { language, timeZone } = options;
  const now = options.now ?? (() => Date.now() / 1000);
  const catalogue = CATALOGUES[language] as Readonly<Record<MessageKey, Entry>>;
  const count = (n: number) => formatNumber(n, language);
  const values = (params: readonly unknown[]) => (params[0] ?? {}) as Readonly<Record<string, unknown>>;
  const present: Presenter = {
    language,
    timeZone,
    t: (key, ...params) => fill(templateFor(catalogue[key], language, values(params).count), values(params), count),
    text: (key, ...params) => fillPlain(templateFor(catalogue[key], language, values(params).count), values(params), count),
    bytes: (bytes) => formatBytes(bytes, language),
    rate: (bps) => formatRate(bps, language),
    duration: (seconds) => formatDuration(seconds, language),
    time: (epochSeconds) => formatTime(epochSeconds, { language, timeZone, now: now() }),
    day: (epochSeconds) => formatDay(epochSeconds, { language, timeZone, now: now() }),
    number: (value, digits) => formatNumber(value, language, digits),
    error: (error) => describeError(error, present),
  };
  return present;
}
