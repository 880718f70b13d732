// Data movement: MOV, XCHG, LEA, MOVZX/MOVSX, CMOVcc, SETcc, CBW/CWD family, XLAT, BSWAP,
// XADD, CMPXCHG, CMPXCHG8B, bit tests and scans, LAHF/SAHF and the flag instructions.
import type { Cpu } from '../cpu.js';
import { CF, DF, IF, SF, ZF, AF, PF, VM } from '../consts.js';
import { alu, M16, M32, M8, S16, S32, S8 } from './alu.js';

export function movEbGb(c: Cpu): void { c.decodeModrm(); c.writeEb(c.readGb()); }
export function movEvGv(c: Cpu): void {
  c.decodeModrm();
  if (c.os32) c.writeEd(c.r32[c.regf << 1]); else c.writeEw(c.r16[c.regf << 2]);
}
export function movGbEb(c: Cpu): void { c.decodeModrm(); c.writeGb(c.readEb()); }
export function movGvEv(c: Cpu): void {
  c.decodeModrm();
  if (c.os32) c.r32[c.regf << 1] = c.readEd(); else c.r16[c.regf << 2] = c.readEw();
}
export function movEbIb(c: Cpu): void { c.decodeModrm(); if (c.regf !== 0) c.ud(); c.writeEb(c.fetch8()); }
export function movEvIv(c: Cpu): void { c.decodeModrm(); if (c.regf !== 0) c.ud(); c.writeEv(c.fetchImmV()); }
export function makeMovZbIb(r: number): (c: Cpu) => void {
  return (c) => { c.setReg8(r, c.fetch8()); };
}
export function makeMovZvIv(r: number): (c: Cpu) => void {
  return (c) => { if (c.os32) c.r32[r << 1] = c.fetch32(); else c.r16[r << 2] = c.fetch16(); };
}

/** A0-A3: MOV with a moffs (address-size wide) operand. */
function moffs(c: Cpu): number { return c.as32 ? c.fetch32() >>> 0 : c.fetch16(); }
export function movAlOb(c: Cpu): void { const o = moffs(c); c.r8[0] = c.rdS8(c.dsSeg(), o); }
export function movEaxOv(c: Cpu): void {
  const o = moffs(c);
  if (c.os32) c.r32[0] = c.rdS32(c.dsSeg(), o); else c.r16[0] = c.rdS16(c.dsSeg(), o);
}
export function movObAl(c: Cpu): void { const o = moffs(c); c.wrS8(c.dsSeg(), o, c.r8[0]); }
export function movOvEax(c: Cpu): void {
  const o = moffs(c);
  if (c.os32) c.wrS32(c.dsSeg(), o, c.r32[0]); else c.wrS16(c.dsSeg(), o, c.r16[0]);
}

export function leaGvM(c: Cpu): void {
  c.decodeModrm();
  if (!c.isMem) c.ud();
  c.writeGv(c.ea);
}

export function xchgEbGb(c: Cpu): void {
  c.decodeModrm();
  const a = c.readEb();
  c.writeEb(c.readGb());
  c.writeGb(a);
}

export function xchgEvGv(c: Cpu): void {
  c.decodeModrm();
  const a = c.readEv();
  c.writeEv(c.readGv());
  c.writeGv(a);
}

export function makeXchgZv(r: number): (c: Cpu) => void {
  return (c) => {
    if (c.os32) { const t = c.r32[0]; c.r32[0] = c.r32[r << 1]; c.r32[r << 1] = t; }
    else { const t = c.r16[0]; c.r16[0] = c.r16[r << 2]; c.r16[r << 2] = t; }
  };
}

export function nop(_c: Cpu): void { /* nothing */ }

export function movzxGvEb(c: Cpu): void { c.decodeModrm(); c.writeGv(c.readEb()); }
export function movzxGvEw(c: Cpu): void { c.decodeModrm(); c.writeGv(c.readEw()); }
export function movsxGvEb(c: Cpu): void { c.decodeModrm(); c.writeGv((c.readEb() << 24) >> 24); }
export function movsxGvEw(c: Cpu): void { c.decodeModrm(); c.writeGv((c.readEw() << 16) >> 16); }

export function makeCmov(cc: number): (c: Cpu) => void {
  return (c) => {
    c.decodeModrm();
    // The source is read (and may fault) whether or not the condition holds.
    const v = c.readEv();
    if (c.cond(cc)) c.writeGv(v);
  };
}

export function makeSetcc(cc: number): (c: Cpu) => void {
  return (c) => { c.decodeModrm(); c.writeEb(c.cond(cc) ? 1 : 0); };
}

export function cbw(c: Cpu): void {
  if (c.os32) c.r32[0] = (c.r32[0] << 16) >> 16; else c.r16[0] = (c.r8[0] << 24) >> 24;
}

export function cwd(c: Cpu): void {
  if (c.os32) c.r32[4] = c.r32[0] >> 31; else c.r16[8] = (c.r16[0] & 0x8000) !== 0 ? 0xffff : 0;
}

export function xlat(c: Cpu): void {
  const off = c.as32 ? (c.r32[6] + c.r8[0]) >>> 0 : (c.r16[12] + c.r8[0]) & 0xffff;
  c.r8[0] = c.rdS8(c.dsSeg(), off);
}

export function bswap(r: number): (c: Cpu) => void {
  return (c) => {
    const v = c.r32[r << 1];
    if (!c.os32) {
      // BSWAP of a 16-bit register is undefined; hardware clears it.
      c.r16[r << 2] = 0;
      return;
    }
    c.r32[r << 1] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  };
}

export function xaddEbGb(c: Cpu): void {
  c.decodeModrm();
  const d = c.readEb();
  const s = c.readGb();
  const r = alu(c, 0, d, s, M8, S8);
  // DEST is written last (SDM XADD), which matters when both operands are the same register.
  if (c.isMem) { c.writeEb(r); c.writeGb(d); } else { c.writeGb(d); c.writeEb(r); }
}

export function xaddEvGv(c: Cpu): void {
  c.decodeModrm();
  const d = c.readEv();
  const s = c.readGv();
  const r = c.os32 ? alu(c, 0, d, s, M32, S32) : alu(c, 0, d, s, M16, S16);
  if (c.isMem) { c.writeEv(r); c.writeGv(d); } else { c.writeGv(d); c.writeEv(r); }
}

export function cmpxchgEbGb(c: Cpu): void {
  c.decodeModrm();
  const d = c.readEb();
  alu(c, 7, c.r8[0], d, M8, S8);
  if (c.r8[0] === d) c.writeEb(c.readGb());
  else { c.writeEb(d); c.r8[0] = d; }
}

export function cmpxchgEvGv(c: Cpu): void {
  c.decodeModrm();
  if (c.os32) {
    const d = c.readEd();
    alu(c, 7, c.r32[0], d, M32, S32);
    if (c.r32[0] === d) c.writeEd(c.r32[c.regf << 1]);
    else { c.writeEd(d); c.r32[0] = d; }
  } else {
    const d = c.readEw();
    alu(c, 7, c.r16[0], d, M16, S16);
    if (c.r16[0] === d) c.writeEw(c.r16[c.regf << 2]);
    else { c.writeEw(d); c.r16[0] = d; }
  }
}

/** 0F C7 /1: CMPXCHG8B m64 (only ZF changes). */
export function grp9(c: Cpu): void {
  c.decodeModrm();
  if (c.regf !== 1 || !c.isMem) c.ud();
  const s = c.eaSeg, o = c.ea >>> 0;
  c.chkW(s, o, 8);
  const lo = c.rdS32(s, o), hi = c.rdS32(s, (o + 4) >>> 0);
  const eq = lo === c.r32[0] && hi === c.r32[4];
  if (eq) {
    c.wrS32(s, o, c.r32[6]); c.wrS32(s, (o + 4) >>> 0, c.r32[2]);
  } else {
    c.wrS32(s, o, lo); c.wrS32(s, (o + 4) >>> 0, hi);
    c.r32[0] = lo; c.r32[4] = hi;
  }
  c.setFlagBits(ZF, eq);
}

// ---- bit test and scan ----

/** BT family on `v` with bit `bit`; returns the new value for op 1 BTS, 2 BTR, 3 BTC. */
function btOp(c: Cpu, op: number, v: number, bit: number): number {
  const mask = 1 << bit;
  // CF = the bit; OF/SF/AF/PF undefined (left unchanged); ZF unchanged.
  c.setFlagBits(CF, (v & mask) !== 0);
  switch (op) {
    case 1: return v | mask;
    case 2: return v & ~mask;
    case 3: return v ^ mask;
    default: return v;
  }
}

/** BT/BTS/BTR/BTC Ev,Gv: a memory operand is addressed by the signed bit offset. */
function btEvGv(c: Cpu, op: number): void {
  c.decodeModrm();
  if (c.lock !== 0 && op === 0) c.ud();
  if (c.os32) {
    const off = c.r32[c.regf << 1];
    if (!c.isMem) {
      const v = c.r32[c.rmf << 1];
      const r = btOp(c, op, v, off & 31);
      if (op !== 0) c.r32[c.rmf << 1] = r;
      return;
    }
    const a = c.as32 ? (c.ea + ((off >> 5) << 2)) >>> 0 : (c.ea + ((off >> 5) << 2)) & 0xffff;
    const v = c.rdS32(c.eaSeg, a);
    const r = btOp(c, op, v, off & 31);
    if (op !== 0) c.wrS32(c.eaSeg, a, r);
  } else {
    const off = (c.r16[c.regf << 2] << 16) >> 16;
    if (!c.isMem) {
      const v = c.r16[c.rmf << 2];
      const r = btOp(c, op, v, off & 15);
      if (op !== 0) c.r16[c.rmf << 2] = r;
      return;
    }
    const a = c.as32 ? (c.ea + ((off >> 4) << 1)) >>> 0 : (c.ea + ((off >> 4) << 1)) & 0xffff;
    const v = c.rdS16(c.eaSeg, a);
    const r = btOp(c, op, v, off & 15);
    if (op !== 0) c.wrS16(c.eaSeg, a, r);
  }
}

export function btEvGv0(c: Cpu): void { btEvGv(c, 0); }
export function btsEvGv(c: Cpu): void { btEvGv(c, 1); }
export function btrEvGv(c: Cpu): void { btEvGv(c, 2); }
export function btcEvGv(c: Cpu): void { btEvGv(c, 3); }

/** 0F BA /4-7: BT/BTS/BTR/BTC Ev,Ib (offset masked to the operand width). */
export function grp8(c: Cpu): void {
  c.decodeModrm();
  if (c.regf < 4) c.ud();
  const op = c.regf - 4;
  if (c.lock !== 0 && op === 0) c.ud();
  const ib = c.fetch8();
  if (c.os32) {
    const v = c.readEd();
    const r = btOp(c, op, v, ib & 31);
    if (op !== 0) c.writeEd(r);
  } else {
    const v = c.readEw();
    const r = btOp(c, op, v, ib & 15);
    if (op !== 0) c.writeEw(r);
  }
}

/** BSF/BSR: ZF=1 and destination unchanged when the source is 0. */
export function bsfGvEv(c: Cpu): void {
  c.decodeModrm();
  const v = c.os32 ? c.readEd() : c.readEw();
  bsfr(c, v, false);
}

export function bsrGvEv(c: Cpu): void {
  c.decodeModrm();
  const v = c.os32 ? c.readEd() : c.readEw();
  bsfr(c, v, true);
}

function bsfr(c: Cpu, v: number, rev: boolean): void {
  c.materialize();
  if (v === 0) { c.flags |= ZF; return; }
  const idx = rev ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v);
  c.flags &= ~ZF;
  c.writeGv(idx);
}

// ---- flags ----

export function lahf(c: Cpu): void { c.r8[1] = c.getFlags() & 0xff; }
export function sahf(c: Cpu): void {
  const m = SF | ZF | AF | PF | CF;
  c.materialize();
  c.flags = (c.flags & ~m) | (c.r8[1] & m);
}
export function clc(c: Cpu): void { c.setFlagBits(CF, false); }
export function stc(c: Cpu): void { c.setFlagBits(CF, true); }
export function cmc(c: Cpu): void { c.setFlagBits(CF, c.getCF() === 0); }
export function cld(c: Cpu): void { c.flags &= ~DF; }
export function std(c: Cpu): void { c.flags |= DF; }

function iopl(c: Cpu): number { return (c.flags >> 12) & 3; }

export function cli(c: Cpu): void {
  if ((c.cr0 & 1) !== 0 && ((c.flags & VM) !== 0 ? iopl(c) < 3 : c.cpl > iopl(c))) c.gp(0);
  c.flags &= ~IF;
}

export function sti(c: Cpu): void {
  if ((c.cr0 & 1) !== 0 && ((c.flags & VM) !== 0 ? iopl(c) < 3 : c.cpl > iopl(c))) c.gp(0);
  // STI delays recognition of interrupts until after the next instruction (SDM STI).
  if ((c.flags & IF) === 0) c.inhibitAt = c.retired + 1;
  c.flags |= IF;
}

/** D6 SALC: AL = CF ? FF : 00 (undocumented, present on all 8086-derived CPUs). */
export function salc(c: Cpu): void { c.r8[0] = c.getCF() !== 0 ? 0xff : 0; }

export function pushf(c: Cpu): void {
  if ((c.flags & VM) !== 0 && iopl(c) < 3) c.gp(0);
  const f = c.getFlags();
  // The VM and RF flags are not copied to the stack image (SDM PUSHF).
  if (c.os32) c.push32(f & 0x00fcffff); else c.push16(f & 0xffff);
}

export function popf(c: Cpu): void {
  if ((c.flags & VM) !== 0) {
    // Virtual-8086 mode: IOPL-sensitive; IOPL, VM and RF are never changed (SDM POPF).
    if (iopl(c) < 3) c.gp(0);
    const v = c.os32 ? c.pop32() : c.pop16();
    const keep = 0x3000 | VM | 0x10000 | (c.os32 ? 0 : 0xffff0000);
    c.setFlags((c.getFlags() & keep) | (v & ~keep & 0x00257fd5));
    return;
  }
  const v = c.os32 ? c.pop32() : c.pop16();
  const pm = (c.cr0 & 1) !== 0;
  c.writeFlagsPriv(v & ~0x10000, c.os32, pm ? c.cpl : 0);
}
