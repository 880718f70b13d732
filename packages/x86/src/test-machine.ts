// Helpers for the unit tests: a machine with RAM, a recording bus, and descriptor builders.
// Not part of the public API (index.ts does not export it).
import type { X86Bus } from './bus.js';
import { Cpu } from './cpu.js';
import type { CpuOptions } from './cpu.js';

/** A bus that records port writes and answers port reads from a map (default 0xFF...). */
export class RecordingBus implements X86Bus {
  readonly writes: [number, number, number][] = [];
  readonly reads = new Map<number, number>();
  onWrite: ((port: number, value: number) => void) | undefined = undefined;
  ioRead(port: number, size: 1 | 2 | 4): number {
    return this.reads.get(port) ?? (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff);
  }
  ioWrite(port: number, size: 1 | 2 | 4, value: number): void {
    this.writes.push([port, size, value]);
    this.onWrite?.(port, value);
  }
  memRead(): number { return 0xffffffff; }
  memWrite(): void {}
  msrRead: ((msr: number) => bigint | undefined) | undefined = undefined;
  msrWrite: ((msr: number, value: bigint) => boolean) | undefined = undefined;
}

export interface Machine {
  cpu: Cpu;
  ram: Uint8Array;
  frameFlags: Uint8Array;
  bus: RecordingBus;
  dv: DataView;
}

export function machine(ramSize = 4 << 20, opts: CpuOptions = {}): Machine {
  const ram = new Uint8Array(ramSize);
  const frameFlags = new Uint8Array(1 << 20);
  const bus = new RecordingBus();
  const cpu = new Cpu({ ram, frameFlags }, bus, opts);
  return { cpu, ram, frameFlags, bus, dv: new DataView(ram.buffer) };
}

/** Real mode with every segment at `seg`, IP `ip`, SP 0xFFFE. */
export function realMode(m: Machine, seg: number, ip: number): void {
  const s = { selector: seg, base: seg << 4, limit: 0xffff, access: 0x93 };
  m.cpu.setState({
    eip: ip, esp: 0xfffe, eflags: 2, cr0: 0x60000010,
    cs: { ...s, access: 0x9b }, ds: s, es: s, ss: s, fs: s, gs: s,
    idtr: { base: 0, limit: 0x3ff },
  });
}

/** An 8-byte segment descriptor. `flags` is the high nibble (G, D/B, L, AVL). */
export function descriptor(base: number, limit: number, access: number, flags: number): number[] {
  return [
    limit & 0xff, (limit >>> 8) & 0xff, base & 0xff, (base >>> 8) & 0xff, (base >>> 16) & 0xff,
    access, ((limit >>> 16) & 0xf) | (flags << 4), (base >>> 24) & 0xff,
  ];
}

/** An 8-byte IDT gate (type 0x8E = 32-bit interrupt gate DPL 0, 0x8F trap, 0xEE DPL 3). */
export function gate(offset: number, selector: number, type: number): number[] {
  return [
    offset & 0xff, (offset >>> 8) & 0xff, selector & 0xff, selector >>> 8, 0, type,
    (offset >>> 16) & 0xff, (offset >>> 24) & 0xff,
  ];
}

export const GDT_BASE = 0x1000;
export const IDT_BASE = 0x2000;

/**
 * Flat 32-bit protected mode at CPL 0 with a real GDT (0x08 code, 0x10 data, 0x1B user code,
 * 0x23 user data, 0x28 TSS at 0x3000) and an empty IDT of 256 entries at IDT_BASE.
 */
export function protectedMode(m: Machine, eip: number): void {
  const gdt = [
    ...descriptor(0, 0, 0, 0),
    ...descriptor(0, 0xfffff, 0x9a, 0xc),
    ...descriptor(0, 0xfffff, 0x92, 0xc),
    ...descriptor(0, 0xfffff, 0xfa, 0xc),
    ...descriptor(0, 0xfffff, 0xf2, 0xc),
    ...descriptor(0x3000, 0x67, 0x89, 0),
  ];
  m.ram.set(gdt, GDT_BASE);
  const flat = { selector: 0x10, base: 0, limit: 0xffffffff, access: 0xc093 };
  m.cpu.setState({
    cr0: 0x60000011, eip, esp: 0x90000, eflags: 2,
    gdtr: { base: GDT_BASE, limit: gdt.length - 1 },
    idtr: { base: IDT_BASE, limit: 256 * 8 - 1 },
    cs: { selector: 0x08, base: 0, limit: 0xffffffff, access: 0xc09b },
    ds: flat, es: flat, ss: flat, fs: flat, gs: flat,
    tr: { selector: 0x28, base: 0x3000, limit: 0x67, access: 0x8b },
  });
}

/** Install IDT gate `vec` → `offset` (selector 0x08). */
export function setGate(m: Machine, vec: number, offset: number, type = 0x8e): void {
  m.ram.set(gate(offset, 0x08, type), IDT_BASE + vec * 8);
}

/** Identity-map the first `mb` MiB with 4 KiB pages (directory at `pd`, tables after it). */
export function identityPaging(m: Machine, pd: number, mb: number, pteFlags = 7): void {
  const tables = Math.ceil(mb / 4);
  for (let t = 0; t < tables; t++) {
    const pt = pd + 0x1000 * (t + 1);
    m.dv.setUint32(pd + t * 4, pt | 7, true);
    for (let i = 0; i < 1024; i++) m.dv.setUint32(pt + i * 4, (((t * 1024 + i) << 12) | pteFlags) >>> 0, true);
  }
}

/** Address of the PTE that maps `lin` under identityPaging(pd). */
export function pteAddress(pd: number, lin: number): number {
  return pd + 0x1000 * ((lin >>> 22) + 1) + ((lin >>> 12) & 0x3ff) * 4;
}
