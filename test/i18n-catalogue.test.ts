import { describe, expect, it } from 'vitest';
import { placeholdersOf, type Entry } from '../src/handlers/present/catalogue.ts';
import { en, ja } from '../src/handlers/present/messages/index.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';

const entries = (c: Readonly<Record<string, Entry>>) => Object.entries(c);

describe('message catalogue', () => {
  it('has every message in both languages', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(entries(en))('%s uses the same placeholders in Japanese', (key, entry) => {
    const jaEntry = (ja as Readonly<Record<string, Entry>>)[key]!;
    expect([...placeholdersOf(jaEntry)].sort()).toEqual([...placeholdersOf(entry)].sort());
  });

  it('has no empty message and no English left in a Japanese one', () => {
    for (const [key, entry] of entries(ja)) {
      const forms = typeof entry === 'string' ? [entry] : [entry.other, entry.one ?? ''];
      // Placeholders, emoji codes, code spans and links are names, not English sentences.
      const words = forms.map((f) => f.replace(/\{[^}]*\}|:[a-z0-9_+-]+:|`[^`]*`|<[^>]*>|@opsbot|Mackerel|Slack|S3|SHA-256|opsbot/g, ''));
      expect.soft(forms[0], key).not.toBe('');
      for (const w of words) expect.soft(/\b[a-z]{4,}\b/i.test(w) ? `${key}: ${w}` : '', 'English words in a Japanese message').toBe('');
    }
  });

  it('fills placeholders with escaped values and picks plural forms per language', () => {
    const p = createPresenter({ language: 'en', timeZone: 'UTC' });
    expect(p.t('common.unexpected').text).toContain('Something went wrong');
    const pj = createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo' });
    expect(pj.t('common.unexpected').text).toContain('問題');
  });
});
