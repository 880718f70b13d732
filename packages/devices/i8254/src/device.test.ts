import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { i8254, PIT_PORTS } from './index.js';
import { nsAtTick, ticksAt } from './pit.js';

const CTRL = 0x43;
const S = 1_000_000_000;

function vmWithPit(cfg: { irq?: number } = {}): TestHost {
  const vm = createTestHost();
  vm.attach(i8254, { id: 'PIT', ...cfg });
  return vm;
}

/** Program `ch` with mode `mode`, LSB/MSB access, binary (or BCD), count `n`. */
function program(vm: TestHost, ch: number, mode: number, n: number, bcd = false): void {
  vm.outb(CTRL, (ch << 6) | 0x30 | (mode << 1) | (bcd ? 1 : 0));
  vm.outb(0x40 + ch, n & 0xff);
  vm.outb(0x40 + ch, (n >> 8) & 0xff);
}

/** Read `ch`'s count after a counter latch command. */
function latched(vm: TestHost, ch: number): number {
  vm.outb(CTRL, ch << 6);
  const lo = vm.inb(0x40 + ch);
  return lo | (vm.inb(0x40 + ch) << 8);
}

const toTick = (vm: TestHost, tick: number) => vm.clock.stepTo(nsAtTick(tick));
const eventTicks = (vm: TestHost, kind: 'raise' | 'lower', line = 0) =>
  vm.irq(line).events.filter((e) => e.kind === kind).map((e) => ticksAt(e.atNs));
const out2 = (vm: TestHost) => (vm.inb(0x61) & 0x20) !== 0;

describe('8254 mode 2, rate generator', () => {
  it('pulses IRQ0 every 10 ms at divisor 11932: 100 edges in 1 s', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 11932);
    vm.clock.step(S);
    // OUT rises when the mode is set, then once per period.
    expect(vm.irq(0).pulses).toBe(100);
    const rises = eventTicks(vm, 'raise');
    for (let i = 2; i < rises.length; i++) expect(rises[i]! - rises[i - 1]!).toBe(11932);
  });

  it('drops OUT for exactly one CLK when the count reaches 1', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 100); // written at tick 0, loaded at tick 1
    toTick(vm, 1000);
    expect(eventTicks(vm, 'lower').slice(0, 3)).toEqual([100, 200, 300]);
    expect(eventTicks(vm, 'raise').slice(0, 4)).toEqual([0, 101, 201, 301]);
  });

  it('a halted VM wakes exactly on time: the deadline is the next OUT change', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 11932);
    expect(vm.nextDeadline()).toBe(nsAtTick(11932));
    vm.clock.stepTo(vm.nextDeadline());
    expect(vm.irq(0).level).toBe(false);
    expect(vm.nextDeadline()).toBe(nsAtTick(11933));
    vm.clock.stepTo(vm.nextDeadline());
    expect(vm.irq(0).level).toBe(true);
  });

  it('counts down from N and reloads; a new count waits for the next reload', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 1000);
    toTick(vm, 301);
    expect(latched(vm, 0)).toBe(700);
    vm.outb(0x40, 0x64); // new count 100 ...
    vm.outb(0x40, 0x00);
    toTick(vm, 600);
    expect(latched(vm, 0)).toBe(401); // ... not yet
    toTick(vm, 1100);
    expect(eventTicks(vm, 'lower')).toEqual([1000, 1100]);
  });

  it('GATE low forces OUT high and stops counting; its rising edge reloads (counter 2)', () => {
    const vm = vmWithPit();
    vm.outb(0x61, 0x01);
    program(vm, 2, 2, 50);
    toTick(vm, 49);
    expect(out2(vm)).toBe(true);
    toTick(vm, 50);
    expect(out2(vm)).toBe(false);
    vm.outb(0x61, 0x00); // GATE low during the low CLK: OUT high at once
    expect(out2(vm)).toBe(true);
    toTick(vm, 500);
    expect(latched(vm, 2)).toBe(1);
    vm.outb(0x61, 0x01); // reload on the next CLK
    toTick(vm, 500 + 49);
    expect(out2(vm)).toBe(true);
    toTick(vm, 500 + 50);
    expect(out2(vm)).toBe(false);
  });
});

describe('8254 mode 0, interrupt on terminal count', () => {
  it('raises OUT N+1 CLKs after the count is written, and only once', () => {
    const vm = vmWithPit();
    program(vm, 0, 0, 1000);
    expect(vm.irq(0).level).toBe(false);
    vm.clock.stepTo(nsAtTick(1001) - 1);
    expect(vm.irq(0).level).toBe(false);
    vm.clock.step(1);
    expect(vm.irq(0).level).toBe(true);
    // The counter wraps and keeps counting after terminal count.
    toTick(vm, 1001 + 10);
    expect(latched(vm, 0)).toBe(0xffff - 9);
    vm.clock.step(S);
    expect(vm.irq(0).pulses).toBe(1);
  });

  it('a new count drops OUT and restarts; GATE low suspends counting (counter 2)', () => {
    const vm = vmWithPit();
    program(vm, 0, 0, 10);
    toTick(vm, 20);
    expect(vm.irq(0).level).toBe(true);
    vm.outb(0x40, 5); // first byte: counting stops, OUT low
    expect(vm.irq(0).level).toBe(false);
    vm.outb(0x40, 0);
    toTick(vm, 26);
    expect(vm.irq(0).level).toBe(true);

    vm.outb(0x61, 0x01);
    program(vm, 2, 0, 100);
    toTick(vm, 26 + 40);
    vm.outb(0x61, 0x00);
    const held = latched(vm, 2);
    toTick(vm, 1000);
    expect(latched(vm, 2)).toBe(held);
    expect(out2(vm)).toBe(false);
    vm.outb(0x61, 0x01);
    toTick(vm, 1000 + held - 1);
    expect(out2(vm)).toBe(false);
    toTick(vm, 1000 + held);
    expect(out2(vm)).toBe(true);
  });
});

describe('8254 mode 3, square wave', () => {
  it('even count: high N/2, low N/2, one IRQ edge per period', () => {
    const vm = vmWithPit();
    program(vm, 0, 3, 1000);
    toTick(vm, 3001);
    expect(eventTicks(vm, 'lower')).toEqual([501, 1501, 2501]);
    expect(eventTicks(vm, 'raise')).toEqual([0, 1001, 2001, 3001]);
  });

  it('odd count: high (N+1)/2, low (N-1)/2', () => {
    const vm = vmWithPit();
    program(vm, 0, 3, 5);
    toTick(vm, 12);
    expect(eventTicks(vm, 'lower')).toEqual([4, 9]);
    expect(eventTicks(vm, 'raise')).toEqual([0, 6, 11]);
  });

  it('odd count: loses one on the first CLK of the high half and three on the first of the low half', () => {
    const vm = vmWithPit();
    program(vm, 0, 3, 5);
    const seen: number[] = [];
    for (let t = 1; t <= 6; t++) {
      toTick(vm, t);
      seen.push(latched(vm, 0));
    }
    expect(seen).toEqual([5, 4, 2, 5, 2, 5]);
  });

  it('counts by two', () => {
    const vm = vmWithPit();
    program(vm, 0, 3, 1000);
    toTick(vm, 11);
    expect(latched(vm, 0)).toBe(980);
  });

  it('takes a new count at the end of the current half-cycle', () => {
    const vm = vmWithPit();
    program(vm, 0, 3, 1000);
    toTick(vm, 100);
    program(vm, 0, 3, 1000); // a control word restarts the counter
    vm.irq(0).reset();
    toTick(vm, 200);
    vm.outb(0x40, 0x64); // 100, mid high half
    vm.outb(0x40, 0x00);
    toTick(vm, 1000);
    // The high half of 1000 ends at 101+500; the new count's low half (50) then high half (50).
    expect(eventTicks(vm, 'lower')[0]).toBe(601);
    expect(eventTicks(vm, 'raise')[0]).toBe(651);
    expect(eventTicks(vm, 'lower')[1]).toBe(701);
  });
});

describe('8254 one-shots and strobes', () => {
  it('mode 1: a GATE rising edge drops OUT for N CLKs, and retriggers', () => {
    const vm = vmWithPit();
    program(vm, 2, 1, 50);
    expect(out2(vm)).toBe(true);
    toTick(vm, 10);
    vm.outb(0x61, 0x01); // trigger at tick 10: load at 11
    expect(out2(vm)).toBe(true);
    toTick(vm, 11);
    expect(out2(vm)).toBe(false);
    toTick(vm, 40);
    vm.outb(0x61, 0x00);
    vm.outb(0x61, 0x01); // retrigger at 40: low until 41 + 50
    toTick(vm, 90);
    expect(out2(vm)).toBe(false);
    toTick(vm, 91);
    expect(out2(vm)).toBe(true);
  });

  it('mode 4: OUT strobes low for one CLK N+1 CLKs after the write', () => {
    const vm = vmWithPit();
    program(vm, 0, 4, 10);
    toTick(vm, 1000);
    expect(eventTicks(vm, 'lower')).toEqual([11]);
    expect(eventTicks(vm, 'raise')).toEqual([0, 12]);
  });

  it('mode 5: a GATE trigger strobes OUT low one CLK after N', () => {
    const vm = vmWithPit();
    program(vm, 2, 5, 20);
    toTick(vm, 5);
    vm.outb(0x61, 0x01);
    toTick(vm, 5 + 1 + 20 - 1);
    expect(out2(vm)).toBe(true);
    toTick(vm, 5 + 1 + 20);
    expect(out2(vm)).toBe(false);
    toTick(vm, 5 + 1 + 21);
    expect(out2(vm)).toBe(true);
  });

  it('modes 1 and 5 on counter 0 never trigger: its GATE is tied high', () => {
    const vm = vmWithPit();
    program(vm, 0, 1, 10);
    vm.clock.step(S);
    expect(vm.irq(0).level).toBe(true);
    expect(vm.nextDeadline()).toBe(Infinity);
  });
});

describe('8254 access modes, latches and read-back', () => {
  it('LSB-only and MSB-only counts fill the other byte with zero', () => {
    const vm = vmWithPit();
    vm.outb(CTRL, 0x14); // counter 0, LSB only, mode 2
    vm.outb(0x40, 0x80);
    toTick(vm, 300);
    expect(eventTicks(vm, 'lower')).toEqual([128, 256]);
    vm.outb(CTRL, 0x24); // MSB only
    vm.outb(0x40, 0x01);
    vm.irq(0).reset();
    toTick(vm, 300 + 1 + 256);
    expect(eventTicks(vm, 'lower')).toEqual([300 + 256]);
    expect(vm.inb(0x40)).toBe(0x01); // MSB-only read: the count has just reloaded to 0x0100
  });

  it('reads LSB then MSB, with its own flip-flop beside the write one', () => {
    const vm = vmWithPit();
    program(vm, 1, 2, 0x1234);
    toTick(vm, 1); // the count loads on the first CLK after the write
    vm.outb(CTRL, 0x40);
    expect(vm.inb(0x41)).toBe(0x34);
    vm.outb(0x41, 0x00); // write LSB between the reads (datasheet allows interleaving)
    expect(vm.inb(0x41)).toBe(0x12);
    vm.outb(0x41, 0x20);
    toTick(vm, 10);
    expect(latched(vm, 1)).toBe(0x1234 - 9); // the new count 0x2000 waits for the reload
  });

  it('a second latch command is ignored until the first is read', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 1000);
    toTick(vm, 101);
    vm.outb(CTRL, 0x00);
    toTick(vm, 201);
    vm.outb(CTRL, 0x00);
    expect(vm.inb(0x40) | (vm.inb(0x40) << 8)).toBe(900);
    expect(latched(vm, 0)).toBe(800);
  });

  it('read-back latches status then count, for any set of counters', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 1000);
    vm.outb(CTRL, 0xb6); // counter 2, LSB/MSB, mode 3 (110 form is mode 2; 011 is mode 3)
    vm.outb(0x42, 0x10);
    // Counter 2's GATE is low: the count is not loaded, NULL COUNT stays set.
    toTick(vm, 11);
    vm.outb(CTRL, 0xc2 | 0x08); // COUNT and STATUS of counters 0 and 2
    expect(vm.inb(0x40)).toBe(0x80 | 0x30 | 0x04); // OUT high, not null, LSB/MSB, mode 2
    expect(vm.inb(0x40) | (vm.inb(0x40) << 8)).toBe(990);
    expect(vm.inb(0x42)).toBe(0x80 | 0x40 | 0x30 | 0x06); // null count: MSB not written yet
  });

  it('NULL COUNT is set from the write until the next CLK loads the count', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 500);
    vm.outb(CTRL, 0xe2); // status only, counter 0
    expect(vm.inb(0x40) & 0x40).toBe(0x40);
    toTick(vm, 1);
    vm.outb(CTRL, 0xe2);
    expect(vm.inb(0x40) & 0x40).toBe(0);
    vm.outb(CTRL, 0x31);
    vm.outb(CTRL, 0xe2); // control word: OUT low (mode 0), null count, BCD bit
    expect(vm.inb(0x40)).toBe(0x40 | 0x30 | 0x01);
  });

  it('counts and reads in BCD', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 0x1000, true); // 1000 decimal
    toTick(vm, 1 + 1);
    expect(latched(vm, 0)).toBe(0x0999);
    toTick(vm, 2100);
    expect(eventTicks(vm, 'lower')).toEqual([1000, 2000]);
    program(vm, 0, 0, 0x0000, true); // 0 = 10000 in BCD
    vm.irq(0).reset();
    toTick(vm, 2100 + 10001);
    expect(vm.irq(0).pulses).toBe(1);
    expect(eventTicks(vm, 'raise')).toEqual([2100 + 10001]);
  });
});

describe('8254 port 0x61', () => {
  it('reads back GATE2 and speaker data, ignores writes to status bits, and toggles refresh', () => {
    const vm = vmWithPit();
    vm.outb(0x61, 0xf3);
    const v = vm.inb(0x61);
    expect(v & 0x0f).toBe(0x03);
    expect(v & 0xc0).toBe(0);
    const refresh = () => (vm.inb(0x61) & 0x10) !== 0;
    vm.clock.stepTo(15_085 * 10);
    const a = refresh();
    vm.clock.step(15_084);
    expect(refresh()).toBe(a);
    vm.clock.step(1);
    expect(refresh()).toBe(!a);
  });
});

describe('8254 configuration', () => {
  it('drives the configured IRQ line', () => {
    const vm = vmWithPit({ irq: 5 });
    program(vm, 0, 2, 100);
    vm.clock.step(1_000_000);
    expect(vm.irq(5).pulses).toBeGreaterThan(10);
    expect(vm.irq(0).pulses).toBe(0);
  });

  it('refuses a bad irq and unknown keys', () => {
    expect(() => vmWithPit({ irq: -1 })).toThrow(/irq: expected/);
    expect(() => createTestHost().attach(i8254, { id: 'PIT', hz: 1 } as never)).toThrow(/hz: unknown option/);
  });
});

describe('8254 refusals (fail stop)', () => {
  it('refuses what it does not implement, naming the device and port', () => {
    const vm = vmWithPit();
    expect(() => vm.outb(0x40, 1)).toThrow(/\[PIT\] unsupported count write to counter 0 before any control word \(port=0x0040\)/);
    expect(() => vm.inb(0x41)).toThrow(/before any control word/);
    expect(() => vm.inb(CTRL)).toThrow(/write only/);
    expect(() => vm.outb(CTRL, 0xc3)).toThrow(/read-back.*D0/);
    vm.outb(CTRL, 0x14);
    expect(() => vm.outb(0x40, 1)).toThrow(/count 1 .* mode 2/);
    vm.outb(CTRL, 0x17);
    expect(() => vm.outb(0x40, 0x1a)).toThrow(/not a BCD number/);
    expect(() => vm.device<ReturnType<typeof i8254.create>>('PIT').load({ channels: [] })).toThrow(V3Error);
  });
});

describe('8254 checkpoint and reset', () => {
  it('a restored timer continues exactly as the original', () => {
    const a = vmWithPit();
    program(a, 0, 3, 777);
    vm2Step(a, 12345);
    const saved = JSON.parse(JSON.stringify(a.device<ReturnType<typeof i8254.create>>('PIT').save()));
    const t0 = nsAtTick(12345);

    const b = vmWithPit();
    b.clock.stepTo(t0);
    b.device<ReturnType<typeof i8254.create>>('PIT').load(saved);
    a.irq(0).reset();
    b.irq(0).reset();
    a.clock.step(10_000_000);
    b.clock.step(10_000_000);
    expect(b.irq(0).events).toEqual(a.irq(0).events);
    expect(latched(b, 0)).toBe(latched(a, 0));
  });

  it('reset returns every counter to power-on and lowers IRQ0', () => {
    const vm = vmWithPit();
    program(vm, 0, 2, 1000);
    expect(vm.irq(0).level).toBe(true);
    vm.device<ReturnType<typeof i8254.create>>('PIT').reset();
    expect(vm.irq(0).level).toBe(false);
    expect(vm.nextDeadline()).toBe(Infinity);
    expect(() => vm.inb(0x40)).toThrow(/before any control word/);
  });
});

describe('8254 debug output', () => {
  it('prints 8254: lines only when compiled in and switched on', () => {
    const vm = vmWithPit();
    vm.debugComponents.add('PIT');
    program(vm, 0, 2, 100);
    vm.clock.step(1_000_000);
    const lines = vm.log.filter((l) => l.startsWith('debug PIT: 8254:'));
    if (__DEBUG_PIT__) {
      expect(lines.some((l) => l.includes('control word'))).toBe(true);
      expect(lines.some((l) => l.includes('IRQ 0 raised'))).toBe(true);
    } else {
      expect(lines).toEqual([]);
    }
  });
});

describe('8254 register fuzz', () => {
  it('lets only V3Errors naming the PIT escape', () => {
    for (const seed of [1, 42, 0xc0ffee, 777]) {
      const vm = vmWithPit();
      const stops = fuzzPorts(vm, PIT_PORTS, { seed, steps: 3000, deviceId: 'PIT' });
      expect(stops).toBeGreaterThan(0);
    }
  });
});

function vm2Step(vm: TestHost, tick: number): void {
  toTick(vm, tick);
}
