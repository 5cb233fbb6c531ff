import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';
import { parseCalendar } from '../src/services/urgency/calendar.ts';
import { parseDestination } from '../src/services/relay/upload-rules.ts';

function dirWithConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
  writeFileSync(join(dir, 'opsbot.yaml'), yaml);
  return dir;
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

const loadYaml = (yaml: string, env: NodeJS.ProcessEnv = {}): Config => loadConfig({ env, cwd: dirWithConfig(yaml) });

/** `alerts:\n  calendar:\n    KEY: VALUE` and friends, without hand-indenting every row. */
const calendar = (body: string) => `alerts:\n  calendar:\n${body.replace(/^/gm, '    ')}\n`;
const alerts = (body: string) => `alerts:\n${body.replace(/^/gm, '  ')}\n`;
const rule = (body: string) => `uploads:\n  - keyword: "!up"\n    destination: s3://bucket-a/x/\n${body.replace(/^/gm, '    ')}\n`;
const destination = (value: string) => `uploads:\n  - keyword: "!up"\n    destination: ${JSON.stringify(value)}\n`;

// [what, YAML, the key the error must name, what its message must say]
const badFiles: Array<[string, string, string, RegExp]> = [
  // calendar
  ['unknown time zone', calendar('timezone: Mars/Olympus'), 'alerts.calendar.timezone', /unknown time zone "Mars\/Olympus"/],
  ['empty time zone', calendar('timezone: ""'), 'alerts.calendar.timezone', /empty/],
  ['time zone of the wrong type', calendar('timezone: 9'), 'alerts.calendar.timezone', /expected an IANA time zone.*got 9/],
  ['month 13', calendar('holidays: ["2026-13-45"]'), 'alerts.calendar.holidays[0]', /"2026-13-45" is not a calendar date/],
  ['30 February', calendar('holidays: ["2026-01-01", "2026-02-30"]'), 'alerts.calendar.holidays[1]', /not a calendar date/],
  ['29 February of a common year', calendar('holidays: ["2027-02-29"]'), 'alerts.calendar.holidays[0]', /not a calendar date/],
  ['a date not in YYYY-MM-DD', calendar('holidays: ["31/12/2026"]'), 'alerts.calendar.holidays[0]', /expected a date "YYYY-MM-DD"/],
  ['holidays not a list', calendar('holidays: "2026-12-31"'), 'alerts.calendar.holidays', /expected a list of dates/],
  ['hours without minutes', calendar('hours: "9-18"'), 'alerts.calendar.hours', /HH:MM-HH:MM/],
  ['hour 25', calendar('hours: "25:00-18:00"'), 'alerts.calendar.hours', /start 25:00 is not a time of day/],
  ['minute 60', calendar('hours: "09:00-18:60"'), 'alerts.calendar.hours', /end 18:60 is not a time of day/],
  ['start 24:00', calendar('hours: "24:00-06:00"'), 'alerts.calendar.hours', /start 24:00/],
  ['one-digit hour', calendar('hours: "9:00-18:00"'), 'alerts.calendar.hours', /two-digit/],
  ['empty working period', calendar('hours: "09:00-09:00"'), 'alerts.calendar.hours', /both 09:00/],
  ['workday twice', calendar('workdays: [1, 2, 2]'), 'alerts.calendar.workdays[2]', /weekday 2 is listed twice/],
  ['workday 8', calendar('workdays: [1, 8]'), 'alerts.calendar.workdays[1]', /1 to 7.*got 8/],
  ['workday 1.5', calendar('workdays: [1.5]'), 'alerts.calendar.workdays[0]', /whole number/],
  ['no workdays', calendar('workdays: []'), 'alerts.calendar.workdays', /at least one workday/],
  ['unknown calendar key', calendar('timeZone: Asia/Tokyo'), 'alerts.calendar.timeZone', /unknown key\(s\) timeZone \(did you mean timezone\?\)/],
  ['calendar not a mapping', alerts('calendar: Asia/Tokyo'), 'alerts.calendar', /expected a mapping with timezone/],
  // mention: the only ping the bot sends
  ['a bare @name', alerts('mention: "@oncall"'), 'alerts.mention', /"@oncall" would be posted as plain text and notify nobody/],
  ['an empty mention', alerts('mention: ""'), 'alerts.mention', /empty; remove the key/],
  ['a user group without its ID', alerts('mention: "<!subteam^oncall>"'), 'alerts.mention', /expected Slack mention tokens/],
  ['a token and loose text', alerts('mention: "<!here> please look"'), 'alerts.mention', /expected Slack mention tokens/],
  ['an unclosed token', alerts('mention: "<@U0123ABCD"'), 'alerts.mention', /expected Slack mention tokens/],
  ['@everyone', alerts('mention: "<!everyone>"'), 'alerts.mention', /expected Slack mention tokens/],
  ['a mention list', alerts('mention: ["<!here>"]'), 'alerts.mention', /expected Slack mention tokens.*got a list/],
  // Slack IDs
  ['a channel name', alerts('channel: "#ops-alerts"'), 'alerts.channel', /channel ID.*not the channel's name "#ops-alerts"/],
  ['a lower-case channel ID', alerts('channel: c0123abcd'), 'alerts.channel', /Slack channel ID/],
  ['a user ID as a channel', rule('channels: [U0123ABCD]'), 'uploads[0].channels[0]', /Slack channel ID/],
  ['a user name', rule('users: ["@alice"]'), 'uploads[0].users[0]', /member ID.*not the name "@alice"/],
  ['an empty channel list', rule('channels: []'), 'uploads[0].channels', /empty list/],
  ['an empty user list', rule('users: []'), 'uploads[0].users', /empty list/],
  // numbers: no negatives, nothing a timer cannot hold
  ['negative polling', alerts('pollSeconds: -1'), 'alerts.pollSeconds', /from 0 to 86400.*got -1/],
  ['polling beyond a timer', alerts('pollSeconds: 2147484'), 'alerts.pollSeconds', /got 2147484/],
  ['fractional polling', alerts('pollSeconds: 0.5'), 'alerts.pollSeconds', /whole number/],
  ['polling as text', alerts('pollSeconds: "60"'), 'alerts.pollSeconds', /got "60"/],
  ['refresh every year', alerts('refreshMinutes: 525600'), 'alerts.refreshMinutes', /0 to 1440/],
  ['negative margin', alerts('marginMinutes: -5'), 'alerts.marginMinutes', /got -5/],
  ['huge urgency window', alerts('urgentWithinMinutes: 1e12'), 'alerts.urgentWithinMinutes', /0 to 10080/],
  ['infinite margin', alerts('marginMinutes: .inf'), 'alerts.marginMinutes', /got Infinity/],
  ['mentionOnCritical as text', alerts('mentionOnCritical: "yes"'), 'alerts.mentionOnCritical', /expected true or false/],
  ['TTL 0', 'inventory:\n  ttlSeconds: 0\n', 'inventory.ttlSeconds', /from 1 to 86400/],
  ['TTL beyond a timer', 'inventory:\n  ttlSeconds: 3000000\n', 'inventory.ttlSeconds', /from 1 to 86400/],
  ['an empty inventory path', 'inventory:\n  file: ""\n', 'inventory.file', /empty/],
  ['maxBytes 0', rule('maxBytes: 0'), 'uploads[0].maxBytes', /from 1 to/],
  ['maxBytes beyond S3', rule('maxBytes: 1e16'), 'uploads[0].maxBytes', /5 TiB/],
  ['presign beyond 7 days', rule('presignSeconds: 604801'), 'uploads[0].presignSeconds', /7 days/],
  ['deleteFromSlack as text', rule('deleteFromSlack: "true"'), 'uploads[0].deleteFromSlack', /expected true or false/],
  ['part size under 5 MiB', 's3:\n  partSizeBytes: 1024\n', 's3.partSizeBytes', /5 MiB to 5 GiB/],
  ['queue of 0', 's3:\n  queueSize: 0\n', 's3.queueSize', /from 1 to 16/],
  // keywords
  ['an empty keyword', 'uploads:\n  - keyword: ""\n    destination: s3://bucket-a/\n', 'uploads[0].keyword', /empty/],
  ['a keyword with a space', 'uploads:\n  - keyword: "! up"\n    destination: s3://bucket-a/\n', 'uploads[0].keyword', /one word/],
  ['a keyword with a tab', 'uploads:\n  - keyword: "!up\\t"\n    destination: s3://bucket-a/\n', 'uploads[0].keyword', /one word/],
  ['a keyword with <', 'uploads:\n  - keyword: "<up>"\n    destination: s3://bucket-a/\n', 'uploads[0].keyword', /Slack rewrites them/],
  ['a keyword with &', 'uploads:\n  - keyword: "!a&b"\n    destination: s3://bucket-a/\n', 'uploads[0].keyword', /Slack rewrites them/],
  ['a keyword of 65 characters', `uploads:\n  - keyword: "${'k'.repeat(65)}"\n    destination: s3://bucket-a/\n`, 'uploads[0].keyword', /at most 64/],
  ['a keyword as a number', 'uploads:\n  - keyword: 7\n    destination: s3://bucket-a/\n', 'uploads[0].keyword', /got 7/],
  // destinations
  ['an ftp destination', destination('ftp://x/'), 'uploads[0].destination', /expected s3:\/\/bucket\/prefix\/ or file:\/\/\/absolute\/folder\//],
  ['a bucket in capitals', destination('s3://My-Bucket/'), 'uploads[0].destination', /bucket "My-Bucket"/],
  ['a bucket with an underscore', destination('s3://my_bucket/'), 'uploads[0].destination', /lower-case letters, digits, dots and hyphens/],
  ['a two-letter bucket', destination('s3://ab/'), 'uploads[0].destination', /3-63/],
  ['a 64-letter bucket', destination(`s3://${'a'.repeat(64)}/`), 'uploads[0].destination', /3-63/],
  ['a bucket ending in a hyphen', destination('s3://bucket-/'), 'uploads[0].destination', /starting and ending/],
  ['a bucket with two dots', destination('s3://my..bucket/'), 'uploads[0].destination', /no "\.\."/],
  ['a bucket like an IP address', destination('s3://192.168.1.10/'), 'uploads[0].destination', /IP address/],
  ['a reserved bucket prefix', destination('s3://xn--bucket/'), 'uploads[0].destination', /reserved/],
  ['a reserved bucket suffix', destination('s3://bucket-s3alias/'), 'uploads[0].destination', /reserved/],
  ['no bucket at all', destination('s3:///prefix/'), 'uploads[0].destination', /bucket ""/],
  ['a .. in an S3 prefix', destination('s3://bucket-a/logs/../x/'), 'uploads[0].destination', /"\." or "\.\." segments/],
  ['an overlong S3 prefix', destination(`s3://bucket-a/${'p'.repeat(600)}/`), 'uploads[0].destination', /longer than 512 bytes/],
  ['a relative folder', destination('file://uploads/'), 'uploads[0].destination', /local absolute folder with three slashes/],
  ['a folder on a host', destination('file://server/srv/uploads/'), 'uploads[0].destination', /three slashes/],
  ['a .. in a folder', destination('file:///srv/uploads/../../etc/'), 'uploads[0].destination', /"\." or "\.\." segments/],
  ['an escaped .. in a folder', destination('file:///srv/%2e%2e/etc/'), 'uploads[0].destination', /"\." or "\.\." segments/],
  ['a . in a folder', destination('file:///srv/./uploads/'), 'uploads[0].destination', /segments/],
  ['an escaped NUL in a folder', destination('file:///srv/up%00loads/'), 'uploads[0].destination', /control characters/],
  ['a broken escape in a folder', destination('file:///srv/100%/'), 'uploads[0].destination', /broken %-escape/],
  ['an escaped slash in a folder', destination('file:///srv/a%2Fb/'), 'uploads[0].destination', /escaped "\/"/],
  ['a # in a folder', destination('file:///srv/up#loads/'), 'uploads[0].destination', /%23/],
  ['presign on a folder', 'uploads:\n  - keyword: "!up"\n    destination: file:///srv/uploads/\n    presignSeconds: 60\n', 'uploads[0].presignSeconds', /s3:\/\/ destinations only/],
  ['a destination as a mapping', 'uploads:\n  - keyword: "!up"\n    destination: {bucket: x}\n', 'uploads[0].destination', /got a mapping/],
  // URLs and other file values
  ['an ftp S3 endpoint', 's3:\n  endpoint: ftp://minio:9000\n', 's3.endpoint', /http\(s\) URL/],
  ['an S3 endpoint with a password', 's3:\n  endpoint: http://admin:secret@minio:9000\n', 's3.endpoint', /user name or password/],
  ['an S3 endpoint that is no URL', 's3:\n  endpoint: minio:9000\n', 's3.endpoint', /http\(s\) URL/],
  ['a region with a space', 's3:\n  region: us east 1\n', 's3.region', /region name/],
  ['an unknown checksum mode', 's3:\n  requestChecksumCalculation: ALWAYS\n', 's3.requestChecksumCalculation', /WHEN_SUPPORTED or WHEN_REQUIRED, got "ALWAYS"/],
  ['an unknown log level', 'log:\n  level: loud\n', 'log.level', /expected one of trace.*got "loud"/],
  // permissions: member or user group IDs per button; closing needs a list
  ['a member name in permissions', 'permissions:\n  acknowledge: ["@alice"]\n', 'permissions.acknowledge[0]', /member ID .* not the name "@alice"/],
  ['a mention token in permissions', 'permissions:\n  snooze: ["<!subteam^S0OPS>"]\n', 'permissions.snooze[0]', /bare ID/],
  ['a channel ID in permissions', 'permissions:\n  closeAlert: [C0OPS]\n', 'permissions.closeAlert[0]', /member ID such as "U0123ABCD" or a user group ID/],
  ['an empty permission list', 'permissions:\n  retryRelay: []\n', 'permissions.retryRelay', /empty list/],
  ['an unknown permission', 'permissions:\n  close: [U0ALICE]\n', 'permissions.close', /did you mean closeAlert\?/],
  ['a close button nobody may press', 'alerts:\n  closeButton: true\n', 'permissions.closeAlert', /nobody may by default/],
  ['a close button as a word', 'alerts:\n  closeButton: yes please\n', 'alerts.closeButton', /true or false/],
  // shape of the file itself: unknown keys and wrong types keep naming the key
  ['a mistyped key', alerts('pollSecs: 5'), 'alerts.pollSecs', /unknown key\(s\) pollSecs \(did you mean pollSeconds\?\)/],
  ['an unknown top-level key', 'alert:\n  channel: C0ALERTS\n', 'alert', /unknown key\(s\) alert \(did you mean alerts\?\); known keys here: language, uploads, alerts/],
  ['an unknown rule key', rule('maxbytes: 10'), 'uploads[0].maxbytes', /did you mean maxBytes\?/],
  ['a list where a mapping goes', '- uploads\n', '(top level)', /expected a mapping with language, uploads, alerts, permissions, inventory, s3, log; got a list/],
  ['a word where the file goes', 'hello\n', '(top level)', /got "hello"/],
  ['uploads as a mapping', 'uploads:\n  keyword: "!up"\n', 'uploads', /expected a list of upload rules, got a mapping/],
  ['a rule as a word', 'uploads: ["!up"]\n', 'uploads[0]', /expected a mapping with keyword, destination/],
  ['a missing destination', 'uploads:\n  - keyword: "!up"\n', 'uploads[0].destination', /got nothing/],
  ['an unknown YAML tag', 'alerts: !weird\n  channel: C0ALERTS\n', 'OPSBOT_CONFIG', /not valid YAML/],
  ['a repeated key', 'alerts:\n  channel: C0A\n  channel: C0B\n', 'OPSBOT_CONFIG', /not valid YAML/],
  ['a YAML syntax error', 'uploads: [\n', 'OPSBOT_CONFIG', /not valid YAML/],
];

describe('loadConfig rejects a bad file value, naming its key', () => {
  it.each(badFiles)('%s', (_what, yaml, key, message) => {
    const error = configErrorOf(() => loadYaml(yaml));
    expect(error.key).toBe(key);
    expect(error.message).toMatch(new RegExp(`^config ${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(error.message).toMatch(message);
  });

  it('counts the other problems of the same file', () => {
    const error = configErrorOf(() => loadYaml(alerts('pollSeconds: -1\nmention: "@oncall"\nchannel: "#ops"')));
    expect(error.key).toBe('alerts.channel');
    expect(error.message).toMatch(/\(and 2 more: alerts\.pollSeconds, alerts\.mention\)$/);
  });
});

// [what, environment, the variable the error must name, what its message must say]
const badEnvironments: Array<[string, NodeJS.ProcessEnv, string, RegExp]> = [
  ['a port in words', { PORT: 'eighty' }, 'PORT', /got "eighty"/],
  ['a port in hex', { PORT: '0x50' }, 'PORT', /got "0x50"/],
  ['a port in exponent form', { PORT: '8e3' }, 'PORT', /got "8e3"/],
  ['a port with a space', { PORT: ' 80' }, 'PORT', /got " 80"/],
  ['a negative port', { PORT: '-1' }, 'PORT', /1-65535/],
  ['a port above 65535', { PORT: '65536' }, 'PORT', /1-65535/],
  ['a fractional port', { PORT: '80.5' }, 'PORT', /port number/],
  ['an ftp Slack API URL', { SLACK_API_URL: 'ftp://slack.example/api/' }, 'SLACK_API_URL', /http\(s\) URL/],
  ['a Slack API URL that is no URL', { SLACK_API_URL: 'not a url' }, 'SLACK_API_URL', /spaces/],
  ['a Slack API URL with a query', { SLACK_API_URL: 'https://slack.example/api/?x=1' }, 'SLACK_API_URL', /query or fragment/],
  ['a Slack API URL with a line break', { SLACK_API_URL: 'https://slack.exa\nmple/api/' }, 'SLACK_API_URL', /line breaks/],
  ['a file Mackerel URL', { MACKEREL_API_URL: 'file:///etc/passwd' }, 'MACKEREL_API_URL', /http\(s\) URL/],
  ['a Mackerel URL with a password', { MACKEREL_API_URL: 'https://u:p@mackerel.example/' }, 'MACKEREL_API_URL', /user name or password/],
  ['an ftp S3 endpoint', { S3_ENDPOINT: 'ftp://minio:9000' }, 'S3_ENDPOINT', /http\(s\) URL/],
  ['a bot token with a newline', { SLACK_BOT_TOKEN: 'xoxb-1\n', SLACK_SIGNING_SECRET: 's' }, 'SLACK_BOT_TOKEN', /stray newline/],
  ['a user token as bot token', { SLACK_BOT_TOKEN: 'abc', SLACK_SIGNING_SECRET: 's' }, 'SLACK_BOT_TOKEN', /xoxb-/],
  ['a bot token as user token', { SLACK_USER_TOKEN: 'xoxb-1' }, 'SLACK_USER_TOKEN', /xoxp-/],
  ['a signing secret with a space', { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abc def' }, 'SLACK_SIGNING_SECRET', /spaces/],
  ['no signing secret in HTTP mode', { SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET', /required in HTTP mode/],
  ['a bot token as app token', { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' }, 'SLACK_APP_TOKEN', /xapp-/],
  ['a Mackerel key with a newline', { MACKEREL_APIKEY: 'key\n' }, 'MACKEREL_APIKEY', /stray newline/],
  ['a webhook token with a space', { MACKEREL_WEBHOOK_TOKEN: 'a b' }, 'MACKEREL_WEBHOOK_TOKEN', /spaces/],
  ['an access key without its secret', { AWS_ACCESS_KEY_ID: 'AKIA0' }, 'AWS_SECRET_ACCESS_KEY', /go together/],
  ['a secret without its access key', { AWS_SECRET_ACCESS_KEY: 'secret' }, 'AWS_ACCESS_KEY_ID', /go together/],
  ['a region with a space', { AWS_REGION: 'us east 1' }, 'AWS_REGION', /region name/],
  ['a default region with a slash', { AWS_DEFAULT_REGION: 'eu/west' }, 'AWS_DEFAULT_REGION', /region name/],
  ['a path-style flag in words', { S3_FORCE_PATH_STYLE: 'sometimes' }, 'S3_FORCE_PATH_STYLE', /true or false/],
  ['an unknown checksum mode', { S3_REQUEST_CHECKSUM_CALCULATION: 'ALWAYS' }, 'S3_REQUEST_CHECKSUM_CALCULATION', /WHEN_SUPPORTED/],
  ['an unknown log level', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /got "verbose"/],
  ['a data folder that is a file', { OPSBOT_DATA_DIR: 'FILE' }, 'OPSBOT_DATA_DIR', /exists and is not a folder/],
  ['a config file that is missing', { OPSBOT_CONFIG: 'nowhere.yaml' }, 'OPSBOT_CONFIG', /cannot read/],
  ['a config file that is a folder', { OPSBOT_CONFIG: '.' }, 'OPSBOT_CONFIG', /cannot read/],
];

describe('loadConfig rejects a bad environment variable, naming it', () => {
  it.each(badEnvironments)('%s', (_what, env, key, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    writeFileSync(join(cwd, 'FILE'), 'not a folder');
    const resolved = { ...env, ...(env.OPSBOT_DATA_DIR === 'FILE' ? { OPSBOT_DATA_DIR: join(cwd, 'FILE') } : {}) };
    const error = configErrorOf(() => loadConfig({ env: resolved, cwd }));
    expect(error.key).toBe(key);
    expect(error.message.startsWith(`config ${key}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('rejects a file destination that is a file, not a folder', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    writeFileSync(join(cwd, 'taken'), '');
    writeFileSync(join(cwd, 'opsbot.yaml'), destination(`file://${join(cwd, 'taken')}/`));
    const error = configErrorOf(() => loadConfig({ env: {}, cwd }));
    expect(error.key).toBe('uploads[0].destination');
    expect(error.message).toMatch(/exists and is not a folder/);
  });
});

// Values that look unusual but are right: each must load, and what loads must be usable downstream.
const goodFiles: Array<[string, string]> = [
  ['an overnight shift', calendar('hours: "22:00-06:00"')],
  ['whole days', calendar('hours: "00:00-24:00"')],
  ['work until midnight', calendar('hours: "15:00-24:00"')],
  ['a leap day', calendar('holidays: ["2028-02-29"]')],
  ['Etc zones and UTC', calendar('timezone: Etc/GMT-9')],
  ['weekends only', calendar('workdays: [7, 6]')],
  ['a user group with its label', alerts('mention: "<!subteam^S0123ABCD|oncall>"')],
  ['several mention tokens', alerts('mention: "<!subteam^S0ONCALL> <@U0123ABCD>  <@W0ENTERPRISE|pat> <!here>"')],
  ['@channel', alerts('mention: "<!channel>"')],
  ['the longest timers', alerts('pollSeconds: 86400\nrefreshMinutes: 1440\nmarginMinutes: 10080\nurgentWithinMinutes: 10080')],
  ['timers off', alerts('pollSeconds: 0\nrefreshMinutes: 0')],
  ['private channels and enterprise users', rule('channels: [G0PRIVATE, C0PUBLIC, D0DIRECT]\nusers: [U0ALICE, W0BOB]')],
  ['a dotted bucket', destination('s3://logs.example.com/slack/')],
  ['a bucket without a prefix', destination('s3://bucket-a')],
  ['a folder with an escaped space', destination('file:///srv/slack%20uploads/')],
  ['a folder with an escaped percent sign', destination('file:///srv/100%25/')],
  ['a root folder', destination('file:///')],
  ['a keyword in any script', 'uploads:\n  - keyword: "!アップロード"\n    destination: s3://bucket-a/\n'],
];

describe('loadConfig accepts unusual but valid values', () => {
  it.each(goodFiles)('%s', (_what, yaml) => {
    const config = loadYaml(yaml);
    // The calendar and destinations are read again by the alert service and the relay: they must agree.
    expect(() => parseCalendar(config.alerts.calendar)).not.toThrow();
    for (const upload of config.uploads) expect(() => parseDestination(upload.destination)).not.toThrow();
  });

  it('accepts ports 0 (any free port) to 65535 and any http(s) base URL', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    expect(loadConfig({ env: { PORT: '0' }, cwd }).port).toBe(0);
    expect(loadConfig({ env: { PORT: '65535' }, cwd }).port).toBe(65535);
    const config = loadConfig({ env: { SLACK_API_URL: 'http://127.0.0.1:9999/api', MACKEREL_API_URL: 'https://mackerel.example:8443' }, cwd });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.mackerel.apiUrl).toBe('https://mackerel.example:8443/');
  });

  it('keeps the default upload folder usable when the data folder has URL-special characters', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    const dataDir = join(cwd, 'data 100% #1?');
    mkdirSync(dataDir);
    const config = loadConfig({ env: { OPSBOT_DATA_DIR: dataDir }, cwd });
    const parsed = parseDestination(config.uploads[0]!.destination);
    expect(parsed).toMatchObject({ kind: 'file', dir: join(dataDir, 'uploads') });
  });
});

describe('the CLI exits 78 naming the key (not "could not start")', () => {
  const BIN = resolve(import.meta.dirname, '../bin/opsbot.js');
  const run = (yaml: string) =>
    new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const dir = dirWithConfig(yaml);
      const child = spawn(process.execPath, [BIN, 'shell', '-c', 'help'], { cwd: dir, env: { PATH: process.env.PATH, OPSBOT_DATA_DIR: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stderr }));
    });

  it.each([
    [calendar('timezone: Mars/Olympus'), 'alerts.calendar.timezone: unknown time zone "Mars/Olympus"'],
    [calendar('holidays: ["2026-13-45"]'), 'alerts.calendar.holidays[0]: "2026-13-45" is not a calendar date'],
  ])('%s', async (yaml, message) => {
    const { code, stderr } = await run(yaml);
    expect(stderr).toContain(`opsbot: configuration error: config ${message}`);
    expect(code).toBe(78);
  });
});

describe('permissions', () => {
  it('default to none (anyone may press, nobody may close) and keep the lists given', () => {
    expect(loadYaml('').permissions).toEqual({});
    expect(loadYaml('').alerts.closeButton).toBe(false);
    const config = loadYaml('alerts:\n  closeButton: true\npermissions:\n  acknowledge: [U0ALICE, S0ONCALL]\n  closeAlert: [W0BOSS]\n');
    expect(config.permissions).toEqual({ acknowledge: ['U0ALICE', 'S0ONCALL'], closeAlert: ['W0BOSS'] });
    expect(config.alerts.closeButton).toBe(true);
  });
});
