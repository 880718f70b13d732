/** Test helpers: a flat little-endian memory and a one-line way to run an instruction. */
import { Fpu, FpuContext } from './fpu.js';
import type { FpuMemory } from './fpu.js';

export class FlatMemory implements FpuMemory {
  readonly bytes = new Uint8Array(0x10000);
  /** Accesses at or above this linear address throw (a fake page fault). */
  faultAt = Infinity;
  reads = 0;
  writes = 0;
  private check(a: number, n: number): void {
    if (a + n > this.faultAt) throw new Error(`#PF at ${a.toString(16)}`);
  }
  read8(a: number): number { this.check(a, 1); this.reads++; return this.bytes[a]; }
  read16(a: number): number { this.check(a, 2); this.reads++; return this.bytes[a] | (this.bytes[a + 1] << 8); }
  read32(a: number): number {
    this.check(a, 4); this.reads++;
    return (this.bytes[a] | (this.bytes[a + 1] << 8) | (this.bytes[a + 2] << 16) | (this.bytes[a + 3] << 24)) >>> 0;
  }
  write8(a: number, v: number): void { this.check(a, 1); this.writes++; this.bytes[a] = v; }
  write16(a: number, v: number): void { this.check(a, 2); this.writes++; this.bytes[a] = v; this.bytes[a + 1] = v >>> 8; }
  write32(a: number, v: number): void {
    this.check(a, 4); this.writes++;
    this.bytes[a] = v; this.bytes[a + 1] = v >>> 8; this.bytes[a + 2] = v >>> 16; this.bytes[a + 3] = v >>> 24;
  }
  f32(a: number, x?: number): number {
    const dv = new DataView(this.bytes.buffer);
    if (x !== undefined) dv.setFloat32(a, x, true);
    return dv.getFloat32(a, true);
  }
  f64(a: number, x?: number): number {
    const dv = new DataView(this.bytes.buffer);
    if (x !== undefined) dv.setFloat64(a, x, true);
    return dv.getFloat64(a, true);
  }
  u16(a: number): number { return this.read16(a); }
  u32(a: number): number { return this.read32(a); }
  hex(a: number, n: number): string {
    return Array.from(this.bytes.subarray(a, a + n), (b) => b.toString(16).padStart(2, '0')).join(' ');
  }
  set(a: number, bytes: number[]): void { this.bytes.set(bytes, a); }
  fill(a: number, n: number, v: number): void { this.bytes.fill(v, a, a + n); }
}

/** A unit, a memory and a context, with `x(op, modrm, ea?)` to execute one instruction. */
export function rig(): { fpu: Fpu; mem: FlatMemory; ctx: FpuContext; x: (op: number, modrm: number, ea?: number) => number } {
  const fpu = new Fpu();
  const mem = new FlatMemory();
  const ctx = new FpuContext();
  ctx.mem = mem;
  fpu.init();
  const x = (op: number, modrm: number, ea = 0): number => {
    ctx.ea = ea;
    ctx.offset = ea;
    return fpu.exec(op, modrm, ctx);
  };
  return { fpu, mem, ctx, x };
}
