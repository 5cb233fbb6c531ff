import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig, MAX_TIMER_MS, type Config } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';
import { parseCalendar } from '../src/services/urgency/calendar.ts';
import { parseDestination } from '../src/services/relay/upload-rules.ts';

// Keys of the real file (so generated documents reach deep into the schema) and a few near misses.
const KEYS = [
  'uploads',
  'alerts',
  'inventory',
  's3',
  'log',
  'keyword',
  'destination',
  'maxBytes',
  'channels',
  'users',
  'presignSeconds',
  'deleteFromSlack',
  'channel',
  'pollSeconds',
  'mention',
  'mentionOnCritical',
  'marginMinutes',
  'urgentWithinMinutes',
  'refreshMinutes',
  'calendar',
  'timezone',
  'workdays',
  'hours',
  'holidays',
  'file',
  'ttlSeconds',
  'endpoint',
  'forcePathStyle',
  'region',
  'requestChecksumCalculation',
  'partSizeBytes',
  'queueSize',
  'level',
  'timeZone',
  '__proto__',
  'constructor',
  'toString',
  '',
];

// Strings near the edges of each rule, plus arbitrary text.
const STRINGS = [
  'UTC',
  'Asia/Tokyo',
  'Mars/Olympus',
  '+05:00',
  'utc',
  '2026-12-31',
  '2026-13-45',
  '2027-02-29',
  '0000-00-00',
  '09:00-18:00',
  '22:00-06:00',
  '00:00-24:00',
  '24:00-24:00',
  '9-18',
  '99:99-00:00',
  '<!subteam^S0ONCALL>',
  '<!here>',
  '<@U0123|x>',
  '@oncall',
  '<!subteam^>',
  '!fileupload',
  's3://bucket-a/x/',
  's3://ab/',
  's3://Bad/',
  's3://a..b/',
  'file:///srv/up/',
  'file://rel/',
  'file:///srv/%',
  'file:///srv/%2F/',
  'file:///a/../b',
  'file:///srv/%00/',
  'file:///srv/#/',
  'http://127.0.0.1:9000',
  'ftp://x',
  'https://u:p@x/',
  'C0ALERTS',
  '#general',
  'U0ALICE',
  'us-east-1',
  'WHEN_REQUIRED',
  'debug',
  'loud',
  '',
  ' ',
  '\u0000',
  '\n',
  '<>&',
];

const scalar = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 7, 60, 86400, 2 ** 31, Number.MAX_SAFE_INTEGER, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, -0),
  fc.boolean(),
  fc.constant(null),
);

const { value: yamlValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('mapping')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  mapping: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
}));

// Documents shaped like the real file more often than not, so refinements deep inside get exercised.
const calendarLike = fc.record(
  {
    timezone: yamlValue,
    workdays: fc.oneof(fc.array(fc.integer({ min: -1, max: 9 }), { maxLength: 8 }), yamlValue),
    hours: yamlValue,
    holidays: fc.oneof(fc.array(fc.constantFrom(...STRINGS)), yamlValue),
  },
  { requiredKeys: [] },
);
const ruleLike = fc.record(
  {
    keyword: yamlValue,
    destination: fc.oneof(fc.constantFrom(...STRINGS), yamlValue),
    maxBytes: yamlValue,
    channels: yamlValue,
    users: yamlValue,
    presignSeconds: yamlValue,
    deleteFromSlack: yamlValue,
  },
  { requiredKeys: [] },
);
const documentLike = fc.record(
  {
    uploads: fc.oneof(fc.array(ruleLike, { maxLength: 3 }), yamlValue),
    alerts: fc.oneof(
      fc.record(
        {
          channel: yamlValue,
          pollSeconds: yamlValue,
          mention: yamlValue,
          mentionOnCritical: yamlValue,
          marginMinutes: yamlValue,
          refreshMinutes: yamlValue,
          calendar: fc.oneof(calendarLike, yamlValue),
        },
        { requiredKeys: [] },
      ),
      yamlValue,
    ),
    inventory: fc.oneof(fc.record({ file: yamlValue, ttlSeconds: yamlValue }, { requiredKeys: [] }), yamlValue),
    s3: fc.oneof(
      fc.record({ endpoint: yamlValue, region: yamlValue, partSizeBytes: yamlValue, queueSize: yamlValue, requestChecksumCalculation: yamlValue }, { requiredKeys: [] }),
      yamlValue,
    ),
    log: fc.oneof(fc.record({ level: yamlValue }, { requiredKeys: [] }), yamlValue),
  },
  { requiredKeys: [] },
);

const ENV_KEYS = [
  'PORT',
  'SLACK_API_URL',
  'MACKEREL_API_URL',
  'S3_ENDPOINT',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_USER_TOKEN',
  'MACKEREL_APIKEY',
  'MACKEREL_WEBHOOK_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'S3_FORCE_PATH_STYLE',
  'S3_REQUEST_CHECKSUM_CALCULATION',
  'LOG_LEVEL',
];
const envValue = fc.oneof(
  fc.string().filter((s) => !s.includes('\u0000')),
  fc.constantFrom('0', '65535', '65536', 'xoxb-1', 'xapp-1', 'xoxp-1', 'https://x/', 'http://[::1]:1/', 'true', 'us-east-1', 'debug'),
);
const environment = fc.dictionary(fc.constantFrom(...ENV_KEYS), envValue, { maxKeys: 6 });

const dir = mkdtempSync(join(tmpdir(), 'opsbot-config-prop-'));

/** Loads the YAML text: either a config, or a ConfigError that names a key. Anything else fails the property. */
function loadText(text: string, env: NodeJS.ProcessEnv = {}): Config | ConfigError {
  writeFileSync(join(dir, 'opsbot.yaml'), text);
  try {
    return loadConfig({ env: { OPSBOT_DATA_DIR: join(dir, 'data'), ...env }, cwd: dir });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`loadConfig threw ${String((error as Error)?.name)} for ${JSON.stringify(text)}: ${String(error)}`);
    // The last-resort wrapper for unexpected errors must never be what answers.
    expect(error.key).not.toBe('(loading)');
    expect(error.message.startsWith(`config ${error.key}: `)).toBe(true);
    return error;
  }
}

/** What a loaded config promises to the code that uses it later. */
function expectUsable(config: Config): void {
  expect(() => parseCalendar(config.alerts.calendar)).not.toThrow();
  for (const rule of config.uploads) expect(() => parseDestination(rule.destination)).not.toThrow();
  for (const seconds of [config.alerts.pollSeconds, config.alerts.refreshMinutes * 60, config.mackerel.ttlSeconds]) {
    expect(Number.isSafeInteger(seconds) && seconds >= 0 && seconds * 1000 <= MAX_TIMER_MS).toBe(true);
  }
  expect(Number.isInteger(config.port) && config.port >= 0 && config.port <= 65535).toBe(true);
}

describe('loadConfig on arbitrary input either loads a usable config or throws ConfigError', () => {
  it('YAML documents shaped like the config file', () => {
    fc.assert(
      fc.property(documentLike, (doc) => {
        const result = loadText(stringify(doc));
        if (!(result instanceof ConfigError)) expectUsable(result);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary YAML values', () => {
    fc.assert(
      fc.property(yamlValue, (doc) => {
        const result = loadText(stringify(doc));
        if (!(result instanceof ConfigError)) expectUsable(result);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary text as the file, including anchors, tags and broken YAML', () => {
    const fragments = fc.constantFrom(
      'alerts:',
      '  calendar:',
      '    holidays: [',
      '&a',
      '*a',
      '!!binary',
      '!!set',
      '? ',
      '- ',
      '{',
      '}',
      '"',
      "'",
      ':',
      '\t',
      '\n',
      '<<: *a',
      '%YAML 1.1',
      '---',
      'uploads: &u [*u]',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fragments, fc.string({ maxLength: 6 })), { maxLength: 12 }), (parts) => {
        const result = loadText(parts.join(''));
        if (!(result instanceof ConfigError)) expectUsable(result);
      }),
      { numRuns: 300 },
    );
  });

  it('calendars near the edges: whatever loads, the alert service reads the same way', () => {
    // Mostly in range, sometimes not: both sides of every bound get tried.
    const pad = (n: number) => String(n).padStart(2, '0');
    const part = (max: number) => fc.oneof(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 99 })).map(pad);
    const hours = fc.tuple(part(24), part(59), part(24), part(59)).map(([a, b, c, d]) => `${a}:${b}-${c}:${d}`);
    const date = fc.tuple(fc.integer({ min: 1900, max: 2100 }), part(12), part(31)).map(([y, m, d]) => `${y}-${m}-${d}`);
    const zone = fc.constantFrom('UTC', 'Asia/Tokyo', 'America/New_York', 'Etc/GMT+12', 'Mars/Olympus', 'asia/tokyo', 'EST5EDT', 'Local', '');
    let loaded = 0;
    fc.assert(
      fc.property(
        fc.record({ timezone: zone, hours, holidays: fc.array(date, { maxLength: 3 }), workdays: fc.uniqueArray(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 3 }) }),
        (cal) => {
          const result = loadText(stringify({ alerts: { calendar: cal } }));
          if (!(result instanceof ConfigError)) {
            loaded++;
            expectUsable(result);
            expect(result.alerts.calendar).toEqual(cal);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(loaded).toBeGreaterThan(0);
  });

  it('arbitrary environment variables', () => {
    fc.assert(
      fc.property(environment, (env) => {
        const result = loadText('', env);
        if (!(result instanceof ConfigError)) expectUsable(result);
      }),
      { numRuns: 300 },
    );
  });
});
