import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { i8259a, PIC_PORTS } from './index.js';

const M = 0x20; // master A0=0
const MD = 0x21; // master A0=1
const S = 0xa0;
const SD = 0xa1;

/** The PC BIOS initialization: master vectors 0x08, slave 0x70, cascade on IR2, 8086 mode. */
function boot(opts: { masterIcw4?: number; slaveIcw4?: number; ltim?: boolean } = {}): TestHost {
  const vm = createTestHost();
  vm.attach(i8259a, { id: 'PIC' });
  const icw1 = 0x11 | (opts.ltim ? 0x08 : 0);
  vm.outb(M, icw1); vm.outb(MD, 0x08); vm.outb(MD, 0x04); vm.outb(MD, opts.masterIcw4 ?? 0x01);
  vm.outb(S, icw1); vm.outb(SD, 0x70); vm.outb(SD, 0x02); vm.outb(SD, opts.slaveIcw4 ?? 0x01);
  return vm;
}

const pic = (vm: TestHost) => vm.controllers[0]!;
const readIsr = (vm: TestHost, port: number): number => { vm.outb(port, 0x0b); const v = vm.inb(port); vm.outb(port, 0x0a); return v; };
const readIrr = (vm: TestHost, port: number): number => { vm.outb(port, 0x0a); return vm.inb(port); };
const eoi = (vm: TestHost, port: number) => vm.outb(port, 0x20);

describe('8259A initialization', () => {
  it('walks ICW1-ICW4, clears the mask, and reads IMR, IRR and ISR back', () => {
    const vm = boot();
    expect(vm.inb(MD)).toBe(0);
    vm.outb(MD, 0xb8);
    expect(vm.inb(MD)).toBe(0xb8);
    vm.outb(MD, 0);
    vm.irq(3).reset();
    vm.controllers[0]!.raiseIntr(3);
    expect(readIrr(vm, M)).toBe(0x08);
    expect(readIsr(vm, M)).toBe(0);
    expect(vm.acknowledge()).toBe(0x0b);
    expect(readIsr(vm, M)).toBe(0x08);
    expect(readIrr(vm, M)).toBe(0);
  });

  it('delivers nothing before initialization, and a mask written before ICW1 works', () => {
    const vm = createTestHost();
    vm.attach(i8259a, { id: 'PIC' });
    vm.outb(MD, 0xfe);
    expect(vm.inb(MD)).toBe(0xfe);
    pic(vm).raiseIntr(4);
    expect(pic(vm).intrPending()).toBe(false);
  });

  it('ICW1 clears the mask and requires a fresh rising edge', () => {
    const vm = boot();
    pic(vm).raiseIntr(4);
    vm.outb(MD, 0xff);
    vm.outb(M, 0x11); vm.outb(MD, 0x08); vm.outb(MD, 0x04); vm.outb(MD, 0x01);
    expect(vm.inb(MD)).toBe(0);
    expect(pic(vm).intrPending()).toBe(false); // IR4 is still high, but no new edge yet
    pic(vm).lowerIntr(4);
    pic(vm).raiseIntr(4);
    expect(vm.acknowledge()).toBe(0x0c);
  });

  it('single mode skips ICW3 and gives IR2 its own vector', () => {
    const vm = createTestHost();
    vm.attach(i8259a, { id: 'PIC' });
    vm.outb(M, 0x13); vm.outb(MD, 0x20); vm.outb(MD, 0x01);
    vm.outb(MD, 0x12); // the next write is OCW1, not ICW3
    expect(vm.inb(MD)).toBe(0x12);
    vm.outb(MD, 0);
    // Slave not programmed: its INT is low, so the master's IR2 never fires; IRQ 5 does.
    pic(vm).raiseIntr(5);
    expect(vm.acknowledge()).toBe(0x25);
  });
});

describe('8259A priority and EOI', () => {
  it('serves IR0 before IR7 and nests only higher levels (fully nested mode)', () => {
    const vm = boot();
    pic(vm).raiseIntr(3);
    pic(vm).raiseIntr(1);
    expect(vm.acknowledge()).toBe(0x09);
    expect(pic(vm).intrPending()).toBe(false); // IR3 waits behind IR1 in service
    pic(vm).raiseIntr(0);
    expect(vm.acknowledge()).toBe(0x08); // IR0 nests above IR1
    expect(readIsr(vm, M)).toBe(0x03);
    eoi(vm, M); // clears IR0, the highest in service
    expect(readIsr(vm, M)).toBe(0x02);
    eoi(vm, M);
    expect(vm.acknowledge()).toBe(0x0b);
  });

  it('specific EOI clears the named level only', () => {
    const vm = boot();
    pic(vm).raiseIntr(5);
    expect(vm.acknowledge()).toBe(0x0d);
    pic(vm).raiseIntr(1);
    expect(vm.acknowledge()).toBe(0x09);
    vm.outb(M, 0x65); // specific EOI IR5
    expect(readIsr(vm, M)).toBe(0x02);
  });

  it('set priority makes the named level lowest', () => {
    const vm = boot();
    vm.outb(M, 0xc3); // IR3 lowest: order 4 5 6 7 0 1 2 3
    pic(vm).raiseIntr(1);
    pic(vm).raiseIntr(6);
    expect(vm.acknowledge()).toBe(0x0e);
  });

  it('rotate on non-specific EOI makes the serviced level lowest', () => {
    const vm = boot();
    pic(vm).raiseIntr(0);
    expect(vm.acknowledge()).toBe(0x08);
    vm.outb(M, 0xa0); // rotate on non-specific EOI
    pic(vm).lowerIntr(0);
    pic(vm).raiseIntr(0);
    pic(vm).raiseIntr(7);
    expect(vm.acknowledge()).toBe(0x0f); // IR0 is now lowest, IR1..IR7 above it
  });

  it('rotate on specific EOI rotates to the named level', () => {
    const vm = boot();
    pic(vm).raiseIntr(4);
    expect(vm.acknowledge()).toBe(0x0c);
    vm.outb(M, 0xe4);
    expect(readIsr(vm, M)).toBe(0);
    pic(vm).raiseIntr(3);
    pic(vm).raiseIntr(5);
    expect(vm.acknowledge()).toBe(0x0d); // 5 is highest after 4 became lowest
  });

  it('automatic EOI leaves nothing in service, and rotates when asked', () => {
    const vm = boot({ masterIcw4: 0x03 });
    pic(vm).raiseIntr(2 + 1);
    expect(vm.acknowledge()).toBe(0x0b);
    expect(readIsr(vm, M)).toBe(0);
    vm.outb(M, 0x80); // rotate in AEOI mode: set
    pic(vm).raiseIntr(1);
    expect(vm.acknowledge()).toBe(0x09);
    pic(vm).lowerIntr(1);
    pic(vm).raiseIntr(1);
    pic(vm).raiseIntr(6);
    expect(vm.acknowledge()).toBe(0x0e); // IR1 became lowest
    vm.outb(M, 0x00); // rotate in AEOI mode: clear
    vm.outb(M, 0xc7); // back to IR0 highest
    pic(vm).lowerIntr(1);
    pic(vm).raiseIntr(1);
    pic(vm).raiseIntr(4);
    expect(vm.acknowledge()).toBe(0x09);
    expect(vm.acknowledge()).toBe(0x0c);
  });

  it('masks hide requests but IRR still shows them', () => {
    const vm = boot();
    vm.outb(MD, 0x10);
    pic(vm).raiseIntr(4);
    expect(pic(vm).intrPending()).toBe(false);
    expect(readIrr(vm, M)).toBe(0x10);
    vm.outb(MD, 0);
    expect(vm.acknowledge()).toBe(0x0c);
  });

  it('special mask mode lets lower levels in while a masked level is in service', () => {
    const vm = boot();
    pic(vm).raiseIntr(3);
    expect(vm.acknowledge()).toBe(0x0b);
    pic(vm).raiseIntr(5);
    expect(pic(vm).intrPending()).toBe(false);
    vm.outb(MD, 0x08); // mask IR3
    vm.outb(M, 0x68); // OCW3: set special mask mode
    expect(vm.acknowledge()).toBe(0x0d);
    vm.outb(M, 0x65); // specific EOI IR5
    vm.outb(M, 0x48); // reset special mask mode
    pic(vm).lowerIntr(5);
    pic(vm).raiseIntr(5);
    expect(pic(vm).intrPending()).toBe(false); // IR3 blocks again
  });
});

describe('8259A edge and level sensing', () => {
  it('latches an edge even when the line drops before INTA (a device pulse)', () => {
    const vm = boot();
    pic(vm).raiseIntr(6);
    pic(vm).lowerIntr(6);
    expect(vm.acknowledge()).toBe(0x0e);
  });

  it('edge mode does not fire again after EOI while the line stays high', () => {
    const vm = boot();
    pic(vm).raiseIntr(6);
    expect(vm.acknowledge()).toBe(0x0e);
    eoi(vm, M);
    expect(pic(vm).intrPending()).toBe(false);
  });

  it('ELCR level mode re-raises after EOI while the line is still high', () => {
    const vm = boot();
    vm.outb(0x4d1, 0x08); // IRQ11 level
    pic(vm).raiseIntr(11);
    expect(vm.acknowledge()).toBe(0x73);
    expect(pic(vm).intrPending()).toBe(false);
    eoi(vm, S);
    eoi(vm, M);
    expect(vm.acknowledge()).toBe(0x73);
    pic(vm).lowerIntr(11); // the handler quiets the device before its EOI
    eoi(vm, S);
    eoi(vm, M);
    expect(pic(vm).intrPending()).toBe(false);
  });

  it('ICW1 LTIM makes every line level-sensitive', () => {
    const vm = boot({ ltim: true });
    pic(vm).raiseIntr(5);
    pic(vm).lowerIntr(5);
    expect(pic(vm).intrPending()).toBe(false);
  });

  it('keeps IRQ0, 1, 2, 8 and 13 edge-triggered in the ELCR', () => {
    const vm = boot();
    vm.outb(0x4d0, 0xff);
    vm.outb(0x4d1, 0xff);
    expect(vm.inb(0x4d0)).toBe(0xf8);
    expect(vm.inb(0x4d1)).toBe(0xde);
    pic(vm).raiseIntr(0);
    pic(vm).lowerIntr(0);
    expect(vm.acknowledge()).toBe(0x08);
  });

  it('gives the spurious IR7 vector, and no ISR bit, when a level request vanished before INTA', () => {
    const vm = boot();
    vm.outb(0x4d0, 0x20); // IRQ5 level
    pic(vm).raiseIntr(5);
    expect(pic(vm).intrPending()).toBe(true);
    pic(vm).lowerIntr(5); // gone before the CPU acknowledged
    const v = pic(vm).getIntrNumber();
    expect(v).toBe(0x0f);
    pic(vm).beginIrq(v);
    expect(readIsr(vm, M)).toBe(0);
  });

  it('gives spurious IR7 when the request was masked between INT and INTA', () => {
    const vm = boot();
    pic(vm).raiseIntr(4);
    expect(pic(vm).intrPending()).toBe(true);
    vm.outb(MD, 0x10);
    expect(pic(vm).getIntrNumber()).toBe(0x0f);
  });

  it('a real IR7 request is not spurious: it sets ISR7', () => {
    const vm = boot();
    pic(vm).raiseIntr(7);
    expect(vm.acknowledge()).toBe(0x0f);
    expect(readIsr(vm, M)).toBe(0x80);
  });
});

describe('8259A cascade', () => {
  it('delivers IRQ 8-15 with the vector from the slave and sets both ISRs', () => {
    const vm = boot();
    pic(vm).raiseIntr(12);
    expect(pic(vm).intrPending()).toBe(true);
    expect(vm.acknowledge()).toBe(0x74);
    expect(readIsr(vm, M)).toBe(0x04);
    expect(readIsr(vm, S)).toBe(0x10);
    eoi(vm, S);
    eoi(vm, M);
    expect(readIsr(vm, M)).toBe(0);
    expect(readIsr(vm, S)).toBe(0);
  });

  it('the slave mask hides slave lines from the master', () => {
    const vm = boot();
    vm.outb(SD, 0x01);
    pic(vm).raiseIntr(8);
    expect(pic(vm).intrPending()).toBe(false);
    vm.outb(SD, 0x00);
    expect(vm.acknowledge()).toBe(0x70);
  });

  it('keeps the master priority of IR2 between IR1 and IR3', () => {
    const vm = boot();
    pic(vm).raiseIntr(3);
    pic(vm).raiseIntr(15);
    pic(vm).raiseIntr(1);
    expect(vm.acknowledge()).toBe(0x09);
    eoi(vm, M);
    expect(vm.acknowledge()).toBe(0x77);
    eoi(vm, S);
    eoi(vm, M);
    expect(vm.acknowledge()).toBe(0x0b);
  });

  it('a second slave request in AEOI mode reaches the master again', () => {
    const vm = boot({ masterIcw4: 0x03, slaveIcw4: 0x03 });
    pic(vm).raiseIntr(9);
    pic(vm).raiseIntr(10);
    expect(vm.acknowledge()).toBe(0x71);
    expect(vm.acknowledge()).toBe(0x72);
    expect(pic(vm).intrPending()).toBe(false);
  });

  it('routes ISA IRQ2 to the slave IR1 (IRQ9), as the AT does', () => {
    const vm = boot();
    pic(vm).raiseIntr(2);
    expect(vm.acknowledge()).toBe(0x71);
  });

  it('gives spurious IRQ15 from the slave and leaves master ISR2 set', () => {
    const vm = boot();
    vm.outb(0x4d1, 0x04); // IRQ10 level
    pic(vm).raiseIntr(10);
    expect(pic(vm).intrPending()).toBe(true);
    pic(vm).lowerIntr(10);
    // The master latched the slave's INT edge on IR2; the slave has nothing left.
    const v = pic(vm).getIntrNumber();
    expect(v).toBe(0x77);
    pic(vm).beginIrq(v);
    expect(readIsr(vm, M)).toBe(0x04);
    expect(readIsr(vm, S)).toBe(0);
  });

  it('special fully nested mode lets a higher slave level nest inside a slave interrupt', () => {
    for (const [icw4, nests] of [[0x11, true], [0x01, false]] as const) {
      const vm = boot({ masterIcw4: icw4 });
      pic(vm).raiseIntr(12);
      expect(vm.acknowledge()).toBe(0x74);
      pic(vm).raiseIntr(9);
      expect(pic(vm).intrPending()).toBe(nests);
      if (nests) {
        expect(vm.acknowledge()).toBe(0x71);
        expect(readIsr(vm, S)).toBe(0x12);
      }
    }
  });

  it('ignores lines above 15 and vectors that are not its own', () => {
    const vm = boot();
    pic(vm).raiseIntr(20);
    expect(pic(vm).intrPending()).toBe(false);
    pic(vm).beginIrq(0x40);
    expect(readIsr(vm, M)).toBe(0);
  });
});

describe('8259A poll command', () => {
  it('returns the level with bit 7 set and acknowledges it', () => {
    const vm = boot();
    vm.outb(MD, 0xff); // polled systems mask everything
    pic(vm).raiseIntr(3);
    pic(vm).raiseIntr(6);
    vm.outb(M, 0x0c);
    expect(vm.inb(M)).toBe(0x00); // masked requests are not polled
    vm.outb(MD, 0x00);
    vm.outb(M, 0x0c);
    expect(vm.inb(M)).toBe(0x83);
    expect(readIsr(vm, M)).toBe(0x08);
    expect(readIrr(vm, M)).toBe(0x40);
    vm.outb(M, 0x0c);
    expect(vm.inb(M)).toBe(0x00); // IR6 is below IR3 in service
    eoi(vm, M);
    vm.outb(M, 0x0c);
    expect(vm.inb(M)).toBe(0x86);
    pic(vm).raiseIntr(1);
    expect(vm.inb(M)).toBe(0x02); // poll is one-shot: back to reading IRR
  });

  it('polls the slave after the master reports IR2', () => {
    const vm = boot();
    pic(vm).raiseIntr(13);
    vm.outb(M, 0x0c);
    expect(vm.inb(M)).toBe(0x82);
    vm.outb(S, 0x0c);
    expect(vm.inb(S)).toBe(0x85);
  });
});

describe('8259A refusals (fail stop)', () => {
  it('refuses buffered mode', () => {
    const vm = createTestHost();
    vm.attach(i8259a, { id: 'PIC' });
    vm.outb(M, 0x11); vm.outb(MD, 0x08); vm.outb(MD, 0x04);
    expect(() => vm.outb(MD, 0x0d)).toThrow(/\[PIC\] unsupported buffered mode.*port=0x0021/);
  });

  it('refuses MCS-80/85 mode set in ICW4', () => {
    const vm = createTestHost();
    vm.attach(i8259a, { id: 'PIC' });
    vm.outb(M, 0x11); vm.outb(MD, 0x08); vm.outb(MD, 0x04);
    expect(() => vm.outb(MD, 0x00)).toThrow(/MCS-80\/85 mode/);
  });

  it('accepts ICW1 without ICW4 (MCS-80/85 mode) for masks and polling, refuses its INTA', () => {
    const vm = createTestHost();
    vm.attach(i8259a, { id: 'PIC' });
    vm.outb(M, 0x12); vm.outb(MD, 0x08); // single, no ICW4: initialization is complete
    vm.outb(MD, 0xf7);
    expect(vm.inb(MD)).toBe(0xf7);
    pic(vm).raiseIntr(3);
    expect(pic(vm).intrPending()).toBe(true);
    expect(() => pic(vm).getIntrNumber()).toThrow(/MCS-80\/85 mode interrupt acknowledge/);
    vm.outb(M, 0x0c);
    expect(vm.inb(M)).toBe(0x83);
  });

  it('refuses reserved bits and OCWs in the middle of initialization', () => {
    const vm = boot();
    expect(() => vm.outb(M, 0x88)).toThrow(/OCW3.*D7/);
    vm.outb(M, 0x11);
    expect(() => vm.outb(M, 0x20)).toThrow(/initialization sequence \(expected ICW2\)/);
    vm.outb(MD, 0x08); vm.outb(MD, 0x04);
    expect(() => vm.outb(MD, 0x21)).toThrow(/ICW4.*D7-D5/);
    vm.outb(S, 0x11); vm.outb(SD, 0x70);
    expect(() => vm.outb(SD, 0x0a)).toThrow(/slave ICW3/);
  });

  it('refuses a cascade the PC is not wired for', () => {
    const vm = boot();
    vm.outb(M, 0x11); vm.outb(MD, 0x08); vm.outb(MD, 0x08); vm.outb(MD, 0x01); // slave on IR3
    pic(vm).raiseIntr(3);
    expect(() => vm.acknowledge()).toThrow(/slave on IR3/);
    const vm2 = boot();
    vm2.outb(S, 0x11); vm2.outb(SD, 0x70); vm2.outb(SD, 0x05); vm2.outb(SD, 0x01); // slave ID 5
    pic(vm2).raiseIntr(8);
    expect(() => vm2.acknowledge()).toThrow(/slave's ID is 5/);
  });

  it('refuses a malformed saved state and bad configuration', () => {
    const vm = createTestHost();
    const dev = vm.attach(i8259a, { id: 'PIC' });
    expect(() => dev.load({ master: {}, slave: {} })).toThrow(V3Error);
    expect(() => createTestHost().attach(i8259a, { id: 'PIC', base: 3 } as never)).toThrow(/base: unknown option/);
  });
});

describe('8259A checkpoint and reset', () => {
  it('save/load carries masks, requests, in-service bits and rotation', () => {
    const vm = boot();
    vm.outb(M, 0xc4);
    vm.outb(MD, 0x02);
    pic(vm).raiseIntr(12);
    expect(vm.acknowledge()).toBe(0x74);
    pic(vm).raiseIntr(6);
    const saved = JSON.parse(JSON.stringify(vm.device<ReturnType<typeof i8259a.create>>('PIC').save()));

    const vm2 = createTestHost();
    const dev2 = vm2.attach(i8259a, { id: 'PIC' });
    dev2.load(saved);
    expect(vm2.inb(MD)).toBe(0x02);
    expect(readIsr(vm2, S)).toBe(0x10);
    // IR4 is lowest, so IR6 outranks IR2 in service, in both VMs alike.
    expect(vm.acknowledge()).toBe(0x0e);
    expect(vm2.acknowledge()).toBe(0x0e);
    expect(readIsr(vm2, M)).toBe(0x44);
  });

  it('reset returns to the uninitialized power-on state', () => {
    const vm = boot();
    const dev = vm.device<ReturnType<typeof i8259a.create>>('PIC');
    vm.outb(MD, 0x55);
    pic(vm).raiseIntr(1);
    dev.reset();
    expect(vm.inb(MD)).toBe(0);
    expect(pic(vm).intrPending()).toBe(false);
  });
});

describe('8259A debug output', () => {
  it('prints 8259A: lines only when compiled in and switched on', () => {
    const vm = boot();
    vm.debugComponents.add('PIC');
    vm.outb(M, 0x11); vm.outb(MD, 0x08); vm.outb(MD, 0x04); vm.outb(MD, 0x01);
    pic(vm).raiseIntr(1);
    vm.acknowledge();
    eoi(vm, M);
    const lines = vm.log.filter((l) => l.startsWith('debug PIC: 8259A:'));
    if (__DEBUG_PIC__) {
      expect(lines.some((l) => l.includes('ICW1'))).toBe(true);
      expect(lines.some((l) => l.includes('INTA vector 0x09'))).toBe(true);
      expect(lines.some((l) => l.includes('EOI'))).toBe(true);
      expect(lines.some((l) => l.includes('IRQ1 raised'))).toBe(true);
    } else {
      expect(lines).toEqual([]);
    }
  });
});

describe('8259A register fuzz', () => {
  it('lets only V3Errors naming the PIC escape', () => {
    for (const seed of [1, 7, 0xbeef, 12345]) {
      const vm = createTestHost();
      vm.attach(i8259a, { id: 'PIC' });
      const stops = fuzzPorts(vm, PIC_PORTS, { seed, steps: 3000, deviceId: 'PIC' });
      expect(stops).toBeGreaterThan(0);
      // Interleave line activity and acknowledges with more fuzzing.
      for (let i = 0; i < 200; i++) {
        try {
          if (i & 1) pic(vm).raiseIntr(i % 16);
          else pic(vm).lowerIntr((i * 7) % 16);
          vm.acknowledge();
        } catch (e) {
          if (!(e instanceof V3Error && e.detail.component === 'PIC')) throw e;
        }
      }
      fuzzPorts(vm, PIC_PORTS, { seed: seed + 1, steps: 1000, deviceId: 'PIC' });
    }
  });
});
