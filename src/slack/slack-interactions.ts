import { z } from 'zod';
import type { ActionPress } from '../handlers/act/act-handler.ts';

/**
 * Button presses (`block_actions`) and slash commands as opsbot reads them, checked field by
 * field: HTTP requests were shape-checked at the edge already, Socket Mode ones were not.
 */
const slackId = z.string().min(1).max(64);

const blockActions = z.looseObject({
  user: z.looseObject({ id: slackId, name: z.string().max(500).optional().catch(undefined), username: z.string().max(500).optional().catch(undefined) }),
  channel: z.looseObject({ id: slackId }).nullable().optional().catch(undefined),
  container: z
    .looseObject({ channel_id: slackId.optional().catch(undefined), message_ts: z.string().max(64).optional().catch(undefined) })
    .optional()
    .catch(undefined),
  message: z
    .looseObject({ ts: z.string().max(64).optional().catch(undefined) })
    .optional()
    .catch(undefined),
  response_url: z.string().max(2000).optional().catch(undefined),
  actions: z.array(z.looseObject({ action_id: z.string().min(1).max(255), value: z.string().max(2000).optional().catch(undefined) })).min(1),
});

/** The press of a block_actions payload, and where to answer it; null when a field opsbot needs is missing. */
export function toActionPress(body: unknown): { press: ActionPress; responseUrl?: string } | null {
  const parsed = blockActions.safeParse(body);
  if (!parsed.success) return null;
  const b = parsed.data;
  const action = b.actions[0]!;
  const channel = b.channel?.id ?? b.container?.channel_id;
  const messageTs = b.message?.ts ?? b.container?.message_ts;
  if (!channel || !messageTs || action.value === undefined) return null;
  // The name shown on the post: a person's handle, never a mention (an edit must ping nobody).
  const name = (b.user.name || b.user.username || b.user.id).replace(/\s+/g, ' ').trim().slice(0, 80) || b.user.id;
  return {
    press: { actionId: action.action_id, value: action.value, user: { id: b.user.id, name }, channel, messageTs },
    ...(b.response_url ? { responseUrl: b.response_url } : {}),
  };
}

const slashCommand = z.looseObject({
  user_id: slackId,
  channel_id: slackId,
  text: z.string().max(10_000).optional().catch(undefined),
  trigger_id: z.string().max(500).optional().catch(undefined),
  response_url: z.string().max(2000).optional().catch(undefined),
});

let commandSeq = 0;

/** The slash command as a command line; `ts` is a stand-in (a slash command is no message). */
export function toSlashCommand(body: unknown): { user: string; channel: string; ts: string; text: string; responseUrl?: string } | null {
  const parsed = slashCommand.safeParse(body);
  if (!parsed.success) return null;
  const c = parsed.data;
  return {
    user: c.user_id,
    channel: c.channel_id,
    ts: `slash.${Date.now()}.${++commandSeq}`,
    text: unescapeCommandText(c.text ?? ''),
    ...(c.response_url ? { responseUrl: c.response_url } : {}),
  };
}

/** Slash command text comes with &, < and > escaped (and with links as <url|label> when escaping is on). */
function unescapeCommandText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
