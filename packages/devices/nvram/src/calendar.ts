// The MC146818A's calendar counters: what one update cycle does to the time and date bytes.
// The chip counts two-digit years and treats every year divisible by four as a leap year
// (right for 1901-2099); the century byte is plain CMOS RAM that the chip never touches.

/** The clock's time and calendar, held as numbers (24-hour), whatever the data mode. */
export interface RtcTime {
  /** 0-59. */
  sec: number;
  /** 0-59. */
  min: number;
  /** 0-23. */
  hour: number;
  /** 1-7, Sunday = 1. */
  dow: number;
  /** 1-31. */
  dom: number;
  /** 1-12. */
  mon: number;
  /** 0-99. */
  year: number;
}

/** Valid ranges of each field, as the datasheet's address map gives them. */
export const FIELD_RANGES: Readonly<Record<keyof RtcTime, readonly [number, number]>> = {
  sec: [0, 59],
  min: [0, 59],
  hour: [0, 23],
  dow: [1, 7],
  dom: [1, 31],
  mon: [1, 12],
  year: [0, 99],
};

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `mon` (1-12) of two-digit `year`, by the chip's leap-year rule. */
export function daysInMonth(mon: number, year: number): number {
  if (mon === 2 && year % 4 === 0) return 29;
  return DAYS[mon - 1] ?? 31;
}

/** The fields of a UTC instant (epoch seconds), the century apart. */
export function timeFromEpoch(epochSec: number): { time: RtcTime; century: number } {
  const d = new Date(epochSec * 1000);
  const fullYear = d.getUTCFullYear();
  return {
    time: {
      sec: d.getUTCSeconds(),
      min: d.getUTCMinutes(),
      hour: d.getUTCHours(),
      dow: d.getUTCDay() + 1,
      dom: d.getUTCDate(),
      mon: d.getUTCMonth() + 1,
      year: fullYear % 100,
    },
    century: Math.floor(fullYear / 100),
  };
}

/** Whether the date is the last Sunday of its month (the DSE rule's days). */
function lastSunday(t: RtcTime): boolean {
  return t.dow === 1 && t.dom > daysInMonth(t.mon, t.year) - 7;
}

/**
 * One update cycle: advance `t` by a second in place. With `dse`, the datasheet's daylight
 * saving rule applies: on the last Sunday in April 1:59:59 AM goes to 3:00:00 AM; on the last
 * Sunday in October 1:59:59 AM goes back to 1:00:00 AM the first time only. `dst.fellBack`
 * remembers that first time; it is cleared once the hour is no longer 1.
 */
export function tickSecond(t: RtcTime, dse: boolean, dst: { fellBack: boolean }): void {
  if (dse && t.hour === 1 && t.min === 59 && t.sec === 59 && lastSunday(t)) {
    if (t.mon === 4) {
      t.hour = 3;
      t.min = 0;
      t.sec = 0;
      return;
    }
    if (t.mon === 10 && !dst.fellBack) {
      dst.fellBack = true;
      t.min = 0;
      t.sec = 0;
      return;
    }
  }
  if (++t.sec < 60) return;
  t.sec = 0;
  if (++t.min < 60) return;
  t.min = 0;
  if (++t.hour !== 1) dst.fellBack = false;
  if (t.hour < 24) return;
  t.hour = 0;
  nextDay(t);
}

/** Midnight: day of week, day of month, month and year counters. */
export function nextDay(t: RtcTime): void {
  t.dow = t.dow >= 7 ? 1 : t.dow + 1;
  if (++t.dom <= daysInMonth(t.mon, t.year)) return;
  t.dom = 1;
  if (++t.mon <= 12) return;
  t.mon = 1;
  t.year = (t.year + 1) % 100;
}
