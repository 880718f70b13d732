/**
 * The x87 floating-point unit of a Pentium Pro class CPU (Intel SDM Vol. 1 ch. 8, Vol. 2
 * instruction pages; AMD APM Vol. 5).
 *
 * ## Precision: where this unit differs from 80-bit hardware
 *
 * Each data register holds an 80-bit bit pattern and, as a cache, the nearest double with the
 * sign of the difference. Everything below is bit-exact with the double-extended format:
 *
 * - loads and stores of every format (m32/m64/m80 reals, m16/m32/m64 integers, packed BCD),
 *   register moves, FSAVE/FRSTOR, FSTENV/FLDENV, FXSAVE/FXRSTOR (NaN payloads, denormals,
 *   pseudo-denormals and unnormals included); stores round the exact 80-bit value per RC with
 *   the destination's range (overflow, underflow, denormal results);
 * - FADD/FSUB/FMUL/FDIV (all forms, FIxxx included), FSQRT, FSCALE and FRNDINT: computed on
 *   64-bit significands (`ext80.ts`) and rounded once to PC (24/53/64 bits) under RC, with
 *   the 15-bit exponent range, denormal results, PE/UE/OE/C1, and the 24576 exponent bias of
 *   unmasked overflow/underflow;
 * - comparisons, FXAM, FXTRACT, FCHS/FABS, FPREM/FPREM1 (exact remainders, quotient bits),
 *   and the FLDxx constants (P6's 64-bit patterns, rounded per RC).
 *
 * Where it differs: the transcendentals (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X,
 * FYL2XP1) compute on the double nearest each operand with the JavaScript Math library, so
 * results carry at most 53 significant bits, may differ from hardware in the last bits, use
 * exact argument reduction (hardware reduces with a 66-bit pi), report PE for every
 * non-trivial result, and overflow/underflow at the double's range.
 */
import { Ext80 } from './ext80.js';
import { ilogb, isNeg, ldexp, mulErr, pow2, sgn } from './float.js';

// ------------------------------------------------------------------------------------------------
// Integration surface
// ------------------------------------------------------------------------------------------------

/** Memory access for an instruction's operand, by linear address. May throw (page fault). */
export interface FpuMemory {
  read8(linear: number): number;
  read16(linear: number): number;
  read32(linear: number): number;
  write8(linear: number, value: number): void;
  write16(linear: number, value: number): void;
  write32(linear: number, value: number): void;
}

/**
 * What the CPU tells the unit about one instruction, and what the unit hands back. The CPU keeps
 * one instance per core and refills it for each x87 instruction (no allocation).
 */
export class FpuContext {
  /** Accessor for memory forms (mod != 3); ignored for register forms. */
  mem: FpuMemory | null = null;
  /** Linear address of the memory operand (segment base + effective address). */
  ea = 0;
  /** Effective address (offset) of the memory operand: becomes FDP. */
  offset = 0;
  /** Selector of the memory operand's segment: becomes FDS. */
  ds = 0;
  /** CS selector and offset of the instruction's first byte (prefixes included): FCS:FIP. */
  cs = 0;
  eip = 0;
  /** Operand size 32 (else 16): FSTENV/FLDENV/FSAVE/FRSTOR layout. */
  opSize32 = true;
  /** Real or virtual-8086 mode: real-mode environment layout (FIP/FDP as linear addresses). */
  realMode = false;
  /** In: EFLAGS, read by FCMOVcc. */
  eflags = 0;
  /**
   * In: the IGNNE# pin. When true, waiting instructions do not stop for a pending unmasked
   * exception (the CR0.NE = 0 / IRQ13 path after the handler wrote port 0xF0).
   */
  ignne = false;
  /** Out: the new AX when exec returns FPU_WRITE_AX (FNSTSW AX). */
  ax = 0;
  /** Out: ZF/PF/CF (bits 6/2/0) when exec returns FPU_WRITE_FLAGS (FCOMI family). */
  flags = 0;
}

/** exec result: done, nothing for the CPU to do. */
export const FPU_OK = 0;
/** exec result: write `ctx.ax` to AX. */
export const FPU_WRITE_AX = 1;
/** exec result: set ZF, PF, CF of EFLAGS from `ctx.flags` and clear OF, SF, AF. */
export const FPU_WRITE_FLAGS = 2;
/** exec result: the encoding is invalid: raise #UD. The unit did nothing. */
export const FPU_UD = 4;
/**
 * exec result: a waiting instruction found an unmasked exception pending (FSW.ES). The unit did
 * nothing. CR0.NE = 1: raise #MF (fault, no error code) at this instruction. CR0.NE = 0: assert
 * IRQ13 (FERR#) and retry with `ctx.ignne` once IGNNE# is asserted (write to port 0xF0).
 */
export const FPU_MF = 8;

/** Thrown for an encoding the unit does not implement (fail stop). */
export class FpuUnimplemented extends Error {
  readonly what: string;
  constructor(what: string) {
    super(`x87: unimplemented ${what}`);
    this.name = 'FpuUnimplemented';
    this.what = what;
  }
}

/** A plain, JSON-friendly copy of the unit's state (checkpoints). */
export interface FpuState {
  cw: number; sw: number; tw: number;
  fip: number; fcs: number; fop: number; fdp: number; fds: number;
  /** ST(0)..ST(7) physical registers R0..R7 as 10-byte arrays (little endian). */
  regs: number[][];
}

// ------------------------------------------------------------------------------------------------
// Architectural constants
// ------------------------------------------------------------------------------------------------

export const SW_IE = 0x0001;
export const SW_DE = 0x0002;
export const SW_ZE = 0x0004;
export const SW_OE = 0x0008;
export const SW_UE = 0x0010;
export const SW_PE = 0x0020;
export const SW_SF = 0x0040;
export const SW_ES = 0x0080;
export const SW_C0 = 0x0100;
export const SW_C1 = 0x0200;
export const SW_C2 = 0x0400;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

const RC_NEAR = 0;
const RC_DOWN = 1;
const RC_UP = 2;
const RC_CHOP = 3;

const EF_CF = 0x01;
const EF_PF = 0x04;
const EF_ZF = 0x40;

/** Operand classes. */
const K_ZERO = 0;
const K_NORMAL = 1;
const K_DENORM = 2;
const K_INF = 3;
const K_QNAN = 4;
const K_SNAN = 5;
const K_UNSUP = 6;

/** Scratch slots after the eight registers. */
const TMP = 8;
const TMP2 = 9;
const NSLOTS = 10;

const OP_ADD = 0;
const OP_MUL = 1;
const OP_SUB = 2;
const OP_DIV = 3;

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
const TWO53 = 9007199254740992;

/**
 * FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ as 80-bit patterns: sign/exponent and the
 * significand truncated to 64 bits, plus whether round-to-nearest rounds it up (the bits
 * beyond are nonzero for the five irrational constants, so RC up adds one ulp and RC down or
 * chop keep the truncation, as on P6 hardware).
 */
const CONST_SE = new Uint16Array([0x3fff, 0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe, 0x0000]);
const CONST_HI = new Uint32Array([0x80000000, 0xd49a784b, 0xb8aa3b29, 0xc90fdaa2, 0x9a209a84, 0xb17217f7, 0]);
const CONST_LO = new Uint32Array([0x00000000, 0xcd1b8afe, 0x5c17f0bb, 0x2168c234, 0xfbcff798, 0xd1cf79ab, 0]);
/** 0: exact; 1: irrational, nearest rounds down; 2: irrational, nearest rounds up. */
const CONST_RN = new Uint8Array([0, 1, 2, 2, 2, 2, 0]);

// ------------------------------------------------------------------------------------------------

/** The x87 unit. All state lives in fields and typed arrays allocated by the constructor. */
export class Fpu {
  /** Control word. */
  cw = 0x037f;
  /** Status word without TOP (bits 11-13 are kept in `top`). */
  sw = 0;
  /** Stack top, 0..7. */
  top = 0;
  /** Last non-control instruction: FCS:FIP, FOP (11 bits), FDS:FDP. */
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;

  /** Physical registers R0..R7 then scratch slots: value as a double. */
  private readonly v = new Float64Array(NSLOTS);
  /** 1 when the 80-bit pattern (rse/rhi/rlo) is authoritative. */
  private readonly rawOk = new Uint8Array(NSLOTS);
  /** sign(exact 80-bit value - v) when rawOk. */
  private readonly rawEs = new Int8Array(NSLOTS);
  private readonly rse = new Uint16Array(NSLOTS);
  private readonly rhi = new Uint32Array(NSLOTS);
  private readonly rlo = new Uint32Array(NSLOTS);
  /** Scratch only: the memory operand was denormal in its own format. */
  private readonly den = new Uint8Array(NSLOTS);
  /** 1 = the physical register is empty (tag 11). */
  private readonly empty = new Uint8Array(8);

  /** Exceptions raised by the current instruction (committed at its end). */
  private xf = 0;
  /** Rounding outcome of the last rnd()/rint(). */
  private rInexact = false;
  private rUp = false;
  private rTiny = false;
  private rOver = false;
  /** Integer conversion outputs. */
  private outLo = 0;
  private outHi = 0;
  /** Byte buffer for FRSTOR/FLDENV/FXRSTOR reads (all reads before any state change). */
  private readonly buf = new Uint8Array(512);
  private readonly dv = new DataView(new ArrayBuffer(16));
  /** 80-bit arithmetic unit. */
  private readonly ext = new Ext80();

  constructor() {
    this.reset();
  }

  // ==============================================================================================
  // Public surface
  // ==============================================================================================

  /** Power-on / RESET state (SDM Vol. 3 Table 9-1): FCW 0040h, FSW 0, FTW 5555h (all +0.0). */
  reset(): void {
    this.init();
    this.cw = 0x0040;
    for (let i = 0; i < 8; i++) { this.setV(i, 0); this.empty[i] = 0; }
  }

  /** FNINIT: FCW 037Fh, FSW 0, all tags empty, pointers and opcode cleared. */
  init(): void {
    this.cw = 0x037f;
    this.sw = 0;
    this.top = 0;
    this.empty.fill(1);
    this.fip = 0; this.fcs = 0; this.fop = 0; this.fdp = 0; this.fds = 0;
  }

  /** The status word as FNSTSW stores it. */
  get status(): number {
    return ((this.sw & ~0x3800) | (this.top << 11)) & 0xffff;
  }

  /** The full tag word (two bits per physical register) as FSTENV stores it. */
  get tagWord(): number {
    let tw = 0;
    for (let i = 0; i < 8; i++) tw |= this.tagOf(i) << (2 * i);
    return tw;
  }

  /** FERR#: an unmasked exception is pending (FSW.ES). Drives IRQ13 when CR0.NE = 0. */
  get ferr(): boolean {
    return (this.sw & SW_ES) !== 0;
  }

  /**
   * WAIT/FWAIT (and the CPU's own check before any waiting instruction it handles itself):
   * true when an unmasked exception is pending and must be delivered (#MF or IRQ13) first.
   */
  waitCheck(): boolean {
    return (this.sw & SW_ES) !== 0;
  }

  /** True for the non-waiting forms (FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE, FNENI...). */
  static isNonWaiting(opcode: number, modrm: number): boolean {
    const reg = (modrm >> 3) & 7;
    if (modrm < 0xc0) {
      return (opcode === 0xd9 && reg >= 6) || (opcode === 0xdd && reg >= 6);
    }
    return (opcode === 0xdb && (modrm >= 0xe0 && modrm <= 0xe4)) || (opcode === 0xdf && modrm === 0xe0);
  }

  /**
   * Bytes a memory form accesses at ctx.ea (for the CPU's segment-limit checks); 0 for register
   * forms and for encodings that are #UD. Operand bytes are addressed as ctx.ea + k (no 64 KiB
   * offset wrap-around inside the segment).
   */
  static memOperandBytes(opcode: number, modrm: number, opSize32: boolean): number {
    if (modrm >= 0xc0) return 0;
    const reg = (modrm >> 3) & 7;
    switch (opcode) {
      case 0xd8: return 4;
      case 0xdc: return 8;
      case 0xda: return 4;
      case 0xde: return 2;
      case 0xd9: return MEM_D9[reg] === -1 ? (opSize32 ? 28 : 14) : MEM_D9[reg];
      case 0xdb: return MEM_DB[reg];
      case 0xdd: return MEM_DD[reg] === -1 ? (opSize32 ? 108 : 94) : MEM_DD[reg];
      case 0xdf: return MEM_DF[reg];
      default: return 0;
    }
  }

  /**
   * Execute one x87 instruction: `opcode` is D8..DF, `modrm` its ModRM byte. For memory forms
   * `ctx.mem`/`ctx.ea`/`ctx.offset`/`ctx.ds` describe the operand. Returns FPU_* bits. Throws
   * whatever the memory accessor throws (the unit is then unchanged) and FpuUnimplemented.
   */
  exec(opcode: number, modrm: number, ctx: FpuContext): number {
    const reg = (modrm >> 3) & 7;
    if (!ctx.ignne && (this.sw & SW_ES) !== 0 && !Fpu.isNonWaiting(opcode, modrm)) return FPU_MF;
    this.xf = 0;
    let r: number;
    if (modrm < 0xc0) {
      // A faulting access (page fault) leaves the unit as it was: stores write before they pop,
      // loads read before they push, and xf is only committed below.
      const sw0 = this.sw;
      try {
        r = this.execMem(opcode, reg, ctx);
      } catch (e) {
        this.sw = sw0;
        throw e;
      }
      if (r < 0) {
        // Non-control instruction: record its pointers.
        this.fcs = ctx.cs & 0xffff; this.fip = ctx.eip >>> 0; this.fop = ((opcode & 7) << 8) | modrm;
        this.fds = ctx.ds & 0xffff; this.fdp = ctx.offset >>> 0;
        r = -r - 1;
      }
    } else {
      r = this.execReg(opcode, reg, modrm & 7, ctx);
      if (r < 0) {
        this.fcs = ctx.cs & 0xffff; this.fip = ctx.eip >>> 0; this.fop = ((opcode & 7) << 8) | modrm;
        r = -r - 1;
      }
    }
    this.commit();
    return r;
  }

  /** FXSAVE (0F AE /0): the x87 part of the 512-byte area at ctx.ea (16-byte alignment is the
   * CPU's check). MXCSR (bytes 24-31) and the XMM area (160-511) are left untouched. */
  fxsave(ctx: FpuContext): void {
    const m = this.memOf(ctx);
    const a = ctx.ea;
    let ftw = 0;
    for (let i = 0; i < 8; i++) if (!this.empty[i]) ftw |= 1 << i;
    m.write16(a, this.cw);
    m.write16(a + 2, this.status);
    m.write16(a + 4, ftw);
    m.write16(a + 6, this.fop);
    m.write32(a + 8, this.fip);
    m.write32(a + 12, this.fcs);
    m.write32(a + 16, this.fdp);
    m.write32(a + 20, this.fds);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      this.toRaw(p);
      const o = a + 32 + 16 * i;
      m.write32(o, this.rlo[p]);
      m.write32(o + 4, this.rhi[p]);
      m.write16(o + 8, this.rse[p]);
      m.write16(o + 10, 0);
      m.write32(o + 12, 0);
    }
  }

  /** FXRSTOR (0F AE /1): the x87 part; MXCSR and XMM are not read. */
  fxrstor(ctx: FpuContext): void {
    const m = this.memOf(ctx);
    const a = ctx.ea;
    const b = this.buf;
    for (let i = 0; i < 160; i += 4) {
      const d = m.read32(a + i);
      b[i] = d; b[i + 1] = d >>> 8; b[i + 2] = d >>> 16; b[i + 3] = d >>> 24;
    }
    this.setCw(rd16(b, 0));
    const sw = rd16(b, 2);
    this.top = (sw >> 11) & 7;
    this.sw = sw & ~0x3800;
    this.fop = rd16(b, 6) & 0x7ff;
    this.fip = rd32(b, 8);
    this.fcs = rd16(b, 12);
    this.fdp = rd32(b, 16);
    this.fds = rd16(b, 20);
    const ftw = b[4];
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const o = 32 + 16 * i;
      this.setRaw(p, rd16(b, o + 8), rd32(b, o + 4), rd32(b, o));
    }
    for (let i = 0; i < 8; i++) this.empty[i] = (ftw >> i) & 1 ? 0 : 1;
    this.updateEs();
  }

  /** Checkpoint. */
  getState(): FpuState {
    const regs: number[][] = [];
    for (let i = 0; i < 8; i++) {
      this.toRaw(i);
      const r: number[] = [];
      for (let k = 0; k < 4; k++) r.push((this.rlo[i] >>> (8 * k)) & 0xff);
      for (let k = 0; k < 4; k++) r.push((this.rhi[i] >>> (8 * k)) & 0xff);
      r.push(this.rse[i] & 0xff, this.rse[i] >>> 8);
      regs.push(r);
    }
    return {
      cw: this.cw, sw: this.status, tw: this.tagWord,
      fip: this.fip, fcs: this.fcs, fop: this.fop, fdp: this.fdp, fds: this.fds, regs,
    };
  }

  /** Restore a checkpoint taken with getState. */
  setState(s: FpuState): void {
    this.cw = s.cw & 0xffff;
    this.top = (s.sw >> 11) & 7;
    this.sw = s.sw & ~0x3800 & 0xffff;
    this.fip = s.fip >>> 0; this.fcs = s.fcs & 0xffff; this.fop = s.fop & 0x7ff;
    this.fdp = s.fdp >>> 0; this.fds = s.fds & 0xffff;
    for (let i = 0; i < 8; i++) {
      const r = s.regs[i];
      this.setRaw(i, r[8] | (r[9] << 8), (r[4] | (r[5] << 8) | (r[6] << 16) | (r[7] << 24)) >>> 0,
        (r[0] | (r[1] << 8) | (r[2] << 16) | (r[3] << 24)) >>> 0);
      this.empty[i] = ((s.tw >> (2 * i)) & 3) === 3 ? 1 : 0;
    }
  }

  /** ST(i) as a double (tests, debugger). NaN when empty. */
  st(i: number): number {
    const p = this.phys(i);
    return this.empty[p] ? NaN : this.v[p];
  }

  /** ST(i) as its 80-bit pattern [sign/exponent, significand high, significand low]. */
  st80(i: number): [number, number, number] {
    const p = this.phys(i);
    this.toRaw(p);
    return [this.rse[p], this.rhi[p], this.rlo[p]];
  }

  // ==============================================================================================
  // Internals: registers
  // ==============================================================================================

  private phys(i: number): number {
    return (this.top + i) & 7;
  }

  private setV(s: number, x: number): void {
    this.v[s] = x;
    this.rawOk[s] = 0;
    this.den[s] = 0;
  }

  /** Fill slot s from an 80-bit pattern (authoritative) and derive its double. */
  private setRaw(s: number, se: number, hi: number, lo: number): void {
    se &= 0xffff; hi >>>= 0; lo >>>= 0;
    this.rse[s] = se; this.rhi[s] = hi; this.rlo[s] = lo;
    this.rawOk[s] = 1;
    this.den[s] = 0;
    const neg = (se & 0x8000) !== 0;
    const e = se & 0x7fff;
    let x: number;
    let es = 0;
    if (e === 0x7fff) {
      x = hi === 0x80000000 && lo === 0 ? Infinity : NaN;
    } else if (e !== 0 && (hi & 0x80000000) === 0) {
      x = NaN; // unnormal: unsupported
    } else {
      const big = hi * TWO32;
      const m = big + lo;
      es = sgn((big - m) + lo);
      const ex = (e === 0 ? 1 : e) - 16383 - 63;
      x = m === 0 ? 0 : ex >= -1074 && ex <= 1023 ? m * pow2(ex) : ldexp(m, ex);
      if (x === Infinity) es = -1;
      else if (m !== 0 && x < 2.2250738585072014e-308) {
        // Below the double's normal range: round once at the fixed quantum 2^-1074 (rare).
        const sh = -1074 - ex;
        const M = (BigInt(hi) << 32n) | BigInt(lo);
        let q = 0n;
        let cmp = -1;
        let rem = 1n;
        if (sh <= 66) {
          const S = BigInt(sh);
          q = M >> S;
          rem = M & ((1n << S) - 1n);
          const half = 1n << (S - 1n);
          cmp = rem > half ? 1 : rem < half ? -1 : 0;
        }
        es = rem === 0n ? 0 : 1;
        if (rem !== 0n && (cmp > 0 || (cmp === 0 && (q & 1n) === 1n))) { q += 1n; es = -1; }
        x = Number(q) * pow2(-1074);
      }
    }
    this.v[s] = neg ? -x : x;
    this.rawEs[s] = neg ? -es : es;
  }

  /** Make the 80-bit pattern of slot s current (from its double when needed). */
  private toRaw(s: number): void {
    if (this.rawOk[s]) return;
    const x = this.v[s];
    const dv = this.dv;
    dv.setFloat64(0, x);
    const h = dv.getUint32(0);
    const l = dv.getUint32(4);
    const sign = h & 0x80000000 ? 0x8000 : 0;
    const e = (h >>> 20) & 0x7ff;
    let se: number, hi: number, lo: number;
    if (e === 0x7ff) {
      // Only infinities reach here: NaNs always carry their 80-bit pattern.
      se = sign | 0x7fff; hi = 0x80000000 | ((h & 0xfffff) << 11) | (l >>> 21); lo = (l << 11) >>> 0;
      if ((h & 0xfffff) !== 0 || l !== 0) hi |= 0x40000000;
    } else if (e === 0) {
      if ((h & 0xfffff) === 0 && l === 0) {
        se = sign; hi = 0; lo = 0;
      } else {
        // Double denormal: normal in 80 bits.
        dv.setFloat64(0, x * 18446744073709551616);
        const h2 = dv.getUint32(0);
        const l2 = dv.getUint32(4);
        const e2 = (h2 >>> 20) & 0x7ff;
        se = sign | (e2 - 1023 - 64 + 16383);
        hi = 0x80000000 | ((h2 & 0xfffff) << 11) | (l2 >>> 21); lo = (l2 << 11) >>> 0;
      }
    } else {
      se = sign | (e - 1023 + 16383);
      hi = 0x80000000 | ((h & 0xfffff) << 11) | (l >>> 21); lo = (l << 11) >>> 0;
    }
    this.rse[s] = se; this.rhi[s] = hi >>> 0; this.rlo[s] = lo;
    this.rawOk[s] = 1;
    this.rawEs[s] = 0;
  }

  private copySlot(d: number, s: number): void {
    this.v[d] = this.v[s];
    this.rawOk[d] = this.rawOk[s];
    this.rawEs[d] = this.rawEs[s];
    this.rse[d] = this.rse[s]; this.rhi[d] = this.rhi[s]; this.rlo[d] = this.rlo[s];
    this.den[d] = 0;
  }

  /** The QNaN floating-point indefinite. */
  private setIndef(s: number): void {
    this.setRaw(s, 0xffff, 0xc0000000, 0);
  }

  private cls(s: number): number {
    if (this.den[s]) return K_DENORM;
    if (!this.rawOk[s]) {
      const x = this.v[s];
      return x === 0 ? K_ZERO : x - x === 0 ? K_NORMAL : K_INF;
    }
    const e = this.rse[s] & 0x7fff;
    const hi = this.rhi[s];
    const lo = this.rlo[s];
    if (e === 0x7fff) {
      if ((hi & 0x80000000) === 0) return K_UNSUP;
      if ((hi & 0x7fffffff) === 0 && lo === 0) return K_INF;
      return hi & 0x40000000 ? K_QNAN : K_SNAN;
    }
    if (e === 0) return (hi | lo) === 0 ? K_ZERO : K_DENORM;
    return hi & 0x80000000 ? K_NORMAL : K_UNSUP;
  }

  private signOf(s: number): boolean {
    return this.rawOk[s] ? (this.rse[s] & 0x8000) !== 0 : isNeg(this.v[s]);
  }

  private tagOf(p: number): number {
    if (this.empty[p]) return 3;
    const k = this.cls(p);
    return k === K_ZERO ? 1 : k === K_NORMAL ? 0 : 2;
  }

  private setCw(v: number): void {
    this.cw = (v & 0x1f3f) | 0x40;
  }

  /** ES and B follow the unmasked exception flags (after FLDCW, FLDENV, FRSTOR). */
  private updateEs(): void {
    if ((this.sw & ~this.cw & 0x3f) !== 0) this.sw |= SW_ES | SW_B;
    else this.sw &= ~(SW_ES | SW_B);
  }

  private commit(): void {
    const xf = this.xf;
    if (xf === 0) return;
    this.sw |= xf;
    if ((xf & ~this.cw & 0x3f) !== 0) this.sw |= SW_ES | SW_B;
  }

  private masked(flag: number): boolean {
    return (this.cw & flag) !== 0;
  }

  private setC1(on: boolean): void {
    if (on) this.sw |= SW_C1; else this.sw &= ~SW_C1;
  }

  /** Stack underflow: IE|SF, C1 = 0. Returns true when masked (the caller writes indefinite). */
  private underflow(): boolean {
    this.xf |= SW_IE | SW_SF;
    this.sw &= ~SW_C1;
    return this.masked(SW_IE);
  }

  /** Push slot s. On overflow: IE|SF, C1 = 1, masked -> push indefinite, unmasked -> nothing. */
  private push(s: number): void {
    const t = (this.top - 1) & 7;
    if (!this.empty[t]) {
      this.xf |= SW_IE | SW_SF;
      this.sw |= SW_C1;
      if (!this.masked(SW_IE)) return;
      this.top = t;
      this.setIndef(t);
      return;
    }
    this.sw &= ~SW_C1;
    this.top = t;
    this.copySlot(t, s);
    this.empty[t] = 0;
  }

  private pop(): void {
    this.empty[this.top] = 1;
    this.top = (this.top + 1) & 7;
  }

  // ==============================================================================================
  // Rounding
  // ==============================================================================================

  /**
   * Round the nonnegative q (exact value q + tiny*e2) to an integer; `rc` in magnitude terms
   * (RC_UP = away from zero, RC_DOWN/RC_CHOP = toward zero). Sets rInexact and rUp (|r| > exact).
   */
  private rintMag(q: number, e2: number, rc: number): number {
    let fl = Math.floor(q);
    const frac = q - fl;
    if (frac === 0 && e2 === 0) { this.rInexact = false; this.rUp = false; return q; }
    this.rInexact = true;
    let cmp: number;
    if (frac === 0) {
      if (e2 < 0) { fl -= 1; cmp = 1; } else cmp = -1;
    } else cmp = frac > 0.5 ? 1 : frac < 0.5 ? -1 : e2;
    let up: boolean;
    if (rc === RC_NEAR) up = cmp > 0 || (cmp === 0 && fl % 2 === 1);
    else up = rc === RC_UP;
    this.rUp = up;
    return up ? fl + 1 : fl;
  }

  /** Rounding mode in magnitude terms for a value of the given sign. */
  private magRc(neg: boolean): number {
    const rc = (this.cw >> 10) & 3;
    if (rc === RC_CHOP) return RC_DOWN;
    if (neg) return rc === RC_DOWN ? RC_UP : rc === RC_UP ? RC_DOWN : rc;
    return rc;
  }

  /** Round x (exact = x + tiny*es) to an integer under RC; keeps the sign of zero. */
  private rint(x: number, es: number): number {
    const neg = isNeg(x);
    const r = this.rintMag(Math.abs(x), neg ? -es : es, this.magRc(neg));
    return neg ? -r : r;
  }

  /**
   * Round x (exact = x + tiny*es) to `bits` significant bits with exponent range [emin, emax]
   * under RC. Sets rInexact, rUp, rTiny, rOver. x = ±Inf means the exact result overflowed.
   */
  private rnd(x: number, es: number, bits: number, emin: number, emax: number): number {
    const neg = isNeg(x);
    const ax = Math.abs(x);
    const e2 = neg ? -es : es;
    const rc = this.magRc(neg);
    this.rTiny = false;
    this.rOver = false;
    let res: number;
    if (ax === Infinity) {
      res = this.overflowed(rc, bits, emax);
    } else {
      let e = ax === 0 ? emin - 1 : ilogb(ax);
      if (e < emin || (ax === pow2(emin) && e2 < 0)) this.rTiny = true;
      if (e < emin) e = emin;
      const sh = bits - 1 - e;
      const r = this.rintMag(ldexp(ax, sh), e2, rc);
      res = ldexp(r, -sh);
      if (res === Infinity || res >= pow2(emax) * 2) res = this.overflowed(rc, bits, emax);
      else if (!this.rInexact) this.rTiny = this.rTiny && ax !== 0;
    }
    return neg ? -res : res;
  }

  private overflowed(rc: number, bits: number, emax: number): number {
    this.rOver = true;
    this.rInexact = true;
    if (rc === RC_NEAR || rc === RC_UP) { this.rUp = true; return Infinity; }
    this.rUp = false;
    return ldexp(pow2(bits) - 1, emax - bits + 1);
  }

  /** Deliver a computed finite-or-overflowed result to register slot d with PC/RC, flags, C1. */
  private deliver(d: number, x: number, es: number): void {
    const pc = (this.cw >> 8) & 3;
    let res = x;
    if (pc === 0 || es !== 0 || x - x !== 0 || (x !== 0 && Math.abs(x) < 2.2250738585072014e-308)) {
      res = this.rnd(x, es, pc === 0 ? 24 : 53, -1022, 1023);
      let f = 0;
      if (this.rOver) {
        f = SW_OE;
        if (this.masked(SW_OE)) f |= SW_PE;
      } else if (this.rTiny && (this.rInexact || !this.masked(SW_UE))) {
        f = SW_UE | (this.rInexact ? SW_PE : 0);
      } else if (this.rInexact) f = SW_PE;
      this.xf |= f;
      this.setC1(this.rInexact && this.rUp);
    } else this.sw &= ~SW_C1;
    this.setV(d, res);
  }

  // ==============================================================================================
  // Operands
  // ==============================================================================================

  /** IE for an invalid operation: masked -> indefinite into d (returns true), else false. */
  private invalid(d: number): boolean {
    this.xf |= SW_IE;
    if (!this.masked(SW_IE)) return false;
    this.setIndef(d);
    return true;
  }

  /**
   * NaN/unsupported operand rules (SDM Vol. 1 Table 4-7): SNaN or unsupported -> IE; result is
   * the QNaN (of the larger significand), or indefinite for unsupported operands.
   */
  private nanResult(d: number, a: number, ka: number, b: number, kb: number): boolean {
    if (ka === K_UNSUP || kb === K_UNSUP) return this.invalid(d);
    if (ka === K_SNAN || kb === K_SNAN) {
      this.xf |= SW_IE;
      if (!this.masked(SW_IE)) return false;
    }
    let s = a;
    const an = ka === K_QNAN || ka === K_SNAN;
    const bn = kb === K_QNAN || kb === K_SNAN;
    if (!an) s = b;
    else if (bn) {
      const ha = this.rhi[a] | 0x40000000;
      const hb = this.rhi[b] | 0x40000000;
      if (hb > ha || (hb === ha && this.rlo[b] > this.rlo[a])) s = b;
    }
    this.setRaw(d, this.rse[s], this.rhi[s] | 0x40000000, this.rlo[s]);
    return true;
  }

  /** A stack-underflow response into register p: masked -> indefinite (p becomes valid). */
  private fillIndef(p: number): void {
    this.setIndef(p);
    this.empty[p] = 0;
  }

  /** DE for denormal operands; returns false when DE is unmasked (stop). */
  private denormOk(ka: number, kb: number): boolean {
    if (ka === K_DENORM || kb === K_DENORM) {
      this.xf |= SW_DE;
      return this.masked(SW_DE);
    }
    return true;
  }

  /** d = x op y. Returns false when an unmasked exception suppressed the result. */
  private binop(op: number, d: number, x: number, y: number): boolean {
    const kx = this.cls(x);
    const ky = this.cls(y);
    if (kx >= K_QNAN || ky >= K_QNAN) return this.nanResult(d, x, kx, y, ky);
    const a = this.v[x];
    let b = this.v[y];
    const sub = op === OP_SUB;
    if (sub) { b = -b; op = OP_ADD; }
    if (op === OP_ADD) {
      if (kx === K_INF && ky === K_INF && isNeg(a) !== isNeg(b)) return this.invalid(d);
    } else if (op === OP_MUL) {
      if ((kx === K_INF && ky === K_ZERO) || (kx === K_ZERO && ky === K_INF)) return this.invalid(d);
    } else if ((kx === K_ZERO && ky === K_ZERO) || (kx === K_INF && ky === K_INF)) return this.invalid(d);
    if (!this.denormOk(kx, ky)) return false;
    if (kx === K_INF || ky === K_INF) {
      // Infinite operands give exact results (the invalid combinations are gone). Signs come
      // from the classes, not the doubles: a finite 80-bit operand may be ±Inf as a double.
      const sx = this.signOf(x);
      const sy = this.signOf(y) !== sub;
      let r: number;
      if (op === OP_ADD) r = (kx === K_INF ? sx : sy) ? -Infinity : Infinity;
      else if (op === OP_MUL || kx === K_INF) r = sx !== sy ? -Infinity : Infinity;
      else r = sx !== sy ? -0 : 0; // finite / inf
      this.exact(d, r);
      return true;
    }
    const zx = kx === K_ZERO;
    const zy = ky === K_ZERO;
    if (op === OP_DIV && zy) {
      this.xf |= SW_ZE;
      if (!this.masked(SW_ZE)) return false;
      this.exact(d, this.signOf(x) !== this.signOf(y) ? -Infinity : Infinity);
      return true;
    }
    if (op !== OP_ADD && (zx || zy)) {
      this.exact(d, this.signOf(x) !== this.signOf(y) ? -0 : 0);
      return true;
    }
    this.toRaw(x);
    this.toRaw(y);
    const e = this.ext;
    this.extSetup();
    const rs = this.rse; const rh = this.rhi; const rl = this.rlo;
    if (op === OP_ADD) e.add(rs[x], rh[x], rl[x], rs[y], rh[y], rl[y], sub);
    else if (op === OP_MUL) e.mul(rs[x], rh[x], rl[x], rs[y], rh[y], rl[y]);
    else e.div(rs[x], rh[x], rl[x], rs[y], rh[y], rl[y]);
    this.extResult(d);
    return true;
  }

  private extSetup(): void {
    const e = this.ext;
    const pc = (this.cw >> 8) & 3;
    e.prec = pc === 0 ? 24 : pc === 2 ? 53 : 64;
    e.rc = (this.cw >> 10) & 3;
    e.cw = this.cw;
  }

  private extResult(d: number): void {
    const e = this.ext;
    this.xf |= e.flags;
    this.setC1(e.up);
    this.setRaw(d, e.se, e.hi, e.lo);
  }

  /** An exact result (no rounding, C1 = 0). */
  private exact(d: number, x: number): void {
    this.sw &= ~SW_C1;
    this.setV(d, x);
  }

  /**
   * Compare slots x and y: 0 (x > y), 1 (x < y), 2 (equal), 3 (unordered); -1 when an unmasked
   * IE/DE stops the instruction. `quiet`: QNaNs do not raise IE (FUCOM).
   */
  private compare(x: number, y: number, quiet: boolean): number {
    const kx = this.cls(x);
    const ky = this.cls(y);
    if (kx >= K_QNAN || ky >= K_QNAN) {
      const signaling = kx === K_SNAN || ky === K_SNAN || kx === K_UNSUP || ky === K_UNSUP;
      if (signaling || !quiet) {
        this.xf |= SW_IE;
        if (!this.masked(SW_IE)) return -1;
      }
      return 3;
    }
    if (!this.denormOk(kx, ky)) return -1;
    const a = this.v[x];
    const b = this.v[y];
    if (a !== b) return a > b ? 0 : 1;
    if (!this.rawOk[x] && !this.rawOk[y]) return 2;
    // Equal as doubles: decide on the 80-bit patterns.
    this.toRaw(x); this.toRaw(y);
    const zx = (this.rse[x] & 0x7fff) === 0 && (this.rhi[x] | this.rlo[x]) === 0;
    const zy = (this.rse[y] & 0x7fff) === 0 && (this.rhi[y] | this.rlo[y]) === 0;
    if (zx && zy) return 2;
    const nx = (this.rse[x] & 0x8000) !== 0;
    const ny = (this.rse[y] & 0x8000) !== 0;
    if (nx !== ny) return nx ? 1 : 0;
    let c = (this.rse[x] & 0x7fff) - (this.rse[y] & 0x7fff);
    if (c === 0) c = this.rhi[x] - this.rhi[y];
    if (c === 0) c = this.rlo[x] - this.rlo[y];
    if (c === 0) return 2;
    return (c > 0) !== nx ? 0 : 1;
  }

  private setCc(res: number): void {
    this.sw &= ~SW_CC;
    if (res === 1) this.sw |= SW_C0;
    else if (res === 2) this.sw |= SW_C3;
    else if (res === 3) this.sw |= SW_C0 | SW_C2 | SW_C3;
  }

  // ==============================================================================================
  // Memory operands into TMP
  // ==============================================================================================

  private memOf(ctx: FpuContext): FpuMemory {
    const m = ctx.mem;
    if (m === null) throw new FpuUnimplemented('memory operand without an accessor');
    return m;
  }

  private loadF32(m: FpuMemory, a: number, s: number): void {
    const bits = m.read32(a) >>> 0;
    const e = (bits >>> 23) & 0xff;
    const f = bits & 0x7fffff;
    if (e === 0xff && f !== 0) {
      this.setRaw(s, (bits >>> 16) & 0x8000 | 0x7fff, (0x80000000 | (f << 8)) >>> 0, 0);
      return;
    }
    this.dv.setUint32(0, bits);
    this.setV(s, this.dv.getFloat32(0));
    if (e === 0 && f !== 0) this.den[s] = 1;
  }

  private loadF64(m: FpuMemory, a: number, s: number): void {
    const lo = m.read32(a) >>> 0;
    const hi = m.read32(a + 4) >>> 0;
    const e = (hi >>> 20) & 0x7ff;
    const fh = hi & 0xfffff;
    if (e === 0x7ff && (fh | lo) !== 0) {
      this.setRaw(s, (hi >>> 16) & 0x8000 | 0x7fff, (0x80000000 | (fh << 11) | (lo >>> 21)) >>> 0, (lo << 11) >>> 0);
      return;
    }
    this.dv.setUint32(0, hi);
    this.dv.setUint32(4, lo);
    this.setV(s, this.dv.getFloat64(0));
    if (e === 0 && (fh | lo) !== 0) this.den[s] = 1;
  }

  private loadF80(m: FpuMemory, a: number, s: number): void {
    const lo = m.read32(a);
    const hi = m.read32(a + 4);
    const se = m.read16(a + 8);
    this.setRaw(s, se, hi, lo);
  }

  /** Signed 64-bit integer (two's complement hi:lo) into slot s, exactly. */
  private setInt64(s: number, hi: number, lo: number): void {
    hi |= 0; lo >>>= 0;
    const neg = hi < 0;
    if (neg) {
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    } else hi >>>= 0;
    if ((hi | lo) === 0) { this.setV(s, 0); return; }
    let sh: number;
    if (hi !== 0) {
      sh = Math.clz32(hi);
      if (sh !== 0) { hi = ((hi << sh) | (lo >>> (32 - sh))) >>> 0; lo = (lo << sh) >>> 0; }
    } else {
      sh = 32 + Math.clz32(lo);
      hi = (lo << (sh - 32)) >>> 0; lo = 0;
    }
    this.setRaw(s, (neg ? 0x8000 : 0) | (16383 + 63 - sh), hi, lo);
  }

  private loadInt(m: FpuMemory, a: number, size: number, s: number): void {
    if (size === 2) { this.setV(s, (m.read16(a) << 16) >> 16); return; }
    if (size === 4) { this.setV(s, m.read32(a) | 0); return; }
    const lo = m.read32(a);
    const hi = m.read32(a + 4);
    this.setInt64(s, hi, lo);
  }

  private loadBcd(m: FpuMemory, a: number, s: number): void {
    const lo = m.read32(a) >>> 0;
    const mid = m.read32(a + 4) >>> 0;
    const top = m.read16(a + 8);
    let n = 0n;
    const digits = (w: number, count: number): void => {
      for (let i = count - 1; i >= 0; i--) n = n * 10n + BigInt((w >>> (4 * i)) & 0xf);
    };
    digits(top & 0xff, 2);
    digits(mid, 8);
    digits(lo, 8);
    const neg = (top & 0x8000) !== 0;
    if (n === 0n) { this.setV(s, neg ? -0 : 0); return; }
    if (neg) n = -n;
    this.setInt64(s, Number(BigInt.asIntN(32, n >> 32n)), Number(BigInt.asUintN(32, n)));
  }

  // ==============================================================================================
  // Stores
  // ==============================================================================================

  /**
   * Convert slot s to float32 (size 4) or float64 (size 8) bits in outHi:outLo, accumulating
   * exceptions in xf. Returns false when an unmasked exception forbids the store.
   */
  private toFloat(s: number, size: number): boolean {
    const k = this.cls(s);
    const neg = this.signOf(s);
    const dv = this.dv;
    if (k >= K_QNAN) {
      if (k !== K_QNAN) { this.xf |= SW_IE; if (!this.masked(SW_IE)) return false; }
      let hi = this.rhi[s];
      let lo = this.rlo[s];
      let sign = (this.rse[s] & 0x8000) !== 0;
      if (k === K_UNSUP) { hi = 0xc0000000; lo = 0; sign = true; }
      if (size === 4) { this.outLo = ((sign ? 0x80000000 : 0) | 0x7fc00000 | ((hi >>> 8) & 0x3fffff)) >>> 0; }
      else {
        this.outHi = ((sign ? 0x80000000 : 0) | 0x7ff80000 | ((hi >>> 11) & 0x7ffff)) >>> 0;
        this.outLo = ((hi << 21) | (lo >>> 11)) >>> 0;
      }
      this.sw &= ~SW_C1;
      return true;
    }
    let x = this.v[s];
    const es = this.rawOk[s] ? this.rawEs[s] : 0;
    let c1 = false;
    if (k !== K_INF && (k !== K_ZERO) && (size === 4 || es !== 0 || Math.abs(x) < 2.2250738585072014e-308 || x - x !== 0)) {
      x = size === 4 ? this.rnd(x, es, 24, -126, 127) : this.rnd(x, es, 53, -1022, 1023);
      let f = 0;
      if (this.rOver) {
        if (!this.masked(SW_OE)) { this.xf |= SW_OE; return false; }
        f = SW_OE | SW_PE;
      } else if (this.rTiny && (this.rInexact || !this.masked(SW_UE))) {
        if (!this.masked(SW_UE)) { this.xf |= SW_UE; return false; }
        f = SW_UE | SW_PE;
      } else if (this.rInexact) f = SW_PE;
      this.xf |= f;
      c1 = this.rInexact && this.rUp;
    }
    if (neg && x === 0) x = -0;
    if (size === 4) { dv.setFloat32(0, x); this.outLo = dv.getUint32(0); }
    else { dv.setFloat64(0, x); this.outHi = dv.getUint32(0); this.outLo = dv.getUint32(4); }
    this.setC1(c1);
    return true;
  }

  /**
   * Round slot s to a signed integer of `size` bytes (2, 4, 8) into outHi:outLo. Out of range,
   * NaN, infinity -> IE and the integer indefinite. Returns false when nothing may be stored.
   */
  private toInt(s: number, size: number): boolean {
    const k = this.cls(s);
    let ok = k < K_INF;
    if (ok) {
      const x = this.v[s];
      if (this.rawOk[s] && Math.abs(x) >= TWO53) {
        const b = this.bigRound(s);
        if (b === null || b < -(1n << 63n) || b >= (1n << 63n) || (size < 8 && (b < -(1n << BigInt(size * 8 - 1)) || b >= (1n << BigInt(size * 8 - 1))))) ok = false;
        else {
          this.outHi = Number(BigInt.asUintN(32, b >> 32n));
          this.outLo = Number(BigInt.asUintN(32, b));
        }
      } else {
        const r = this.rint(x, this.rawOk[s] ? this.rawEs[s] : 0);
        const lim = size === 2 ? 32768 : size === 4 ? 2147483648 : TWO63;
        if (r >= lim || r < -lim) ok = false;
        else {
          const hi = Math.floor(r / TWO32);
          this.outHi = hi >>> 0;
          this.outLo = (r - hi * TWO32) >>> 0;
        }
      }
      if (ok && this.rInexact) { this.xf |= SW_PE; this.setC1(this.rUp); } else this.sw &= ~SW_C1;
    }
    if (!ok) {
      this.xf |= SW_IE;
      if (!this.masked(SW_IE)) return false;
      this.outHi = size === 8 ? 0x80000000 : 0;
      this.outLo = size === 2 ? 0x8000 : size === 4 ? 0x80000000 : 0;
      this.sw &= ~SW_C1;
    } else if (size === 2) this.outLo &= 0xffff;
    return true;
  }

  /** Exact rounding of a raw register to a BigInt under RC (sets rInexact/rUp); null if not finite. */
  private bigRound(s: number): bigint | null {
    this.toRaw(s);
    const k = this.cls(s);
    if (k >= K_INF) return null;
    const neg = (this.rse[s] & 0x8000) !== 0;
    this.rInexact = false; this.rUp = false;
    if (k === K_ZERO) return 0n;
    const e = Math.max(this.rse[s] & 0x7fff, 1) - 16383;
    const m = (BigInt(this.rhi[s]) << 32n) | BigInt(this.rlo[s]);
    const sh = 63 - e;
    if (sh <= 0) return (neg ? -m : m) << BigInt(-sh);
    let ip: bigint;
    let cmp: number;
    let nonzero: boolean;
    if (sh > 64) { ip = 0n; cmp = -1; nonzero = true; } else {
      const bs = BigInt(sh);
      ip = m >> bs;
      const rem = m & ((1n << bs) - 1n);
      const half = 1n << (bs - 1n);
      nonzero = rem !== 0n;
      cmp = rem > half ? 1 : rem < half ? -1 : 0;
    }
    if (!nonzero) return neg ? -ip : ip;
    this.rInexact = true;
    const rc = this.magRc(neg);
    const up = rc === RC_NEAR ? cmp > 0 || (cmp === 0 && (ip & 1n) === 1n) : rc === RC_UP;
    this.rUp = up;
    if (up) ip += 1n;
    return neg ? -ip : ip;
  }

  // ==============================================================================================
  // Memory forms
  // ==============================================================================================

  /** Returns -(code)-1 for non-control instructions (pointers recorded), code otherwise. */
  private execMem(op: number, reg: number, ctx: FpuContext): number {
    const m = this.memOf(ctx);
    const a = ctx.ea;
    switch (op) {
      case 0xd8: this.loadF32(m, a, TMP); this.arithMem(reg); return -1;
      case 0xdc: this.loadF64(m, a, TMP); this.arithMem(reg); return -1;
      case 0xda: this.loadInt(m, a, 4, TMP); this.arithMem(reg); return -1;
      case 0xde: this.loadInt(m, a, 2, TMP); this.arithMem(reg); return -1;
      case 0xd9:
        switch (reg) {
          case 0: this.loadF32(m, a, TMP); this.fldConverted(); return -1;
          case 2: case 3: this.fstFloat(m, a, 4, reg === 3); return -1;
          case 4: this.fldenv(ctx); return FPU_OK;
          case 5: this.setCw(m.read16(a)); this.updateEs(); return FPU_OK;
          case 6: this.writeEnv(ctx); this.cw |= 0x3f; return FPU_OK; // FNSTENV masks all exceptions
          case 7: m.write16(a, this.cw); return FPU_OK;
          default: return FPU_UD;
        }
      case 0xdb:
        switch (reg) {
          case 0: this.loadInt(m, a, 4, TMP); this.push(TMP); return -1;
          case 2: case 3: this.fist(m, a, 4, reg === 3); return -1;
          case 5: this.loadF80(m, a, TMP); this.push(TMP); return -1;
          case 7: this.fstp80(m, a); return -1;
          default: return FPU_UD; // /1 FISTTP (SSE3), /4, /6
        }
      case 0xdd:
        switch (reg) {
          case 0: this.loadF64(m, a, TMP); this.fldConverted(); return -1;
          case 2: case 3: this.fstFloat(m, a, 8, reg === 3); return -1;
          case 4: this.frstor(ctx); return FPU_OK;
          case 6: this.fsave(ctx); return FPU_OK;
          case 7: m.write16(a, this.status); return FPU_OK;
          default: return FPU_UD; // /1 FISTTP (SSE3), /5
        }
      case 0xdf:
        switch (reg) {
          case 0: this.loadInt(m, a, 2, TMP); this.push(TMP); return -1;
          case 2: case 3: this.fist(m, a, 2, reg === 3); return -1;
          case 4: this.loadBcd(m, a, TMP); this.push(TMP); return -1;
          case 5: this.loadInt(m, a, 8, TMP); this.push(TMP); return -1;
          case 6: this.fbstp(m, a); return -1;
          case 7: this.fist(m, a, 8, true); return -1;
          default: return FPU_UD; // /1 FISTTP (SSE3)
        }
      default:
        throw new FpuUnimplemented(`opcode 0x${op.toString(16)} is not an x87 escape`);
    }
  }

  /** FLD m32/m64: SNaN -> IE (masked: quieted), denormal -> DE; then push. */
  private fldConverted(): void {
    const k = this.cls(TMP);
    if (k === K_SNAN) {
      this.xf |= SW_IE;
      if (!this.masked(SW_IE)) return;
      this.rhi[TMP] |= 0x40000000;
    } else if (k === K_DENORM) {
      this.xf |= SW_DE;
      if (!this.masked(SW_DE)) return;
    }
    this.push(TMP);
  }

  /** D8/DA/DC/DE memory forms: op ST(0) with TMP. */
  private arithMem(reg: number): void {
    const p0 = this.top;
    if (this.empty[p0]) {
      if (!this.underflow()) return;
      if (reg === 2 || reg === 3) { this.setCc(3); if (reg === 3) this.pop(); } else this.fillIndef(p0);
      return;
    }
    switch (reg) {
      case 0: this.binop(OP_ADD, p0, p0, TMP); return;
      case 1: this.binop(OP_MUL, p0, p0, TMP); return;
      case 2: case 3: {
        const r = this.compare(p0, TMP, false);
        if (r < 0) return;
        this.setCc(r);
        if (reg === 3) this.pop();
        return;
      }
      case 4: this.binop(OP_SUB, p0, p0, TMP); return;
      case 5: this.binop(OP_SUB, p0, TMP, p0); return;
      case 6: this.binop(OP_DIV, p0, p0, TMP); return;
      default: this.binop(OP_DIV, p0, TMP, p0); return;
    }
  }

  private fstFloat(m: FpuMemory, a: number, size: number, pop: boolean): void {
    const p0 = this.top;
    if (this.empty[p0]) {
      if (!this.underflow()) return;
      if (size === 4) m.write32(a, 0xffc00000);
      else { m.write32(a, 0); m.write32(a + 4, 0xfff80000); }
      if (pop) this.pop();
      return;
    }
    if (!this.toFloat(p0, size)) return;
    if (size === 4) m.write32(a, this.outLo);
    else { m.write32(a, this.outLo); m.write32(a + 4, this.outHi); }
    if (pop) this.pop();
  }

  private fist(m: FpuMemory, a: number, size: number, pop: boolean): void {
    const p0 = this.top;
    if (this.empty[p0]) {
      if (!this.underflow()) return;
      this.outHi = size === 8 ? 0x80000000 : 0;
      this.outLo = size === 2 ? 0x8000 : size === 4 ? 0x80000000 : 0;
    } else if (!this.toInt(p0, size)) return;
    if (size === 2) m.write16(a, this.outLo);
    else { m.write32(a, this.outLo); if (size === 8) m.write32(a + 4, this.outHi); }
    if (pop) this.pop();
  }

  private fstp80(m: FpuMemory, a: number): void {
    const p0 = this.top;
    let se: number, hi: number, lo: number;
    if (this.empty[p0]) {
      if (!this.underflow()) return;
      se = 0xffff; hi = 0xc0000000; lo = 0;
    } else {
      this.toRaw(p0);
      se = this.rse[p0]; hi = this.rhi[p0]; lo = this.rlo[p0];
    }
    m.write32(a, lo);
    m.write32(a + 4, hi);
    m.write16(a + 8, se);
    this.sw &= ~SW_C1;
    this.pop();
  }

  private fbstp(m: FpuMemory, a: number): void {
    const p0 = this.top;
    let indef = false;
    let n = 0n;
    let neg = false;
    if (this.empty[p0]) {
      if (!this.underflow()) return;
      indef = true;
    } else {
      const k = this.cls(p0);
      const b = k === K_UNSUP || k >= K_QNAN ? null : this.bigRound(p0);
      if (b === null || b >= 1000000000000000000n || b <= -1000000000000000000n) {
        this.xf |= SW_IE;
        if (!this.masked(SW_IE)) return;
        indef = true;
      } else {
        neg = this.signOf(p0);
        n = b < 0n ? -b : b;
        if (this.rInexact) { this.xf |= SW_PE; this.setC1(this.rUp); } else this.sw &= ~SW_C1;
      }
    }
    let lo = 0, mid = 0, top: number;
    if (indef) { mid = 0xc0000000; top = 0xffff; } else {
      for (let i = 0; i < 8; i++) { lo |= Number(n % 10n) << (4 * i); n /= 10n; }
      for (let i = 0; i < 8; i++) { mid |= Number(n % 10n) << (4 * i); n /= 10n; }
      top = Number(n % 10n) | (Number((n / 10n) % 10n) << 4) | (neg ? 0x8000 : 0);
    }
    m.write32(a, lo >>> 0);
    m.write32(a + 4, mid >>> 0);
    m.write16(a + 8, top);
    this.pop();
  }

  // ==============================================================================================
  // Environment
  // ==============================================================================================

  /** Write the environment at ctx.ea; returns its size (14 or 28). */
  private writeEnv(ctx: FpuContext): number {
    const m = this.memOf(ctx);
    const a = ctx.ea;
    const tw = this.tagWord;
    if (ctx.realMode) {
      const ip = ((this.fcs << 4) + this.fip) >>> 0;
      const dp = ((this.fds << 4) + this.fdp) >>> 0;
      if (ctx.opSize32) {
        m.write32(a, 0xffff0000 | this.cw);
        m.write32(a + 4, 0xffff0000 | this.status);
        m.write32(a + 8, 0xffff0000 | tw);
        m.write32(a + 12, 0xffff0000 | (ip & 0xffff));
        m.write32(a + 16, ((ip >>> 16) << 12) | this.fop);
        m.write32(a + 20, 0xffff0000 | (dp & 0xffff));
        m.write32(a + 24, (dp >>> 16) << 12);
        return 28;
      }
      m.write16(a, this.cw);
      m.write16(a + 2, this.status);
      m.write16(a + 4, tw);
      m.write16(a + 6, ip & 0xffff);
      m.write16(a + 8, (((ip >>> 16) & 0xf) << 12) | this.fop);
      m.write16(a + 10, dp & 0xffff);
      m.write16(a + 12, ((dp >>> 16) & 0xf) << 12);
      return 14;
    }
    if (ctx.opSize32) {
      m.write32(a, 0xffff0000 | this.cw);
      m.write32(a + 4, 0xffff0000 | this.status);
      m.write32(a + 8, 0xffff0000 | tw);
      m.write32(a + 12, this.fip);
      m.write32(a + 16, this.fcs | (this.fop << 16));
      m.write32(a + 20, this.fdp);
      m.write32(a + 24, 0xffff0000 | this.fds);
      return 28;
    }
    m.write16(a, this.cw);
    m.write16(a + 2, this.status);
    m.write16(a + 4, tw);
    m.write16(a + 6, this.fip & 0xffff);
    m.write16(a + 8, this.fcs);
    m.write16(a + 10, this.fdp & 0xffff);
    m.write16(a + 12, this.fds);
    return 14;
  }

  /** Read n bytes at ctx.ea + off into buf (all reads happen before any state change). */
  private readBuf(ctx: FpuContext, off: number, n: number): void {
    const m = this.memOf(ctx);
    const b = this.buf;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const d = m.read32(ctx.ea + off + i);
      b[off + i] = d; b[off + i + 1] = d >>> 8; b[off + i + 2] = d >>> 16; b[off + i + 3] = d >>> 24;
    }
    for (; i < n; i += 2) {
      const w = m.read16(ctx.ea + off + i);
      b[off + i] = w; b[off + i + 1] = w >>> 8;
    }
  }

  /** Apply an environment image from buf; returns the tag word it held. */
  private applyEnv(ctx: FpuContext): number {
    const b = this.buf;
    let cw: number, sw: number, tw: number;
    if (ctx.opSize32) {
      cw = rd16(b, 0); sw = rd16(b, 4); tw = rd16(b, 8);
      if (ctx.realMode) {
        this.fip = (rd16(b, 12) | ((rd32(b, 16) >>> 12) << 16)) >>> 0; this.fcs = 0;
        this.fop = rd16(b, 16) & 0x7ff;
        this.fdp = (rd16(b, 20) | ((rd32(b, 24) >>> 12) << 16)) >>> 0; this.fds = 0;
      } else {
        this.fip = rd32(b, 12); this.fcs = rd16(b, 16); this.fop = rd16(b, 18) & 0x7ff;
        this.fdp = rd32(b, 20); this.fds = rd16(b, 24);
      }
    } else {
      cw = rd16(b, 0); sw = rd16(b, 2); tw = rd16(b, 4);
      if (ctx.realMode) {
        const w = rd16(b, 8);
        this.fip = rd16(b, 6) | ((w >>> 12) << 16); this.fcs = 0; this.fop = w & 0x7ff;
        this.fdp = rd16(b, 10) | ((rd16(b, 12) >>> 12) << 16); this.fds = 0;
      } else {
        this.fip = rd16(b, 6); this.fcs = rd16(b, 8); this.fdp = rd16(b, 10); this.fds = rd16(b, 12);
      }
    }
    this.setCw(cw);
    this.top = (sw >> 11) & 7;
    this.sw = sw & ~0x3800;
    return tw;
  }

  private applyTags(tw: number): void {
    for (let i = 0; i < 8; i++) this.empty[i] = ((tw >> (2 * i)) & 3) === 3 ? 1 : 0;
    this.updateEs();
  }

  private fldenv(ctx: FpuContext): void {
    const n = ctx.opSize32 ? 28 : 14;
    this.readBuf(ctx, 0, n);
    this.applyTags(this.applyEnv(ctx));
  }

  private fsave(ctx: FpuContext): void {
    const m = this.memOf(ctx);
    const n = this.writeEnv(ctx);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      this.toRaw(p);
      const o = ctx.ea + n + 10 * i;
      m.write32(o, this.rlo[p]);
      m.write32(o + 4, this.rhi[p]);
      m.write16(o + 8, this.rse[p]);
    }
    this.init();
  }

  private frstor(ctx: FpuContext): void {
    const n = ctx.opSize32 ? 28 : 14;
    this.readBuf(ctx, 0, n + 80);
    const tw = this.applyEnv(ctx);
    const b = this.buf;
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const o = n + 10 * i;
      this.setRaw(p, rd16(b, o + 8), rd32(b, o + 4), rd32(b, o));
    }
    this.applyTags(tw);
  }

  // ==============================================================================================
  // Register forms
  // ==============================================================================================

  private execReg(op: number, reg: number, i: number, ctx: FpuContext): number {
    switch (op) {
      case 0xd8: this.arithReg(reg, 0, i, false); return -1;
      case 0xdc:
        if (reg === 2 || reg === 3) { this.fcomReg(i, false, reg === 3 ? 1 : 0); return -1; }
        this.arithReg(reg, i, i, false); return -1;
      case 0xde:
        if (reg === 2) { this.fcomReg(i, false, 1); return -1; }
        if (reg === 3) { if (i !== 1) return FPU_UD; this.fcomReg(1, false, 2); return -1; }
        this.arithReg(reg, i, i, true); return -1;
      case 0xd9: return this.execD9(reg, i);
      case 0xda:
        if (reg < 4) { this.fcmov(reg, false, i, ctx.eflags); return -1; }
        if (reg === 5 && i === 1) { this.fcomReg(1, true, 2); return -1; }
        return FPU_UD;
      case 0xdb:
        if (reg < 4) { this.fcmov(reg, true, i, ctx.eflags); return -1; }
        if (reg === 4) {
          switch (i) {
            case 0: case 1: case 4: return FPU_OK; // FNENI, FNDISI, FNSETPM: no-ops since the 387
            case 2: this.sw &= ~(0x00ff | SW_B); return FPU_OK; // FNCLEX
            case 3: this.init(); return FPU_OK; // FNINIT
            default: return FPU_UD;
          }
        }
        if (reg === 5 || reg === 6) return -this.fcomi(i, reg === 5, false, ctx) - 1;
        return FPU_UD;
      case 0xdd:
        switch (reg) {
          case 0: this.empty[this.phys(i)] = 1; return FPU_OK; // FFREE
          case 1: this.fxch(i); return -1;
          case 2: case 3: this.fstReg(i, reg === 3); return -1;
          case 4: case 5: this.fcomReg(i, true, reg === 5 ? 1 : 0); return -1;
          default: return FPU_UD;
        }
      case 0xdf:
        switch (reg) {
          case 0: this.empty[this.phys(i)] = 1; this.pop(); return FPU_OK; // FFREEP
          case 1: this.fxch(i); return -1;
          case 2: case 3: this.fstReg(i, true); return -1;
          case 4:
            if (i !== 0) return FPU_UD;
            ctx.ax = this.status; return FPU_WRITE_AX; // FNSTSW AX
          case 5: case 6: return -this.fcomi(i, reg === 5, true, ctx) - 1;
          default: return FPU_UD;
        }
      default:
        throw new FpuUnimplemented(`opcode 0x${op.toString(16)} is not an x87 escape`);
    }
  }

  private execD9(reg: number, i: number): number {
    switch (reg) {
      case 0: { // FLD ST(i)
        const p = this.phys(i);
        if (this.empty[p]) {
          if (!this.underflow()) return -1;
          this.setIndef(TMP);
        } else this.copySlot(TMP, p);
        this.push(TMP);
        return -1;
      }
      case 1: this.fxch(i); return -1;
      case 2: return i === 0 ? FPU_OK : FPU_UD; // FNOP
      case 3: this.fstReg(i, true); return -1; // FSTP1 alias
      case 4:
        switch (i) {
          case 0: case 1: this.fsign(i === 0); return -1;
          case 4: this.ftst(); return -1;
          case 5: this.fxam(); return -1;
          default: return FPU_UD;
        }
      case 5: {
        if (i === 7) return FPU_UD;
        const k = CONST_RN[i];
        const rc = (this.cw >> 10) & 3;
        const up = k !== 0 && (rc === RC_UP || (rc === RC_NEAR && k === 2));
        this.setRaw(TMP, CONST_SE[i], CONST_HI[i], CONST_LO[i] + (up ? 1 : 0));
        this.push(TMP);
        return -1;
      }
      case 6:
        switch (i) {
          case 0: this.unary(F_2XM1); return -1;
          case 1: this.fyl2x(false); return -1;
          case 2: this.ftrig(T_TAN); return -1;
          case 3: this.fpatan(); return -1;
          case 4: this.fxtract(); return -1;
          case 5: this.fprem(true); return -1;
          case 6: this.top = (this.top - 1) & 7; this.sw &= ~SW_C1; return FPU_OK; // FDECSTP
          default: this.top = (this.top + 1) & 7; this.sw &= ~SW_C1; return FPU_OK; // FINCSTP
        }
      default:
        switch (i) {
          case 0: this.fprem(false); return -1;
          case 1: this.fyl2x(true); return -1;
          case 2: this.unary(F_SQRT); return -1;
          case 3: this.ftrig(T_SINCOS); return -1;
          case 4: this.unary(F_RNDINT); return -1;
          case 5: this.fscale(); return -1;
          case 6: this.ftrig(T_SIN); return -1;
          default: this.ftrig(T_COS); return -1;
        }
    }
  }

  /** D8/DC/DE register arithmetic: reg selects the operation on ST(0) and ST(i); result in ST(dst). */
  private arithReg(reg: number, dst: number, i: number, pop: boolean): void {
    const p0 = this.top;
    const pi = this.phys(i);
    const pd = this.phys(dst);
    if (reg === 2 || reg === 3) { this.fcomReg(i, false, reg === 3 ? 1 : 0); return; }
    if (this.empty[p0] || this.empty[pi]) {
      if (!this.underflow()) return;
      this.setIndef(pd);
      this.empty[pd] = 0;
      if (pop) this.pop();
      return;
    }
    let ok: boolean;
    switch (reg) {
      case 0: ok = this.binop(OP_ADD, pd, p0, pi); break;
      case 1: ok = this.binop(OP_MUL, pd, p0, pi); break;
      case 4: ok = this.binop(OP_SUB, pd, p0, pi); break;
      case 5: ok = this.binop(OP_SUB, pd, pi, p0); break;
      case 6: ok = this.binop(OP_DIV, pd, p0, pi); break;
      default: ok = this.binop(OP_DIV, pd, pi, p0); break;
    }
    if (ok && pop) this.pop();
  }

  /** FCOM/FUCOM ST(i) with `pops` pops afterwards (FCOMPP/FUCOMPP: i = 1, pops = 2). */
  private fcomReg(i: number, quiet: boolean, pops: number): void {
    const p0 = this.top;
    const pi = this.phys(i);
    let r: number;
    if (this.empty[p0] || this.empty[pi]) {
      if (!this.underflow()) return;
      r = 3;
    } else {
      r = this.compare(p0, pi, quiet);
      if (r < 0) return;
      this.sw &= ~SW_C1;
    }
    this.setCc(r);
    for (let k = 0; k < pops; k++) this.pop();
  }

  /** FCOMI/FUCOMI (and ...P): returns the exec code. */
  private fcomi(i: number, quiet: boolean, pop: boolean, ctx: FpuContext): number {
    const p0 = this.top;
    const pi = this.phys(i);
    let r: number;
    if (this.empty[p0] || this.empty[pi]) {
      if (!this.underflow()) return FPU_OK;
      r = 3;
    } else {
      r = this.compare(p0, pi, quiet);
      if (r < 0) return FPU_OK;
      this.sw &= ~SW_C1;
    }
    ctx.flags = r === 0 ? 0 : r === 1 ? EF_CF : r === 2 ? EF_ZF : EF_ZF | EF_PF | EF_CF;
    if (pop) this.pop();
    return FPU_WRITE_FLAGS;
  }

  private fcmov(cc: number, negate: boolean, i: number, ef: number): void {
    const p0 = this.top;
    const pi = this.phys(i);
    let c: boolean;
    switch (cc) {
      case 0: c = (ef & EF_CF) !== 0; break;
      case 1: c = (ef & EF_ZF) !== 0; break;
      case 2: c = (ef & (EF_CF | EF_ZF)) !== 0; break;
      default: c = (ef & EF_PF) !== 0; break;
    }
    if (negate) c = !c;
    if (this.empty[p0] || this.empty[pi]) {
      if (!this.underflow()) return;
      if (c || this.empty[p0]) { this.setIndef(p0); this.empty[p0] = 0; }
      return;
    }
    this.sw &= ~SW_C1;
    if (c) this.copySlot(p0, pi);
  }

  private fxch(i: number): void {
    const p0 = this.top;
    const pi = this.phys(i);
    if (this.empty[p0] || this.empty[pi]) {
      if (!this.underflow()) return;
      if (this.empty[p0]) { this.setIndef(p0); this.empty[p0] = 0; }
      if (this.empty[pi]) { this.setIndef(pi); this.empty[pi] = 0; }
    } else this.sw &= ~SW_C1;
    this.copySlot(TMP, p0);
    this.copySlot(p0, pi);
    this.copySlot(pi, TMP);
  }

  /** FST/FSTP ST(i). */
  private fstReg(i: number, pop: boolean): void {
    const p0 = this.top;
    const pi = this.phys(i);
    if (this.empty[p0]) {
      if (!this.underflow()) return;
      this.setIndef(pi);
    } else {
      this.sw &= ~SW_C1;
      this.copySlot(pi, p0);
    }
    this.empty[pi] = 0;
    if (pop) this.pop();
  }

  /** FCHS (chs) / FABS on ST(0). */
  private fsign(chs: boolean): void {
    const p0 = this.top;
    if (this.empty[p0]) {
      if (this.underflow()) this.fillIndef(p0);
      return;
    }
    this.sw &= ~SW_C1;
    if (this.rawOk[p0]) {
      const se = this.rse[p0];
      this.setRaw(p0, chs ? se ^ 0x8000 : se & 0x7fff, this.rhi[p0], this.rlo[p0]);
    } else {
      const x = this.v[p0];
      this.setV(p0, chs ? -x : Math.abs(x));
    }
  }

  private ftst(): void {
    const p0 = this.top;
    if (this.empty[p0]) {
      if (this.underflow()) this.setCc(3);
      return;
    }
    this.setV(TMP2, 0);
    const r = this.compare(p0, TMP2, false);
    if (r < 0) return;
    this.sw &= ~SW_C1;
    this.setCc(r);
  }

  private fxam(): void {
    const p0 = this.top;
    this.sw &= ~SW_CC;
    if (this.signOf(p0)) this.sw |= SW_C1;
    if (this.empty[p0]) { this.sw |= SW_C3 | SW_C0; return; }
    switch (this.cls(p0)) {
      case K_ZERO: this.sw |= SW_C3; break;
      case K_NORMAL: this.sw |= SW_C2; break;
      case K_DENORM: this.sw |= SW_C3 | SW_C2; break;
      case K_INF: this.sw |= SW_C2 | SW_C0; break;
      case K_QNAN: case K_SNAN: this.sw |= SW_C0; break;
      default: break; // unsupported: 000
    }
  }

  // ==============================================================================================
  // One-operand arithmetic and transcendentals
  // ==============================================================================================

  /**
   * Common prologue for ST(0) operations: stack underflow (masked: ST(0) = indefinite), NaN and
   * unsupported operands, denormal. Returns the operand class; -1 when a masked response was
   * written to ST(0) (done); -2 when an unmasked exception stopped the instruction.
   */
  private prolog1(): number {
    const p0 = this.top;
    if (this.empty[p0]) {
      if (!this.underflow()) return -2;
      this.fillIndef(p0);
      return -1;
    }
    const k = this.cls(p0);
    if (k >= K_QNAN) return this.nanResult(p0, p0, k, p0, k) ? -1 : -2;
    if (!this.denormOk(k, k)) return -2;
    return k;
  }

  private unary(f: number): void {
    const k = this.prolog1();
    if (k < 0) return;
    const p0 = this.top;
    const x = this.v[p0];
    switch (f) {
      case F_SQRT:
        if (k === K_ZERO) { this.exact(p0, x); return; }
        if (this.signOf(p0)) { this.invalid(p0); return; }
        if (k === K_INF) { this.exact(p0, x); return; }
        this.toRaw(p0);
        this.extSetup();
        this.ext.sqrt(this.rse[p0], this.rhi[p0], this.rlo[p0]);
        this.extResult(p0);
        return;
      case F_RNDINT:
        if (k === K_ZERO || k === K_INF) { this.exact(p0, x); return; }
        this.toRaw(p0);
        this.extSetup();
        this.ext.rint(this.rse[p0], this.rhi[p0], this.rlo[p0]);
        this.extResult(p0);
        return;
      default: // F2XM1
        if (k === K_ZERO || k === K_INF) { this.exact(p0, k === K_ZERO ? x : x > 0 ? Infinity : -1); return; }
        if (x === 1 || x === -1) { this.exact(p0, x > 0 ? 1 : -0.5); return; }
        this.approx(p0, Math.expm1(x * Math.LN2));
        return;
    }
  }

  /** Deliver a Math-library result (assumed inexact unless it is an exact small integer). */
  private approx(d: number, r: number): void {
    this.deliver(d, r, 0);
    if (r - r !== 0) return;
    this.xf |= SW_PE;
  }

  private ftrig(t: number): void {
    const p0 = this.top;
    const two = t === T_TAN || t === T_SINCOS;
    if (two && !this.empty[p0] && !this.empty[(this.top - 1) & 7]) {
      // Stack overflow: the second result has nowhere to go.
      this.xf |= SW_IE | SW_SF;
      this.sw |= SW_C1;
      if (!this.masked(SW_IE)) return;
      this.setIndef(p0);
      this.setIndef(TMP);
      this.push(TMP);
      return;
    }
    const k = this.prolog1();
    if (k < 0) {
      if (k === -1 && two) { this.copySlot(TMP, p0); this.push(TMP); }
      return;
    }
    const x = this.v[p0];
    if (k === K_INF) {
      if (!this.invalid(p0)) return;
      this.sw &= ~SW_C2;
      if (two) { this.setIndef(TMP); this.push(TMP); }
      return;
    }
    if (Math.abs(x) >= TWO63) { this.sw |= SW_C2; return; }
    this.sw &= ~SW_C2;
    if (k === K_ZERO) {
      // sin, tan of ±0 are ±0 exactly; cos 0 = 1.
      if (t === T_COS) this.exact(p0, 1);
      else if (t === T_SINCOS) { this.exact(p0, x); this.setV(TMP, 1); this.push(TMP); }
      else if (t === T_TAN) { this.exact(p0, x); this.setV(TMP, 1); this.push(TMP); }
      return;
    }
    switch (t) {
      case T_SIN: this.approx(p0, Math.sin(x)); return;
      case T_COS: this.approx(p0, Math.cos(x)); return;
      case T_TAN: this.approx(p0, Math.tan(x)); this.setV(TMP, 1); this.push(TMP); return;
      default: {
        const c = Math.cos(x);
        this.approx(p0, Math.sin(x));
        this.setV(TMP, c);
        this.push(TMP);
      }
    }
  }

  /** Two-operand prologue on ST(0), ST(1): underflow, NaNs, denormals. Result into ST(1). */
  private prolog2(): boolean {
    const p0 = this.top;
    const p1 = this.phys(1);
    if (this.empty[p0] || this.empty[p1]) {
      if (this.underflow()) { this.setIndef(p1); this.empty[p1] = 0; this.pop(); }
      return false;
    }
    const k0 = this.cls(p0);
    const k1 = this.cls(p1);
    if (k0 >= K_QNAN || k1 >= K_QNAN) {
      if (this.nanResult(p1, p0, k0, p1, k1)) this.pop();
      return false;
    }
    return this.denormOk(k0, k1);
  }

  /** FYL2X: ST(1) = ST(1) * log2(ST(0)); FYL2XP1: ST(1) * log2(ST(0) + 1). Pops. */
  private fyl2x(p1plus: boolean): void {
    if (!this.prolog2()) return;
    const p0 = this.top;
    const p1 = this.phys(1);
    const x = this.v[p0];
    const y = this.v[p1];
    const k0 = this.cls(p0);
    let l: number;
    if (p1plus) l = Math.log1p(x) / Math.LN2;
    else if (k0 === K_NORMAL || k0 === K_DENORM) {
      // log2 from the 80-bit exponent and significand: right for operands beyond the double
      // range too, and exact (an integer) for powers of two.
      this.toRaw(p0);
      const e = this.ext;
      e.unpack(this.rse[p0], this.rhi[p0], this.rlo[p0]);
      l = e.uNeg ? NaN : e.uE + Math.log2((e.uH * TWO32 + e.uL) / TWO63);
    } else l = k0 === K_ZERO ? -Infinity : this.signOf(p0) ? NaN : Infinity;
    if (Number.isNaN(l) || (l === 0 && !Number.isFinite(y)) || (!Number.isFinite(l) && y === 0)) {
      if (this.invalid(p1)) this.pop();
      return;
    }
    if (!p1plus && k0 === K_ZERO) {
      this.xf |= SW_ZE;
      if (!this.masked(SW_ZE)) return;
      this.exact(p1, isNeg(y) ? Infinity : -Infinity);
      this.pop();
      return;
    }
    const r = y * l;
    if (!Number.isFinite(l) || !Number.isFinite(y) || l === 0 || y === 0) this.exact(p1, r);
    else if (!p1plus && Number.isInteger(l)) this.deliver(p1, r, r - r === 0 ? mulErr(y, l, r) : 0);
    else this.approx(p1, r);
    this.pop();
  }

  private fpatan(): void {
    if (!this.prolog2()) return;
    const p0 = this.top;
    const p1 = this.phys(1);
    const r = Math.atan2(this.v[p1], this.v[p0]);
    if (r === 0) this.exact(p1, r); else this.approx(p1, r);
    this.pop();
  }

  private fscale(): void {
    const p0 = this.top;
    const p1 = this.phys(1);
    if (this.empty[p0] || this.empty[p1]) {
      if (this.underflow()) this.fillIndef(p0);
      return;
    }
    const k0 = this.cls(p0);
    const k1 = this.cls(p1);
    if (k0 >= K_QNAN || k1 >= K_QNAN) { this.nanResult(p0, p0, k0, p1, k1); return; }
    const x = this.v[p0];
    const s = Math.trunc(this.v[p1]);
    if ((k0 === K_ZERO && s === Infinity) || (k0 === K_INF && s === -Infinity)) { this.invalid(p0); return; }
    if (!this.denormOk(k0, k1)) return;
    if (k0 === K_ZERO || k0 === K_INF) { this.exact(p0, x); return; }
    if (s === Infinity || s === -Infinity) { this.exact(p0, s > 0 ? (x < 0 ? -Infinity : Infinity) : (x < 0 ? -0 : 0)); return; }
    const n = Math.max(-100000, Math.min(100000, s));
    this.toRaw(p0);
    this.extSetup();
    this.ext.scale(this.rse[p0], this.rhi[p0], this.rlo[p0], n);
    this.extResult(p0);
  }

  private fxtract(): void {
    const p0 = this.top;
    if (!this.empty[p0] && !this.empty[(this.top - 1) & 7]) {
      this.xf |= SW_IE | SW_SF;
      this.sw |= SW_C1;
      if (!this.masked(SW_IE)) return;
      this.setIndef(p0);
      this.setIndef(TMP);
      this.push(TMP);
      return;
    }
    const k = this.prolog1();
    if (k < 0) {
      if (k === -1) { this.copySlot(TMP, p0); this.push(TMP); }
      return;
    }
    const x = this.v[p0];
    if (k === K_ZERO) {
      this.xf |= SW_ZE;
      if (!this.masked(SW_ZE)) return;
      this.setV(p0, -Infinity);
      this.setV(TMP, x);
      this.push(TMP);
      return;
    }
    if (k === K_INF) { this.setV(p0, Infinity); this.setV(TMP, x); this.push(TMP); return; }
    if (this.rawOk[p0]) {
      // Exact on the 80-bit pattern: exponent and significand with exponent 3FFFh.
      let se = this.rse[p0];
      let hi = this.rhi[p0];
      let lo = this.rlo[p0];
      let e = (se & 0x7fff) - 16383;
      if ((se & 0x7fff) === 0) {
        // Denormal: normalise.
        e = -16382;
        while ((hi & 0x80000000) === 0) { hi = ((hi << 1) | (lo >>> 31)) >>> 0; lo = (lo << 1) >>> 0; e--; }
      }
      se = (se & 0x8000) | 0x3fff;
      this.setV(p0, e);
      this.setRaw(TMP, se, hi, lo);
      this.sw &= ~SW_C1;
      this.push(TMP);
      return;
    }
    const e = ilogb(x);
    this.setV(p0, e);
    this.setV(TMP, ldexp(x, -e));
    this.sw &= ~SW_C1;
    this.push(TMP);
  }

  /** FPREM (ieee = false, truncating quotient) and FPREM1 (round-to-nearest quotient). */
  private fprem(ieee: boolean): void {
    const p0 = this.top;
    const p1 = this.phys(1);
    if (this.empty[p0] || this.empty[p1]) {
      if (this.underflow()) this.fillIndef(p0);
      return;
    }
    const k0 = this.cls(p0);
    const k1 = this.cls(p1);
    if (k0 >= K_QNAN || k1 >= K_QNAN) { this.nanResult(p0, p0, k0, p1, k1); return; }
    if (k0 === K_INF || k1 === K_ZERO) { this.invalid(p0); return; }
    if (!this.denormOk(k0, k1)) return;
    this.sw &= ~SW_CC;
    if (k0 === K_ZERO || k1 === K_INF) return; // ST(0) unchanged, quotient 0
    this.toRaw(p0);
    this.toRaw(p1);
    this.extSetup();
    const e = this.ext;
    const q = e.prem(this.rse[p0], this.rhi[p0], this.rlo[p0], this.rse[p1], this.rhi[p1], this.rlo[p1], ieee);
    this.xf |= e.flags & (SW_UE | SW_PE);
    this.setRaw(p0, e.se, e.hi, e.lo);
    if (q < 0) { this.sw |= SW_C2; return; }
    if (q & 4) this.sw |= SW_C0;
    if (q & 2) this.sw |= SW_C3;
    if (q & 1) this.sw |= SW_C1;
  }
}

/** Memory operand sizes per /reg (-1: environment / state image, 0: #UD). */
const MEM_D9 = [4, 0, 4, 4, -1, 2, -1, 2];
const MEM_DB = [4, 0, 4, 4, 0, 10, 0, 10];
const MEM_DD = [8, 0, 8, 8, -1, 0, -1, 2];
const MEM_DF = [2, 0, 2, 2, 10, 8, 10, 8];

const F_2XM1 = 0;
const F_SQRT = 1;
const F_RNDINT = 2;
const T_SIN = 0;
const T_COS = 1;
const T_TAN = 2;
const T_SINCOS = 3;

function rd16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function rd32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
