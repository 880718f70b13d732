import { describe, expect, it } from 'vitest';
import { VmTime } from './time.js';

describe('virtual clock', () => {
  it('derives guest time from retired instructions and skipped halts', () => {
    const t = new VmTime('virtual', 100); // 100 instructions per microsecond: 10 ns each
    t.setRetired(1000);
    expect(t.now()).toBe(10_000);
    t.skipTo(50_000);
    expect(t.now()).toBe(50_000);
    t.setRetired(1100);
    expect(t.now()).toBe(51_000);
    expect(t.instructionsUntil(52_000)).toBe(100);
  });

  it('fires timers with the current time and reports the earliest deadline', () => {
    const t = new VmTime('virtual', 1);
    const seen: number[] = [];
    let next = 5_000;
    t.addTimer({ update: (now) => { seen.push(now); if (now >= next) next += 5_000; }, nextDeadline: () => next });
    t.addTimer({ update: () => {}, nextDeadline: () => Infinity });
    expect(t.nextDeadline()).toBe(5_000);
    t.setRetired(5);
    t.update();
    expect(seen).toEqual([5_000]);
    expect(t.nextDeadline()).toBe(10_000);
  });

  it('follows a live retired count, so time moves inside a slice as RDTSC does', () => {
    const t = new VmTime('virtual', 100);
    let retired = 0;
    t.followRetired(() => retired);
    retired = 250; // 250 instructions into a slice, no setRetired yet
    expect(t.now()).toBe(2_500);
    t.skipTo(10_000);
    retired = 300;
    expect(t.now()).toBe(10_500);
    expect(t.instructionsUntil(11_000)).toBe(50);
  });
});
