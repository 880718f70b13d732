import { V3Error, type AccessSize } from '@v3/device-api';
import type { Telemetry } from './telemetry.js';

/** Read handler of a hooked port: Palacios' `read(core, port, dst, length, priv)`. */
export type V3IoRead = (port: number, size: AccessSize) => number;
/** Write handler of a hooked port. */
export type V3IoWrite = (port: number, size: AccessSize, value: number) => void;

/** Bit `size` set when the port takes accesses of that size directly. */
const SIZE_ANY = 0b10110;

const PORTS = 0x10000;

/**
 * The VM's port table: 65,536 preallocated slots (no holes, so lookups stay monomorphic), each
 * with read and write handlers, the owner's name for messages, and the access sizes it takes.
 * An access of another size is split into byte accesses when the port takes bytes (what the ISA
 * bus does for an 8-bit device), and fails stop otherwise.
 */
export class IoMap {
  private readonly reads: (V3IoRead | null)[] = new Array<V3IoRead | null>(PORTS).fill(null);
  private readonly writes: (V3IoWrite | null)[] = new Array<V3IoWrite | null>(PORTS).fill(null);
  private readonly owners: string[] = new Array<string>(PORTS).fill('');
  private readonly sizeMask = new Uint8Array(PORTS);
  /** `fail`: an unhooked port stops the VM; `float`: reads return all ones, writes vanish. */
  unhooked: 'fail' | 'float' = 'fail';
  /** Under `float`: how many accesses each unhooked port saw (to find what a guest probes). */
  readonly floated = new Map<number, number>();

  constructor(private readonly telemetry: Telemetry) {}

  /**
   * `v3_hook_io_port`: give `port` to `owner`. A port another owner holds is refused, naming
   * both. A missing handler makes that direction fail stop when the guest uses it.
   */
  hook(port: number, read: V3IoRead | null, write: V3IoWrite | null, owner: string, sizes?: readonly AccessSize[]): void {
    if (!Number.isInteger(port) || port < 0 || port >= PORTS) {
      throw new V3Error({ component: owner }, `cannot hook port ${port}: ports are 0-0xFFFF`);
    }
    const held = this.owners[port];
    if (held) {
      throw new V3Error({ component: owner, port }, `port already hooked by ${held}, requested by ${owner}`);
    }
    this.owners[port] = owner;
    this.reads[port] = read;
    this.writes[port] = write;
    let mask = 0;
    if (sizes) for (const s of sizes) mask |= 1 << s;
    this.sizeMask[port] = sizes ? mask : SIZE_ANY;
  }

  /** `v3_unhook_io_port`: release `port`; only its owner may. */
  unhook(port: number, owner: string): void {
    const held = this.owners[port];
    if (held !== owner) {
      throw new V3Error({ component: owner, port }, held ? `port is hooked by ${held}, not ${owner}` : 'port is not hooked');
    }
    this.owners[port] = '';
    this.reads[port] = null;
    this.writes[port] = null;
    this.sizeMask[port] = 0;
  }

  /** Who holds `port` ('' when nobody). */
  ownerOf(port: number): string {
    return this.owners[port] ?? '';
  }

  /** An IN from the guest: one I/O exit. */
  read(port: number, size: AccessSize): number {
    this.telemetry.ioExits++;
    return this.dispatchRead(port & 0xffff, size);
  }

  /** An OUT from the guest: one I/O exit. */
  write(port: number, size: AccessSize, value: number): void {
    this.telemetry.ioExits++;
    this.dispatchWrite(port & 0xffff, size, value);
  }

  private dispatchRead(port: number, size: AccessSize): number {
    const fn = this.reads[port];
    const mask = this.sizeMask[port] as number;
    if (fn && (mask & (1 << size)) !== 0) return fn(port, size) >>> 0;
    if (mask !== 0 && size > 1 && (mask & 2) !== 0) {
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.dispatchRead((port + i) & 0xffff, 1) << (8 * i);
      return v >>> 0;
    }
    if (!this.owners[port]) {
      if (this.unhooked === 'float') {
        this.floated.set(port, (this.floated.get(port) ?? 0) + 1);
        return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
      }
      throw new V3Error({ component: 'io', port }, `IN (${size} byte${size > 1 ? 's' : ''}) from a port nothing hooks`);
    }
    if (!fn) throw new V3Error({ component: this.owners[port], port }, 'IN from a write-only port');
    throw new V3Error({ component: this.owners[port], port }, `${size}-byte IN not supported by this port`);
  }

  private dispatchWrite(port: number, size: AccessSize, value: number): void {
    const fn = this.writes[port];
    const mask = this.sizeMask[port] as number;
    if (fn && (mask & (1 << size)) !== 0) {
      fn(port, size, size === 4 ? value >>> 0 : value & ((1 << (8 * size)) - 1));
      return;
    }
    if (mask !== 0 && size > 1 && (mask & 2) !== 0) {
      for (let i = 0; i < size; i++) this.dispatchWrite((port + i) & 0xffff, 1, (value >>> (8 * i)) & 0xff);
      return;
    }
    if (!this.owners[port]) {
      if (this.unhooked === 'float') {
        this.floated.set(port, (this.floated.get(port) ?? 0) + 1);
        return;
      }
      throw new V3Error({ component: 'io', port }, `OUT (${size} byte${size > 1 ? 's' : ''}, value 0x${(value >>> 0).toString(16)}) to a port nothing hooks`);
    }
    if (!fn) throw new V3Error({ component: this.owners[port], port }, 'OUT to a read-only port');
    throw new V3Error({ component: this.owners[port], port }, `${size}-byte OUT not supported by this port`);
  }
}
