// ADD OR ADC SBB AND SUB XOR CMP, INC/DEC, NEG/NOT, TEST (SDM Vol. 2, each instruction's page).
import type { Cpu } from '../cpu.js';
import { CF } from '../consts.js';

export const M8 = 0xff;
export const S8 = 0x80;
export const M16 = 0xffff;
export const S16 = 0x8000;
export const M32 = -1;
export const S32 = 0x80000000 | 0;

/** One ALU operation `op` (reg field order: ADD OR ADC SBB AND SUB XOR CMP) on masked operands. */
export function alu(c: Cpu, op: number, a: number, b: number, m: number, sg: number): number {
  let r: number;
  switch (op) {
    case 0: r = a + b; c.setAdd(a, b, r, m, sg, 0); break;
    case 1: r = a | b; c.setLogic(r, m, sg); break;
    case 2: return adc(c, a, b, m, sg);
    case 3: return sbb(c, a, b, m, sg);
    case 4: r = a & b; c.setLogic(r, m, sg); break;
    case 6: r = a ^ b; c.setLogic(r, m, sg); break;
    default: r = a - b; c.setSub(a, b, r, m, sg, 0); break;
  }
  return r & m;
}

function adc(c: Cpu, a: number, b: number, m: number, sg: number): number {
  const ci = c.getCF();
  const r = a + b + ci;
  c.setAdd(a, b, r, m, sg, ci);
  return r & m;
}

function sbb(c: Cpu, a: number, b: number, m: number, sg: number): number {
  const ci = c.getCF();
  const r = a - b - ci;
  c.setSub(a, b, r, m, sg, ci);
  return r & m;
}

/** Form 1 (Ev,Gv): one function literal per operation, so each compiles with its own feedback. */
function aluEvGv(op: number): (c: Cpu) => void {
  switch (op) {
    case 0: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 0, c.readEd(), c.r32[c.regf << 1], M32, S32); c.writeEd(r); }
      else { const r = alu(c, 0, c.readEw(), c.r16[c.regf << 2], M16, S16); c.writeEw(r); }
    };
    case 1: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 1, c.readEd(), c.r32[c.regf << 1], M32, S32); c.writeEd(r); }
      else { const r = alu(c, 1, c.readEw(), c.r16[c.regf << 2], M16, S16); c.writeEw(r); }
    };
    case 2: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 2, c.readEd(), c.r32[c.regf << 1], M32, S32); c.writeEd(r); }
      else { const r = alu(c, 2, c.readEw(), c.r16[c.regf << 2], M16, S16); c.writeEw(r); }
    };
    case 3: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 3, c.readEd(), c.r32[c.regf << 1], M32, S32); c.writeEd(r); }
      else { const r = alu(c, 3, c.readEw(), c.r16[c.regf << 2], M16, S16); c.writeEw(r); }
    };
    case 4: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 4, c.readEd(), c.r32[c.regf << 1], M32, S32); c.writeEd(r); }
      else { const r = alu(c, 4, c.readEw(), c.r16[c.regf << 2], M16, S16); c.writeEw(r); }
    };
    case 5: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 5, c.readEd(), c.r32[c.regf << 1], M32, S32); c.writeEd(r); }
      else { const r = alu(c, 5, c.readEw(), c.r16[c.regf << 2], M16, S16); c.writeEw(r); }
    };
    case 6: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 6, c.readEd(), c.r32[c.regf << 1], M32, S32); c.writeEd(r); }
      else { const r = alu(c, 6, c.readEw(), c.r16[c.regf << 2], M16, S16); c.writeEw(r); }
    };
    default: return (c) => {
      c.decodeModrm();
      if (c.os32) { alu(c, 7, c.readEd(), c.r32[c.regf << 1], M32, S32); }
      else { alu(c, 7, c.readEw(), c.r16[c.regf << 2], M16, S16); }
    };
  }
}

/** Form 3 (Gv,Ev), likewise. */
function aluGvEv(op: number): (c: Cpu) => void {
  switch (op) {
    case 0: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 0, c.r32[c.regf << 1], c.readEd(), M32, S32); c.r32[c.regf << 1] = r; }
      else { const r = alu(c, 0, c.r16[c.regf << 2], c.readEw(), M16, S16); c.r16[c.regf << 2] = r; }
    };
    case 1: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 1, c.r32[c.regf << 1], c.readEd(), M32, S32); c.r32[c.regf << 1] = r; }
      else { const r = alu(c, 1, c.r16[c.regf << 2], c.readEw(), M16, S16); c.r16[c.regf << 2] = r; }
    };
    case 2: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 2, c.r32[c.regf << 1], c.readEd(), M32, S32); c.r32[c.regf << 1] = r; }
      else { const r = alu(c, 2, c.r16[c.regf << 2], c.readEw(), M16, S16); c.r16[c.regf << 2] = r; }
    };
    case 3: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 3, c.r32[c.regf << 1], c.readEd(), M32, S32); c.r32[c.regf << 1] = r; }
      else { const r = alu(c, 3, c.r16[c.regf << 2], c.readEw(), M16, S16); c.r16[c.regf << 2] = r; }
    };
    case 4: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 4, c.r32[c.regf << 1], c.readEd(), M32, S32); c.r32[c.regf << 1] = r; }
      else { const r = alu(c, 4, c.r16[c.regf << 2], c.readEw(), M16, S16); c.r16[c.regf << 2] = r; }
    };
    case 5: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 5, c.r32[c.regf << 1], c.readEd(), M32, S32); c.r32[c.regf << 1] = r; }
      else { const r = alu(c, 5, c.r16[c.regf << 2], c.readEw(), M16, S16); c.r16[c.regf << 2] = r; }
    };
    case 6: return (c) => {
      c.decodeModrm();
      if (c.os32) { const r = alu(c, 6, c.r32[c.regf << 1], c.readEd(), M32, S32); c.r32[c.regf << 1] = r; }
      else { const r = alu(c, 6, c.r16[c.regf << 2], c.readEw(), M16, S16); c.r16[c.regf << 2] = r; }
    };
    default: return (c) => {
      c.decodeModrm();
      if (c.os32) { alu(c, 7, c.r32[c.regf << 1], c.readEd(), M32, S32); }
      else { alu(c, 7, c.r16[c.regf << 2], c.readEw(), M16, S16); }
    };
  }
}

/** Opcodes 00-3D minus prefixes: `op` from bits 5-3, `form` from bits 2-0. */
export function makeAlu(op: number, form: number): (c: Cpu) => void {
  const store = op !== 7;
  switch (form) {
    case 0: return (c) => { c.decodeModrm(); const r = alu(c, op, c.readEb(), c.readGb(), M8, S8); if (store) c.writeEb(r); };
    case 1: return aluEvGv(op);
    case 2: return (c) => { c.decodeModrm(); const r = alu(c, op, c.readGb(), c.readEb(), M8, S8); if (store) c.writeGb(r); };
    case 3: return aluGvEv(op);
    case 4: return (c) => { const b = c.fetch8(); const r = alu(c, op, c.r8[0], b, M8, S8); if (store) c.r8[0] = r; };
    default: return (c) => {
      if (c.os32) { const b = c.fetch32(); const r = alu(c, op, c.r32[0], b, M32, S32); if (store) c.r32[0] = r; }
      else { const b = c.fetch16(); const r = alu(c, op, c.r16[0], b, M16, S16); if (store) c.r16[0] = r; }
    };
  }
}

/** 80/82 /r ib, 81 /r iv, 83 /r ib (sign-extended). */
export function grp1EbIb(c: Cpu): void {
  c.decodeModrm();
  if (c.lock !== 0 && c.regf === 7) c.ud();
  const op = c.regf;
  const a = c.readEb();
  const r = alu(c, op, a, c.fetch8(), M8, S8);
  if (op !== 7) c.writeEb(r);
}

export function grp1EvIv(c: Cpu): void {
  c.decodeModrm();
  if (c.lock !== 0 && c.regf === 7) c.ud();
  const op = c.regf;
  if (c.os32) {
    const a = c.readEd();
    const r = alu(c, op, a, c.fetch32(), M32, S32);
    if (op !== 7) c.writeEd(r);
  } else {
    const a = c.readEw();
    const r = alu(c, op, a, c.fetch16(), M16, S16);
    if (op !== 7) c.writeEw(r);
  }
}

export function grp1EvIb(c: Cpu): void {
  c.decodeModrm();
  if (c.lock !== 0 && c.regf === 7) c.ud();
  const op = c.regf;
  if (c.os32) {
    const a = c.readEd();
    const r = alu(c, op, a, c.fetchS8(), M32, S32);
    if (op !== 7) c.writeEd(r);
  } else {
    const a = c.readEw();
    const r = alu(c, op, a, c.fetchS8() & 0xffff, M16, S16);
    if (op !== 7) c.writeEw(r);
  }
}

/** INC/DEC keep CF (SDM INC). */
export function inc(c: Cpu, a: number, m: number, sg: number): number {
  const cf = c.getCF();
  const r = a + 1;
  c.setAdd(a, 1, r, m, sg, 0);
  c.lazy &= ~CF;
  c.flags = (c.flags & ~CF) | cf;
  return r & m;
}

export function dec(c: Cpu, a: number, m: number, sg: number): number {
  const cf = c.getCF();
  const r = a - 1;
  c.setSub(a, 1, r, m, sg, 0);
  c.lazy &= ~CF;
  c.flags = (c.flags & ~CF) | cf;
  return r & m;
}

/** 40+r / 48+r: INC/DEC r16/r32. */
export function makeIncDecZv(dec_: boolean, reg: number): (c: Cpu) => void {
  return (c) => {
    if (c.os32) c.r32[reg << 1] = dec_ ? dec(c, c.r32[reg << 1], M32, S32) : inc(c, c.r32[reg << 1], M32, S32);
    else c.r16[reg << 2] = dec_ ? dec(c, c.r16[reg << 2], M16, S16) : inc(c, c.r16[reg << 2], M16, S16);
  };
}

/** FE: INC/DEC Eb; other reg values are invalid. */
export function grp4(c: Cpu): void {
  c.decodeModrm();
  if (c.regf > 1) c.ud();
  const a = c.readEb();
  c.writeEb(c.regf === 0 ? inc(c, a, M8, S8) : dec(c, a, M8, S8));
}

/** 84/85 TEST Eb,Gb / Ev,Gv; A8/A9 TEST AL/eAX,imm. */
export function testEbGb(c: Cpu): void {
  c.decodeModrm();
  c.setLogic(c.readEb() & c.readGb(), M8, S8);
}

export function testEvGv(c: Cpu): void {
  c.decodeModrm();
  if (c.os32) c.setLogic(c.readEd() & c.r32[c.regf << 1], M32, S32);
  else c.setLogic(c.readEw() & c.r16[c.regf << 2], M16, S16);
}

export function testAlIb(c: Cpu): void {
  c.setLogic(c.r8[0] & c.fetch8(), M8, S8);
}

export function testEaxIv(c: Cpu): void {
  if (c.os32) c.setLogic(c.r32[0] & c.fetch32(), M32, S32);
  else c.setLogic(c.r16[0] & c.fetch16(), M16, S16);
}

/** NEG: CF = (operand != 0), flags as 0 - operand. */
export function neg(c: Cpu, a: number, m: number, sg: number): number {
  const r = 0 - a;
  c.setSub(0, a, r, m, sg, 0);
  return r & m;
}
