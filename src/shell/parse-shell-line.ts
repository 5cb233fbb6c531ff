/** Splits a shell line into words; "double" or 'single' quotes keep spaces in a word. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  }
  return words;
}

/** Lines may be written as in Slack ("@opsbot host web-01") or bare ("host web-01"). */
export function stripShellMention(line: string): string {
  return line.trim().replace(/^@?opsbot[:,]?\s+/i, '').replace(/^@?opsbot$/i, '');
}
