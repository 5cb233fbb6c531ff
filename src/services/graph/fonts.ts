import { fileURLToPath } from 'node:url';
import { GlobalFonts } from '@napi-rs/canvas';

/** Family name the bundled font is registered under. */
export const GRAPH_FONT_FAMILY = 'Opsbot Sans';

const FONT_FILE = fileURLToPath(new URL('../../../assets/fonts/MPLUS1p-Regular.ttf', import.meta.url));
let registered = false;

/**
 * Registers the bundled font (M PLUS 1p: Latin + Japanese) once, so text renders on hosts without
 * installed fonts.
 *
 * @returns the CSS font-family list to use: the bundled font, then generic sans-serif
 * @throws {Error} when the font file is missing
 */
export function ensureGraphFont(): string {
  if (!registered) {
    if (!GlobalFonts.registerFromPath(FONT_FILE, GRAPH_FONT_FAMILY)) {
      throw new Error(`could not register graph font ${FONT_FILE}`);
    }
    registered = true;
  }
  return `"${GRAPH_FONT_FAMILY}", sans-serif`;
}
