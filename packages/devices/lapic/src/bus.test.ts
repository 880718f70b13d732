// Chip-level tests of the APIC bus with two local APICs (no host): the per-core state and the
// routing are ready for SMP even though the device creates one core for now.
import { describe, expect, it } from 'vitest';
import { LocalApic, type ApicEnv } from './apic.js';
import { ApicBus } from './bus.js';

class Stop extends Error {}

function twoCores(count = 2): { bus: ApicBus; cpu0: LocalApic; cpu1: LocalApic; eois: number[] } {
  const cores: LocalApic[] = [];
  const eois: number[] = [];
  const bus: ApicBus = new ApicBus(cores, {
    fail: (reason) => {
      throw new Stop(reason);
    },
  });
  const env: ApicEnv = {
    now: () => 0,
    fail: (reason) => {
      throw new Stop(reason);
    },
    traceOn: () => false,
    trace: () => {},
    sendIpi: (from, lo, hi) => bus.sendIpi(from, lo, hi),
    eoiBroadcast: (v) => bus.eoiBroadcast(v),
  };
  cores.push(new LocalApic(0, env));
  if (count > 1) cores.push(new LocalApic(1, env));
  bus.onEoi((v) => eois.push(v));
  for (const c of cores) c.write(0xf0, 0x1ff);
  return { bus, cpu0: cores[0] as LocalApic, cpu1: cores[1] as LocalApic, eois };
}

describe('APIC bus routing', () => {
  it('gives each core its APIC ID and only the BSP the virtual-wire LINT0', () => {
    const { cpu0, cpu1 } = twoCores();
    expect(cpu0.read(0x20)).toBe(0);
    expect(cpu1.read(0x20)).toBe(0x01000000);
    expect(cpu0.read(0x350)).toBe(0x700);
    expect(cpu1.read(0x350)).toBe(0x10000);
  });

  it('routes physical, broadcast and logical messages to the matching cores', () => {
    const { bus, cpu0, cpu1 } = twoCores();
    expect(bus.deliver({ vector: 0x40, deliveryMode: 0, logical: false, dest: 1, level: false })).toBe(true);
    expect(cpu1.intrPending()).toBe(true);
    expect(cpu0.intrPending()).toBe(false);
    bus.deliver({ vector: 0x41, deliveryMode: 0, logical: false, dest: 0xff, level: false });
    expect(cpu0.getIntrNumber()).toBe(0x41);
    cpu0.write(0xd0, 0x01000000);
    cpu1.write(0xd0, 0x02000000);
    bus.deliver({ vector: 0x52, deliveryMode: 0, logical: true, dest: 0x02, level: false });
    expect(cpu1.getIntrNumber()).toBe(0x52);
    expect(cpu0.getIntrNumber()).toBe(0x41);
  });

  it('gives a lowest-priority message to the core with the lowest APR', () => {
    const { bus, cpu0, cpu1 } = twoCores();
    cpu0.write(0x80, 0x30);
    bus.deliver({ vector: 0x60, deliveryMode: 1, logical: false, dest: 0xff, level: false });
    expect(cpu1.intrPending()).toBe(true);
    expect(cpu0.intrPending()).toBe(false);
    cpu1.write(0x80, 0x50);
    bus.deliver({ vector: 0x61, deliveryMode: 1, logical: false, dest: 0xff, level: false });
    expect(cpu0.getIntrNumber()).toBe(0x61);
  });

  it('sends fixed IPIs to the other core and refuses INIT/SIPI (SMP later)', () => {
    const { cpu0, cpu1 } = twoCores();
    cpu0.write(0x300, (3 << 18) | 0x70);
    expect(cpu1.getIntrNumber()).toBe(0x70);
    expect(cpu0.intrPending()).toBe(false);
    cpu0.write(0x310, 0x01000000);
    expect(() => cpu0.write(0x300, (5 << 8) | (1 << 14))).toThrow(/INIT to physical destination 0x1/);
    expect(() => cpu0.write(0x300, (6 << 8) | 0x10)).toThrow(/SIPI/);
  });

  it('lets an all-excluding-self INIT/SIPI reaching no processor go (a firmware SMP probe on one core); a targeted one still fails stop', () => {
    const { cpu0 } = twoCores(1);
    // SeaBIOS and the Bochs BIOS: INIT, then SIPI, to all excluding self (ICR 0x000C4500, 0x000C4600 | vector).
    cpu0.write(0x300, 0x000c4500);
    cpu0.write(0x300, 0x000c4600 | 0x9f);
    expect(cpu0.read(0x280)).toBe(0);                      // no error logged
    cpu0.write(0x310, 0x05000000);
    expect(() => cpu0.write(0x300, (5 << 8) | (1 << 14))).toThrow(/INIT to physical destination 0x5/);
    expect(() => cpu0.write(0x300, (1 << 18) | (5 << 8) | (1 << 14))).toThrow(/INIT to self/);
    expect(() => cpu0.write(0x300, (2 << 18) | (6 << 8) | 0x10)).toThrow(/SIPI/);
  });

  it('broadcasts the EOI of a level-triggered vector, not of an edge one', () => {
    const { bus, cpu1, eois } = twoCores();
    bus.deliver({ vector: 0x80, deliveryMode: 0, logical: false, dest: 1, level: true });
    cpu1.beginIrq(cpu1.getIntrNumber());
    bus.deliver({ vector: 0x90, deliveryMode: 0, logical: false, dest: 1, level: false });
    cpu1.beginIrq(cpu1.getIntrNumber());
    cpu1.write(0xb0, 0);
    expect(eois).toEqual([]);
    cpu1.write(0xb0, 0);
    expect(eois).toEqual([0x80]);
  });
});
