// MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE (SDM Vol. 2). A REP instruction runs all
// its iterations inside one step; a fault mid-way leaves the registers at the faulting iteration
// and EIP at the instruction, so it restarts where it stopped.
import type { Cpu } from '../cpu.js';
import { DF, ES } from '../consts.js';
import { alu, M16, M32, M8, S16, S32, S8 } from './alu.js';

function getSI(c: Cpu): number { return c.as32 ? c.r32[12] >>> 0 : c.r16[24]; }
function getDI(c: Cpu): number { return c.as32 ? c.r32[14] >>> 0 : c.r16[28]; }
function setSI(c: Cpu, v: number): void { if (c.as32) c.r32[12] = v; else c.r16[24] = v; }
function setDI(c: Cpu, v: number): void { if (c.as32) c.r32[14] = v; else c.r16[28] = v; }
function getCX(c: Cpu): number { return c.as32 ? c.r32[2] >>> 0 : c.r16[4]; }
function setCX(c: Cpu, v: number): void { if (c.as32) c.r32[2] = v; else c.r16[4] = v; }

function rd(c: Cpu, s: number, o: number, n: number): number {
  return n === 1 ? c.rdS8(s, o) : n === 2 ? c.rdS16(s, o) : c.rdS32(s, o);
}
function wr(c: Cpu, s: number, o: number, n: number, v: number): void {
  if (n === 1) c.wrS8(s, o, v); else if (n === 2) c.wrS16(s, o, v); else c.wrS32(s, o, v);
}
function acc(c: Cpu, n: number): number { return n === 1 ? c.r8[0] : n === 2 ? c.r16[0] : c.r32[0]; }
function setAcc(c: Cpu, n: number, v: number): void {
  if (n === 1) c.r8[0] = v; else if (n === 2) c.r16[0] = v; else c.r32[0] = v;
}
function cmp(c: Cpu, n: number, a: number, b: number): void {
  if (n === 1) alu(c, 7, a, b, M8, S8); else if (n === 2) alu(c, 7, a, b, M16, S16); else alu(c, 7, a, b, M32, S32);
}

/**
 * Iterations a REP instruction performs per step. A longer one stops with EIP still at the
 * instruction and resumes on the next step, as an interrupted REP does on hardware, so slices,
 * exit requests and interrupt windows stay responsive.
 */
export const REP_CHUNK = 16384;

function width(c: Cpu, byte: boolean): number { return byte ? 1 : c.os32 ? 4 : 2; }

function step(c: Cpu, n: number): number { return (c.flags & DF) !== 0 ? -n : n; }
function adv(c: Cpu, v: number, d: number): number { return c.as32 ? (v + d) >>> 0 : (v + d) & 0xffff; }

function movs(c: Cpu, byte: boolean): void {
  const n = width(c, byte), d = step(c, n), src = c.dsSeg();
  if (c.rep === 0) {
    const si = getSI(c), di = getDI(c);
    wr(c, ES, di, n, rd(c, src, si, n));
    setSI(c, adv(c, si, d)); setDI(c, adv(c, di, d));
    return;
  }
  let cx = getCX(c);
  let done = 0;
  while (cx !== 0) {
    const si = getSI(c), di = getDI(c);
    wr(c, ES, di, n, rd(c, src, si, n));
    setSI(c, adv(c, si, d)); setDI(c, adv(c, di, d));
    cx = c.as32 ? (cx - 1) >>> 0 : (cx - 1) & 0xffff;
    setCX(c, cx);
    if (++done === REP_CHUNK && cx !== 0) { c.eip = c.startEip; return; }
  }
}

function stos(c: Cpu, byte: boolean): void {
  const n = width(c, byte), d = step(c, n), v = acc(c, n);
  if (c.rep === 0) {
    const di = getDI(c);
    wr(c, ES, di, n, v);
    setDI(c, adv(c, di, d));
    return;
  }
  let cx = getCX(c);
  let done = 0;
  while (cx !== 0) {
    const di = getDI(c);
    wr(c, ES, di, n, v);
    setDI(c, adv(c, di, d));
    cx = c.as32 ? (cx - 1) >>> 0 : (cx - 1) & 0xffff;
    setCX(c, cx);
    if (++done === REP_CHUNK && cx !== 0) { c.eip = c.startEip; return; }
  }
}

function lods(c: Cpu, byte: boolean): void {
  const n = width(c, byte), d = step(c, n), src = c.dsSeg();
  if (c.rep === 0) {
    const si = getSI(c);
    setAcc(c, n, rd(c, src, si, n));
    setSI(c, adv(c, si, d));
    return;
  }
  let cx = getCX(c);
  let done = 0;
  while (cx !== 0) {
    const si = getSI(c);
    setAcc(c, n, rd(c, src, si, n));
    setSI(c, adv(c, si, d));
    cx = c.as32 ? (cx - 1) >>> 0 : (cx - 1) & 0xffff;
    setCX(c, cx);
    if (++done === REP_CHUNK && cx !== 0) { c.eip = c.startEip; return; }
  }
}

function cmps(c: Cpu, byte: boolean): void {
  const n = width(c, byte), d = step(c, n), src = c.dsSeg();
  if (c.rep === 0) {
    const si = getSI(c), di = getDI(c);
    const a = rd(c, src, si, n), b = rd(c, ES, di, n);
    cmp(c, n, a, b);
    setSI(c, adv(c, si, d)); setDI(c, adv(c, di, d));
    return;
  }
  const wantZ = c.rep === 1;
  let cx = getCX(c);
  let done = 0;
  while (cx !== 0) {
    const si = getSI(c), di = getDI(c);
    const a = rd(c, src, si, n), b = rd(c, ES, di, n);
    cmp(c, n, a, b);
    setSI(c, adv(c, si, d)); setDI(c, adv(c, di, d));
    cx = c.as32 ? (cx - 1) >>> 0 : (cx - 1) & 0xffff;
    setCX(c, cx);
    if (c.getZF() !== wantZ) break;
    if (++done === REP_CHUNK && cx !== 0) { c.eip = c.startEip; return; }
  }
}

function scas(c: Cpu, byte: boolean): void {
  const n = width(c, byte), d = step(c, n), a = acc(c, n);
  if (c.rep === 0) {
    const di = getDI(c);
    cmp(c, n, a, rd(c, ES, di, n));
    setDI(c, adv(c, di, d));
    return;
  }
  const wantZ = c.rep === 1;
  let cx = getCX(c);
  let done = 0;
  while (cx !== 0) {
    const di = getDI(c);
    cmp(c, n, a, rd(c, ES, di, n));
    setDI(c, adv(c, di, d));
    cx = c.as32 ? (cx - 1) >>> 0 : (cx - 1) & 0xffff;
    setCX(c, cx);
    if (c.getZF() !== wantZ) break;
    if (++done === REP_CHUNK && cx !== 0) { c.eip = c.startEip; return; }
  }
}

function ins(c: Cpu, byte: boolean): void {
  const n = width(c, byte), d = step(c, n), port = c.r16[8];
  c.ioCheck(port, n);
  let cx = c.rep === 0 ? 1 : getCX(c);
  let done = 0;
  while (cx !== 0) {
    const di = getDI(c);
    // Check the destination before the port read so a faulting INS has no I/O side effect.
    c.chkW(ES, di, n);
    wr(c, ES, di, n, c.bus.ioRead(port, n as 1 | 2 | 4));
    setDI(c, adv(c, di, d));
    if (c.rep === 0) return;
    cx = c.as32 ? (cx - 1) >>> 0 : (cx - 1) & 0xffff;
    setCX(c, cx);
    if (++done === REP_CHUNK && cx !== 0) { c.eip = c.startEip; return; }
  }
}

function outs(c: Cpu, byte: boolean): void {
  const n = width(c, byte), d = step(c, n), port = c.r16[8], src = c.dsSeg();
  c.ioCheck(port, n);
  let cx = c.rep === 0 ? 1 : getCX(c);
  let done = 0;
  while (cx !== 0) {
    const si = getSI(c);
    c.bus.ioWrite(port, n as 1 | 2 | 4, rd(c, src, si, n) >>> 0);
    setSI(c, adv(c, si, d));
    if (c.rep === 0) return;
    cx = c.as32 ? (cx - 1) >>> 0 : (cx - 1) & 0xffff;
    setCX(c, cx);
    if (++done === REP_CHUNK && cx !== 0) { c.eip = c.startEip; return; }
  }
}

export function movsb(c: Cpu): void { movs(c, true); }
export function movsv(c: Cpu): void { movs(c, false); }
export function cmpsb(c: Cpu): void { cmps(c, true); }
export function cmpsv(c: Cpu): void { cmps(c, false); }
export function stosb(c: Cpu): void { stos(c, true); }
export function stosv(c: Cpu): void { stos(c, false); }
export function lodsb(c: Cpu): void { lods(c, true); }
export function lodsv(c: Cpu): void { lods(c, false); }
export function scasb(c: Cpu): void { scas(c, true); }
export function scasv(c: Cpu): void { scas(c, false); }
export function insb(c: Cpu): void { ins(c, true); }
export function insv(c: Cpu): void { ins(c, false); }
export function outsb(c: Cpu): void { outs(c, true); }
export function outsv(c: Cpu): void { outs(c, false); }
