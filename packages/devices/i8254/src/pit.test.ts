import { describe, expect, it } from 'vitest';
import type { IrqLine } from '@v3/device-api';
import { Pit, nsAtTick, ticksAt } from './pit.js';

/** A chip with a recording IRQ line and no host at all. */
function chip() {
  const events: string[] = [];
  let level = false;
  const irq: IrqLine = {
    irq: 0,
    raise: () => { level = true; events.push('raise'); },
    lower: () => { level = false; events.push('lower'); },
    pulse: () => { events.push('raise', 'lower'); },
    get level() { return level; },
  };
  const pit = new Pit({
    irq,
    fail: (reason) => { throw new Error(reason); },
    traceOn: () => false,
    trace: () => undefined,
  });
  return { pit, events };
}

describe('8254 clock arithmetic', () => {
  it('converts between ns and CLK ticks exactly, far into a run', () => {
    for (const k of [0, 1, 2, 1193181, 1193182, 1193183, 11932, 123456789, 98765432101, 1e12 + 7]) {
      const ns = nsAtTick(k);
      expect(ticksAt(ns)).toBe(k);
      if (k > 0) expect(ticksAt(ns - 1)).toBe(k - 1);
    }
    expect(ticksAt(1_000_000_000)).toBe(1193182);
    expect(nsAtTick(1)).toBe(839); // 838.095... ns rounded up
  });
});

describe('8254 chip without a host', () => {
  it('coalesces OUT changes the caller stepped past into one edge', () => {
    const { pit, events } = chip();
    pit.writePort(3, 0x34, 0); // counter 0, LSB/MSB, mode 2
    pit.writePort(0, 10, 0);
    pit.writePort(0, 0, 0);
    expect(events).toEqual(['raise']);
    events.length = 0;
    pit.update(nsAtTick(1000)); // a hundred periods at once
    // Four changes are followed; the rest collapse onto the level at tick 1000 (OUT's low CLK).
    expect(events).toEqual(['lower', 'raise', 'lower', 'raise', 'lower']);
    expect(pit.nextDeadline()).toBe(nsAtTick(1001));
    pit.update(nsAtTick(1001));
    expect(events.at(-1)).toBe('raise');
  });

  it('reports no deadline when counter 0 has nothing left to do', () => {
    const { pit } = chip();
    expect(pit.nextDeadline()).toBe(Infinity);
    pit.writePort(3, 0x30, 0); // mode 0
    pit.writePort(0, 5, 0);
    pit.writePort(0, 0, 0);
    expect(pit.nextDeadline()).toBe(nsAtTick(6));
    pit.update(nsAtTick(6));
    expect(pit.nextDeadline()).toBe(Infinity);
  });
});
