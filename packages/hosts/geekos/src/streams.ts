import type { V3HostStream, V3StreamHooks, V3VmInfo } from '@v3/vmm';
import { hostFail } from './errors.js';

/** Where the app sends a stream's bytes: a terminal, a file, nothing. */
export interface GeekosStreamSink {
  /** Bytes from the guest's device. */
  write(bytes: Uint8Array): void;
  /** The device closed the stream (the VM was freed). */
  close?(): void;
}

interface Open {
  input: (bytes: Uint8Array) => void;
}

/**
 * The host's named streams (Palacios' `V3_Init_Stream`): the app gives each stream name a
 * sink; a device that opens the name writes to the sink and gets the host's input for it.
 * Input that arrives before the device opens its stream is kept and handed over at open, as a
 * UART's receive line would hold it... for a while: at most `maxBuffered` bytes, then the
 * oldest are dropped.
 */
export class StreamTable implements V3StreamHooks {
  private readonly sinks = new Map<string, GeekosStreamSink>();
  private readonly opened = new Map<string, Open>();
  private readonly pending = new Map<string, Uint8Array[]>();

  /** A table with the given sinks; at most `maxBuffered` bytes of early input are kept per stream. */
  constructor(sinks: Record<string, GeekosStreamSink> = {}, private readonly maxBuffered = 64 * 1024) {
    for (const [name, sink] of Object.entries(sinks)) this.sinks.set(name, sink);
  }

  /** Give stream `name` a sink (replacing any); the app's mapping of names to files and stdio. */
  attach(name: string, sink: GeekosStreamSink): void {
    this.sinks.set(name, sink);
  }

  /** The stream names the app mapped. */
  names(): string[] {
    return [...this.sinks.keys()];
  }

  /** `V3StreamHooks.open`: connect a device to the sink of `name`; `input` gets the host's bytes for it. */
  open(_vm: V3VmInfo, name: string, input: (bytes: Uint8Array) => void): V3HostStream {
    const sink = this.sinks.get(name);
    if (!sink) hostFail(`stream '${name}': the host has no such stream (it has: ${this.names().join(', ') || 'none'})`);
    if (this.opened.has(name)) hostFail(`stream '${name}': already opened by another device`);
    const open: Open = { input };
    this.opened.set(name, open);
    const queued = this.pending.get(name);
    this.pending.delete(name);
    if (queued) for (const chunk of queued) input(chunk);
    let closed = false;
    return {
      write: (bytes) => {
        if (closed) hostFail(`stream '${name}': write after close`);
        sink.write(bytes);
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (this.opened.get(name) === open) this.opened.delete(name);
        sink.close?.();
      },
    };
  }

  /** Bytes for the guest on stream `name` (a keyboard, stdin, a socket). */
  input(name: string, bytes: Uint8Array): void {
    const open = this.opened.get(name);
    if (open) {
      open.input(bytes);
      return;
    }
    const queue = this.pending.get(name) ?? [];
    queue.push(bytes.slice());
    let total = queue.reduce((n, c) => n + c.length, 0);
    while (total > this.maxBuffered) {
      const dropped = queue.shift();
      if (!dropped) break;
      total -= dropped.length;
    }
    this.pending.set(name, queue);
  }
}
