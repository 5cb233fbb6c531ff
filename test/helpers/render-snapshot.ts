import { toSlackMessage, type ChatMessage } from '../../src/core/message.ts';
import { renderMessageText } from '../../src/shell/render-text.ts';

/**
 * One message as both transports show it, for snapshot tests: the Slack payload (after the
 * builder's limits) and the shell's text (piped, so without ANSI). Reviewed snapshots live under
 * test/__snapshots__/; `npx vitest -u FILE` rewrites them after a deliberate change.
 */
export function renderedBoth(message: ChatMessage): string {
  const slack = toSlackMessage(message);
  return `${JSON.stringify(slack, null, 2)}\n--- shell ---\n${renderMessageText(message)}\n`;
}
