import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { ns16550, type Serial, type SerialConfig } from './index.js';

const COM1 = 0x3f8;
const THR = COM1,
  RBR = COM1,
  DLL = COM1,
  IER = COM1 + 1,
  DLM = COM1 + 1,
  IIR = COM1 + 2,
  FCR = COM1 + 2,
  LCR = COM1 + 3,
  MCR = COM1 + 4,
  LSR = COM1 + 5,
  MSR = COM1 + 6,
  SCR = COM1 + 7;

/** 9600 baud, 8N1: 10 bits x 16 x 12 / 1.8432 MHz, rounded up to whole ns. */
const CHAR_NS_9600_8N1 = 1_041_667;

/** A VM with COM1 attached and, unless `raw`, programmed for 8 data bits (reset LCR means 5). */
function com1(extra: Partial<SerialConfig> = {}, raw = false): { vm: TestHost; dev: Serial } {
  const vm = createTestHost();
  const dev = vm.attach(ns16550, { id: 'com1', port: 'COM1', ...extra });
  if (!raw) {
    const base = dev.base;
    vm.outb(base + 3, 0x03);
  }
  return { vm, dev };
}

function drain(vm: TestHost, max = 1000): string {
  let out = '';
  for (let i = 0; i < max && vm.inb(LSR) & 0x01; i++) out += String.fromCharCode(vm.inb(RBR));
  return out;
}

describe('SERIAL configuration', () => {
  it.each([
    ['COM1', 0x3f8, 4],
    ['COM2', 0x2f8, 3],
    ['COM3', 0x3e8, 4],
    ['COM4', 0x2e8, 3],
  ] as const)('%s sits at its PC base and IRQ', (port, base, irq) => {
    const vm = createTestHost();
    const dev = vm.attach(ns16550, { id: 's', port });
    expect(dev.base).toBe(base);
    expect(dev.irqLine).toBe(irq);
    for (let p = base; p < base + 8; p++) expect(vm.isHooked(p)).toBe(true);
    expect(vm.isHooked(base + 8)).toBe(false);
  });

  it('takes a numeric base, an irq override and a stream name', () => {
    const vm = createTestHost();
    const dev = vm.attach(ns16550, { id: 's', port: 0x2f8, irq: 5, stream: 'serial.out' });
    vm.outb(0x2fb, 0x03);
    expect(dev.base).toBe(0x2f8);
    expect(dev.irqLine).toBe(5);
    vm.outb(0x2f8, 0x41);
    expect(vm.stream('serial.out').text()).toBe('A');
  });

  it('uses the device id as the default stream name', () => {
    const { vm } = com1();
    vm.outb(THR, 0x42);
    expect(vm.stream('com1').text()).toBe('B');
  });

  it('refuses bad keys with the key and what was expected', () => {
    const v = (cfg: Record<string, unknown>): string[] => ns16550.validate!({ class: 'SERIAL', id: 's', ...cfg });
    expect(v({ port: 'COM1' })).toEqual([]);
    expect(v({ port: 'COM5' })).toEqual([expect.stringMatching(/^port: expected 'COM1' \| 'COM2' \| 'COM3' \| 'COM4' or an I\/O base/)]);
    expect(v({})).toEqual([expect.stringMatching(/^port: expected/)]);
    expect(v({ port: 0xfffc, irq: 4 })).toEqual([expect.stringMatching(/^port: expected/)]);
    expect(v({ port: 'COM1', irq: 16 })).toEqual([expect.stringMatching(/^irq: expected an ISA IRQ 0-15/)]);
    expect(v({ port: 0x500 })).toEqual([expect.stringMatching(/^irq: expected .*required when port is not a COM base/)]);
    expect(v({ port: 0x3f8 })).toEqual([]);
    expect(v({ port: 'COM1', stream: '' })).toEqual([expect.stringMatching(/^stream: expected a non-empty stream name/)]);
    expect(v({ port: 'COM1', baud: 9600 })).toEqual([expect.stringMatching(/^baud: unknown key/)]);
    expect(() => createTestHost().attach(ns16550, { id: 's', port: 'COM9' as 'COM1' })).toThrow(V3Error);
  });
});

describe('16550A registers after reset', () => {
  it('has the datasheet reset values', () => {
    const { vm } = com1({}, true);
    expect(vm.inb(IER)).toBe(0x00);
    expect(vm.inb(IIR)).toBe(0x01); // no interrupt pending, FIFOs off
    expect(vm.inb(LCR)).toBe(0x00);
    expect(vm.inb(MCR)).toBe(0x00);
    expect(vm.inb(LSR)).toBe(0x60); // THRE + TEMT
    expect(vm.inb(MSR)).toBe(0xb0); // CTS, DSR, DCD from the connected host; no deltas
    expect(vm.irq(4).level).toBe(false);
  });

  it('keeps the scratch register', () => {
    const { vm } = com1();
    vm.outb(SCR, 0x5a);
    expect(vm.inb(SCR)).toBe(0x5a);
    vm.outb(SCR, 0xa5);
    expect(vm.inb(SCR)).toBe(0xa5);
  });

  it('implements IER bits 0-3 only', () => {
    const { vm } = com1();
    vm.outb(IER, 0xff);
    expect(vm.inb(IER)).toBe(0x0f);
  });

  it('keeps MCR bits 0-4 only and LCR in full', () => {
    const { vm } = com1();
    vm.outb(MCR, 0xff);
    expect(vm.inb(MCR)).toBe(0x1f);
    vm.outb(MCR, 0);
    vm.outb(LCR, 0x1f);
    expect(vm.inb(LCR)).toBe(0x1f);
  });
});

describe('divisor latch', () => {
  it('maps offsets 0 and 1 to DLL/DLM while DLAB is set, and back', () => {
    const { vm, dev } = com1();
    vm.outb(IER, 0x05);
    vm.outb(LCR, 0x83); // DLAB, 8N1
    vm.outb(DLL, 0x01);
    vm.outb(DLM, 0x02);
    expect(vm.inb(DLL)).toBe(0x01);
    expect(vm.inb(DLM)).toBe(0x02);
    vm.outb(LCR, 0x03);
    expect(vm.inb(IER)).toBe(0x05); // the DLM write did not touch IER
    vm.outb(THR, 0x41); // and offset 0 transmits again
    expect(vm.stream('com1').text()).toBe('A');
    // Divisor 0x0201 = 513: 10 bits at 1843200 / (16 x 513) baud.
    expect(dev.uart.charTimeNs()).toBe(Math.ceil((10 * 16 * 513 * 1e9) / 1_843_200));
  });

  it('derives the character time from divisor and LCR', () => {
    const { vm, dev } = com1();
    expect(dev.uart.charTimeNs()).toBe(CHAR_NS_9600_8N1); // default divisor 12
    vm.outb(LCR, 0x80);
    vm.outb(DLL, 1);
    vm.outb(DLM, 0);
    vm.outb(LCR, 0x1f); // 8 data, even parity, 2 stop: 12 bits at 115200
    expect(dev.uart.charTimeNs()).toBe(Math.ceil((12 * 1e9) / 115_200));
    vm.outb(LCR, 0x04); // 5 data bits, 1.5 stop: 7.5 bits
    expect(dev.uart.charTimeNs()).toBe(Math.ceil((7.5 * 1e9) / 115_200));
  });
});

describe('transmit', () => {
  it('sends THR writes to the host stream at once', () => {
    const { vm } = com1();
    for (const c of 'hello\r\n') vm.outb(THR, c.charCodeAt(0));
    expect(vm.stream('com1').text()).toBe('hello\r\n');
    expect(vm.inb(LSR) & 0x60).toBe(0x60);
  });

  it('sends only the data bits of the word length', () => {
    const { vm } = com1();
    vm.outb(LCR, 0x02); // 7 bits
    vm.outb(THR, 0xc1);
    vm.outb(LCR, 0x00); // 5 bits
    vm.outb(THR, 0xff);
    expect(vm.stream('com1').output).toEqual([0x41, 0x1f]);
  });

  it('accepts break control being set and cleared (Linux probes LCR=0xE0), but fails stop on transmit during break', () => {
    const { vm } = com1();
    vm.outb(LCR, 0xe0);
    expect(vm.inb(LCR)).toBe(0xe0);
    vm.outb(LCR, 0x40);
    expect(() => vm.outb(THR, 0x41)).toThrow(/16550: transmit of 0x41 while break control \(LCR bit 6\)/);
    vm.outb(LCR, 0x03);
    vm.outb(THR, 0x41);
    expect(vm.stream('com1').text()).toBe('A');
  });
});

describe('receive', () => {
  it('delivers host input through RBR with LSR.DR', () => {
    const { vm } = com1();
    vm.stream('com1').input('x');
    expect(vm.inb(LSR)).toBe(0x61);
    expect(vm.inb(RBR)).toBe(0x78);
    expect(vm.inb(LSR)).toBe(0x60);
  });

  it('queues input beyond the 16-byte FIFO and delivers all of it in order', () => {
    const { vm, dev } = com1();
    vm.outb(FCR, 0x01);
    const text = 'The quick brown fox jumps over the lazy dog 0123456789';
    vm.stream('com1').input(text);
    expect(dev.uart.pendingInput).toBe(text.length - 16);
    expect(drain(vm)).toBe(text);
    expect(dev.uart.pendingInput).toBe(0);
    expect(vm.inb(LSR) & 0x02).toBe(0); // nothing was lost
  });

  it('queues input beyond the single RBR in 16450 mode and delivers it in order', () => {
    const { vm, dev } = com1();
    vm.stream('com1').input('abc');
    vm.stream('com1').input('def');
    expect(dev.uart.pendingInput).toBe(5);
    expect(drain(vm)).toBe('abcdef');
    expect(vm.inb(LSR) & 0x02).toBe(0);
  });

  it('keeps host input waiting while in loopback (the serial input is disconnected)', () => {
    const { vm } = com1();
    vm.outb(MCR, 0x10);
    vm.stream('com1').input('z');
    expect(vm.inb(LSR) & 0x01).toBe(0);
    vm.outb(MCR, 0x00);
    expect(vm.inb(LSR) & 0x01).toBe(1);
    expect(vm.inb(RBR)).toBe(0x7a);
  });

  it('masks received characters to the word length', () => {
    const { vm } = com1();
    vm.outb(LCR, 0x02); // 7 bits
    vm.stream('com1').input(Uint8Array.of(0xe1));
    expect(vm.inb(RBR)).toBe(0x61);
  });
});

describe('loopback', () => {
  it('returns transmitted characters to the receiver, not the stream', () => {
    const { vm } = com1();
    vm.outb(FCR, 0x01);
    vm.outb(MCR, 0x10);
    for (const c of 'loop') vm.outb(THR, c.charCodeAt(0));
    expect(vm.stream('com1').text()).toBe('');
    expect(drain(vm)).toBe('loop');
  });

  it('mirrors the modem outputs into MSR (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD)', () => {
    const { vm } = com1();
    vm.outb(MCR, 0x10);
    vm.inb(MSR); // clear the deltas of entering loopback
    vm.outb(MCR, 0x10 | 0x0a); // RTS + OUT2: Linux's 8250 probe expects 0x90
    expect(vm.inb(MSR) & 0xf0).toBe(0x90);
    vm.outb(MCR, 0x10 | 0x01);
    expect(vm.inb(MSR) & 0xf0).toBe(0x20);
    vm.outb(MCR, 0x10 | 0x04);
    expect(vm.inb(MSR) & 0xf0).toBe(0x40);
    vm.outb(MCR, 0x10 | 0x0f);
    expect(vm.inb(MSR) & 0xf0).toBe(0xf0);
  });

  it('sets the MSR delta bits on changes and clears them on read; TERI only on RI going off', () => {
    const { vm } = com1();
    vm.outb(MCR, 0x10); // CTS, DSR, DCD drop
    expect(vm.inb(MSR)).toBe(0x0b);
    expect(vm.inb(MSR)).toBe(0x00);
    vm.outb(MCR, 0x14); // RI on: no delta (leading edge)
    expect(vm.inb(MSR)).toBe(0x40);
    vm.outb(MCR, 0x10); // RI off: TERI
    expect(vm.inb(MSR)).toBe(0x04);
    vm.outb(MCR, 0x00); // leave loopback: host lines come back
    expect(vm.inb(MSR)).toBe(0xbb);
  });

  it('overruns in 16450 mode: the new character replaces the unread one, OE set and cleared by LSR read', () => {
    const { vm } = com1();
    vm.outb(MCR, 0x10);
    vm.outb(THR, 0x31);
    vm.outb(THR, 0x32);
    expect(vm.inb(LSR)).toBe(0x63); // DR + OE + THRE + TEMT
    expect(vm.inb(LSR)).toBe(0x61); // OE cleared by the read
    expect(vm.inb(RBR)).toBe(0x32);
  });

  it('overruns in FIFO mode: the 17th character is lost, the FIFO keeps the first 16', () => {
    const { vm } = com1();
    vm.outb(FCR, 0x01);
    vm.outb(MCR, 0x10);
    const sent = 'ABCDEFGHIJKLMNOPQ';
    for (const c of sent) vm.outb(THR, c.charCodeAt(0));
    expect(vm.inb(LSR) & 0x03).toBe(0x03);
    expect(drain(vm)).toBe(sent.slice(0, 16));
  });
});

describe('FIFO control', () => {
  it('reports FIFOs enabled in IIR bits 6-7', () => {
    const { vm } = com1();
    vm.outb(FCR, 0x01);
    expect(vm.inb(IIR)).toBe(0xc1);
    vm.outb(FCR, 0x00);
    expect(vm.inb(IIR)).toBe(0x01);
  });

  it('clears the receive FIFO on FCR1 and when FCR0 changes, then refills from waiting input', () => {
    const { vm } = com1();
    vm.outb(FCR, 0x01);
    vm.outb(MCR, 0x10);
    vm.outb(THR, 0x41);
    vm.outb(FCR, 0x03); // RX reset
    expect(vm.inb(LSR) & 0x01).toBe(0);
    vm.outb(THR, 0x42);
    vm.outb(FCR, 0x00); // FIFO off: both FIFOs cleared
    expect(vm.inb(LSR) & 0x01).toBe(0);
    vm.outb(MCR, 0x00);
    vm.outb(FCR, 0x01);
    vm.stream('com1').input('0123456789abcdefXYZ');
    vm.outb(FCR, 0x03); // the 16 in the FIFO go; the 3 waiting come in
    expect(drain(vm)).toBe('XYZ');
  });

  it.each([
    [0x00, 1],
    [0x40, 4],
    [0x80, 8],
    [0xc0, 14],
  ])('FCR bits 0x%s raise received-data-available at %i bytes', (bits, level) => {
    const { vm } = com1();
    vm.outb(FCR, 0x01 | bits);
    vm.outb(IER, 0x01);
    vm.outb(MCR, 0x08);
    if (level > 1) {
      vm.stream('com1').input('x'.repeat(level - 1));
      expect(vm.inb(IIR)).toBe(0xc1);
      expect(vm.irq(4).level).toBe(false);
    }
    vm.stream('com1').input('y');
    expect(vm.inb(IIR)).toBe(0xc4);
    expect(vm.irq(4).level).toBe(true);
    vm.inb(RBR); // below the trigger again
    expect(vm.inb(IIR)).toBe(0xc1);
    expect(vm.irq(4).level).toBe(false);
  });

  it('raises a character timeout after four character times of silence below the trigger', () => {
    const { vm, dev } = com1();
    vm.outb(FCR, 0x81); // trigger 8
    vm.outb(IER, 0x01);
    vm.outb(MCR, 0x08);
    vm.stream('com1').input('abc');
    expect(vm.inb(IIR)).toBe(0xc1);
    expect(vm.nextDeadline()).toBe(4 * CHAR_NS_9600_8N1);
    vm.clock.step(4 * CHAR_NS_9600_8N1 - 1);
    expect(vm.inb(IIR)).toBe(0xc1);
    expect(vm.irq(4).level).toBe(false);
    vm.clock.step(1);
    expect(vm.inb(IIR)).toBe(0xcc);
    expect(vm.irq(4).level).toBe(true);
    // Reading one character clears the timeout and restarts the timer.
    expect(vm.inb(RBR)).toBe(0x61);
    expect(vm.inb(IIR)).toBe(0xc1);
    expect(vm.irq(4).level).toBe(false);
    expect(dev.uart.nextDeadline()).toBe(vm.clock.now() + 4 * CHAR_NS_9600_8N1);
    vm.clock.step(4 * CHAR_NS_9600_8N1);
    expect(vm.inb(IIR)).toBe(0xcc);
    vm.inb(RBR);
    vm.inb(RBR);
    expect(vm.nextDeadline()).toBe(Infinity); // empty FIFO: no timeout
  });

  it('has no character timeout in 16450 mode', () => {
    const { vm } = com1();
    vm.outb(IER, 0x01);
    vm.stream('com1').input('a');
    expect(vm.nextDeadline()).toBe(Infinity);
    vm.clock.step(1e9);
    expect(vm.inb(IIR)).toBe(0x04);
  });
});

describe('interrupts', () => {
  it('reports sources in datasheet priority: line status > data > THRE > modem status', () => {
    const { vm } = com1();
    vm.outb(IER, 0x0f);
    vm.outb(MCR, 0x10); // loopback: MSR deltas
    vm.outb(THR, 0x31);
    vm.outb(THR, 0x32); // overrun
    expect(vm.inb(IIR)).toBe(0x06); // receiver line status
    vm.inb(LSR);
    expect(vm.inb(IIR)).toBe(0x04); // received data available
    vm.inb(RBR);
    expect(vm.inb(IIR)).toBe(0x02); // THR empty (this read clears it)
    expect(vm.inb(IIR)).toBe(0x00); // modem status
    vm.inb(MSR);
    expect(vm.inb(IIR)).toBe(0x01);
  });

  it('re-arms the THRE interrupt on an IER write with ETBEI; IIR read clears it; THR write empties THR again', () => {
    const { vm } = com1();
    vm.outb(MCR, 0x08);
    vm.outb(IER, 0x02);
    expect(vm.irq(4).level).toBe(true);
    expect(vm.inb(IIR)).toBe(0x02);
    expect(vm.irq(4).level).toBe(false);
    expect(vm.inb(IIR)).toBe(0x01);
    vm.outb(IER, 0x02); // re-arm
    expect(vm.irq(4).level).toBe(true);
    expect(vm.inb(IIR)).toBe(0x02);
    vm.outb(THR, 0x41); // immediate transmission: THR is empty again, so THRE is pending again
    expect(vm.inb(IIR)).toBe(0x02);
    expect(vm.inb(IIR)).toBe(0x01);
    vm.outb(IER, 0x00); // disabling it drops the line
    vm.outb(THR, 0x42);
    expect(vm.inb(IIR)).toBe(0x01);
    expect(vm.irq(4).level).toBe(false);
  });

  it('gates the IRQ line with OUT2, and masks it in loopback', () => {
    const { vm } = com1();
    vm.outb(IER, 0x01);
    vm.stream('com1').input('a');
    expect(vm.inb(IIR)).toBe(0x04);
    expect(vm.irq(4).level).toBe(false); // OUT2 off
    vm.outb(MCR, 0x08);
    expect(vm.irq(4).level).toBe(true);
    vm.outb(MCR, 0x18); // loopback forces OUT2 inactive
    expect(vm.irq(4).level).toBe(false);
    vm.outb(MCR, 0x08);
    expect(vm.irq(4).level).toBe(true);
    vm.inb(RBR);
    expect(vm.irq(4).level).toBe(false);
    expect(vm.irq(4).pulses).toBe(2);
  });

  it('raises the line when host input arrives with the interrupt enabled', () => {
    const { vm } = com1({ port: 'COM2' });
    vm.outb(0x2f9, 0x01);
    vm.outb(0x2fc, 0x08);
    expect(vm.irq(3).level).toBe(false);
    vm.stream('com1').input('q');
    expect(vm.irq(3).level).toBe(true);
    expect(vm.inb(0x2f8)).toBe(0x71);
    expect(vm.irq(3).level).toBe(false);
  });

  it('raises a receiver line status interrupt on overrun when ELSI is set', () => {
    const { vm } = com1();
    vm.outb(IER, 0x04);
    vm.outb(MCR, 0x10);
    vm.outb(THR, 1);
    expect(vm.inb(IIR)).toBe(0x01);
    vm.outb(THR, 2);
    expect(vm.inb(IIR)).toBe(0x06);
    vm.inb(LSR);
    expect(vm.inb(IIR)).toBe(0x01);
  });
});

describe('a Linux 8250-style probe', () => {
  it('finds a 16550A', () => {
    const { vm } = com1();
    // Scratch test.
    vm.outb(SCR, 0xa5);
    expect(vm.inb(SCR)).toBe(0xa5);
    // IER test: write 0, read 0; write 0x0f, read 0x0f.
    vm.outb(IER, 0);
    expect(vm.inb(IER) & 0x0f).toBe(0);
    vm.outb(IER, 0x0f);
    expect(vm.inb(IER) & 0x0f).toBe(0x0f);
    vm.outb(IER, 0);
    // Loopback test.
    vm.outb(MCR, 0x1a);
    expect(vm.inb(MSR) & 0xf0).toBe(0x90);
    vm.outb(MCR, 0x00);
    // FIFO test: IIR bits 6-7 set means a 16550A.
    vm.outb(FCR, 0x01);
    expect(vm.inb(IIR) >> 6).toBe(3);
    // EFR and SuperIO probes: LCR magic values, FCR with 64-byte bit; harmless on a 16550A.
    vm.outb(LCR, 0xbf);
    expect(vm.inb(IIR)).not.toBe(0);
    vm.outb(FCR, 0x21);
    vm.outb(LCR, 0xe0);
    vm.inb(IIR);
    vm.outb(LCR, 0x03);
    expect(vm.inb(IIR)).toBe(0xc1);
  });
});

describe('fail stop', () => {
  it('refuses LSR and MSR writes (factory test modes)', () => {
    const { vm } = com1();
    expect(() => vm.outb(LSR, 0x01)).toThrow(/16550: write of 0x01 to LSR/);
    expect(() => vm.outb(MSR, 0x01)).toThrow(/16550: write of 0x01 to MSR/);
    try {
      vm.outb(LSR, 0);
    } catch (e) {
      expect(e).toBeInstanceOf(V3Error);
      expect((e as V3Error).detail).toMatchObject({ component: 'com1', port: LSR });
    }
  });

  it('survives the seeded register fuzz with only its own V3Errors', () => {
    for (const seed of [1, 2, 3, 0xdecaf]) {
      const { vm } = com1();
      vm.stream('com1').input('some input for the fuzz to find');
      const ports = Array.from({ length: 8 }, (_, i) => COM1 + i);
      const stops = fuzzPorts(vm, ports, { seed, steps: 5000, deviceId: 'com1' });
      expect(stops).toBeGreaterThan(0); // LSR/MSR writes are among the random accesses
    }
  });
});

describe('checkpoint and reset', () => {
  it('saves and loads a state that continues identically', () => {
    const a = com1();
    a.vm.outb(FCR, 0x81);
    a.vm.outb(IER, 0x03);
    a.vm.outb(MCR, 0x0b);
    a.vm.outb(SCR, 0x77);
    a.vm.stream('com1').input('0123456789abcdefghij');
    a.vm.inb(RBR);
    const saved = JSON.parse(JSON.stringify(a.dev.save())) as unknown;

    const b = com1();
    b.dev.load(saved);
    expect(b.vm.irq(4).level).toBe(a.vm.irq(4).level);
    for (const port of [IER, LCR, MCR, SCR, LSR]) expect(b.vm.inb(port)).toBe(a.vm.inb(port));
    expect(b.dev.uart.pendingInput).toBe(a.dev.uart.pendingInput);
    expect(drain(b.vm)).toBe(drain(a.vm));
  });

  it('refuses a malformed state', () => {
    const { dev } = com1();
    expect(() => dev.load({ ier: 'x' })).toThrow(/16550: load: bad state/);
    expect(() => dev.load(null)).toThrow(V3Error);
  });

  it('resets registers but keeps waiting host input, divisor and scratch', () => {
    const { vm, dev } = com1();
    vm.outb(LCR, 0x80);
    vm.outb(DLL, 3);
    vm.outb(LCR, 0x03);
    vm.outb(IER, 0x0f);
    vm.outb(MCR, 0x1f);
    vm.outb(SCR, 0x12);
    vm.stream('com1').input('held');
    dev.reset();
    expect(vm.inb(IER)).toBe(0);
    expect(vm.inb(LCR)).toBe(0); // 5-bit words after reset
    vm.outb(LCR, 0x03);
    // Loopback ended with the reset, so the first waiting byte arrived then, framed as 5 bits.
    expect(vm.inb(RBR)).toBe(0x68 & 0x1f);
    expect(vm.inb(MCR)).toBe(0);
    expect(vm.inb(IIR)).toBe(0x01);
    expect(vm.inb(SCR)).toBe(0x12);
    vm.outb(LCR, 0x83);
    expect(vm.inb(DLL)).toBe(3);
    vm.outb(LCR, 0x03);
    expect(drain(vm)).toBe('eld');
  });

  it('lowers its line and releases its ports when freed', () => {
    const { vm, dev } = com1();
    vm.outb(MCR, 0x08);
    vm.outb(IER, 0x02);
    expect(vm.irq(4).level).toBe(true);
    dev.free();
    expect(vm.irq(4).level).toBe(false);
    expect(vm.isHooked(COM1)).toBe(false);
    expect(vm.stream('com1').closed).toBe(true);
  });
});

describe('debug output', () => {
  it('prints register accesses prefixed 16550: when built with DEBUG_SERIAL and switched on', () => {
    const { vm } = com1();
    vm.debugComponents.add('SERIAL');
    vm.outb(SCR, 0x11);
    vm.inb(SCR);
    const lines = vm.log.filter((l) => l.startsWith('debug SERIAL: '));
    if (__DEBUG_SERIAL__) {
      expect(lines).toEqual(['debug SERIAL: 16550: write SCR <- 0x11', 'debug SERIAL: 16550: read SCR -> 0x11']);
    } else {
      expect(lines).toEqual([]);
    }
  });
});
