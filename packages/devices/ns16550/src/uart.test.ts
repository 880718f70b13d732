// Chip-level tests: the UART alone, wired to a stub line, clock and transmitter (no VMM).
import { describe, expect, it } from 'vitest';
import type { IrqLine } from '@v3/device-api';
import { Uart16550 } from './uart.js';
import { REG_FCR, REG_IER, REG_IIR, REG_LCR, REG_LSR, REG_MCR, REG_RBR, REG_THR } from './regs.js';

function chip() {
  let now = 0;
  const sent: number[] = [];
  const edges: string[] = [];
  let level = false;
  const irq: IrqLine = {
    irq: 4,
    get level() {
      return level;
    },
    raise() {
      level = true;
      edges.push('raise');
    },
    lower() {
      level = false;
      edges.push('lower');
    },
    pulse() {
      edges.push('pulse');
    },
  };
  const uart = new Uart16550({
    irq,
    clock: { kind: 'virtual', now: () => now },
    transmit: (b) => sent.push(b),
    fail: (reason) => {
      throw new Error(reason);
    },
    debugOn: () => false,
    debug: () => undefined,
  });
  uart.write(REG_LCR, 0x03);
  return { uart, sent, edges, irq, setNow: (t: number) => (now = t) };
}

describe('Uart16550 (chip alone)', () => {
  it('drives its line only on changes (a level, never pulses)', () => {
    const { uart, edges } = chip();
    uart.write(REG_MCR, 0x08);
    uart.write(REG_IER, 0x01);
    uart.receiveFromHost(Uint8Array.of(1, 2, 3));
    uart.read(REG_IIR);
    uart.read(REG_RBR);
    uart.read(REG_RBR);
    uart.read(REG_RBR);
    expect(edges).toEqual(['raise', 'lower']);
  });

  it('keeps host input in order across FIFO mode changes and loopback', () => {
    const { uart } = chip();
    uart.receiveFromHost(Uint8Array.from('ab', (c) => c.charCodeAt(0)));
    uart.write(REG_MCR, 0x10);
    uart.receiveFromHost(Uint8Array.from('cd', (c) => c.charCodeAt(0)));
    expect(uart.pendingInput).toBe(3);
    const got: number[] = [];
    got.push(uart.read(REG_RBR)); // 'a' was in RBR before loopback
    expect(uart.read(REG_LSR) & 1).toBe(0); // loopback: the line is cut off
    uart.write(REG_MCR, 0x00);
    while (uart.read(REG_LSR) & 1) got.push(uart.read(REG_RBR));
    expect(String.fromCharCode(...got)).toBe('abcd');
  });

  it('schedules the character timeout from the last receive and fires it in update()', () => {
    const { uart, setNow } = chip();
    uart.write(REG_FCR, 0xc1); // trigger 14
    uart.write(REG_IER, 0x01);
    setNow(500);
    uart.receiveFromHost(Uint8Array.of(0x55));
    const due = 500 + 4 * uart.charTimeNs();
    expect(uart.nextDeadline()).toBe(due);
    uart.update(due - 1);
    expect(uart.read(REG_IIR)).toBe(0xc1);
    uart.update(due);
    expect(uart.read(REG_IIR)).toBe(0xcc);
    expect(uart.nextDeadline()).toBe(Infinity);
  });

  it('transmits at once and keeps THRE/TEMT set', () => {
    const { uart, sent } = chip();
    uart.write(REG_THR, 0x7e);
    expect(sent).toEqual([0x7e]);
    expect(uart.read(REG_LSR) & 0x60).toBe(0x60);
  });

  it('round-trips its state through save/load', () => {
    const a = chip();
    a.uart.write(REG_FCR, 0x41);
    a.uart.receiveFromHost(new Uint8Array(40).fill(0x33));
    const b = chip();
    b.uart.load(a.uart.save());
    expect(b.uart.save()).toEqual(a.uart.save());
    expect(b.uart.pendingInput).toBe(24);
  });
});
