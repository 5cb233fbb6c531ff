import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OpsbotError } from '../src/core/errors.ts';
import { md, section } from '../src/core/message.ts';
import type { ChatPort, MentionEvent } from '../src/handlers/chat-port.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { mrkdwnToText, PIPED, TERMINAL } from '../src/shell/render-text.ts';
import { runShell, terminalStyle } from '../src/shell/run-shell.ts';
import { createShellChatPort } from '../src/shell/shell-chat-port.ts';

const en = createPresenter({ language: 'en', timeZone: 'UTC', now: () => 1_764_547_200 });
const ja = createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo', now: () => 1_764_547_200 });

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += String(d)));
  return { out, text: () => text };
}

const target = { channel: 'C0LOCAL', threadTs: '1.000001' };
const ref = { channel: 'C0LOCAL', ts: '1.000001' };

describe('the shell chat port', () => {
  it('writes every line of a reply in the gutter', async () => {
    const { out, text } = capture();
    const chat = createShellChatPort({ out, imageDir: tmpdir(), present: en, style: PIPED });
    await chat.post(target, { text: md`x`, blocks: [section(md`*2 hosts*\nweb-01\nweb-02`, [md`*Status*\nworking`])] });
    expect(text()).toBe('opsbot> 2 hosts\n        web-01\n        web-02\n          Status  working\n');
  });

  it('shows reactions as emoji and edits as edited, in the team language', async () => {
    for (const [present, lines] of [
      [en, ['opsbot> reacted ⏳', 'opsbot> (edited) 50 %', 'opsbot> removed ⏳', 'opsbot> reacted ✅']],
      [ja, ['opsbot> ⏳ のリアクションを付けました', 'opsbot> （編集済み） 50 %', 'opsbot> ⏳ のリアクションを外しました', 'opsbot> ✅ のリアクションを付けました']],
    ] as const) {
      const { out, text } = capture();
      const chat: ChatPort = createShellChatPort({ out, imageDir: tmpdir(), present, style: PIPED });
      await chat.react(ref, 'hourglass_flowing_sand');
      await chat.update(ref, { text: md`50 %` });
      await chat.unreact(ref, 'hourglass_flowing_sand');
      await chat.react(ref, 'white_check_mark');
      expect(text().split('\n').filter(Boolean)).toEqual(lines);
      expect(text()).not.toMatch(/:[a-z_]+:/);
    }
  });

  it('keeps scripted output stable: no reactions or edits when not verbose', async () => {
    const { out, text } = capture();
    const chat = createShellChatPort({ out, imageDir: tmpdir(), present: en, style: PIPED, verbose: false });
    await chat.react(ref, 'hourglass_flowing_sand');
    await chat.update(ref, { text: md`50 %` });
    await chat.unreact(ref, 'hourglass_flowing_sand');
    expect(text()).toBe('');
  });

  it('saves an image as a file and says where, with its comment', async () => {
    const { out, text } = capture();
    const imageDir = mkdtempSync(join(tmpdir(), 'opsbot-shell-img-'));
    const chat = createShellChatPort({ out, imageDir, present: ja, style: PIPED });
    await chat.uploadImage(target, { filename: 'disk graph.png', title: 'db-01 ディスク', altText: 'graph', data: Buffer.from('png'), comment: md`*予測* 約5時間` });
    const [file] = readdirSync(imageDir);
    expect(file).toMatch(/-disk_graph\.png$/);
    expect(text()).toBe(`opsbot> 予測 約5時間\n        db-01 ディスク: 画像を \`${join(imageDir, file!)}\` に保存しました\n`);
  });

  it('styles with ANSI on a terminal, the gutter included', async () => {
    const { out, text } = capture();
    const chat = createShellChatPort({ out, imageDir: tmpdir(), present: en, style: TERMINAL });
    await chat.post(target, { text: md`*bold* and \`code\`` });
    expect(text()).toBe('\x1b[1mopsbot>\x1b[22m \x1b[1mbold\x1b[22m and \x1b[36mcode\x1b[39m\n');
  });

  it('uses ANSI only on a terminal, and not under NO_COLOR', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    expect(terminalStyle(tty, {})).toEqual({ ansi: true });
    expect(terminalStyle(tty, { NO_COLOR: '1' })).toEqual({ ansi: false });
    expect(terminalStyle(new PassThrough(), {})).toEqual({ ansi: false });
  });
});

describe('the shell loop', () => {
  const noFiles = async () => {};

  it('answers a failure in the team words, never with the exception message', async () => {
    const { out, text } = capture();
    const chat = createShellChatPort({ out, imageDir: tmpdir(), present: ja, style: PIPED });
    const onMention = async (event: MentionEvent) => {
      if (event.text === 'boom') throw new Error('secret internals: ECONNRESET at 10.0.0.1');
      throw new OpsbotError('inventory_unavailable', {});
    };
    const code = await runShell({ chat, onMention, onFileShare: noFiles, input: new PassThrough(), out, present: ja, style: PIPED, lines: ['boom', 'host web-01'], interactive: false });
    expect(code).toBe(0);
    expect(text()).not.toMatch(/secret internals|ECONNRESET|inventory_unavailable/);
    const lines = text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`opsbot> ${ja.t('common.unexpected').text}`);
    expect(lines[1]).toBe(`opsbot> ${mrkdwnToText(ja.error(new OpsbotError('inventory_unavailable', {})))}`);
    expect(lines[1]).toMatch(/インベントリ/);
  });

  it('greets an interactive session in Japanese, prompts, and says goodbye', async () => {
    const { out, text } = capture();
    const input = new PassThrough();
    const chat = createShellChatPort({ out, imageDir: tmpdir(), present: ja, style: PIPED });
    const seen: string[] = [];
    const onMention = async (event: MentionEvent, port: ChatPort) => {
      seen.push(event.text);
      await port.post(target, { text: md`はい` });
    };
    const done = runShell({ chat, onMention, onFileShare: noFiles, input, out, present: ja, style: PIPED, interactive: true, banner: { noSlackToken: true } });
    input.end('help\nexit\nhost web-01\n');
    expect(await done).toBe(0);
    expect(seen).toEqual(['help']);
    const shown = text();
    expect(shown).toContain('opsbot> opsbot ローカルシェル: 入力した各行を');
    expect(shown).toContain('        Slack のトークン（`SLACK_BOT_TOKEN`）が設定されていないため');
    expect(shown).toContain('        コマンド一覧は `help`、終了は `exit` と入力してください。例: `host web-01` · `role shop:web` · `alerts` · `forecast web-01`');
    expect(shown).toContain('あなた> ');
    expect(shown).toContain('opsbot> はい');
    expect(shown).toMatch(/opsbot> 終了します。\n$/);
  });

  it('aligns the prompt with the bot gutter in English', async () => {
    const { out, text } = capture();
    const input = new PassThrough();
    const chat = createShellChatPort({ out, imageDir: tmpdir(), present: en, style: PIPED });
    const done = runShell({ chat, onMention: async () => {}, onFileShare: noFiles, input, out, present: en, style: PIPED, interactive: true, banner: {} });
    input.end('exit\n');
    await done;
    expect(text()).toMatch(/^opsbot> opsbot local shell: each line is handled as a mention/);
    expect(text()).not.toContain('SLACK_BOT_TOKEN');
    expect(text()).toContain('   you> ');
    expect(text()).toMatch(/opsbot> Bye\.\n$/);
  });
});
