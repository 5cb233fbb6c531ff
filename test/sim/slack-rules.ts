/**
 * Slack's documented limits and opsbot's ping rule, checked on every message-bearing Web API
 * call the simulator receives. Written from Slack's documentation independently of the bot's
 * own message builder, so a builder bug cannot hide itself.
 *
 * Limits: chat.postMessage `text` ≤ 40,000 characters; ≤ 50 blocks; section `text` ≤ 3,000,
 * ≤ 10 `fields` of ≤ 2,000; header plain_text ≤ 150; context ≤ 10 elements; button text ≤ 75,
 * value ≤ 2,000, action_id ≤ 255, url ≤ 3,000; image alt_text ≤ 2,000. A file comment is held to
 * the message limit.
 */
export const SLACK_DOC_LIMITS = {
  text: 40_000,
  blocks: 50,
  sectionText: 3_000,
  fields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  textObject: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  url: 3_000,
  altText: 2_000,
};

/** Every `<…>` Slack turns into a notification: users, user groups, @here/@channel/@everyone. */
const PING = /<(@[UW][A-Z0-9]+(?:\|[^>]*)?|!subteam\^[A-Z0-9]+(?:\|[^>]*)?|!here(?:\|[^>]*)?|!channel(?:\|[^>]*)?|!everyone(?:\|[^>]*)?)>/g;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Mrkdwn texts of a message (the top-level text and every mrkdwn text object in its blocks). */
function mrkdwnTexts(args: Obj): string[] {
  const out: string[] = [];
  for (const key of ['text', 'initial_comment']) if (typeof args[key] === 'string') out.push(args[key] as string);
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObj(v)) return;
    if (v.type === 'mrkdwn' && typeof v.text === 'string') out.push(v.text);
    for (const child of Object.values(v)) walk(child);
  };
  walk(args.blocks);
  return out;
}

function checkText(where: string, value: unknown, max: number, problems: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string') problems.push(`${where}: not a string`);
  else if (value.length > max) problems.push(`${where}: ${value.length} characters > ${max}`);
}

function checkButton(where: string, b: Obj, problems: string[]): void {
  checkText(`${where}.text`, isObj(b.text) ? b.text.text : undefined, SLACK_DOC_LIMITS.buttonText, problems);
  checkText(`${where}.value`, b.value, SLACK_DOC_LIMITS.buttonValue, problems);
  checkText(`${where}.action_id`, b.action_id, SLACK_DOC_LIMITS.actionId, problems);
  checkText(`${where}.url`, b.url, SLACK_DOC_LIMITS.url, problems);
}

/** Limit violations of one chat.postMessage / chat.update / chat.postEphemeral / file comment. */
export function limitViolations(method: string, args: Obj): string[] {
  const problems: string[] = [];
  checkText(`${method} text`, args.text, SLACK_DOC_LIMITS.text, problems);
  checkText(`${method} initial_comment`, args.initial_comment, SLACK_DOC_LIMITS.text, problems);
  if (args.blocks === undefined) return problems;
  if (!Array.isArray(args.blocks)) return [...problems, `${method} blocks: not a list`];
  if (args.blocks.length > SLACK_DOC_LIMITS.blocks) problems.push(`${method}: ${args.blocks.length} blocks > ${SLACK_DOC_LIMITS.blocks}`);
  args.blocks.forEach((block: unknown, i) => {
    const where = `${method} blocks[${i}]`;
    if (!isObj(block)) return void problems.push(`${where}: not an object`);
    switch (block.type) {
      case 'section': {
        const text = isObj(block.text) ? block.text.text : undefined;
        const fields = Array.isArray(block.fields) ? block.fields : [];
        if (text === undefined && fields.length === 0) problems.push(`${where}: section without text or fields`);
        if (typeof text === 'string' && text.length === 0) problems.push(`${where}: empty section text`);
        checkText(`${where}.text`, text, SLACK_DOC_LIMITS.sectionText, problems);
        if (fields.length > SLACK_DOC_LIMITS.fields) problems.push(`${where}: ${fields.length} fields > ${SLACK_DOC_LIMITS.fields}`);
        fields.forEach((f: unknown, j) => checkText(`${where}.fields[${j}]`, isObj(f) ? f.text : undefined, SLACK_DOC_LIMITS.fieldText, problems));
        if (isObj(block.accessory) && block.accessory.type === 'button') checkButton(`${where}.accessory`, block.accessory, problems);
        break;
      }
      case 'header':
        checkText(`${where}.text`, isObj(block.text) ? block.text.text : undefined, SLACK_DOC_LIMITS.headerText, problems);
        if (!isObj(block.text) || block.text.type !== 'plain_text') problems.push(`${where}: header text must be plain_text`);
        break;
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > SLACK_DOC_LIMITS.contextElements) problems.push(`${where}: ${elements.length} context elements`);
        elements.forEach((e: unknown, j) => checkText(`${where}.elements[${j}]`, isObj(e) ? e.text : undefined, SLACK_DOC_LIMITS.textObject, problems));
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > SLACK_DOC_LIMITS.actionsElements) problems.push(`${where}: ${elements.length} action elements`);
        elements.forEach((e: unknown, j) => isObj(e) && checkButton(`${where}.elements[${j}]`, e, problems));
        break;
      }
      case 'image':
        checkText(`${where}.alt_text`, block.alt_text, SLACK_DOC_LIMITS.altText, problems);
        checkText(`${where}.image_url`, block.image_url, SLACK_DOC_LIMITS.url, problems);
        break;
      case 'divider':
        break;
      default:
        problems.push(`${where}: unexpected block type ${String(block.type)}`);
    }
  });
  return problems;
}

/** Pings in a message that are not among the allowed ones (the configured `alerts.mention`). */
export function unexpectedPings(args: Obj, allowed: readonly string[]): string[] {
  const allowedSet = new Set(allowed.flatMap((a) => a.trim().split(/\s+/)));
  const found: string[] = [];
  for (const text of mrkdwnTexts(args)) for (const m of text.matchAll(PING)) if (!allowedSet.has(m[0])) found.push(m[0]);
  return found;
}
