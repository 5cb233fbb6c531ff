import type { StepBudget } from './budget.ts';

/** Longest pattern a lookup accepts; longer ones get a usage message, not a scan. */
export const MAX_PATTERN_LENGTH = 200;

/** True when the text uses glob syntax (`*`, `?`, `[…]`). */
export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/** One compiled pattern element; each but `star` matches exactly one character. */
export type GlobToken =
  | { readonly kind: 'literal'; readonly char: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  /** `[abc]`, `[a-z]`, `[!a-z]`: `ranges` holds inclusive pairs of UTF-16 code units. */
  | { readonly kind: 'set'; readonly negated: boolean; readonly ranges: readonly number[] };

/** A parsed glob: never a RegExp, so matching is linear in pattern × name whatever the text. */
export interface Glob {
  readonly source: string;
  /** Runs of `*` collapsed to one. */
  readonly tokens: readonly GlobToken[];
  /** Characters a name needs at least (tokens other than `*`). */
  readonly minLength: number;
  readonly hasStar: boolean;
}

/** Why a pattern was refused, as data (the handlers word it). */
export type GlobProblem = { kind: 'too-long'; length: number; max: number } | { kind: 'reversed-range'; set: string; low: string; high: string };

export type GlobParse = { ok: true; glob: Glob } | { ok: false; problem: GlobProblem };

/**
 * Lowercases one UTF-16 code unit, keeping it one unit (so positions in folded text are the
 * positions in the original). Names and patterns both go through it: matching is case-insensitive.
 */
export function foldChar(code: number): number {
  if (code >= 65 && code <= 90) return code + 32;
  if (code < 128) return code;
  const lower = String.fromCharCode(code).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : code;
}

function upperChar(code: number): number {
  if (code >= 97 && code <= 122) return code - 32;
  if (code < 128) return code;
  const upper = String.fromCharCode(code).toUpperCase();
  return upper.length === 1 ? upper.charCodeAt(0) : code;
}

/** Case-folds a name once (the index keeps the result), unit by unit. */
export function foldCase(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (c >= 65 && c <= 90)) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) out += String.fromCharCode(foldChar(text.charCodeAt(i)));
  return out;
}

const show = (code: number) => String.fromCharCode(code);

/**
 * Parses a shell-style glob: `*` (any run), `?` (one character), `[abc]`, `[a-z]`, `[!a-z]`
 * (also `[^a-z]`), case-insensitive; every other character is literal (no escapes). A `[`
 * without its `]` is a literal `[`. A reversed range such as `[z-a]`, or a pattern over
 * `maxLength` characters, is reported as a problem (data; the handlers word it).
 */
export function parseGlob(pattern: string, options: { maxLength?: number } = {}): GlobParse {
  const maxLength = options.maxLength ?? MAX_PATTERN_LENGTH;
  if (pattern.length > maxLength) {
    return { ok: false, problem: { kind: 'too-long', length: pattern.length, max: maxLength } };
  }
  const tokens: GlobToken[] = [];
  let minLength = 0;
  let hasStar = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 42 /* * */) {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      hasStar = true;
      continue;
    }
    minLength++;
    if (c === 63 /* ? */) {
      tokens.push({ kind: 'any' });
      continue;
    }
    if (c === 91 /* [ */) {
      const set = parseSet(pattern, i);
      if ('problem' in set) return { ok: false, problem: set.problem };
      if (set.end >= 0) {
        tokens.push(set.token);
        i = set.end;
        continue;
      }
      // no closing ]: a literal [
    }
    tokens.push({ kind: 'literal', char: foldChar(c) });
  }
  return { ok: true, glob: { source: pattern, tokens, minLength, hasStar } };
}

/** The set starting at `start` (a `[`): its token and the index of its `]`, or end -1 when unclosed. */
function parseSet(pattern: string, start: number): { token: GlobToken; end: number } | { problem: GlobProblem } {
  let j = start + 1;
  let negated = false;
  const first = pattern[j];
  if (first === '!' || first === '^') {
    negated = true;
    j++;
  }
  const ranges: number[] = [];
  let reversed: { low: number; high: number } | undefined;
  const membersStart = j;
  while (j < pattern.length && (pattern[j] !== ']' || j === membersStart)) {
    const low = pattern.charCodeAt(j);
    if (pattern[j + 1] === '-' && j + 2 < pattern.length && pattern[j + 2] !== ']') {
      const high = pattern.charCodeAt(j + 2);
      if (low > high) reversed ??= { low, high };
      ranges.push(low, high);
      j += 3;
    } else {
      ranges.push(low, low);
      j++;
    }
  }
  if (j >= pattern.length) return { token: { kind: 'any' }, end: -1 };
  if (reversed) {
    const { low, high } = reversed;
    const text = pattern.slice(start, j + 1);
    return { problem: { kind: 'reversed-range', set: text, low: show(low), high: show(high) } };
  }
  return { token: { kind: 'set', negated, ranges }, end: j };
}

function inRanges(ranges: readonly number[], code: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) if (code >= ranges[k]! && code <= ranges[k + 1]!) return true;
  return false;
}

/** Whether one non-star token accepts the (folded) code unit. */
function accepts(token: GlobToken, code: number): boolean {
  switch (token.kind) {
    case 'literal':
      return token.char === code;
    case 'any':
      return true;
    case 'set': {
      const hit = inRanges(token.ranges, code) || inRanges(token.ranges, upperChar(code));
      return hit !== token.negated;
    }
    default:
      return false;
  }
}

/** What comparing one token costs in steps: 1, plus one per range of a set. */
function costOf(token: GlobToken): number {
  return token.kind === 'set' ? 1 + (token.ranges.length >> 1) : 1;
}

/**
 * Whether `folded` (a name passed through `foldCase`) matches the whole glob. The classic
 * wildcard algorithm: on a mismatch it backtracks only to the last `*`, so it compares at
 * most about pattern × name characters, never exponentially many. Every comparison is
 * charged to `budget`; once that is spent it answers false and `budget.exhausted` is true.
 */
export function matchGlob(glob: Glob, folded: string, budget?: StepBudget): boolean {
  const { tokens } = glob;
  const n = folded.length;
  const m = tokens.length;
  if (budget?.exhausted) return false;
  if (n < glob.minLength || (!glob.hasStar && n !== glob.minLength)) {
    budget?.spend(1);
    return false;
  }
  const allowance = budget ? budget.limit - budget.used : Number.POSITIVE_INFINITY;
  let steps = 1;
  let ti = 0;
  let pi = 0;
  let starP = -1;
  let starT = 0;
  let matched: boolean | undefined;
  while (ti < n) {
    const token = pi < m ? tokens[pi]! : undefined;
    if (token !== undefined && token.kind === 'star') {
      starP = pi++;
      starT = ti;
      steps++;
    } else if (token !== undefined && ((steps += costOf(token)), accepts(token, folded.charCodeAt(ti)))) {
      ti++;
      pi++;
    } else if (starP >= 0) {
      pi = starP + 1;
      ti = ++starT;
      steps++;
    } else {
      matched = false;
      break;
    }
    if (steps > allowance) {
      budget!.spend(steps);
      return false;
    }
  }
  if (matched === undefined) {
    while (pi < m && tokens[pi]!.kind === 'star') pi++;
    matched = pi === m;
  }
  budget?.spend(steps);
  return matched;
}

/** One-off match of a pattern against a name (tests, tools); an invalid pattern matches nothing. */
export function globMatches(pattern: string, name: string, budget?: StepBudget): boolean {
  const parsed = parseGlob(pattern, { maxLength: Number.POSITIVE_INFINITY });
  return parsed.ok && matchGlob(parsed.glob, foldCase(name), budget);
}
