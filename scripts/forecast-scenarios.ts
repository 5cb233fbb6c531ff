/**
 * Forecast scenarios with known truth: deterministic (seeded), in the input format of CONTRACT.md.
 * Each scenario is an underlying level curve that continues past `now`, sampled with noise up to
 * `now`; the truth is when that curve (without noise) first reaches the limit, within 14 days.
 *
 * Usage as a script: `node scripts/forecast-scenarios.ts OUTDIR [PER_KIND] [SEED]` writes one JSON
 * file per scenario and `truth.json` (the public suite's layout); `--explain [SEED]` prints each
 * kind's explanation instead (to review the wording).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from './seeded-random.ts';

const MIN = 60;
const HOUR = 3600;
const DAY = 86400;
const HORIZON = 14 * DAY;
const GB = 1e9;

export type ScenarioKind =
  | 'linear'
  | 'recent-start'
  | 'runaway'
  | 'rotation'
  | 'spike-deleted'
  | 'one-time-step'
  | 'flat-high'
  | 'shrinking'
  | 'noise-only'
  | 'gaps-irregular'
  | 'short-history'
  | 'already-full'
  | 'weekly-pattern'
  | 'memory-bounded'
  | 'image-gc'
  | 'hourly-rotation'
  | 'business-hours'
  | 'oom-cycles'
  | 'copy-finished'
  | 'band'
  | 'weekly-cycle'
  | 'saturating-cache'
  | 'retry-storm'
  | 'staircase'
  | 'slow-leak'
  | 'noisy-churn';

export const SCENARIO_KINDS: readonly ScenarioKind[] = [
  'linear',
  'recent-start',
  'runaway',
  'rotation',
  'spike-deleted',
  'one-time-step',
  'flat-high',
  'shrinking',
  'noise-only',
  'gaps-irregular',
  'short-history',
  'already-full',
  'weekly-pattern',
  'memory-bounded',
  'image-gc',
  'hourly-rotation',
  'business-hours',
  'oom-cycles',
  'copy-finished',
  'band',
];

/**
 * Held-out kinds: behaviours the engine was not tuned on (its changes were made against the kinds
 * above and the public suites); `npm run bench:forecast` scores them separately as a guard against
 * overfitting.
 */
export const HELD_OUT_KINDS: readonly ScenarioKind[] = ['weekly-cycle', 'saturating-cache', 'retry-storm', 'staircase', 'slow-leak', 'noisy-churn'];

export interface ScenarioDocument {
  name: string;
  limit: number;
  now: number;
  metrics: { time: number; value: number }[];
}

export interface Scenario {
  /** File-like id: "0007-runaway". */
  id: string;
  kind: ScenarioKind;
  document: ScenarioDocument;
  truth: {
    /** Seconds until the underlying curve reaches the limit; null: not within 14 days. */
    secondsToLimit: number | null;
    /** When the right answer is a method rather than a time (short history). */
    expectedMethod?: string;
  };
}

interface Rng {
  u(): number;
  range(a: number, b: number): number;
  logRange(a: number, b: number): number;
  gauss(): number;
  pick<T>(xs: readonly T[]): T;
}

function makeRng(seed: number): Rng {
  const next = seededRandom(seed);
  return {
    u: next,
    range: (a, b) => a + (b - a) * next(),
    logRange: (a, b) => Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * next()),
    gauss: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

/** How a scenario is built: the curve (any time, past or future), its noise, and its sampling. */
interface Recipe {
  limit: number;
  level: (t: number) => number;
  noise: number;
  historySeconds: number;
  stepSeconds: number;
  name?: string;
  /** Irregular sampling, gaps, duplicates, unsorted, NaN. */
  messy?: boolean;
  expectedMethod?: string;
}

function firstCrossing(level: (t: number) => number, limit: number, now: number): number | null {
  if (level(now) >= limit) return 0;
  for (let s = MIN; s <= HORIZON; s += MIN) if (level(now + s) >= limit) return s;
  return null;
}

/** Growth rate per second that reaches `limit` from `from` in `seconds`. */
function rateFor(from: number, limit: number, seconds: number): number {
  return (limit - from) / seconds;
}

/** Urgent and calm cases in similar numbers: time to limit log-uniform from 40 min to 40 days. */
function ttlTarget(rng: Rng): number {
  return rng.logRange(40 * MIN, 40 * DAY);
}

function recipeFor(kind: ScenarioKind, rng: Rng, now: number): Recipe {
  const limit = rng.pick([20, 50, 100, 200, 500, 1000]) * GB;
  const week = 7 * DAY;
  const step = rng.pick([60, 300, 300]);
  const hist = step === 60 ? rng.range(1, 2) * DAY : rng.range(3, 7) * DAY;
  const noise = limit * rng.logRange(0.0005, 0.004);
  const base = limit * rng.range(0.3, 0.8);
  switch (kind) {
    case 'linear': {
      const slope = rateFor(base, limit, ttlTarget(rng));
      return { limit, level: (t) => base + slope * (t - now), noise, historySeconds: hist, stepSeconds: step };
    }
    case 'recent-start': {
      const started = now - rng.range(6 * HOUR, 48 * HOUR);
      const slope = rateFor(base, limit, ttlTarget(rng));
      const at = base - slope * (now - started);
      return { limit, level: (t) => at + slope * Math.max(0, t - started), noise, historySeconds: hist, stepSeconds: step };
    }
    case 'runaway': {
      const started = now - rng.logRange(20 * MIN, 6 * HOUR);
      const slow = rateFor(base, limit, rng.range(30, 200) * DAY);
      const ttl = rng.logRange(30 * MIN, 3 * DAY);
      const atStart = base;
      const fast = (limit - atStart - slow * (now - started)) / (now - started + ttl);
      return {
        limit,
        level: (t) => atStart + slow * (t - started) + fast * Math.max(0, t - started),
        noise: noise / 2,
        historySeconds: hist,
        stepSeconds: step,
      };
    }
    case 'rotation': {
      const atHour = rng.pick([0, 3, 4, 6]);
      const phase = atHour * HOUR;
      const inCycle = (limit * rng.range(0.02, 0.15)) / DAY;
      const kept = rng.range(0, 0.9); // share of the day's growth that rotation does not remove
      const net = rng.u() < 0.3 ? 0 : inCycle * DAY * kept;
      const low0 = base - limit * 0.1;
      const level = (t: number) => {
        const cycleStart = Math.floor((t - phase) / DAY) * DAY + phase;
        const cycles = (cycleStart - now) / DAY;
        return low0 + net * cycles + inCycle * (t - cycleStart);
      };
      return { limit, level, noise: noise / 2, historySeconds: hist, stepSeconds: step };
    }
    case 'spike-deleted': {
      const slope = rateFor(base, limit, rng.range(20, 300) * DAY);
      const deleted = now - rng.range(20 * MIN, 8 * HOUR);
      const lasted = rng.range(10 * MIN, 6 * HOUR);
      const size = (limit - base) * rng.range(0.3, 0.9);
      const gradual = rng.u() < 0.6;
      const level = (t: number) => {
        let v = base + slope * (t - now);
        if (t >= deleted - lasted && t < deleted) v += gradual ? (size * (t - deleted + lasted)) / lasted : size;
        return v;
      };
      return { limit, level, noise, historySeconds: hist, stepSeconds: step };
    }
    case 'one-time-step': {
      const at = now - rng.range(1 * HOUR, 72 * HOUR);
      const size = (limit - base) * rng.range(0.1, 0.5);
      const slope = rateFor(base + size, limit, ttlTarget(rng));
      return { limit, level: (t) => base + slope * (t - now) + (t >= at ? size : 0), noise, historySeconds: hist, stepSeconds: step };
    }
    case 'flat-high': {
      const level = limit * rng.range(0.85, 0.98);
      return { limit, level: () => level, noise: Math.min(noise, (limit - level) / 20), historySeconds: hist, stepSeconds: step };
    }
    case 'shrinking': {
      const slope = (-limit * rng.range(0.01, 0.2)) / DAY;
      return { limit, level: (t) => base + slope * (t - now), noise, historySeconds: hist, stepSeconds: step };
    }
    case 'noise-only': {
      const level = limit * rng.range(0.5, 0.85);
      return { limit, level: () => level, noise: limit * rng.range(0.005, 0.02), historySeconds: hist, stepSeconds: step };
    }
    case 'gaps-irregular': {
      const slope = rateFor(base, limit, ttlTarget(rng));
      return { limit, level: (t) => base + slope * (t - now), noise, historySeconds: hist, stepSeconds: step, messy: true };
    }
    case 'short-history': {
      const slope = rateFor(base, limit, ttlTarget(rng));
      const shortSpan = rng.range(3 * MIN, 25 * MIN);
      return { limit, level: (t) => base + slope * (t - now), noise, historySeconds: shortSpan, stepSeconds: 60, expectedMethod: 'insufficient-data' };
    }
    case 'already-full': {
      const slope = (limit * rng.range(0, 0.05)) / DAY;
      const at = limit * rng.range(1, 1.02);
      return { limit, level: (t) => Math.min(at, at + slope * (t - now)), noise: noise / 4, historySeconds: hist, stepSeconds: step };
    }
    case 'weekly-pattern': {
      // Business-hours load: daily and weekly waves on top of slow growth.
      const slope = rateFor(base, limit, rng.range(10, 120) * DAY);
      const daily = limit * rng.range(0.005, 0.03);
      const level = (t: number) => base + slope * (t - now) + daily * Math.sin((2 * Math.PI * t) / DAY) + 0.5 * daily * Math.sin((2 * Math.PI * t) / week);
      return { limit, level, noise, historySeconds: week, stepSeconds: 300 };
    }
    case 'memory-bounded': {
      // Warming caches: rises fast, then levels off below the limit.
      const started = now - hist * rng.range(0.3, 1);
      const ceiling = limit * rng.range(0.7, 0.95);
      const tau = rng.range(2 * HOUR, 24 * HOUR);
      const from = limit * 0.2;
      const level = (t: number) => (t < started ? from : ceiling - (ceiling - from) * Math.exp(-(t - started) / tau));
      return { limit, level, noise, historySeconds: hist, stepSeconds: step, name: 'memory.used' };
    }
    case 'image-gc': {
      // Kubelet image GC: grows until the high threshold, then deletes down to the low one.
      const high = limit * rng.range(0.8, 0.9);
      const low = high - limit * rng.range(0.1, 0.25);
      const rate = (limit * rng.range(0.05, 0.4)) / DAY;
      const period = (high - low) / rate;
      const offset = rng.range(0, period);
      const level = (t: number) => low + rate * ((((t + offset) % period) + period) % period);
      return { limit, level, noise: noise / 2, historySeconds: hist, stepSeconds: step };
    }
    case 'hourly-rotation': {
      // Rotation every `period` (30 min to 3 h): each cycle climbs, rotation removes most of it, the peaks creep.
      const period = rng.pick([30 * MIN, HOUR, HOUR, 2 * HOUR, 3 * HOUR]);
      const peakNow = limit * rng.range(0.6, 0.97);
      const creep = rng.u() < 0.3 ? 0 : (limit - peakNow) / ttlTarget(rng);
      const amp = limit * rng.range(0.002, 0.03);
      const level = (t: number) => {
        const start = Math.floor(t / period) * period;
        return peakNow - amp + creep * (start + period - now) + (amp * (t - start)) / period;
      };
      return { limit, level, noise: Math.min(noise, amp / 4), historySeconds: hist, stepSeconds: step };
    }
    case 'business-hours': {
      // Writes from 09:00 to 18:00 on weekdays; a nightly batch at 01:00 deletes most of it; the base creeps.
      const daily = limit * rng.range(0.03, 0.2);
      const kept = rng.range(0, 0.15);
      const base0 = limit * rng.range(0.4, 0.85) - daily;
      const level = (t: number) => {
        const day = Math.floor((t - HOUR) / DAY);
        const dayStart = day * DAY + HOUR;
        const weekday = (Math.floor(t / DAY) + 4) % 7; // 0 = Sunday for the epoch's Thursday
        const hour = (t - Math.floor(t / DAY) * DAY) / HOUR;
        const written = weekday === 0 || weekday === 6 ? 0 : Math.min(1, Math.max(0, (hour - 9) / 9));
        void dayStart;
        return base0 + kept * daily * (day - Math.floor((now - HOUR) / DAY)) + daily * (hour >= 1 ? written : 0);
      };
      return { limit, level, noise: noise / 2, historySeconds: 7 * DAY, stepSeconds: 300 };
    }
    case 'oom-cycles': {
      // A leak climbs to the cgroup cap (at or below the limit), the process is OOM-killed and restarts.
      const cap = rng.u() < 0.5 ? limit : limit * rng.range(0.85, 0.97);
      const low = limit * rng.range(0.1, 0.5);
      const climb = rng.range(4 * HOUR, 36 * HOUR);
      const rate = (cap - low) / climb;
      // The process sits at the cap for a few minutes (reclaim, then the kill) before it restarts:
      // a cap at the limit is reached.
      // (derived from the climb, not drawn, so that the other kinds keep their random draws).
      const hold = 10 * MIN + (climb % (30 * MIN));
      const cycle = climb + hold;
      const offset = rng.range(0, cycle);
      const level = (t: number) => low + rate * Math.min(climb, (((t + offset) % cycle) + cycle) % cycle);
      return { limit, level, noise: noise / 2, historySeconds: 7 * DAY, stepSeconds: 300, name: 'memory.used' };
    }
    case 'copy-finished': {
      // Slow growth; a big copy ran for `lasted` and ended minutes ago.
      const slope = rateFor(base, limit, rng.range(2, 200) * DAY);
      const ended = now - rng.range(4 * MIN, 40 * MIN);
      const lasted = rng.range(15 * MIN, 3 * HOUR);
      const size = (limit - base) * rng.range(0.2, 0.6);
      const level = (t: number) => base + slope * (t - now) - size + size * Math.min(1, Math.max(0, (t - ended + lasted) / lasted));
      return { limit, level, noise: noise / 2, historySeconds: hist, stepSeconds: rng.pick([60, 60, 300]) };
    }
    case 'band': {
      // Cache eviction between watermarks: a slow oscillation just under the limit, no growth.
      const top = limit * rng.range(0.9, 0.98);
      const width = limit * rng.range(0.02, 0.06);
      const period = rng.range(3 * HOUR, 30 * HOUR);
      const phase = rng.range(0, 2 * Math.PI);
      const level = (t: number) => top - width / 2 + (width / 2) * Math.sin((2 * Math.PI * t) / period + phase);
      return { limit, level, noise: Math.min(noise, width / 10), historySeconds: 7 * DAY, stepSeconds: 300 };
    }
    case 'weekly-cycle': {
      // A weekly job: writes for a few hours on one day of the week, a prune the next day removes
      // part of it; the rest accumulates week over week. Two weeks of hourly-ish history.
      const writeDay = Math.floor(rng.range(0, 7));
      const writeHours = rng.range(2, 10);
      const written = limit * rng.range(0.05, 0.2);
      const keptShare = rng.u() < 0.4 ? 0 : rng.range(0.05, 0.5);
      const base0 = limit * rng.range(0.3, 0.75);
      const startHour = rng.range(0, 20);
      const level = (t: number) => {
        const weekStart = Math.floor((t - writeDay * DAY - startHour * HOUR) / week) * week + writeDay * DAY + startHour * HOUR;
        const into = t - weekStart;
        const weeks = (weekStart - now) / week;
        const writing = Math.min(1, into / (writeHours * HOUR));
        const pruned = into > DAY ? 1 : 0;
        return base0 + keptShare * written * weeks + written * writing - (1 - keptShare) * written * pruned;
      };
      return { limit, level, noise: noise / 2, historySeconds: 14 * DAY, stepSeconds: 600 };
    }
    case 'saturating-cache': {
      // A cache that fills fast, then ever slower toward its size (which may or may not exceed the limit).
      const started = now - rng.range(6 * HOUR, 3 * DAY);
      const tau = rng.range(3 * HOUR, 48 * HOUR);
      const from = limit * rng.range(0.1, 0.4);
      const size = limit * (rng.u() < 0.5 ? rng.range(0.7, 0.97) : rng.range(1.03, 1.5));
      const level = (t: number) => (t < started ? from : size - (size - from) * Math.exp(-(t - started) / tau));
      return { limit, level, noise, historySeconds: hist, stepSeconds: step, name: 'memory.used' };
    }
    case 'retry-storm': {
      // A log that a retry storm fills ever faster: the write rate doubles every `doubling`.
      const started = now - rng.range(2 * HOUR, 24 * HOUR);
      const doubling = rng.range(2 * HOUR, 12 * HOUR);
      const rate0 = (limit * rng.range(0.0005, 0.01)) / HOUR;
      const k = Math.LN2 / doubling;
      const slow = rateFor(base, limit, rng.range(30, 200) * DAY);
      const level = (t: number) => base + slow * (t - now) + (t < started ? 0 : (rate0 / k) * (Math.exp(k * (t - started)) - 1));
      return { limit, level, noise: noise / 2, historySeconds: hist, stepSeconds: step };
    }
    case 'staircase': {
      // A job that writes a chunk every few hours over a few minutes, nothing in between.
      const every = rng.range(2 * HOUR, 12 * HOUR);
      const writeFor = rng.range(5 * MIN, 30 * MIN);
      const perStep = ((limit - base) * every) / ttlTarget(rng);
      const phase = rng.range(0, every);
      const level = (t: number) => {
        const k = Math.floor((t - now + phase) / every);
        const into = t - now + phase - k * every;
        return base + perStep * (k + Math.min(1, into / writeFor));
      };
      return { limit, level, noise: noise / 2, historySeconds: Math.max(hist, 3 * DAY), stepSeconds: step };
    }
    case 'slow-leak': {
      // A small steady leak under a daily wave and noise larger than a day's growth.
      const slope = rateFor(base, limit, rng.logRange(12 * HOUR, 60 * DAY));
      const wave = limit * rng.range(0.002, 0.02);
      const level = (t: number) => base + slope * (t - now) + wave * Math.sin((2 * Math.PI * t) / DAY);
      return { limit, level, noise: noise * 2, historySeconds: rng.range(3, 7) * DAY, stepSeconds: 300, name: 'memory.used' };
    }
    case 'noisy-churn': {
      // Heavy churn (temp files created and removed within minutes) around a slow trend.
      const slope = rng.u() < 0.4 ? 0 : rateFor(base, limit, ttlTarget(rng));
      const churn = Math.min(limit * rng.range(0.005, 0.03), (limit - base) / 4);
      const level = (t: number) => base + slope * (t - now);
      return { limit, level, noise: churn, historySeconds: hist, stepSeconds: step };
    }
  }
}

function sample(recipe: Recipe, rng: Rng, now: number): { time: number; value: number }[] {
  const out: { time: number; value: number }[] = [];
  const start = now - recipe.historySeconds;
  let gapUntil = -Infinity;
  for (let t = Math.ceil(start / recipe.stepSeconds) * recipe.stepSeconds; t <= now; t += recipe.stepSeconds) {
    let time = t;
    if (recipe.messy) {
      if (t < gapUntil) continue;
      if (rng.u() < 0.002) gapUntil = t + rng.range(1, 8) * HOUR;
      if (rng.u() < 0.3) continue;
      time = Math.min(now, t + Math.round(rng.range(-0.4, 0.4) * recipe.stepSeconds));
    }
    out.push({ time, value: recipe.level(time) + recipe.noise * rng.gauss() });
  }
  if (out.length > 0 && out[out.length - 1].time < now && !recipe.messy) out.push({ time: now, value: recipe.level(now) + recipe.noise * rng.gauss() });
  if (recipe.messy) {
    for (let k = 0; k < 5; k++) out.push({ ...out[Math.floor(rng.u() * out.length)] });
    out.push({ time: now - 120, value: Number.NaN });
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rng.u() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
  }
  return out;
}

/**
 * The scenarios: `perKind` of each kind, deterministic for a given seed. Analysis times are
 * spread over a few weeks so that clock times vary.
 */
export function generateForecastScenarios(options: { perKind?: number; seed?: number; kinds?: readonly ScenarioKind[] } = {}): Scenario[] {
  const perKind = options.perKind ?? 12;
  const rng = makeRng(options.seed ?? 20260101);
  const scenarios: Scenario[] = [];
  for (const kind of options.kinds ?? SCENARIO_KINDS) {
    for (let k = 0; k < perKind; k++) {
      const now = 1_767_225_600 + Math.round(rng.range(0, 30 * DAY) / 60) * 60;
      const recipe = recipeFor(kind, rng, now);
      const metrics = sample(recipe, rng, now);
      const id = `${String(scenarios.length).padStart(4, '0')}-${kind}`;
      const secondsToLimit = recipe.expectedMethod ? null : firstCrossing(recipe.level, recipe.limit, now);
      scenarios.push({
        id,
        kind,
        document: { name: recipe.name ?? 'filesystem.xvda1.used', limit: recipe.limit, now, metrics },
        truth: recipe.expectedMethod ? { secondsToLimit, expectedMethod: recipe.expectedMethod } : { secondsToLimit },
      });
    }
  }
  return scenarios;
}

function writeSuite(dir: string, perKind: number, seed: number): void {
  mkdirSync(dir, { recursive: true });
  const truth: Record<string, number | null> = {};
  for (const s of generateForecastScenarios({ perKind, seed })) {
    const file = `${s.id}.json`;
    writeFileSync(join(dir, file), JSON.stringify(s.document));
    truth[file] = s.truth.secondsToLimit;
  }
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(truth, null, 1));
}

/** Prints kind → method, length, explanation (English, then Japanese) for the first scenario of each kind (a wording review). */
async function explainTable(seed: number): Promise<void> {
  const { forecastTimeToLimit, parseForecastDocument } = await import('../src/services/forecast/index.ts');
  const { describeForecastText } = await import('../src/handlers/present/forecast-story.ts');
  const { createPresenter } = await import('../src/handlers/present/presenter.ts');
  for (const s of generateForecastScenarios({ perKind: 1, seed })) {
    const parsed = parseForecastDocument(s.document);
    if ('error' in parsed) continue;
    const r = forecastTimeToLimit(parsed.input, { unit: parsed.unit });
    for (const language of ['en', 'ja'] as const) {
      const explanation = describeForecastText(r, createPresenter({ language, timeZone: 'UTC', now: () => r.now }));
      process.stdout.write(`${s.kind.padEnd(15)} ${r.method.padEnd(21)} ${String(explanation.length).padStart(3)}  ${explanation}\n`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, perKind, seed] = process.argv.slice(2);
  if (dir === '--explain') {
    await explainTable(Number(perKind ?? 20260101));
  } else if (!dir) {
    process.stderr.write('usage: node scripts/forecast-scenarios.ts OUTDIR [PER_KIND] [SEED]\n       node scripts/forecast-scenarios.ts --explain [SEED]\n');
    process.exit(2);
  } else {
    writeSuite(dir, Number(perKind ?? 12), Number(seed ?? 20260101));
  }
}
