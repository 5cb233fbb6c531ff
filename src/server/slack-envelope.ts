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

/** Interactivity (`payload=` form field): a typed object Bolt routes by `type`. */
const interaction = z.looseObject({
  type: z.enum(['block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'interactive_message', 'dialog_submission']),
  user: z.looseObject({ id: z.string() }).optional(),
});

/** A slash command arrives as plain form fields. */
const slashCommand = z.looseObject({ command: z.string().min(1).max(100), text: z.string().max(10_000).optional(), user_id: z.string(), channel_id: z.string() });

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
      return interaction.safeParse(payload).success ? { kind: 'bolt' } : { kind: 'ignore', why: 'unhandled interaction type' };
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
