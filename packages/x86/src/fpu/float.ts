/**
 * Bit-level helpers for the x87 unit's double-precision paths (transcendentals, stores):
 * exact powers of two, binary exponents of doubles, and Dekker's TwoProduct error term, which
 * tells on which side of a rounded double product the exact result lies.
 *
 * Everything here is pure and allocation-free; the one mutable table is built at load time and
 * never written again.
 */

/** 2^n for integer n in [-1074, 1023], exact; P2[n + P2_BIAS]. */
const P2_BIAS = 1074;
const P2 = new Float64Array(1074 + 1024);
{
  let x = 1;
  for (let n = 0; n <= 1023; n++) { P2[n + P2_BIAS] = x; x *= 2; }
  x = 1;
  for (let n = 0; n >= -1074; n--) { P2[n + P2_BIAS] = x; x /= 2; }
}

/** 2^n, exact, for n in [-1074, 1023]. */
export function pow2(n: number): number {
  return P2[n + P2_BIAS];
}

/** x * 2^n without intermediate overflow/underflow for the ranges the unit uses (exact when
 * the result is representable). */
export function ldexp(x: number, n: number): number {
  while (n > 1000) { x *= P2[1000 + P2_BIAS]; n -= 1000; if (x === 0 || x - x !== 0) return x; }
  while (n < -1000) { x *= P2[-1000 + P2_BIAS]; n += 1000; if (x === 0) return x; }
  return x * P2[n + P2_BIAS];
}

const scratch = new DataView(new ArrayBuffer(8));

/**
 * floor(log2(|x|)) for finite nonzero x (subnormals included). Uses a module-level scratch
 * DataView: it holds no state between calls, so cores on separate threads cannot interfere.
 */
export function ilogb(x: number): number {
  scratch.setFloat64(0, x);
  const e = (scratch.getUint32(0) >>> 20) & 0x7ff;
  if (e === 0) {
    scratch.setFloat64(0, x * 18446744073709551616);
    return ((scratch.getUint32(0) >>> 20) & 0x7ff) - 1023 - 64;
  }
  return e - 1023;
}

/** Sign (-1, 0, 1) of a number, 0 for ±0. */
export function sgn(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** True for -0 and negative numbers. */
export function isNeg(x: number): boolean {
  return x < 0 || (x === 0 && 1 / x < 0);
}

const SPLIT = 134217729; // 2^27 + 1

/** The low part of a*b - p where p = fl(a*b), exact when a, b are in a moderate range. */
function twoProdLo(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** sign(a*b - p) for p = fl(a*b) finite, a and b finite nonzero. */
export function mulErr(a: number, b: number, p: number): number {
  const ea = ilogb(a);
  const eb = ilogb(b);
  const ma = ldexp(a, -ea);
  const mb = ldexp(b, -eb);
  const pp = ldexp(p, -(ea + eb));
  const hi = ma * mb;
  const lo = twoProdLo(ma, mb, hi);
  return sgn((hi - pp) + lo);
}

