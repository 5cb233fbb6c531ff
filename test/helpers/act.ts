import { signSlackBody, TEST_SIGNING_SECRET } from './start-test-bot.ts';
import type { SlackSim } from '../sim/slack-sim.ts';

/**
 * What Slack sends for a button press and a slash command: signed, form-encoded requests to
 * /slack/events (interactivity: `payload=<JSON>`; slash commands: plain form fields), with a
 * response_url on the Slack simulator so the bot's ephemeral replies are recorded there.
 */
let seq = 0;

export interface Press {
  actionId: string;
  value: string;
  user: { id: string; name: string };
  channel: string;
  messageTs: string;
}

/** A block_actions payload as Slack documents it; `responseId` names its response_url on the simulator. */
export function blockActionsPayload(slack: SlackSim, press: Press, responseId = `press-${++seq}`): { payload: Record<string, unknown>; responseId: string } {
  return {
    responseId,
    payload: {
      type: 'block_actions',
      user: { id: press.user.id, username: press.user.name, name: press.user.name, team_id: 'T0TEST' },
      api_app_id: 'A0TEST',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: press.messageTs, channel_id: press.channel, is_ephemeral: false },
      trigger_id: `${Date.now()}.${++seq}.abc`,
      team: { id: 'T0TEST', domain: 'test' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: press.channel, name: 'alerts' },
      message: { type: 'message', ts: press.messageTs, user: slack.botUserId, text: 'x' },
      response_url: slack.responseUrl(responseId),
      actions: [{ type: 'button', action_id: press.actionId, block_id: 'b', value: press.value, text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` }],
    },
  };
}

export function signedForm(baseUrl: string, body: string): Promise<Response> {
  return fetch(`${baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackBody(TEST_SIGNING_SECRET, body) }, body });
}

/** Presses a button over HTTP, as Slack would; resolves with the HTTP answer and the response_url id. */
export async function press(baseUrl: string, slack: SlackSim, p: Press): Promise<{ status: number; responseId: string }> {
  const { payload, responseId } = blockActionsPayload(slack, p);
  const res = await signedForm(baseUrl, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  await res.arrayBuffer();
  return { status: res.status, responseId };
}

/** The form fields of a slash command. */
export function slashCommandFields(
  slack: SlackSim,
  input: { text: string; user?: string; channel?: string },
  responseId = `slash-${++seq}`,
): { fields: Record<string, string>; responseId: string } {
  return {
    responseId,
    fields: {
      token: 'legacy-verification-token',
      team_id: 'T0TEST',
      team_domain: 'test',
      channel_id: input.channel ?? 'C0OPS',
      channel_name: 'ops',
      user_id: input.user ?? 'U0ALICE',
      user_name: 'alice',
      command: '/opsbot',
      text: input.text,
      api_app_id: 'A0TEST',
      is_enterprise_install: 'false',
      response_url: slack.responseUrl(responseId),
      trigger_id: `${Date.now()}.${++seq}.def`,
    },
  };
}

export async function slashCommand(baseUrl: string, slack: SlackSim, input: { text: string; user?: string; channel?: string }): Promise<{ status: number; responseId: string }> {
  const { fields, responseId } = slashCommandFields(slack, input);
  const res = await signedForm(baseUrl, new URLSearchParams(fields).toString());
  await res.arrayBuffer();
  return { status: res.status, responseId };
}

/** The text and blocks of a reply or message, as one string to search. */
export const allText = (m: { text?: unknown; blocks?: unknown } | Record<string, unknown>): string => `${String(m.text ?? '')} ${JSON.stringify(m.blocks ?? [])}`;
