import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';

/**
 * Shape checks for what Slack posts to /slack/events, run before Bolt sees a request: Bolt
 * assumes well-formed envelopes and throws (or rejects unhandled) on `null`, `event: null` and
 * the like. A request that passes here is one Bolt can process.
 */

const object = z.record(z.string(), z.unknown());

const id = z.string().max(200);

/** Top-level fields Bolt reads to build its context: each, when present, of the type Slack documents. */
const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  event_id: z.string().min(1).max(200),
  team_id: id.optional(),
  enterprise_id: id.nullable().optional(),
  api_app_id: id.optional(),
  is_enterprise_install: z.boolean().optional(),
  is_ext_shared_channel: z.boolean().optional(),
  event_time: z.number().optional(),
  authorizations: z.array(z.looseObject({ team_id: id.nullable().optional(), user_id: id.optional(), enterprise_id: id.nullable().optional(), is_bot: z.boolean().optional() })).optional(),
  event: z.looseObject({ type: z.string().min(1).max(100) }),
});

/** The event types opsbot subscribes to; anything else is acknowledged and dropped before Bolt. */
const HANDLED_EVENTS = new Set(['app_mention', 'message']);

/** Fields of a message or app_mention that Bolt's own middleware reads: strings (or objects) when present. */
const messageEvent = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  user: id.optional(),
  bot_id: id.optional(),
  channel: id.optional(),
  channel_type: id.optional(),
  ts: id.optional(),
  thread_ts: id.optional(),
  event_ts: id.optional(),
  team: id.optional(),
  app_id: id.optional(),
  text: z.string().optional(),
  files: z.array(z.unknown()).optional(),
  blocks: z.array(z.unknown()).optional(),
  message: z.looseObject({}).optional(),
  previous_message: z.looseObject({}).optional(),
});

const urlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string().max(1000) });

const optionalId = id.nullable().optional();
const shortText = z.string().max(5_000).optional();

/**
 * Interactivity (`payload=` form field). opsbot handles button presses (`block_actions`) only;
 * the fields Bolt and opsbot read are checked here (Bolt reads `team.id` or `user.team_id`,
 * `enterprise.id`, `channel.id`, `actions[0]` and `response_url`), every other interaction type is
 * acknowledged and dropped.
 */
const blockActions = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: id.min(1), name: shortText, username: shortText, team_id: optionalId }),
  team: z.looseObject({ id: id, enterprise_id: optionalId }).nullable().optional(),
  enterprise: z.looseObject({ id: id }).nullable().optional(),
  channel: z.looseObject({ id: id, name: shortText }).nullable().optional(),
  container: z.looseObject({ type: shortText, channel_id: id.optional(), message_ts: id.optional(), thread_ts: id.optional(), is_ephemeral: z.boolean().optional() }).optional(),
  message: z.looseObject({ ts: id.optional(), thread_ts: id.optional() }).optional(),
  api_app_id: id.optional(),
  is_enterprise_install: z.boolean().optional(),
  response_url: z.string().max(2_000).optional(),
  trigger_id: z.string().max(500).optional(),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string().min(1).max(255),
        block_id: z.string().max(255).optional(),
        value: z.string().max(2_000).optional(),
        type: z.string().max(100),
        action_ts: z.string().max(100).optional(),
      }),
    )
    .min(1)
    .max(25),
});

/** A slash command arrives as plain form fields; each field Bolt and opsbot read is one string. */
const formText = (max: number) => z.string().max(max);
const slashCommand = z.looseObject({
  command: formText(100).min(1),
  text: formText(10_000).optional(),
  user_id: formText(200).min(1),
  user_name: formText(500).optional(),
  channel_id: formText(200).min(1),
  channel_name: formText(500).optional(),
  team_id: formText(200).optional(),
  team_domain: formText(500).optional(),
  enterprise_id: formText(200).optional(),
  api_app_id: formText(200).optional(),
  is_enterprise_install: formText(10).optional(),
  response_url: formText(2_000).optional(),
  trigger_id: formText(500).optional(),
});

export type SlackEnvelope =
  | { kind: 'ssl_check' }
  | { kind: 'bolt' }
  /** Signed, well-formed, but nothing opsbot handles (a new envelope type): acknowledged and dropped. */
  | { kind: 'ignore'; why: string }
  | { kind: 'bad'; why: string };

/** Classifies a verified request body by its content type. */
export function checkSlackEnvelope(contentType: string | undefined, body: string): SlackEnvelope {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const form = parseQuery(body);
    if (form.ssl_check === '1') return { kind: 'ssl_check' };
    if (typeof form.payload === 'string') {
      const payload = parseJson(form.payload);
      if (!object.safeParse(payload).success) return { kind: 'bad', why: 'payload is not a JSON object' };
      const type = (payload as { type?: unknown }).type;
      if (type !== 'block_actions') return { kind: 'ignore', why: 'unhandled interaction type' };
      return blockActions.safeParse(payload).success ? { kind: 'bolt' } : { kind: 'bad', why: 'malformed block_actions payload' };
    }
    return slashCommand.safeParse(form).success ? { kind: 'bolt' } : { kind: 'bad', why: 'form body is neither a payload nor a slash command' };
  }
  if (type !== 'application/json') return { kind: 'bad', why: 'unsupported content type' };
  const parsed = parseJson(body);
  if (!object.safeParse(parsed).success) return { kind: 'bad', why: 'body is not a JSON object' };
  const envelopeType = (parsed as { type?: unknown }).type;
  if (envelopeType === 'url_verification') return urlVerification.safeParse(parsed).success ? { kind: 'bolt' } : { kind: 'bad', why: 'malformed url_verification' };
  if (envelopeType === 'event_callback') {
    const envelope = eventCallback.safeParse(parsed);
    if (!envelope.success) return { kind: 'bad', why: 'malformed event_callback' };
    const event = envelope.data.event;
    if (!HANDLED_EVENTS.has(event.type)) return { kind: 'ignore', why: `event type ${event.type.slice(0, 40)}` };
    return messageEvent.safeParse(event).success ? { kind: 'bolt' } : { kind: 'bad', why: `malformed ${event.type} event` };
  }
  if (typeof envelopeType !== 'string') return { kind: 'bad', why: 'no envelope type' };
  return { kind: 'ignore', why: `envelope type ${envelopeType.slice(0, 40)}` };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
