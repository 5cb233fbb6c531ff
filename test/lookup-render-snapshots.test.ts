import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpsbot, type RunningOpsbot } from '../src/app/start-opsbot.ts';
import type { Language } from '../src/core/language.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { OpsbotError } from '../src/core/errors.ts';
import { code, type ChatMessage } from '../src/core/message.ts';
import { createAlertReplayCommand } from '../src/handlers/alerts/alert-replay-command.ts';
import type { ChatTarget, MessageRef } from '../src/handlers/chat-port.ts';
import { createCommandRegistry, warning, type Command, type CommandRegistry } from '../src/handlers/command-registry.ts';
import { createHelpCommand, summaryKey } from '../src/handlers/help.ts';
import { renderLookupResult, type RenderContext } from '../src/handlers/lookup/render.ts';
import { createMentionDispatcher } from '../src/handlers/mention-dispatcher.ts';
import { eitherOf } from '../src/handlers/present/list.ts';
import { createPresenter, type Presenter } from '../src/handlers/present/presenter.ts';
import { createUnknownCommandHandler } from '../src/handlers/unknown-command.ts';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import type { InventoryHost } from '../src/services/inventory/types.ts';
import { createLookup } from '../src/services/lookup/lookup.ts';
import { RecordingChatPort } from './helpers/recording-chat-port.ts';
import { renderedBoth } from './helpers/render-snapshot.ts';

/** Tue 1 Dec 2026, 12:00 JST: the fixed "now" of every presenter and renderer here. */
const NOW = Date.UTC(2026, 11, 1, 3, 0) / 1000;
const HOUR = 3600;
const DAY = 24 * HOUR;
const LANGUAGES: readonly Language[] = ['en', 'ja'];
const presenter = (language: Language) => createPresenter({ language, timeZone: 'Asia/Tokyo', now: () => NOW });
const log = createSilentLogger();

function host(name: string, extra: Partial<InventoryHost> = {}): InventoryHost {
  return { id: `id-${name}`, name, status: 'working', roles: { shop: ['web'] }, interfaces: [], createdAt: NOW - 40 * DAY, ...extra };
}

/** A small, fixed org: a web role of five hosts in every status, a db role, a service of its own. */
const HOSTS: InventoryHost[] = [
  host('web-01', {
    displayName: 'ショップ Web 1',
    roles: { shop: ['web', 'batch'] },
    interfaces: [
      { name: 'eth0', ipv4Addresses: ['10.0.1.11'], ipv6Addresses: ['2001:db8::11'] },
      { name: 'eth1', ipv4Addresses: ['192.168.10.11', '192.168.10.12'], ipv6Addresses: [] },
      { name: 'lo', ipv4Addresses: [], ipv6Addresses: [] },
    ],
    createdAt: NOW - 3 * DAY - 2 * HOUR,
    customIdentifier: 'i-0abc123',
    memo: 'Front web <primary> & cache',
  }),
  host('web-02', { interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.1.12'], ipv6Addresses: [] }], createdAt: NOW - 5 * HOUR }),
  host('web-03', { status: 'standby', interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.1.13', '10.0.1.113', '10.0.1.213'], ipv6Addresses: [] }] }),
  host('web-04', { status: 'maintenance', interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.1.14'], ipv6Addresses: [] }] }),
  host('web-05', { status: 'poweroff', createdAt: 0 }),
  host('db-01', { roles: { shop: ['db'] }, displayName: 'ショップDB プライマリ', interfaces: [{ name: 'ens5', ipv4Addresses: ['10.0.2.21'], ipv6Addresses: [] }] }),
  host('blog-01', { roles: { blog: ['front'] }, interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.3.31'], ipv6Addresses: [] }] }),
];

const index = buildHostIndex({
  orgName: 'acme',
  orgUrl: 'https://mackerel.io/orgs/acme',
  origin: 'Mackerel',
  fetchedAt: NOW,
  hosts: HOSTS,
  services: [
    { name: 'shop', memo: 'EC サイト', roles: ['web', 'db', 'batch'] },
    { name: 'blog', roles: ['front'] },
  ],
});
const lookup = createLookup();

const context = (present: Presenter, extra: Partial<RenderContext> = {}): RenderContext => ({
  present,
  orgUrl: 'https://mackerel.io/orgs/acme',
  now: NOW,
  origin: 'Mackerel',
  ageSeconds: 30,
  ...extra,
});

/** The reply in both languages, as Slack and the shell show it. */
function bothLanguages(render: (present: Presenter) => ChatMessage): string {
  return LANGUAGES.map((language) => `=== ${language} ===\n${renderedBoth(render(presenter(language)))}`).join('\n');
}

describe('lookup replies (snapshots, English and Japanese)', () => {
  it('one host: status, roles, id, age, custom identifier, memo, one address line per interface, the Mackerel link', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.host(index, ['web-01']), context(p)))).toMatchSnapshot();
  });

  it('several hosts: counts per status, the first N, the rest in Mackerel', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.hosts(index, ['shop:web']), context(p, { maxListed: 3 })))).toMatchSnapshot();
  });

  it('several hosts by name, one of them a miss with a suggestion', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.host(index, ['web-01', 'db-01', 'wbe-02']), context(p)))).toMatchSnapshot();
  });

  it('a role filtered by status', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.role(index, ['shop:web', 'working', 'standby']), context(p)))).toMatchSnapshot();
  });

  it('the roles of a service', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.roles(index, ['shop']), context(p)))).toMatchSnapshot();
  });

  it('the services', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.services(index), context(p)))).toMatchSnapshot();
  });

  it('no match, with "did you mean", and the hints after a miss', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.host(index, ['wbe-01']), context(p)))).toMatchSnapshot();
    expect(bothLanguages((p) => renderLookupResult(lookup.role(index, ['shop:wbe']), context(p)))).toMatchSnapshot();
    expect(bothLanguages((p) => renderLookupResult(lookup.host(index, ['10.9.9.9']), context(p)))).toMatchSnapshot();
  });

  it('alternatives read as each language lists them', () => {
    const names = ['web-01', 'web-02', 'web-03'].map((n) => code(n));
    const [en, ja] = LANGUAGES.map(presenter);
    expect(eitherOf(names, en!).text).toBe('`web-01`, `web-02`, or `web-03`');
    expect(eitherOf(names, ja!).text).toBe('`web-01`、`web-02`、または `web-03`');
    expect(eitherOf(names.slice(0, 2), ja!).text).toBe('`web-01` または `web-02`');
    expect(eitherOf(names.slice(0, 1), ja!).text).toBe('`web-01`');
  });

  it('usage: nothing typed, a word that is not a status, a pattern that cannot be answered', () => {
    expect(bothLanguages((p) => renderLookupResult(lookup.host(index, []), context(p)))).toMatchSnapshot();
    expect(bothLanguages((p) => renderLookupResult(lookup.hosts(index, ['shop:web', 'stanby']), context(p)))).toMatchSnapshot();
    expect(bothLanguages((p) => renderLookupResult(lookup.role(index, ['shop']), context(p)))).toMatchSnapshot();
    expect(bothLanguages((p) => renderLookupResult(lookup.host(index, ['web-[9-0]']), context(p)))).toMatchSnapshot();
  });

  it('stale data: the failure in the catalogue words and how old the data is', () => {
    const stale = (p: Presenter): RenderContext => ({ present: p, now: NOW, origin: 'inventory.yaml', ageSeconds: 12 * 60, refreshError: new OpsbotError('mackerel', { status: 503 }) });
    expect(bothLanguages((p) => renderLookupResult(lookup.host(index, ['db-01']), stale(p)))).toMatchSnapshot();
  });

  it('nothing English is left in a Japanese lookup reply but names and identifiers', () => {
    const ja = presenter('ja');
    const replies = [lookup.host(index, ['web-01']), lookup.hosts(index, ['shop:web', 'standby']), lookup.roles(index, ['shop']), lookup.services(index), lookup.host(index, ['wbe-01'])];
    for (const result of replies) {
      const text = renderedBoth(renderLookupResult(result, context(ja, { maxListed: 2 }))).split('--- shell ---')[1]!;
      const words = text.replace(/`[^`]*`|\([^)]*https?:[^)]*\)|https?:\S+|:[a-z_]+:/g, '').match(/\b[A-Za-z]{4,}\b/g) ?? [];
      // Names in the fixed org (host, service and role names, "Mackerel", the memo) are all that may remain.
      expect(words.filter((w) => !['shop', 'blog', 'front', 'batch', 'Mackerel', 'Front', 'primary', 'cache'].includes(w))).toEqual([]);
    }
  });
});

/** A chat port that also keeps each reply as built (for the snapshot helper), not only as sent. */
class KeepingChatPort extends RecordingChatPort {
  readonly built: ChatMessage[] = [];
  override async post(target: ChatTarget, message: ChatMessage): Promise<MessageRef> {
    this.built.push(message);
    return super.post(target, message);
  }
}

/** The real features in shell mode (no Slack, the demo inventory), with the command the shell registers itself. */
async function startFeatures(language: Language): Promise<RunningOpsbot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-help-'));
  const bot = await startOpsbot({ env: { OPSBOT_DATA_DIR: dataDir, OPSBOT_LANGUAGE: language, TZ: 'UTC' }, cwd: dataDir, shell: true, log, now: () => NOW });
  // As run-opsbot does for the local shell.
  bot.features.registry.register(createAlertReplayCommand({ alerts: bot.features.alerts, present: bot.features.present }));
  return bot;
}

describe('help and the dispatcher (snapshots, English and Japanese)', () => {
  const bots = new Map<Language, RunningOpsbot>();
  beforeAll(async () => {
    for (const language of LANGUAGES) bots.set(language, await startFeatures(language));
  });
  afterAll(async () => {
    for (const bot of bots.values()) await bot.stop(1000);
  });

  /** What the real dispatcher replies to one mention, in one language. */
  async function reply(language: Language, text: string): Promise<ChatMessage> {
    const chat = new KeepingChatPort();
    await bots.get(language)!.features.onMention({ user: 'U1', channel: 'C1', ts: '1764558000.000100', text }, chat);
    expect(chat.built).toHaveLength(1);
    return chat.built[0]!;
  }

  const both = async (text: string) => (await Promise.all(LANGUAGES.map(async (language) => `=== ${language} ===\n${renderedBoth(await reply(language, text))}`))).join('\n');

  it('every command the features register (and the shell adds) has a help sentence in both languages', () => {
    for (const language of LANGUAGES) {
      const { registry, present } = bots.get(language)!.features;
      const names = registry.list().map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['help', 'host', 'hosts', 'role', 'roles', 'services', 'uploads', 'alerts', 'forecast', 'graph', 'alert']));
      for (const name of names) {
        const key = summaryKey(name);
        expect(key, `help.summary.${name}`).toBeDefined();
        expect(present.t(key!).text.length, `${language} ${name}`).toBeGreaterThan(10);
      }
    }
    const en = presenter('en');
    const ja = presenter('ja');
    for (const command of bots.get('en')!.features.registry.list()) expect(ja.t(summaryKey(command.name)!).text).not.toBe(en.t(summaryKey(command.name)!).text);
  });

  it('help lists every command with its sentence and an example', async () => {
    expect(await both('help')).toMatchSnapshot();
    const ja = await reply('ja', 'help');
    for (const command of bots.get('ja')!.features.registry.list()) {
      expect(JSON.stringify(ja)).toContain(presenter('ja').t(summaryKey(command.name)!).text.replace(/"/g, '\\"'));
    }
  });

  it('help for one command shows every example; an unknown one lists them all', async () => {
    expect(await both('help host')).toMatchSnapshot();
    expect(await both('help nosuch')).toMatchSnapshot();
  });

  it('an unknown command names the nearest; an empty mention points at help', async () => {
    expect(await both('hots web-01')).toMatchSnapshot();
    expect(await both('')).toMatchSnapshot();
  });

  it('a command that throws gets the catalogue words, never the exception message', async () => {
    const boom: Command = {
      name: 'boom',
      usage: 'boom',
      examples: [],
      async run() {
        throw new Error('secret internal detail /var/lib/x');
      },
    };
    for (const language of LANGUAGES) {
      const present = presenter(language);
      const registry: CommandRegistry = createCommandRegistry([boom, createHelpCommand({ registry: () => registry, present })]);
      const dispatch = createMentionDispatcher({ registry, log, present, onUnknown: createUnknownCommandHandler({ registry: () => registry, present }) });
      const chat = new KeepingChatPort();
      await dispatch({ user: 'U1', channel: 'C1', ts: '1764558000.000200', text: 'boom' }, chat);
      const text = chat.built[0]!.text.text;
      expect(text).toBe(`:warning: ${present.t('common.unexpected').text}`);
      expect(text).not.toContain('secret');
      chat.built.length = 0;
      const failing: Command = { ...boom, name: 'down', run: () => Promise.reject(new OpsbotError('mackerel', { status: 503 })) };
      registry.register(failing);
      await dispatch({ user: 'U1', channel: 'C1', ts: '1764558000.000300', text: 'down' }, chat);
      expect(chat.built[0]!.text.text).toBe(warning(present.error(new OpsbotError('mackerel', { status: 503 }))).text);
      expect(chat.built[0]!.text.text).toMatch(/^:warning: Mackerel /);
    }
  });
});
