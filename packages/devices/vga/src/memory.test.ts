import { describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '@v3/device-testkit';
import { vga, type VgaDevice } from './index.js';

const P = 0x10000;

function vm(text = true): { h: TestHost; dev: VgaDevice } {
  const h = createTestHost();
  const dev = h.attach(vga, { id: 'vga', initialMode: text ? 'text' : 'power-on' });
  return { h, dev };
}

const plane = (dev: VgaDevice, p: number, off: number): number => dev.save().planes[p * P + off] as number;
const seq = (h: TestHost, i: number, v: number): void => h.outw(0x3c4, (v << 8) | i);
const gc = (h: TestHost, i: number, v: number): void => h.outw(0x3ce, (v << 8) | i);

/** Planar, sequential addressing with the 64 KiB window at 0xA0000 (as mode 0x12 sets it). */
function planar(h: TestHost): void {
  seq(h, 4, 0x06); // extended memory, odd/even off, no chain 4
  seq(h, 2, 0x0f);
  gc(h, 5, 0x00);
  gc(h, 6, 0x05); // graphics, 0xA0000 64 KiB
  gc(h, 3, 0x00);
  gc(h, 8, 0xff);
  gc(h, 1, 0x00);
}

/** Fill offset `off` of plane p with `values[p]` through the map mask. */
function fill(h: TestHost, off: number, values: number[]): void {
  values.forEach((v, p) => {
    seq(h, 2, 1 << p);
    h.mmioWrite(0xa0000 + off, 1, v);
  });
  seq(h, 2, 0x0f);
}

describe('odd/even text memory (mode 3)', () => {
  it('puts characters in plane 0 and attributes in plane 1, and reads them back', () => {
    const { h, dev } = vm();
    h.mmioWrite(0xb8000, 1, 0x41);
    h.mmioWrite(0xb8001, 1, 0x1f);
    h.mmioWrite(0xb8002, 2, 0x4e42); // 'B' on red, yellow
    h.mmioWrite(0xb8004, 4, 0x07440743);
    expect(plane(dev, 0, 0)).toBe(0x41);
    expect(plane(dev, 1, 0)).toBe(0x1f);
    expect(plane(dev, 0, 2)).toBe(0x42);
    expect(plane(dev, 1, 2)).toBe(0x4e);
    expect(plane(dev, 0, 6)).toBe(0x44);
    expect(plane(dev, 1, 6)).toBe(0x07);
    // The odd byte of each plane stays untouched; planes 2 and 3 are masked off by SR02 = 0x03.
    expect(plane(dev, 0, 1)).toBe(0);
    expect(plane(dev, 2, 0)).toBe(0);
    expect(h.mmioRead(0xb8000, 1)).toBe(0x41);
    expect(h.mmioRead(0xb8001, 1)).toBe(0x1f);
    expect(h.mmioRead(0xb8002, 2)).toBe(0x4e42);
    expect(h.mmioRead(0xb8004, 4)).toBe(0x07440743);
  });

  it('answers only inside the window Graphics register 6 selects', () => {
    const { h } = vm();
    h.mmioWrite(0xa0000, 1, 0x55);
    h.mmioWrite(0xb0000, 1, 0x55);
    expect(h.mmioRead(0xa0000, 1)).toBe(0xff);
    expect(h.mmioRead(0xb0000, 2)).toBe(0xffff);
    expect(h.mmioRead(0xb8000, 1)).toBe(0x00);
    gc(h, 6, 0x02); // 128 KiB at 0xA0000, chained odd/even
    h.mmioWrite(0xa0010, 1, 0x33);
    expect(h.mmioRead(0xa0010, 1)).toBe(0x33);
    expect(h.mmioRead(0xbfff0, 1)).toBe(0x00);
  });

  it('floats when Miscellaneous Output disables CPU access to video RAM', () => {
    const { h } = vm();
    h.mmioWrite(0xb8000, 1, 0x41);
    h.outb(0x3c2, 0x65);
    expect(h.mmioRead(0xb8000, 1)).toBe(0xff);
    h.mmioWrite(0xb8000, 1, 0x42);
    h.outb(0x3c2, 0x67);
    expect(h.mmioRead(0xb8000, 1)).toBe(0x41);
  });
});

describe('font loading into plane 2, as a VGA BIOS does it', () => {
  it('writes glyph rows to plane 2 at character * 32 and leaves the text alone', () => {
    const { h, dev } = vm();
    h.mmioWrite(0xb8000, 2, 0x0741);
    // Open plane 2: SR02 = 0x04, SR04 = 0x07, GR04 = 0x02, GR05 = 0x00, GR06 = 0x04.
    seq(h, 0, 0x01);
    seq(h, 2, 0x04);
    seq(h, 4, 0x07);
    seq(h, 0, 0x03);
    gc(h, 4, 0x02);
    gc(h, 5, 0x00);
    gc(h, 6, 0x04);
    const glyph = [0x00, 0x00, 0x10, 0x38, 0x6c, 0xc6, 0xc6, 0xfe, 0xc6, 0xc6, 0xc6, 0xc6, 0x00, 0x00, 0x00, 0x00];
    glyph.forEach((row, i) => h.mmioWrite(0xa0000 + 0x41 * 32 + i, 1, row));
    h.mmioWrite(0xa0000 + 0xff * 32 + 15, 1, 0x81);
    glyph.forEach((row, i) => expect(plane(dev, 2, 0x41 * 32 + i)).toBe(row));
    expect(plane(dev, 2, 0xff * 32 + 15)).toBe(0x81);
    expect(h.mmioRead(0xa0000 + 0x41 * 32 + 3, 1)).toBe(0x38); // read map 2
    expect(plane(dev, 0, 0x41 * 32 + 3)).toBe(0);
    expect(plane(dev, 0, 0)).toBe(0x41);
    // Close plane 2: back to the text mapping.
    seq(h, 2, 0x03);
    seq(h, 4, 0x02);
    gc(h, 4, 0x00);
    gc(h, 5, 0x10);
    gc(h, 6, 0x0e);
    expect(h.mmioRead(0xb8000, 2)).toBe(0x0741);
    expect(dev.textScreen().lines[0]?.charAt(0)).toBe('A');
  });
});

describe('write modes', () => {
  it('mode 0: set/reset, enable set/reset and bit mask against the latches', () => {
    const { h, dev } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    h.mmioWrite(0xa0000, 1, 0xaa); // all planes 0xAA
    expect(h.mmioRead(0xa0000, 1)).toBe(0xaa); // load the latches
    gc(h, 0, 0x05); // set/reset planes 0 and 2
    gc(h, 1, 0x0f);
    gc(h, 8, 0x0f);
    h.mmioWrite(0xa0000, 1, 0x00); // data ignored: every plane uses set/reset
    expect([0, 1, 2, 3].map((p) => plane(dev, p, 0))).toEqual([0xaf, 0xa0, 0xaf, 0xa0]);
    // Only plane 0 from set/reset; the others take the CPU byte.
    gc(h, 1, 0x01);
    gc(h, 8, 0xff);
    h.mmioWrite(0xa0001, 1, 0x3c);
    expect([0, 1, 2, 3].map((p) => plane(dev, p, 1))).toEqual([0xff, 0x3c, 0x3c, 0x3c]);
  });

  it('mode 0: data rotate and the logical operations', () => {
    const { h, dev } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    h.mmioWrite(0xa0000, 1, 0xf0);
    h.mmioRead(0xa0000, 1);
    gc(h, 3, 0x01); // rotate right by 1, replace
    h.mmioWrite(0xa0000, 1, 0x81);
    expect(plane(dev, 0, 0)).toBe(0xc0);
    h.mmioRead(0xa0000, 1); // latches = 0xC0
    gc(h, 3, 0x08); // AND
    h.mmioWrite(0xa0000, 1, 0x4f);
    expect(plane(dev, 1, 0)).toBe(0x40);
    h.mmioRead(0xa0000, 1);
    gc(h, 3, 0x10); // OR
    h.mmioWrite(0xa0000, 1, 0x03);
    expect(plane(dev, 2, 0)).toBe(0x43);
    h.mmioRead(0xa0000, 1);
    gc(h, 3, 0x18); // XOR
    h.mmioWrite(0xa0000, 1, 0xff);
    expect(plane(dev, 3, 0)).toBe(0xbc);
  });

  it('mode 1 copies the latches (a screen-to-screen move)', () => {
    const { h, dev } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    fill(h, 0x10, [0x11, 0x22, 0x33, 0x44]);
    gc(h, 5, 0x01);
    h.mmioRead(0xa0010, 1);
    h.mmioWrite(0xa0200, 1, 0x00);
    expect([0, 1, 2, 3].map((p) => plane(dev, p, 0x200))).toEqual([0x11, 0x22, 0x33, 0x44]);
  });

  it('mode 2 spreads colour bits over the planes through the bit mask', () => {
    const { h, dev } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    gc(h, 5, 0x02);
    gc(h, 8, 0x81);
    h.mmioWrite(0xa0000, 1, 0x09); // planes 0 and 3
    expect([0, 1, 2, 3].map((p) => plane(dev, p, 0))).toEqual([0x81, 0x00, 0x00, 0x81]);
  });

  it('mode 3 masks set/reset with the rotated CPU byte and the bit mask', () => {
    const { h, dev } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    gc(h, 5, 0x03);
    gc(h, 0, 0x06);
    gc(h, 8, 0xf0);
    h.mmioWrite(0xa0000, 1, 0x3c);
    expect([0, 1, 2, 3].map((p) => plane(dev, p, 0))).toEqual([0x00, 0x30, 0x30, 0x00]);
  });

  it('writes only the planes the map mask enables', () => {
    const { h, dev } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    seq(h, 2, 0x0a);
    h.mmioWrite(0xa0005, 1, 0x77);
    expect([0, 1, 2, 3].map((p) => plane(dev, p, 5))).toEqual([0x00, 0x77, 0x00, 0x77]);
  });
});

describe('read modes', () => {
  it('mode 0 returns the plane Read Map Select names', () => {
    const { h } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    fill(h, 0, [0x10, 0x20, 0x30, 0x40]);
    for (let p = 0; p < 4; p++) {
      gc(h, 4, p);
      expect(h.mmioRead(0xa0000, 1)).toBe(0x10 * (p + 1));
    }
  });

  it('mode 1 compares every cared-for plane with Color Compare', () => {
    const { h } = vm(false);
    h.outb(0x3c2, 0x63);
    planar(h);
    fill(h, 0, [0xf0, 0xcc, 0xaa, 0x00]);
    gc(h, 5, 0x08);
    gc(h, 2, 0x03); // colour 3: planes 0 and 1 set
    gc(h, 7, 0x0f);
    expect(h.mmioRead(0xa0000, 1)).toBe(0x40);
    gc(h, 7, 0x03); // planes 2 and 3 don't care
    expect(h.mmioRead(0xa0000, 1)).toBe(0xc0);
    gc(h, 7, 0x00); // nothing cared for: all match
    expect(h.mmioRead(0xa0000, 1)).toBe(0xff);
    gc(h, 2, 0x0c);
    gc(h, 7, 0x0c);
    expect(h.mmioRead(0xa0000, 1)).toBe(0x00);
  });
});

describe('chain 4', () => {
  it('takes the plane from A1-A0 and keeps the address, as mode 0x13 does', () => {
    const { h, dev } = vm(false);
    h.outb(0x3c2, 0x63);
    seq(h, 2, 0x0f);
    seq(h, 4, 0x0e);
    gc(h, 5, 0x40);
    gc(h, 6, 0x05);
    gc(h, 8, 0xff);
    for (let i = 0; i < 8; i++) h.mmioWrite(0xa0000 + i, 1, i + 1);
    expect(plane(dev, 0, 0)).toBe(1);
    expect(plane(dev, 3, 0)).toBe(4);
    expect(plane(dev, 0, 4)).toBe(5);
    expect(plane(dev, 2, 4)).toBe(7);
    expect(plane(dev, 1, 1)).toBe(0);
    for (let i = 0; i < 8; i++) expect(h.mmioRead(0xa0000 + i, 1)).toBe(i + 1);
    expect(h.mmioRead(0xa0004, 4)).toBe(0x08070605);
  });
});
