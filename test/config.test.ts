import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';

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
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs the local shell on embedded defaults without Slack credentials', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    const config = loadConfig({ env: {}, cwd });
    expect(config.mode).toBe('shell');
    expect(config.uploads).toEqual([{ keyword: '!fileupload', destination: `file://${join(cwd, 'data', 'uploads')}/` }]);
    expect(config.inventoryFile).toMatch(/demo\/inventory\.yaml$/);
    expect(config.alerts.calendar.timezone).toBe('UTC');
    expect(config.s3.requestChecksumCalculation).toBe('WHEN_SUPPORTED');
  });

  it('picks Socket Mode with an app token and HTTP mode with a signing secret', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    expect(loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, cwd }).mode).toBe('socket');
    expect(loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }, cwd }).mode).toBe('http');
  });

  it('names the missing key in HTTP mode and a malformed token', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    expect(configErrorOf(() => loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1' }, cwd })).key).toBe('SLACK_SIGNING_SECRET');
    expect(configErrorOf(() => loadConfig({ env: { SLACK_BOT_TOKEN: 'abc', SLACK_SIGNING_SECRET: 's' }, cwd })).key).toBe('SLACK_BOT_TOKEN');
    expect(configErrorOf(() => loadConfig({ env: { PORT: 'eighty' }, cwd })).key).toBe('PORT');
    expect(configErrorOf(() => loadConfig({ env: { SLACK_API_URL: 'not a url' }, cwd })).key).toBe('SLACK_API_URL');
  });

  it('reads the contract config file', () => {
    const cwd = dirWithConfig(`
uploads:
  - keyword: "!fileupload"
    destination: s3://my-bucket/slack/
    maxBytes: 1073741824
    channels: [C0123]
alerts:
  channel: C0ALERTS
  pollSeconds: 60
  mention: "<!subteam^S0ONCALL>"
  calendar:
    timezone: Asia/Tokyo
    workdays: [1, 2, 3, 4, 5]
    hours: "09:00-18:00"
    holidays: ["2026-12-31", "2027-01-01"]
inventory:
  file: ./inventory.yaml
`);
    const config = loadConfig({ env: { S3_ENDPOINT: 'http://127.0.0.1:4568' }, cwd });
    expect(config.uploads[0]).toMatchObject({ keyword: '!fileupload', destination: 's3://my-bucket/slack/', maxBytes: 1073741824, channels: ['C0123'] });
    expect(config.alerts).toMatchObject({ channel: 'C0ALERTS', pollSeconds: 60, mention: '<!subteam^S0ONCALL>' });
    expect(config.alerts.calendar).toEqual({ timezone: 'Asia/Tokyo', workdays: [1, 2, 3, 4, 5], hours: '09:00-18:00', holidays: ['2026-12-31', '2027-01-01'] });
    expect(config.inventoryFile).toBe(join(cwd, 'inventory.yaml'));
    expect(config.s3).toMatchObject({ endpoint: 'http://127.0.0.1:4568', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  });

  it('names the bad key in the file', () => {
    expect(configErrorOf(() => loadConfig({ env: {}, cwd: dirWithConfig('uploads:\n  - keyword: "!x"\n    destination: ftp://x/\n') })).key).toBe('uploads[0].destination');
    expect(configErrorOf(() => loadConfig({ env: {}, cwd: dirWithConfig('alerts:\n  calendar:\n    hours: "9-18"\n') })).key).toBe('alerts.calendar.hours');
    expect(configErrorOf(() => loadConfig({ env: {}, cwd: dirWithConfig('alerts:\n  pollSecs: 5\n') })).message).toMatch(/unknown key\(s\) pollSecs/);
    expect(configErrorOf(() => loadConfig({ env: {}, cwd: dirWithConfig('uploads: [\n') })).key).toBe('OPSBOT_CONFIG');
    const deleting = dirWithConfig('uploads:\n  - keyword: "!up"\n    destination: s3://bucket/x/\n    deleteFromSlack: true\n');
    expect(configErrorOf(() => loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }, cwd: deleting })).key).toBe('uploads[0].deleteFromSlack');
    expect(loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_USER_TOKEN: 'xoxp-1' }, cwd: deleting }).slack.userToken).toBe('xoxp-1');
  });

  it('collects secrets for scrubbing', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
    const config = loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-secret', SLACK_SIGNING_SECRET: 'sign-secret', MACKEREL_APIKEY: 'mkr-key-123' }, cwd });
    expect(config.secrets).toEqual(expect.arrayContaining(['xoxb-secret', 'sign-secret', 'mkr-key-123']));
  });
});
