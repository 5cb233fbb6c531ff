import { joinMd, type Mrkdwn, type MrkdwnValue } from '../../core/message.ts';
import type { Presenter } from './presenter.ts';

const formats = new Map<string, Intl.ListFormat>();

/** A word of the list's own (「または」) next to a name gets a space, as Japanese sets Latin apart from kana. */
const KANA_OR_KANJI = /[\u3041-\u30ff\u4e00-\u9fff]/u;

function spaced(literal: string): string {
  const trimmed = literal.trim();
  const before = KANA_OR_KANJI.test(trimmed.at(0) ?? '') ? ' ' : '';
  const after = KANA_OR_KANJI.test(trimmed.at(-1) ?? '') ? ' ' : '';
  return before || after ? `${before}${trimmed}${after}` : literal;
}

/** Items as the team's language lists them: "a, b" / 「a、b」 (the items keep their mrkdwn). */
export function listOf(items: readonly MrkdwnValue[], present: Pick<Presenter, 't'>): Mrkdwn {
  return joinMd(items, present.t('common.listSeparator'));
}

/**
 * Alternatives as the team's language lists them, with Intl.ListFormat ('disjunction'):
 * "`a`, `b`, or `c`" / 「`a`、`b`、または `c`」. The items keep their mrkdwn; the list's own words are
 * the language's (a Japanese word next to a name gets a space).
 */
export function eitherOf(items: readonly MrkdwnValue[], present: Presenter): Mrkdwn {
  let format = formats.get(present.language);
  if (!format) formats.set(present.language, (format = new Intl.ListFormat(present.language, { type: 'disjunction' })));
  const parts = format.formatToParts(items.map((_, i) => String(i)));
  return joinMd(parts.map((p) => (p.type === 'element' ? items[Number(p.value)]! : present.language === 'ja' ? spaced(p.value) : p.value)));
}
