// MUL, IMUL (one, two and three operands), DIV, IDIV, and the F6/F7 group (SDM Vol. 2).
import type { Cpu } from '../cpu.js';
import { CF, OF, X_DE } from '../consts.js';
import { M16, M32, M8, S16, S32, S8, neg } from './alu.js';

/** High 32 bits of the unsigned 64-bit product of two 32-bit values. */
export function mulHighU(a: number, b: number): number {
  a >>>= 0; b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lo = al * bl, m1 = ah * bl, m2 = al * bh, hi = ah * bh;
  const t = (lo >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  return (hi + (m1 >>> 16) + (m2 >>> 16) + (t >>> 16)) | 0;
}

/** High 32 bits of the signed 64-bit product. */
export function mulHighS(a: number, b: number): number {
  let h = mulHighU(a, b);
  if ((a | 0) < 0) h = (h - b) | 0;
  if ((b | 0) < 0) h = (h - a) | 0;
  return h;
}

function mulFlags(c: Cpu, lo: number, overflow: boolean, m: number, sg: number): void {
  // CF = OF = the upper half is significant; SF/ZF/PF/AF are undefined (we use the low half).
  c.setResult(lo, m, sg, overflow ? CF | OF : 0);
}

export function mul(c: Cpu, size: number): void {
  if (size === 8) {
    const r = c.r8[0] * c.readEb();
    c.r16[0] = r;
    mulFlags(c, r & 0xff, (r & 0xff00) !== 0, M8, S8);
  } else if (size === 16) {
    const r = c.r16[0] * c.readEw();
    c.r16[0] = r & 0xffff;
    c.r16[8] = r >>> 16;
    mulFlags(c, r & 0xffff, (r >>> 16) !== 0, M16, S16);
  } else {
    const a = c.r32[0], b = c.readEd();
    const hi = mulHighU(a, b);
    const lo = Math.imul(a, b);
    c.r32[0] = lo;
    c.r32[4] = hi;
    mulFlags(c, lo, hi !== 0, M32, S32);
  }
}

export function imul1(c: Cpu, size: number): void {
  if (size === 8) {
    const r = ((c.r8[0] << 24) >> 24) * ((c.readEb() << 24) >> 24);
    c.r16[0] = r & 0xffff;
    mulFlags(c, r & 0xff, r !== ((r << 24) >> 24), M8, S8);
  } else if (size === 16) {
    const r = ((c.r16[0] << 16) >> 16) * ((c.readEw() << 16) >> 16);
    c.r16[0] = r & 0xffff;
    c.r16[8] = (r >> 16) & 0xffff;
    mulFlags(c, r & 0xffff, r !== ((r << 16) >> 16), M16, S16);
  } else {
    const a = c.r32[0], b = c.readEd();
    const hi = mulHighS(a, b);
    const lo = Math.imul(a, b);
    c.r32[0] = lo;
    c.r32[4] = hi;
    mulFlags(c, lo, hi !== (lo >> 31), M32, S32);
  }
}

/** Two/three-operand IMUL: dest = a * b truncated, CF=OF when truncation changed the value. */
export function imulTrunc(c: Cpu, a: number, b: number): number {
  if (c.os32) {
    const lo = Math.imul(a, b);
    const hi = mulHighS(a, b);
    mulFlags(c, lo, hi !== (lo >> 31), M32, S32);
    return lo;
  }
  const r = ((a << 16) >> 16) * ((b << 16) >> 16);
  mulFlags(c, r & 0xffff, r !== ((r << 16) >> 16), M16, S16);
  return r & 0xffff;
}

export function imulGvEv(c: Cpu): void {
  c.decodeModrm();
  c.writeGv(imulTrunc(c, c.readGv(), c.readEv()));
}

export function imulGvEvIv(c: Cpu): void {
  c.decodeModrm();
  const a = c.readEv();
  c.writeGv(imulTrunc(c, a, c.fetchImmV()));
}

export function imulGvEvIb(c: Cpu): void {
  c.decodeModrm();
  const a = c.readEv();
  c.writeGv(imulTrunc(c, a, c.fetchS8()));
}

function divError(c: Cpu): never {
  return c.fault(X_DE, -1);
}

export function div(c: Cpu, size: number): void {
  if (size === 8) {
    const d = c.readEb();
    if (d === 0) divError(c);
    const n = c.r16[0];
    const q = Math.floor(n / d);
    if (q > 0xff) divError(c);
    c.r8[0] = q; c.r8[1] = n % d;
  } else if (size === 16) {
    const d = c.readEw();
    if (d === 0) divError(c);
    const n = c.r16[8] * 0x10000 + c.r16[0];
    const q = Math.floor(n / d);
    if (q > 0xffff) divError(c);
    c.r16[0] = q; c.r16[8] = n % d;
  } else {
    const d = c.readEd() >>> 0;
    if (d === 0) divError(c);
    const hi = c.r32[4] >>> 0, lo = c.r32[0] >>> 0;
    if (hi >= d) divError(c);
    if (hi === 0) {
      c.r32[0] = Math.floor(lo / d); c.r32[4] = lo % d;
    } else {
      const n = (BigInt(hi) << 32n) | BigInt(lo);
      const bd = BigInt(d);
      c.r32[0] = Number(n / bd); c.r32[4] = Number(n % bd);
    }
  }
}

export function idiv(c: Cpu, size: number): void {
  if (size === 8) {
    const d = (c.readEb() << 24) >> 24;
    if (d === 0) divError(c);
    const n = (c.r16[0] << 16) >> 16;
    const q = Math.trunc(n / d);
    if (q > 127 || q < -128) divError(c);
    c.r8[0] = q; c.r8[1] = n % d;
  } else if (size === 16) {
    const d = (c.readEw() << 16) >> 16;
    if (d === 0) divError(c);
    const n = (c.r16[8] << 16) | c.r16[0];
    const q = Math.trunc(n / d);
    if (q > 32767 || q < -32768) divError(c);
    c.r16[0] = q; c.r16[8] = n % d;
  } else {
    const d = c.readEd();
    if (d === 0) divError(c);
    const n = (BigInt(c.r32[4]) << 32n) | BigInt(c.r32[0] >>> 0);
    const bd = BigInt(d);
    const q = n / bd;
    if (q > 2147483647n || q < -2147483648n) divError(c);
    c.r32[0] = Number(q); c.r32[4] = Number(n % bd);
  }
}

/** F6: TEST Eb,Ib / NOT / NEG / MUL / IMUL / DIV / IDIV (reg 1 is a TEST alias). */
export function grp3Eb(c: Cpu): void {
  c.decodeModrm();
  if (c.lock !== 0 && (c.regf & 6) !== 2) c.ud();
  switch (c.regf) {
    case 0: case 1: { const a = c.readEb(); c.setLogic(a & c.fetch8(), M8, S8); break; }
    case 2: c.writeEb(~c.readEb() & 0xff); break;
    case 3: c.writeEb(neg(c, c.readEb(), M8, S8)); break;
    case 4: mul(c, 8); break;
    case 5: imul1(c, 8); break;
    case 6: div(c, 8); break;
    default: idiv(c, 8); break;
  }
}

export function grp3Ev(c: Cpu): void {
  c.decodeModrm();
  if (c.lock !== 0 && (c.regf & 6) !== 2) c.ud();
  const s32 = c.os32;
  switch (c.regf) {
    case 0: case 1: {
      const a = c.readEv();
      if (s32) c.setLogic(a & c.fetch32(), M32, S32); else c.setLogic(a & c.fetch16(), M16, S16);
      break;
    }
    case 2: c.writeEv(~c.readEv()); break;
    case 3: if (s32) c.writeEd(neg(c, c.readEd(), M32, S32)); else c.writeEw(neg(c, c.readEw(), M16, S16)); break;
    case 4: mul(c, s32 ? 32 : 16); break;
    case 5: imul1(c, s32 ? 32 : 16); break;
    case 6: div(c, s32 ? 32 : 16); break;
    default: idiv(c, s32 ? 32 : 16); break;
  }
}
