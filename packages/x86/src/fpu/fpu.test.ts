import { describe, expect, it } from 'vitest';
import {
  Fpu, FpuContext, FpuUnimplemented, FPU_MF, FPU_OK, FPU_UD, FPU_WRITE_AX, FPU_WRITE_FLAGS,
  SW_B, SW_C0, SW_C1, SW_C2, SW_C3, SW_DE, SW_ES, SW_IE, SW_OE, SW_PE, SW_SF, SW_UE, SW_ZE,
} from './index.js';
import { rig } from './testkit.js';

/** ModRM for a memory form /reg (mod 00, rm 000: the address comes from ctx.ea). */
const M = (reg: number): number => reg << 3;
/** ModRM for a register form /reg, ST(i). */
const R = (reg: number, i: number): number => 0xc0 | (reg << 3) | i;
const A = 0x100; // operand scratch address

function setup() {
  const r = rig();
  const { mem, x, fpu } = r;
  const ld = (v: number): void => { mem.f64(A, v); expect(x(0xdd, M(0), A)).toBe(FPU_OK); };
  const ld80 = (se: number, hi: number, lo: number): void => {
    mem.write32(A, lo); mem.write32(A + 4, hi); mem.write16(A + 8, se);
    x(0xdb, M(5), A);
  };
  const st64 = (): number => { x(0xdd, M(3), A); return mem.f64(A); };
  const st80 = (): [number, number, number] => { x(0xdb, M(7), A); return [mem.u16(A + 8), mem.u32(A + 4), mem.u32(A)]; };
  const setRc = (rc: number): void => { mem.write16(A + 64, (fpu.cw & ~0xc00) | (rc << 10)); x(0xd9, M(5), A + 64); };
  const setCw = (cw: number): void => { mem.write16(A + 64, cw); x(0xd9, M(5), A + 64); };
  const cc = (): number => fpu.status & (SW_C0 | SW_C1 | SW_C2 | SW_C3);
  return { ...r, ld, ld80, st64, st80, setRc, setCw, cc };
}

describe('initialisation', () => {
  it('FNINIT gives FCW 037Fh, FSW 0, all tags empty', () => {
    const { fpu, x } = setup();
    fpu.reset();
    expect(fpu.cw).toBe(0x0040);
    expect(fpu.tagWord).toBe(0x5555);
    expect(x(0xdb, 0xe3)).toBe(FPU_OK);
    expect(fpu.cw).toBe(0x037f);
    expect(fpu.status).toBe(0);
    expect(fpu.tagWord).toBe(0xffff);
  });

  it('FNSTCW, FNSTSW m16 and FNSTSW AX report the words', () => {
    const { fpu, x, mem, ctx, ld } = setup();
    ld(1); ld(2);
    expect(x(0xd9, M(7), 0x40)).toBe(FPU_OK);
    expect(mem.u16(0x40)).toBe(0x037f);
    expect(x(0xdd, M(7), 0x42)).toBe(FPU_OK);
    expect(mem.u16(0x42)).toBe(6 << 11);
    expect(x(0xdf, 0xe0)).toBe(FPU_WRITE_AX);
    expect(ctx.ax).toBe(6 << 11);
    expect(fpu.tagWord).toBe(0x0fff);
  });

  it('FLDCW keeps reserved bit 6 set and drops bits 13-15', () => {
    const { fpu, setCw } = setup();
    setCw(0xe000);
    expect(fpu.cw).toBe(0x0040);
  });
});

describe('stack', () => {
  it('push decrements TOP, pop increments it, tags follow', () => {
    const { fpu, x } = setup();
    x(0xd9, 0xe8); // FLD1
    expect(fpu.status >> 11 & 7).toBe(7);
    x(0xd9, 0xee); // FLDZ
    expect(fpu.status >> 11 & 7).toBe(6);
    expect(fpu.st(0)).toBe(0);
    expect(fpu.st(1)).toBe(1);
    expect(fpu.tagWord).toBe(0x1fff); // R6 zero (01), R7 valid (00)
    x(0xdd, R(3, 0)); // FSTP ST(0)
    expect(fpu.status >> 11 & 7).toBe(7);
    expect(fpu.tagWord).toBe(0x3fff);
    x(0xd9, 0xf6); // FDECSTP
    expect(fpu.status >> 11 & 7).toBe(6);
    x(0xd9, 0xf7); // FINCSTP
    x(0xd9, 0xf7);
    expect(fpu.status >> 11 & 7).toBe(0);
  });

  it('stack overflow: IE, SF, C1 = 1, masked response loads the indefinite', () => {
    const { fpu, x, st80 } = setup();
    for (let i = 0; i < 8; i++) x(0xd9, 0xe8);
    expect(fpu.status & (SW_IE | SW_SF)).toBe(0);
    x(0xd9, 0xeb); // FLDPI: overflow
    expect(fpu.status & (SW_IE | SW_SF | SW_C1)).toBe(SW_IE | SW_SF | SW_C1);
    expect(fpu.status >> 11 & 7).toBe(7);
    expect(st80()).toEqual([0xffff, 0xc0000000, 0]);
  });

  it('stack underflow: IE, SF, C1 = 0, the destination gets the indefinite', () => {
    const { fpu, x, st80 } = setup();
    x(0xd9, 0xe8);
    x(0xd8, R(0, 1)); // FADD ST(0), ST(1): ST(1) empty
    expect(fpu.status & (SW_IE | SW_SF | SW_C1)).toBe(SW_IE | SW_SF);
    expect(st80()).toEqual([0xffff, 0xc0000000, 0]);
  });

  it('FXCH, FFREE, FFREEP, FLD ST(i), FST ST(i)', () => {
    const { fpu, x, ld } = setup();
    ld(1); ld(2); ld(3);
    x(0xd9, R(1, 2)); // FXCH ST(2)
    expect([fpu.st(0), fpu.st(1), fpu.st(2)]).toEqual([1, 2, 3]);
    x(0xd9, R(0, 2)); // FLD ST(2)
    expect(fpu.st(0)).toBe(3);
    x(0xdd, R(2, 1)); // FST ST(1)
    expect(fpu.st(1)).toBe(3);
    x(0xdd, R(0, 1)); // FFREE ST(1)
    expect(Number.isNaN(fpu.st(1))).toBe(true);
    x(0xdf, R(0, 0)); // FFREEP ST(0)
    expect(fpu.status >> 11 & 7).toBe(5);
    expect(fpu.tagWord & 0x0f00).toBe(0x0f00);
  });
});

describe('FXAM and FTST', () => {
  const classes: [string, (s: ReturnType<typeof setup>) => void, number][] = [
    ['+zero', (s) => s.ld(0), SW_C3],
    ['-normal', (s) => s.ld(-2), SW_C2 | SW_C1],
    ['+inf', (s) => s.ld(Infinity), SW_C2 | SW_C0],
    ['QNaN', (s) => s.ld80(0x7fff, 0xc0000000, 1), SW_C0],
    ['denormal', (s) => s.ld80(0x0000, 0x00000001, 0), SW_C3 | SW_C2],
    ['unsupported (unnormal)', (s) => s.ld80(0x4000, 0x40000000, 0), 0],
  ];
  for (const [name, load, want] of classes) {
    it(`classifies ${name}`, () => {
      const s = setup();
      load(s);
      s.x(0xd9, 0xe5);
      expect(s.cc()).toBe(want);
    });
  }

  it('classifies an empty register as 101', () => {
    const s = setup();
    s.x(0xd9, 0xe5);
    expect(s.cc() & ~SW_C1).toBe(SW_C3 | SW_C0);
  });

  it('FTST compares with 0.0', () => {
    const s = setup();
    s.ld(-5); s.x(0xd9, 0xe4);
    expect(s.cc()).toBe(SW_C0);
    s.ld(0); s.x(0xd9, 0xe4);
    expect(s.cc()).toBe(SW_C3);
  });
});

describe('comparisons', () => {
  it('FCOM sets C3/C2/C0 for >, <, = and unordered (with IE for a QNaN)', () => {
    const s = setup();
    s.ld(1); s.ld(2); // ST0 = 2, ST1 = 1
    s.x(0xd8, R(2, 1));
    expect(s.cc()).toBe(0);
    s.x(0xd9, R(1, 1));
    s.x(0xd8, R(2, 1));
    expect(s.cc()).toBe(SW_C0);
    s.ld(1); s.x(0xd8, R(2, 1));
    expect(s.cc()).toBe(SW_C3);
    expect(s.fpu.status & SW_IE).toBe(0);
    s.ld80(0x7fff, 0xc0000000, 0);
    s.x(0xdd, R(4, 1)); // FUCOM: QNaN is quiet
    expect(s.cc()).toBe(SW_C3 | SW_C2 | SW_C0);
    expect(s.fpu.status & SW_IE).toBe(0);
    s.x(0xd8, R(2, 1)); // FCOM: QNaN raises IE
    expect(s.cc()).toBe(SW_C3 | SW_C2 | SW_C0);
    expect(s.fpu.status & SW_IE).toBe(SW_IE);
  });

  it('FCOM m32, FICOM m16, FCOMPP pops twice', () => {
    const s = setup();
    s.ld(3);
    s.mem.f32(A + 16, 3.5);
    s.x(0xd8, M(2), A + 16);
    expect(s.cc()).toBe(SW_C0);
    s.mem.write16(A + 20, 3);
    s.x(0xde, M(3), A + 20); // FICOMP m16
    expect(s.cc()).toBe(SW_C3);
    expect(s.fpu.tagWord).toBe(0xffff);
    s.ld(1); s.ld(2);
    s.x(0xde, 0xd9);
    expect(s.cc()).toBe(0);
    expect(s.fpu.tagWord).toBe(0xffff);
  });

  it('FCOMI/FUCOMIP return ZF/PF/CF', () => {
    const s = setup();
    s.ld(1); s.ld(2);
    expect(s.x(0xdb, R(6, 1))).toBe(FPU_WRITE_FLAGS);
    expect(s.ctx.flags).toBe(0);
    s.x(0xd9, R(1, 1));
    s.x(0xdb, R(6, 1));
    expect(s.ctx.flags).toBe(0x01);
    s.x(0xd9, R(0, 0));
    s.x(0xdb, R(6, 1));
    expect(s.ctx.flags).toBe(0x40);
    s.ld80(0xffff, 0xc0000000, 0);
    expect(s.x(0xdf, R(5, 1))).toBe(FPU_WRITE_FLAGS); // FUCOMIP
    expect(s.ctx.flags).toBe(0x45);
    expect(s.fpu.status & SW_IE).toBe(0);
    expect(s.fpu.st(0)).toBe(1);
  });

  it('FCMOVcc moves on the EFLAGS condition', () => {
    const s = setup();
    s.ld(7); s.ld(1);
    s.ctx.eflags = 0x01; // CF
    s.x(0xdb, R(0, 1)); // FCMOVNB: not taken
    expect(s.fpu.st(0)).toBe(1);
    s.x(0xda, R(0, 1)); // FCMOVB: taken
    expect(s.fpu.st(0)).toBe(7);
  });
});

describe('integer stores', () => {
  const vals = [2.5, -2.5, 1.5, -1.7];
  const want: Record<number, number[]> = {
    0: [2, -2, 2, -2], // nearest even
    1: [2, -3, 1, -2], // down
    2: [3, -2, 2, -1], // up
    3: [2, -2, 1, -1], // chop
  };
  for (let rc = 0; rc < 4; rc++) {
    it(`FISTP m32 rounds per RC = ${rc}, PE and C1`, () => {
      const s = setup();
      s.setRc(rc);
      vals.forEach((v, k) => {
        s.ld(v);
        s.x(0xdb, M(3), A + 32);
        expect(s.mem.u32(A + 32) | 0).toBe(want[rc][k]);
        expect(s.fpu.status & SW_PE).toBe(SW_PE);
        expect((s.fpu.status & SW_C1) !== 0).toBe(Math.abs(want[rc][k]) > Math.abs(v));
      });
    });
  }

  it('out of range or NaN stores the integer indefinite with IE', () => {
    const s = setup();
    s.ld(40000); s.x(0xdf, M(3), A + 32);
    expect(s.mem.u16(A + 32)).toBe(0x8000);
    expect(s.fpu.status & SW_IE).toBe(SW_IE);
    s.ld(2147483648); s.x(0xdb, M(3), A + 32);
    expect(s.mem.u32(A + 32)).toBe(0x80000000);
    s.ld(-32768); s.x(0xdf, M(3), A + 40);
    expect(s.mem.u16(A + 40)).toBe(0x8000);
    s.ld(2 ** 63); s.x(0xdf, M(7), A + 32);
    expect([s.mem.u32(A + 32), s.mem.u32(A + 36)]).toEqual([0, 0x80000000]);
    s.ld(-(2 ** 63)); s.x(0xdf, M(7), A + 48);
    expect([s.mem.u32(A + 48), s.mem.u32(A + 52)]).toEqual([0, 0x80000000]);
    s.ld(NaN); s.x(0xdb, M(3), A + 32);
    expect(s.mem.u32(A + 32)).toBe(0x80000000);
  });

  it('FILD m64 / FISTP m64 moves 64-bit integers exactly', () => {
    const s = setup();
    for (const [lo, hi] of [[1, 0x40000000], [0xffffffff, 0x7fffffff], [0x12345679, 0x80000000], [0xfffffffe, 0xffffffff]]) {
      s.mem.write32(A, lo); s.mem.write32(A + 4, hi);
      s.x(0xdf, M(5), A);
      s.x(0xdf, M(7), A + 16);
      expect([s.mem.u32(A + 16), s.mem.u32(A + 20)]).toEqual([lo, hi]);
      expect(s.fpu.status & SW_PE).toBe(0);
    }
  });

  it('FILD m16/m32 and FIST m16 without pop', () => {
    const s = setup();
    s.mem.write16(A, 0xfffe);
    s.x(0xdf, M(0), A);
    expect(s.fpu.st(0)).toBe(-2);
    s.mem.write32(A, 0x80000000);
    s.x(0xdb, M(0), A);
    expect(s.fpu.st(0)).toBe(-2147483648);
    s.x(0xd9, R(1, 1));
    s.x(0xdf, M(2), A + 8);
    expect(s.mem.u16(A + 8)).toBe(0xfffe);
    expect(s.fpu.st(0)).toBe(-2);
  });
});

describe('BCD', () => {
  it('FBLD then FBSTP round-trips 18 digits and the sign', () => {
    const s = setup();
    const bcd = [0x21, 0x43, 0x65, 0x87, 0x19, 0x32, 0x54, 0x76, 0x98, 0x80];
    s.mem.set(A, bcd);
    s.x(0xdf, M(4), A);
    expect(s.fpu.st(0)).toBe(-Number(987654321987654321n));
    s.x(0xdf, M(6), A + 16);
    expect(s.mem.hex(A + 16, 10)).toBe(s.mem.hex(A, 10));
    expect(s.fpu.tagWord).toBe(0xffff);
  });

  it('FBSTP rounds per RC and gives the BCD indefinite when too large', () => {
    const s = setup();
    s.ld(123.5); s.x(0xdf, M(6), A);
    expect(s.mem.hex(A, 10)).toBe('24 01 00 00 00 00 00 00 00 00');
    s.ld(1e18); s.x(0xdf, M(6), A);
    expect(s.mem.hex(A, 10)).toBe('00 00 00 00 00 00 00 c0 ff ff');
    expect(s.fpu.status & SW_IE).toBe(SW_IE);
  });
});

describe('80-bit load/store', () => {
  const patterns: [string, number, number, number][] = [
    ['pi (64-bit significand)', 0x4000, 0xc90fdaa2, 0x2168c235],
    ['+0', 0x0000, 0, 0],
    ['-0', 0x8000, 0, 0],
    ['-inf', 0xffff, 0x80000000, 0],
    ['QNaN with payload', 0x7fff, 0xc0001234, 0x89abcdef],
    ['SNaN', 0xffff, 0x80000001, 0x00000002],
    ['denormal', 0x0000, 0x00000123, 0x456789ab],
    ['pseudo-denormal', 0x0000, 0x80000000, 0x00000001],
    ['unnormal', 0x3fff, 0x40000000, 0],
    ['huge (beyond double range)', 0x7ffe, 0xffffffff, 0xffffffff],
    ['tiny (below double range)', 0x0001, 0x80000000, 0x00000001],
  ];
  for (const [name, se, hi, lo] of patterns) {
    it(`FLD m80 / FSTP m80 keeps ${name} bit for bit`, () => {
      const s = setup();
      s.ld80(se, hi, lo);
      expect(s.fpu.status & 0x3f).toBe(0);
      s.x(0xd9, R(0, 0)); // FLD ST(0)
      s.x(0xd9, R(1, 1)); // FXCH ST(1)
      expect(s.st80()).toEqual([se, hi, lo]);
      expect(s.st80()).toEqual([se, hi, lo]);
    });
  }

  it('computes with the double approximation and stores a double back exactly', () => {
    const s = setup();
    s.ld(0.1);
    expect(s.st80()).toEqual([0x3ffb, 0xcccccccc, 0xccccd000]);
    s.ld80(0x3fff, 0x80000000, 0);
    s.ld80(0x4000, 0xc0000000, 0);
    s.x(0xde, R(0, 1)); // FADDP
    expect(s.st80()).toEqual([0x4001, 0x80000000, 0]); // 1 + 3 = 4
  });

  it('computes beyond the double range: huge * huge / huge, huge / inf, tiny * tiny', () => {
    const s = setup();
    s.ld80(0x7ff0, 0x80000000, 0); // 2^16369
    s.x(0xd9, R(0, 0));
    s.x(0xde, R(1, 1)); // 2^32738: overflows even the 80-bit range -> masked: inf, OE
    expect(s.st80()).toEqual([0x7fff, 0x80000000, 0]);
    expect(s.fpu.status & SW_OE).toBe(SW_OE);
    s.x(0xdb, 0xe2);
    s.ld80(0x4400, 0xc0000000, 0); // 1.5 * 2^1025
    s.ld80(0x4400, 0x80000000, 0); // 2^1025
    s.x(0xde, R(6, 1)); // FDIVRP: ST1 = ST0 / ST1 = 2^1025 / (1.5 * 2^1025)
    expect(s.st80()).toEqual([0x3ffe, 0xaaaaaaaa, 0xaaaaaaab]);
    s.ld(Infinity); s.ld80(0x7000, 0x80000000, 0);
    s.x(0xde, R(7, 1)); // FDIVP: ST1 = ST1 / ST0 = inf / huge
    expect(s.st80()).toEqual([0x7fff, 0x80000000, 0]);
    s.ld(-Infinity); s.ld80(0x7000, 0x80000000, 0);
    s.x(0xde, R(6, 1)); // FDIVRP: huge / -inf = -0
    expect(s.st80()).toEqual([0x8000, 0, 0]);
    s.ld80(0x0100, 0x80000000, 0); s.x(0xd9, R(0, 0));
    s.x(0xde, R(1, 1)); // 2^-16127 squared: below the denormal range -> +0 with UE, PE
    expect(s.st80()).toEqual([0, 0, 0]);
    expect(s.fpu.status & (SW_UE | SW_PE)).toBe(SW_UE | SW_PE);
  });

  it('FST m64 of an extended value rounds it per RC', () => {
    const s = setup();
    // 1 + 2^-60: above 1 by less than half an ulp of a double.
    s.ld80(0x3fff, 0x80000000, 0x00000008);
    s.x(0xdd, M(2), A + 16);
    expect(s.mem.f64(A + 16)).toBe(1);
    expect(s.fpu.status & SW_PE).toBe(SW_PE);
    s.setRc(2);
    s.x(0xdd, M(2), A + 16);
    expect(s.mem.f64(A + 16)).toBe(1 + 2 ** -52);
    expect(s.fpu.status & SW_C1).toBe(SW_C1);
  });
});

describe('arithmetic', () => {
  it('masked divide by zero gives a signed infinity and ZE', () => {
    const s = setup();
    s.ld(-3); s.ld(0);
    s.x(0xd8, R(7, 1)); // FDIVR ST(0), ST(1): ST0 = ST1 / ST0
    expect(s.fpu.st(0)).toBe(-Infinity);
    expect(s.fpu.status & (SW_ZE | SW_ES)).toBe(SW_ZE);
  });

  it('unmasked divide by zero leaves the destination, sets ES/B, and the next waiting op reports #MF', () => {
    const s = setup();
    s.setCw(0x037f & ~SW_ZE);
    s.ld(1); s.ld(0);
    s.ctx.cs = 0x08; s.ctx.eip = 0x1234;
    s.x(0xde, R(7, 1)); // FDIVP ST(1), ST(0): 1/0
    expect(s.fpu.status & (SW_ZE | SW_ES | SW_B)).toBe(SW_ZE | SW_ES | SW_B);
    expect(s.fpu.ferr).toBe(true);
    expect(s.fpu.waitCheck()).toBe(true);
    expect(s.fpu.st(0)).toBe(0);
    expect(s.fpu.st(1)).toBe(1);
    expect(s.fpu.fip).toBe(0x1234);
    expect(s.fpu.fop).toBe(0x6f9);
    s.ctx.eip = 0x2000;
    expect(s.x(0xd9, 0xe8)).toBe(FPU_MF); // FLD1 waits
    expect(s.fpu.status >> 11 & 7).toBe(6);
    expect(s.fpu.fip).toBe(0x1234);
    expect(s.x(0xdf, 0xe0)).toBe(FPU_WRITE_AX); // FNSTSW AX does not wait
    s.ctx.ignne = true;
    expect(s.x(0xd9, 0xe8)).toBe(FPU_OK);
    s.ctx.ignne = false;
    expect(s.x(0xdb, 0xe2)).toBe(FPU_OK); // FNCLEX
    expect(s.fpu.status & 0x80ff).toBe(0);
    expect(s.fpu.waitCheck()).toBe(false);
  });

  it('FLDCW unmasking a raised flag makes the exception pending', () => {
    const s = setup();
    s.ld(1); s.ld(0); s.x(0xde, R(7, 1));
    expect(s.fpu.ferr).toBe(false);
    s.setCw(0x037b);
    expect(s.fpu.ferr).toBe(true);
  });

  it('all four operations, the P forms and reversed forms', () => {
    const s = setup();
    s.ld(8); s.ld(2); // ST0 2, ST1 8
    s.x(0xd8, R(4, 1)); expect(s.fpu.st(0)).toBe(-6); // FSUB ST0 = ST0 - ST1
    s.x(0xd8, R(5, 1)); expect(s.fpu.st(0)).toBe(14); // FSUBR ST0 = ST1 - ST0
    s.x(0xdc, R(5, 1)); expect(s.fpu.st(1)).toBe(-6); // FSUB ST1 = ST1 - ST0
    s.x(0xdc, R(4, 1)); expect(s.fpu.st(1)).toBe(20); // FSUBR ST1 = ST0 - ST1
    s.x(0xdc, R(1, 1)); expect(s.fpu.st(1)).toBe(280);
    s.x(0xdc, R(7, 1)); expect(s.fpu.st(1)).toBe(20); // FDIV ST1 = ST1 / ST0
    s.x(0xde, R(6, 1)); expect(s.fpu.st(0)).toBe(0.7); // FDIVRP ST1 = ST0 / ST1, pop
    s.mem.write32(A + 8, 7);
    s.x(0xda, M(1), A + 8); expect(s.fpu.st(0)).toBeCloseTo(4.9, 14); // FIMUL m32
    s.mem.f32(A + 8, 0.5);
    s.x(0xd8, M(0), A + 8); expect(s.fpu.st(0)).toBeCloseTo(5.4, 14);
  });

  it('honours the rounding mode and reports C1 for a result rounded up', () => {
    const s = setup();
    const third = (rc: number): number => {
      s.setRc(rc);
      s.ld(3); s.x(0xd9, 0xe8); s.x(0xde, R(6, 1)); // FDIVRP: 1 / 3
      return s.st64();
    };
    expect(third(0)).toBe(1 / 3);
    expect(third(1)).toBe(1 / 3);
    expect(s.fpu.status & SW_C1).toBe(0); // fst does not round again: C1 from the store = 0
    const up = third(2);
    expect(up).toBeGreaterThan(1 / 3);
    expect(up - 1 / 3).toBe(2 ** -54);
    expect(third(3)).toBe(1 / 3);
    s.setRc(2);
    s.ld(1); s.ld(2 ** -70); s.x(0xde, R(0, 1)); // rounded up to 1 + 2^-63 (64-bit significand)
    expect(s.fpu.status & (SW_PE | SW_C1)).toBe(SW_PE | SW_C1);
    expect(s.fpu.st80(0)).toEqual([0x3fff, 0x80000000, 1]);
    expect(s.st64()).toBe(1 + 2 ** -52);
    s.setRc(1);
    s.ld(1); s.ld(-1); s.x(0xde, R(0, 1)); // 1 + -1 = -0 when rounding down
    expect(Object.is(s.st64(), -0)).toBe(true);
  });

  it('precision control single rounds to 24 bits', () => {
    const s = setup();
    s.setCw(0x007f);
    s.ld(3); s.x(0xd9, 0xe8); s.x(0xde, R(6, 1));
    expect(s.st64()).toBe(Math.fround(1 / 3));
  });

  it('masked overflow gives infinity or the largest value per RC', () => {
    const s = setup();
    s.ld(1e300); s.ld(1e300); s.x(0xde, R(1, 1));
    expect(s.st64()).toBe(Infinity);
    expect(s.fpu.status & (SW_OE | SW_PE)).toBe(SW_OE | SW_PE);
    s.setRc(3);
    s.ld(1e300); s.ld(-1e300); s.x(0xde, R(1, 1));
    expect(s.st64()).toBe(-Number.MAX_VALUE);
  });

  it('invalid operations give the indefinite: inf - inf, 0 * inf, 0/0', () => {
    const s = setup();
    s.ld(Infinity); s.ld(Infinity); s.x(0xde, R(5, 1));
    expect(s.st80()).toEqual([0xffff, 0xc0000000, 0]);
    s.ld(0); s.ld(Infinity); s.x(0xde, R(1, 1));
    expect(s.st80()).toEqual([0xffff, 0xc0000000, 0]);
    s.ld(0); s.ld(0); s.x(0xde, R(7, 1));
    expect(s.st80()).toEqual([0xffff, 0xc0000000, 0]);
    expect(s.fpu.status & (SW_IE | SW_ZE)).toBe(SW_IE);
  });

  it('NaN operands propagate as QNaN; an SNaN raises IE and is quieted', () => {
    const s = setup();
    s.ld(1);
    s.ld80(0x7fff, 0x80000000, 5); // SNaN
    s.x(0xde, R(0, 1));
    expect(s.st80()).toEqual([0x7fff, 0xc0000000, 5]);
    expect(s.fpu.status & SW_IE).toBe(SW_IE);
  });

  it('float32 denormal memory operands raise DE; FLD m32 SNaN raises IE', () => {
    const s = setup();
    s.ld(1);
    s.mem.write32(A + 8, 1);
    s.x(0xd8, M(0), A + 8);
    expect(s.fpu.status & SW_DE).toBe(SW_DE);
    s.x(0xdb, 0xe2);
    s.mem.write32(A + 8, 0x7f800001);
    s.x(0xd9, M(0), A + 8);
    expect(s.fpu.status & SW_IE).toBe(SW_IE);
    expect(s.st80()).toEqual([0x7fff, 0xc0000100, 0]);
  });

  it('FSQRT: exact, inexact, and IE with the indefinite for a negative operand', () => {
    const s = setup();
    s.ld(16); s.x(0xd9, 0xfa);
    expect(s.fpu.st(0)).toBe(4);
    expect(s.fpu.status & SW_PE).toBe(0);
    s.ld(2); s.x(0xd9, 0xfa);
    expect(s.fpu.st(0)).toBe(Math.SQRT2);
    expect(s.fpu.status & SW_PE).toBe(SW_PE);
    s.ld(-0); s.x(0xd9, 0xfa);
    expect(Object.is(s.fpu.st(0), -0)).toBe(true);
    s.ld(-Infinity); s.x(0xd9, 0xfa);
    expect(s.st80()).toEqual([0xffff, 0xc0000000, 0]);
    s.ld(-4); s.x(0xd9, 0xfa);
    expect(s.fpu.status & SW_IE).toBe(SW_IE);
    expect(s.st80()).toEqual([0xffff, 0xc0000000, 0]);
  });

  it('FABS, FCHS, FRNDINT, FSCALE, FXTRACT', () => {
    const s = setup();
    s.ld(-2.5);
    s.x(0xd9, 0xe1); expect(s.fpu.st(0)).toBe(2.5);
    s.x(0xd9, 0xe0); expect(s.fpu.st(0)).toBe(-2.5);
    s.x(0xd9, 0xfc); expect(s.fpu.st(0)).toBe(-2);
    s.ld(3); s.x(0xd9, R(1, 1)); // ST0 = -2, ST1 = 3
    s.x(0xd9, 0xfd); expect(s.fpu.st(0)).toBe(-16);
    s.x(0xd9, 0xf4); // FXTRACT
    expect([s.fpu.st(0), s.fpu.st(1)]).toEqual([-1, 4]);
  });

  it('FPREM: remainder and quotient bits C0 = Q2, C3 = Q1, C1 = Q0', () => {
    const s = setup();
    s.ld(3); s.ld(17); s.x(0xd9, 0xf8); // 17 = 5*3 + 2
    expect(s.fpu.st(0)).toBe(2);
    expect(s.cc()).toBe(SW_C0 | SW_C1);
    s.x(0xdd, R(3, 0));
    s.ld(-17); s.x(0xd9, 0xf5); // FPREM1: -17 = -6*3 + 1
    expect(s.fpu.st(0)).toBe(1);
    expect(s.cc()).toBe(SW_C0 | SW_C3);
    s.x(0xdd, R(3, 0));
    s.ld(1e300); s.x(0xd9, 0xf8); // huge quotient: partial
    expect(s.cc() & SW_C2).toBe(SW_C2);
    let n = 0;
    while ((s.cc() & SW_C2) !== 0 && n++ < 100) s.x(0xd9, 0xf8);
    expect(s.fpu.st(0)).toBe(1e300 % 3);
  });

  it('trigonometry: results, FPTAN pushes 1, C2 for out-of-range operands', () => {
    const s = setup();
    s.ld(0.5); s.x(0xd9, 0xfe);
    expect(s.fpu.st(0)).toBe(Math.sin(0.5));
    s.x(0xd9, 0xf2);
    expect(s.fpu.st(0)).toBe(1);
    expect(s.fpu.st(1)).toBe(Math.tan(Math.sin(0.5)));
    s.ld(2 ** 64); s.x(0xd9, 0xff);
    expect(s.cc() & SW_C2).toBe(SW_C2);
    expect(s.fpu.st(0)).toBe(2 ** 64);
    s.ld(1); s.x(0xd9, 0xfb); // FSINCOS
    expect([s.fpu.st(0), s.fpu.st(1)]).toEqual([Math.cos(1), Math.sin(1)]);
  });

  it('logarithms and FPATAN', () => {
    const s = setup();
    s.ld(3); s.ld(8); s.x(0xd9, 0xf1); // 3 * log2(8)
    expect(s.fpu.st(0)).toBe(9);
    s.ld(1); s.ld80(0x0ff0, 0x80000000, 0); s.x(0xd9, 0xf1); // log2(2^-12303) beyond the double range
    expect(s.fpu.st(0)).toBe(-12303);
    s.x(0xdd, R(3, 0));
    s.ld(1); s.x(0xd9, 0xf3); // atan2(9, 1)
    expect(s.fpu.st(0)).toBe(Math.atan2(9, 1));
    s.ld(2); s.ld(0); s.x(0xd9, 0xf1);
    expect(s.fpu.st(0)).toBe(-Infinity);
    expect(s.fpu.status & SW_ZE).toBe(SW_ZE);
    s.ld(1); s.ld(0.5); s.x(0xd9, 0xf0); // F2XM1
    expect(s.fpu.st(0)).toBeCloseTo(Math.SQRT2 - 1, 15);
    s.x(0xdb, 0xe2);
    s.ld(-1); s.x(0xd9, 0xf0);
    expect(s.fpu.st(0)).toBe(-0.5);
    expect(s.fpu.status & SW_PE).toBe(0);
  });

  it('constants are the 64-bit patterns of P6 hardware, rounded per RC', () => {
    const s = setup();
    const want: [number, number, number][] = [
      [0x3fff, 0x80000000, 0], [0x4000, 0xd49a784b, 0xcd1b8afe], [0x3fff, 0xb8aa3b29, 0x5c17f0bc],
      [0x4000, 0xc90fdaa2, 0x2168c235], [0x3ffd, 0x9a209a84, 0xfbcff799], [0x3ffe, 0xb17217f7, 0xd1cf79ac], [0, 0, 0],
    ];
    for (let i = 0; i < 7; i++) { s.x(0xd9, 0xe8 + i); expect(s.st80()).toEqual(want[i]); }
    s.setRc(3);
    s.x(0xd9, 0xeb); expect(s.st80()).toEqual([0x4000, 0xc90fdaa2, 0x2168c234]);
    s.setRc(2);
    s.x(0xd9, 0xe9); expect(s.st80()).toEqual([0x4000, 0xd49a784b, 0xcd1b8aff]);
  });

  it('constants round per RC', () => {
    const s = setup();
    s.x(0xd9, 0xeb); expect(s.st64()).toBe(Math.PI);
    s.setRc(2);
    s.x(0xd9, 0xeb); expect(s.st64()).toBeGreaterThan(Math.PI);
    s.setRc(1);
    s.x(0xd9, 0xec); expect(s.st64()).toBeLessThan(Math.log10(2));
    s.x(0xd9, 0xed); expect(s.st64()).toBe(Math.LN2);
  });

  it('FST m32 rounds and reports overflow', () => {
    const s = setup();
    s.ld(1 + 2 ** -30); s.x(0xd9, M(2), A + 16);
    expect(s.mem.f32(A + 16)).toBe(1);
    s.setRc(2);
    s.x(0xd9, M(2), A + 16);
    expect(s.mem.f32(A + 16)).toBe(1 + 2 ** -23);
    s.ld(1e300); s.x(0xd9, M(3), A + 16);
    expect(s.mem.f32(A + 16)).toBe(Infinity);
    expect(s.fpu.status & (SW_OE | SW_PE)).toBe(SW_OE | SW_PE);
    s.ld(1e-300); s.x(0xd9, M(3), A + 16);
    expect(s.mem.u32(A + 16)).toBe(1); // RC up: smallest denormal
    expect(s.fpu.status & SW_UE).toBe(SW_UE);
  });
});

describe('environment', () => {
  function dirty() {
    const s = setup();
    s.setCw(0x0b7f);
    s.ld(1.5); s.ld(0); s.ld(Infinity);
    s.ctx.cs = 0x0008; s.ctx.eip = 0x00401000; s.ctx.ds = 0x0010;
    s.mem.f64(0x300, 2);
    s.x(0xdc, M(1), 0x300); // FMUL m64: FDP = 0x300
    return s;
  }

  it('FNSAVE 32-bit protected mode: byte offsets, registers in stack order, then FNINIT', () => {
    const s = dirty();
    const tw = s.fpu.tagWord;
    expect(tw).toBe(0x1bff); // R5 special, R6 zero, R7 valid, rest empty
    s.x(0xdd, M(6), 0x400);
    const m = s.mem;
    expect(m.u32(0x400)).toBe(0xffff0b7f);
    expect(m.u32(0x404)).toBe((0xffff0000 | (5 << 11)) >>> 0);
    expect(m.u32(0x408)).toBe((0xffff0000 | tw) >>> 0);
    expect(m.u32(0x40c)).toBe(0x00401000);
    expect(m.u32(0x410)).toBe(0x0008 | (0x408 << 16));
    expect(m.u32(0x414)).toBe(0x300);
    expect(m.u32(0x418)).toBe(0xffff0010);
    expect(m.hex(0x41c, 10)).toBe('00 00 00 00 00 00 00 80 ff 7f'); // ST0 = +inf
    expect(m.hex(0x426, 10)).toBe('00 00 00 00 00 00 00 00 00 00'); // ST1 = 0
    expect(m.hex(0x430, 10)).toBe('00 00 00 00 00 00 00 c0 ff 3f'); // ST2 = 1.5
    expect(s.fpu.cw).toBe(0x037f);
    expect(s.fpu.tagWord).toBe(0xffff);
    s.x(0xdd, M(4), 0x400); // FRSTOR
    expect(s.fpu.cw).toBe(0x0b7f);
    expect(s.fpu.tagWord).toBe(tw);
    expect([s.fpu.st(0), s.fpu.st(1), s.fpu.st(2)]).toEqual([Infinity, 0, 1.5]);
    expect(s.fpu.fip).toBe(0x00401000);
    expect(s.fpu.fdp).toBe(0x300);
    expect(s.fpu.fop).toBe(0x408);
  });

  it('FNSTENV masks all exceptions afterwards; FLDENV restores', () => {
    const s = dirty();
    s.setCw(0x0b40);
    s.x(0xd9, M(6), 0x500);
    expect(s.fpu.cw).toBe(0x0b7f);
    expect(s.mem.u32(0x500)).toBe(0xffff0b40);
    s.x(0xd9, M(4), 0x500);
    expect(s.fpu.cw).toBe(0x0b40);
    expect(s.fpu.st(2)).toBe(1.5);
  });

  it('16-bit real-mode layout stores 20-bit linear pointers', () => {
    const s = dirty();
    s.ctx.realMode = true; s.ctx.opSize32 = false;
    s.ctx.cs = 0x1234; s.ctx.eip = 0x0010; s.ctx.ds = 0x2000;
    s.x(0xd9, 0xe8); // FLD1: FIP = 0x12350
    s.mem.f32(0x40, 1);
    s.x(0xd8, M(0), 0x40); // FADD m32: FDP = 0x20040
    s.x(0xd9, M(6), 0x600);
    expect(s.mem.u16(0x606)).toBe(0x2350);
    expect(s.mem.u16(0x608)).toBe((1 << 12) | 0x000);
    expect(s.mem.u16(0x60a)).toBe(0x0040);
    expect(s.mem.u16(0x60c)).toBe(2 << 12);
    s.x(0xdd, M(6), 0x700); // FSAVE 94 bytes: ST0 at 14
    expect(s.mem.hex(0x700 + 14, 10)).toBe('00 00 00 00 00 00 00 80 00 40'); // 2.0
    s.x(0xdd, M(4), 0x700);
    expect(s.fpu.fip).toBe(0x12350);
    expect(s.fpu.st(0)).toBe(2);
  });

  it('FXSAVE: offsets, abridged tag, 80-bit registers; FXRSTOR restores', () => {
    const s = dirty();
    s.mem.write32(0x800 + 24, 0x1f80);
    s.ctx.ea = 0x800;
    s.fpu.fxsave(s.ctx);
    const m = s.mem;
    expect(m.u16(0x800)).toBe(0x0b7f);
    expect(m.u16(0x802)).toBe(5 << 11);
    expect(m.bytes[0x804]).toBe(0xe0);
    expect(m.u16(0x806)).toBe(0x408);
    expect(m.u32(0x808)).toBe(0x00401000);
    expect(m.u16(0x80c)).toBe(0x0008);
    expect(m.u32(0x810)).toBe(0x300);
    expect(m.u16(0x814)).toBe(0x0010);
    expect(m.u32(0x818)).toBe(0x1f80); // MXCSR untouched
    expect(m.hex(0x820, 16)).toBe('00 00 00 00 00 00 00 80 ff 7f 00 00 00 00 00 00');
    expect(m.hex(0x840, 10)).toBe('00 00 00 00 00 00 00 c0 ff 3f');
    s.x(0xdb, 0xe3);
    s.ctx.ea = 0x800;
    s.fpu.fxrstor(s.ctx);
    expect(s.fpu.tagWord).toBe(0x1bff);
    expect(s.fpu.cw).toBe(0x0b7f);
    expect(s.fpu.st(2)).toBe(1.5);
  });

  it('checkpoint state round-trips', () => {
    const s = dirty();
    const st = JSON.parse(JSON.stringify(s.fpu.getState()));
    const f = new Fpu();
    f.setState(st);
    expect(f.getState()).toEqual(st);
    expect(f.st(0)).toBe(Infinity);
  });
});

describe('integration contract', () => {
  it('reports #UD for invalid encodings and throws FpuUnimplemented for non-escapes', () => {
    const s = setup();
    expect(s.x(0xd9, M(1), A)).toBe(FPU_UD);
    expect(s.x(0xdb, M(1), A)).toBe(FPU_UD); // FISTTP is SSE3
    expect(s.x(0xdd, M(5), A)).toBe(FPU_UD);
    expect(s.x(0xd9, 0xd1)).toBe(FPU_UD);
    expect(s.x(0xd9, 0xef)).toBe(FPU_UD);
    expect(s.x(0xda, 0xe8)).toBe(FPU_UD);
    expect(s.x(0xde, 0xd8)).toBe(FPU_UD);
    expect(s.x(0xdf, 0xe1)).toBe(FPU_UD);
    expect(() => s.x(0xd7, 0)).toThrow(FpuUnimplemented);
  });

  it('records FCS:FIP, FOP, FDS:FDP for non-control instructions only', () => {
    const s = setup();
    s.ctx.cs = 0x1b; s.ctx.eip = 0x100; s.ctx.ds = 0x23;
    s.ld(1); // DD /0 at A
    expect([s.fpu.fcs, s.fpu.fip, s.fpu.fop, s.fpu.fds, s.fpu.fdp]).toEqual([0x1b, 0x100, 0x500, 0x23, A]);
    s.ctx.eip = 0x200;
    s.x(0xd9, M(7), 0x50); // FNSTCW: control
    expect(s.fpu.fip).toBe(0x100);
    s.x(0xd9, 0xe0); // FCHS
    expect([s.fpu.fip, s.fpu.fop, s.fpu.fdp]).toEqual([0x200, 0x1e0, A]);
  });

  it('a faulting store or load leaves the unit unchanged', () => {
    const s = setup();
    s.ld(1); s.ld(2);
    const before = JSON.stringify(s.fpu.getState());
    s.mem.faultAt = 0x1000;
    expect(() => s.x(0xdd, M(3), 0xffc)).toThrow(/#PF/); // FSTP m64 crosses the fault line
    expect(() => s.x(0xdb, M(5), 0xff8)).toThrow(/#PF/); // FLD m80
    expect(() => s.x(0xdf, M(7), 0xffc)).toThrow(/#PF/); // FISTP m64
    expect(() => s.x(0xdd, M(4), 0xfa0)).toThrow(/#PF/); // FRSTOR
    expect(() => s.x(0xdd, M(6), 0xfa0)).toThrow(/#PF/); // FNSAVE
    expect(JSON.stringify(s.fpu.getState())).toBe(before);
  });

  it('isNonWaiting names the FN* forms', () => {
    expect(Fpu.isNonWaiting(0xdb, 0xe3)).toBe(true);
    expect(Fpu.isNonWaiting(0xdd, M(7))).toBe(true);
    expect(Fpu.isNonWaiting(0xd9, M(6))).toBe(true);
    expect(Fpu.isNonWaiting(0xd9, M(5))).toBe(false);
    expect(Fpu.isNonWaiting(0xdf, 0xe0)).toBe(true);
    expect(Fpu.isNonWaiting(0xd9, 0xe8)).toBe(false);
  });

  it('a fresh context has sane defaults', () => {
    const c = new FpuContext();
    expect([c.opSize32, c.realMode, c.ignne, c.mem]).toEqual([true, false, false, null]);
  });
});
