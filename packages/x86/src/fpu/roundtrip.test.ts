// Randomised round trips of the formats the unit must move without loss.
import { describe, expect, it } from 'vitest';
import { rig } from './testkit.js';

function* words(seed: number, n: number): Generator<number> {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    yield s;
  }
}

describe('round trips', () => {
  it('FLD m80 / FSTP m80, FSAVE / FRSTOR and FXSAVE / FXRSTOR keep any 80-bit pattern', () => {
    const { fpu, mem, ctx, x } = rig();
    const w = words(7, 3 * 800);
    for (let i = 0; i < 800; i++) {
      const lo = w.next().value as number;
      const hi = w.next().value as number;
      let se = (w.next().value as number) & 0xffff;
      if (i % 4 === 0) se = (se & 0x8000) | 0x7fff; // many NaNs and infinities
      if (i % 4 === 1) se &= 0x8000; // many denormals
      mem.write32(0, lo); mem.write32(4, hi); mem.write16(8, se);
      x(0xdb, 0x28, 0); // FLD m80
      x(0xdd, 0x30, 0x100); // FNSAVE
      x(0xdd, 0x20, 0x100); // FRSTOR
      ctx.ea = 0x400; fpu.fxsave(ctx);
      x(0xdb, 0xe3);
      ctx.ea = 0x400; fpu.fxrstor(ctx);
      x(0xdb, 0x38, 0x20); // FSTP m80
      expect([mem.u32(0x20), mem.u32(0x24), mem.u16(0x28)]).toEqual([lo, hi, se]);
      expect(fpu.status & 0x3f).toBe(0);
    }
  });

  it('FILD m64 / FISTP m64 and FILD m32 / FISTP m32 are exact', () => {
    const { fpu, mem, x } = rig();
    const w = words(11, 1000);
    for (let i = 0; i < 500; i++) {
      const lo = w.next().value as number;
      let hi = w.next().value as number;
      if (i % 3 === 0) hi = (hi >> (i % 31)) >>> 0; // various magnitudes, both signs
      mem.write32(0, lo); mem.write32(4, hi);
      x(0xdf, 0x28, 0); // FILD m64
      x(0xdf, 0x38, 0x10); // FISTP m64
      expect([mem.u32(0x10), mem.u32(0x14)]).toEqual([lo, hi]);
      x(0xdb, 0x00, 0); // FILD m32
      x(0xdb, 0x18, 0x18); // FISTP m32
      expect(mem.u32(0x18)).toBe(lo);
    }
    expect(fpu.status & 0x3f).toBe(0);
  });

  it('FBLD / FBSTP are exact for valid packed BCD', () => {
    const { fpu, mem, x } = rig();
    const w = words(13, 400);
    for (let i = 0; i < 200; i++) {
      const a = w.next().value as number;
      const b = w.next().value as number;
      const bytes: number[] = [];
      let r = a;
      for (let k = 0; k < 9; k++) {
        if (k === 4) r = b;
        const d0 = (r & 0xf) % 10; const d1 = ((r >>> 4) & 0xf) % 10;
        r >>>= 8;
        bytes.push(d0 | (d1 << 4));
      }
      const zero = bytes.every((v) => v === 0);
      bytes.push(i % 2 === 0 && !zero ? 0x80 : 0);
      mem.set(0, bytes);
      x(0xdf, 0x20, 0); // FBLD
      x(0xdf, 0x30, 0x10); // FBSTP
      expect(mem.hex(0x10, 10)).toBe(mem.hex(0, 10));
    }
    expect(fpu.status & 0x3f).toBe(0);
  });

  it('FLD m64 / FSTP m64 and FLD m32 / FSTP m32 are exact (NaN payloads quieted only)', () => {
    const { fpu, mem, x } = rig();
    const w = words(17, 1000);
    for (let i = 0; i < 500; i++) {
      const lo = w.next().value as number;
      let hi = w.next().value as number;
      if (i % 5 === 0) hi = ((hi & 0x800fffff) | 0x7ff80000) >>> 0; // QNaNs
      mem.write32(0, lo); mem.write32(4, hi);
      x(0xdd, 0x00, 0);
      x(0xdd, 0x18, 0x10);
      expect([mem.u32(0x10), mem.u32(0x14)]).toEqual([lo, hi]);
      const f = i % 5 === 0 ? ((lo & 0x803fffff) | 0x7fc00000) >>> 0 : lo;
      mem.write32(0, f);
      x(0xd9, 0x00, 0);
      x(0xd9, 0x18, 0x18);
      expect(mem.u32(0x18)).toBe(f);
    }
    expect(fpu.status & ~0x02 & 0x3f).toBe(0); // only DE (denormal loads) may be set
  });
});
