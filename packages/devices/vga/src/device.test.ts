import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts } from '@v3/device-testkit';
import { VGA_PORTS, vga, type VgaDevice } from './index.js';

function expectStop(f: () => unknown, re: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V3Error);
    expect((e as V3Error).detail.component).toBe('vga');
    expect((e as V3Error).message).toMatch(re);
    return;
  }
  throw new Error('expected a fail stop');
}

describe('Bochs VBE DISPI probe', () => {
  it('reads all ones from the ID register, so a VGA BIOS finds no VBE', () => {
    const h = createTestHost();
    h.attach(vga, { id: 'vga' });
    // SeaVGABIOS and the LGPL VGA BIOS: write ID0 to the ID register and read it back.
    h.outw(0x1ce, 0);
    h.outw(0x1cf, 0xb0c0);
    expect(h.inw(0x1cf)).toBe(0xffff);
    // Byte-wise probing, as the VirtualBox variant does it.
    h.outb(0x1ce, 0);
    h.outb(0x1ce, 0);
    expect(h.inb(0x1cf)).toBe(0xff);
  });

  it('fails stop when a guest turns VBE on anyway', () => {
    const h = createTestHost();
    h.attach(vga, { id: 'vga' });
    h.outw(0x1ce, 4);
    h.outw(0x1cf, 0x0000); // disabling is what a plain VGA already is
    expectStop(() => h.outw(0x1cf, 0x0041), /no VBE/);
  });
});

describe('hooks and configuration', () => {
  it('hooks the VGA ports, the DISPI ports and the 128 KiB legacy window', () => {
    const h = createTestHost();
    h.attach(vga, { id: 'vga' });
    for (const p of VGA_PORTS) expect(h.isHooked(p)).toBe(true);
    expect(h.isHooked(0x3cb)).toBe(false);
    expect(h.isHooked(0x3cd)).toBe(false);
    expect(() => h.mmioRead(0xa0000, 1)).not.toThrow();
    expect(() => h.mmioRead(0xbffff, 1)).not.toThrow();
    expect(() => h.mmioRead(0xc0000, 1)).toThrow(/nothing hooks/);
  });

  it('refuses unknown options and initial modes', () => {
    const h = createTestHost();
    expect(() => h.attach(vga, { id: 'vga', vram: 1 } as never)).toThrow(/vram: unknown option/);
    expect(() => h.attach(vga, { id: 'vga', initialMode: 'vesa' } as never)).toThrow(/initialMode: expected/);
  });

  it('comes up zeroed by default and in mode 3 with initialMode text', () => {
    const a = createTestHost();
    a.attach(vga, { id: 'vga' });
    expect(a.inb(0x3cc)).toBe(0x00);
    const b = createTestHost();
    const dev = b.attach(vga, { id: 'vga', initialMode: 'text' });
    expect(b.inb(0x3cc)).toBe(0x67);
    b.outb(0x3d4, 0x11);
    expect(b.inb(0x3d5)).toBe(0x8e);
    const s = dev.textScreen();
    expect([s.cols, s.rows]).toEqual([80, 25]);
  });
});

describe('save / load / reset', () => {
  function busy(): { h: ReturnType<typeof createTestHost>; dev: VgaDevice } {
    const h = createTestHost();
    const dev = h.attach(vga, { id: 'vga', initialMode: 'text' });
    for (let i = 0; i < 20; i++) h.mmioWrite(0xb8000 + i * 2, 2, 0x1f00 | (0x41 + i));
    h.outw(0x3d4, 0x050f);
    h.outb(0x3c8, 3);
    h.outb(0x3c9, 0x10);
    h.outb(0x3c9, 0x20); // a half-written DAC entry
    h.inb(0x3da);
    h.outb(0x3c0, 0x31); // the flip-flop now waits for data
    return { h, dev };
  }

  it('restores registers, DAC sequencing, flip-flop and memory, also through JSON', () => {
    const { dev } = busy();
    const saved = dev.save();
    const json = JSON.parse(JSON.stringify({ ...saved, planes: Array.from(saved.planes) })) as unknown;
    for (const state of [saved, json]) {
      const h2 = createTestHost();
      const dev2 = h2.attach(vga, { id: 'vga' });
      dev2.load(state);
      expect(dev2.textScreen()).toEqual(dev.textScreen());
      h2.outb(0x3c9, 0x30); // completes entry 3
      h2.outb(0x3c7, 3);
      expect([h2.inb(0x3c9), h2.inb(0x3c9), h2.inb(0x3c9)]).toEqual([0x10, 0x20, 0x30]);
      h2.outb(0x3c0, 0x0a); // data for index 0x11
      h2.outb(0x3c0, 0x31);
      expect(h2.inb(0x3c1)).toBe(0x0a);
    }
  });

  it('refuses a malformed state', () => {
    const { dev } = busy();
    const good = dev.save();
    expectStop(() => dev.load(null), /malformed/);
    expectStop(() => dev.load({ ...good, crtc: [1, 2, 3] }), /crtc/);
    expectStop(() => dev.load({ ...good, seqIndex: 9 }), /seqIndex/);
    expectStop(() => dev.load({ ...good, planes: new Uint8Array(10) }), /planes/);
  });

  it('reset returns to the configured initial state', () => {
    const { h, dev } = busy();
    dev.reset();
    expect(h.mmioRead(0xb8000, 2)).toBe(0);
    h.outb(0x3d4, 0x0f);
    expect(h.inb(0x3d5)).toBe(0);
    expect(dev.textScreen().lines[0]).toBe(' '.repeat(80));
  });
});

describe('register fuzz', () => {
  it('lets only V3Errors naming the VGA escape from random port traffic', () => {
    for (const seed of [1, 7, 0xdecaf, 123456789]) {
      const h = createTestHost();
      const dev = h.attach(vga, { id: 'vga', initialMode: 'text' });
      const stops = fuzzPorts(h, VGA_PORTS, { seed, steps: 4000, deviceId: 'vga' });
      expect(stops).toBeGreaterThan(0);
      expect(stops).toBeLessThan(4000);
      // Memory traffic in whatever mode the fuzz left behind.
      let s = seed;
      for (let i = 0; i < 2000; i++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const addr = 0xa0000 + (s % 0x20000);
        const size = ([1, 2, 4] as const)[s % 3] as 1 | 2 | 4;
        const a = Math.min(addr, 0xc0000 - size);
        if (s & 0x100) h.mmioWrite(a, size, s);
        else h.mmioRead(a, size);
      }
      expect(() => dev.textScreen()).not.toThrow();
    }
  });
});
