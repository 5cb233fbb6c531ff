import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { createTaskTracker } from '../src/core/task-tracker.ts';
import type { ChatMessage, MentionEvent } from '../src/handlers/chat-port.ts';
import type { CommandContext } from '../src/handlers/command-registry.ts';
import { createAlertCommands, parseRange } from '../src/handlers/alerts/alert-commands.ts';
import { createAlertReplayCommand } from '../src/handlers/alerts/alert-replay-command.ts';
import { assembleAlertJob } from '../src/app/assemble-alert-job.ts';
import { createDemoAlertData } from '../src/services/alerts/demo-alert-data.ts';
import { createInventoryCache } from '../src/services/inventory/cache.ts';
import { createYamlInventorySource } from '../src/services/inventory/yaml-source.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { alertsConfig, createRecordingChat } from './helpers/alert-fixtures.ts';

const DEMO_INVENTORY = resolve(import.meta.dirname, '../demo/inventory.yaml');
const NOW = DateTime.fromISO('2025-11-19T10:00', { zone: 'Asia/Tokyo' }).toSeconds();
const present = createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => NOW });

async function setup(channel?: string) {
  const chat = createRecordingChat();
  const data = createDemoAlertData({ now: () => NOW });
  const inventory = createInventoryCache({ source: createYamlInventorySource({ file: DEMO_INVENTORY, now: () => NOW }), ttlSeconds: 300, now: () => NOW, log: createSilentLogger() });
  const service = assembleAlertJob({
    data,
    store: (await openSqliteStore({ path: ':memory:' })).alerts,
    chat,
    config: alertsConfig(channel === undefined ? { channel: undefined } : { channel }),
    log: createSilentLogger(),
    now: () => NOW,
    tasks: createTaskTracker(),
    present,
  });
  const commands = new Map([...createAlertCommands({ service, inventory, data, now: () => NOW, present }), createAlertReplayCommand({ alerts: service, present })].map((c) => [c.name, c]));
  const replies: ChatMessage[] = [];
  async function run(line: string) {
    const [name, ...args] = line.split(/\s+/);
    const event: MentionEvent = { user: 'U1', channel: 'CSHELL', ts: '1.000001', text: line };
    const ctx: CommandContext = {
      event,
      args,
      argText: args.join(' '),
      chat,
      log: createSilentLogger(),
      reply: async (message) => {
        replies.push(message);
        return chat.post({ channel: 'CSHELL', threadTs: event.ts }, message);
      },
    };
    await commands.get(name!)!.run(ctx);
    return replies.at(-1)?.text.text ?? '';
  }
  return { chat, service, run };
}

describe('offline demo data and the alert commands', () => {
  it('alerts lists the demo alerts with ETAs, soonest first', async () => {
    const { run } = await setup();
    const text = await run('alerts');
    const lines = text.split('\n').slice(1);
    expect(text).toMatch(/^\*3 open alerts\*/);
    expect(lines[0]).toMatch(/CRITICAL disk used % on db-01 — full in \*[45] h( \d+ min)?\*/);
    expect(lines.at(-1)).toContain('web-01');
    expect(text).toContain('https://mackerel.io/orgs/demo/alerts/4demoDb01Dk');
  });

  it('forecast <host> covers every filesystem and memory; unknown hosts and metrics are explained', async () => {
    const { run } = await setup();
    const text = await run('forecast db-01');
    expect(text).toMatch(/\/dev\/xvdb1\* \(9\d%\): full in \*[45] h( \d+ min)?\*.*, around \d\d:\d\d JST:/);
    expect(text).toContain('/dev/xvda1');
    expect(text).toContain('memory');
    expect(await run('forecast web-01 memory')).not.toContain('/dev/');
    expect(await run('forecast nosuch-01')).toContain('No host matches `nosuch-01`.');
    expect(await run('forecast web-01 loadavg5')).toContain('no used/size pair');
  });

  it('graph uploads a PNG into the thread for resources and plain metrics; bad ranges are explained', async () => {
    const { run, chat } = await setup();
    await run('graph db-01 disk 2d');
    await run('graph web-01 loadavg5 6h');
    expect(chat.uploads).toHaveLength(2);
    expect(chat.uploads[0]!.target).toEqual({ channel: 'CSHELL', threadTs: '1.000001' });
    expect(chat.uploads[0]!.image.title).toBe('db-01 disk /dev/xvdb1 usage, last 2 days');
    expect(chat.uploads[0]!.image.data.subarray(1, 4).toString()).toBe('PNG');
    expect(await run('graph web-01 disk 3w')).toBe(':warning: The range `3w` is not understood; use e.g. `6h`, `2d` or `7d` (1 h to 30 days).');
    expect(await run('graph web-01 nosuch.metric')).toContain('has no metric `nosuch.metric` (it has e.g. `filesystem.xvda1.size`');
    expect(parseRange('7d')).toBe(7 * 86400);
    expect(parseRange('0h')).toBeNull();
  });

  it('alert replay posts a fixture in the conversation, and a closing fixture resolves it', async () => {
    const { run, chat } = await setup(undefined);
    expect(await run('alert replay web-01-disk-warning')).toMatch(/^Replayed `web-01-disk-warning`: alert \w+ \(WARNING\): posted$/);
    const post = chat.posts.find((p) => !p.target.threadTs && p.message.text.includes('web-01'));
    expect(post?.target.channel).toBe('CSHELL');
    expect(post?.message.text).toMatch(/WARNING disk used % on web-01 — .*full in/);
    expect(chat.uploads).toHaveLength(1);
    expect(await run('alert replay web-01-disk-closed')).toMatch(/\(OK, closed\): closed$/);
    expect(chat.updates.at(-1)?.message.text).toContain('RESOLVED (was WARNING)');
    expect(await run('alert replay nosuch')).toMatch(/^:warning: There is no fixture `nosuch` \(available: `batch-01-memory-warning`, `db-01-disk-critical`/);
    expect(await run('alert')).toMatch(/^:warning: usage: alert replay &lt;fixture&gt;\nfixtures: `batch-01-memory-warning`/);
  });

  it('replaying the critical fixture mentions, as CRITICAL', async () => {
    const { run, chat } = await setup('C0ALERTS');
    await run('alert replay db-01-disk-critical');
    const post = chat.posts.find((p) => p.target.channel === 'C0ALERTS');
    expect(post?.message.text).toMatch(/^<!subteam\^S0ONCALL> :red_circle: CRITICAL disk used % on db-01/);
  });
});
