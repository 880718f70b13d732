import type { TextScreen } from '@v3/dev-vga';
import {
  AUTOWRAP_OFF, AUTOWRAP_ON, ENTER_ALTERNATE_SCREEN, ERASE_PAGE, HIDE_CURSOR, LEAVE_ALTERNATE_SCREEN, SGR_RESET, SHOW_CURSOR,
} from './ansi.js';
import { renderCursor, renderRow, screenText, type RenderOptions } from './render.js';

/**
 * Where the screen comes from: `@v3/dev-vga`'s `VgaDevice` fits as it is. `changes` moves with
 * every guest write that can change the screen; `textScreen()` decodes it.
 */
export interface TextScreenSource {
  readonly changes: number;
  textScreen(): TextScreen;
}

/** Where the ANSI output goes: `process.stdout`, or any stream or sink with a `write(string)`. */
export interface TerminalOutput {
  write(chunk: string): unknown;
}

/** Options of a {@link TerminalScreen}. */
export interface TerminalScreenOptions extends RenderOptions {
  /**
   * Draw on the terminal's alternate screen buffer and give the normal one back on `close()`
   * (default `true`). `false` draws over the normal screen, from its top-left corner.
   */
  alternateScreen?: boolean;
}

/**
 * The VGA text screen on a terminal. The app calls {@link refresh} from a host timer (say every
 * 50 ms); when the VGA's `changes` counter has not moved since the last frame it costs one
 * comparison, and otherwise only the rows whose rendering differs from what the terminal shows
 * are redrawn, in one `write`. The class keeps no timers of its own.
 *
 * ```ts
 * const screen = new TerminalScreen(vm.device<VgaDevice>('vga'), process.stdout);
 * screen.open();
 * const timer = setInterval(() => screen.refresh(), 50);
 * process.stdout.on('resize', () => screen.redraw());
 * // at the end of the run:
 * clearInterval(timer);
 * screen.close();
 * ```
 *
 * The terminal should have at least the VGA's columns and rows (80x25 in mode 3); wider rows are
 * cut at the right margin (autowrap is off while the screen is open), extra rows land on the last
 * line.
 */
export class TerminalScreen {
  private readonly alternate: boolean;
  private isOpen = false;
  private closed = false;
  private seen = 0;
  /** The rendering of each row as the terminal shows it, and the frame's geometry. */
  private drawn: string[] = [];
  private drawnCols = -1;
  private drawnCursor = '';
  private last: TextScreen | null = null;

  constructor(
    private readonly source: TextScreenSource,
    private readonly out: TerminalOutput,
    private readonly options: TerminalScreenOptions = {},
  ) {
    this.alternate = options.alternateScreen ?? true;
  }

  /**
   * Take over the terminal: the alternate screen (unless `alternateScreen: false`), cursor
   * hidden, autowrap off, page erased; then draw the first frame. A second call does nothing.
   */
  open(): void {
    if (this.isOpen) return;
    if (this.closed) throw new Error('TerminalScreen: open() after close()');
    this.isOpen = true;
    this.out.write((this.alternate ? ENTER_ALTERNATE_SCREEN : '') + HIDE_CURSOR + AUTOWRAP_OFF + SGR_RESET + ERASE_PAGE);
    this.forget();
    this.draw();
  }

  /**
   * Draw what changed since the last frame, if the VGA's `changes` counter moved. Returns whether
   * anything was written. Before `open()` and after `close()` it does nothing.
   */
  refresh(): boolean {
    if (!this.isOpen) return false;
    if (this.source.changes === this.seen) return false;
    return this.draw();
  }

  /**
   * Erase the terminal and draw the whole screen again, whether or not the VGA changed (after a
   * terminal resize, or when something else wrote to the terminal).
   */
  redraw(): void {
    if (!this.isOpen) return;
    this.out.write(SGR_RESET + ERASE_PAGE);
    this.forget();
    this.draw();
  }

  /**
   * Give the terminal back: rendition reset, autowrap on, cursor shown, and the normal screen
   * buffer restored (when the alternate one was used). A second call does nothing.
   */
  close(): void {
    if (!this.isOpen) {
      this.closed = true;
      return;
    }
    this.isOpen = false;
    this.closed = true;
    this.out.write(SGR_RESET + AUTOWRAP_ON + SHOW_CURSOR + (this.alternate ? LEAVE_ALTERNATE_SCREEN : ''));
  }

  /** The last frame drawn (`null` before the first), for a dump of the screen at the end of a run. */
  get lastFrame(): TextScreen | null {
    return this.last;
  }

  /** The screen as plain text now (from the VGA, not from the terminal), trailing spaces dropped. */
  text(): string[] {
    return screenText(this.source.textScreen(), { trimEnd: true });
  }

  /** The terminal's contents are unknown: the next frame draws every row. */
  private forget(): void {
    this.drawn = [];
    this.drawnCols = -1;
    this.drawnCursor = '';
  }

  private draw(): boolean {
    this.seen = this.source.changes;
    const s = this.source.textScreen();
    this.last = s;
    let out = '';
    if (s.cols !== this.drawnCols || s.rows !== this.drawn.length) {
      // A new geometry (a mode set): what the terminal shows outside the new frame must go.
      if (this.drawnCols !== -1) out += SGR_RESET + ERASE_PAGE;
      this.drawn = new Array<string>(s.rows).fill('');
      this.drawnCols = s.cols;
    }
    for (let r = 0; r < s.rows; r++) {
      const row = renderRow(s, r, this.options);
      if (row === this.drawn[r]) continue;
      out += row;
      this.drawn[r] = row;
    }
    const cursor = renderCursor(s);
    if (out === '' && cursor === this.drawnCursor) return false;
    // Rows move the terminal's cursor: hide it while drawing, then put it back where the VGA has it.
    if (out !== '') out = HIDE_CURSOR + out + SGR_RESET;
    this.out.write(out + cursor);
    this.drawnCursor = cursor;
    return true;
  }
}
