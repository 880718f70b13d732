// Unmasked-exception responses, environment layouts not covered elsewhere, and the helpers the
// CPU uses for segment checks.
import { describe, expect, it } from 'vitest';
import {
  Fpu, FPU_MF, FPU_OK, FPU_WRITE_FLAGS, SW_C1, SW_ES, SW_IE, SW_PE, SW_SF, SW_UE,
} from './index.js';
import { rig } from './testkit.js';

const M = (reg: number): number => reg << 3;

function setup(cw = 0x037f) {
  const r = rig();
  r.mem.write16(0xf0, cw);
  r.x(0xd9, M(5), 0xf0);
  const ld = (v: number): void => { r.mem.f64(0, v); r.x(0xdd, M(0), 0); };
  const top = (): number => (r.fpu.status >> 11) & 7;
  return { ...r, ld, top };
}

describe('unmasked invalid operation', () => {
  it('stack overflow: TOP and registers unchanged, ES set', () => {
    const s = setup(0x037e);
    for (let i = 0; i < 8; i++) s.x(0xd9, 0xe8);
    s.x(0xd9, 0xee); // FLDZ overflows
    expect(s.fpu.status & (SW_IE | SW_SF | SW_C1 | SW_ES)).toBe(SW_IE | SW_SF | SW_C1 | SW_ES);
    expect(s.top()).toBe(0);
    expect(s.fpu.st(0)).toBe(1);
  });

  it('FSTP m64 of an empty register stores nothing and does not pop', () => {
    const s = setup(0x037e);
    s.mem.f64(0x40, 42);
    s.x(0xdd, M(3), 0x40);
    expect(s.mem.f64(0x40)).toBe(42);
    expect(s.top()).toBe(0);
    expect(s.fpu.status & SW_SF).toBe(SW_SF);
    expect(s.x(0xd9, 0xe8)).toBe(FPU_MF);
  });

  it('FISTP m16 out of range stores nothing and does not pop', () => {
    const s = setup(0x037e);
    s.ld(1e6);
    s.mem.write16(0x40, 0x1234);
    s.x(0xdf, M(3), 0x40);
    expect(s.mem.u16(0x40)).toBe(0x1234);
    expect(s.top()).toBe(7);
  });

  it('FCOMI with a QNaN leaves EFLAGS alone', () => {
    const s = setup(0x037e);
    s.ld(1); s.ld(NaN);
    expect(s.x(0xdb, 0xf1)).toBe(FPU_OK);
    expect(s.fpu.status & SW_IE).toBe(SW_IE);
    s.ctx.ignne = true;
    expect(s.x(0xdb, 0xe9)).toBe(FPU_WRITE_FLAGS); // FUCOMI is quiet for QNaN
    expect(s.ctx.flags).toBe(0x45);
  });

  it('FSQRT of a negative number leaves the operand', () => {
    const s = setup(0x037e);
    s.ld(-9);
    s.x(0xd9, 0xfa);
    expect(s.fpu.st(0)).toBe(-9);
    expect(s.fpu.ferr).toBe(true);
  });
});

describe('unmasked precision and underflow on stores', () => {
  it('PE unmasked: the rounded value is still stored', () => {
    const s = setup(0x035f);
    s.ld(0.1);
    s.x(0xd9, M(3), 0x40); // FSTP m32
    expect(s.mem.f32(0x40)).toBe(Math.fround(0.1));
    expect(s.fpu.status & (SW_PE | SW_ES)).toBe(SW_PE | SW_ES);
    expect(s.top()).toBe(0);
  });

  it('UE unmasked: nothing is stored to m32', () => {
    const s = setup(0x036f);
    s.ld(1e-40);
    s.mem.write32(0x40, 0xdeadbeef);
    s.x(0xd9, M(3), 0x40);
    expect(s.mem.u32(0x40)).toBe(0xdeadbeef);
    expect(s.fpu.status & (SW_UE | SW_ES)).toBe(SW_UE | SW_ES);
    expect(s.top()).toBe(7);
  });
});

describe('environment layouts', () => {
  it('FNSTENV 32-bit protected mode: 28 bytes at their offsets', () => {
    const s = setup();
    s.ctx.cs = 0x23; s.ctx.eip = 0x8048000; s.ctx.ds = 0x2b;
    s.mem.f32(0x60, 3);
    s.x(0xd9, M(0), 0x60); // FLD m32
    s.mem.fill(0x200, 32, 0xaa);
    s.x(0xd9, M(6), 0x200);
    const m = s.mem;
    expect(m.u32(0x200)).toBe(0xffff037f);
    expect(m.u32(0x204)).toBe(0xffff3800);
    expect(m.u32(0x208)).toBe(0xffff3fff);
    expect(m.u32(0x20c)).toBe(0x8048000);
    expect(m.u32(0x210)).toBe(0x23 | (0x100 << 16));
    expect(m.u32(0x214)).toBe(0x60);
    expect(m.u32(0x218)).toBe(0xffff002b);
    expect(m.bytes[0x21c]).toBe(0xaa); // 28 bytes only
  });

  it('FNSTENV / FLDENV 32-bit real mode round-trip the linear pointers', () => {
    const s = setup();
    s.ctx.realMode = true;
    s.ctx.cs = 0xf000; s.ctx.eip = 0xfff0; s.ctx.ds = 0x1000;
    s.x(0xd8, M(1), 0x24); // FMUL m32 with an empty stack: still records pointers
    s.x(0xd9, M(6), 0x300);
    expect(s.mem.u32(0x30c)).toBe((0xffff0000 | 0xfff0) >>> 0);
    expect(s.mem.u32(0x310)).toBe((0x000f << 12) | 0x008);
    expect(s.mem.u32(0x314)).toBe(0xffff0024 >>> 0);
    expect(s.mem.u32(0x318)).toBe(0x0001 << 12);
    s.x(0xdb, 0xe3);
    s.x(0xd9, M(4), 0x300);
    expect([s.fpu.fip, s.fpu.fdp, s.fpu.fop]).toEqual([0xffff0, 0x10024, 0x008]);
  });

  it('FLDENV with a pending unmasked flag makes it pending; FLDENV itself does not report it', () => {
    const s = setup();
    s.x(0xd9, M(6), 0x300);
    s.mem.write16(0x300, 0x037e);
    s.mem.write16(0x304, SW_IE);
    expect(s.x(0xd9, M(4), 0x300)).toBe(FPU_OK);
    expect(s.fpu.ferr).toBe(true);
    expect(s.x(0xd9, 0xe8)).toBe(FPU_MF);
  });
});

describe('memOperandBytes', () => {
  it('gives the operand size of each memory form', () => {
    const f = (op: number, reg: number, o32 = true): number => Fpu.memOperandBytes(op, M(reg), o32);
    expect([f(0xd8, 0), f(0xdc, 7), f(0xda, 3), f(0xde, 5)]).toEqual([4, 8, 4, 2]);
    expect([f(0xd9, 0), f(0xd9, 4), f(0xd9, 4, false), f(0xd9, 5), f(0xd9, 7), f(0xd9, 1)]).toEqual([4, 28, 14, 2, 2, 0]);
    expect([f(0xdb, 0), f(0xdb, 5), f(0xdb, 7), f(0xdb, 1)]).toEqual([4, 10, 10, 0]);
    expect([f(0xdd, 0), f(0xdd, 4), f(0xdd, 6, false), f(0xdd, 7)]).toEqual([8, 108, 94, 2]);
    expect([f(0xdf, 0), f(0xdf, 4), f(0xdf, 5), f(0xdf, 6), f(0xdf, 7)]).toEqual([2, 10, 8, 10, 8]);
    expect(Fpu.memOperandBytes(0xd9, 0xc0, true)).toBe(0);
  });
});
