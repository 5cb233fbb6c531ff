import type { Block, KnownBlock } from '@slack/types';

/** Slack's limits for one message. */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
export const MAX_FALLBACK_TEXT = 3000;

/** Cuts text to `max` characters, ending in "…". */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Packs lines into as few mrkdwn sections as fit (each ≤ 3000 characters); a single line
 * that is too long on its own is cut.
 */
export function linesToSections(lines: readonly string[]): KnownBlock[] {
  const sections: KnownBlock[] = [];
  let current = '';
  for (const raw of lines) {
    const line = truncate(raw, MAX_SECTION_TEXT);
    if (current && current.length + 1 + line.length > MAX_SECTION_TEXT) {
      sections.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) sections.push(section(current));
  return sections;
}

export function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, MAX_SECTION_TEXT) } };
}

export function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, MAX_SECTION_TEXT) }] };
}

/** Last guard before posting: never more than 50 blocks (the last one then says so). */
export function fitBlocks(blocks: (KnownBlock | Block)[]): (KnownBlock | Block)[] {
  if (blocks.length <= MAX_BLOCKS) return blocks;
  return [...blocks.slice(0, MAX_BLOCKS - 1), context(`…${blocks.length - MAX_BLOCKS + 1} more blocks left out to fit one message.`)];
}
