import { describe, expect, it } from 'vitest';
import type { Language } from '../src/core/language.ts';
import { createGraphLabels } from '../src/handlers/present/graph-labels.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import type { GraphSubject } from '../src/services/graph/index.ts';

const NOW = 1764637200; // Tue 2025-12-02 10:00 JST
const HOUR = 3600;
const DAY = 86400;

const SUBJECTS: Record<string, GraphSubject> = {
  diskPercent: { kind: 'resource', host: 'web-01', resource: '/dev/xvda1', used: 'filesystem.xvda1.used', percent: true },
  diskBytes: { kind: 'resource', host: 'web-01', resource: '/dev/xvda1', used: 'filesystem.xvda1.used', percent: false },
  memory: { kind: 'resource', host: 'batch-02', resource: 'memory', used: 'memory.used', percent: true },
  pool: { kind: 'resource', host: 'db-01', resource: 'custom.pool', used: 'custom.pool.used', percent: false },
  load: { kind: 'metric', host: 'app-03', metric: 'loadavg5' },
  cpu: { kind: 'metric', host: 'app-03', metric: 'cpu.user.percentage' },
};

/** Every text a graph can carry, in one language. */
function allTexts(language: Language): string {
  const labels = createGraphLabels(createPresenter({ language, timeZone: 'Asia/Tokyo', now: () => NOW }));
  const lines: string[] = [];
  for (const [name, subject] of Object.entries(SUBJECTS)) {
    const w = labels.words({ subject, unit: subject.kind === 'resource' && subject.percent ? 'percent' : 'bytes', timeZone: 'Asia/Tokyo', now: NOW });
    lines.push(`${name}: ${labels.title(subject)} | ${labels.title(subject, { historySeconds: 7 * DAY })} | y: ${w.valueAxis}`);
  }
  const w = labels.words({ subject: SUBJECTS.diskBytes!, unit: 'bytes', timeZone: 'Asia/Tokyo', now: NOW });
  lines.push(`time axis: ${w.timeAxis}`);
  lines.push(`legend: ${Object.values(w.legend).join(' | ')}`);
  lines.push(`markers: ${[w.now, w.warning, w.critical, w.limit, w.noData].join(' | ')}`);
  lines.push(`subtitle: ${labels.subtitle({ used: 'filesystem.xvda1.used', size: 'filesystem.xvda1.size', method: 'linear' })} | ${labels.subtitle({ used: 'memory.used', method: null })}`);
  for (const method of ['recent-trend', 'level-shift-adjusted', 'rotation-adjusted', 'cycle-envelope', 'uncertain', 'flat', 'shrinking', 'already-full', 'insufficient-data'] as const) {
    lines.push(`method ${method}: ${labels.subtitle({ used: 'x.used', method })}`);
  }
  lines.push(`eta today: ${labels.eta({ time: NOW + 5 * HOUR, secondsToLimit: 5 * HOUR })}`);
  lines.push(`eta later: ${labels.eta({ time: NOW + 4.5 * DAY, secondsToLimit: 4.5 * DAY })}`);
  return `${lines.join('\n')}\n`;
}

describe('graph labels', () => {
  it.each(['en', 'ja'] as const)('words every text of a graph (%s)', (language) => {
    expect(allTexts(language)).toMatchSnapshot();
  });

  it('Japanese graphs carry no English word but names, metrics and units', () => {
    const text = allTexts('ja')
      .split('\n')
      .map((line) => line.replace(/^[\w -]+: /, ''))
      .join('\n')
      .replace(/[\w-]+\.[\w.]+|\/dev\/\w+|web-01|batch-02|db-01|app-03|loadavg5|JST/g, '');
    expect(text).not.toMatch(/\b[a-z]{3,}\b/i);
  });

  it('times on the graph are in the team zone, with the day when it is not today', () => {
    const en = createGraphLabels(createPresenter({ language: 'en', timeZone: 'America/New_York', now: () => NOW }));
    expect(en.eta({ time: NOW + 4.5 * DAY, secondsToLimit: 4.5 * DAY })).toBe('full ~Sat Dec 6, 08:00 EST (in 4 days 12 h)');
    expect(en.words({ subject: SUBJECTS.load!, unit: 'number', timeZone: 'America/New_York', now: NOW }).timeAxis).toBe('time (EST)');
  });
});
