import { describe, expect, it } from 'vitest';
import { renderMessageText, mrkdwnToText } from '../src/shell/render-text.ts';
import { context, divider, header, link, md, section } from '../src/core/message.ts';
import { splitWords, stripShellMention } from '../src/shell/parse-shell-line.ts';
import { parseCommandLine } from '../src/handlers/mention-dispatcher.ts';
import { stripBotMention, unescapeSlackText } from '../src/slack/slack-events.ts';

describe('terminal rendering of Block Kit', () => {
  it('shows links, mentions and escapes readably', () => {
    expect(mrkdwnToText('<https://mackerel.io/orgs/acme/hosts/H1|web-01> &lt;b&gt; <!subteam^S0ONCALL> <@U1|ana>')).toBe('web-01 (https://mackerel.io/orgs/acme/hosts/H1) <b> @oncall @ana');
    expect(mrkdwnToText(':warning: disk :red_circle: at 12:30:45 :unknown_code:')).toBe('⚠️ disk 🔴 at 12:30:45 :unknown_code:');
  });

  it('flattens header, section fields, context, divider and images', () => {
    const text = renderMessageText({
      text: md`fallback`,
      blocks: [header('Hosts'), section(md`*web-01*`, [md`status\nworking`]), divider(), context(md`id H1`), { type: 'image', url: 'https://x/y.png', altText: 'disk graph' }],
    });
    expect(text.split('\n')).toEqual(['HOSTS', '*web-01*', '  status working', '─'.repeat(40), '  id H1', '[image: disk graph]']);
    expect(renderMessageText({ text: md`plain ${link('https://a.b', 'c')}` })).toBe('plain c (https://a.b/)');
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
