import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GeekosStreamSink } from '@v3/host-geekos';
import type { SerialTarget } from './cli.js';

/** Where COM1's bytes go, with a flush for the end of the run. */
export interface SerialBackend {
  readonly sink: GeekosStreamSink;
  /** Whether the keyboard (stdin) feeds the guest. */
  readonly interactive: boolean;
  /** Write what is buffered now (before a message on stderr, so a terminal shows both in order). */
  flush(): void;
  /** Write what is buffered and let go of the file. Idempotent. */
  close(): void;
}

/**
 * Collects a device's byte-at-a-time writes and hands them on once per event-loop turn, so a
 * UART printing a line costs one write(2), not one per character.
 */
class Coalescer implements GeekosStreamSink {
  private chunks: Uint8Array[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly out: (bytes: Uint8Array) => void, private readonly done: () => void = () => {}) {}

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.chunks.push(bytes.slice());
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    this.out(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.done();
  }
}

/**
 * Open `-serial`'s target: `stdio` (stdout, and stdin as the keyboard), `file:PATH` (created or
 * truncated, relative to `cwd`), `null`. Throws the file system's error when the file cannot
 * be created.
 */
export function openSerial(target: SerialTarget, cwd: string, stdout: (bytes: Uint8Array) => void): SerialBackend {
  switch (target.kind) {
    case 'stdio': {
      const c = new Coalescer(stdout);
      return { sink: c, interactive: true, flush: () => c.flush(), close: () => c.close() };
    }
    case 'file': {
      const fd = openSync(resolve(cwd, target.path), 'w');
      const c = new Coalescer(
        (bytes) => {
          let off = 0;
          while (off < bytes.length) off += writeSync(fd, bytes, off);
        },
        () => closeSync(fd),
      );
      return { sink: c, interactive: false, flush: () => c.flush(), close: () => c.close() };
    }
    case 'null':
      return { sink: { write: () => {} }, interactive: false, flush: () => {}, close: () => {} };
  }
}
