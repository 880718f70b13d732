import { describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '@v3/device-testkit';
import { CP437, cp437, vga, type VgaDevice } from './index.js';

function vm(): { h: TestHost; dev: VgaDevice } {
  const h = createTestHost();
  const dev = h.attach(vga, { id: 'vga', initialMode: 'text' });
  return { h, dev };
}

/** Write `s` (bytes) with attribute `attr` at row/col of an 80-column screen at 0xB8000. */
function put(h: TestHost, row: number, col: number, bytes: number[], attr = 0x07): void {
  bytes.forEach((b, i) => h.mmioWrite(0xb8000 + (row * 80 + col + i) * 2, 2, (attr << 8) | b));
}
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const crtc = (h: TestHost, i: number, v: number): void => h.outw(0x3d4, (v << 8) | i);

describe('textScreen()', () => {
  it('decodes 80x25 colour text with CP437 characters and the cursor', () => {
    const { h, dev } = vm();
    put(h, 0, 0, ascii('Hello'));
    put(h, 0, 5, [0xc4, 0xc4, 0xda, 0xbf, 0x01, 0xdb, 0x00, 0xe1], 0x1e);
    put(h, 24, 75, ascii('end!!'));
    crtc(h, 0x0e, 0x00);
    crtc(h, 0x0f, 81); // row 1, column 1
    const s = dev.textScreen();
    expect(s.mode).toBe('text');
    expect(s.cols).toBe(80);
    expect(s.rows).toBe(25);
    expect(s.lines).toHaveLength(25);
    expect(s.lines[0]?.slice(0, 13)).toBe('Hello──┌┐☺█ ß');
    expect(s.lines[0]).toHaveLength(80);
    expect(s.lines[24]?.slice(75)).toBe('end!!');
    expect(s.lines[1]).toBe(' '.repeat(80));
    expect(s.chars[5]).toBe(0xc4);
    expect(s.attrs[5]).toBe(0x1e);
    expect(s.attrs[0]).toBe(0x07);
    expect(s.cursor).toEqual({ row: 1, col: 1, visible: true });
    expect(s.blanked).toBe(false);
  });

  it('hides the cursor when CR0A bit 5 is set or it is off screen', () => {
    const { h, dev } = vm();
    crtc(h, 0x0f, 0);
    expect(dev.textScreen().cursor.visible).toBe(true);
    crtc(h, 0x0a, 0x2d);
    expect(dev.textScreen().cursor.visible).toBe(false);
    crtc(h, 0x0a, 0x0d);
    crtc(h, 0x0e, 0x07);
    crtc(h, 0x0f, 0xd0); // 2000: one past the last cell
    expect(dev.textScreen().cursor.visible).toBe(false);
  });

  it('scrolls with the start address and follows the offset register', () => {
    const { h, dev } = vm();
    put(h, 1, 0, ascii('second'));
    crtc(h, 0x0c, 0);
    crtc(h, 0x0d, 80);
    expect(dev.textScreen().lines[0]?.startsWith('second')).toBe(true);
    // A 40-column mode: CR01 = 39, offset 20.
    crtc(h, 0x0d, 0);
    crtc(h, 0x11, 0x0e); // protect off
    crtc(h, 0x01, 39);
    crtc(h, 0x13, 20);
    put(h, 0, 40, ascii('wrapped'));
    const s = dev.textScreen();
    expect(s.cols).toBe(40);
    expect(s.lines[1]?.startsWith('wrapped')).toBe(true);
  });

  it('counts 50 rows with an 8-line font', () => {
    const { h, dev } = vm();
    crtc(h, 0x09, 0x47);
    expect(dev.textScreen().rows).toBe(50);
  });

  it('reports graphics mode and blanking', () => {
    const { h, dev } = vm();
    h.inb(0x3da);
    h.outb(0x3c0, 0x10); // PAS clear: blanked while the palette is open
    expect(dev.textScreen().blanked).toBe(true);
    h.outb(0x3c0, 0x01);
    h.outb(0x3c0, 0x20);
    const s = dev.textScreen();
    expect(s.mode).toBe('graphics');
    expect(s.blanked).toBe(false);
    expect(s.cursor.visible).toBe(false);
  });

  it('bumps `changes` on writes that change the screen, not on reads', () => {
    const { h, dev } = vm();
    const c0 = dev.changes;
    h.mmioRead(0xb8000, 2);
    h.inb(0x3da);
    expect(dev.changes).toBe(c0);
    h.mmioWrite(0xb8000, 1, 0x41);
    expect(dev.changes).toBeGreaterThan(c0);
    const c1 = dev.changes;
    crtc(h, 0x0f, 3);
    expect(dev.changes).toBeGreaterThan(c1);
  });
});

describe('CP437', () => {
  it('maps all 256 bytes to distinct characters but for the two blanks', () => {
    expect(CP437).toHaveLength(256);
    expect(new Set(CP437).size).toBe(255); // 0x00 and 0x20 are both spaces
    expect(cp437(0xc4)).toBe('─');
    expect(cp437(0xcd)).toBe('═');
    expect(cp437(0x01)).toBe('☺');
    expect(cp437(0x7f)).toBe('⌂');
    expect(cp437(0x80)).toBe('Ç');
    expect(cp437(0xe3)).toBe('π');
    expect(cp437(0xfe)).toBe('■');
    expect(cp437(0xff)).toBe('\u00a0');
    expect(cp437(0x41)).toBe('A');
  });
});
