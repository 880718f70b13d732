import { describe, expect, it } from 'vitest';
import type { InterruptController } from '@v3/device-api';
import { InterruptRouting } from './intr.js';

function recorder(): InterruptController & { log: string[] } {
  const log: string[] = [];
  return {
    name: 'rec',
    log,
    raiseIntr: (n) => log.push(`+${n}`),
    lowerIntr: (n) => log.push(`-${n}`),
    intrPending: () => false,
    getIntrNumber: () => 0,
    beginIrq: () => {},
  };
}

describe('IRQ routing', () => {
  it('passes only the transitions of a wired-OR line to controllers', () => {
    const r = new InterruptRouting();
    const c = recorder();
    r.registerController(c);
    let kicks = 0;
    r.onRaise = () => kicks++;
    r.drive(11, 1, true);
    r.drive(11, 2, true); // already high: no new edge
    r.drive(11, 1, false); // still held by driver 2
    r.drive(11, 2, false);
    r.pulse(4, 3);
    expect(c.log).toEqual(['+11', '-11', '+4', '-4']);
    expect(kicks).toBe(2);
  });
});
