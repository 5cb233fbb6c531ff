/** True when the text uses glob syntax (`*`, `?`, `[…]`). */
export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * Compiles a shell-style glob (`web-*`, `*-01`, `db-?`, `web-0[1-3]`) into an anchored,
 * case-insensitive RegExp. Everything else is literal, so user text cannot inject a regex.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i + 1) {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/[\\\]]/g, '\\$&');
        source += `[${body}]`;
        i = end;
      } else source += '\\[';
    } else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}
