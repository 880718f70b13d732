import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { DMA_PORTS, i8237, type DmaDevice } from './index.js';

// DMA1 register ports (8237A datasheet register numbers; DMA2 has the same at 0xC0 + 2n).
const STATUS = 0x08;
const REQUEST = 0x09;
const SINGLE_MASK = 0x0a;
const MODE = 0x0b;
const CLEAR_FF = 0x0c;
const MASTER_CLEAR = 0x0d;
const CLEAR_MASK = 0x0e;
const ALL_MASK = 0x0f;
const d2 = (reg: number): number => 0xc0 + 2 * reg;

function vmWithDma(cfg: { hookPort80?: boolean } = {}): { vm: TestHost; dma: DmaDevice } {
  const vm = createTestHost();
  const dma = vm.attach(i8237, { id: 'DMA', ...cfg });
  return { vm, dma };
}

/** Expect `f` to fail stop with a V3Error naming the DMA device and matching `re`. */
function expectStop(f: () => unknown, re: RegExp): V3Error {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V3Error);
    const err = e as V3Error;
    expect(err.detail.component).toBe('DMA');
    expect(err.reason).toMatch(re);
    return err;
  }
  throw new Error(`expected a fail stop matching ${re}`);
}

const word = (vm: TestHost, port: number): number => {
  const lo = vm.inb(port);
  return lo | (vm.inb(port) << 8);
};
const setWord = (vm: TestHost, port: number, v: number): void => {
  vm.outb(port, v & 0xff);
  vm.outb(port, (v >> 8) & 0xff);
};

describe('8237A byte pointer flip-flop', () => {
  it('takes address and count writes low byte first, into base and current', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(CLEAR_FF, 0);
    setWord(vm, 0x04, 0x1234); // channel 2 address
    setWord(vm, 0x05, 0xabcd); // channel 2 count
    const s = dma.channelState(2);
    expect([s.baseAddr, s.curAddr, s.baseCount, s.curCount]).toEqual([0x1234, 0x1234, 0xabcd, 0xabcd]);
    expect(word(vm, 0x04)).toBe(0x1234);
    expect(word(vm, 0x05)).toBe(0xabcd);
  });

  it('is one flip-flop shared by all channels and by reads and writes', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(CLEAR_FF, 0);
    vm.outb(0x00, 0x11); // channel 0 address, low byte
    vm.outb(0x03, 0x22); // channel 1 count: lands in the HIGH byte
    expect(dma.channelState(0).curAddr).toBe(0x0011);
    expect(dma.channelState(1).curCount).toBe(0x2200);
    setWord(vm, 0x02, 0x5678); // back in step: low then high
    vm.inb(0x02); // a read toggles it too: the next write is a high byte
    vm.outb(0x02, 0x9a);
    expect(dma.channelState(1).curAddr).toBe(0x9a78);
  });

  it('clear byte pointer (0x0C) puts it back on the low byte', () => {
    const { vm } = vmWithDma();
    vm.outb(CLEAR_FF, 0);
    setWord(vm, 0x06, 0xbeef);
    vm.inb(0x06); // pointer now at the high byte
    vm.outb(CLEAR_FF, 0);
    expect(vm.inb(0x06)).toBe(0xef);
    expect(vm.inb(0x06)).toBe(0xbe);
  });

  it('a write of one byte keeps the other byte of the base register', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(CLEAR_FF, 0);
    setWord(vm, 0x00, 0x1234);
    vm.outb(0x00, 0x56); // low byte only
    vm.outb(CLEAR_FF, 0);
    expect(dma.channelState(0).curAddr).toBe(0x1256);
  });
});

describe('8237A masks, command, master clear', () => {
  it('masks every channel at reset', () => {
    const { vm, dma } = vmWithDma();
    expect(vm.inb(ALL_MASK)).toBe(0x0f);
    expect(vm.inb(d2(15))).toBe(0x0f);
    for (let ch = 0; ch < 8; ch++) expect(dma.channelState(ch).masked).toBe(true);
  });

  it('single mask sets and clears one channel', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(SINGLE_MASK, 0x01); // clear channel 1's mask bit
    expect(vm.inb(ALL_MASK)).toBe(0x0d);
    vm.outb(SINGLE_MASK, 0x03); // clear channel 3
    expect(vm.inb(ALL_MASK)).toBe(0x05);
    vm.outb(SINGLE_MASK, 0x05); // set channel 1
    expect(vm.inb(ALL_MASK)).toBe(0x07);
    expect(dma.channelState(1).masked).toBe(true);
    expect(dma.channelState(3).masked).toBe(false);
  });

  it('clear mask (0x0E) unmasks all four; write all mask (0x0F) sets bits 3-0', () => {
    const { vm } = vmWithDma();
    vm.outb(CLEAR_MASK, 0xff);
    expect(vm.inb(ALL_MASK)).toBe(0x00);
    vm.outb(ALL_MASK, 0xfa); // bits 7-4 are not mask bits
    expect(vm.inb(ALL_MASK)).toBe(0x0a);
  });

  it('master clear resets the flip-flop, masks all, clears status; keeps addresses and modes', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(CLEAR_MASK, 0);
    vm.outb(MODE, 0x56); // channel 2: single, write, autoinit
    vm.outb(CLEAR_FF, 0);
    setWord(vm, 0x04, 0x1000);
    setWord(vm, 0x05, 0x0000); // one transfer
    vm.outb(STATUS, 0x10); // rotating priority (command)
    cascade(vm);
    expect(dma.transfer(2, 1)?.tc).toBe(true);
    expect(dma.channelState(2).tc).toBe(true);
    vm.outb(0x04, 0x99); // leaves the flip-flop on the high byte
    vm.outb(MASTER_CLEAR, 0);
    expect(dma.save().controllers[0]).toMatchObject({ command: 0, request: 0, tc: 0, flipFlop: false, mask: 0x0f });
    expect(vm.inb(ALL_MASK)).toBe(0x0f);
    expect(vm.inb(STATUS)).toBe(0);
    expect(vm.inb(MASTER_CLEAR)).toBe(0); // temporary register
    expect(vm.inb(0x04)).toBe(0x99); // low byte first again; the address survived
    expect(dma.channelState(2).modeByte).toBe(0x54);
  });

  it('stores the command register (controller disable stops DREQ service)', () => {
    const { vm, dma } = vmWithDma();
    cascade(vm);
    vm.outb(MODE, 0x46);
    vm.outb(SINGLE_MASK, 0x02);
    vm.outb(STATUS, 0x04); // controller disable
    expect(dma.transfer(2, 1)).toBeNull();
    vm.outb(STATUS, 0x00);
    expect(dma.transfer(2, 1)).not.toBeNull();
  });
});

describe('8237A mode register', () => {
  it('is per channel and decodes type, autoinit, decrement and mode', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(MODE, 0x44); // ch0: single, write
    vm.outb(MODE, 0x89); // ch1: block, read
    vm.outb(MODE, 0x12); // ch2: demand, verify, autoinit
    vm.outb(MODE, 0xe7); // ch3: cascade (transfer bits ignored)... plus decrement bit
    vm.outb(MODE, 0x28); // ch0 again: demand, read, decrement
    const s = [0, 1, 2, 3].map((ch) => dma.channelState(ch));
    expect(s.map((c) => c.mode)).toEqual(['demand', 'block', 'demand', 'cascade']);
    expect(s.map((c) => c.transferType)).toEqual(['read', 'read', 'verify', 'write']);
    expect(s.map((c) => c.autoinit)).toEqual([false, false, true, false]);
    expect(s.map((c) => c.decrement)).toEqual([true, false, false, true]);
    expect(s.map((c) => c.modeByte)).toEqual([0x28, 0x88, 0x10, 0xe4]);
  });

  it('fails stop on transfer type 11 outside cascade mode', () => {
    const { vm } = vmWithDma();
    expectStop(() => vm.outb(MODE, 0x4e), /channel 2 .*transfer type 11/);
  });
});

describe('DMA2 (channels 4-7) on even ports 0xC0-0xDE', () => {
  it('decodes register n at 0xC0 + 2n, with 16-bit channels', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(d2(12), 0); // clear flip-flop at 0xD8
    setWord(vm, 0xc4, 0x4321); // channel 5 address (register 2)
    setWord(vm, 0xc6, 0x00ff); // channel 5 count (register 3)
    setWord(vm, 0xcc, 0x0102); // channel 7 address (register 6)
    vm.outb(0xd6, 0x59); // mode register: channel 5, single, write, autoinit
    vm.outb(0xd4, 0x01); // single mask: unmask channel 5
    expect(dma.channelState(5).curAddr).toBe(0x4321);
    expect(dma.channelState(5).curCount).toBe(0x00ff);
    expect(dma.channelState(7).curAddr).toBe(0x0102);
    expect(dma.channelState(5).mode).toBe('single');
    expect(dma.channelState(5).masked).toBe(false);
    expect(vm.inb(0xde)).toBe(0x0d);
    // DMA1 is untouched.
    expect(dma.channelState(1).curAddr).toBe(0);
    expect(vm.inb(ALL_MASK)).toBe(0x0f);
    vm.outb(0xdc, 0); // clear mask register
    expect(vm.inb(0xde)).toBe(0);
    vm.outb(0xda, 0); // master clear
    expect(vm.inb(0xde)).toBe(0x0f);
  });

  it('odd ports alias the even register below them (A0 is not decoded)', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(0xd9, 0); // clear flip-flop via 0xD9
    vm.outb(0xc1, 0x34); // channel 4 address low via 0xC1
    vm.outb(0xc0, 0x12); // high via 0xC0
    expect(dma.channelState(4).curAddr).toBe(0x1234);
    vm.outb(0xdf, 0x03);
    expect(vm.inb(0xde)).toBe(0x03);
    expect(vm.inb(0xdf)).toBe(0x03);
  });

  it('addresses words: page bit 0 dropped, address shifted left', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(0xd8, 0);
    setWord(vm, 0xc8, 0x8000); // channel 6 address
    vm.outb(0x89, 0x13); // channel 6 page
    expect(dma.channelState(6).physAddr).toBe(0x12_0000 + 0x1_0000);
  });
});

describe('page registers (74LS612)', () => {
  const pagePorts: [number, number][] = [[0, 0x87], [1, 0x83], [2, 0x81], [3, 0x82], [4, 0x8f], [5, 0x8b], [6, 0x89], [7, 0x8a]];

  it('gives each channel its page at the AT ports, readable', () => {
    const { vm, dma } = vmWithDma();
    for (const [ch, port] of pagePorts) vm.outb(port, 0x10 + ch);
    for (const [ch, port] of pagePorts) {
      expect(vm.inb(port)).toBe(0x10 + ch);
      expect(dma.channelState(ch).page).toBe(0x10 + ch);
    }
    vm.outb(CLEAR_FF, 0);
    setWord(vm, 0x00, 0xbeef);
    expect(dma.channelState(0).physAddr).toBe(0x10_beef);
  });

  it('keeps the extra bytes 0x84-0x86, 0x88, 0x8C-0x8E as storage', () => {
    const { vm } = vmWithDma();
    const extra = [0x84, 0x85, 0x86, 0x88, 0x8c, 0x8d, 0x8e];
    extra.forEach((p, i) => vm.outb(p, 0xa0 + i));
    extra.forEach((p, i) => expect(vm.inb(p)).toBe(0xa0 + i));
    for (let ch = 0; ch < 8; ch++) expect(vm.device<DmaDevice>('DMA').channelState(ch).page).toBe(0);
  });

  it('leaves port 0x80 alone unless hookPort80 is set', () => {
    expect(vmWithDma().vm.isHooked(0x80)).toBe(false);
    const { vm } = vmWithDma({ hookPort80: true });
    vm.outb(0x80, 0x5a);
    expect(vm.inb(0x80)).toBe(0x5a);
  });
});

describe('8237A status register', () => {
  it('reports TC per channel and clears the TC bits when read', () => {
    const { vm, dma } = vmWithDma();
    cascade(vm);
    for (const ch of [1, 3]) {
      vm.outb(MODE, 0x44 | ch);
      vm.outb(CLEAR_FF, 0);
      setWord(vm, ch * 2 + 1, 0); // one transfer
      vm.outb(SINGLE_MASK, ch);
      expect(dma.transfer(ch, 10)?.tc).toBe(true);
    }
    expect(vm.inb(STATUS)).toBe(0x0a);
    expect(vm.inb(STATUS)).toBe(0x00);
    expect(dma.channelState(1).tc).toBe(false);
  });

  it('shows a stored software request in bits 7-4 (controller disabled, so nothing moves)', () => {
    const { vm } = vmWithDma();
    vm.outb(STATUS, 0x04); // controller disable
    vm.outb(REQUEST, 0x06); // request channel 2
    expect(vm.inb(STATUS)).toBe(0x40);
    expect(vm.inb(STATUS)).toBe(0x40); // request bits are not cleared by reading
    vm.outb(REQUEST, 0x02); // reset the request
    expect(vm.inb(STATUS)).toBe(0x00);
  });
});

describe('guest sequences', () => {
  it("Linux's ISA DMA setup of channel 2 reads back what it wrote (0x87 too)", () => {
    const { vm, dma } = vmWithDma();
    // The probe reads page registers before anything is written: power-on zero.
    expect(vm.inb(0x87)).toBe(0);
    vm.outb(0x87, 0x00);
    expect(vm.inb(0x87)).toBe(0x00);
    vm.outb(0x87, 0x3c);
    expect(vm.inb(0x87)).toBe(0x3c);
    // disable_dma, clear_dma_ff, set_dma_mode, set_dma_page, set_dma_addr, set_dma_count, enable_dma
    vm.outb(SINGLE_MASK, 0x04 | 2);
    vm.outb(CLEAR_FF, 0);
    vm.outb(MODE, 0x46); // DMA_MODE_READ (single, write to memory) | channel 2
    vm.outb(0x81, 0x01);
    vm.outb(0x04, 0x00);
    vm.outb(0x04, 0x20);
    vm.outb(0x05, 0xff);
    vm.outb(0x05, 0x01);
    vm.outb(SINGLE_MASK, 2);
    // get_dma_residue: clear_dma_ff, count low, high, plus one
    vm.outb(CLEAR_FF, 0);
    expect(word(vm, 0x05) + 1).toBe(512);
    expect(vm.inb(0x81)).toBe(0x01);
    expect(dma.channelState(2)).toMatchObject({ physAddr: 0x12000, masked: false, mode: 'single', transferType: 'write' });
  });

  it("SeaBIOS's dma_setup: master clear both, channel 4 cascade, unmask it", () => {
    const { vm, dma } = vmWithDma();
    vm.outb(0x0d, 0);
    vm.outb(0xda, 0);
    vm.outb(0xd6, 0xc0);
    vm.outb(0xd4, 0x00);
    expect(dma.channelState(4)).toMatchObject({ mode: 'cascade', masked: false });
    expect(vm.inb(0xde)).toBe(0x0e);
  });
});

describe('refused: fails stop', () => {
  it('a software request on an unmasked channel, naming channel and mode', () => {
    const { vm } = vmWithDma();
    vm.outb(MODE, 0x86); // channel 2: block, write
    vm.outb(SINGLE_MASK, 0x02);
    expectStop(() => vm.outb(REQUEST, 0x06), /software DMA request on channel 2 \(unmasked, block mode, write transfer\)/);
  });

  it('a software request on a masked channel too (the request register is not maskable)', () => {
    const { vm } = vmWithDma();
    vm.outb(d2(11), 0x01 | 0x08 | 0x40); // channel 5: single, read
    expectStop(() => vm.outb(d2(9), 0x05), /channel 5 \(masked, single mode, read transfer\)/);
  });

  it('enabling a controller that holds a software request', () => {
    const { vm } = vmWithDma();
    vm.outb(STATUS, 0x04);
    vm.outb(REQUEST, 0x07);
    expectStop(() => vm.outb(STATUS, 0x00), /software DMA request on channel 3/);
  });

  it('memory-to-memory (command bit 0) and DREQ sense active low (bit 6)', () => {
    const { vm } = vmWithDma();
    expectStop(() => vm.outb(STATUS, 0x01), /memory-to-memory/);
    expectStop(() => vm.outb(d2(8), 0x40), /DMA2 .*DREQ sense active low/);
  });

  it('reads of the write-only registers, naming the port', () => {
    const { vm } = vmWithDma();
    for (const port of [REQUEST, SINGLE_MASK, MODE, CLEAR_FF, CLEAR_MASK, d2(11)]) {
      const err = expectStop(() => vm.inb(port), /write only/);
      expect(err.detail.port).toBe(port);
    }
  });
});

describe('DREQ transfers for later DMA users', () => {
  it('advances a single-mode write on channel 2 to TC, then masks it', () => {
    const { vm, dma } = vmWithDma();
    cascade(vm);
    linuxSetup(vm, 2, 0x46, 0x01, 0x2000, 512);
    expect(dma.transfer(2, 500)).toEqual({ channel: 2, type: 'write', start: 0x12000, units: 500, unitBytes: 1, decrement: false, tc: false });
    expect(dma.transfer(2, 500)).toEqual({ channel: 2, type: 'write', start: 0x12000 + 500, units: 12, unitBytes: 1, decrement: false, tc: true });
    expect(dma.channelState(2)).toMatchObject({ curAddr: 0x2200, curCount: 0xffff, masked: true, tc: true });
    expect(dma.transfer(2, 1)).toBeNull();
  });

  it('autoinit reloads base address and count at TC and stays unmasked', () => {
    const { vm, dma } = vmWithDma();
    cascade(vm);
    linuxSetup(vm, 1, 0x59, 0x00, 0x8000, 16); // single, read, autoinit
    expect(dma.transfer(1, 100)?.units).toBe(16);
    expect(dma.channelState(1)).toMatchObject({ curAddr: 0x8000, curCount: 15, masked: false, tc: true });
  });

  it('stops at the 64K wrap (the page does not carry) and counts down in decrement mode', () => {
    const { vm, dma } = vmWithDma();
    cascade(vm);
    linuxSetup(vm, 3, 0x47, 0x05, 0xfff0, 0x100);
    expect(dma.transfer(3, 0x100)).toMatchObject({ start: 0x5fff0, units: 0x10, tc: false });
    expect(dma.channelState(3).physAddr).toBe(0x50000);
    linuxSetup(vm, 0, 0x64, 0x00, 0x0010, 0x100); // decrement
    expect(dma.transfer(0, 0x100)).toMatchObject({ start: 0x10, units: 0x11, decrement: true });
    expect(dma.channelState(0).curAddr).toBe(0xffff);
  });

  it('serves DMA1 only while channel 4 cascades, unmasked', () => {
    const { vm, dma } = vmWithDma();
    linuxSetup(vm, 2, 0x46, 0, 0, 4);
    expect(dma.transfer(2, 1)).toBeNull();
    cascade(vm);
    expect(dma.transfer(2, 1)?.units).toBe(1);
    vm.outb(0xd4, 0x04); // mask channel 4
    expect(dma.transfer(2, 1)).toBeNull();
  });

  it('moves words on DMA2', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(0xd8, 0);
    vm.outb(0xd6, 0x45); // channel 5 single write
    setWord(vm, 0xc4, 0x0100);
    setWord(vm, 0xc6, 9);
    vm.outb(0x8b, 0x03);
    vm.outb(0xd4, 0x01);
    expect(dma.transfer(5, 64)).toEqual({ channel: 5, type: 'write', start: 0x20200, units: 10, unitBytes: 2, decrement: false, tc: true });
    expectStop(() => dma.transfer(4, 1), /channel 4.*cascade/);
    expectStop(() => dma.transfer(8, 1), /no DMA channel 8/);
  });
});

describe('checkpoint, reset, configuration', () => {
  it('save/load round-trips every register through JSON', () => {
    const a = vmWithDma();
    a.vm.outb(CLEAR_MASK, 0);
    a.vm.outb(MODE, 0x5a);
    setWord(a.vm, 0x04, 0x1234);
    a.vm.outb(0x04, 0x77); // flip-flop left on the high byte
    a.vm.outb(0x8e, 0x42);
    a.vm.outb(0xd6, 0xc0);
    const b = vmWithDma();
    b.dma.load(JSON.parse(JSON.stringify(a.dma.save())));
    expect(b.dma.save()).toEqual(a.dma.save());
    expect(b.vm.inb(0x04)).toBe(0x12); // high byte next, as in a
    expect(b.vm.inb(0x8e)).toBe(0x42);
    expect(b.dma.channelState(2).modeByte).toBe(0x58);
  });

  it('load fails stop on a malformed state', () => {
    const { dma } = vmWithDma();
    const s = dma.save();
    s.controllers[1].mask = 0x1f;
    expectStop(() => dma.load(s), /malformed.*mask/);
    expectStop(() => dma.load({}), /malformed/);
  });

  it('reset returns to power-on', () => {
    const { vm, dma } = vmWithDma();
    vm.outb(CLEAR_MASK, 0);
    vm.outb(0x87, 9);
    setWord(vm, 0x00, 0x1234);
    dma.reset();
    expect(vm.inb(ALL_MASK)).toBe(0x0f);
    expect(vm.inb(0x87)).toBe(0);
    expect(word(vm, 0x00)).toBe(0);
  });

  it('validate refuses unknown keys and a non-boolean hookPort80', () => {
    expect(i8237.validate?.({ class: 'DMA', id: 'DMA', hookPort80: 1 })).toEqual(['hookPort80: expected true or false']);
    expect(i8237.validate?.({ class: 'DMA', id: 'DMA', base: 0 })).toEqual(['base: unknown option (DMA takes hookPort80)']);
    expect(i8237.validate?.({ class: 'DMA', id: 'DMA', hookPort80: true })).toEqual([]);
  });
});

describe('debug output', () => {
  it('prints i8237: lines only when compiled in and switched on', () => {
    const { vm } = vmWithDma();
    vm.debugComponents.add('IO');
    vm.outb(0x87, 0x12);
    vm.outb(MODE, 0x46);
    const lines = vm.log.filter((l) => l.startsWith('debug IO: i8237:'));
    if (__DEBUG_IO__) {
      expect(lines.some((l) => l.includes('page 0x87 (channel 0) = 0x12'))).toBe(true);
      expect(lines.some((l) => l.includes('channel 2 mode 0x46'))).toBe(true);
    } else {
      expect(lines).toEqual([]);
    }
  });
});

describe('register fuzz', () => {
  it('lets only V3Errors naming the DMA device escape', () => {
    for (const seed of [1, 42, 0xc0ffee, 777]) {
      const { vm } = vmWithDma();
      const stops = fuzzPorts(vm, DMA_PORTS, { seed, steps: 3000, deviceId: 'DMA' });
      expect(stops).toBeGreaterThan(0);
    }
  });
});

/** What SeaBIOS does: channel 4 in cascade mode, unmasked, so DMA1 gets the bus. */
function cascade(vm: TestHost): void {
  vm.outb(0xd6, 0xc0);
  vm.outb(0xd4, 0x00);
}

/** Program channel `ch` (0-3) the way Linux's <asm/dma.h> helpers do, for `n` transfers. */
function linuxSetup(vm: TestHost, ch: number, mode: number, page: number, addr: number, n: number): void {
  vm.outb(SINGLE_MASK, 0x04 | ch);
  vm.outb(CLEAR_FF, 0);
  vm.outb(MODE, (mode & ~3) | ch);
  vm.outb([0x87, 0x83, 0x81, 0x82][ch]!, page);
  setWord(vm, ch * 2, addr);
  setWord(vm, ch * 2 + 1, n - 1);
  vm.outb(SINGLE_MASK, ch);
}
