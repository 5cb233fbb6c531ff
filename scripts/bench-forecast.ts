/**
 * `npm run bench:forecast`: accuracy of the forecast engine on the project's own scenarios and, when
 * present, on the public suite in ../shared/bench/forecast/ — beside least squares over the last 6
 * hours (Prometheus predict_linear) computed in the same run — and its speed on 10,000 points.
 *
 * Scores: precision/recall/F1 of "limit within 24 hours", and the median absolute log error of the
 * time to limit where both truth and forecast are positive (as ../shared/bench/forecast/score.py).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeForecastText } from '../src/handlers/present/forecast-story.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { forecastTimeToLimit, parseForecastDocument } from '../src/services/forecast/index.ts';
import { generateForecastScenarios, HELD_OUT_KINDS, type ScenarioDocument } from './forecast-scenarios.ts';

const DAY = 86400;
const URGENT = DAY;
const HORIZON = 14 * DAY;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Score {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  medianAbsLogError: number | null;
  within15x: number;
}

type Predictions = Map<string, number | null>;

/** Same definitions as score.py. */
export function scoreForecasts(preds: Predictions, truth: Map<string, number | null>): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const errs: number[] = [];
  for (const [name, t] of truth) {
    const p = preds.get(name) ?? null;
    const tu = t !== null && t <= URGENT;
    const pu = p !== null && p <= URGENT;
    if (tu && pu) tp++;
    else if (pu) fp++;
    else if (tu) fn++;
    else tn++;
    if (t !== null && t > 0 && p !== null && p > 0) errs.push(Math.abs(Math.log(p / t)));
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  errs.sort((a, b) => a - b);
  const h = errs.length >> 1;
  const med = errs.length === 0 ? null : errs.length % 2 ? errs[h] : (errs[h - 1] + errs[h]) / 2;
  const within = errs.length ? errs.filter((e) => e <= Math.log(1.5)).length / errs.length : 0;
  return { tp, fp, fn, tn, precision, recall, f1, medianAbsLogError: med, within15x: within };
}

/** Least squares over the last `window` seconds, extrapolated (score.py's ols_ttf; skips non-finite values). */
export function olsTimeToLimit(doc: ScenarioDocument, window: number): number | null {
  const pts = doc.metrics.filter((p) => p.time >= doc.now - window && Number.isFinite(p.value) && Number.isFinite(p.time));
  if (pts.length < 2) return null;
  const n = pts.length;
  const mt = pts.reduce((a, p) => a + p.time, 0) / n;
  const mv = pts.reduce((a, p) => a + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of pts) {
    sxx += (p.time - mt) ** 2;
    sxy += (p.time - mt) * (p.value - mv);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const atNow = mv + slope * (doc.now - mt);
  if (atNow >= doc.limit) return 0;
  if (slope <= 0) return null;
  const ttf = (doc.limit - atNow) / slope;
  return ttf <= HORIZON ? ttf : null;
}

function forecastDoc(doc: unknown): number | null {
  const parsed = parseForecastDocument(doc);
  if ('error' in parsed) return null;
  return forecastTimeToLimit(parsed.input, { unit: parsed.unit }).secondsToLimit;
}

function fmt(s: Score): string {
  const male = s.medianAbsLogError === null ? 'n/a' : s.medianAbsLogError.toFixed(3);
  return `precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}  MALE ${male}  within1.5x ${s.within15x.toFixed(3)}  (tp ${s.tp} fp ${s.fp} fn ${s.fn} tn ${s.tn})`;
}

function report(title: string, docs: Map<string, ScenarioDocument>, truth: Map<string, number | null>, kindOf: (name: string) => string): Predictions {
  const preds: Predictions = new Map();
  const base: Predictions = new Map();
  for (const [name, doc] of docs) {
    preds.set(name, forecastDoc(doc));
    base.set(name, olsTimeToLimit(doc, 6 * 3600));
  }
  console.log(`\n== ${title}: ${truth.size} scenarios`);
  console.log(`opsbot  ${fmt(scoreForecasts(preds, truth))}`);
  console.log(`ols6h   ${fmt(scoreForecasts(base, truth))}`);
  const wrong = new Map<string, number>();
  for (const [name, t] of truth) {
    const p = preds.get(name) ?? null;
    if ((t !== null && t <= URGENT) !== (p !== null && p <= URGENT)) wrong.set(kindOf(name), (wrong.get(kindOf(name)) ?? 0) + 1);
  }
  const baseWrong = new Map<string, number>();
  for (const [name, t] of truth) {
    const p = base.get(name) ?? null;
    if ((t !== null && t <= URGENT) !== (p !== null && p <= URGENT)) baseWrong.set(kindOf(name), (baseWrong.get(kindOf(name)) ?? 0) + 1);
  }
  console.log(`opsbot wrong about urgency, by kind: ${wrong.size ? [...wrong].map(([k, c]) => `${k} ${c}`).join(', ') : 'none'}`);
  console.log(`ols6h  wrong about urgency, by kind: ${baseWrong.size ? [...baseWrong].map(([k, c]) => `${k} ${c}`).join(', ') : 'none'}`);
  return preds;
}

function ownSuite(): void {
  const scenarios = generateForecastScenarios({ perKind: 20, seed: 4242 });
  const docs = new Map<string, ScenarioDocument>();
  const truth = new Map<string, number | null>();
  let insufficient = 0;
  let insufficientRight = 0;
  for (const s of scenarios) {
    if (s.truth.expectedMethod) {
      insufficient++;
      const parsed = parseForecastDocument(s.document);
      if (!('error' in parsed) && forecastTimeToLimit(parsed.input).method === s.truth.expectedMethod) insufficientRight++;
      continue;
    }
    docs.set(s.id, s.document);
    truth.set(s.id, s.truth.secondsToLimit);
  }
  const kinds = new Map(scenarios.map((s) => [s.id, s.kind]));
  report('own scenarios (scripts/forecast-scenarios.ts, seed 4242)', docs, truth, (n) => kinds.get(n) ?? '?');
  console.log(`short histories answered 'insufficient-data': ${insufficientRight}/${insufficient}`);
}

/** Kinds added as a guard against overfitting, on their own seed. */
function heldOutSuite(): void {
  const scenarios = generateForecastScenarios({ perKind: 20, seed: 9090, kinds: HELD_OUT_KINDS });
  const docs = new Map<string, ScenarioDocument>();
  const truth = new Map<string, number | null>();
  for (const s of scenarios) {
    docs.set(s.id, s.document);
    truth.set(s.id, s.truth.secondsToLimit);
  }
  const kinds = new Map(scenarios.map((s) => [s.id, s.kind]));
  report(`held-out kinds (${HELD_OUT_KINDS.join(', ')}; seed 9090)`, docs, truth, (n) => kinds.get(n) ?? '?');
}

function publicSuite(name: 'public' | 'public2'): void {
  const dir = resolve(root, '..', 'shared', 'bench', 'forecast', name);
  if (!existsSync(join(dir, 'truth.json'))) {
    console.log(`\n== ${name} suite: not found at ${dir}, skipped`);
    return;
  }
  const truthJson = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Record<string, number | null>;
  const truth = new Map(Object.entries(truthJson));
  const docs = new Map<string, ScenarioDocument>();
  for (const name of readdirSync(dir)) if (truth.has(name)) docs.set(name, JSON.parse(readFileSync(join(dir, name), 'utf8')));
  const preds = report(`${name} suite (../shared/bench/forecast/${name})`, docs, truth, (n) =>
    n
      .split('-')
      .slice(1)
      .join('-')
      .replace(/\.json$/, ''),
  );
  const predFile = join(mkdtempSync(join(tmpdir(), 'opsbot-bench-')), 'pred.jsonl');
  writeFileSync(predFile, [...preds].map(([input, secondsToLimit]) => JSON.stringify({ input, secondsToLimit })).join('\n') + '\n');
  const py = spawnSync('python3', [resolve(dir, '..', 'score.py'), dir, predFile], { encoding: 'utf8' });
  if (py.error || py.status !== 0) {
    console.log(`score.py not run (${py.error ? 'python3 unavailable' : py.stderr.trim().split('\n').pop()})`);
    return;
  }
  console.log(`score.py on the same predictions (${predFile}):\n${py.stdout.trimEnd()}`);
}

function timing(): void {
  const [scenario] = generateForecastScenarios({ perKind: 1, seed: 7, kinds: ['rotation'] });
  const now = scenario.document.now;
  const points: { time: number; value: number }[] = [];
  for (let i = 0; i < 10_000; i++) {
    const t = now - (10_000 - i) * 60;
    const day = Math.floor((t - 4 * 3600) / DAY) - Math.floor((now - 4 * 3600) / DAY);
    // daily rotation at 04:00 with net growth, plus pseudo-random noise
    points.push({ time: t, value: 8e10 + day * 1e9 + ((t - 4 * 3600) % DAY) * 5e4 + 3e7 * Math.sin(i * 12.9898) });
  }
  const shuffled = points.slice().reverse();
  const input = { points, limit: 1e11, now };
  const run = (pts: typeof points): number[] => {
    for (let k = 0; k < 30; k++) forecastTimeToLimit({ ...input, points: pts });
    const ms: number[] = [];
    for (let k = 0; k < 200; k++) {
      const t0 = performance.now();
      forecastTimeToLimit({ ...input, points: pts });
      ms.push(performance.now() - t0);
    }
    return ms.sort((a, b) => a - b);
  };
  const check = forecastTimeToLimit(input, { unit: 'bytes' });
  const sorted = run(points);
  const unsorted = run(shuffled);
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2);
  console.log(`\n== speed: 10,000 points, 200 runs after warm-up (Node ${process.versions.node})`);
  console.log(`(the series: ${check.method}: ${describeForecastText(check, createPresenter({ language: 'en', timeZone: 'UTC', now: () => check.now }))})`);
  console.log(`sorted input:   median ${q(sorted, 0.5)} ms, p95 ${q(sorted, 0.95)} ms`);
  console.log(`reversed input: median ${q(unsorted, 0.5)} ms, p95 ${q(unsorted, 0.95)} ms   (target < 5 ms)`);
}

ownSuite();
heldOutSuite();
publicSuite('public');
publicSuite('public2');
timing();
