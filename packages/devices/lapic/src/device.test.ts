import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, type TestHost, seededRandom } from '@v3/device-testkit';
import { lapic, type Lapic } from './index.js';

const BASE = 0xfee00000;
// Register offsets, SDM table 10-1.
const ID = 0x20,
  VER = 0x30,
  TPR = 0x80,
  APR = 0x90,
  PPR = 0xa0,
  EOI = 0xb0,
  LDR = 0xd0,
  DFR = 0xe0,
  SVR = 0xf0,
  ISR = 0x100,
  TMR = 0x180,
  IRR = 0x200,
  ESR = 0x280,
  ICR_LO = 0x300,
  ICR_HI = 0x310,
  LVT_TIMER = 0x320,
  LVT_THERMAL = 0x330,
  LVT_PERF = 0x340,
  LVT_LINT0 = 0x350,
  LVT_LINT1 = 0x360,
  LVT_ERROR = 0x370,
  TIMER_INIT = 0x380,
  TIMER_CUR = 0x390,
  TIMER_DCR = 0x3e0;
const MASKED = 1 << 16;
const PERIODIC = 1 << 17;

interface Rig {
  vm: TestHost;
  dev: Lapic;
  r(offset: number): number;
  w(offset: number, value: number): void;
  /** A fixed, edge interrupt message to APIC ID 0, as an IO-APIC would send it. */
  irq(vector: number, level?: boolean): boolean;
}

function rig(enable = true): Rig {
  const vm = createTestHost();
  const dev = vm.attach(lapic, { id: 'apic' });
  const r = (offset: number): number => vm.mmioRead(BASE + offset, 4);
  const w = (offset: number, value: number): void => vm.mmioWrite(BASE + offset, 4, value);
  const irq = (vector: number, level = false): boolean => dev.deliver({ vector, deliveryMode: 0, logical: false, dest: 0, level });
  if (enable) w(SVR, 0x1ff);
  return { vm, dev, r, w, irq };
}

/** Bit `v` of the 256-bit register at `reg`. */
const bit = (r: Rig, reg: number, v: number): boolean => ((r.r(reg + (v >> 5) * 0x10) >>> (v & 31)) & 1) === 1;

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

describe('LAPIC registers after power-up (SDM 10.4.7.1)', () => {
  it('reads the documented reset values', () => {
    const { r, vm } = rig(false);
    expect(r(ID)).toBe(0);
    expect(r(VER)).toBe(0x00050014);
    expect(r(TPR)).toBe(0);
    expect(r(APR)).toBe(0);
    expect(r(PPR)).toBe(0);
    expect(r(LDR)).toBe(0);
    expect(r(DFR)).toBe(0xffffffff);
    expect(r(SVR)).toBe(0xff);
    for (let i = 0; i < 8; i++) {
      expect(r(ISR + i * 0x10)).toBe(0);
      expect(r(TMR + i * 0x10)).toBe(0);
      expect(r(IRR + i * 0x10)).toBe(0);
    }
    expect(r(ESR)).toBe(0);
    expect(r(ICR_LO)).toBe(0);
    expect(r(ICR_HI)).toBe(0);
    for (const lvt of [LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT1, LVT_ERROR]) expect(r(lvt)).toBe(MASKED);
    // The BSP's LINT0 starts in virtual-wire mode (ExtINT, unmasked); see the README.
    expect(r(LVT_LINT0)).toBe(0x700);
    expect(r(TIMER_INIT)).toBe(0);
    expect(r(TIMER_CUR)).toBe(0);
    expect(r(TIMER_DCR)).toBe(0);
    // IA32_APIC_BASE: 0xFEE00000, BSP (bit 8), enabled (bit 11).
    expect(vm.rdmsr(0x1b)).toBe(0xfee00900n);
  });

  it('refuses more than one core and unknown keys', () => {
    const vm = createTestHost();
    expect(() => vm.attach(lapic, { id: 'apic', cores: 2 })).toThrow(/cores: expected 1/);
    expect(lapic.validate?.({ class: 'LAPIC', id: 'apic', colour: 1 })).toEqual(['colour: unknown key (expected cores)']);
  });

  it('keeps the writable bits of ID, LDR, DFR, TPR, SVR and ICR high', () => {
    const { r, w } = rig(false);
    w(ID, 0xffffffff);
    expect(r(ID)).toBe(0xff000000);
    w(ID, 0);
    w(LDR, 0xffffffff);
    expect(r(LDR)).toBe(0xff000000);
    w(DFR, 0x0);
    expect(r(DFR)).toBe(0x0fffffff);
    w(TPR, 0xffffffff);
    expect(r(TPR)).toBe(0xff);
    w(SVR, 0xffffffff);
    expect(r(SVR)).toBe(0x3ff);
    w(ICR_HI, 0xffffffff);
    expect(r(ICR_HI)).toBe(0xff000000);
  });
});

describe('LAPIC enable and priorities', () => {
  it('holds interrupts while software-disabled and delivers them once SVR bit 8 is set', () => {
    const a = rig(false);
    expect(a.irq(0x41)).toBe(true);
    expect(bit(a, IRR, 0x41)).toBe(true);
    expect(a.vm.acknowledge()).toBe(-1);
    a.w(SVR, 0x1ff);
    expect(a.vm.acknowledge()).toBe(0x41);
    expect(bit(a, IRR, 0x41)).toBe(false);
    expect(bit(a, ISR, 0x41)).toBe(true);
  });

  it('masks every LVT entry when software-disabled and keeps them masked (SDM 10.4.7.2)', () => {
    const a = rig();
    a.w(LVT_TIMER, 0x30);
    a.w(LVT_LINT0, 0x700);
    expect(a.r(LVT_TIMER)).toBe(0x30);
    a.w(SVR, 0xff);
    expect(a.r(LVT_TIMER)).toBe(0x30 | MASKED);
    expect(a.r(LVT_LINT0)).toBe(0x700 | MASKED);
    a.w(LVT_ERROR, 0x33);
    expect(a.r(LVT_ERROR)).toBe(0x33 | MASKED);
  });

  it('lets the TPR hold back a whole priority class (SDM 10.8.3.1)', () => {
    const a = rig();
    a.irq(0x45);
    a.w(TPR, 0x40);
    expect(a.r(PPR)).toBe(0x40);
    expect(a.dev.controller.intrPending()).toBe(false);
    a.w(TPR, 0x4f);
    expect(a.dev.controller.intrPending()).toBe(false);
    a.w(TPR, 0x3f);
    expect(a.dev.controller.intrPending()).toBe(true);
    expect(a.vm.acknowledge()).toBe(0x45);
  });

  it('dispatches the highest vector first and nests only higher classes', () => {
    const a = rig();
    a.irq(0x31);
    a.irq(0x61);
    expect(a.vm.acknowledge()).toBe(0x61);
    expect(a.r(PPR)).toBe(0x60);
    // 0x31 is below the in-service class; 0x65 is in the same class: neither interrupts.
    a.irq(0x65);
    expect(a.vm.acknowledge()).toBe(-1);
    a.irq(0x71);
    expect(a.vm.acknowledge()).toBe(0x71);
  });

  it('EOI clears the highest in-service bit only', () => {
    const a = rig();
    a.irq(0x30);
    expect(a.vm.acknowledge()).toBe(0x30);
    a.irq(0x50);
    expect(a.vm.acknowledge()).toBe(0x50);
    expect(bit(a, ISR, 0x30) && bit(a, ISR, 0x50)).toBe(true);
    a.w(EOI, 0);
    expect(bit(a, ISR, 0x50)).toBe(false);
    expect(bit(a, ISR, 0x30)).toBe(true);
    expect(a.r(PPR)).toBe(0x30);
    a.w(EOI, 0);
    expect(bit(a, ISR, 0x30)).toBe(false);
    expect(a.r(PPR)).toBe(0);
    // An EOI with nothing in service changes nothing.
    a.w(EOI, 0);
    expect(a.r(PPR)).toBe(0);
  });

  it('reports APR per SDM figure 10-15', () => {
    const a = rig();
    a.w(TPR, 0x20);
    expect(a.r(APR)).toBe(0x20);
    a.irq(0x55);
    expect(a.r(APR)).toBe(0x50);
  });

  it('answers the INTA with the spurious vector when the interrupt went away (SDM 10.9)', () => {
    const a = rig();
    a.w(SVR, 0x1ef);
    a.irq(0x40);
    expect(a.dev.controller.intrPending()).toBe(true);
    a.w(TPR, 0xf0);
    expect(a.dev.controller.getIntrNumber()).toBe(0xef);
    a.dev.controller.beginIrq(0xef);
    for (let i = 0; i < 8; i++) expect(a.r(ISR + i * 0x10)).toBe(0);
    expect(bit(a, IRR, 0x40)).toBe(true);
  });

  it('sets TMR for level-triggered vectors and sends their EOI to the IO-APIC', () => {
    const a = rig();
    const eois: number[] = [];
    a.dev.onEoi((v) => eois.push(v));
    a.irq(0x60, true);
    expect(bit(a, TMR, 0x60)).toBe(true);
    expect(a.vm.acknowledge()).toBe(0x60);
    a.w(EOI, 0);
    expect(eois).toEqual([0x60]);
    a.irq(0x60, false);
    expect(bit(a, TMR, 0x60)).toBe(false);
    a.vm.acknowledge();
    a.w(EOI, 0);
    expect(eois).toEqual([0x60]);
  });

  it('logs illegal vectors in the ESR after a write to it, and raises the error LVT', () => {
    const a = rig();
    expect(a.irq(0x05)).toBe(false);
    expect(a.r(ESR)).toBe(0);
    a.w(ESR, 0);
    expect(a.r(ESR)).toBe(0x40);
    a.w(ESR, 0);
    expect(a.r(ESR)).toBe(0);
    a.w(LVT_ERROR, 0xfe);
    a.irq(0x07);
    expect(a.vm.acknowledge()).toBe(0xfe);
    a.w(ESR, 0);
    expect(a.r(ESR)).toBe(0x40);
  });

  it('matches logical destinations in the flat and cluster models (SDM 10.6.2.2)', () => {
    const a = rig();
    expect(a.dev.save().cores[0]!.dfr).toBe(0xf0000000);
    a.w(LDR, 0x02000000);
    const send = (dest: number): boolean => a.dev.deliver({ vector: 0x40, deliveryMode: 0, logical: true, dest, level: false });
    expect(send(0x01)).toBe(false);
    expect(send(0x03)).toBe(true);
    a.w(LDR, 0x12000000);
    expect(send(0x10)).toBe(true); // flat: any common bit
    a.w(DFR, 0x0fffffff);
    expect(send(0x10)).toBe(false); // cluster 1, but no APIC bit in common
    a.w(LDR, 0x32000000);
    expect(send(0x22)).toBe(false);
    expect(send(0x36)).toBe(true);
    expect(a.dev.deliver({ vector: 0x41, deliveryMode: 1, logical: false, dest: 0, level: false })).toBe(true);
    expect(a.dev.deliver({ vector: 0x42, deliveryMode: 0, logical: false, dest: 3, level: false })).toBe(false);
    expect(a.dev.deliver({ vector: 0x43, deliveryMode: 0, logical: false, dest: 0xff, level: false })).toBe(true);
  });
});

describe('LAPIC timer (SDM 10.5.4) at a 100 MHz bus clock', () => {
  it('fires N times in periodic mode at initial x divide x 10 ns', () => {
    const a = rig();
    a.w(TIMER_DCR, 0x3); // divide by 16
    a.w(LVT_TIMER, PERIODIC | 0x40);
    a.w(TIMER_INIT, 1000);
    const period = 1000 * 16 * 10;
    expect(a.vm.nextDeadline()).toBe(period);
    a.vm.clock.step(period - 1);
    expect(a.vm.acknowledge()).toBe(-1);
    a.vm.clock.step(1);
    let fired = 1;
    expect(a.vm.acknowledge()).toBe(0x40);
    a.w(EOI, 0);
    for (let i = 0; i < 9; i++) {
      a.vm.clock.step(period);
      if (a.vm.acknowledge() === 0x40) fired++;
      a.w(EOI, 0);
    }
    expect(fired).toBe(10);
    expect(a.vm.nextDeadline()).toBe(11 * period);
  });

  it.each([
    [0x0, 2],
    [0x1, 4],
    [0x2, 8],
    [0x3, 16],
    [0x8, 32],
    [0x9, 64],
    [0xa, 128],
    [0xb, 1],
  ])('DCR %i divides by %i', (dcr, div) => {
    const a = rig();
    a.w(TIMER_DCR, dcr);
    expect(a.r(TIMER_DCR)).toBe(dcr);
    a.w(LVT_TIMER, MASKED | 0x40);
    a.w(TIMER_INIT, 1_000_000);
    a.vm.clock.step(10 * div * 1234);
    expect(a.r(TIMER_CUR)).toBe(1_000_000 - 1234);
    expect(a.vm.nextDeadline()).toBe(1_000_000 * 10 * div);
  });

  it('counts down, stops after one shot and reads 0', () => {
    const a = rig();
    a.w(TIMER_DCR, 0xb); // divide by 1: 10 ns a count
    a.w(LVT_TIMER, 0x50);
    a.w(TIMER_INIT, 100);
    expect(a.r(TIMER_CUR)).toBe(100);
    a.vm.clock.step(255);
    expect(a.r(TIMER_CUR)).toBe(75);
    a.vm.clock.step(745);
    expect(a.r(TIMER_CUR)).toBe(0);
    expect(a.vm.acknowledge()).toBe(0x50);
    a.w(EOI, 0);
    a.vm.clock.step(100_000);
    expect(a.vm.acknowledge()).toBe(-1);
    expect(a.vm.nextDeadline()).toBe(Infinity);
    expect(a.r(TIMER_INIT)).toBe(100);
  });

  it('keeps counting but does not interrupt while the LVT timer is masked', () => {
    const a = rig();
    a.w(TIMER_DCR, 0xb);
    a.w(LVT_TIMER, MASKED | PERIODIC | 0x40);
    a.w(TIMER_INIT, 100);
    a.vm.clock.step(1500);
    expect(a.vm.acknowledge()).toBe(-1);
    expect(a.r(TIMER_CUR)).toBe(50);
    a.vm.clock.step(500);
    expect(a.r(TIMER_CUR)).toBe(100);
    a.vm.clock.step(10);
    expect(a.r(TIMER_CUR)).toBe(99);
  });

  it('applies a new divisor to the rest of the count, and stops on an initial count of 0', () => {
    const a = rig();
    a.w(TIMER_DCR, 0xb);
    a.w(LVT_TIMER, 0x40);
    a.w(TIMER_INIT, 1000);
    a.vm.clock.step(5000); // 500 counts at 10 ns
    a.w(TIMER_DCR, 0x0); // divide by 2: 20 ns a count
    expect(a.r(TIMER_CUR)).toBe(500);
    expect(a.vm.nextDeadline()).toBe(5000 + 500 * 20);
    a.w(TIMER_INIT, 0);
    expect(a.r(TIMER_CUR)).toBe(0);
    expect(a.vm.nextDeadline()).toBe(Infinity);
  });

  it('fails stop on TSC-deadline mode', () => {
    const a = rig();
    expectV3(() => a.w(LVT_TIMER, (2 << 17) | 0x40), 'apic', /TSC-deadline/);
  });
});

describe('LAPIC ICR (SDM 10.6)', () => {
  it('delivers a fixed IPI to self by shorthand, by physical ID and to all including self', () => {
    const a = rig();
    a.w(ICR_LO, (1 << 18) | 0x55);
    expect(a.r(ICR_LO) & (1 << 12)).toBe(0);
    expect(a.vm.acknowledge()).toBe(0x55);
    a.w(EOI, 0);
    a.w(ICR_HI, 0 << 24);
    a.w(ICR_LO, 0x56);
    expect(a.vm.acknowledge()).toBe(0x56);
    a.w(EOI, 0);
    a.w(ICR_LO, (2 << 18) | 0x57);
    expect(a.vm.acknowledge()).toBe(0x57);
    a.w(EOI, 0);
    a.w(ICR_LO, (3 << 18) | 0x58);
    a.w(ICR_HI, 7 << 24);
    a.w(ICR_LO, 0x59);
    expect(a.vm.acknowledge()).toBe(-1);
  });

  it('refuses to send vectors 0-15 (ESR Send Illegal Vector)', () => {
    const a = rig();
    a.w(ICR_LO, (1 << 18) | 0x0e);
    expect(a.vm.acknowledge()).toBe(-1);
    a.w(ESR, 0);
    expect(a.r(ESR)).toBe(0x20);
  });

  it('fails stop on INIT and SIPI to another CPU, accepts INIT level de-assert', () => {
    const a = rig();
    a.w(ICR_HI, 1 << 24);
    expectV3(() => a.w(ICR_LO, (5 << 8) | (1 << 14)), 'apic', /INIT to physical destination 0x1: only one core/);
    expectV3(() => a.w(ICR_LO, (6 << 8) | 0x9f), 'apic', /SIPI/);
    a.w(ICR_LO, (2 << 18) | (1 << 15) | (5 << 8));
    expectV3(() => a.w(ICR_LO, (1 << 18) | (4 << 8)), 'apic', /NMI/);
  });
});

describe('LAPIC IA32_APIC_BASE and MMIO', () => {
  it('relocates the register page', () => {
    const a = rig();
    a.w(TPR, 0x20);
    a.vm.wrmsr(0x1b, 0xfed00000n | 0x900n);
    expect(a.vm.rdmsr(0x1b)).toBe(0xfed00900n);
    expect(() => a.r(TPR)).toThrow(/nothing hooks/);
    expect(a.vm.mmioRead(0xfed00000 + TPR, 4)).toBe(0x20);
  });

  it('disabling it unmaps the page, loses the state and lets the 8259A through', () => {
    const a = rig();
    a.w(LVT_LINT0, 0x700 | MASKED);
    expect(a.dev.acceptsPicInterrupts()).toBe(false);
    a.irq(0x40);
    a.vm.wrmsr(0x1b, 0xfee00100n);
    expect(a.dev.isEnabled()).toBe(false);
    expect(a.dev.acceptsPicInterrupts()).toBe(true);
    expect(() => a.r(SVR)).toThrow(/nothing hooks/);
    expect(a.vm.acknowledge()).toBe(-1);
    expect(a.irq(0x41)).toBe(false);
    a.vm.wrmsr(0x1b, 0xfee00900n);
    expect(a.r(SVR)).toBe(0xff);
    expect(bit(a, IRR, 0x40)).toBe(false);
  });

  it('gates the 8259A by LVT LINT0 (ExtINT, unmasked)', () => {
    const a = rig();
    expect(a.dev.acceptsPicInterrupts()).toBe(true);
    a.w(LVT_LINT0, 0x700 | MASKED);
    expect(a.dev.acceptsPicInterrupts()).toBe(false);
    a.w(LVT_LINT0, 0x700);
    expect(a.dev.acceptsPicInterrupts()).toBe(true);
    expectV3(() => a.w(LVT_LINT0, 0x0), 'apic', /only ExtINT/);
  });

  it('reports CPUID.01H:EDX[9] (APIC) on top of the CPU\'s own answer only while globally enabled (SDM 10.4.3)', () => {
    const a = rig();
    const native = [0x633, 0, 0, 0x11] as const;
    expect(a.vm.cpuid(1, 0, native)).toEqual([0x633, 0, 0, 0x211]);
    a.vm.wrmsr(0x1b, 0xfee00100n);
    expect(a.vm.cpuid(1, 0, [0x633, 0, 0, 0x211])).toEqual([0x633, 0, 0, 0x11]);
    a.vm.wrmsr(0x1b, 0xfee00900n);
    expect(a.vm.cpuid(1, 0, native)[3]).toBe(0x211);
    // Other leaves are not the APIC's.
    expect(a.vm.cpuid(0, 0, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });

  it('is the local controller: the 8259A is taken only while LINT0 passes ExtINT, the APIC\'s own vectors first', () => {
    const a = rig();
    let picPending = true;
    // A stand-in 8259A (an external controller) with IR0 pending as vector 0x08.
    a.vm.hostFor('pic').registerIntrController({
      name: 'pic',
      raiseIntr() {},
      lowerIntr() {},
      intrPending: () => picPending,
      getIntrNumber: () => 0x08,
      beginIrq: () => {
        picPending = false;
      },
    });
    expect(a.dev.controller.acceptsExtInt?.()).toBe(true);
    a.irq(0x41);
    expect(a.vm.acknowledge()).toBe(0x41); // the APIC's fixed interrupt before ExtINT
    a.w(LVT_LINT0, 0x700 | MASKED); // Linux masks LINT0 once the IO-APIC carries the ISA IRQs
    expect(a.vm.acknowledge()).toBe(-1);
    a.w(LVT_LINT0, 0x700);
    expect(a.vm.acknowledge()).toBe(0x08);
  });

  it('kicks the core when a write or an accepted message may let an interrupt through', () => {
    const a = rig();
    const before = a.vm.kicks;
    a.irq(0x50);
    expect(a.vm.kicks).toBe(before + 1);
    expect(a.vm.acknowledge()).toBe(0x50);
    a.w(EOI, 0);
    expect(a.vm.kicks).toBe(before + 2);
    a.w(ICR_LO, 0x40051); // fixed IPI to self, vector 0x51
    expect(a.vm.kicks).toBeGreaterThanOrEqual(before + 3);
    expect(a.vm.acknowledge()).toBe(0x51);
    // A message nobody accepts (an illegal vector) does not kick.
    const k = a.vm.kicks;
    expect(a.irq(0x05)).toBe(false);
    expect(a.vm.kicks).toBe(k);
  });

  it('describes itself for the MP table: base, APIC IDs and version', () => {
    const a = rig();
    expect(a.dev.firmwareDescription()).toEqual({ kind: 'local-apic', base: 0xfee00000, apicIds: [0], version: 0x14 });
    a.vm.wrmsr(0x1b, 0xfed00900n);
    expect(a.dev.firmwareDescription()).toMatchObject({ base: 0xfed00000 });
  });

  it('fails stop on x2APIC, reserved MSR bits and a BSP change', () => {
    const a = rig();
    expectV3(() => a.vm.wrmsr(0x1b, 0xfee00d00n), 'apic', /x2APIC/);
    expectV3(() => a.vm.wrmsr(0x1b, 0x1fee00900n | (1n << 40n)), 'apic', /reserved/);
    expectV3(() => a.vm.wrmsr(0x1b, 0xfee00800n), 'apic', /BSP/);
  });

  it('ignores writes to read-only registers (SDM table 10-1)', () => {
    const a = rig();
    a.irq(0x40);
    a.w(VER, 0x00050014 ^ 0x000000ff);
    expect(a.r(VER)).toBe(0x00050014);
    a.w(IRR + 0x20, 0);
    expect(bit(a, IRR, 0x40)).toBe(true);
    for (const off of [APR, PPR, ISR, TMR, 0xc0, TIMER_CUR]) a.w(off, 0xffffffff);
    expect(a.r(PPR)).toBe(0);
    expect(a.r(ISR)).toBe(0);
    expect(a.r(TIMER_CUR)).toBe(0);
  });

  it('fails stop on accesses that are not aligned 32-bit, reserved registers and EOI reads', () => {
    const a = rig();
    expectV3(() => a.vm.mmioRead(BASE + TPR, 1), 'apic', /1-byte read.*TPR/);
    expectV3(() => a.vm.mmioWrite(BASE + TPR + 4, 4, 0), 'apic', /only aligned 32-bit/);
    expectV3(() => a.r(0x40), 'apic', /reserved register 0x040/);
    expectV3(() => a.r(EOI), 'apic', /write-only EOI/);
    try {
      a.r(0x3f0);
    } catch (e) {
      expect((e as V3Error).detail.addr).toBe(BASE + 0x3f0);
    }
  });
});

describe('LAPIC save, load, reset', () => {
  it('restores registers and a running timer', () => {
    const a = rig();
    a.w(TPR, 0x10);
    a.w(LDR, 0x01000000);
    a.w(TIMER_DCR, 0xb);
    a.w(LVT_TIMER, PERIODIC | 0x40);
    a.w(TIMER_INIT, 500);
    a.irq(0x61, true);
    a.vm.acknowledge();
    a.irq(0x33);
    a.vm.clock.step(1234);
    const saved = JSON.parse(JSON.stringify(a.dev.save()));

    const b = rig(false);
    b.vm.clock.step(1234);
    b.dev.load(saved);
    for (const off of [TPR, PPR, LDR, SVR, LVT_TIMER, TIMER_INIT, TIMER_CUR, TIMER_DCR, ISR + 0x30, TMR + 0x30, IRR + 0x10]) {
      expect(b.r(off), `offset ${off.toString(16)}`).toBe(a.r(off));
    }
    expect(b.vm.nextDeadline()).toBe(a.vm.nextDeadline());
    expect(() => b.dev.load({ cores: [{}] })).toThrow(/bad state/);
  });

  it('reset returns to power-up and maps the page back at 0xFEE00000', () => {
    const a = rig();
    a.vm.wrmsr(0x1b, 0xfed00900n);
    a.dev.reset();
    expect(a.vm.rdmsr(0x1b)).toBe(0xfee00900n);
    expect(a.r(SVR)).toBe(0xff);
  });
});

describe('LAPIC debug output', () => {
  it('prints lines prefixed apic: when built with DEBUG_APIC and APIC debugging is on', () => {
    const a = rig();
    a.vm.debugComponents.add('APIC');
    a.irq(0x40);
    a.vm.acknowledge();
    a.w(EOI, 0);
    if (__DEBUG_APIC__) {
      expect(a.vm.log.length).toBeGreaterThan(0);
      for (const line of a.vm.log) expect(line).toMatch(/^debug APIC: apic: /);
    } else {
      expect(a.vm.log).toEqual([]);
    }
  });
});

describe('LAPIC register fuzz', () => {
  it('lets only V3Errors naming the device escape', () => {
    for (const seed of [1, 2, 3, 0xdeadbeef]) {
      const a = rig();
      const rand = seededRandom(seed);
      let stops = 0;
      for (let i = 0; i < 3000; i++) {
        // Mostly aligned registers, sometimes any byte offset and size.
        const odd = (rand() & 7) === 0;
        const offset = odd ? rand() % 0x1000 : (rand() % 0x40) << 4;
        const size = odd ? ([1, 2, 4] as const)[rand() % 3]! : 4;
        try {
          if (rand() & 1) a.vm.mmioWrite(BASE + offset, size, rand());
          else a.vm.mmioRead(BASE + offset, size);
          if ((rand() & 15) === 0) a.vm.clock.step(rand() % 100_000);
          if ((rand() & 7) === 0 && a.vm.acknowledge() >= 0 && rand() & 1) a.w(EOI, 0);
          if ((rand() & 31) === 0) a.irq(rand() & 0xff, (rand() & 1) === 1);
        } catch (e) {
          if (e instanceof V3Error && e.detail.component === 'apic') {
            stops++;
            continue;
          }
          throw e;
        }
      }
      expect(stops).toBeGreaterThan(0);
    }
  });

  it('takes random IA32_APIC_BASE writes: either applied and read back, or a V3Error naming the device', () => {
    const a = rig();
    const rand = seededRandom(12345);
    let applied = 0;
    for (let i = 0; i < 500; i++) {
      // Mostly plausible values (BSP set, a page-aligned base), sometimes any bits at all.
      const wild = (rand() & 3) === 0;
      const value = wild
        ? (BigInt(rand()) << 32n) | BigInt(rand())
        : 0x100n | (BigInt(rand() & 0x1) << 11n) | BigInt((rand() & 0xfffff000) >>> 0) | (BigInt(rand() & 0xf) << 32n);
      try {
        a.vm.wrmsr(0x1b, value);
        expect(a.vm.rdmsr(0x1b)).toBe(value);
        applied++;
        if (value & 0x800n) expect(a.vm.mmioRead(Number(value & 0xfffff000n) + VER, 4)).toBe(0x00050014);
      } catch (e) {
        if (!(e instanceof V3Error) || e.detail.component !== 'apic') throw e;
      }
      a.vm.wrmsr(0x1b, 0xfee00900n);
    }
    expect(applied).toBeGreaterThan(0);
  });
});
