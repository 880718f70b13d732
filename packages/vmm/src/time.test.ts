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
});
