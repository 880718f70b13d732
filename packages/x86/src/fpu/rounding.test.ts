// Cross-check of directed rounding against exact rational arithmetic (BigInt): for every RC mode
// the unit's double result must be the correctly rounded value of the exact sum, product,
// quotient or square root, with PE exactly when the result is inexact and C1 when it was
// rounded up in magnitude.
import { describe, expect, it } from 'vitest';
import { SW_C1, SW_PE } from './index.js';
import { rig } from './testkit.js';

const dv = new DataView(new ArrayBuffer(8));

/** A double as an exact rational n / d (d a power of two, d > 0). */
function rat(x: number): [bigint, bigint] {
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  let ex: number;
  if (e === 0) ex = -1074; else { m |= 1n << 52n; ex = e - 1075; }
  if (neg) m = -m;
  return ex >= 0 ? [m << BigInt(ex), 1n] : [m, 1n << BigInt(-ex)];
}

/** Compare rationals a/b and c/d (b, d > 0). */
function cmp(a: bigint, b: bigint, c: bigint, d: bigint): number {
  const l = a * d;
  const r = c * b;
  return l < r ? -1 : l > r ? 1 : 0;
}

function next(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  dv.setFloat64(0, x);
  let b = dv.getBigUint64(0);
  b += (x > 0) === up ? 1n : -1n;
  dv.setBigUint64(0, b);
  return dv.getFloat64(0);
}

/** Deterministic pseudo-random doubles over a moderate exponent range. */
function* randoms(seed: number, n: number): Generator<number> {
  let s = seed >>> 0;
  const rnd = (): number => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const mant = 1 + rnd() + rnd() * 2 ** -26;
    const e = Math.floor(rnd() * 80) - 40;
    yield (rnd() < 0.5 ? -1 : 1) * mant * 2 ** e;
  }
}

type Op = 'add' | 'sub' | 'mul' | 'div' | 'sqrt';

function exact(op: Op, a: number, b: number): [bigint, bigint] | null {
  const [an, ad] = rat(a);
  const [bn, bd] = rat(b);
  switch (op) {
    case 'add': return [an * bd + bn * ad, ad * bd];
    case 'sub': return [an * bd - bn * ad, ad * bd];
    case 'mul': return [an * bn, ad * bd];
    case 'div': return bn < 0n ? [-an * bd, -bn * ad] : [an * bd, bn * ad];
    default: return null;
  }
}

describe('directed rounding is exact for +, -, *, /, sqrt', () => {
  const ops: [Op, number][] = [['add', 0xc1], ['sub', 0xe9], ['mul', 0xc9], ['div', 0xf9], ['sqrt', 0]];
  for (const [op, modrm] of ops) {
    for (let rc = 0; rc < 4; rc++) {
      it(`${op}, RC = ${rc}`, () => {
        const { fpu, mem, x } = rig();
        mem.write16(0x80, 0x027f | (rc << 10)); // PC = double: results are doubles
        x(0xd9, 0x28, 0x80); // FLDCW
        const as = [...randoms(op.length * 7919 + rc, 300)];
        const bs = [...randoms(rc * 104729 + 17, 300)];
        for (let i = 0; i < as.length; i++) {
          const a = op === 'sqrt' ? Math.abs(as[i]) : as[i];
          const b = bs[i];
          x(0xdb, 0xe2); // FNCLEX
          if (op === 'sqrt') {
            mem.f64(0, a); x(0xdd, 0x00, 0);
            x(0xd9, 0xfa);
          } else {
            mem.f64(0, a); x(0xdd, 0x00, 0); // ST1 = a
            mem.f64(0, b); x(0xdd, 0x00, 0); // ST0 = b
            x(0xde, modrm); // op P ST(1), ST(0): ST1 = a op b
          }
          const pe = (fpu.status & SW_PE) !== 0;
          const c1 = (fpu.status & SW_C1) !== 0;
          x(0xdd, 0x18, 8); // FSTP m64
          const r = mem.f64(8);
          const [rn, rd] = rat(r);
          let c: number; // sign(r - exact)
          let lower: number; // sign(next-down(r) - exact) and upper
          let upper: number;
          const e = exact(op, a, b);
          if (e === null) {
            // sqrt: compare squares (r >= 0).
            const [an, ad] = rat(a);
            const sq = (y: number): number => { const [n, d] = rat(y); return cmp(n * n, d * d, an, ad); };
            c = sq(r);
            lower = r === 0 ? -1 : sq(next(r, false));
            upper = sq(next(r, true));
          } else {
            c = cmp(rn, rd, e[0], e[1]);
            const [ln, ld] = rat(next(r, false));
            const [un, ud] = rat(next(r, true));
            lower = cmp(ln, ld, e[0], e[1]);
            upper = cmp(un, ud, e[0], e[1]);
          }
          const ctx = `${op} ${a} ${b} rc=${rc} -> ${r}`;
          expect(pe, ctx).toBe(c !== 0);
          if (c === 0) continue;
          // The exact value lies strictly between the neighbours of r.
          expect(lower < 0 && upper > 0, ctx).toBe(true);
          const neg = r < 0 || Object.is(r, -0);
          if (rc === 1) expect(c, ctx).toBe(-1);
          if (rc === 2) expect(c, ctx).toBe(1);
          if (rc === 3) expect(c, ctx).toBe(neg ? 1 : -1);
          if (rc === 0) {
            // Nearest: r is no farther than half an ulp: its other neighbour is farther away.
            const other = c > 0 ? next(r, false) : next(r, true);
            const [on, od] = rat(other);
            const e2 = e ?? null;
            if (e2 !== null) {
              const dr = (rn * e2[1] - e2[0] * rd) * od;
              const dO = (on * e2[1] - e2[0] * od) * rd;
              expect((dr < 0n ? -dr : dr) <= (dO < 0n ? -dO : dO), ctx).toBe(true);
            }
          }
          expect(c1, ctx).toBe(neg ? c < 0 : c > 0);
        }
      });
    }
  }
});

/** The float32 neighbour of a float32 value. */
function next32(x: number, up: boolean): number {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  f[0] = x;
  u[0] += (x > 0) === up ? 1 : -1;
  return f[0];
}

describe('FST m32 and precision control single round correctly', () => {
  for (let rc = 0; rc < 4; rc++) {
    it(`FST m32 and PC = 24 arithmetic, RC = ${rc}`, () => {
      const { fpu, mem, x } = rig();
      for (const pc of [3, 0]) {
        mem.write16(0x80, 0x007f | (pc << 8) | (rc << 10));
        x(0xd9, 0x28, 0x80);
        for (const a of randoms(rc * 31 + pc + 5, 300)) {
          x(0xdb, 0xe2);
          mem.f64(0, a); x(0xdd, 0x00, 0);
          let r: number;
          if (pc === 3) {
            x(0xd9, 0x18, 8); // FSTP m32
            r = mem.f32(8);
          } else {
            x(0xd9, 0xee); x(0xde, 0xc1); // FLDZ, FADDP: a + 0 rounded to 24 bits
            x(0xdd, 0x18, 8);
            r = mem.f64(8);
            expect(Math.fround(r), `${a}`).toBe(r);
          }
          const ctx = `pc=${pc} rc=${rc} ${a} -> ${r}`;
          expect((fpu.status & SW_PE) !== 0, ctx).toBe(r !== a);
          if (r === a) continue;
          const lo = next32(r, false);
          const hi = next32(r, true);
          expect(lo < a && a < hi, ctx).toBe(true);
          if (rc === 1) expect(r < a, ctx).toBe(true);
          if (rc === 2) expect(r > a, ctx).toBe(true);
          if (rc === 3) expect(Math.abs(r) < Math.abs(a), ctx).toBe(true);
          if (rc === 0) expect(Math.abs(r - a) <= Math.abs((r > a ? lo : hi) - a), ctx).toBe(true);
        }
      }
    });
  }
});
