// The few terminal control sequences the text-screen renderer needs, written out with where each
// is defined. ECMA-48 (5th edition, 1991) defines the control sequence syntax and CUP, ED and
// SGR; the private modes (`CSI ? Pn h/l`) are DEC's and xterm's, as listed in xterm's "Control
// Sequences" (ctlseqs), which every terminal emulator in use follows for them.

/** Control Sequence Introducer, 7-bit form ESC 5/11 (ECMA-48 5.4 and 8.3.16). */
export const CSI = '\x1b[';

/** CUP — CURSOR POSITION (ECMA-48 8.3.21): `row` and `col` counted from 0 here, from 1 on the wire. */
export function cursorTo(row: number, col: number): string {
  return `${CSI}${row + 1};${col + 1}H`;
}

/** ED — ERASE IN PAGE with Ps = 2, the whole page (ECMA-48 8.3.39); the cursor does not move. */
export const ERASE_PAGE = `${CSI}2J`;

/** SGR — SELECT GRAPHIC RENDITION (ECMA-48 8.3.117) with the given parameters. */
export function sgr(params: readonly number[]): string {
  return `${CSI}${params.join(';')}m`;
}

/** SGR 0: default rendition, every attribute reset (ECMA-48 8.3.117). */
export const SGR_RESET = `${CSI}0m`;

/** DECTCEM (DEC private mode 25) set / reset: show / hide the text cursor (VT220; xterm ctlseqs). */
export const SHOW_CURSOR = `${CSI}?25h`;
export const HIDE_CURSOR = `${CSI}?25l`;

/**
 * DECAWM (DEC private mode 7) set / reset: auto-wrap at the right margin (VT100; xterm ctlseqs).
 * Off while the VGA screen is shown, so a row wider than the terminal is cut at the margin
 * instead of spilling onto the next line.
 */
export const AUTOWRAP_ON = `${CSI}?7h`;
export const AUTOWRAP_OFF = `${CSI}?7l`;

/**
 * xterm private mode 1049 set / reset: save the cursor and switch to the alternate screen
 * buffer (cleared), and back, restoring the normal screen's contents and cursor (xterm ctlseqs,
 * "Alternate Screen Buffer"). The shell's screen comes back as it was when the VM display ends.
 */
export const ENTER_ALTERNATE_SCREEN = `${CSI}?1049h`;
export const LEAVE_ALTERNATE_SCREEN = `${CSI}?1049l`;
