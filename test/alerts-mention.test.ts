import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { diskAlert, startAlertHarness, type AlertHarness } from './helpers/alert-fixtures.ts';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Tokyo' }).toSeconds();
const H = 3600;
let harness: AlertHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Posts one WARNING disk alert whose fullest filesystem fills in `eta` seconds; returns the post text. */
async function postAt(iso: string, eta: number, holidays: string[] = [], status: 'WARNING' | 'CRITICAL' = 'WARNING', language: 'en' | 'ja' = 'en') {
  const now = at(iso);
  harness = await startAlertHarness({ now, etaSeconds: eta, language, config: { calendar: { timezone: 'Asia/Tokyo', workdays: [1, 2, 3, 4, 5], hours: '09:00-18:00', holidays } } });
  harness.sim.addAlert(diskAlert('A1', now, { status }));
  await harness.service.pollOnce();
  expect(harness.chat.posts).toHaveLength(1);
  return harness.chat.posts[0]!.message.text;
}

describe('mention per team calendar (Asia/Tokyo, Mon–Fri 09:00–18:00)', () => {
  it('inside working hours, full in days: posts quietly and says why', async () => {
    const text = await postAt('2025-11-19T10:00', 3 * 86400);
    expect(text).not.toContain('<!subteam^S0ONCALL>');
    expect(text).toMatch(/ — no mention: it is working hours and full in \d days( \d+ h)?$/);
  });

  it('inside working hours, full within the urgent window: mentions', async () => {
    const text = await postAt('2025-11-19T10:00', 1 * H);
    expect(text.startsWith('<!subteam^S0ONCALL> ')).toBe(true);
    expect(text).toMatch(/mentioning: full in .*during working hours/);
  });

  it('at night, full before the morning: mentions with the next working period', async () => {
    const text = await postAt('2025-11-19T23:00', 6 * H);
    expect(text).toContain('<!subteam^S0ONCALL>');
    expect(text).toMatch(/ — mentioning: full in \d h( \d+ min)?, before work starts Thu Nov 20, 09:00 JST$/);
  });

  it('in Japanese: the same night mention with its reason and the next working period in Japanese style', async () => {
    const text = await postAt('2025-11-19T23:00', 6 * H, [], 'WARNING', 'ja');
    expect(text.startsWith('<!subteam^S0ONCALL> :large_orange_circle: WARNING web-01 の disk used % — ')).toBe(true);
    expect(text).toMatch(/ — \d時間(\d+分)?後、次の営業開始（11月20日\(木\) 9:00 JST）より前に上限に達する見込みのため通知します$/);
  });

  it('on a weekend, full before Monday: mentions', async () => {
    const text = await postAt('2025-11-22T12:00', 30 * H);
    expect(text).toContain('<!subteam^S0ONCALL>');
    expect(text).toMatch(/before work starts Mon Nov 24, 09:00 JST/);
  });

  it('the same weekend forecast mentions only when Monday is a holiday', async () => {
    const quiet = await postAt('2025-11-22T12:00', 60 * H);
    expect(quiet).not.toContain('<!subteam^S0ONCALL>');
    expect(quiet).toMatch(/no mention: full in \d+ (h|days)( \d+ h)?, after work starts Mon Nov 24, 09:00 JST/);
    await harness!.close();
    const loud = await postAt('2025-11-22T12:00', 60 * H, ['2025-11-24']);
    expect(loud).toContain('<!subteam^S0ONCALL>');
    expect(loud).toMatch(/before work starts Tue Nov 25, 09:00 JST/);
  });

  it('CRITICAL mentions whatever the forecast when the config says so', async () => {
    const text = await postAt('2025-11-19T10:00', 3 * 86400, [], 'CRITICAL');
    expect(text).toContain('<!subteam^S0ONCALL>');
    expect(text).toContain('mentioning: CRITICAL');
  });
});
