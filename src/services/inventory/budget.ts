/**
 * A count of work steps (character comparisons, edit-distance cells) one command may spend.
 * Matching code calls `spend(n)` as it goes and stops once it answers false, so one message
 * cannot keep the event loop busy however its pattern or word is built. Steps, not time:
 * the same query always costs the same, which keeps the limit testable and deterministic.
 */
export class StepBudget {
  /** Steps spent so far (may pass `limit` by the last charge). */
  used = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Charges `n` steps; false once the budget is spent (and from then on). */
  spend(n: number): boolean {
    this.used += n;
    return this.used <= this.limit;
  }

  get exhausted(): boolean {
    return this.used > this.limit;
  }
}

/**
 * Steps one lookup may spend matching patterns. Each step is a few machine instructions
 * (a character comparison), so this is tens of milliseconds at most; a plain `web-*` over
 * 10,000 hosts costs about 200,000.
 */
export const LOOKUP_MATCH_STEPS = 3_000_000;

/** Steps one lookup may spend on "did you mean" suggestions; past it, fewer suggestions. */
export const LOOKUP_SUGGEST_STEPS = 1_000_000;
