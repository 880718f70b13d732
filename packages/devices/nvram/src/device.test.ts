import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { nvram, type Nvram, type NvramConfig } from './index.js';

const MS = 1_000_000;
const S = 1_000_000_000;

function rtc(extra: Partial<NvramConfig> = {}): { vm: TestHost; dev: Nvram } {
  const vm = createTestHost();
  const dev = vm.attach(nvram, { id: 'nvram', memory: 256, ...extra });
  return { vm, dev };
}

const rd = (vm: TestHost, i: number): number => {
  vm.outb(0x70, i);
  return vm.inb(0x71);
};
const wr = (vm: TestHost, i: number, v: number): void => {
  vm.outb(0x70, i);
  vm.outb(0x71, v);
};
/** Seconds, minutes, hours, day of week, day, month, year, as the chip reads them. */
const clock = (vm: TestHost): number[] => [0, 2, 4, 6, 7, 8, 9].map((i) => rd(vm, i));

function expectThrowV3(f: () => unknown, re: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V3Error);
    expect((e as V3Error).detail.component).toBe('nvram');
    expect((e as V3Error).message).toMatch(re);
    return;
  }
  throw new Error('expected a V3Error');
}

describe('NVRAM configuration', () => {
  it('hooks 0x70/0x71 and drives IRQ 8', () => {
    const { vm } = rtc();
    expect(vm.isHooked(0x70)).toBe(true);
    expect(vm.isHooked(0x71)).toBe(true);
    expect(vm.isHooked(0x72)).toBe(false);
  });

  it('refuses bad keys with key: expected …', () => {
    const p = nvram.validate?.({ class: 'NVRAM', id: 'n', memory: 0, startTime: 'yesterday', boot: 'x', colour: 1 }) ?? [];
    expect(p).toContain('colour: unknown key (expected memory, startTime, boot)');
    expect(p.some((s) => s.startsWith('memory: expected'))).toBe(true);
    expect(p.some((s) => s.startsWith('startTime: expected'))).toBe(true);
    expect(p.some((s) => s.startsWith('boot: expected'))).toBe(true);
    expect(nvram.validate?.({ class: 'NVRAM', id: 'n' })).toEqual([expect.stringMatching(/^memory: expected/)]);
    expect(nvram.validate?.({ class: 'NVRAM', id: 'n', memory: 5000 })).toHaveLength(1);
    expect(nvram.validate?.({ class: 'NVRAM', id: 'n', memory: 64, boot: 'cc' })).toHaveLength(1);
    expect(nvram.validate?.({ class: 'NVRAM', id: 'n', memory: 64, startTime: 0, boot: 'dca' })).toEqual([]);
    expect(nvram.validate?.({ class: 'NVRAM', id: 'n', memory: 64, startTime: '2030-06-01T12:00:00Z' })).toEqual([]);
  });

  it('port 0x70 reads float to 0xFF (it is write-only)', () => {
    const { vm } = rtc();
    vm.outb(0x70, 0x0a);
    expect(vm.inb(0x70)).toBe(0xff);
  });

  it('keeps the NMI mask bit of the index port apart from the index', () => {
    const { vm, dev } = rtc();
    vm.outb(0x70, 0x80 | 0x32);
    expect(dev.rtc.nmiMasked).toBe(true);
    expect(vm.inb(0x71)).toBe(0x20);
    vm.outb(0x70, 0x32);
    expect(dev.rtc.nmiMasked).toBe(false);
  });
});

describe('MC146818A time of day', () => {
  it('starts at the fixed default date, BCD, 24-hour', () => {
    const { vm } = rtc();
    // 2026-01-01 00:00:00 is a Thursday (Sunday = 1).
    expect(clock(vm)).toEqual([0x00, 0x00, 0x00, 0x05, 0x01, 0x01, 0x26]);
    expect(rd(vm, 0x32)).toBe(0x20);
    expect(rd(vm, 0x0a)).toBe(0x26);
    expect(rd(vm, 0x0b)).toBe(0x02);
    expect(rd(vm, 0x0d)).toBe(0x80);
  });

  it('reads the start time in BCD and in binary', () => {
    const { vm } = rtc({ startTime: '2031-11-27T19:45:38Z' });
    expect(clock(vm)).toEqual([0x38, 0x45, 0x19, 0x05, 0x27, 0x11, 0x31]);
    wr(vm, 0x0b, 0x06);
    expect(clock(vm)).toEqual([38, 45, 19, 5, 27, 11, 31]);
  });

  it('takes epoch seconds', () => {
    const { vm } = rtc({ startTime: 86_400 + 3_600 + 60 + 1 });
    expect(clock(vm)).toEqual([0x01, 0x01, 0x01, 0x06, 0x02, 0x01, 0x70]);
    expect(rd(vm, 0x32)).toBe(0x19);
  });

  it('12-hour mode: hours 1-12 with bit 7 = PM', () => {
    const { vm } = rtc({ startTime: '2026-01-01T13:05:00Z' });
    wr(vm, 0x0b, 0x00);
    expect(rd(vm, 0x04)).toBe(0x81);
    wr(vm, 0x0b, 0x04);
    expect(rd(vm, 0x04)).toBe(0x81);
    const noon = rtc({ startTime: '2026-01-01T12:00:00Z' }).vm;
    wr(noon, 0x0b, 0x00);
    expect(rd(noon, 0x04)).toBe(0x92);
    const midnight = rtc({ startTime: '2026-01-01T00:30:00Z' }).vm;
    wr(midnight, 0x0b, 0x00);
    expect(rd(midnight, 0x04)).toBe(0x12);
    // 11:59:59 PM -> 12:00:00 AM of the next day.
    const late = rtc({ startTime: '2026-01-01T23:59:59Z' }).vm;
    wr(late, 0x0b, 0x00);
    expect(rd(late, 0x04)).toBe(0x91);
    late.clock.step(S);
    expect(rd(late, 0x04)).toBe(0x12);
    expect(rd(late, 0x07)).toBe(0x02);
  });

  it('writes the hours in 12-hour mode', () => {
    const { vm, dev } = rtc();
    wr(vm, 0x0b, 0x80);
    wr(vm, 0x04, 0x87);
    expect(dev.rtc.now().hour).toBe(19);
    wr(vm, 0x04, 0x12);
    expect(dev.rtc.now().hour).toBe(0);
    expectThrowV3(() => wr(vm, 0x04, 0x13), /hours \(12-hour mode\).*outside 1-12/);
  });

  it('advances once a second on the guest clock, carrying into minutes, days and years', () => {
    const { vm } = rtc({ startTime: '1999-12-31T23:59:58Z' });
    vm.clock.step(999 * MS);
    expect(rd(vm, 0)).toBe(0x58);
    vm.clock.step(1 * MS);
    expect(rd(vm, 0)).toBe(0x59);
    vm.clock.step(S);
    expect(clock(vm)).toEqual([0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00]);
    // The century byte is RAM: the chip does not carry into it.
    expect(rd(vm, 0x32)).toBe(0x19);
  });

  it('knows leap years (year % 4) and month lengths', () => {
    const { vm } = rtc({ startTime: '2024-02-28T23:59:59Z' });
    vm.clock.step(S);
    expect(rd(vm, 0x07)).toBe(0x29);
    vm.clock.step(86_400 * S);
    expect([rd(vm, 0x07), rd(vm, 0x08)]).toEqual([0x01, 0x03]);
    const { vm: v2 } = rtc({ startTime: '2026-04-30T23:59:59Z' });
    v2.clock.step(S);
    expect([rd(v2, 0x07), rd(v2, 0x08)]).toEqual([0x01, 0x05]);
  });

  it('keeps counting across long gaps (days at a time)', () => {
    const { vm } = rtc({ startTime: '2026-01-01T00:00:00Z' });
    vm.clock.step((400 * 86_400 + 3_723) * S);
    // 400 days after 2026-01-01 is 2027-02-05 (a Friday), plus 1:02:03.
    expect(clock(vm)).toEqual([0x03, 0x02, 0x01, 0x06, 0x05, 0x02, 0x27]);
  });

  it('UIP is set only during the 244 µs before each update', () => {
    const { vm } = rtc({ startTime: '2026-01-01T00:00:00Z' });
    const uip = (): boolean => (rd(vm, 0x0a) & 0x80) !== 0;
    expect(uip()).toBe(false);
    vm.clock.stepTo(S - 245_000);
    expect(uip()).toBe(false);
    expect(rd(vm, 0)).toBe(0x00);
    vm.clock.stepTo(S - 244_000);
    expect(uip()).toBe(true);
    vm.clock.stepTo(S - 1);
    expect(uip()).toBe(true);
    expect(rd(vm, 0)).toBe(0x00);
    vm.clock.stepTo(S);
    expect(uip()).toBe(false);
    expect(rd(vm, 0)).toBe(0x01);
    vm.clock.stepTo(2 * S - 100_000);
    expect(uip()).toBe(true);
  });

  it('SET freezes the time, clears UIP and UIE; the new time runs from the next update', () => {
    const { vm, dev } = rtc();
    wr(vm, 0x0b, 0x12);
    expect(rd(vm, 0x0b)).toBe(0x12);
    vm.clock.stepTo(S - 100_000);
    wr(vm, 0x0b, 0x82 | 0x10);
    // SET going high clears UIE.
    expect(rd(vm, 0x0b)).toBe(0x82);
    expect(rd(vm, 0x0a) & 0x80).toBe(0);
    wr(vm, 0x00, 0x30);
    wr(vm, 0x02, 0x59);
    wr(vm, 0x04, 0x23);
    wr(vm, 0x06, 0x01);
    wr(vm, 0x07, 0x31);
    wr(vm, 0x08, 0x12);
    wr(vm, 0x09, 0x29);
    vm.clock.step(5 * S);
    expect(clock(vm)).toEqual([0x30, 0x59, 0x23, 0x01, 0x31, 0x12, 0x29]);
    wr(vm, 0x0b, 0x02);
    // The divider kept its phase: updates stay on whole seconds of guest time.
    vm.clock.stepTo(6 * S - 1);
    expect(rd(vm, 0)).toBe(0x30);
    vm.clock.stepTo(6 * S);
    expect(rd(vm, 0)).toBe(0x31);
    expect(dev.rtc.now()).toMatchObject({ sec: 31, min: 59, hour: 23, dom: 31, mon: 12, year: 29 });
  });

  it('writes in binary mode and fails stop on values the data mode cannot hold', () => {
    const { vm, dev } = rtc();
    wr(vm, 0x0b, 0x86);
    wr(vm, 0x02, 45);
    expect(dev.rtc.now().min).toBe(45);
    expectThrowV3(() => wr(vm, 0x00, 60), /seconds write 0x3c is outside 0-59 \(binary, 24-hour/);
    wr(vm, 0x0b, 0x82);
    expectThrowV3(() => wr(vm, 0x00, 0x5a), /seconds write 0x5a is not a BCD number/);
    expectThrowV3(() => wr(vm, 0x08, 0x13), /month/);
    expectThrowV3(() => wr(vm, 0x06, 0x00), /day of week/);
  });

  it('registers C and D ignore writes', () => {
    const { vm } = rtc();
    wr(vm, 0x0c, 0xff);
    wr(vm, 0x0d, 0x00);
    expect(rd(vm, 0x0c)).toBe(0x00);
    expect(rd(vm, 0x0d)).toBe(0x80);
  });

  it('DSE: the last Sunday in April skips 2 AM, the last in October repeats 1 AM once', () => {
    // 2026-04-26 is the last Sunday of April.
    const { vm } = rtc({ startTime: '2026-04-26T01:59:59Z' });
    wr(vm, 0x0b, 0x03);
    vm.clock.step(S);
    expect([rd(vm, 4), rd(vm, 2), rd(vm, 0)]).toEqual([0x03, 0x00, 0x00]);
    // 2026-10-25 is the last Sunday of October.
    const { vm: oct } = rtc({ startTime: '2026-10-25T01:59:59Z' });
    wr(oct, 0x0b, 0x03);
    oct.clock.step(S);
    expect([rd(oct, 4), rd(oct, 2), rd(oct, 0)]).toEqual([0x01, 0x00, 0x00]);
    oct.clock.step(3600 * S);
    expect([rd(oct, 4), rd(oct, 2), rd(oct, 0)]).toEqual([0x02, 0x00, 0x00]);
    // Without DSE, nothing special.
    const { vm: plain } = rtc({ startTime: '2026-04-26T01:59:59Z' });
    plain.clock.step(S);
    expect(rd(plain, 4)).toBe(0x02);
  });
});

describe('MC146818A divider', () => {
  it('DV=11x holds the clock; back to 010, the first update comes 500 ms later', () => {
    const { vm } = rtc();
    vm.clock.stepTo(300 * MS);
    wr(vm, 0x0a, 0x76);
    vm.clock.stepTo(10 * S);
    expect(rd(vm, 0)).toBe(0x00);
    expect(rd(vm, 0x0a)).toBe(0x76);
    wr(vm, 0x0a, 0x26);
    vm.clock.stepTo(10 * S + 500 * MS - 245_000);
    expect(rd(vm, 0x0a)).toBe(0x26);
    vm.clock.stepTo(10 * S + 500 * MS - 1);
    expect(rd(vm, 0x0a)).toBe(0xa6);
    expect(rd(vm, 0)).toBe(0x00);
    vm.clock.stepTo(10 * S + 500 * MS);
    expect(rd(vm, 0)).toBe(0x01);
    vm.clock.stepTo(11 * S + 500 * MS);
    expect(rd(vm, 0)).toBe(0x02);
  });

  it('refuses the 4.194304 and 1.048576 MHz time bases and the divider test modes', () => {
    expectThrowV3(() => wr(rtc().vm, 0x0a, 0x06), /DV=000 selects a 4\.194304 MHz time base/);
    expectThrowV3(() => wr(rtc().vm, 0x0a, 0x16), /DV=001 selects a 1\.048576 MHz/);
    expectThrowV3(() => wr(rtc().vm, 0x0a, 0x36), /DV=011 is a divider test mode/);
    expectThrowV3(() => wr(rtc().vm, 0x0a, 0x56), /DV=101/);
  });
});

describe('MC146818A interrupts', () => {
  /** Run one second of guest time from `from`, reading C at every IRQ; returns the edges. */
  function runSecond(vm: TestHost, from: number): number {
    vm.irq(8).reset();
    for (;;) {
      const d = vm.nextDeadline();
      if (d > from + S) break;
      vm.clock.stepTo(d);
      expect(vm.irq(8).level).toBe(true);
      // IRQF and PF (UF too, at whole seconds).
      expect(rd(vm, 0x0c) & 0xe0).toBe(0xc0);
      expect(vm.irq(8).level).toBe(false);
    }
    vm.clock.stepTo(from + S);
    return vm.irq(8).pulses;
  }

  it.each([
    [6, 1024],
    [3, 8192],
    [1, 256],
    [2, 128],
    [8, 256],
    [15, 2],
  ])('rate select %i gives %i IRQ8 edges per second, each re-armed by reading C', (rs, hz) => {
    const { vm } = rtc();
    wr(vm, 0x0a, 0x20 | rs);
    wr(vm, 0x0b, 0x42);
    expect(runSecond(vm, 0)).toBe(hz);
  });

  it('periodic ticks land on exact multiples of the period (976.5625 µs at 1024 Hz)', () => {
    const { vm } = rtc();
    wr(vm, 0x0b, 0x42);
    expect(vm.nextDeadline()).toBe(976_563);
    vm.clock.stepTo(976_562);
    expect(vm.irq(8).level).toBe(false);
    vm.clock.stepTo(976_563);
    expect(vm.irq(8).level).toBe(true);
    rd(vm, 0x0c);
    expect(vm.nextDeadline()).toBe(1_953_125);
  });

  it('without a register C read the line stays high: one edge only', () => {
    const { vm } = rtc();
    wr(vm, 0x0b, 0x42);
    vm.clock.step(S);
    expect(vm.irq(8).pulses).toBe(1);
    expect(vm.irq(8).level).toBe(true);
    expect(vm.nextDeadline()).toBe(Infinity);
    expect(rd(vm, 0x0c)).toBe(0xd0);
    expect(vm.irq(8).level).toBe(false);
    expect(rd(vm, 0x0c)).toBe(0x00);
  });

  it('sets PF and UF without their enables (polling), with IRQF clear and no IRQ', () => {
    const { vm } = rtc();
    expect(vm.nextDeadline()).toBe(Infinity);
    vm.clock.step(S);
    expect(rd(vm, 0x0c)).toBe(0x50);
    expect(vm.irq(8).pulses).toBe(0);
    // Enabling PIE while PF is set asserts IRQ at once.
    vm.clock.step(MS);
    wr(vm, 0x0b, 0x42);
    expect(vm.irq(8).level).toBe(true);
  });

  it('update-ended interrupt once a second', () => {
    const { vm } = rtc();
    wr(vm, 0x0b, 0x12);
    expect(vm.nextDeadline()).toBe(S);
    expect(runSecond(vm, 0)).toBe(1);
    expect(runSecond(vm, S)).toBe(1);
    expect(vm.irq(8).events[0]?.atNs).toBe(2 * S);
  });

  it('alarm fires when hours, minutes and seconds match', () => {
    const { vm } = rtc({ startTime: '2026-01-01T10:20:00Z' });
    // No periodic rate, so register C shows IRQF, AF and UF only.
    wr(vm, 0x0a, 0x20);
    wr(vm, 0x01, 0x05);
    wr(vm, 0x03, 0x20);
    wr(vm, 0x05, 0x10);
    wr(vm, 0x0b, 0x22);
    vm.clock.stepTo(5 * S - 1);
    expect(vm.irq(8).level).toBe(false);
    vm.clock.stepTo(5 * S);
    expect(vm.irq(8).level).toBe(true);
    expect(rd(vm, 0x0c)).toBe(0xb0);
    vm.clock.step(100 * S);
    expect(vm.irq(8).level).toBe(false);
    expect(rd(vm, 0x0c) & 0x20).toBe(0);
  });

  it('alarm don\'t-care bytes (0xC0-0xFF) match every value', () => {
    const { vm } = rtc({ startTime: '2026-01-01T10:20:00Z' });
    wr(vm, 0x01, 0x30);
    wr(vm, 0x03, 0xc0);
    wr(vm, 0x05, 0xff);
    wr(vm, 0x0b, 0x22);
    let edges = 0;
    for (let i = 0; i < 300; i++) {
      vm.clock.step(S);
      if (vm.irq(8).level) {
        edges++;
        expect(rd(vm, 0)).toBe(0x30);
        rd(vm, 0x0c);
      }
    }
    expect(edges).toBe(5);
    // All three don't care: every second.
    wr(vm, 0x01, 0xc0);
    vm.irq(8).reset();
    for (let i = 0; i < 10; i++) {
      vm.clock.step(S);
      rd(vm, 0x0c);
    }
    expect(vm.irq(8).pulses).toBe(10);
  });

  it('alarm compares in the current format (12-hour, PM)', () => {
    const { vm } = rtc({ startTime: '2026-01-01T14:59:59Z' });
    wr(vm, 0x0b, 0x20);
    wr(vm, 0x01, 0x00);
    wr(vm, 0x03, 0x00);
    wr(vm, 0x05, 0x83);
    vm.clock.step(S);
    expect(vm.irq(8).level).toBe(true);
  });

  it('sets AF for an alarm passed during a long gap, even without AIE', () => {
    const { vm } = rtc({ startTime: '2026-01-01T00:00:00Z' });
    wr(vm, 0x01, 0x00);
    wr(vm, 0x03, 0x00);
    wr(vm, 0x05, 0x05);
    vm.clock.step(3 * 86_400 * S);
    expect(rd(vm, 0x0c) & 0x20).toBe(0x20);
  });

  it('reset clears the enables and flags and lowers IRQ 8; time and RAM survive', () => {
    const { vm, dev } = rtc();
    wr(vm, 0x0b, 0x7a);
    wr(vm, 0x40, 0x5a);
    vm.clock.step(S);
    expect(vm.irq(8).level).toBe(true);
    dev.reset();
    expect(vm.irq(8).level).toBe(false);
    expect(rd(vm, 0x0b)).toBe(0x02);
    expect(rd(vm, 0x0c)).toBe(0x00);
    expect(rd(vm, 0x40)).toBe(0x5a);
    expect(rd(vm, 0)).toBe(0x01);
  });
});

describe('PC/AT CMOS layout', () => {
  it.each([
    // MiB, ext KiB (0x17/0x18 = 0x30/0x31), 64 KiB blocks above 16 MiB (0x34/0x35)
    [16, 0x3c00, 0x0000],
    [64, 0xfc00, 0x0300],
    [256, 0xffff, 0x0f00],
    [3072, 0xffff, 0xbf00],
    [1, 0x0000, 0x0000],
    [4096, 0xffff, 0xff00],
  ])('%i MiB: extended 0x%s KiB, blocks above 16 MiB', (mib, ext, above16) => {
    const { vm } = rtc({ memory: mib });
    expect(rd(vm, 0x15) | (rd(vm, 0x16) << 8)).toBe(640);
    expect(rd(vm, 0x17) | (rd(vm, 0x18) << 8)).toBe(ext);
    expect(rd(vm, 0x30) | (rd(vm, 0x31) << 8)).toBe(ext);
    expect(rd(vm, 0x34) | (rd(vm, 0x35) << 8)).toBe(above16);
    expect([rd(vm, 0x5b), rd(vm, 0x5c), rd(vm, 0x5d)]).toEqual([0, 0, 0]);
  });

  it('checksums 0x10-0x2D into 0x2E (high) / 0x2F (low)', () => {
    for (const mib of [16, 64, 256, 3072]) {
      const { vm } = rtc({ memory: mib });
      let sum = 0;
      for (let i = 0x10; i <= 0x2d; i++) sum += rd(vm, i);
      expect(sum).toBeGreaterThan(0);
      expect((rd(vm, 0x2e) << 8) | rd(vm, 0x2f)).toBe(sum);
    }
    // 64 MiB: equipment 0x02 + base 0x80 0x02 + ext 0x00 0xFC = 0x180.
    const { vm } = rtc({ memory: 64 });
    expect([rd(vm, 0x2e), rd(vm, 0x2f)]).toEqual([0x01, 0x80]);
  });

  it('status, drive and equipment bytes', () => {
    const { vm } = rtc();
    expect([rd(vm, 0x0e), rd(vm, 0x0f), rd(vm, 0x10), rd(vm, 0x12), rd(vm, 0x14)]).toEqual([0, 0, 0, 0, 0x02]);
  });

  it.each([
    ['cd', 0x32, 0x00],
    ['c', 0x02, 0x00],
    ['d', 0x03, 0x00],
    ['dca', 0x23, 0x10],
    ['acd', 0x21, 0x30],
    ['n', 0x04, 0x00],
  ])('boot order %s -> 0x3D = 0x%s, 0x38 = 0x%s', (boot, b3d, b38) => {
    const { vm } = rtc({ boot });
    expect(rd(vm, 0x3d)).toBe(b3d);
    expect(rd(vm, 0x38)).toBe(b38);
  });

  it('the rest of the RAM is plain storage, and the shutdown byte survives reset', () => {
    const { vm, dev } = rtc();
    for (let i = 0x0e; i < 0x80; i++) wr(vm, i, i ^ 0xa5);
    wr(vm, 0x01, 0x12);
    dev.reset();
    for (let i = 0x0e; i < 0x80; i++) expect(rd(vm, i)).toBe(i ^ 0xa5);
    expect(rd(vm, 0x01)).toBe(0x12);
  });
});

describe('NVRAM checkpoint', () => {
  it('save/load restores time, registers, RAM and the pending interrupt', () => {
    const a = rtc({ startTime: '2026-05-05T05:05:05Z' });
    wr(a.vm, 0x0a, 0x2a);
    wr(a.vm, 0x0b, 0x46);
    wr(a.vm, 0x50, 0x77);
    a.vm.clock.step(3 * S + 123);
    const state = JSON.parse(JSON.stringify(a.dev.save())) as unknown;

    const b = rtc({ startTime: 0 });
    b.vm.clock.step(3 * S + 123);
    b.dev.load(state);
    expect(b.vm.irq(8).level).toBe(true);
    expect(clock(b.vm)).toEqual(clock(a.vm));
    expect(rd(b.vm, 0x50)).toBe(0x77);
    expect(rd(b.vm, 0x0a)).toBe(0x2a);
    // Both continue alike.
    rd(a.vm, 0x0c);
    rd(b.vm, 0x0c);
    expect(b.vm.nextDeadline()).toBe(a.vm.nextDeadline());
    a.vm.clock.step(10 * S);
    b.vm.clock.step(10 * S);
    expect(clock(b.vm)).toEqual(clock(a.vm));
  });

  it('load refuses a malformed state', () => {
    const { dev } = rtc();
    expectThrowV3(() => dev.load({ index: 1 }), /load: bad state/);
    const s = dev.save();
    expectThrowV3(() => dev.load({ ...s, time: { ...s.time, mon: 13 } }), /time\.mon/);
    expectThrowV3(() => dev.load({ ...s, ram: [1, 2] }), /ram/);
  });
});

describe('NVRAM register fuzz', () => {
  it.each([1, 2, 3, 42, 1234])('seed %i: only V3Errors naming the device escape', (seed) => {
    const vm = createTestHost();
    vm.attach(nvram, { id: 'nvram', memory: 128 });
    const stops = fuzzPorts(vm, [0x70, 0x71], { seed, steps: 5000, deviceId: 'nvram' });
    expect(stops).toBeGreaterThanOrEqual(0);
  });
});

describe('firmware and OS sequences', () => {
  it("Linux's mc146818_set_time: SET, divider reset, write, restore; updates resume 500 ms later", () => {
    const { vm, dev } = rtc();
    vm.clock.stepTo(7 * S + 300 * MS);
    const control = rd(vm, 0x0b);
    wr(vm, 0x0b, control | 0x80);
    const freq = rd(vm, 0x0a);
    wr(vm, 0x0a, freq | 0x70);
    for (const [i, v] of [[0x09, 0x27], [0x08, 0x03], [0x07, 0x14], [0x04, 0x15], [0x02, 0x09], [0x00, 0x26]] as const) wr(vm, i, v);
    wr(vm, 0x0b, control);
    wr(vm, 0x0a, freq);
    expect(dev.rtc.now()).toMatchObject({ year: 27, mon: 3, dom: 14, hour: 15, min: 9, sec: 26 });
    vm.clock.stepTo(7 * S + 800 * MS - 1);
    expect(rd(vm, 0x00)).toBe(0x26);
    vm.clock.stepTo(7 * S + 800 * MS);
    expect(rd(vm, 0x00)).toBe(0x27);
  });

  it('a reader that waits for UIP to clear always sees a consistent time', () => {
    const { vm } = rtc({ startTime: '2026-12-31T23:59:59Z' });
    vm.clock.stepTo(S - 100_000);
    let spins = 0;
    while (rd(vm, 0x0a) & 0x80) {
      vm.clock.step(10_000);
      spins++;
    }
    expect(spins).toBe(10);
    expect(clock(vm)).toEqual([0x00, 0x00, 0x00, 0x06, 0x01, 0x01, 0x27]);
  });
});

describe('NVRAM debug output', () => {
  it('prints MC146818 lines only when compiled in (DEBUG_NVRAM=1) and switched on', () => {
    const vm = createTestHost();
    vm.debugComponents.add('NVRAM');
    vm.attach(nvram, { id: 'nvram', memory: 64 });
    wr(vm, 0x0b, 0x02);
    vm.clock.step(S);
    rd(vm, 0);
    const lines = vm.log.filter((l) => l.startsWith('debug NVRAM: MC146818:'));
    if (__DEBUG_NVRAM__) expect(lines.length).toBeGreaterThanOrEqual(3);
    else expect(lines).toEqual([]);
  });
});
