// PUSH/POP in all forms, PUSHA/POPA, ENTER/LEAVE (SDM Vol. 2).
import type { Cpu } from '../cpu.js';
import { CS, ESP, SS } from '../consts.js';

export function makePushZv(r: number): (c: Cpu) => void {
  // PUSH ESP/SP pushes the value before the push (286 and later).
  return (c) => { if (c.os32) c.push32(c.r32[r << 1]); else c.push16(c.r16[r << 2]); };
}

export function makePopZv(r: number): (c: Cpu) => void {
  return (c) => {
    if (c.os32) { const v = c.pop32(); c.r32[r << 1] = v; }
    else { const v = c.pop16(); c.r16[r << 2] = v; }
  };
}

export function makePushSeg(s: number): (c: Cpu) => void {
  return (c) => {
    // A 32-bit push of a segment register writes 16 bits and moves ESP by 4 (P6 behaviour).
    if (c.os32) {
      const sp = c.spAdd(-4);
      c.wrS16(SS, sp, c.segSel[s]);
      c.setSP(sp);
    } else c.push16(c.segSel[s]);
  };
}

export function makePopSeg(s: number): (c: Cpu) => void {
  return (c) => {
    const v = c.os32 ? c.peek32(0) & 0xffff : c.peek16(0);
    c.loadSeg(s, v);
    c.setSP(c.spAdd(c.os32 ? 4 : 2));
    // POP SS inhibits interrupts (and traps) until after the next instruction.
    if (s === SS) c.inhibitAt = c.retired + 1;
  };
}

export function pushIv(c: Cpu): void { c.pushV(c.fetchImmV()); }
export function pushIb(c: Cpu): void { const v = c.fetchS8(); if (c.os32) c.push32(v); else c.push16(v & 0xffff); }

/** 8F /0: POP Ev. The address is computed with the incremented ESP (SDM POP). */
export function popEv(c: Cpu): void {
  const save = c.r32[ESP << 1];
  const v = c.os32 ? c.peek32(0) : c.peek16(0);
  c.setSP(c.spAdd(c.os32 ? 4 : 2));
  try {
    c.decodeModrm();
    if (c.regf !== 0) c.ud();
    c.writeEv(v);
  } catch (e) {
    c.r32[ESP << 1] = save;
    throw e;
  }
}

export function pusha(c: Cpu): void {
  const n = c.os32 ? 32 : 16;
  const sp0 = c.getSP();
  // Every slot must be writable before anything is stored (each push wraps on its own).
  for (let i = 1; i <= 8; i++) c.chkW(SS, c.spAdd(-(n / 8) * i), n / 8);
  for (let r = 0; r < 8; r++) {
    if (c.os32) c.push32(r === 4 ? sp0 : c.r32[r << 1]);
    else c.push16(r === 4 ? sp0 & 0xffff : c.r16[r << 2]);
  }
}

export function popa(c: Cpu): void {
  const w = c.os32 ? 4 : 2;
  for (let i = 0; i < 8; i++) c.chkR(SS, c.spAdd(i * w), w);
  const vals = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) vals[7 - i] = w === 4 ? c.peek32(i * 4) : c.peek16(i * 2);
  for (let r = 0; r < 8; r++) {
    if (r === 4) continue; // the saved SP is discarded
    if (w === 4) c.r32[r << 1] = vals[r]; else c.r16[r << 2] = vals[r];
  }
  c.setSP(c.spAdd(8 * w));
}

/** C8: ENTER imm16, imm8 (SDM ENTER, nesting level mod 32). */
export function enter(c: Cpu): void {
  const size = c.fetch16();
  const level = c.fetch8() & 31;
  const w = c.os32 ? 4 : 2;
  const bp = c.ss32 ? c.r32[10] : c.r16[20];
  let sp = c.spAdd(-w);
  if (w === 4) c.wrS32(SS, sp, c.r32[10]); else c.wrS16(SS, sp, c.r16[20]);
  const frame = sp;
  let tbp = bp;
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      tbp = c.ss32 ? (tbp - w) >>> 0 : (tbp - w) & 0xffff;
      const v = w === 4 ? c.rdS32(SS, tbp) : c.rdS16(SS, tbp);
      sp = c.ss32 ? (sp - w) >>> 0 : (sp - w) & 0xffff;
      if (w === 4) c.wrS32(SS, sp, v); else c.wrS16(SS, sp, v);
    }
    sp = c.ss32 ? (sp - w) >>> 0 : (sp - w) & 0xffff;
    if (w === 4) c.wrS32(SS, sp, frame); else c.wrS16(SS, sp, frame);
  }
  const nsp = c.ss32 ? (sp - size) >>> 0 : (sp - size) & 0xffff;
  // The final stack pointer must be writable too (#SS otherwise).
  if (size > 0) c.chkW(SS, nsp, 1);
  if (w === 4) c.r32[10] = frame; else c.r16[20] = frame;
  c.setSP(nsp);
}

/** C9: LEAVE. */
export function leave(c: Cpu): void {
  const bp = c.ss32 ? c.r32[10] >>> 0 : c.r16[20];
  const v = c.os32 ? c.rdS32(SS, bp) : c.rdS16(SS, bp);
  c.setSP(c.ss32 ? (bp + (c.os32 ? 4 : 2)) >>> 0 : (bp + (c.os32 ? 4 : 2)) & 0xffff);
  if (c.os32) c.r32[10] = v; else c.r16[20] = v;
}

export const PUSH_CS = makePushSeg(CS);
