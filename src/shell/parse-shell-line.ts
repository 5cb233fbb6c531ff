/** Why a line cannot be read as words: a quote never closed (which one, and its column from 1), or a backslash ending the line. */
export type ShellLineProblem = { kind: 'unclosed_quote'; quote: '"' | "'"; column: number } | { kind: 'trailing_backslash' };

/** A line the shell cannot read as words; `problem` says what and where (the shell words it for people). */
export class ShellLineError extends Error {
  readonly problem: ShellLineProblem;
  constructor(problem: ShellLineProblem) {
    super(problem.kind === 'unclosed_quote' ? `the ${problem.quote} quote at column ${problem.column} is never closed` : 'the line ends with a backslash that escapes nothing');
    this.name = 'ShellLineError';
    this.problem = problem;
  }
}

/** Longest line the shell handles: Slack's own limit for a message's text. */
export const MAX_LINE_CHARS = 40_000;

const SPACE = /\s/;

/**
 * Reads the word that starts at or after `from`, as a POSIX shell would: "double" quotes keep
 * spaces and take backslash escapes, 'single' quotes keep everything, a backslash outside quotes
 * escapes the next character (a path dragged into a terminal: `my\ report.pdf`), and quoted and
 * bare parts next to each other make one word. Returns undefined when only spaces are left, else
 * the word and the index just after it.
 * @throws {ShellLineError} on an unterminated quote or a backslash at the end of the line
 */
export function readWord(line: string, from = 0): { word: string; end: number } | undefined {
  let i = from;
  while (i < line.length && SPACE.test(line[i]!)) i++;
  if (i >= line.length) return undefined;
  let word = '';
  while (i < line.length && !SPACE.test(line[i]!)) {
    const c = line[i]!;
    if (c === '"' || c === "'") {
      const start = i++;
      while (i < line.length && line[i] !== c) {
        if (c === '"' && line[i] === '\\' && i + 1 < line.length) i++;
        word += line[i++];
      }
      if (i >= line.length) throw new ShellLineError({ kind: 'unclosed_quote', quote: c, column: start + 1 });
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShellLineError({ kind: 'trailing_backslash' });
      word += line[i + 1];
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  return { word, end: i };
}

/**
 * Splits a shell line into words; "double" or 'single' quotes keep spaces in a word.
 * @throws {ShellLineError} on an unterminated quote
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  for (let next = readWord(line); next; next = readWord(line, next.end)) words.push(next.word);
  return words;
}

/** Lines may be written as in Slack ("@opsbot host web-01") or bare ("host web-01"). */
export function stripShellMention(line: string): string {
  return line
    .trim()
    .replace(/^@?opsbot[:,]?\s+/i, '')
    .replace(/^@?opsbot$/i, '');
}
