import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Language } from '../src/core/language.ts';
import { actions, code, context, divider, header, link, linesToSections, md, section, type ChatMessage, type Mrkdwn } from '../src/core/message.ts';
import type { ChatPort } from '../src/handlers/chat-port.ts';
import { ALERT_STATUS_GLYPHS, HOST_STATUS_GLYPHS } from '../src/handlers/present/glyphs.ts';
import { createPresenter, type Presenter } from '../src/handlers/present/presenter.ts';
import { PIPED, TERMINAL, type TextStyle } from '../src/shell/render-text.ts';
import { createShellChatPort } from '../src/shell/shell-chat-port.ts';

/**
 * The shell's rendering of representative messages, in both languages, piped and on a terminal
 * (ANSI escapes shown as ␛ so the snapshot reads). The messages are built here with the core
 * builders, not by the handlers' renderers, so these snapshots review the shell alone.
 */

const NOW = Date.UTC(2026, 11, 1, 3, 0) / 1000; // Tue Dec 1 2026, 12:00 JST
const presenters: Record<Language, Presenter> = {
  en: createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => NOW }),
  ja: createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo', now: () => NOW }),
};
const STYLES: Array<[string, TextStyle]> = [
  ['piped', PIPED],
  ['terminal', TERMINAL],
];

const target = { channel: 'C0LOCAL', threadTs: '1.000001' };
const userMessage = { channel: 'C0LOCAL', ts: '1.000001' };

/** What the shell writes while `act` drives its chat port. */
async function shellOutput(language: Language, style: TextStyle, act: (chat: ChatPort, present: Presenter) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += String(d)));
  const present = presenters[language];
  await act(createShellChatPort({ out, imageDir: tmpdir(), present, style }), present);
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b/g, '␛');
}

const words = {
  en: {
    status: 'Status',
    working: 'working',
    roles: 'Roles',
    addresses: 'IP addresses',
    hostId: 'Host ID',
    inMackerel: 'web-01 in Mackerel',
    uploading: (file: string) => md`:inbox_tray: Uploading *${file}*…`,
    progress: (done: string, total: string) => md`:inbox_tray: Uploading *report 2026.pdf*… ${done} of ${total}`,
    stored: (where: Mrkdwn, size: string) => md`:white_check_mark: Stored at ${where} (${size})`,
    alertTitle: md`${ALERT_STATUS_GLYPHS.CRITICAL} *CRITICAL* disk used % on *db-01*`,
    value: 'Value',
    threshold: 'Threshold',
    forecast: 'Forecast',
    since: 'Since',
    full: (eta: string) => md`full in *~${eta}*`,
    runbook: 'Runbook',
    onIt: "I'm on it",
    snooze: 'Snooze mentions 1 h',
    graph: '7-day graph',
    helpTitle: md`*What I can do* (mention me in a channel or thread, or DM me):`,
    help: [
      ['host <name|id|ip|pattern>…', 'Find hosts by name, display name, host id or IP address', 'host web-01'],
      ['role <service:role> [status…]', 'List the hosts in a role', 'role shop:web'],
      ['alerts', 'Open Mackerel alerts with the forecast time to limit', 'alerts'],
    ],
    example: 'e.g.',
  },
  ja: {
    status: 'ステータス',
    working: '稼働中',
    roles: 'ロール',
    addresses: 'IPアドレス',
    hostId: 'ホストID',
    inMackerel: 'Mackerel で web-01 を開く',
    uploading: (file: string) => md`:inbox_tray: *${file}* をアップロードしています…`,
    progress: (done: string, total: string) => md`:inbox_tray: *report 2026.pdf* をアップロードしています… ${done} / ${total}`,
    stored: (where: Mrkdwn, size: string) => md`:white_check_mark: ${where} に保存しました（${size}）`,
    alertTitle: md`${ALERT_STATUS_GLYPHS.CRITICAL} *CRITICAL* *db-01* のディスク使用率`,
    value: '現在値',
    threshold: 'しきい値',
    forecast: '予測',
    since: '発生',
    full: (eta: string) => md`約 *${eta}* で上限に達する見込みです`,
    runbook: '手順書',
    onIt: '対応します',
    snooze: 'メンションを1時間止める',
    graph: '7日間のグラフ',
    helpTitle: md`*できること*（チャンネルやスレッドでメンションするか、DM してください）:`,
    help: [
      ['host <name|id|ip|pattern>…', 'ホスト名、表示名、ホストID、IPアドレスでホストを探します', 'host web-01'],
      ['role <service:role> [status…]', 'ロールに属するホストを一覧します', 'role shop:web'],
      ['alerts', '未解決の Mackerel アラートを、上限到達の予測とともに表示します', 'alerts'],
    ],
    example: '例:',
  },
} as const;

function hostAnswer(language: Language): ChatMessage {
  const w = words[language];
  const glyph = HOST_STATUS_GLYPHS.working;
  return {
    text: md`web-01`,
    blocks: [
      section(md`${glyph} *web-01* — shop web 1`, [
        md`*${w.status}*\n${glyph} ${w.working}`,
        md`*${w.roles}*\n${code('shop:web')}, ${code('shop:batch')}`,
        md`*${w.addresses}*\neth0: 10.1.2.1, 10.1.2.11, fd00:1::1\nbond0: 192.168.10.1`,
        md`*${w.hostId}*\n${code('3FqWeb01aaa')}`,
      ]),
      context(link('https://mackerel.io/orgs/acme/hosts/3FqWeb01aaa', w.inMackerel)),
    ],
  };
}

function alertPost(language: Language, present: Presenter): ChatMessage {
  const w = words[language];
  return {
    text: w.alertTitle,
    blocks: [
      section(w.alertTitle, [
        md`*${w.value}*\n91.5 %`,
        md`*${w.threshold}*\n> 90 %`,
        md`*${w.forecast}*\n${w.full(present.duration(5 * 3600))}`,
        md`*${w.since}*\n${present.time(NOW - 3 * 3600)}`,
      ]),
      section(md`:book: *${w.runbook}*\n1. ${code('sudo du -xh /var | sort -h | tail')}\n2. _${'https://wiki.example.com/runbooks/disk-full'}_`),
      context(link('https://mackerel.io/orgs/acme/alerts/4abc', 'alert 4abc'), md`${present.time(NOW - 86_400)}`),
      actions([
        { text: w.onIt, actionId: 'ack', value: '4abc', style: 'primary' },
        { text: w.snooze, actionId: 'snooze', value: '4abc' },
        { text: w.graph, actionId: 'graph', value: '4abc' },
      ]),
      divider(),
    ],
  };
}

function helpList(language: Language): ChatMessage {
  const w = words[language];
  const lines = w.help.map(([usage, what, example]) => md`• ${code(usage)} — ${what}\n    ${w.example} ${code(`@opsbot ${example}`)}`);
  return { text: w.helpTitle, blocks: [header('opsbot'), section(w.helpTitle), ...linesToSections(lines)] };
}

describe.each<Language>(['en', 'ja'])('the shell in %s', (language) => {
  describe.each(STYLES)('%s', (_name, style) => {
    it('shows a host answer with several addresses, one a line in one column', async () => {
      expect(await shellOutput(language, style, (chat) => chat.post(target, hostAnswer(language)).then(() => {}))).toMatchSnapshot();
    });

    it('shows a relay with its reactions as emoji and its edits', async () => {
      const output = await shellOutput(language, style, async (chat, present) => {
        const w = words[language];
        await chat.react(userMessage, 'hourglass_flowing_sand');
        const ref = await chat.post(target, { text: w.uploading('report 2026.pdf') });
        await chat.update(ref, { text: w.progress(present.bytes(768 * 1024), present.bytes(1.5 * 1024 * 1024)) });
        await chat.update(ref, { text: w.stored(code('s3://acme-uploads/2026/12/report 2026.pdf'), present.bytes(1.5 * 1024 * 1024)) });
        await chat.unreact(userMessage, 'hourglass_flowing_sand');
        await chat.react(userMessage, 'white_check_mark');
      });
      expect(output).toMatchSnapshot();
    });

    it('shows an alert post with fields, context and buttons', async () => {
      expect(await shellOutput(language, style, (chat, present) => chat.post(target, alertPost(language, present)).then(() => {}))).toMatchSnapshot();
    });

    it('shows a help list', async () => {
      expect(await shellOutput(language, style, (chat) => chat.post(target, helpList(language)).then(() => {}))).toMatchSnapshot();
    });
  });
});

it('keeps the piped text of a message free of ANSI and of mrkdwn marks', async () => {
  const output = await shellOutput('en', PIPED, (chat, present) => chat.post(target, alertPost('en', present)).then(() => {}));
  expect(output).not.toContain('␛');
  expect(output).not.toMatch(/\*[^*\s]/);
});
