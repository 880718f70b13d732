import { describe, expect, it } from 'vitest';
import { V3Error, type IrqLine } from '@v3/device-api';
import { createTestHost, type TestHost, seededRandom } from '@v3/device-testkit';
import { lapic, type Lapic } from '@v3/dev-lapic';
import { ioapic, type IoApicConfig, type IoApicDevice } from './index.js';

const IOAPIC = 0xfec00000;
const LAPIC = 0xfee00000;
const LAPIC_SVR = 0xf0,
  LAPIC_EOI = 0xb0,
  LAPIC_LDR = 0xd0,
  LAPIC_TMR = 0x180;
const MASK = 1 << 16,
  LEVEL = 1 << 15,
  REMOTE_IRR = 1 << 14,
  LOGICAL = 1 << 11;

interface Rig {
  vm: TestHost;
  apic: Lapic;
  dev: IoApicDevice;
  /** A board device driving VMM line `n`. */
  line(n: number): IrqLine;
  reg(index: number): number;
  setReg(index: number, value: number): void;
  entry(pin: number, low: number, high?: number): void;
  low(pin: number): number;
  eoi(): void;
}

function rig(cfg: Partial<IoApicConfig> = {}): Rig {
  const vm = createTestHost();
  const apic = vm.attach(lapic, { id: 'apic' });
  vm.mmioWrite(LAPIC + LAPIC_SVR, 4, 0x1ff);
  const dev = vm.attach(ioapic, { id: 'ioapic', apic: 'apic', ...cfg });
  const board = vm.hostFor('board');
  const lines = new Map<number, IrqLine>();
  const line = (n: number): IrqLine => {
    let l = lines.get(n);
    if (!l) {
      l = board.irq(n);
      lines.set(n, l);
    }
    return l;
  };
  const base = dev.base;
  const reg = (index: number): number => {
    vm.mmioWrite(base, 4, index);
    return vm.mmioRead(base + 0x10, 4);
  };
  const setReg = (index: number, value: number): void => {
    vm.mmioWrite(base, 4, index);
    vm.mmioWrite(base + 0x10, 4, value);
  };
  const entry = (pin: number, low: number, high = 0): void => {
    setReg(0x11 + 2 * pin, high);
    setReg(0x10 + 2 * pin, low);
  };
  return { vm, apic, dev, line, reg, setReg, entry, low: (pin) => reg(0x10 + 2 * pin), eoi: () => vm.mmioWrite(LAPIC + LAPIC_EOI, 4, 0) };
}

function expectV3(f: () => unknown, component: string, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V3Error);
    expect((e as V3Error).detail.component).toBe(component);
    expect((e as V3Error).reason).toMatch(message);
    return;
  }
  throw new Error(`expected a V3Error matching ${message}`);
}

describe('IOAPIC registers (82093AA datasheet 3.2)', () => {
  it('reads ID, version, arbitration and masked entries after reset', () => {
    const a = rig();
    expect(a.reg(0x00)).toBe(0x01000000);
    expect(a.reg(0x01)).toBe(0x00170011);
    expect(a.reg(0x02)).toBe(0x01000000);
    for (let pin = 0; pin < 24; pin++) {
      expect(a.reg(0x10 + 2 * pin)).toBe(MASK);
      expect(a.reg(0x11 + 2 * pin)).toBe(0);
    }
    a.vm.mmioWrite(IOAPIC, 4, 0xffffff2a);
    expect(a.vm.mmioRead(IOAPIC, 4)).toBe(0x2a);
  });

  it('takes a new ID, which the arbitration ID follows, and ignores writes to VER and ARB', () => {
    const a = rig({ ioapicId: 4 });
    expect(a.reg(0x00)).toBe(0x04000000);
    a.setReg(0x00, 0xffffffff);
    expect(a.reg(0x00)).toBe(0x0f000000);
    expect(a.reg(0x02)).toBe(0x0f000000);
    a.setReg(0x01, 0);
    a.setReg(0x02, 0);
    expect(a.reg(0x01)).toBe(0x00170011);
    expect(a.reg(0x02)).toBe(0x0f000000);
    expectV3(() => a.reg(0x03), 'ioapic', /reserved register 0x3/);
    expectV3(() => a.reg(0x40), 'ioapic', /reserved register 0x40/);
  });

  it('round-trips every redirection entry with its writable bits', () => {
    const a = rig();
    for (let pin = 0; pin < 24; pin++) a.entry(pin, MASK | (0x20 + pin) | ((pin & 1) << 11), (pin << 24) | 0x00ffffff);
    for (let pin = 0; pin < 24; pin++) {
      expect(a.low(pin)).toBe(MASK | (0x20 + pin) | ((pin & 1) << 11));
      expect(a.reg(0x11 + 2 * pin)).toBe((pin << 24) >>> 0);
    }
    // Delivery status (12) and Remote IRR (14) are read only.
    a.entry(5, 0xffffffff);
    expect(a.low(5)).toBe(0x1afff);
  });

  it('accepts only aligned dword accesses to IOREGSEL and IOWIN', () => {
    const a = rig();
    expectV3(() => a.vm.mmioWrite(IOAPIC, 1, 0), 'ioapic', /1-byte write/);
    expectV3(() => a.vm.mmioRead(IOAPIC + 0x10, 2), 'ioapic', /2-byte read/);
    expectV3(() => a.vm.mmioWrite(IOAPIC + 0x40, 4, 0x30), 'ioapic', /no EOI register/);
    expectV3(() => a.vm.mmioRead(IOAPIC + 0x20, 4), 'ioapic', /only IOREGSEL/);
  });
});

describe('IOAPIC delivery to the local APIC', () => {
  it('delivers an edge through to acknowledge() and never reports a vector itself', () => {
    const a = rig();
    a.entry(4, 0x34);
    a.line(4).pulse();
    expect(a.dev.controller.intrPending()).toBe(false);
    expect(a.vm.acknowledge()).toBe(0x34);
    expect(a.vm.acknowledge()).toBe(-1);
    a.eoi();
    // One message per edge: holding the line high sends nothing more.
    a.line(4).raise();
    expect(a.vm.acknowledge()).toBe(0x34);
    a.eoi();
    expect(a.vm.acknowledge()).toBe(-1);
  });

  it('wires ISA IRQ 0 to pin 2 by default, and to pin 0 without irq0ToPin2', () => {
    const a = rig();
    expect(a.dev.pinOf(0)).toBe(2);
    a.entry(2, 0x30);
    a.entry(0, 0x3f);
    a.line(0).pulse();
    expect(a.vm.acknowledge()).toBe(0x30);
    expectV3(() => a.line(2).raise(), 'ioapic', /line 2 .*no IO-APIC pin/);

    const b = rig({ irq0ToPin2: false });
    b.entry(0, 0x30);
    b.entry(2, 0x32);
    b.line(0).pulse();
    expect(b.vm.acknowledge()).toBe(0x30);
    b.eoi();
    b.line(2).pulse();
    expect(b.vm.acknowledge()).toBe(0x32);
    // Lines beyond the 24 pins belong to another controller.
    b.line(30).pulse();
    expect(b.dev.pinOf(30)).toBe(-1);
  });

  it('on a PC board, a line reaches both the 8259A and the IO-APIC; the 8259A passes only through LINT0 ExtINT', () => {
    const a = rig();
    // A stand-in 8259A pair: IRQ n becomes vector 0x08 + n while its line was raised.
    let picIrr = 0;
    a.vm.hostFor('pic').registerIntrController({
      name: 'pic',
      raiseIntr: (n) => void (picIrr |= 1 << n),
      lowerIntr() {},
      intrPending: () => picIrr !== 0,
      getIntrNumber: () => 0x08 + (31 - Math.clz32(picIrr & -picIrr)),
      beginIrq: (v) => void (picIrr &= ~(1 << (v - 0x08))),
    });
    a.entry(2, 0x30); // the PIT's IRQ 0 arrives on pin 2
    a.line(0).pulse();
    // The local APIC's vector from the IO-APIC comes first; LINT0 is still virtual wire.
    expect(a.vm.acknowledge()).toBe(0x30);
    expect(a.vm.acknowledge()).toBe(0x08);
    a.eoi();
    // Linux masks LINT0 once it routes the ISA IRQs through the IO-APIC: the 8259A's INTR stops.
    a.vm.mmioWrite(LAPIC + 0x350, 4, 0x700 | MASK);
    a.line(0).pulse();
    expect(a.vm.acknowledge()).toBe(0x30);
    expect(a.vm.acknowledge()).toBe(-1);
    expect(picIrr).toBe(1);
  });

  it('re-delivers a still-asserted level pin on the EOI and kicks the core for it', () => {
    const a = rig();
    a.entry(10, LEVEL | 0x5a);
    a.line(10).raise();
    expect(a.vm.acknowledge()).toBe(0x5a);
    const kicks = a.vm.kicks;
    a.eoi();
    expect(a.vm.kicks).toBeGreaterThan(kicks);
    expect(a.vm.acknowledge()).toBe(0x5a);
  });

  it('describes itself for the MP table: ID, version, address and the line-to-pin wiring', () => {
    const a = rig();
    const d = a.dev.firmwareDescription();
    expect(d).toMatchObject({ kind: 'io-apic', base: 0xfec00000, apicId: 1, version: 0x11, pins: 24 });
    // Pin 0 carries nothing here (the 8259A's INTR is not wired to it), so no ExtINT entry.
    expect(d).toMatchObject({ extIntPin: -1 });
    if (d.kind !== 'io-apic') throw new Error('not an io-apic');
    expect([0, 1, 2, 3, 15].map((l) => d.pinOf(l))).toEqual([2, 1, -1, 3, 15]);
    const b = rig({ ioapicId: 4, irq0ToPin2: false, base: 0xfec01000 });
    expect(b.dev.firmwareDescription()).toMatchObject({ apicId: 4, base: 0xfec01000 });
    expect((b.dev.firmwareDescription() as { pinOf(l: number): number }).pinOf(0)).toBe(0);
  });

  it('does not deliver masked entries; a masked edge is lost, a held level arrives on unmask', () => {
    const a = rig();
    a.entry(4, MASK | 0x34);
    a.line(4).pulse();
    expect(a.vm.acknowledge()).toBe(-1);
    a.entry(4, 0x34);
    expect(a.vm.acknowledge()).toBe(-1);

    a.entry(9, MASK | LEVEL | 0x59);
    a.line(9).raise();
    expect(a.vm.acknowledge()).toBe(-1);
    expect(a.low(9) & REMOTE_IRR).toBe(0);
    a.entry(9, LEVEL | 0x59);
    expect(a.vm.acknowledge()).toBe(0x59);
  });

  it('sets Remote IRR for a level interrupt, and redelivers after the EOI while still asserted', () => {
    const a = rig();
    a.entry(10, LEVEL | 0x5a);
    a.line(10).raise();
    expect(a.low(10) & REMOTE_IRR).toBe(REMOTE_IRR);
    expect(a.vm.mmioRead(LAPIC + LAPIC_TMR + 0x20, 4) & (1 << (0x5a - 64))).not.toBe(0);
    expect(a.vm.acknowledge()).toBe(0x5a);
    expect(a.vm.acknowledge()).toBe(-1);
    a.eoi();
    // Still asserted: Remote IRR cleared by the EOI message and set again by the new message.
    expect(a.low(10) & REMOTE_IRR).toBe(REMOTE_IRR);
    expect(a.vm.acknowledge()).toBe(0x5a);
    a.line(10).lower();
    a.eoi();
    expect(a.low(10) & REMOTE_IRR).toBe(0);
    expect(a.vm.acknowledge()).toBe(-1);
    // Asserting again sends again.
    a.line(10).raise();
    expect(a.vm.acknowledge()).toBe(0x5a);
  });

  it('clears Remote IRR when the entry is switched to edge (the Linux EOI for version 0x11)', () => {
    const a = rig();
    a.entry(11, LEVEL | 0x5b);
    a.line(11).raise();
    expect(a.low(11) & REMOTE_IRR).toBe(REMOTE_IRR);
    a.entry(11, MASK | 0x5b);
    expect(a.low(11) & REMOTE_IRR).toBe(0);
    a.entry(11, MASK | LEVEL | 0x5b);
    expect(a.low(11) & REMOTE_IRR).toBe(0);
  });

  it('leaves Remote IRR clear when no local APIC is addressed', () => {
    const a = rig();
    a.entry(12, LEVEL | 0x5c, 0x07000000);
    a.line(12).raise();
    expect(a.low(12) & REMOTE_IRR).toBe(0);
    expect(a.vm.acknowledge()).toBe(-1);
  });

  it('delivers to logical destinations and in lowest-priority mode', () => {
    const a = rig();
    a.vm.mmioWrite(LAPIC + LAPIC_LDR, 4, 0x01000000);
    a.entry(5, LOGICAL | 0x45, 0x01000000);
    a.line(5).pulse();
    expect(a.vm.acknowledge()).toBe(0x45);
    a.eoi();
    a.entry(6, LOGICAL | (1 << 8) | 0x46, 0xff000000);
    a.line(6).pulse();
    expect(a.vm.acknowledge()).toBe(0x46);
    a.entry(7, LOGICAL | 0x47, 0x02000000);
    a.line(7).pulse();
    expect(a.vm.acknowledge()).toBe(-1);
  });

  it('fails stop on SMI, NMI, INIT and ExtINT entries when they fire, not when they are written', () => {
    const a = rig();
    for (const [mode, name] of [
      [2, 'SMI'],
      [4, 'NMI'],
      [5, 'INIT'],
      [7, 'ExtINT'],
      [3, 'reserved'],
    ] as const) {
      a.entry(3, MASK | (mode << 8));
      a.line(3).pulse();
      a.entry(3, mode << 8);
      expectV3(() => a.line(3).pulse(), 'ioapic', new RegExp(`pin 3 fired in (delivery mode )?${name}`));
      a.line(3).lower();
    }
  });
});

describe('IOAPIC configuration, state and reset', () => {
  it('validates its keys and needs a LAPIC', () => {
    expect(ioapic.validate?.({ class: 'IOAPIC', id: 'io', base: 0xfec00001, irq0ToPin2: 'yes', ioapicId: 16, pins: 24 })).toEqual([
      'pins: unknown key (expected base, apic, irq0ToPin2, ioapicId)',
      'base: expected a 4 KiB aligned guest-physical address below 4 GiB, got 4273995777',
      'irq0ToPin2: expected a boolean, got "yes"',
      'ioapicId: expected an APIC ID 0-15, got 16',
    ]);
    const vm = createTestHost();
    expect(() => vm.attach(ioapic, { id: 'io', apic: 'nothing' })).toThrow(/no device with id 'nothing'/);
    vm.provide('fake', {});
    expectV3(() => vm.attach(ioapic, { id: 'io', apic: 'fake' }), 'io', /not a LAPIC/);
  });

  it('moves with the base key', () => {
    const a = rig({ base: 0xfec01000 });
    expect(a.reg(0x01)).toBe(0x00170011);
    expect(() => a.vm.mmioRead(IOAPIC, 4)).toThrow(/nothing hooks/);
  });

  it('saves and loads entries, Remote IRR and pin levels; reset masks every entry', () => {
    const a = rig();
    a.entry(10, LEVEL | 0x5a, 0x01000000);
    a.entry(4, 0x34);
    a.setReg(0, 0x03000000);
    a.vm.mmioWrite(LAPIC + 0x20, 4, 0x01000000);
    a.line(10).raise();
    const saved = JSON.parse(JSON.stringify(a.dev.save()));

    const b = rig();
    b.vm.mmioWrite(LAPIC + 0x20, 4, 0x01000000);
    b.dev.load(saved);
    expect(b.dev.save()).toEqual(saved);
    expect(b.reg(0)).toBe(0x03000000);
    expect(b.low(10)).toBe(LEVEL | REMOTE_IRR | 0x5a);
    expect(b.low(4)).toBe(0x34);
    // The pin is still asserted after the load: the EOI message makes it send again.
    b.dev.chip.eoi(0x5a);
    expect(b.vm.acknowledge()).toBe(0x5a);
    expect(() => b.dev.load({ id: 0 })).toThrow(/bad state/);

    b.dev.reset();
    expect(b.reg(0)).toBe(0x01000000);
    for (let pin = 0; pin < 24; pin++) expect(b.low(pin)).toBe(MASK);
  });
});

describe('IOAPIC debug output', () => {
  it('prints lines prefixed ioapic: when built with DEBUG_APIC and APIC debugging is on', () => {
    const a = rig();
    a.vm.debugComponents.add('APIC');
    a.entry(4, 0x34);
    a.line(4).pulse();
    const mine = a.vm.log.filter((l) => l.startsWith('debug APIC: ioapic: '));
    if (__DEBUG_APIC__) expect(mine.some((l) => /pin 4 -> vector 0x34/.test(l))).toBe(true);
    else expect(a.vm.log).toEqual([]);
  });
});

describe('IOAPIC register fuzz', () => {
  it('lets only V3Errors naming the device escape', () => {
    for (const seed of [1, 7, 99, 0xc0ffee]) {
      const a = rig();
      const rand = seededRandom(seed);
      let stops = 0;
      for (let i = 0; i < 3000; i++) {
        const odd = (rand() & 15) === 0;
        const offset = odd ? rand() % 0x1000 : (rand() & 1) << 4;
        const size = odd ? ([1, 2, 4] as const)[rand() % 3]! : 4;
        try {
          switch (rand() % 6) {
            case 0:
              a.vm.mmioWrite(IOAPIC, 4, rand() % 0x40);
              break;
            case 1:
              a.vm.mmioRead(IOAPIC + offset, size);
              break;
            case 2:
            case 3:
              a.vm.mmioWrite(IOAPIC + offset, size, rand());
              break;
            case 4: {
              const l = a.line(rand() % 26);
              if (rand() & 1) l.raise();
              else l.lower();
              break;
            }
            default:
              if (a.vm.acknowledge() >= 0 && rand() & 1) a.eoi();
          }
        } catch (e) {
          if (e instanceof V3Error && e.detail.component === 'ioapic') {
            stops++;
            continue;
          }
          throw e;
        }
      }
      expect(stops).toBeGreaterThan(0);
    }
  });
});
