/**
 * Where a fail-stop error happened. Every field but `component` is optional: the VMM fills in
 * what the device could not know (VM, core, guest RIP, instruction bytes) when it catches.
 */
export interface V3ErrorDetail {
  /** The component that stopped: a device id or class (`PIC`, `com1`), `x86`, `vmm`, `io`... */
  component: string;
  /** The VM's name. */
  vm?: string;
  /** The virtual core. */
  core?: number;
  /** The I/O port involved, if any. */
  port?: number;
  /** The guest-physical or linear address involved, if any. */
  addr?: number;
  /** The guest instruction pointer (CS base + EIP) of the instruction that was executing. */
  rip?: number;
  /** The bytes of that instruction, if they could be read. */
  bytes?: Uint8Array | number[];
}

const hex = (n: number, width = 0): string => '0x' + (n >>> 0).toString(16).padStart(width, '0');

/**
 * The one error type of fail stop: any unimplemented or unhandled case throws it, and exactly one
 * place per core (the VMM's run loop) catches it, marks the VM `error` and ends the run.
 */
export class V3Error extends Error {
  /** The component, VM, core, port/address, RIP and bytes this error names. */
  readonly detail: V3ErrorDetail;
  /** The bare message, without the detail suffix that `message` carries. */
  readonly reason: string;

  constructor(detail: V3ErrorDetail, reason: string) {
    super(V3Error.format(detail, reason));
    this.name = 'V3Error';
    this.detail = { ...detail };
    this.reason = reason;
  }

  /** A copy of this error with more detail filled in (used by the VMM when it catches). */
  withDetail(more: Partial<V3ErrorDetail>): V3Error {
    const merged: V3ErrorDetail = { ...this.detail };
    for (const key of Object.keys(more) as (keyof V3ErrorDetail)[]) {
      if (merged[key] === undefined && more[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = more[key];
    }
    const copy = new V3Error(merged, this.reason);
    copy.stack = this.stack;
    return copy;
  }

  /** `[component] reason (vm=…, core=…, port=…, addr=…, rip=…, bytes=…)` on one line. */
  static format(d: V3ErrorDetail, reason: string): string {
    const parts: string[] = [];
    if (d.vm !== undefined) parts.push(`vm=${d.vm}`);
    if (d.core !== undefined) parts.push(`core=${d.core}`);
    if (d.port !== undefined) parts.push(`port=${hex(d.port, 4)}`);
    if (d.addr !== undefined) parts.push(`addr=${hex(d.addr, 8)}`);
    if (d.rip !== undefined) parts.push(`rip=${hex(d.rip, 8)}`);
    if (d.bytes !== undefined && d.bytes.length > 0) {
      parts.push(`bytes=${Array.from(d.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}`);
    }
    return `[${d.component}] ${reason}${parts.length ? ` (${parts.join(', ')})` : ''}`;
  }
}

/** Throw a {@link V3Error}: the fail-stop exit of any component. */
export function v3Fail(component: string, reason: string, detail: Omit<V3ErrorDetail, 'component'> = {}): never {
  throw new V3Error({ component, ...detail }, reason);
}

/** Exhaustiveness guard for switches over our own unions. */
export function assertNever(value: never, component = 'vmm'): never {
  return v3Fail(component, `internal: unexpected value ${String(value)}`);
}
