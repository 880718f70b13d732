/** The VGA text screen on a terminal: a pure renderer (plain text and ANSI) and a refresh-driven screen. */
export { cellColors, renderCursor, renderRow, renderScreen, screenText, sgrParams, VGA_PALETTE } from './render.js';
export type { BlinkMode, CellColors, ColorMode, RenderOptions, TextScreenState } from './render.js';
export { TerminalScreen } from './terminal-screen.js';
export type { TerminalOutput, TerminalScreenOptions, TextScreenSource } from './terminal-screen.js';
export * as ansi from './ansi.js';
