// The 80-bit arithmetic against an exact BigInt reference: random double-extended operands
// (including denormal and huge ones), every precision control and rounding mode; the stored
// 80-bit result, PE/UE/OE and C1 must match the correctly rounded value.
import { describe, expect, it } from 'vitest';
import { SW_C1, SW_OE, SW_PE, SW_UE } from './index.js';
import { rig } from './testkit.js';

type Pat = [number, number, number]; // se, hi, lo

function ratOf([se, hi, lo]: Pat): [bigint, bigint] {
  const e = Math.max(se & 0x7fff, 1) - 16383 - 63;
  let n = (BigInt(hi) << 32n) | BigInt(lo);
  if (se & 0x8000) n = -n;
  return e >= 0 ? [n << BigInt(e), 1n] : [n, 1n << BigInt(-e)];
}

const bitlen = (x: bigint): number => x.toString(2).length;

/** Round n/d (d > 0, n != 0) to prec bits with the 80-bit exponent range (masked responses). */
function ref(n: bigint, d: bigint, prec: number, rc: number): { pat: Pat; pe: boolean; ue: boolean; oe: boolean; up: boolean } {
  const neg = n < 0n;
  const N = neg ? -n : n;
  let E = bitlen(N) - bitlen(d);
  const ge = (e: number): boolean => (e >= 0 ? N >= d << BigInt(e) : N << BigInt(-e) >= d);
  if (!ge(E)) E -= 1;
  const lsb = Math.max(E - prec + 1, -16382 - 63);
  let q: bigint; let rem: bigint; let div: bigint;
  if (lsb >= 0) { div = d << BigInt(lsb); q = N / div; rem = N % div; } else {
    const nn = N << BigInt(-lsb); div = d; q = nn / div; rem = nn % div;
  }
  const inexact = rem !== 0n;
  let inc = false;
  if (inexact) {
    const twice = rem * 2n;
    if (rc === 0) inc = twice > div || (twice === div && (q & 1n) === 1n);
    else if (rc === 1) inc = neg;
    else if (rc === 2) inc = !neg;
  }
  if (inc) q += 1n;
  const sign = neg ? 0x8000 : 0;
  const tiny = E < -16382;
  const m = bitlen(q) - 1;
  const Er = lsb + m;
  if (Er > 16383) {
    const toInf = rc === 0 || (rc === 2 && !neg) || (rc === 1 && neg);
    const max = ((1n << BigInt(prec)) - 1n) << BigInt(64 - prec);
    return toInf
      ? { pat: [sign | 0x7fff, 0x80000000, 0], pe: true, ue: false, oe: true, up: true }
      : { pat: [sign | 0x7ffe, Number(max >> 32n), Number(max & 0xffffffffn)], pe: true, ue: false, oe: true, up: false };
  }
  let sig: bigint; let exp: number;
  if (Er < -16382) { exp = 0; sig = q << BigInt(lsb + 16382 + 63); } else { exp = Er + 16383; sig = q << BigInt(63 - m); }
  return { pat: [sign | exp, Number(sig >> 32n), Number(sig & 0xffffffffn)], pe: inexact, ue: tiny && inexact, oe: false, up: inc };
}

function* rand(seed: number): Generator<number> {
  let s = seed >>> 0 || 1;
  for (;;) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; yield s; }
}

function operand(g: Generator<number>, k: number): Pat {
  const r = (): number => g.next().value as number;
  const kind = k % 8;
  let exp: number;
  if (kind === 0) exp = 0; // denormal
  else if (kind === 1) exp = 1 + (r() % 40); // tiny normal
  else if (kind === 2) exp = 0x7ffe - (r() % 40); // huge
  else exp = 16383 - 40 + (r() % 80);
  let hi = r();
  const lo = kind === 3 ? 0 : r();
  if (exp !== 0) hi = (hi | 0x80000000) >>> 0; else hi = (hi & 0x7fffffff) >>> 0;
  if (kind === 4) hi = 0xffffffff; // carries
  return [((r() & 1) ? 0x8000 : 0) | exp, hi, lo >>> 0];
}

const OPS: [string, number][] = [['add', 0xc1], ['sub', 0xe9], ['mul', 0xc9], ['div', 0xf9], ['sqrt', 0]];

describe('80-bit arithmetic matches exact rounding', () => {
  for (const [name, modrm] of OPS) {
    for (const pc of [3, 2, 0]) {
      it(`${name}, PC = ${pc}, all RC`, () => {
        const { fpu, mem, x } = rig();
        const g = rand(name.length * 101 + pc * 7 + 1);
        const load = (p: Pat): void => { mem.write32(0, p[2]); mem.write32(4, p[1]); mem.write16(8, p[0]); x(0xdb, 0x28, 0); };
        for (let i = 0; i < 400; i++) {
          const rc = i & 3;
          mem.write16(0x80, 0x003f | (pc << 8) | (rc << 10));
          x(0xd9, 0x28, 0x80);
          x(0xdb, 0xe2);
          let a = operand(g, i);
          const b = operand(g, (i >> 2) + 3 * i);
          if (name === 'sqrt') a = [a[0] & 0x7fff, a[1], a[2]];
          load(a);
          if (name !== 'sqrt') { load(b); x(0xde, modrm); } else x(0xd9, 0xfa);
          const sw = fpu.status;
          x(0xdb, 0x38, 0x20);
          const got: Pat = [mem.u16(0x28), mem.u32(0x24), mem.u32(0x20)];
          const [an, ad] = ratOf(a);
          const [bn, bd] = ratOf(b);
          let n: bigint; let d: bigint;
          let want: ReturnType<typeof ref> | null = null;
          switch (name) {
            case 'add': n = an * bd + bn * ad; d = ad * bd; break;
            case 'sub': n = an * bd - bn * ad; d = ad * bd; break;
            case 'mul': n = an * bn; d = ad * bd; break;
            case 'div': n = an * bd; d = ad * bn; if (d < 0n) { n = -n; d = -d; } break;
            default: {
              // sqrt: find the correctly rounded root by bisection on the exact square.
              n = 0n; d = 1n;
              want = refSqrt(an, ad, pc === 0 ? 24 : pc === 2 ? 53 : 64, rc);
            }
          }
          if (want === null) want = ref(n, d, pc === 0 ? 24 : pc === 2 ? 53 : 64, rc);
          const ctx = `${name} pc=${pc} rc=${rc} a=${a.map((v) => v.toString(16))} b=${b.map((v) => v.toString(16))}`;
          expect(got.map((v) => v.toString(16)), ctx).toEqual(want.pat.map((v) => v.toString(16)));
          expect({ pe: (sw & SW_PE) !== 0, ue: (sw & SW_UE) !== 0, oe: (sw & SW_OE) !== 0, up: (sw & SW_C1) !== 0 }, ctx)
            .toEqual({ pe: want.pe, ue: want.ue, oe: want.oe, up: want.up });
        }
      });
    }
  }
});

/** Correctly rounded sqrt(n/d) via an integer square root at enough precision. */
function refSqrt(n: bigint, d: bigint, prec: number, rc: number): ReturnType<typeof ref> {
  // sqrt(n/d) = sqrt(n*d)/d; scale so the integer root has > prec + 2 bits.
  let k = 0n;
  const nd = n * d;
  while (bitlen(nd << (2n * k)) < 2 * (prec + 70) + 2) k += 16n;
  const big = nd << (2n * k);
  const s = isqrt(big);
  const exact = s * s === big;
  // root = s / (d * 2^k) (+ a sticky bit when not exact): represent as (2s+1)/(2 d 2^k).
  let num = s;
  let den = d << k;
  if (!exact) { num = 2n * s + 1n; den *= 2n; }
  return ref(num, den, prec, rc);
}

function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << BigInt(Math.ceil(bitlen(x) / 2)); // >= sqrt(x): Newton descends
  for (;;) {
    const nr = (r + x / r) >> 1n;
    if (nr >= r) return r;
    r = nr;
  }
}

/** Round n/d to a binary format (prec bits, exponent range [emin, emax]) as a JS number. */
function refFmt(n: bigint, d: bigint, prec: number, emin: number, emax: number, rc: number): { v: number; pe: boolean; ue: boolean; oe: boolean; up: boolean } {
  const neg = n < 0n;
  const N = neg ? -n : n;
  let E = bitlen(N) - bitlen(d);
  const ge = (e: number): boolean => (e >= 0 ? N >= d << BigInt(e) : N << BigInt(-e) >= d);
  if (!ge(E)) E -= 1;
  const lsb = Math.max(E - prec + 1, emin - prec + 1);
  let q: bigint; let rem: bigint; let div: bigint;
  if (lsb >= 0) { div = d << BigInt(lsb); q = N / div; rem = N % div; } else {
    div = d; const nn = N << BigInt(-lsb); q = nn / div; rem = nn % div;
  }
  const inexact = rem !== 0n;
  let inc = false;
  if (inexact) {
    const twice = rem * 2n;
    if (rc === 0) inc = twice > div || (twice === div && (q & 1n) === 1n);
    else if (rc === 1) inc = neg;
    else if (rc === 2) inc = !neg;
  }
  if (inc) q += 1n;
  const m = q === 0n ? -1 : bitlen(q) - 1;
  if (lsb + m > emax) {
    const toInf = rc === 0 || (rc === 2 && !neg) || (rc === 1 && neg);
    const max = (2 - 2 ** (1 - prec)) * 2 ** emax;
    return { v: (neg ? -1 : 1) * (toInf ? Infinity : max), pe: true, ue: false, oe: true, up: toInf };
  }
  let v = Number(q);
  for (let k = lsb; k !== 0;) { const step = Math.max(-1000, Math.min(1000, k)); v *= 2 ** step; k -= step; }
  return { v: neg ? -v : v, pe: inexact, ue: E < emin && inexact, oe: false, up: inc };
}

describe('stores of 80-bit values to m64 and m32 round exactly', () => {
  for (const [size, prec, emin, emax] of [[8, 53, -1022, 1023], [4, 24, -126, 127]]) {
    it(`FST m${size * 8}, all RC, across the format's range`, () => {
      const { fpu, mem, x } = rig();
      const g = rand(size * 977);
      const r = (): number => g.next().value as number;
      for (let i = 0; i < 1200; i++) {
        const rc = i & 3;
        mem.write16(0x80, 0x037f | (rc << 10));
        x(0xd9, 0x28, 0x80);
        x(0xdb, 0xe2);
        const span = emax - emin + 2 * prec + 20;
        const exp = 16383 + emin - prec - 10 + (r() % span);
        const pat: Pat = [((r() & 1) ? 0x8000 : 0) | exp, (r() | 0x80000000) >>> 0, i % 5 === 0 ? 0 : r() >>> 0];
        if (i % 7 === 0) pat[1] = (pat[1] & 0xffffff00 | (1 << 10)) >>> 0; // exact ties in m32
        mem.write32(0, pat[2]); mem.write32(4, pat[1]); mem.write16(8, pat[0]);
        x(0xdb, 0x28, 0);
        x(size === 8 ? 0xdd : 0xd9, 0x18, 0x40); // FSTP
        const sw = fpu.status;
        const got = size === 8 ? mem.f64(0x40) : mem.f32(0x40);
        const [n, d] = ratOf(pat);
        const want = refFmt(n, d, prec, emin, emax, rc);
        const ctx = `m${size * 8} rc=${rc} ${pat.map((v) => v.toString(16))}`;
        expect(Object.is(got, want.v) || (got === 0 && want.v === 0 && Object.is(got, pat[0] & 0x8000 ? -0 : 0)), `${ctx}: ${got} vs ${want.v}`).toBe(true);
        expect({ pe: (sw & SW_PE) !== 0, ue: (sw & SW_UE) !== 0, oe: (sw & SW_OE) !== 0, up: (sw & SW_C1) !== 0 }, ctx)
          .toEqual({ pe: want.pe, ue: want.ue, oe: want.oe, up: want.up });
      }
    });
  }
});

describe('FPREM and FPREM1 are exact', () => {
  for (const ieee of [false, true]) {
    it(ieee ? 'FPREM1 (quotient rounded to nearest)' : 'FPREM (quotient truncated)', () => {
      const { fpu, mem, x } = rig();
      const g = rand(ieee ? 4242 : 2424);
      const r = (): number => g.next().value as number;
      const load = (p: Pat): void => { mem.write32(0, p[2]); mem.write32(4, p[1]); mem.write16(8, p[0]); x(0xdb, 0x28, 0); };
      for (let i = 0; i < 600; i++) {
        const ye = 16383 - 20 + (r() % 40);
        const de = i % 3 === 0 ? (r() % 6) - 2 : r() % 200;
        const xp: Pat = [((r() & 1) ? 0x8000 : 0) | (ye + de), (r() | 0x80000000) >>> 0, i % 4 === 0 ? 0 : r() >>> 0];
        const yp: Pat = [((r() & 1) ? 0x8000 : 0) | ye, (r() | 0x80000000) >>> 0, i % 4 === 1 ? 0 : r() >>> 0];
        if (i % 10 === 0) { xp[1] = yp[1]; xp[2] = yp[2]; } // exact multiples and ties
        x(0xdb, 0xe3);
        load(yp); load(xp);
        let n = 0;
        let first = -1;
        do {
          x(0xd9, ieee ? 0xf5 : 0xf8);
          if (first < 0) first = fpu.status;
        } while ((fpu.status & 0x400) !== 0 && ++n < 10);
        const sw = fpu.status;
        x(0xdb, 0x38, 0x20);
        const got: Pat = [mem.u16(0x28), mem.u32(0x24), mem.u32(0x20)];
        const [xn, xd] = ratOf(xp);
        const [yn, yd] = ratOf(yp);
        let num = xn * yd;
        let den = xd * yn;
        if (den < 0n) { num = -num; den = -den; }
        let q = num / den; // truncates toward zero
        if (ieee) {
          const rem = num - q * den; // same sign as num
          const twice = 2n * (rem < 0n ? -rem : rem);
          if (twice > den || (twice === den && (q & 1n) !== 0n)) q += num < 0n ? -1n : 1n;
        }
        const rn = xn * yd - q * yn * xd;
        const rd = xd * yd;
        const want: Pat = rn === 0n ? [xp[0] & 0x8000, 0, 0] : ref(rn, rd, 64, 0).pat;
        const ctx = `x=${xp.map((v) => v.toString(16))} y=${yp.map((v) => v.toString(16))}`;
        expect(got.map((v) => v.toString(16)), ctx).toEqual(want.map((v) => v.toString(16)));
        expect(sw & 0x20, ctx).toBe(0);
        if ((first & 0x400) === 0) {
          const qa = q < 0n ? -q : q;
          const bits = ((sw & 0x100) ? 4 : 0) | ((sw & 0x4000) ? 2 : 0) | ((sw & 0x200) ? 1 : 0);
          expect(bits, ctx).toBe(Number(qa & 7n));
        }
      }
    });
  }
});

describe('80-bit arithmetic on edge significands', () => {
  const edges: Pat[] = [
    [0x3fff, 0x80000000, 0], [0x3fff, 0xffffffff, 0xffffffff], [0x3fff, 0x80000000, 1],
    [0xbfff, 0xffffffff, 0xfffffffe], [0x0000, 0, 1], [0x7ffe, 0xffffffff, 0xffffffff],
    [0x0001, 0x80000000, 0], [0x0000, 0x80000000, 0], [0x4040, 0xc0000000, 0x00000001],
  ];
  it('all pairs, all operations, all RC, PC = extended', () => {
    const { fpu, mem, x } = rig();
    const load = (p: Pat): void => { mem.write32(0, p[2]); mem.write32(4, p[1]); mem.write16(8, p[0]); x(0xdb, 0x28, 0); };
    for (const a of edges) {
      for (const b of edges) {
        for (const [name, modrm] of OPS) {
          for (let rc = 0; rc < 4; rc++) {
            if (name === 'sqrt' && (a[0] & 0x8000)) continue;
            mem.write16(0x80, 0x033f | (rc << 10));
            x(0xd9, 0x28, 0x80);
            x(0xdb, 0xe3); x(0xd9, 0x28, 0x80);
            load(a);
            if (name !== 'sqrt') { load(b); x(0xde, modrm); } else x(0xd9, 0xfa);
            const sw = fpu.status;
            x(0xdb, 0x38, 0x20);
            const got: Pat = [mem.u16(0x28), mem.u32(0x24), mem.u32(0x20)];
            const [an, ad] = ratOf(a);
            const [bn, bd] = ratOf(b);
            let want: ReturnType<typeof ref>;
            let n = 0n; let d = 1n;
            switch (name) {
              case 'add': n = an * bd + bn * ad; d = ad * bd; break;
              case 'sub': n = an * bd - bn * ad; d = ad * bd; break;
              case 'mul': n = an * bn; d = ad * bd; break;
              case 'div': n = an * bd; d = ad * bn; if (d < 0n) { n = -n; d = -d; } break;
              default: break;
            }
            if (name === 'sqrt') want = refSqrt(an, ad, 64, rc);
            else if (n === 0n) want = { pat: [rc === 1 ? 0x8000 : 0, 0, 0], pe: false, ue: false, oe: false, up: false };
            else want = ref(n, d, 64, rc);
            const ctx = `${name} rc=${rc} a=${a.map((v) => v.toString(16))} b=${b.map((v) => v.toString(16))}`;
            expect(got.map((v) => v.toString(16)), ctx).toEqual(want.pat.map((v) => v.toString(16)));
            expect({ pe: (sw & SW_PE) !== 0, ue: (sw & SW_UE) !== 0, oe: (sw & SW_OE) !== 0, up: (sw & SW_C1) !== 0 }, ctx)
              .toEqual({ pe: want.pe, ue: want.ue, oe: want.oe, up: want.up });
          }
        }
      }
    }
  });
});
