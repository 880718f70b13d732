import { cp437 } from './cp437.js';
import {
  AR_MODE, CR_CURSOR_END, CR_CURSOR_HI, CR_CURSOR_LO, CR_CURSOR_START, CR_HDISP_END, CR_MAX_SCAN, CR_MODE, CR_OFFSET,
  CR_OVERFLOW, CR_START_HI, CR_START_LO, CR_UNDERLINE, CR_VDISP_END, PLANE_SIZE, SR_CLOCKING,
} from './regs.js';
import type { Vga } from './vga.js';

/** The text screen as the CRTC would scan it out. */
export interface TextScreen {
  /** 'text' when the Attribute Controller is in alphanumeric mode; 'graphics' otherwise (lines are then blank). */
  mode: 'text' | 'graphics';
  /** Whether the screen is blanked (Sequencer screen off, or the Attribute Controller's PAS clear). */
  blanked: boolean;
  cols: number;
  rows: number;
  /** One string of `cols` characters per row, CP437 mapped to Unicode. */
  lines: string[];
  /** The raw character and attribute bytes, row-major (`cols * rows` each). */
  chars: Uint8Array;
  attrs: Uint8Array;
  /** Cursor position on the screen, and whether it shows (enabled, its scan lines in the cell, on screen). */
  cursor: { row: number; col: number; visible: boolean };
}

/**
 * Decode the current text mode: start address (CR0C/CR0D), row pitch (CR13), columns (CR01),
 * rows (vertical display end over the character height, halved when double scanning), and the
 * cursor (CR0A/CR0B/CR0E/CR0F). Characters come from plane 0, attributes from plane 1, at the
 * plane offset the CRTC's byte/word/double-word addressing gives each character address.
 */
export function textScreen(vga: Vga): TextScreen {
  const cr = vga.crtc;
  const ov = cr[CR_OVERFLOW] as number;
  const cols = (cr[CR_HDISP_END] as number) + 1;
  const maxScan = cr[CR_MAX_SCAN] as number;
  const charHeight = (maxScan & 0x1f) + 1;
  let lines = ((cr[CR_VDISP_END] as number) | ((ov & 0x02) << 7) | ((ov & 0x40) << 3)) + 1;
  if (maxScan & 0x80) lines >>= 1;
  const rows = Math.max(1, Math.floor(lines / charHeight));
  const start = ((cr[CR_START_HI] as number) << 8) | (cr[CR_START_LO] as number);
  const dword = ((cr[CR_UNDERLINE] as number) & 0x40) !== 0;
  const byteMode = ((cr[CR_MODE] as number) & 0x40) !== 0;
  const wrapMa15 = ((cr[CR_MODE] as number) & 0x20) !== 0;
  // The CRTC advances its character address by twice the Offset register per character row.
  const pitch = (cr[CR_OFFSET] as number) * 2;
  const planeOffset = (ma: number): number => {
    ma &= 0xffff;
    if (dword) return ((ma << 2) | ((ma >> 12) & 3)) & (PLANE_SIZE - 1);
    if (byteMode) return ma;
    return ((ma << 1) | ((wrapMa15 ? ma >> 15 : ma >> 13) & 1)) & (PLANE_SIZE - 1);
  };
  const graphics = ((vga.ac[AR_MODE] as number) & 0x01) !== 0;
  const chars = new Uint8Array(cols * rows);
  const attrs = new Uint8Array(cols * rows);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let s = '';
    for (let c = 0; c < cols; c++) {
      const o = planeOffset(start + r * pitch + c);
      const ch = graphics ? 0x20 : (vga.planes[o] as number);
      chars[r * cols + c] = ch;
      attrs[r * cols + c] = graphics ? 0 : (vga.planes[PLANE_SIZE + o] as number);
      s += cp437(ch);
    }
    out.push(s);
  }
  const cursorAddr = ((cr[CR_CURSOR_HI] as number) << 8) | (cr[CR_CURSOR_LO] as number);
  const rel = cursorAddr - start;
  const row = pitch > 0 && rel >= 0 ? Math.floor(rel / pitch) : -1;
  const col = pitch > 0 && rel >= 0 ? rel % pitch : -1;
  const cStart = cr[CR_CURSOR_START] as number;
  const cEnd = (cr[CR_CURSOR_END] as number) & 0x1f;
  const visible =
    !graphics && (cStart & 0x20) === 0 && (cStart & 0x1f) <= cEnd && (cStart & 0x1f) < charHeight &&
    row >= 0 && row < rows && col >= 0 && col < cols;
  const blanked = ((vga.seq[SR_CLOCKING] as number) & 0x20) !== 0 || (vga.acIndex & 0x20) === 0;
  return {
    mode: graphics ? 'graphics' : 'text',
    blanked,
    cols,
    rows,
    lines: out,
    chars,
    attrs,
    cursor: { row: Math.max(row, 0), col: Math.max(col, 0), visible },
  };
}
