import { describe, expect, it } from 'vitest';
import { daysInMonth, tickSecond, timeFromEpoch, type RtcTime } from './calendar.js';

const t = (s: string): RtcTime => timeFromEpoch(Date.parse(s) / 1000).time;

describe('MC146818A calendar counters (no host)', () => {
  it('month lengths with the chip\'s every-fourth-year leap rule', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(m, 26))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2, 24)).toBe(29);
    expect(daysInMonth(2, 0)).toBe(29);
  });

  it('carries seconds into minutes, hours, days, months and two-digit years', () => {
    const x = t('2099-12-31T23:59:59Z');
    expect(x).toEqual({ sec: 59, min: 59, hour: 23, dow: 5, dom: 31, mon: 12, year: 99 });
    tickSecond(x, false, { fellBack: false });
    expect(x).toEqual({ sec: 0, min: 0, hour: 0, dow: 6, dom: 1, mon: 1, year: 0 });
  });

  it('matches the host calendar second by second over a year (no DSE)', () => {
    const start = Date.parse('2027-01-01T00:00:00Z') / 1000;
    const x = timeFromEpoch(start).time;
    const dst = { fellBack: false };
    for (let s = 1; s <= 366 * 86_400; s += 1) {
      tickSecond(x, false, dst);
      if (s % 3_601 === 0) expect(x).toEqual(timeFromEpoch(start + s).time);
    }
    expect(x).toEqual(timeFromEpoch(start + 366 * 86_400).time);
  });

  it('a day of the month the guest wrote past the month end rolls over at midnight', () => {
    const x: RtcTime = { sec: 59, min: 59, hour: 23, dow: 1, dom: 30, mon: 2, year: 26 };
    tickSecond(x, false, { fellBack: false });
    expect([x.dom, x.mon, x.dow]).toEqual([1, 3, 2]);
  });
});
