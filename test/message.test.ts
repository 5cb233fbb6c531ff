import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bold,
  code,
  configuredMention,
  context,
  header,
  joinMd,
  link,
  linesToSections,
  md,
  plain,
  section,
  SLACK_LIMITS,
  toSlackMessage,
  truncateMrkdwn,
  type MessageBlock,
  type Mrkdwn,
} from '../src/core/message.ts';

/** Any `<…>` token Slack would parse: a mention, a channel, a broadcast, a link. */
const TOKEN = /<([^<>]*)>/g;
/** The only `<…>` tokens a message built from untrusted values may hold: links opsbot made. */
const OWN_LINK = /^https?:\/\/[^\s<>|]+\|[^<>|]*$/;

function tokensOf(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[1]!);
}

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('<!channel>', '<!here>', '<!everyone>', '<@U123>', '<#C123>', '<https://evil.example|click>', '&lt;!here&gt;', '<!subteam^S1>', '<', '>', '|', '&', '<1 min', '`', '*'),
  fc.array(fc.constantFrom('<', '>', '!', '@', '#', '|', '&', 'here', 'channel', 'U1', ';', 'lt', 'gt', 'amp', ' '), { maxLength: 30 }).map((a) => a.join('')),
);

describe('the message builder', () => {
  it('escapes every interpolated value, so no value can ping, link or reference', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (a, b, c) => {
        const message = toSlackMessage({
          text: md`*${a}* on ${b}: ${code(c)} ${bold(a)} ${joinMd([a, b, c], ', ')}`,
          blocks: [section(md`${a}`, [md`${b}`, plain(c)]), context(md`${c}`, link(undefined, a))],
        });
        for (const t of [message.text, JSON.stringify(message.blocks)]) expect(tokensOf(t)).toEqual([]);
        // A header is plain_text: Slack shows it as typed and parses no mentions in it.
        if (a.trim()) expect(toSlackMessage({ text: plain(a), blocks: [header(a)] }).blocks![0]).toMatchObject({ text: { type: 'plain_text' } });
      }),
    );
  });

  it('links only http(s) URLs, encoded, with an escaped label', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          hostile,
          fc.constantFrom('javascript:alert(1)', 'https://a.example/x>|<!channel>', 'https://a.example/<@U1>', 'mailto:x@y.z', 'https://a b'),
        ),
        hostile,
        (url, label) => {
          const text = link(url, label).text;
          for (const token of tokensOf(text)) expect(token).toMatch(OWN_LINK);
          expect(tokensOf(text).length).toBeLessThanOrEqual(1);
        },
      ),
    );
    expect(link('https://mackerel.io/orgs/a/alerts/1?x=<!here>|y', 'alert').text).toBe('<https://mackerel.io/orgs/a/alerts/1?x=%3C!here%3E%7Cy|alert>');
    expect(link('javascript:alert(1)', 'x').text).toBe('x');
  });

  it('keeps configured mentions and only them', () => {
    expect(configuredMention('<!subteam^S0ONCALL>').text).toBe('<!subteam^S0ONCALL>');
    expect(configuredMention('<@U123> <!subteam^S1AB|sre>').text).toBe('<@U123> <!subteam^S1AB|sre>');
    expect(configuredMention('<!everyone>').text).toBe('&lt;!everyone&gt;');
    expect(configuredMention('@oncall <!channel> hi').text).toBe('@oncall &lt;!channel&gt; hi');
  });

  it('writes the bot\'s own "<1 min" escaped', () => {
    expect(md`full in ${'<1 min'}`.text).toBe('full in &lt;1 min');
  });

  it('cuts text to a limit with a visible "…", never inside an escape or a link', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            hostile.map((s) => plain(s)),
            fc.tuple(fc.webUrl(), hostile).map(([u, l]) => link(u, l)),
          ),
          { maxLength: 20 },
        ),
        fc.integer({ min: 2, max: 400 }),
        (parts: Mrkdwn[], max) => {
          const whole = joinMd(parts, ' ').text;
          const cut = truncateMrkdwn(joinMd(parts, ' '), max);
          expect(cut.length).toBeLessThanOrEqual(Math.max(max, 1));
          if (whole.length > max) expect(cut.endsWith('…')).toBe(true);
          else expect(cut).toBe(whole);
          for (const token of tokensOf(cut)) expect(token).toMatch(OWN_LINK);
          if (whole.length > max) expect(cut.slice(0, -1)).not.toMatch(/<[^>]*$/);
          expect(cut).not.toMatch(/&[a-z]{0,3}…$/);
        },
      ),
    );
  });

  it('keeps every message within Slack limits whatever it is given', () => {
    const big = fc.string({ maxLength: 5000 }).chain((s) => fc.integer({ min: 0, max: 20 }).map((n) => s.repeat(n)));
    const block: fc.Arbitrary<MessageBlock> = fc.oneof(
      fc.tuple(big, fc.array(big, { maxLength: 15 })).map(([t, f]) =>
        section(
          plain(t),
          f.map((x) => plain(x)),
        ),
      ),
      fc.array(big, { maxLength: 15 }).map((els) => context(...els.map((x) => plain(x)))),
      big.map((t) => header(t)),
    );
    fc.assert(
      fc.property(big, fc.array(block, { maxLength: 70 }), (text, blocks) => {
        const wire = toSlackMessage({ text: plain(text), blocks });
        const limit = wire.blocks ? SLACK_LIMITS.fallbackText : SLACK_LIMITS.messageText;
        expect(wire.text.length).toBeLessThanOrEqual(limit);
        expect(wire.text.length).toBeGreaterThan(0);
        expect((wire.blocks ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
        for (const b of (wire.blocks ?? []) as { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[]) {
          if (b.type === 'header') expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
          if (b.type === 'section') {
            expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
            expect((b.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
            for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
          }
          if (b.type === 'context') {
            expect(b.elements!.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
            for (const e of b.elements!) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('packs lines into sections of at most 3000 characters and caps blocks at 50', () => {
    const sections = linesToSections(Array.from({ length: 300 }, (_, i) => plain(`${i} ${'y'.repeat(95)}`)));
    const bodies = sections.map((b) => (b as { text: Mrkdwn }).text.text);
    expect(bodies.every((t) => t.length <= 3000)).toBe(true);
    expect(bodies.join('\n').split('\n')).toHaveLength(300);
    expect(sections.length).toBe(10);
    expect(toSlackMessage({ text: plain('x'), blocks: linesToSections([plain('z'.repeat(5000))]) }).blocks![0]).toMatchObject({ text: { text: expect.stringMatching(/^z{2999}…$/) } });
    const blocks = toSlackMessage({ text: plain('x'), blocks: Array.from({ length: 80 }, (_, i) => section(plain(String(i)))) }).blocks!;
    expect(blocks).toHaveLength(50);
    expect(JSON.stringify(blocks.at(-1))).toContain('… (+31)');
  });

  it("cuts a 1 MB monitor name to Slack's limits", () => {
    const name = 'm'.repeat(1_000_000);
    const wire = toSlackMessage({ text: md`:red_circle: CRITICAL ${name} on web-01` });
    expect(wire.text.length).toBe(SLACK_LIMITS.messageText);
    expect(wire.text.endsWith('…')).toBe(true);
  });
});
