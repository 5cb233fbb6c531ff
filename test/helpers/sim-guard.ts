import { afterEach } from 'vitest';
import { liveSlackSims } from '../sim/slack-sim.ts';

/**
 * Every test that drives the Slack simulator is held to Slack's limits and to opsbot's ping
 * rule: a call that broke either fails the test that made it, with what was wrong.
 */
afterEach(() => {
  const violations = [...liveSlackSims].flatMap((sim) => sim.takeViolations());
  if (violations.length) throw new Error(`the Slack simulator saw ${violations.length} violation(s):\n${violations.slice(0, 20).join('\n')}`);
});
