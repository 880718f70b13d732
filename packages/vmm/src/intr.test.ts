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

describe('local and external controllers', () => {
  /** A controller with a settable pending vector; `gate` makes it local (a LAPIC). */
  function ctrl(name: string, gate?: () => boolean): InterruptController & { pending: number } {
    const c = {
      name,
      pending: -1,
      raiseIntr: () => {},
      lowerIntr: () => {},
      intrPending: () => c.pending >= 0,
      getIntrNumber: () => c.pending,
      beginIrq: () => {},
      ...(gate ? { acceptsExtInt: gate } : {}),
    };
    return c;
  }

  it('without a local controller the 8259A reaches the core directly', () => {
    const r = new InterruptRouting();
    const pic = ctrl('pic');
    r.registerController(pic);
    expect(r.pendingController()).toBeNull();
    pic.pending = 0x20;
    expect(r.pendingController()).toBe(pic);
  });

  it('the 8259A is asked only while the local APIC accepts ExtINT, and the local APIC comes first', () => {
    const r = new InterruptRouting();
    const pic = ctrl('pic');
    let lint0Open = true;
    const apic = ctrl('apic', () => lint0Open);
    // Registered in the order a PC configuration lists them: the 8259A first.
    r.registerController(pic);
    r.registerController(apic);
    pic.pending = 0x20;
    expect(r.pendingController()).toBe(pic); // virtual wire: LINT0 ExtINT, unmasked
    lint0Open = false;
    expect(r.pendingController()).toBeNull(); // LINT0 masked: the 8259A's INTR goes nowhere
    apic.pending = 0x31;
    expect(r.pendingController()).toBe(apic);
    lint0Open = true;
    expect(r.pendingController()).toBe(apic); // both pending: the local APIC's fixed interrupt first
  });
});
