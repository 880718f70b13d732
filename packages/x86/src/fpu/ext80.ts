/**
 * Double-extended (80-bit) arithmetic on 32-bit limbs: add, subtract, multiply, divide, square
 * root, scale and round-to-integer of finite nonzero operands, rounded once to 24, 53 or 64
 * significant bits under any x87 rounding mode with the full 15-bit exponent range (denormal
 * results, masked and unmasked overflow/underflow with the 24576 exponent bias). Written from
 * the SDM's description of the x87 data formats and IEEE 754 rounding.
 *
 * The significand being rounded is a 96-bit accumulator `a2:a1:a0` (a2 bit 31 set) plus a sticky
 * bit; its value is A * 2^(E - 95). Results are left in `se`/`hi`/`lo` with the exceptions in
 * `flags` and C1 ("rounded up") in `up`. No allocation.
 */

const SW_OE = 0x0008;
const SW_UE = 0x0010;
const SW_PE = 0x0020;
const EMIN = -16382;
const EMAX = 16383;
const BIAS = 16383;
const RC_NEAR = 0;
const RC_DOWN = 1;
const RC_UP = 2;
const TWO32 = 4294967296;

export class Ext80 {
  /** Result pattern. */
  se = 0;
  hi = 0;
  lo = 0;
  /** PE/UE/OE raised by the last operation. */
  flags = 0;
  /** C1: the significand was rounded up in magnitude. */
  up = false;

  /** Rounding parameters for the next operation: precision bits, RC, control word masks. */
  prec = 64;
  rc = 0;
  cw = 0x037f;

  /** Unpacked operand (after unpack()). */
  uNeg = false;
  uE = 0;
  uH = 0;
  uL = 0;

  private a2 = 0;
  private a1 = 0;
  private a0 = 0;
  private st = false;

  /** Unpack a finite nonzero (possibly denormal) pattern; normalises the significand. */
  unpack(se: number, hi: number, lo: number): void {
    this.uNeg = (se & 0x8000) !== 0;
    let e = se & 0x7fff;
    if (e === 0) e = 1;
    let E = e - BIAS;
    hi >>>= 0; lo >>>= 0;
    if (hi === 0) { hi = lo; lo = 0; E -= 32; }
    const z = Math.clz32(hi);
    if (z !== 0) { hi = ((hi << z) | (lo >>> (32 - z))) >>> 0; lo = (lo << z) >>> 0; E -= z; }
    this.uE = E; this.uH = hi; this.uL = lo;
  }

  /** Shift the accumulator right by n bits, collecting what falls off into sticky. */
  private shr(n: number): void {
    while (n >= 32) {
      if (this.a0 !== 0) this.st = true;
      this.a0 = this.a1; this.a1 = this.a2; this.a2 = 0;
      n -= 32;
      if ((this.a0 | this.a1) === 0) return;
    }
    if (n > 0) {
      if ((this.a0 << (32 - n)) !== 0) this.st = true;
      this.a0 = ((this.a0 >>> n) | (this.a1 << (32 - n))) >>> 0;
      this.a1 = ((this.a1 >>> n) | (this.a2 << (32 - n))) >>> 0;
      this.a2 >>>= n;
    }
  }

  /** Shift the accumulator left until a2 bit 31 is set; returns the shift. Nonzero only. */
  private norm(): number {
    let s = 0;
    while (this.a2 === 0) { this.a2 = this.a1; this.a1 = this.a0; this.a0 = 0; s += 32; }
    const z = Math.clz32(this.a2);
    if (z !== 0) {
      this.a2 = ((this.a2 << z) | (this.a1 >>> (32 - z))) >>> 0;
      this.a1 = ((this.a1 << z) | (this.a0 >>> (32 - z))) >>> 0;
      this.a0 = (this.a0 << z) >>> 0;
    }
    return s + z;
  }

  /**
   * Round A * 2^(E - 95) (normalised, nonzero) to `prec` bits (and to an lsb weight of at
   * least 2^lsbMin) and pack it.
   */
  private roundPack(neg: boolean, E: number, lsbMin: number): void {
    this.flags = 0;
    this.up = false;
    const cw = this.cw;
    let tiny = E < EMIN;
    let biased = 0;
    if (tiny && (cw & SW_UE) === 0 && E + 24576 >= EMIN) { E += 24576; biased = SW_UE; tiny = false; }
    let lsb = E - this.prec + 1;
    if (lsb < EMIN - 63) lsb = EMIN - 63;
    if (lsb < lsbMin) lsb = lsbMin;
    const d = lsb - (E - 95);
    let r = 0;
    if (d > 0) {
      this.shr(d - 1);
      r = this.a0 & 1;
      this.a0 = (this.a0 & ~1) >>> 0; // the round bit is not sticky
      this.shr(1);
    }
    const inexact = r !== 0 || this.st;
    let inc = false;
    if (inexact) {
      switch (this.rc) {
        case RC_NEAR: inc = r !== 0 && (this.st || (this.a0 & 1) !== 0); break;
        case RC_DOWN: inc = neg; break;
        case RC_UP: inc = !neg; break;
        default: break;
      }
    }
    let i1 = this.a1;
    let i0 = this.a0;
    if (inc) {
      i0 = (i0 + 1) >>> 0;
      if (i0 === 0) {
        i1 = (i1 + 1) >>> 0;
        if (i1 === 0) { i1 = 0x80000000; lsb += 1; }
      }
    }
    this.up = inc;
    let f = inexact ? SW_PE : 0;
    if (tiny && inexact) f |= SW_UE;
    f |= biased;
    if ((i1 | i0) === 0) {
      this.se = neg ? 0x8000 : 0; this.hi = 0; this.lo = 0;
      this.flags = f;
      return;
    }
    const m = i1 !== 0 ? 63 - Math.clz32(i1) : 31 - Math.clz32(i0);
    let Er = lsb + m;
    if (Er > EMAX) {
      if ((cw & SW_OE) === 0 && Er - 24576 <= EMAX) {
        Er -= 24576;
        f |= SW_OE;
      } else {
        this.flags = f | SW_OE | SW_PE;
        const toInf = this.rc === RC_NEAR || (this.rc === RC_UP && !neg) || (this.rc === RC_DOWN && neg);
        if (toInf) {
          this.se = (neg ? 0x8000 : 0) | 0x7fff; this.hi = 0x80000000; this.lo = 0; this.up = true;
        } else {
          const p = this.prec;
          this.se = (neg ? 0x8000 : 0) | 0x7ffe;
          this.hi = 0xffffffff;
          this.lo = p >= 64 ? 0xffffffff : p <= 32 ? 0 : (0xffffffff << (64 - p)) >>> 0;
          if (p < 32) this.hi = (0xffffffff << (32 - p)) >>> 0;
          this.up = false;
        }
        return;
      }
    }
    let sh: number;
    let exp: number;
    if (Er < EMIN) { exp = 0; sh = lsb - (EMIN - 63); } else { exp = Er + BIAS; sh = 63 - m; }
    // (i1:i0) << sh
    if (sh >= 32) { i1 = i0; i0 = 0; sh -= 32; }
    if (sh > 0) { i1 = ((i1 << sh) | (i0 >>> (32 - sh))) >>> 0; i0 = (i0 << sh) >>> 0; }
    this.se = (neg ? 0x8000 : 0) | exp;
    this.hi = i1 >>> 0;
    this.lo = i0 >>> 0;
    this.flags = f;
  }

  /** x + y (or x - y with ySub), both finite; zeros allowed. Operands as patterns. */
  add(xse: number, xhi: number, xlo: number, yse: number, yhi: number, ylo: number, ySub: boolean): void {
    const xz = (xse & 0x7fff) === 0 && (xhi | xlo) === 0;
    const yz = (yse & 0x7fff) === 0 && (yhi | ylo) === 0;
    let yneg = (yse & 0x8000) !== 0;
    if (ySub) yneg = !yneg;
    if (yz && xz) {
      const xneg = (xse & 0x8000) !== 0;
      const neg = xneg === yneg ? xneg : this.rc === RC_DOWN;
      this.se = neg ? 0x8000 : 0; this.hi = 0; this.lo = 0; this.flags = 0; this.up = false;
      return;
    }
    if (yz || xz) {
      // The other operand, rounded to the precision.
      if (yz) this.unpack(xse, xhi, xlo); else { this.unpack(yse, yhi, ylo); this.uNeg = yneg; }
      this.a2 = this.uH; this.a1 = this.uL; this.a0 = 0; this.st = false;
      this.roundPack(this.uNeg, this.uE, -Infinity);
      return;
    }
    this.unpack(xse, xhi, xlo);
    let ne = this.uNeg; let ee = this.uE; let eh = this.uH; let el = this.uL;
    this.unpack(yse, yhi, ylo);
    let fn = yneg; let fe = this.uE; let fh = this.uH; let fl = this.uL;
    // Make (ne, ee, eh, el) the larger magnitude.
    if (fe > ee || (fe === ee && (fh > eh || (fh === eh && fl > el)))) {
      const tn = ne; ne = fn; fn = tn;
      let t = ee; ee = fe; fe = t;
      t = eh; eh = fh; fh = t;
      t = el; el = fl; fl = t;
    }
    // B = smaller, aligned.
    this.a2 = fh; this.a1 = fl; this.a0 = 0; this.st = false;
    this.shr(ee - fe);
    const b2 = this.a2; const b1 = this.a1; const b0 = this.a0; const sb = this.st;
    let E = ee;
    if (ne === fn) {
      let s = b0;
      this.a0 = s >>> 0;
      s = el + b1;
      this.a1 = s >>> 0;
      let c = s >= TWO32 ? 1 : 0;
      s = eh + b2 + c;
      this.a2 = s >>> 0;
      c = s >= TWO32 ? 1 : 0;
      this.st = sb;
      if (c) { this.shr(1); this.a2 = (this.a2 | 0x80000000) >>> 0; E += 1; }
    } else {
      let d = 0 - b0 - (sb ? 1 : 0);
      this.a0 = d >>> 0;
      let bw = d < 0 ? 1 : 0;
      d = el - b1 - bw;
      this.a1 = d >>> 0;
      bw = d < 0 ? 1 : 0;
      d = eh - b2 - bw;
      this.a2 = d >>> 0;
      this.st = sb;
      if ((this.a2 | this.a1 | this.a0) === 0 && !sb) {
        this.se = this.rc === RC_DOWN ? 0x8000 : 0; this.hi = 0; this.lo = 0; this.flags = 0; this.up = false;
        return;
      }
      E -= this.norm();
    }
    this.roundPack(ne, E, -Infinity);
  }

  /** x * y, both finite nonzero. */
  mul(xse: number, xhi: number, xlo: number, yse: number, yhi: number, ylo: number): void {
    this.unpack(xse, xhi, xlo);
    const neg = this.uNeg !== ((yse & 0x8000) !== 0);
    const h1 = this.uH; const l1 = this.uL; let E = this.uE;
    this.unpack(yse, yhi, ylo);
    const h2 = this.uH; const l2 = this.uL; E += this.uE;
    mul32(l1, l2); const llh = M[0]; const p0 = M[1];
    mul32(h1, l2); const hlh = M[0]; const hll = M[1];
    mul32(l1, h2); const lhh = M[0]; const lhl = M[1];
    mul32(h1, h2); const hhh = M[0]; const hhl = M[1];
    let c = llh + hll + lhl;
    const p1 = c >>> 0;
    let carry = Math.floor(c / TWO32);
    c = hlh + lhh + hhl + carry;
    const p2 = c >>> 0;
    carry = Math.floor(c / TWO32);
    const p3 = hhh + carry;
    if (p3 >= 0x80000000) {
      E += 1;
      this.a2 = p3 >>> 0; this.a1 = p2 >>> 0; this.a0 = p1 >>> 0; this.st = p0 !== 0;
    } else {
      this.a2 = ((p3 << 1) | (p2 >>> 31)) >>> 0;
      this.a1 = ((p2 << 1) | (p1 >>> 31)) >>> 0;
      this.a0 = ((p1 << 1) | (p0 >>> 31)) >>> 0;
      this.st = (p0 << 1) !== 0;
    }
    this.roundPack(neg, E, -Infinity);
  }

  /** x / y, both finite nonzero. */
  div(xse: number, xhi: number, xlo: number, yse: number, yhi: number, ylo: number): void {
    this.unpack(yse, yhi, ylo);
    const yh = this.uH; const yl = this.uL; const yE = this.uE; const yneg = this.uNeg;
    this.unpack(xse, xhi, xlo);
    const neg = this.uNeg !== yneg;
    // Radix-2^16 long division of X * 2^80 by Y with 16-bit limbs; each digit is estimated
    // with doubles and corrected exactly. Remainder R < Y is kept in r4..r0.
    const y3 = yh >>> 16; const y2 = yh & 0xffff; const y1 = yl >>> 16; const y0 = yl & 0xffff;
    const yd = yh * TWO32 + yl;
    let r4 = 0; let r3 = this.uH >>> 16; let r2 = this.uH & 0xffff; let r1 = this.uL >>> 16; let r0 = this.uL & 0xffff;
    // Leading quotient bit: X >= Y.
    let q = 0;
    if (this.uH > yh || (this.uH === yh && this.uL >= yl)) {
      q = 1;
      let t = r0 - y0; r0 = t & 0xffff; let c = t >> 16;
      t = r1 - y1 + c; r1 = t & 0xffff; c = t >> 16;
      t = r2 - y2 + c; r2 = t & 0xffff; c = t >> 16;
      r3 = r3 - y3 + c;
    }
    let q2 = 0; let q1 = 0; let q0 = 0; // 81-bit quotient: q | 5 digits
    for (let k = 0; k < 5; k++) {
      r4 = r3; r3 = r2; r2 = r1; r1 = r0; r0 = 0;
      let d = Math.floor((((r4 * 65536 + r3) * 65536 + r2) * 65536 + r1) * 65536 / yd);
      if (d > 0xffff) d = 0xffff;
      // R -= d * Y
      let t = r0 - d * y0; let c = Math.floor(t / 65536); r0 = t - c * 65536;
      t = r1 - d * y1 + c; c = Math.floor(t / 65536); r1 = t - c * 65536;
      t = r2 - d * y2 + c; c = Math.floor(t / 65536); r2 = t - c * 65536;
      t = r3 - d * y3 + c; c = Math.floor(t / 65536); r3 = t - c * 65536;
      r4 += c;
      while (r4 < 0) {
        // Estimate one too large: add Y back.
        d -= 1;
        t = r0 + y0; r0 = t & 0xffff; c = t >>> 16;
        t = r1 + y1 + c; r1 = t & 0xffff; c = t >>> 16;
        t = r2 + y2 + c; r2 = t & 0xffff; c = t >>> 16;
        t = r3 + y3 + c; r3 = t & 0xffff; c = t >>> 16;
        r4 += c;
      }
      while (r4 > 0 || r3 > y3 || (r3 === y3 && (r2 > y2 || (r2 === y2 && (r1 > y1 || (r1 === y1 && r0 >= y0)))))) {
        // Estimate one too small: subtract Y once more.
        d += 1;
        t = r0 - y0; r0 = t & 0xffff; c = t >> 16;
        t = r1 - y1 + c; r1 = t & 0xffff; c = t >> 16;
        t = r2 - y2 + c; r2 = t & 0xffff; c = t >> 16;
        t = r3 - y3 + c; r3 = t & 0xffff; c = t >> 16;
        r4 += c;
      }
      // Append the digit: (q2:q1:q0) = (q2:q1:q0) << 16 | d
      q2 = ((q2 << 16) | (q1 >>> 16)) >>> 0;
      q1 = ((q1 << 16) | (q0 >>> 16)) >>> 0;
      q0 = ((q0 << 16) | d) >>> 0;
    }
    this.a2 = (q2 | (q << 16)) >>> 0; this.a1 = q1; this.a0 = q0;
    this.st = (r3 | r2 | r1 | r0) !== 0;
    const z = this.norm();
    this.roundPack(neg, this.uE - yE - 80 + 95 - z, -Infinity);
  }

  /** sqrt(x), x finite positive. */
  sqrt(xse: number, xhi: number, xlo: number): void {
    this.unpack(xse, xhi, xlo);
    let e = this.uE - 63;
    // N = significand (65 bits when the exponent is odd).
    let n2 = 0; let n1 = this.uH; let n0 = this.uL;
    if (e & 1) {
      n2 = n1 >>> 31; n1 = ((n1 << 1) | (n0 >>> 31)) >>> 0; n0 = (n0 << 1) >>> 0;
      e -= 1;
    }
    // Digit-by-digit root of M = N * 2^68 (pairs of bits from bit 133 down).
    let s2 = 0; let s1 = 0; let s0 = 0; // root
    let r2 = 0; let r1 = 0; let r0 = 0; // remainder
    for (let j = 132; j >= 0; j -= 2) {
      const pair = (bitOf(n2, n1, n0, j + 1 - 68) << 1) | bitOf(n2, n1, n0, j - 68);
      // r = (r << 2) | pair
      r2 = ((r2 << 2) | (r1 >>> 30)) >>> 0;
      r1 = ((r1 << 2) | (r0 >>> 30)) >>> 0;
      r0 = ((r0 << 2) | pair) >>> 0;
      // t = (s << 2) | 1
      const t2 = ((s2 << 2) | (s1 >>> 30)) >>> 0;
      const t1 = ((s1 << 2) | (s0 >>> 30)) >>> 0;
      const t0 = ((s0 << 2) | 1) >>> 0;
      const ge = r2 > t2 || (r2 === t2 && (r1 > t1 || (r1 === t1 && r0 >= t0)));
      if (ge) {
        let d = r0 - t0;
        r0 = d >>> 0;
        let bw = d < 0 ? 1 : 0;
        d = r1 - t1 - bw;
        r1 = d >>> 0;
        bw = d < 0 ? 1 : 0;
        r2 = (r2 - t2 - bw) >>> 0;
      }
      s2 = ((s2 << 1) | (s1 >>> 31)) >>> 0;
      s1 = ((s1 << 1) | (s0 >>> 31)) >>> 0;
      s0 = ((s0 << 1) | (ge ? 1 : 0)) >>> 0;
    }
    // Root S (66 or 67 bits): value = S * 2^(e/2 - 34).
    this.a2 = s2; this.a1 = s1; this.a0 = s0; this.st = (r2 | r1 | r0) !== 0;
    const z = this.norm();
    this.roundPack(false, e / 2 - 34 + 95 - z, -Infinity);
  }

  /**
   * FPREM (ieee = false) / FPREM1 remainder of finite nonzero x by finite nonzero y, exact.
   * Returns the low three bits of the quotient magnitude, or -1 for a partial remainder
   * (exponent difference >= 64: x is reduced by a multiple of y * 2^(D - 63)).
   */
  prem(xse: number, xhi: number, xlo: number, yse: number, yhi: number, ylo: number, ieee: boolean): number {
    this.unpack(yse, yhi, ylo);
    const yh = this.uH; const yl = this.uL; let yE = this.uE;
    this.unpack(xse, xhi, xlo);
    const xneg = this.uNeg;
    let d = this.uE - yE;
    let partial = false;
    if (d >= 64) { yE += d - 63; d = 63; partial = true; }
    const prec = this.prec;
    this.prec = 64;
    if (d < 0) {
      // |x| < |y|: quotient 0; FPREM1 still rounds when |x| > |y| / 2 (only possible for d = -1).
      if (ieee && d === -1 && (this.uH > yh || (this.uH === yh && this.uL > yl))) {
        // Quotient rounds to 1: r = -(|y| - |x|) = (Y - (X - Y)) * 2^(yE - 64), sign flipped.
        let t = this.uL - yl;
        let l = t >>> 0;
        let bw = t < 0 ? 1 : 0;
        const h = (this.uH - yh - bw) >>> 0;
        t = yl - l;
        l = t >>> 0;
        bw = t < 0 ? 1 : 0;
        this.a2 = (yh - h - bw) >>> 0; this.a1 = l; this.a0 = 0; this.st = false;
        const z = this.norm();
        this.roundPack(!xneg, yE - 64 + 95 - 32 - z, -Infinity);
        this.prec = prec;
        return 1;
      }
      this.a2 = this.uH; this.a1 = this.uL; this.a0 = 0; this.st = false;
      this.roundPack(xneg, this.uE, -Infinity);
      this.prec = prec;
      return 0;
    }
    // Long division of X * 2^d by Y: R stays below 2Y (65 bits: r2:r1:r0).
    let r2 = 0; let r1 = this.uH; let r0 = this.uL;
    let q = 0;
    for (let i = 0; i <= d; i++) {
      if (i > 0) { r2 = r1 >>> 31; r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0; r0 = (r0 << 1) >>> 0; }
      const ge = r2 !== 0 || r1 > yh || (r1 === yh && r0 >= yl);
      q = ((q << 1) | (ge ? 1 : 0)) & 7;
      if (ge) {
        let t = r0 - yl;
        r0 = t >>> 0;
        const bw = t < 0 ? 1 : 0;
        t = r1 - yh - bw;
        r1 = t >>> 0;
        r2 = 0;
      }
    }
    let neg = xneg;
    if (ieee && !partial) {
      // Round the quotient to nearest: compare 2R with Y.
      const t2 = r1 >>> 31;
      const t1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
      const t0 = (r0 << 1) >>> 0;
      const cmp = t2 !== 0 || t1 > yh || (t1 === yh && t0 > yl) ? 1 : t1 === yh && t0 === yl ? 0 : -1;
      if (cmp > 0 || (cmp === 0 && (q & 1) === 1)) {
        // R = Y - R, sign flips.
        let t = yl - r0;
        r0 = t >>> 0;
        const bw = t < 0 ? 1 : 0;
        t = yh - r1 - bw;
        r1 = t >>> 0;
        neg = !xneg;
        q = (q + 1) & 7;
      }
    }
    if ((r1 | r0) === 0) {
      this.se = xneg ? 0x8000 : 0; this.hi = 0; this.lo = 0; this.flags = 0; this.up = false;
    } else {
      this.a2 = r1; this.a1 = r0; this.a0 = 0; this.st = false;
      const z = this.norm();
      // value = R * 2^(yE - 63) = A * 2^(E - 95) with A = R << (32 + z)
      this.roundPack(neg, yE - 63 + 95 - 32 - z, -Infinity);
    }
    this.prec = prec;
    return partial ? -1 : q;
  }

  /** x * 2^n (n an integer, any size), rounded to the precision. */
  scale(xse: number, xhi: number, xlo: number, n: number): void {
    this.unpack(xse, xhi, xlo);
    this.a2 = this.uH; this.a1 = this.uL; this.a0 = 0; this.st = false;
    this.roundPack(this.uNeg, this.uE + n, -Infinity);
  }

  /** Round x to an integer under RC (FRNDINT): precision 64, lsb weight >= 1. */
  rint(xse: number, xhi: number, xlo: number): void {
    this.unpack(xse, xhi, xlo);
    this.a2 = this.uH; this.a1 = this.uL; this.a0 = 0; this.st = false;
    const p = this.prec;
    const cw = this.cw;
    this.prec = 64;
    this.cw = cw | SW_OE | SW_UE;
    this.roundPack(this.uNeg, this.uE, 0);
    this.prec = p;
    this.cw = cw;
    this.flags &= SW_PE;
  }
}

/** mul32's result: [high, low]. A typed array, so storing doubles allocates nothing. */
const M = new Float64Array(2);

/** 32 x 32 -> 64-bit product into M. Module scratch: written and read synchronously. */
function mul32(a: number, b: number): void {
  const a1 = a >>> 16; const a0 = a & 0xffff;
  const b1 = b >>> 16; const b0 = b & 0xffff;
  const mid = a1 * b0 + a0 * b1;
  // (x >>> 0) is x mod 2^32 for any nonnegative integer below 2^53 (ToUint32): no fmod.
  const low = a0 * b0 + ((mid >>> 0) & 0xffff) * 65536;
  M[1] = low >>> 0;
  M[0] = a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / TWO32);
}

function bitOf(n2: number, n1: number, n0: number, j: number): number {
  if (j < 0) return 0;
  if (j < 32) return (n0 >>> j) & 1;
  if (j < 64) return (n1 >>> (j - 32)) & 1;
  return j === 64 ? n2 & 1 : 0;
}
