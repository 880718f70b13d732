import { Writable } from 'node:stream';
import { vga, type TextScreen, type VgaDevice } from '@v3/dev-vga';
import { createTestHost, type TestHost } from '@v3/device-testkit';
import { describe, expect, it } from 'vitest';
import {
  cellColors, renderCursor, renderRow, renderScreen, screenText, sgrParams, TerminalScreen, type RenderOptions,
  type TextScreenSource,
} from '../src/display/index.js';

// ---------------------------------------------------------------------------------------------
// A small terminal to replay the renderer's output on: it understands exactly the sequences the
// renderer may send (CUP, ED 2, SGR, DECTCEM, DECAWM, the alternate screen) and fails on anything
// else, and keeps each cell's character and colours.

interface Cell {
  ch: string;
  fg: string;
  bg: string;
  blink: boolean;
}

class MiniTerminal {
  normal: Cell[][];
  alt: Cell[][];
  onAlt = false;
  row = 0;
  col = 0;
  cursorVisible = true;
  autowrap = true;
  private fg = 'default';
  private bg = 'default';
  private blink = false;

  constructor(
    readonly cols = 80,
    readonly rows = 25,
  ) {
    this.normal = this.blankGrid('N');
    this.alt = this.blankGrid(' ');
  }

  private blankGrid(ch: string): Cell[][] {
    return Array.from({ length: this.rows }, () =>
      Array.from({ length: this.cols }, () => ({ ch, fg: 'default', bg: 'default', blink: false })),
    );
  }

  get grid(): Cell[][] {
    return this.onAlt ? this.alt : this.normal;
  }

  feed(data: string): void {
    // eslint-disable-next-line no-control-regex -- because: the terminal's input is parsed on its ESC bytes
    const re = /\x1b\[(\??)([0-9;]*)([A-Za-z])|([^\x1b])|(\x1b)/uy;
    let m: RegExpExecArray | null;
    while (re.lastIndex < data.length && (m = re.exec(data)) !== null) {
      if (m[5] !== undefined) throw new Error(`unexpected escape at ${m.index}: ${JSON.stringify(data.slice(m.index, m.index + 12))}`);
      if (m[4] !== undefined) {
        const ch = m[4];
        if (ch.charCodeAt(0) < 0x20 || ch === '\x7f') throw new Error(`control character ${ch.charCodeAt(0)} sent to the terminal`);
        if (this.col >= this.cols) {
          if (this.autowrap) throw new Error('the test terminal does not wrap');
          this.col = this.cols - 1;
        }
        this.grid[this.row]![this.col] = { ch, fg: this.fg, bg: this.bg, blink: this.blink };
        this.col++;
        continue;
      }
      const priv = m[1] === '?';
      const params = m[2] === '' ? [] : m[2]!.split(';').map(Number);
      const fin = m[3]!;
      if (priv) {
        const set = fin === 'h';
        if (fin !== 'h' && fin !== 'l') throw new Error(`unexpected private sequence ${fin}`);
        for (const p of params) {
          if (p === 25) this.cursorVisible = set;
          else if (p === 7) this.autowrap = set;
          else if (p === 1049) {
            if (set && !this.onAlt) this.alt = this.blankGrid(' ');
            this.onAlt = set;
          } else throw new Error(`unexpected private mode ${p}`);
        }
      } else if (fin === 'H') {
        this.row = Math.min((params[0] ?? 1) - 1, this.rows - 1);
        this.col = Math.min((params[1] ?? 1) - 1, this.cols - 1);
      } else if (fin === 'J') {
        if (params[0] !== 2) throw new Error(`unexpected ED ${params.join(';')}`);
        for (const line of this.grid) for (const cell of line) Object.assign(cell, { ch: ' ', fg: 'default', bg: this.bg, blink: false });
      } else if (fin === 'm') {
        this.sgr(params.length ? params : [0]);
      } else {
        throw new Error(`unexpected control sequence ${JSON.stringify(m[0])}`);
      }
    }
  }

  private sgr(p: number[]): void {
    for (let i = 0; i < p.length; i++) {
      const n = p[i]!;
      if (n === 0) [this.fg, this.bg, this.blink] = ['default', 'default', false];
      else if (n === 5) this.blink = true;
      else if (n >= 30 && n <= 37) this.fg = `a${n - 30}`;
      else if (n >= 90 && n <= 97) this.fg = `a${n - 90 + 8}`;
      else if (n >= 40 && n <= 47) this.bg = `a${n - 40}`;
      else if (n >= 100 && n <= 107) this.bg = `a${n - 100 + 8}`;
      else if ((n === 38 || n === 48) && p[i + 1] === 2) {
        const hex = p.slice(i + 2, i + 5).map((v) => v.toString(16).padStart(2, '0')).join('');
        if (n === 38) this.fg = `#${hex}`;
        else this.bg = `#${hex}`;
        i += 4;
      } else throw new Error(`unexpected SGR ${n}`);
    }
  }

  /** The grid as text, trailing spaces dropped. */
  text(): string[] {
    return this.grid.map((line) => line.map((c) => c.ch).join('').trimEnd());
  }
}

/** An in-memory stream that keeps every chunk written. */
class MemoryStream extends Writable {
  readonly chunks: string[] = [];
  constructor() {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  /** Everything written since the last call. */
  take(): string {
    return this.chunks.splice(0).join('');
  }
}

// ---------------------------------------------------------------------------------------------
// Synthetic VGA state.

class FakeVga implements TextScreenSource {
  changes = 0;
  mode: 'text' | 'graphics' = 'text';
  blanked = false;
  chars: Uint8Array;
  attrs: Uint8Array;
  cursor = { row: 0, col: 0, visible: true };

  constructor(
    public cols = 80,
    public rows = 25,
  ) {
    this.chars = new Uint8Array(cols * rows).fill(0x20);
    this.attrs = new Uint8Array(cols * rows).fill(0x07);
  }

  put(row: number, col: number, text: string | number[], attr = 0x07): void {
    const bytes = typeof text === 'string' ? Array.from(text, (c) => c.charCodeAt(0)) : text;
    bytes.forEach((b, i) => {
      this.chars[row * this.cols + col + i] = b;
      this.attrs[row * this.cols + col + i] = attr;
    });
    this.changes++;
  }

  resize(cols: number, rows: number): void {
    Object.assign(this, new FakeVga(cols, rows), { changes: this.changes + 1 });
  }

  textScreen(): TextScreen {
    const s = { mode: this.mode, blanked: this.blanked, cols: this.cols, rows: this.rows, lines: [] as string[] };
    return { ...s, chars: this.chars.slice(), attrs: this.attrs.slice(), cursor: { ...this.cursor }, lines: screenText(this) };
  }
}

/** Terminal rows a chunk of output draws: those addressed by a CUP to column 1 followed by an SGR (a row, not the cursor). */
function rowsDrawn(chunk: string): number[] {
  // eslint-disable-next-line no-control-regex -- because: the output is matched on its ESC bytes
  return [...chunk.matchAll(/\x1b\[(\d+);1H(?=\x1b\[[0-9;]*m)/g)].map((m) => Number(m[1]) - 1);
}

// ---------------------------------------------------------------------------------------------

describe('colours of an attribute byte', () => {
  it('splits foreground, background and bit 7 by the blink mode', () => {
    expect(cellColors(0x1f)).toEqual({ fg: 15, bg: 1, blink: false });
    expect(cellColors(0x9e)).toEqual({ fg: 14, bg: 1, blink: false });
    expect(cellColors(0x9e, 'bright-background')).toEqual({ fg: 14, bg: 9, blink: false });
    expect(cellColors(0x9e, 'blink')).toEqual({ fg: 14, bg: 1, blink: true });
    expect(cellColors(0x1e, 'blink')).toEqual({ fg: 14, bg: 1, blink: false });
  });

  it('maps the 16 VGA colours to the 16 SGR colours (blue and red swap places)', () => {
    // VGA 0-7: black blue green cyan red magenta brown lightgrey -> SGR 30 34 32 36 31 35 33 37.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((c) => sgrParams(c)[1])).toEqual([30, 34, 32, 36, 31, 35, 33, 37]);
    // 8-15: the bright ones, 90-97.
    expect([8, 9, 10, 11, 12, 13, 14, 15].map((c) => sgrParams(c)[1])).toEqual([90, 94, 92, 96, 91, 95, 93, 97]);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((c) => sgrParams(c << 4)[2])).toEqual([40, 44, 42, 46, 41, 45, 43, 47]);
    expect(sgrParams(0x1f)).toEqual([0, 97, 44]);
    expect(sgrParams(0xc7, { blink: 'bright-background' })).toEqual([0, 37, 101]);
    expect(sgrParams(0xc7)).toEqual([0, 37, 41]);
    expect(sgrParams(0xc7, { blink: 'blink' })).toEqual([0, 37, 41, 5]);
  });

  it('gives the VGA palette in 24-bit colour when asked (brown is #AA5500)', () => {
    expect(sgrParams(0x06, { colors: 'truecolor' })).toEqual([0, 38, 2, 0xaa, 0x55, 0x00, 48, 2, 0, 0, 0]);
    expect(sgrParams(0x9f, { colors: 'truecolor', blink: 'bright-background' })).toEqual([0, 38, 2, 255, 255, 255, 48, 2, 0x55, 0x55, 0xff]);
  });
});

describe('screenText', () => {
  it('maps CP437 bytes to the Unicode characters of the VGA font', () => {
    const v = new FakeVga();
    v.put(0, 0, [0x00, 0x01, 0x03, 0xc9, 0xcd, 0xbb, 0xb0, 0xdb, 0xe1, 0x7f, 0xff, 0x41, 0x10, 0x1b, 0xf8]);
    v.put(24, 77, 'end');
    const lines = screenText(v);
    expect(lines).toHaveLength(25);
    expect(lines.every((l) => l.length === 80)).toBe(true);
    expect(lines[0]!.slice(0, 15)).toBe(' ☺♥╔═╗░█ß⌂\u00a0A►←°');
    expect(lines[24]!.slice(77)).toBe('end');
    const trimmed = screenText(v, { trimEnd: true });
    expect(trimmed[0]).toBe(' ☺♥╔═╗░█ß⌂\u00a0A►←°');
    expect(trimmed[1]).toBe('');
    expect(trimmed[24]).toBe(`${' '.repeat(77)}end`);
  });

  it('is video memory even while the screen is blanked', () => {
    const v = new FakeVga(40, 25);
    v.put(2, 1, 'SeaBIOS');
    v.blanked = true;
    expect(screenText(v, { trimEnd: true })[2]).toBe(' SeaBIOS');
  });
});

describe('renderScreen and renderRow', () => {
  it('draws every character with its colours and places the cursor', () => {
    const v = new FakeVga();
    v.put(0, 0, 'SeaBIOS (version 1.16)', 0x07);
    v.put(3, 10, [0xc9, 0xcd, 0xbb], 0x1f); // white on blue box corner
    v.put(4, 10, 'Boot', 0x4e); // yellow on red
    v.put(24, 70, 'bottom row', 0x06); // brown
    v.cursor = { row: 5, col: 12, visible: true };
    const term = new MiniTerminal();
    term.feed(renderScreen(v));
    expect(term.text()).toEqual(screenText(v, { trimEnd: true }));
    expect(term.grid[0]![0]).toEqual({ ch: 'S', fg: 'a7', bg: 'a0', blink: false });
    expect(term.grid[3]!.slice(10, 13).map((c) => [c.ch, c.fg, c.bg])).toEqual([
      ['╔', 'a15', 'a4'], ['═', 'a15', 'a4'], ['╗', 'a15', 'a4'],
    ]);
    expect(term.grid[4]![13]).toEqual({ ch: 't', fg: 'a11', bg: 'a1', blink: false });
    expect(term.grid[24]![79]).toEqual({ ch: 'w', fg: 'a3', bg: 'a0', blink: false });
    expect([term.row, term.col, term.cursorVisible]).toEqual([5, 12, true]);
  });

  it('sends one SGR per run of equal attributes', () => {
    const v = new FakeVga(10, 1);
    v.put(0, 0, 'aaabbbbccc');
    v.put(0, 3, 'bbbb', 0x70);
    const row = renderRow(v, 0);
    expect(row).toBe('\x1b[1;1H\x1b[0;37;40maaa\x1b[0;30;47mbbbb\x1b[0;37;40mccc');
  });

  it('blinks, brightens or ignores attribute bit 7 as asked', () => {
    const v = new FakeVga(4, 1);
    v.put(0, 0, 'ab', 0x9e);
    for (const [opts, bg, blink] of [
      [{}, 'a4', false],
      [{ blink: 'bright-background' }, 'a12', false],
      [{ blink: 'blink' }, 'a4', true],
    ] as [RenderOptions, string, boolean][]) {
      const term = new MiniTerminal(4, 1);
      term.feed(renderScreen(v, opts));
      expect(term.grid[0]![1]).toEqual({ ch: 'b', fg: 'a11', bg, blink });
    }
  });

  it('hides the cursor when the VGA does not show it', () => {
    const v = new FakeVga();
    v.cursor = { row: 2, col: 2, visible: false };
    expect(renderCursor(v)).toBe('\x1b[?25l');
    v.cursor.visible = true;
    expect(renderCursor(v)).toBe('\x1b[3;3H\x1b[?25h');
    const term = new MiniTerminal();
    term.feed(renderScreen({ ...v.textScreen(), cursor: { row: 2, col: 2, visible: false } }));
    expect(term.cursorVisible).toBe(false);
  });

  it('draws a blanked screen or a graphics mode as black spaces, without a cursor', () => {
    const v = new FakeVga();
    v.put(0, 0, 'hidden', 0x1f);
    v.cursor = { row: 0, col: 6, visible: true };
    for (const change of [{ blanked: true }, { mode: 'graphics' as const }]) {
      const term = new MiniTerminal();
      term.feed(renderScreen({ ...v.textScreen(), ...change }));
      expect(term.text().every((l) => l === '')).toBe(true);
      expect(term.grid[0]![0]).toEqual({ ch: ' ', fg: 'a0', bg: 'a0', blink: false });
      expect(term.cursorVisible).toBe(false);
    }
  });
});

describe('TerminalScreen', () => {
  function setup(opts: ConstructorParameters<typeof TerminalScreen>[2] = {}) {
    const v = new FakeVga();
    const out = new MemoryStream();
    const term = new MiniTerminal();
    const screen = new TerminalScreen(v, out, opts);
    /** Feed what was written since the last step to the terminal and return it. */
    const step = (): string => {
      const s = out.take();
      term.feed(s);
      return s;
    };
    return { v, out, term, screen, step };
  }

  it('opens on the alternate screen, draws the whole screen, and gives the terminal back on close', () => {
    const { v, term, screen, step } = setup();
    v.put(0, 0, 'Hello from the guest', 0x0a);
    v.cursor = { row: 1, col: 0, visible: true };
    expect(step()).toBe('');
    screen.open();
    const first = step();
    expect(first.startsWith('\x1b[?1049h')).toBe(true);
    expect(rowsDrawn(first)).toEqual(Array.from({ length: 25 }, (_, r) => r));
    expect(term.onAlt).toBe(true);
    expect(term.autowrap).toBe(false);
    expect(term.text()[0]).toBe('Hello from the guest');
    expect(term.grid[0]![0]!.fg).toBe('a10');
    expect(term.text().slice(1).every((l) => l === '')).toBe(true);
    expect([term.row, term.col, term.cursorVisible]).toEqual([1, 0, true]);
    expect(screen.lastFrame?.cols).toBe(80);

    screen.close();
    const last = step();
    expect(last).toBe('\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l');
    expect(term.onAlt).toBe(false);
    expect(term.normal[0]![0]!.ch).toBe('N'); // the normal screen is untouched
    expect(term.cursorVisible).toBe(true);
    expect(term.autowrap).toBe(true);
    screen.close();
    v.put(3, 3, 'late');
    expect(screen.refresh()).toBe(false);
    expect(step()).toBe('');
    expect(() => screen.open()).toThrow(/after close/);
  });

  it('writes nothing while the changes counter stands still', () => {
    const { v, screen, step } = setup();
    screen.open();
    step();
    expect(screen.refresh()).toBe(false);
    expect(step()).toBe('');
    // Even a change of the state behind the counter's back is not looked at.
    v.chars[0] = 0x41;
    expect(screen.refresh()).toBe(false);
    expect(step()).toBe('');
  });

  it('redraws only the rows that changed, then puts the cursor back', () => {
    const { v, term, screen, step } = setup();
    v.put(0, 0, 'line zero');
    screen.open();
    step();
    v.put(3, 5, 'three', 0x1e);
    v.put(17, 0, [0xda, 0xc4, 0xbf]);
    v.cursor = { row: 17, col: 3, visible: true };
    expect(screen.refresh()).toBe(true);
    const chunk = step();
    expect(rowsDrawn(chunk)).toEqual([3, 17]);
    expect(term.text()[0]).toBe('line zero');
    expect(term.text()[3]).toBe('     three');
    expect(term.grid[3]![5]).toEqual({ ch: 't', fg: 'a11', bg: 'a4', blink: false });
    expect(term.text()[17]).toBe('┌─┐');
    expect([term.row, term.col, term.cursorVisible]).toEqual([17, 3, true]);
    expect(term.text()).toEqual(screenText(v, { trimEnd: true }));
  });

  it('a counter that moved without a visible change writes nothing; a cursor move writes the cursor only', () => {
    const { v, term, screen, step } = setup();
    v.put(1, 0, 'same');
    screen.open();
    step();
    v.put(1, 0, 'same'); // the guest rewrote the same bytes
    expect(screen.refresh()).toBe(false);
    expect(step()).toBe('');
    v.cursor = { row: 9, col: 40, visible: true };
    v.changes++;
    expect(screen.refresh()).toBe(true);
    const chunk = step();
    expect(chunk).toBe('\x1b[10;41H\x1b[?25h');
    expect([term.row, term.col]).toEqual([9, 40]);
    v.cursor = { row: 9, col: 40, visible: false };
    v.changes++;
    expect(screen.refresh()).toBe(true);
    expect(step()).toBe('\x1b[?25l');
    expect(term.cursorVisible).toBe(false);
  });

  it('hides the cursor while drawing rows', () => {
    const { v, screen, step } = setup();
    v.cursor = { row: 0, col: 0, visible: true };
    screen.open();
    step();
    v.put(20, 0, 'x');
    screen.refresh();
    const chunk = step();
    expect(chunk.startsWith('\x1b[?25l')).toBe(true);
    expect(chunk.endsWith('\x1b[1;1H\x1b[?25h')).toBe(true);
  });

  it('erases and draws everything when the text mode changes size', () => {
    const { v, term, screen, step } = setup();
    v.put(0, 60, 'right side of 80 columns');
    screen.open();
    step();
    v.resize(40, 25);
    v.put(0, 0, 'forty columns');
    screen.refresh();
    const chunk = step();
    expect(chunk).toContain('\x1b[2J');
    expect(rowsDrawn(chunk)).toEqual(Array.from({ length: 25 }, (_, r) => r));
    expect(term.text()[0]).toBe('forty columns');
  });

  it('redraw() repaints the whole screen even without a change', () => {
    const { v, term, screen, step } = setup();
    v.put(5, 5, 'keep me');
    screen.open();
    step();
    term.feed('\x1b[6;1Hgarbage from elsewhere');
    screen.redraw();
    const chunk = step();
    expect(rowsDrawn(chunk)).toHaveLength(25);
    expect(term.text()[5]).toBe('     keep me');
  });

  it('can draw over the normal screen instead of the alternate one', () => {
    const { v, term, screen, step } = setup({ alternateScreen: false });
    v.put(0, 0, 'on the main screen');
    screen.open();
    expect(step()).not.toContain('1049');
    expect(term.onAlt).toBe(false);
    expect(term.text()[0]).toBe('on the main screen');
    screen.close();
    expect(step()).toBe('\x1b[0m\x1b[?7h\x1b[?25h');
  });

  it('passes its render options on (24-bit colour)', () => {
    const { v, term, screen, step } = setup({ colors: 'truecolor' });
    v.put(0, 0, 'X', 0x6e);
    screen.open();
    step();
    expect(term.grid[0]![0]).toEqual({ ch: 'X', fg: '#ffff55', bg: '#aa5500', blink: false });
  });
});

describe('TerminalScreen on the VGA device', () => {
  const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
  function put(h: TestHost, row: number, col: number, bytes: number[], attr: number): void {
    bytes.forEach((b, i) => h.mmioWrite(0xb8000 + (row * 80 + col + i) * 2, 2, (attr << 8) | b));
  }

  it('shows what the guest writes to 0xB8000 and the CRTC cursor, following the changes counter', () => {
    const h = createTestHost();
    const dev = h.attach(vga, { id: 'vga', initialMode: 'text' }) as VgaDevice;
    const out = new MemoryStream();
    const term = new MiniTerminal();
    const screen = new TerminalScreen(dev, out);
    put(h, 0, 0, ascii('iPXE'), 0x07);
    put(h, 2, 0, [0xc9, 0xcd, 0xcd, 0xbb], 0x1f);
    h.outw(0x3d4, (0x00 << 8) | 0x0e);
    h.outw(0x3d4, ((3 * 80 + 7) << 8) | 0x0f); // row 3, column 7
    screen.open();
    term.feed(out.take());
    expect(term.text().slice(0, 4)).toEqual(['iPXE', '', '╔══╗', '']);
    expect(term.grid[2]![1]).toEqual({ ch: '═', fg: 'a15', bg: 'a4', blink: false });
    expect([term.row, term.col, term.cursorVisible]).toEqual([3, 7, true]);
    expect(screen.refresh()).toBe(false);
    put(h, 10, 0, ascii('Booting from DVD/CD...'), 0x07);
    expect(screen.refresh()).toBe(true);
    const chunk = out.take();
    term.feed(chunk);
    expect(rowsDrawn(chunk)).toEqual([10]);
    expect(term.text()[10]).toBe('Booting from DVD/CD...');
    expect(screen.text()).toEqual(term.text());
    screen.close();
  });
});
