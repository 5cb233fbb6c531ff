import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';

/**
 * Shape checks for what Slack posts to /slack/events, run before Bolt sees a request: Bolt
 * assumes well-formed envelopes and throws (or rejects unhandled) on `null`, `event: null` and
 * the like. A request that passes here is one Bolt can process.
 */

const object = z.record(z.string(), z.unknown());

const eventCallback = z.object({
  type: z.literal('event_callback'),
  event_id: z.string().min(1).max(200),
  team_id: z.string().max(200).optional(),
  event: z.looseObject({ type: z.string().min(1).max(100) }),
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
  if (envelopeType === 'event_callback') return eventCallback.safeParse(parsed).success ? { kind: 'bolt' } : { kind: 'bad', why: 'malformed event_callback' };
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
