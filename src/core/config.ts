import { isMentionList } from './message.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DateTime, IANAZone } from 'luxon';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { isLanguage, LANGUAGES, type Language } from './language.ts';

/** The repository root: embedded defaults (demo inventory, demo data) live here. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** setTimeout/setInterval fire at once for delays above 2^31-1 ms (~24.8 days); every timer setting stays far below. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
const DAY_SECONDS = 86_400;
const WEEK_MINUTES = 7 * 24 * 60;
const MiB = 1024 * 1024;
/** S3 limits: 5 TiB per object, parts of 5 MiB to 5 GiB, 1024-byte keys. */
const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * MiB;
const MAX_PREFIX_BYTES = 512;

/** A value as a person would write it, for error messages; never throws, whatever the value. */
export function describeValue(value: unknown): string {
  try {
    if (value === undefined) return 'nothing';
    if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    if (Array.isArray(value)) return 'a list';
    if (value === null) return 'null';
    if (typeof value === 'object') return value instanceof Date ? 'a date' : 'a mapping';
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
    return `a ${typeof value}`;
  } catch {
    return 'an unreadable value';
  }
}

const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** A string schema whose extra rule returns the problem (or undefined when the value is fine). */
function checkedString(expected: string, problem: (value: string) => string | undefined) {
  return z.string({ error: (issue) => `expected ${expected}, got ${describeValue(issue.input)}` }).superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: value });
  });
}

/** A whole number from `min` to `max`; `unit` and `hint` make the message, e.g. "seconds", " (0: off)". */
function wholeNumber(min: number, max: number, unit: string, hint = '') {
  return z.custom<number>((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max, {
    error: (issue) => `expected a whole number of ${unit} from ${min} to ${max}${hint}, got ${describeValue(issue.input)}`,
  });
}

function booleanValue() {
  return z.boolean({ error: (issue) => `expected true or false, got ${describeValue(issue.input)}` });
}

function listOf<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: (issue) => `expected a list of ${what}, got ${describeValue(issue.input)}` });
}

/** The known key a mistyped one most likely meant (other case, a letter or two off, a cut-off word). */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  if (lower.length < 3) return undefined;
  let best: { key: string; score: number } | undefined;
  for (const k of known) {
    const other = k.toLowerCase();
    let common = 0;
    while (common < lower.length && lower[common] === other[common]) common++;
    const score = lower === other ? 0 : editDistance(lower, other) <= (lower.length >= 6 ? 2 : 1) ? 1 : common >= 5 ? 2 : Infinity;
    if (score < (best?.score ?? Infinity)) best = { key: k, score };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** A mapping that rejects unknown keys, naming the known ones (and the likely intended one). */
function section<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'invalid_type') return `expected a mapping with ${known.join(', ')}; got ${describeValue(issue.input)}`;
      if (issue.code === 'unrecognized_keys') {
        const guess = issue.keys.length === 1 ? nearestKey(issue.keys[0]!, known) : undefined;
        return `unknown key(s) ${issue.keys.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}; known keys here: ${known.join(', ')}`;
      }
      return undefined;
    },
  });
}

// --- Slack IDs and mentions -------------------------------------------------------------------

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,20}$/;
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

function slackIdProblem(value: string, kind: 'channel' | 'user'): string | undefined {
  if ((kind === 'channel' ? CHANNEL_ID : USER_ID).test(value)) return undefined;
  const example = kind === 'channel' ? 'C0123ABCD' : 'U0123ABCD';
  if (kind === 'channel' && value.startsWith('#'))
    return `expected a channel ID such as "${example}" (channel details → About, at the bottom), not the channel's name ${describeValue(value)}`;
  if (kind === 'user' && value.startsWith('@')) return `expected a member ID such as "${example}" (profile → ⋮ → Copy member ID), not the name ${describeValue(value)}`;
  return `expected a Slack ${kind} ID such as "${example}" (${kind === 'channel' ? 'C, G or D' : 'U or W'} and capital letters or digits), got ${describeValue(value)}`;
}

const channelId = checkedString('a Slack channel ID such as "C0123ABCD"', (v) => slackIdProblem(v, 'channel'));
const USERGROUP_ID = /^S[A-Z0-9]{2,20}$/;

/** A member (`U…`/`W…`) or a user group (`S…`) ID, for `permissions`. */
function principalProblem(value: string): string | undefined {
  if (USER_ID.test(value) || USERGROUP_ID.test(value)) return undefined;
  if (value.startsWith('@')) return `expected a member ID ("U0123ABCD": profile → ⋮ → Copy member ID) or a user group ID ("S0123ABCD"), not the name ${describeValue(value)}`;
  if (value.startsWith('<')) return `expected the bare ID ("U0123ABCD" or "S0123ABCD"), not a mention token ${describeValue(value)}`;
  return `expected a Slack member ID such as "U0123ABCD" or a user group ID such as "S0123ABCD", got ${describeValue(value)}`;
}
const principals = listOf(checkedString('a member ID "U0123ABCD" or a user group ID "S0123ABCD"', principalProblem), 'member or user group IDs').min(
  1,
  'is an empty list, so nobody may press it; remove the key for the default',
);
const userId = checkedString('a Slack member ID such as "U0123ABCD"', (v) => slackIdProblem(v, 'user'));

const MENTION_EXAMPLES = '"<!subteam^S0123ABCD>" (a user group), "<@U0123ABCD>" (a member), "<!here>" or "<!channel>", separated by spaces';

function mentionProblem(value: string): string | undefined {
  if (isMentionList(value)) return undefined;
  if (value.trim() === '') return `is empty; remove the key for no mention, or give ${MENTION_EXAMPLES}`;
  if (/^@/.test(value.trim())) return `${describeValue(value)} would be posted as plain text and notify nobody; use Slack's mention syntax: ${MENTION_EXAMPLES}`;
  return `expected Slack mention tokens: ${MENTION_EXAMPLES}; got ${describeValue(value)}`;
}

// --- Destinations -----------------------------------------------------------------------------

const BUCKET_FORBIDDEN_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const BUCKET_FORBIDDEN_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** The S3 bucket naming rules (general purpose buckets), as one message, or undefined. */
export function bucketNameProblem(bucket: string): string | undefined {
  const rule = 'S3 bucket names are 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit';
  if (bucket.length < 3 || bucket.length > 63 || !/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) return `bucket ${describeValue(bucket)}: ${rule}`;
  if (/\.\.|\.-|-\./.test(bucket)) return `bucket ${describeValue(bucket)}: no ".." and no dot next to a hyphen`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return `bucket ${describeValue(bucket)}: must not look like an IP address`;
  const prefix = BUCKET_FORBIDDEN_PREFIXES.find((p) => bucket.startsWith(p));
  if (prefix) return `bucket ${describeValue(bucket)}: names starting with "${prefix}" are reserved by S3`;
  const suffix = BUCKET_FORBIDDEN_SUFFIXES.find((s) => bucket.endsWith(s));
  if (suffix) return `bucket ${describeValue(bucket)}: names ending with "${suffix}" are reserved by S3`;
  return undefined;
}

function pathSegmentsProblem(segments: string[], what: string): string | undefined {
  if (segments.some((s) => s === '..' || s === '.')) return `${what} must not contain "." or ".." segments`;
  if (segments.some((s) => CONTROL.test(s))) return `${what} must not contain control characters`;
  return undefined;
}

function destinationProblem(value: string): string | undefined {
  const expected = 'expected s3://bucket/prefix/ or file:///absolute/folder/';
  const s3 = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(value);
  if (s3) {
    const bucketProblem = bucketNameProblem(s3[1]!);
    if (bucketProblem) return bucketProblem;
    const prefix = s3[2] ?? '';
    if (Buffer.byteLength(prefix, 'utf8') > MAX_PREFIX_BYTES) return `the key prefix is longer than ${MAX_PREFIX_BYTES} bytes (S3 keys stop at 1024)`;
    return pathSegmentsProblem(prefix.split('/'), 'the key prefix');
  }
  if (value.startsWith('file://')) {
    const path = value.slice('file://'.length);
    if (!path.startsWith('/')) return `a file destination is a local absolute folder with three slashes, e.g. file:///srv/uploads/ (got ${describeValue(value)})`;
    if (/[?#]/.test(path)) return `"?" and "#" are not allowed in a folder URL; write them as %3F and %23`;
    let segments: string[];
    try {
      segments = path.split('/').map((s) => decodeURIComponent(s));
    } catch {
      return `${describeValue(value)} has a broken %-escape; write "%" itself as %25`;
    }
    const problem = pathSegmentsProblem(segments, 'the folder');
    if (problem) return problem;
    if (segments.some((segment) => segment.includes('/') || segment.includes('\\'))) return 'an escaped "/" or "\\" (%2F, %5C) is not allowed in a folder URL';
    // The same decoding the relay uses must land on the same folder.
    try {
      new URL(value);
    } catch {
      return `${describeValue(value)} is not a valid file URL`;
    }
    return undefined;
  }
  return `${expected}, got ${describeValue(value)}`;
}

const KEYWORD_MAX = 64;

function keywordProblem(value: string): string | undefined {
  if (value === '') return 'is empty; a keyword is one word, e.g. "!fileupload"';
  if (/\s/u.test(value) || CONTROL.test(value)) return `a keyword is one word without spaces or control characters, e.g. "!fileupload"; got ${describeValue(value)}`;
  if (/[<>&]/.test(value)) return `"<", ">" and "&" cannot be used: Slack rewrites them in messages, so the keyword would never match (got ${describeValue(value)})`;
  if (value.length > KEYWORD_MAX) return `a keyword is at most ${KEYWORD_MAX} characters`;
  return undefined;
}

const uploadRuleSchema = section({
  keyword: checkedString('a keyword such as "!fileupload"', keywordProblem),
  destination: checkedString('s3://bucket/prefix/ or file:///absolute/folder/', destinationProblem),
  maxBytes: wholeNumber(1, MAX_OBJECT_BYTES, 'bytes', ' (5 TiB, the S3 object limit)').optional(),
  channels: listOf(channelId, 'channel IDs').min(1, 'is an empty list, so the keyword works nowhere; remove the key to allow every channel').optional(),
  users: listOf(userId, 'member IDs').min(1, 'is an empty list, so nobody may use the keyword; remove the key to allow everyone').optional(),
  /** Seconds a presigned download link stays valid; 0 or absent: no link. */
  presignSeconds: wholeNumber(0, 604800, 'seconds', ' (7 days, the longest an S3 presigned link lives; 0: no link)').optional(),
  /** Delete the Slack copy after a verified upload (needs SLACK_USER_TOKEN with files:write). */
  deleteFromSlack: booleanValue().optional(),
}).superRefine((rule, ctx) => {
  if (rule.presignSeconds && typeof rule.destination === 'string' && rule.destination.startsWith('file://')) {
    ctx.addIssue({
      code: 'custom',
      path: ['presignSeconds'],
      message: 'download links are made for s3:// destinations only; remove it or set it to 0 for a file:// destination',
      input: rule.presignSeconds,
    });
  }
});

// --- Calendar ---------------------------------------------------------------------------------

function timezoneProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty; expected an IANA time zone such as "Asia/Tokyo" or "UTC"';
  return IANAZone.isValidZone(value) ? undefined : `unknown time zone ${describeValue(value)} (expected an IANA name such as "Asia/Tokyo", "Europe/Berlin" or "UTC")`;
}

/** Minutes since midnight of an `HH:MM`, 00:00-23:59 (24:00 too when `end`), else undefined. */
function clockMinutes(hhmm: string, end: boolean): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0 && end) return 1440;
  return h <= 23 && min <= 59 ? h * 60 + min : undefined;
}

function hoursProblem(value: string): string | undefined {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(value);
  if (!m) return `expected "HH:MM-HH:MM" with two-digit hours and minutes, e.g. "09:00-18:00"; got ${describeValue(value)}`;
  const start = clockMinutes(m[1]!, false);
  const end = clockMinutes(m[2]!, true);
  if (start === undefined) return `start ${m[1]} is not a time of day (00:00-23:59)`;
  if (end === undefined) return `end ${m[2]} is not a time of day (00:00-23:59, or 24:00)`;
  if (start === end % 1440 && !(start === 0 && end === 1440)) return `start and end are both ${m[1]}; use "00:00-24:00" for whole days`;
  return undefined;
}

function dateProblem(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return `expected a date "YYYY-MM-DD", got ${describeValue(value)}`;
  return DateTime.fromISO(value, { zone: 'UTC' }).isValid ? undefined : `${describeValue(value)} is not a calendar date`;
}

const workdaySchema = wholeNumber(1, 7, 'weekday', ' (ISO: Monday = 1 … Sunday = 7)');

const calendarSchema = section({
  timezone: checkedString('an IANA time zone such as "Asia/Tokyo"', timezoneProblem).default('UTC'),
  workdays: listOf(workdaySchema, 'ISO weekdays 1-7 (Monday = 1)')
    .min(1, 'must name at least one workday, otherwise nobody is ever at work')
    .superRefine((days, ctx) => {
      const seen = new Set<number>();
      days.forEach((day, i) => {
        if (seen.has(day)) ctx.addIssue({ code: 'custom', path: [i], message: `weekday ${day} is listed twice`, input: day });
        seen.add(day);
      });
    })
    .default([1, 2, 3, 4, 5]),
  /** Local working hours; an end before the start is an overnight period ("22:00-06:00"); end may be 24:00. */
  hours: checkedString('"HH:MM-HH:MM", e.g. "09:00-18:00"', hoursProblem).default('09:00-18:00'),
  holidays: listOf(checkedString('a date "YYYY-MM-DD"', dateProblem), 'dates "YYYY-MM-DD"').default([]),
});

// --- URLs, regions ------------------------------------------------------------------------------

/** An http(s) URL without credentials, query or fragment, as one message, or undefined. */
export function httpUrlProblem(value: string): string | undefined {
  // URL parsing silently drops tabs and line breaks; the raw value is what clients are given.
  if (/[\s\p{Cc}]/u.test(value)) return `must not contain spaces, line breaks or control characters, got ${describeValue(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an http(s) URL such as "https://example.com/", got ${describeValue(value)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `expected an http(s) URL, got ${describeValue(value)}`;
  if (!url.hostname) return `expected an http(s) URL with a host, got ${describeValue(value)}`;
  if (url.username || url.password) return 'must not carry a user name or password (they would end up in logs); use the credential settings';
  if (/[?#]/.test(value)) return `must not have a query or fragment, got ${describeValue(value)}`;
  return undefined;
}

function regionProblem(value: string): string | undefined {
  return /^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$/.test(value) ? undefined : `expected a region name such as "us-east-1", got ${describeValue(value)}`;
}

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const languageSchema = z.custom<Language>((v) => isLanguage(v), { error: (issue) => `expected ${LANGUAGES.join(' or ')}, got ${describeValue(issue.input)}` });

const fileSchema = section({
  /** What the bot speaks: every reply, post, graph and help text (OPSBOT_LANGUAGE overrides it). */
  language: languageSchema.optional(),
  uploads: listOf(uploadRuleSchema, 'upload rules').optional(),
  alerts: section({
    channel: channelId.optional(),
    pollSeconds: wholeNumber(0, DAY_SECONDS, 'seconds', ' (a day; 0: no polling)').default(60),
    mention: checkedString(`Slack mention tokens: ${MENTION_EXAMPLES}`, mentionProblem).optional(),
    mentionOnCritical: booleanValue().default(true),
    /** Mention when the limit comes before the next working period plus this margin. */
    marginMinutes: wholeNumber(0, WEEK_MINUTES, 'minutes', ' (a week)').default(60),
    /** During working hours, mention when the limit is nearer than this. */
    urgentWithinMinutes: wholeNumber(0, WEEK_MINUTES, 'minutes', ' (a week)').default(120),
    /** How often the forecast of an open alert is refreshed. */
    refreshMinutes: wholeNumber(0, DAY_SECONDS / 60, 'minutes', ' (a day; 0: no refresh)').default(30),
    calendar: calendarSchema.default({ timezone: 'UTC', workdays: [1, 2, 3, 4, 5], hours: '09:00-18:00', holidays: [] }),
    /** Show "Close in Mackerel" on alert posts: the API key must have write permission (Mackerel cannot be asked). */
    closeButton: booleanValue().default(false),
  }).optional(),
  /** Who may press the buttons (and so act from Slack); absent: anyone who can see the post, except closeAlert (nobody). */
  permissions: section({
    acknowledge: principals.optional(),
    snooze: principals.optional(),
    graph: principals.optional(),
    closeAlert: principals.optional(),
    retryRelay: principals.optional(),
  }).optional(),
  inventory: section({
    file: checkedString('a path to an inventory YAML file', (v) => (v.trim() === '' ? 'is empty' : CONTROL.test(v) ? 'must not contain control characters' : undefined)).optional(),
    ttlSeconds: wholeNumber(1, DAY_SECONDS, 'seconds', ' (a day)').optional(),
  }).optional(),
  s3: section({
    endpoint: checkedString('an http(s) URL', httpUrlProblem).optional(),
    forcePathStyle: booleanValue().optional(),
    region: checkedString('a region name such as "us-east-1"', regionProblem).optional(),
    requestChecksumCalculation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED'], { error: (issue) => `expected WHEN_SUPPORTED or WHEN_REQUIRED, got ${describeValue(issue.input)}` }).optional(),
    partSizeBytes: wholeNumber(5 * MiB, 5 * 1024 * MiB, 'bytes', ' (S3 parts are 5 MiB to 5 GiB)').optional(),
    queueSize: wholeNumber(1, 16, 'parallel part uploads').optional(),
  }).optional(),
  log: section({
    level: z.enum(logLevels, { error: (issue) => `expected one of ${logLevels.join(', ')}, got ${describeValue(issue.input)}` }).optional(),
  }).optional(),
});

export type UploadRule = z.infer<typeof uploadRuleSchema>;
export type PermissionAction = 'acknowledge' | 'snooze' | 'graph' | 'closeAlert' | 'retryRelay';
export type Permissions = Partial<Record<PermissionAction, string[]>>;
export type CalendarConfig = z.infer<typeof calendarSchema>;

export interface Config {
  mode: 'socket' | 'http' | 'shell';
  /** OPSBOT_LANGUAGE, else the file's `language`, else English. */
  language: Language;
  slack: {
    botToken?: string;
    appToken?: string;
    signingSecret?: string;
    userToken?: string;
    apiUrl: string;
  };
  port: number;
  dataDir: string;
  /** OPSBOT_DATABASE_URL: state in PostgreSQL, shared by several replicas; unset: SQLite under dataDir. */
  databaseUrl?: string;
  configFile?: string;
  uploads: UploadRule[];
  alerts: {
    channel?: string;
    pollSeconds: number;
    mention?: string;
    mentionOnCritical: boolean;
    marginMinutes: number;
    urgentWithinMinutes: number;
    refreshMinutes: number;
    calendar: CalendarConfig;
    closeButton?: boolean;
  };
  /** Member (`U…`/`W…`) and user group (`S…`) IDs per button; absent: anyone (closeAlert: nobody). */
  permissions: Permissions;
  mackerel: {
    apiKey?: string;
    apiUrl: string;
    webhookToken?: string;
    ttlSeconds: number;
  };
  inventoryFile: string;
  s3: {
    endpoint?: string;
    forcePathStyle: boolean;
    region: string;
    requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
    partSizeBytes: number;
    queueSize: number;
    /** Static keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; unset: the AWS SDK's own chain. */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
  logLevel: string;
  /** Every secret value, for scrubbing logs and replies. */
  secrets: string[];
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Force the local shell whatever the environment says. */
  shell?: boolean;
}

function envBool(env: NodeJS.ProcessEnv, key: string): boolean | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(key, `expected true or false, got ${describeValue(raw)}`);
}

/** An http(s) base URL from the environment, always ending in `/`. */
function envUrl(env: NodeJS.ProcessEnv, key: string, fallback: string): string {
  const raw = env[key] || fallback;
  const problem = httpUrlProblem(raw);
  if (problem) throw new ConfigError(key, problem);
  return raw.endsWith('/') ? raw : `${raw}/`;
}

/**
 * A secret from the environment: unset or empty is undefined; otherwise printable ASCII with no
 * spaces (a pasted newline would otherwise fail every request later, far from the cause).
 */
function envSecret(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[\x21-\x7e]+$/.test(raw)) throw new ConfigError(key, 'contains spaces, line breaks or other characters a token never has; check for a stray newline or quote when it was pasted');
  return raw;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('OPSBOT_CONFIG', `cannot read ${path}: ${errorText(error)}`);
  }
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new ConfigError('OPSBOT_CONFIG', `${path} is not valid YAML: ${errorText(error).split('\n')[0]}`);
  }
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}

/** `alerts.calendar.hours`, `uploads[0].destination`: the key path of an issue. */
function keyPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(top level)'
  );
}

function issueKey(issue: z.core.$ZodIssue): string {
  // An unknown key is named itself, not the mapping it sits in.
  return keyPath(issue.code === 'unrecognized_keys' && issue.keys.length ? [...issue.path, issue.keys[0]!] : issue.path);
}

function parseFile(raw: unknown): z.infer<typeof fileSchema> {
  const result = fileSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const [first, ...others] = result.error.issues;
  const key = issueKey(first!);
  const more = others.length ? ` (and ${others.length} more: ${[...new Set(others.map(issueKey))].slice(0, 5).join(', ')})` : '';
  throw new ConfigError(key, `${first!.message}${more}`);
}

/** A folder setting: fine when absent (it is created when needed); an error when something else is there. */
function checkFolder(key: string, path: string): void {
  const dir = path.replace(/(.)\/+$/, '$1');
  try {
    if (statSync(dir).isDirectory()) return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENOTDIR') throw new ConfigError(key, `cannot use ${dir}: ${code ?? errorText(error)}`);
  }
  throw new ConfigError(key, `${dir} exists and is not a folder`);
}

/**
 * Loads the configuration from the environment and the YAML file, validates all of it, and fills
 * in the embedded defaults. Throws ConfigError naming the bad key (and nothing else): a config
 * that loads does not fail later for a value that could have been checked here.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  try {
    return load(options);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // A bug here must still end as a configuration error (exit 78) that says where it came from.
    throw new ConfigError('(loading)', `unexpected error while reading the configuration: ${errorText(error)}`);
  }
}

function load(options: LoadConfigOptions): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFile = env.OPSBOT_CONFIG ? resolve(cwd, env.OPSBOT_CONFIG) : existsSync(resolve(cwd, 'opsbot.yaml')) ? resolve(cwd, 'opsbot.yaml') : undefined;
  const file = parseFile(configFile ? readConfigFile(configFile) : {});

  if (env.OPSBOT_DATA_DIR && CONTROL.test(env.OPSBOT_DATA_DIR)) throw new ConfigError('OPSBOT_DATA_DIR', 'must not contain control characters');
  const dataDir = resolve(cwd, env.OPSBOT_DATA_DIR || 'data');
  checkFolder('OPSBOT_DATA_DIR', dataDir);

  const botToken = envSecret(env, 'SLACK_BOT_TOKEN');
  const appToken = envSecret(env, 'SLACK_APP_TOKEN');
  const signingSecret = envSecret(env, 'SLACK_SIGNING_SECRET');
  const userToken = envSecret(env, 'SLACK_USER_TOKEN');
  const mode: Config['mode'] = options.shell || !botToken ? 'shell' : appToken ? 'socket' : 'http';
  if (botToken && !/^xox[bp]-/.test(botToken)) throw new ConfigError('SLACK_BOT_TOKEN', 'expected a bot token starting with xoxb-');
  if (mode === 'socket' && !appToken!.startsWith('xapp-'))
    throw new ConfigError('SLACK_APP_TOKEN', 'expected an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)');
  if (mode === 'http' && !signingSecret) throw new ConfigError('SLACK_SIGNING_SECRET', 'required in HTTP mode (no SLACK_APP_TOKEN); find it under Basic Information → Signing Secret');
  if (userToken && !/^(xoxe\.)?xoxp-/.test(userToken)) throw new ConfigError('SLACK_USER_TOKEN', 'expected a user token starting with xoxp- (OAuth & Permissions → User OAuth Token)');

  const portRaw = env.PORT || '3000';
  const port = /^\d{1,5}$/.test(portRaw) ? Number(portRaw) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError('PORT', `expected a port number 1-65535 (0: any free port), got ${describeValue(portRaw)}`);

  if (env.S3_ENDPOINT) envUrl(env, 'S3_ENDPOINT', env.S3_ENDPOINT);
  const s3Endpoint = env.S3_ENDPOINT || file.s3?.endpoint;
  const checksumEnv = env.S3_REQUEST_CHECKSUM_CALCULATION;
  if (checksumEnv && checksumEnv !== 'WHEN_SUPPORTED' && checksumEnv !== 'WHEN_REQUIRED') {
    throw new ConfigError('S3_REQUEST_CHECKSUM_CALCULATION', `expected WHEN_SUPPORTED or WHEN_REQUIRED, got ${describeValue(checksumEnv)}`);
  }
  for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const problem = env[key] ? regionProblem(env[key]) : undefined;
    if (problem) throw new ConfigError(key, problem);
  }
  const accessKeyId = envSecret(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = envSecret(env, 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = envSecret(env, 'AWS_SESSION_TOKEN');
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new ConfigError(
      accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID',
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS SDK's own credentials (profile, instance role)",
    );
  }
  const logLevel = env.LOG_LEVEL || file.log?.level || 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) throw new ConfigError('LOG_LEVEL', `expected one of ${logLevels.join(', ')}, got ${describeValue(logLevel)}`);
  const databaseUrl = envSecret(env, 'OPSBOT_DATABASE_URL');
  if (databaseUrl) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(databaseUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.hostname) {
      throw new ConfigError('OPSBOT_DATABASE_URL', 'expected a PostgreSQL URL such as postgres://opsbot:PASSWORD@db.example:5432/opsbot');
    }
  }
  const mackerelApiKey = envSecret(env, 'MACKEREL_APIKEY');
  const webhookToken = envSecret(env, 'MACKEREL_WEBHOOK_TOKEN');

  file.uploads?.forEach((rule, i) => {
    if (rule.deleteFromSlack && mode !== 'shell' && !userToken) {
      throw new ConfigError(`uploads[${i}].deleteFromSlack`, 'needs SLACK_USER_TOKEN (a user token with files:write): a bot token cannot delete files people shared');
    }
    if (rule.destination.startsWith('file://')) checkFolder(`uploads[${i}].destination`, fileURLToPath(rule.destination));
  });
  const alerts = file.alerts ?? fileSchema.shape.alerts.unwrap().parse({});
  const permissions: Permissions = file.permissions ?? {};
  if (alerts.closeButton && !permissions.closeAlert) {
    throw new ConfigError(
      'permissions.closeAlert',
      'alerts.closeButton is on, so list who may close alerts in Mackerel from Slack (member IDs "U…" or user group IDs "S…"); nobody may by default',
    );
  }
  // A URL, not the bare path: a data folder with "%", "#" or spaces must survive the relay's decoding.
  const uploads = file.uploads ?? [{ keyword: '!fileupload', destination: `${pathToFileURL(resolve(dataDir, 'uploads')).href}/` }];

  const languageEnv = env.OPSBOT_LANGUAGE?.trim();
  if (languageEnv && !isLanguage(languageEnv)) throw new ConfigError('OPSBOT_LANGUAGE', `expected ${LANGUAGES.join(' or ')}, got ${describeValue(env.OPSBOT_LANGUAGE)}`);
  const language: Language = (languageEnv as Language | undefined) || file.language || 'en';

  const config: Config = {
    mode,
    language,
    slack: {
      botToken,
      appToken,
      signingSecret,
      userToken,
      apiUrl: envUrl(env, 'SLACK_API_URL', 'https://slack.com/api/'),
    },
    port,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    configFile,
    uploads,
    alerts,
    permissions,
    mackerel: {
      apiKey: mackerelApiKey,
      apiUrl: envUrl(env, 'MACKEREL_API_URL', 'https://api.mackerelio.com/'),
      webhookToken,
      ttlSeconds: file.inventory?.ttlSeconds ?? 300,
    },
    inventoryFile: file.inventory?.file ? resolve(configFile ? dirname(configFile) : cwd, file.inventory.file) : resolve(PROJECT_ROOT, 'demo/inventory.yaml'),
    s3: {
      endpoint: s3Endpoint,
      forcePathStyle: envBool(env, 'S3_FORCE_PATH_STYLE') ?? file.s3?.forcePathStyle ?? Boolean(s3Endpoint),
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || file.s3?.region || 'us-east-1',
      requestChecksumCalculation:
        (checksumEnv as Config['s3']['requestChecksumCalculation'] | undefined) ?? file.s3?.requestChecksumCalculation ?? (s3Endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED'),
      partSizeBytes: file.s3?.partSizeBytes ?? 5 * MiB,
      queueSize: file.s3?.queueSize ?? 4,
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    },
    logLevel,
    secrets: [],
  };
  const databasePassword = databaseUrl ? decodeURIComponent(new URL(databaseUrl).password) : undefined;
  config.secrets = [botToken, appToken, signingSecret, userToken, mackerelApiKey, webhookToken, secretAccessKey, sessionToken, databaseUrl, databasePassword].filter((s): s is string =>
    Boolean(s),
  );
  return config;
}
