import { stripVTControlCharacters } from 'node:util';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** East Asian wide and fullwidth characters (kana and the long vowel mark ー, kanji, CJK punctuation, Hangul, fullwidth forms). */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\p{Regional_Indicator}/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;

/** Columns a string takes in a terminal (East Asian width): emoji and CJK characters take two, ANSI styles none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(stripVTControlCharacters(text))) {
    if (ZERO_WIDTH.test(segment)) continue;
    width += EMOJI_PRESENTATION.test(segment) || WIDE.test(segment) ? 2 : 1;
  }
  return width;
}
