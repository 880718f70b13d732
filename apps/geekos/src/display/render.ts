import { cp437, type TextScreen } from '@v3/dev-vga';
import { cursorTo, ERASE_PAGE, HIDE_CURSOR, SGR_RESET, SHOW_CURSOR, sgr } from './ansi.js';

/**
 * What the renderer reads of a VGA text screen: the fields of `@v3/dev-vga`'s `TextScreen`
 * (`textScreen()`), minus the `lines` it derives itself from `chars`.
 */
export type TextScreenState = Pick<TextScreen, 'mode' | 'blanked' | 'cols' | 'rows' | 'chars' | 'attrs' | 'cursor'>;

/**
 * How attribute bit 7 is shown. On the VGA it is either *blink* (Attribute Mode Control bit 3
 * set, what the BIOS sets for mode 3) with a 3-bit background, or *background intensity* with a
 * 4-bit background (bit 3 clear). `TextScreen` does not carry that register, so the app chooses:
 *
 * - `'ignore'` (default): background from bits 6-4, bit 7 dropped: blinking text shows steadily,
 *   as in the VGA's "on" phase, and no terminal blinks;
 * - `'bright-background'`: background from bits 7-4 (the 16 colours), for guests that turn blink
 *   off to get bright backgrounds;
 * - `'blink'`: background from bits 6-4, and bit 7 set asks the terminal to blink (SGR 5).
 */
export type BlinkMode = 'ignore' | 'bright-background' | 'blink';

/**
 * How colours are sent. `'ansi16'` (default): the 16 SGR colours, 30-37/40-47 for VGA colours
 * 0-7 and aixterm's 90-97/100-107 for 8-15, so the terminal's own palette applies (VGA brown,
 * colour 6, is the terminal's "yellow"). `'truecolor'`: SGR 38;2 / 48;2 with the VGA's default
 * palette in 24-bit RGB (brown is #AA5500), for terminals that take direct colour.
 */
export type ColorMode = 'ansi16' | 'truecolor';

/** Options of the ANSI renderer. */
export interface RenderOptions {
  blink?: BlinkMode;
  colors?: ColorMode;
}

/**
 * VGA colour index (IRGB: bit 0 blue, 1 green, 2 red) to ANSI colour number (bit 0 red, 1 green,
 * 2 blue): blue and red swap places.
 */
const VGA_TO_ANSI = [0, 4, 2, 6, 1, 5, 3, 7] as const;

/** The VGA's default 16-colour palette as 24-bit RGB (the values the BIOS loads into the DAC, times 4). */
export const VGA_PALETTE: readonly (readonly [number, number, number])[] = [
  [0x00, 0x00, 0x00], [0x00, 0x00, 0xaa], [0x00, 0xaa, 0x00], [0x00, 0xaa, 0xaa],
  [0xaa, 0x00, 0x00], [0xaa, 0x00, 0xaa], [0xaa, 0x55, 0x00], [0xaa, 0xaa, 0xaa],
  [0x55, 0x55, 0x55], [0x55, 0x55, 0xff], [0x55, 0xff, 0x55], [0x55, 0xff, 0xff],
  [0xff, 0x55, 0x55], [0xff, 0x55, 0xff], [0xff, 0xff, 0x55], [0xff, 0xff, 0xff],
];

/** What one text attribute byte means once bit 7 is interpreted. */
export interface CellColors {
  /** VGA colour 0-15 of the character. */
  fg: number;
  /** VGA colour 0-15 of the cell (0-7 unless `blink` is `'bright-background'`). */
  bg: number;
  /** Whether the terminal should blink the character (`blink: 'blink'` only). */
  blink: boolean;
}

/** Split a VGA attribute byte into foreground, background and blink. */
export function cellColors(attr: number, blink: BlinkMode = 'ignore'): CellColors {
  const fg = attr & 0x0f;
  if (blink === 'bright-background') return { fg, bg: (attr >> 4) & 0x0f, blink: false };
  return { fg, bg: (attr >> 4) & 0x07, blink: blink === 'blink' && (attr & 0x80) !== 0 };
}

/** The SGR parameters (after a reset, 0) that draw a cell of attribute `attr`. */
export function sgrParams(attr: number, options: RenderOptions = {}): number[] {
  const { fg, bg, blink } = cellColors(attr, options.blink);
  const params = [0];
  if (options.colors === 'truecolor') {
    const f = VGA_PALETTE[fg]!;
    const b = VGA_PALETTE[bg]!;
    params.push(38, 2, f[0], f[1], f[2], 48, 2, b[0], b[1], b[2]);
  } else {
    params.push((fg & 8 ? 90 : 30) + VGA_TO_ANSI[fg & 7]!, (bg & 8 ? 100 : 40) + VGA_TO_ANSI[bg & 7]!);
  }
  if (blink) params.push(5);
  return params;
}

/** Whether the screen shows its characters (text mode, not blanked). */
function showsText(s: TextScreenState): boolean {
  return s.mode === 'text' && !s.blanked;
}

/**
 * The screen as plain text: one string of `cols` characters per row, CP437 mapped to Unicode
 * (0x00 and 0x20 as spaces, 0x01-0x1F and 0x7F as the PC's graphic characters, 0xFF as a
 * no-break space). This is video memory as the CRTC scans it, also while the screen is blanked
 * (a graphics mode reads as blank lines). `trimEnd` drops trailing spaces of each row.
 */
export function screenText(s: TextScreenState, options: { trimEnd?: boolean } = {}): string[] {
  const out: string[] = [];
  for (let r = 0; r < s.rows; r++) {
    let line = '';
    for (let c = 0; c < s.cols; c++) line += cp437(s.chars[r * s.cols + c] ?? 0x20);
    out.push(options.trimEnd ? line.trimEnd() : line);
  }
  return out;
}

/**
 * The ANSI sequences that draw row `row` at the terminal's line `row + 1`, column 1: CUP, then
 * runs of characters each preceded by the SGR of its attribute. A blanked screen or a graphics
 * mode draws the row as black spaces. The rendition is left as the row's last run set it.
 */
export function renderRow(s: TextScreenState, row: number, options: RenderOptions = {}): string {
  let out = cursorTo(row, 0);
  if (!showsText(s)) return out + sgr(sgrParams(0x00, options)) + ' '.repeat(s.cols);
  let current = -1;
  const base = row * s.cols;
  for (let c = 0; c < s.cols; c++) {
    const attr = s.attrs[base + c] ?? 0x07;
    if (attr !== current) {
      out += sgr(sgrParams(attr, options));
      current = attr;
    }
    out += cp437(s.chars[base + c] ?? 0x20);
  }
  return out;
}

/**
 * The cursor's sequences: CUP to its cell and DECTCEM show when the VGA shows it (enabled, in the
 * cell, on the screen, the screen displaying text), DECTCEM hide otherwise. The cursor's shape
 * (start/end scan lines) is the terminal's own.
 */
export function renderCursor(s: TextScreenState): string {
  if (!s.cursor.visible || !showsText(s)) return HIDE_CURSOR;
  return cursorTo(s.cursor.row, s.cursor.col) + SHOW_CURSOR;
}

/**
 * A whole frame as ANSI output: hide the cursor, erase the page, draw every row, reset the
 * rendition, then place (and show) or hide the cursor. Drawn from the terminal's top-left corner;
 * the terminal needs at least `cols` x `rows` cells (wider rows wrap unless autowrap is off, as
 * `TerminalScreen` sets it).
 */
export function renderScreen(s: TextScreenState, options: RenderOptions = {}): string {
  let out = HIDE_CURSOR + SGR_RESET + ERASE_PAGE;
  for (let r = 0; r < s.rows; r++) out += renderRow(s, r, options);
  return out + SGR_RESET + renderCursor(s);
}
