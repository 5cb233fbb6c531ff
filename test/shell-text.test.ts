import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../src/core/display-width.ts';
import { EMOJI, emojiFor, mrkdwnToText, prefixLines, renderMessageText, TERMINAL } from '../src/shell/render-text.ts';
import { actions, bold, code, context, divider, header, link, md, section } from '../src/core/message.ts';
import { ALERT_STATUS_GLYPHS, HOST_STATUS_GLYPHS, OUTCOME_GLYPHS } from '../src/handlers/present/glyphs.ts';
import { DONE_REACTION, FAILED_REACTION, WORKING_REACTION } from '../src/handlers/relay/file-share-handler.ts';
import { splitWords, stripShellMention } from '../src/shell/parse-shell-line.ts';
import { parseCommandLine } from '../src/handlers/mention-dispatcher.ts';
import { stripBotMention, unescapeSlackText } from '../src/slack/slack-events.ts';

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/**
 * The `:code:`s written in src/: a code standing as a word of a string (after a quote, backtick,
 * space or bracket, before one or punctuation), so keys like `alert:${id}:graph:…` and times like
 * 12:30:45 are not taken for emoji.
 */
function emojiCodesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?<=^|[\s'"`(>]):([a-z][a-z0-9_+-]*):(?=$|[\s'"`),.;!?*])/gm)) {
      if (m[1] === 'memory') continue; // SQLite's in-memory database path, not an emoji
      if (!found.has(m[1]!)) found.set(m[1]!, file.slice(SRC.length + 1));
    }
  }
  return found;
}

describe('terminal rendering of mrkdwn', () => {
  it('shows links, mentions and escapes readably', () => {
    expect(mrkdwnToText('<https://mackerel.io/orgs/acme/hosts/H1|web-01> &lt;b&gt; <!subteam^S0ONCALL> <@U1|ana> <#C1|ops> <!here>')).toBe(
      'web-01 (https://mackerel.io/orgs/acme/hosts/H1) <b> @oncall @ana #ops @here',
    );
    expect(mrkdwnToText(md`${link('https://a.b/c', 'https://a.b/c')}`)).toBe('https://a.b/c');
    expect(mrkdwnToText(':warning: disk :red_circle: at 12:30:45 :unknown_code:')).toBe('⚠️ disk 🔴 at 12:30:45 :unknown_code:');
  });

  it('removes the marks of bold, italic and strike when piped, and styles them on a terminal', () => {
    const text = md`${bold('7 hosts')} in shop:web, _maybe_ ~gone~, pattern ${code('web-*')}`;
    expect(mrkdwnToText(text)).toBe('7 hosts in shop:web, maybe gone, pattern `web-*`');
    expect(mrkdwnToText(text, TERMINAL)).toBe('\x1b[1m7 hosts\x1b[22m in shop:web, \x1b[3mmaybe\x1b[23m \x1b[9mgone\x1b[29m, pattern \x1b[36mweb-*\x1b[39m');
    expect(mrkdwnToText(md`*ディスク使用量*が上限に近づいています`)).toBe('ディスク使用量が上限に近づいています');
    expect(mrkdwnToText('*_both_* and _*both*_', TERMINAL)).toBe('\x1b[1m\x1b[3mboth\x1b[23m\x1b[22m and \x1b[3m\x1b[1mboth\x1b[22m\x1b[23m');
    expect(mrkdwnToText('*_both_*')).toBe('both');
  });

  it('leaves marks that are not emphasis alone', () => {
    for (const text of ['hosts web-* and db-*', 'disk_used_pct and mem_used', 'full in ~5 h (~3 h to ~8 h)', '2*3*4', 'a * b * c', '~/logs and ~/tmp']) expect(mrkdwnToText(text)).toBe(text);
    // Inside code spans and links nothing is emphasis or emoji.
    expect(mrkdwnToText('`*not bold* :x:` <https://x.test/a_b_c|a_b_c>')).toBe('`*not bold* :x:` a_b_c (https://x.test/a_b_c)');
    expect(mrkdwnToText('`&lt;b&gt;`', TERMINAL)).toBe('\x1b[36m<b>\x1b[39m');
  });

  it('has a terminal rendering for every emoji code opsbot writes, every glyph and every reaction', () => {
    const codes = emojiCodesInSource();
    expect(codes.size).toBeGreaterThan(15); // the scan itself finds them
    const glyphs = [...Object.values(HOST_STATUS_GLYPHS), ...Object.values(ALERT_STATUS_GLYPHS), ...Object.values(OUTCOME_GLYPHS)].map((g) => g.slice(1, -1));
    const missing = [...codes.keys(), ...glyphs, WORKING_REACTION, DONE_REACTION, FAILED_REACTION]
      .filter((name) => !(name in EMOJI))
      .map((name) => `:${name}: (${codes.get(name) ?? 'glyph or reaction'})`);
    expect(missing).toEqual([]);
    expect(emojiFor('hourglass_flowing_sand')).toBe('⏳');
    expect(emojiFor('no_such_emoji')).toBe(':no_such_emoji:');
  });
});

describe('terminal rendering of Block Kit', () => {
  it('flattens header, section fields, context, divider and images', () => {
    const text = renderMessageText({
      text: md`fallback`,
      blocks: [header('Hosts'), section(md`*web-01*`, [md`status\nworking`]), divider(), context(md`id H1`), { type: 'image', url: 'https://x/y.png', altText: 'disk graph' }],
    });
    expect(text.split('\n')).toEqual(['HOSTS', 'web-01', '  status  working', '─'.repeat(40), '  id H1', '🖼️ disk graph']);
    // A context block's elements read as one line's parts.
    expect(renderMessageText({ text: md`x`, blocks: [context(md`Showing 3 of 5.`, md`See all`)] })).toBe('  Showing 3 of 5. · See all');
    expect(renderMessageText({ text: md`plain ${link('https://a.b', 'c')}` })).toBe('plain c (https://a.b/)');
  });

  it('shows fields as a table and addresses one a line, in one column', () => {
    const text = renderMessageText({
      text: md`web-01`,
      blocks: [section(md`*web-01*`, [md`*Status*\n:large_green_circle: working`, md`*IP addresses*\neth0: 10.1.2.1, fd00:1::1\nbond0: 10.1.3.1`, md`*IPアドレス*\n10.0.0.1/24、10.0.0.2`])],
    });
    expect(text.split('\n')).toEqual([
      'web-01',
      '  Status        🟢 working',
      '  IP addresses  eth0:  10.1.2.1',
      '                       fd00:1::1',
      '                bond0: 10.1.3.1',
      '  IPアドレス    10.0.0.1/24',
      '                10.0.0.2',
    ]);
    // A line that is not only addresses stays as it is.
    expect(renderMessageText({ text: md`10.0.0.1, web-01` })).toBe('10.0.0.1, web-01');
  });

  it('shows buttons as [labels] and styles headers on a terminal', () => {
    const message = {
      text: md`x`,
      blocks: [
        header('Disk :warning:'),
        actions([
          { text: "I'm on it", actionId: 'a' },
          { text: 'Mackerel', actionId: 'b', url: 'https://mackerel.io/' },
        ]),
      ],
    };
    expect(renderMessageText(message)).toBe("DISK ⚠️\n[I'm on it] [Mackerel] (https://mackerel.io/)");
    expect(renderMessageText(message, TERMINAL).split('\n')[0]).toBe('\x1b[1mDISK ⚠️\x1b[22m');
  });
});

describe('the shell gutter', () => {
  it('prefixes the first line and indents the others to the same column', () => {
    expect(prefixLines('one\ntwo\n\n  three', 'opsbot> ')).toBe('opsbot> one\n        two\n\n          three');
    expect(prefixLines('一\n二', 'あなた> ')).toBe('あなた> 一\n        二');
  });

  it('counts emoji and CJK characters as two columns and ANSI styles as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('🟢 ⚠️ 日本')).toBe(2 + 1 + 2 + 1 + 4);
    expect(displayWidth('ステータス（稼働中）')).toBe(20);
    expect(displayWidth('\x1b[1mbold\x1b[22m')).toBe(4);
  });
});

describe('command line parsing', () => {
  it('splits shell words with quotes and strips a leading mention', () => {
    expect(splitWords('upload "./my report.pdf" !fileupload logs')).toEqual(['upload', './my report.pdf', '!fileupload', 'logs']);
    expect(stripShellMention('@opsbot host web-01')).toBe('host web-01');
    expect(stripShellMention('opsbot: help')).toBe('help');
  });

  it('strips Slack bot mentions and unescapes text', () => {
    expect(stripBotMention('<@UBOT> host web-01', 'UBOT')).toBe('host web-01');
    expect(stripBotMention('<@UOTHER> hi', 'UBOT')).toBe('<@UOTHER> hi');
    expect(unescapeSlackText('host &lt;x&gt; &amp; <http://10.0.0.1|10.0.0.1>')).toBe('host <x> & 10.0.0.1');
    expect(parseCommandLine('  host   web-01  standby ')).toEqual({ word: 'host', args: ['web-01', 'standby'], argText: 'web-01  standby' });
    expect(parseCommandLine('')).toEqual({ word: '', args: [], argText: '' });
  });
});
