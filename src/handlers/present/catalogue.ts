import type { Language } from '../../core/language.ts';
import { fillTemplate, PLACEHOLDER, type Mrkdwn, type MrkdwnValue } from '../../core/message.ts';

/**
 * The message catalogue's shapes. A message is a template of opsbot's own mrkdwn with `{name}`
 * placeholders, or — where English needs it — one template per plural category, chosen by the
 * `count` value with Intl.PluralRules (Japanese has only `other`). English is the reference: its
 * templates type the placeholders every caller must fill; each other language is a
 * `Translation` of it, so a missing or extra key is a type error, and test/i18n-catalogue.test.ts
 * checks that both use the same placeholders.
 */
export interface PluralEntry {
  readonly one?: string;
  readonly other: string;
}
export type Entry = string | PluralEntry;
export type Entries = Readonly<Record<string, Entry>>;

/** The placeholder names in a template literal type. */
type Holes<S> = S extends `${string}{${infer P}}${infer R}` ? P | Holes<R> : never;
export type EntryHoles<E> = E extends string ? Holes<E> : E extends PluralEntry ? Holes<E['other']> | (E['one'] extends string ? Holes<E['one']> : never) | 'count' : never;

/** The values a message needs: `count` is a number (it picks the plural form), the rest mrkdwn or plain values. */
export type ParamsOf<E> = { readonly [K in EntryHoles<E>]: K extends 'count' ? number : MrkdwnValue };
/** `[]` for a message without placeholders, `[params]` otherwise. */
export type ArgsOf<E> = [EntryHoles<E>] extends [never] ? [] : [ParamsOf<E>];

/** Another language's version of a reference catalogue: the same keys, plural entries may be plain. */
export type Translation<C extends Entries> = { readonly [K in keyof C]: C[K] extends PluralEntry ? Entry : string };

/** The placeholder names a message uses, across its plural forms (for the catalogue test). */
export function placeholdersOf(entry: Entry): Set<string> {
  const forms = typeof entry === 'string' ? [entry] : [entry.other, ...(entry.one === undefined ? [] : [entry.one])];
  const names = new Set<string>();
  for (const form of forms) for (const m of form.matchAll(PLACEHOLDER)) names.add(m[1]!);
  if (typeof entry !== 'string') names.add('count');
  return names;
}

const pluralRules = new Map<Language, Intl.PluralRules>();

/** The template for these values: a plural entry's form for `count` in the language. */
export function templateFor(entry: Entry, language: Language, count: unknown): string {
  if (typeof entry === 'string') return entry;
  let rules = pluralRules.get(language);
  if (!rules) pluralRules.set(language, (rules = new Intl.PluralRules(language)));
  const category = rules.select(typeof count === 'number' ? count : 0);
  return (category === 'one' ? entry.one : undefined) ?? entry.other;
}

/** Fills a template as mrkdwn; `count` is shown with the language's number format. */
export function fill(template: string, values: Readonly<Record<string, unknown>>, formatCount: (n: number) => string): Mrkdwn {
  return fillTemplate(template, withCount(values, formatCount));
}

/** Fills a template as plain text (button labels, headers, graph titles): values are not escaped. */
export function fillPlain(template: string, values: Readonly<Record<string, unknown>>, formatCount: (n: number) => string): string {
  const all = withCount(values, formatCount);
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = all[name];
    if (value === undefined) throw new RangeError(`message placeholder {${name}} has no value`);
    return typeof value === 'object' ? value.text : String(value);
  });
}

function withCount(values: Readonly<Record<string, unknown>>, formatCount: (n: number) => string): Record<string, MrkdwnValue> {
  const out = { ...values } as Record<string, MrkdwnValue>;
  if (typeof values.count === 'number') out.count = formatCount(values.count);
  return out;
}
