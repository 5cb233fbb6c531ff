import { describe, expect, it } from 'vitest';
import { limitViolations, unexpectedPings } from './sim/slack-rules.ts';
import { SlackSim } from './sim/slack-sim.ts';

describe('the Slack simulator holds calls to Slack', () => {
  it('finds limit violations in text and blocks', () => {
    expect(limitViolations('chat.postMessage', { text: 'ok', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'fine' } }] })).toEqual([]);
    expect(limitViolations('chat.postMessage', { text: 'x'.repeat(40_001) })).toHaveLength(1);
    expect(limitViolations('chat.postMessage', { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) })).toHaveLength(1);
    expect(limitViolations('chat.update', { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] })).toHaveLength(1);
    expect(
      limitViolations('chat.update', {
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y' }, fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      }),
    ).toHaveLength(1);
    expect(limitViolations('chat.update', { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] })).toHaveLength(1);
    expect(
      limitViolations('chat.update', { text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a' }] }] }),
    ).toHaveLength(1);
  });

  it('finds pings the config did not ask for, in text and in mrkdwn blocks', () => {
    const allowed = ['<!subteam^S0ONCALL>'];
    expect(unexpectedPings({ text: '<!subteam^S0ONCALL> disk full' }, allowed)).toEqual([]);
    expect(unexpectedPings({ text: 'a <!channel> b <@U123|bob> <!here>' }, allowed)).toEqual(['<!channel>', '<@U123|bob>', '<!here>']);
    expect(unexpectedPings({ text: 'x', blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: '<!everyone>' }] }] }, allowed)).toEqual(['<!everyone>']);
    expect(unexpectedPings({ text: '&lt;!channel&gt; <#C123> <https://x.example|y>' }, allowed)).toEqual([]);
  });

  it('records a violating call and answers as Slack does', async () => {
    const sim = await new SlackSim({ botToken: 'xoxb-sim-rules-0123456789' }).start();
    try {
      const post = (body: Record<string, string>) =>
        fetch(`${sim.apiUrl}chat.postMessage`, {
          method: 'POST',
          headers: { authorization: 'Bearer xoxb-sim-rules-0123456789', 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(body),
        }).then((r) => r.json() as Promise<{ ok: boolean; error?: string }>);
      expect(await post({ channel: 'C1', text: 'x'.repeat(40_001) })).toMatchObject({ ok: false, error: 'msg_too_long' });
      expect(await post({ channel: 'C1', text: 'hi <!channel>' })).toMatchObject({ ok: true });
      expect(sim.takeViolations()).toEqual([expect.stringContaining('40001 characters'), 'chat.postMessage: unexpected ping <!channel>']);
    } finally {
      await sim.stop();
    }
  });
});
