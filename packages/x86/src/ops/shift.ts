// ROL ROR RCL RCR SHL SHR SAL SAR (C0 C1 D0-D3), SHLD/SHRD (SDM Vol. 2).
import type { Cpu } from '../cpu.js';
import { CF, OF } from '../consts.js';

/**
 * Shift/rotate `v` (size `w` bits) by `count` (already masked to 5 bits, non-zero). Returns the
 * result and sets the flags. Undefined flags: AF cleared; OF for counts > 1 follows the
 * one-bit formula applied at the last step.
 */
export function shiftOp(c: Cpu, op: number, v: number, count: number, w: number): number {
  const m = w === 32 ? -1 : (1 << w) - 1;
  const sg = w === 32 ? 0x80000000 | 0 : 1 << (w - 1);
  v &= m;
  let r: number;
  let cf: number;
  switch (op) {
    case 0: { // ROL
      const n = count % w;
      r = n === 0 ? v : ((v << n) | (v >>> (w - n))) & m;
      cf = r & 1;
      rotFlags(c, cf, ((r & sg) !== 0 ? 1 : 0) ^ cf);
      return r;
    }
    case 1: { // ROR
      const n = count % w;
      r = n === 0 ? v : ((v >>> n) | (v << (w - n))) & m;
      const msb = (r & sg) !== 0 ? 1 : 0;
      const msb1 = (r & (sg >>> 1)) !== 0 ? 1 : 0;
      rotFlags(c, msb, msb ^ msb1);
      return r;
    }
    case 2: { // RCL: rotate through CF, w+1 bit quantity
      const n = count % (w + 1);
      cf = c.getCF();
      r = v;
      for (let i = 0; i < n; i++) {
        const out = (r & sg) !== 0 ? 1 : 0;
        r = ((r << 1) | cf) & m;
        cf = out;
      }
      rotFlags(c, cf, ((r & sg) !== 0 ? 1 : 0) ^ cf);
      return r;
    }
    case 3: { // RCR
      const n = count % (w + 1);
      cf = c.getCF();
      r = v;
      for (let i = 0; i < n; i++) {
        const out = r & 1;
        r = ((r >>> 1) | (cf !== 0 ? sg : 0)) & m;
        cf = out;
      }
      const msb = (r & sg) !== 0 ? 1 : 0;
      const msb1 = (r & (sg >>> 1)) !== 0 ? 1 : 0;
      rotFlags(c, cf, msb ^ msb1);
      return r;
    }
    case 4: case 6: { // SHL/SAL
      if (count <= w) {
        cf = count === 32 ? v & 1 : (v >>> (w - count)) & 1;
        r = count === 32 ? 0 : (v << count) & m;
      } else { cf = 0; r = 0; }
      const of = ((r & sg) !== 0 ? 1 : 0) ^ cf;
      c.setResult(r, m, sg, (cf !== 0 ? CF : 0) | (of !== 0 ? OF : 0));
      return r;
    }
    case 5: { // SHR
      cf = count <= w ? (v >>> (count - 1)) & 1 : 0;
      r = count >= w ? 0 : v >>> count;
      // OF is defined for count 1 (MSB of the original); for larger counts we report the
      // MSB of the operand before the last single-bit step, as the 286 does.
      const of = count <= w && ((v >>> (count - 1)) & sg) !== 0 ? OF : 0;
      c.setResult(r, m, sg, (cf !== 0 ? CF : 0) | of);
      return r;
    }
    default: { // SAR
      const sv = w === 32 ? v | 0 : w === 16 ? (v << 16) >> 16 : (v << 24) >> 24;
      const n = count >= w ? w - 1 : count;
      cf = count >= w ? (sv < 0 ? 1 : 0) : (sv >> (n - 1)) & 1;
      r = (sv >> n) & m;
      c.setResult(r, m, sg, cf !== 0 ? CF : 0);
      return r;
    }
  }
}

function rotFlags(c: Cpu, cf: number, of: number): void {
  c.materialize();
  c.flags = (c.flags & ~(CF | OF)) | (cf !== 0 ? CF : 0) | (of !== 0 ? OF : 0);
}

function grp2b(c: Cpu, count: number): void {
  count &= 31;
  const v = c.readEb();
  if (count === 0) return;
  c.writeEb(shiftOp(c, c.regf, v, count, 8));
}

function grp2v(c: Cpu, count: number): void {
  count &= 31;
  if (c.os32) {
    const v = c.readEd();
    if (count === 0) return;
    c.writeEd(shiftOp(c, c.regf, v, count, 32));
  } else {
    const v = c.readEw();
    if (count === 0) return;
    c.writeEw(shiftOp(c, c.regf, v, count, 16));
  }
}

export function grp2EbIb(c: Cpu): void { c.decodeModrm(); grp2b(c, c.fetch8()); }
export function grp2EvIb(c: Cpu): void { c.decodeModrm(); grp2v(c, c.fetch8()); }
export function grp2Eb1(c: Cpu): void { c.decodeModrm(); grp2b(c, 1); }
export function grp2Ev1(c: Cpu): void { c.decodeModrm(); grp2v(c, 1); }
export function grp2EbCl(c: Cpu): void { c.decodeModrm(); grp2b(c, c.r8[8]); }
export function grp2EvCl(c: Cpu): void { c.decodeModrm(); grp2v(c, c.r8[8]); }

/** SHLD/SHRD: `left` selects SHLD. Count masked to 5 bits; 16-bit counts > 16 are undefined. */
function shxd(c: Cpu, count: number, left: boolean): void {
  count &= 31;
  if (c.os32) {
    const d = c.readEd();
    if (count === 0) return;
    const s = c.r32[c.regf << 1];
    let r: number, cf: number;
    if (left) { r = (d << count) | (s >>> (32 - count)); cf = (d >>> (32 - count)) & 1; }
    else { r = (d >>> count) | (s << (32 - count)); cf = (d >>> (count - 1)) & 1; }
    const of = ((r ^ d) & 0x80000000) !== 0 ? OF : 0;
    c.setResult(r, -1, 0x80000000 | 0, (cf !== 0 ? CF : 0) | of);
    c.writeEd(r);
  } else {
    const d = c.readEw();
    if (count === 0) return;
    const s = c.r16[c.regf << 2];
    let r: number, cf: number;
    // Treat as a 32-bit quantity dest:src (or src:dest) shifted; counts > 16 give undefined results.
    if (left) {
      const x = ((d << 16) | s) >>> 0;
      const y = count < 32 ? (x << count) | (count > 16 ? (d << (count - 16)) : 0) : 0;
      r = (y >>> 16) & 0xffff;
      cf = (x >>> (32 - count)) & 1;
    } else {
      const x = ((s << 16) | d) >>> 0;
      r = (x >>> count) & 0xffff;
      if (count > 16) r = ((x >>> count) | (d << (32 - count))) & 0xffff;
      cf = (x >>> (count - 1)) & 1;
    }
    const of = ((r ^ d) & 0x8000) !== 0 ? OF : 0;
    c.setResult(r, 0xffff, 0x8000, (cf !== 0 ? CF : 0) | of);
    c.writeEw(r);
  }
}

export function shldEvGvIb(c: Cpu): void { c.decodeModrm(); shxd(c, c.fetch8(), true); }
export function shldEvGvCl(c: Cpu): void { c.decodeModrm(); shxd(c, c.r8[8], true); }
export function shrdEvGvIb(c: Cpu): void { c.decodeModrm(); shxd(c, c.fetch8(), false); }
export function shrdEvGvCl(c: Cpu): void { c.decodeModrm(); shxd(c, c.r8[8], false); }
