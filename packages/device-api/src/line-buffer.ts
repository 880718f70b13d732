/** Line feed: ends a line. */
const ASCII_LF = 0x0a;
/** Carriage return: dropped when it comes just before the LF. */
const ASCII_CR = 0x0d;

/**
 * A helper for console-like devices (debug ports, consoles). Collects bytes into lines: a line ends at LF (which is not kept, nor a CR just before it) or
 * when `limit` bytes are buffered (then it goes out without waiting for its LF). Complete lines go to `emit` as latin-1 text.
 */
export class LineBuffer {
  private bytes: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly emit: (line: string) => void,
  ) {}

  /** One byte from the guest. */
  push(byte: number): void {
    if (byte === ASCII_LF) {
      // An empty line is a line too: the guest printed a blank line.
      this.emitLine();
      return;
    }
    this.bytes.push(byte & 0xff);
    if (this.bytes.length >= this.limit) this.emitLine();
  }

  /** Emit a partial line (at free or reset), so no output is lost; nothing when empty. */
  flush(): void {
    if (this.bytes.length > 0) this.emitLine();
  }

  private emitLine(): void {
    const bytes = this.bytes;
    this.bytes = [];
    const end = bytes[bytes.length - 1] === ASCII_CR ? bytes.length - 1 : bytes.length;
    this.emit(String.fromCharCode(...bytes.slice(0, end)));
  }

  /** Buffered bytes (checkpoint). */
  save(): number[] {
    return this.bytes.slice();
  }

  /** Restore buffered bytes. */
  load(bytes: readonly number[]): void {
    this.bytes = bytes.slice();
  }

  /** Forget what is buffered. */
  clear(): void {
    this.bytes = [];
  }

  /** Number of bytes waiting for the end of their line. */
  get length(): number {
    return this.bytes.length;
  }
}
