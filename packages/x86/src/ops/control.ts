// Jumps, calls, returns, loops, INT/INTO/IRET, HLT (SDM Vol. 2).
import type { Cpu } from '../cpu.js';
import { X_BP, X_OF, X_BR, X_DB } from '../consts.js';

// One function literal per condition: each compiles on its own with cond(cc) folded to its
// flag test (a shared literal would compile once for all sixteen, the switch left in).
const JCC_JB: readonly ((c: Cpu) => void)[] = [
  (c) => { const d = c.fetchS8(); if (c.cond(0)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(1)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(2)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(3)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(4)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(5)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(6)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(7)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(8)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(9)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(10)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(11)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(12)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(13)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(14)) c.jumpNear(c.eip + d); },
  (c) => { const d = c.fetchS8(); if (c.cond(15)) c.jumpNear(c.eip + d); },
];

function relJz(c: Cpu): number { return c.os32 ? c.fetch32() : (c.fetch16() << 16) >> 16; }

const JCC_JZ: readonly ((c: Cpu) => void)[] = [
  (c) => { const d = relJz(c); if (c.cond(0)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(1)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(2)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(3)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(4)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(5)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(6)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(7)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(8)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(9)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(10)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(11)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(12)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(13)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(14)) c.jumpNear(c.eip + d); },
  (c) => { const d = relJz(c); if (c.cond(15)) c.jumpNear(c.eip + d); },
];

export function makeJccJb(cc: number): (c: Cpu) => void { return JCC_JB[cc]; }

export function makeJccJz(cc: number): (c: Cpu) => void { return JCC_JZ[cc]; }

export function jmpJb(c: Cpu): void { const d = c.fetchS8(); c.jumpNear(c.eip + d); }
export function jmpJz(c: Cpu): void {
  const d = c.os32 ? c.fetch32() : (c.fetch16() << 16) >> 16;
  c.jumpNear(c.eip + d);
}

export function callJz(c: Cpu): void {
  const d = c.os32 ? c.fetch32() : (c.fetch16() << 16) >> 16;
  const ret = c.eip;
  const t = c.os32 ? (ret + d) >>> 0 : (ret + d) & 0xffff;
  if (t > c.segLimit[1]) c.gp(0);
  c.pushV(ret);
  c.eip = t;
}

export function retIw(c: Cpu): void {
  const n = c.fetch16();
  const t = c.os32 ? c.peek32(0) >>> 0 : c.peek16(0);
  if (t > c.segLimit[1]) c.gp(0);
  c.setSP(c.spAdd((c.os32 ? 4 : 2) + n));
  c.eip = t;
}

export function ret(c: Cpu): void {
  const t = c.os32 ? c.peek32(0) >>> 0 : c.peek16(0);
  if (t > c.segLimit[1]) c.gp(0);
  c.setSP(c.spAdd(c.os32 ? 4 : 2));
  c.eip = t;
}

export function retfIw(c: Cpu): void { c.farReturn(c.fetch16()); }
export function retf(c: Cpu): void { c.farReturn(0); }

export function jmpAp(c: Cpu): void {
  const off = c.os32 ? c.fetch32() >>> 0 : c.fetch16();
  const sel = c.fetch16();
  c.farTransfer(sel, off, false);
}

export function callAp(c: Cpu): void {
  const off = c.os32 ? c.fetch32() >>> 0 : c.fetch16();
  const sel = c.fetch16();
  c.farTransfer(sel, off, true);
}

/** Address-size selects CX or ECX as the count register. */
function decCount(c: Cpu): number {
  if (c.as32) return (c.r32[2] = c.r32[2] - 1);
  return (c.r16[4] = c.r16[4] - 1);
}

export function loopne(c: Cpu): void {
  const d = c.fetchS8();
  if (decCount(c) !== 0 && !c.getZF()) c.jumpNear(c.eip + d);
}
export function loope(c: Cpu): void {
  const d = c.fetchS8();
  if (decCount(c) !== 0 && c.getZF()) c.jumpNear(c.eip + d);
}
export function loop(c: Cpu): void {
  const d = c.fetchS8();
  if (decCount(c) !== 0) c.jumpNear(c.eip + d);
}
export function jcxz(c: Cpu): void {
  const d = c.fetchS8();
  if ((c.as32 ? c.r32[2] : c.r16[4]) === 0) c.jumpNear(c.eip + d);
}

export function int3(c: Cpu): void { c.softInt(X_BP, false); }
export function intIb(c: Cpu): void { c.softInt(c.fetch8(), true); }
export function into(c: Cpu): void { if (c.getOF()) c.softInt(X_OF, false); }
/** F1: INT1 / ICEBP: a #DB delivered like an external event (no gate DPL check). */
export function int1(c: Cpu): void { c.interrupt(X_DB, false, 0, -1); }
export function iret(c: Cpu): void { c.iret(); }
export function hlt(c: Cpu): void { c.hlt(); }

/** 62: BOUND Gv, Ma (signed bounds; #BR when outside). */
export function bound(c: Cpu): void {
  c.decodeModrm();
  if (!c.isMem) c.ud();
  const s = c.eaSeg, o = c.ea >>> 0;
  if (c.os32) {
    const lo = c.rdS32(s, o), hi = c.rdS32(s, c.as32 ? (o + 4) >>> 0 : (o + 4) & 0xffff);
    const v = c.r32[c.regf << 1];
    if (v < lo || v > hi) c.fault(X_BR, -1);
  } else {
    const lo = (c.rdS16(s, o) << 16) >> 16;
    const hi = (c.rdS16(s, c.as32 ? (o + 2) >>> 0 : (o + 2) & 0xffff) << 16) >> 16;
    const v = (c.r16[c.regf << 2] << 16) >> 16;
    if (v < lo || v > hi) c.fault(X_BR, -1);
  }
}

/** FF group: INC, DEC, CALL near, CALL far, JMP near, JMP far, PUSH. */
export function grp5Indirect(c: Cpu, op: number): void {
  switch (op) {
    case 2: {
      const t = c.os32 ? c.readEd() >>> 0 : c.readEw();
      if (t > c.segLimit[1]) c.gp(0);
      c.pushV(c.eip);
      c.eip = t;
      return;
    }
    case 4: {
      const t = c.os32 ? c.readEd() >>> 0 : c.readEw();
      if (t > c.segLimit[1]) c.gp(0);
      c.eip = t;
      return;
    }
    case 3: case 5: {
      if (!c.isMem) c.ud();
      const w = c.os32 ? 4 : 2;
      const off = c.os32 ? c.rdS32(c.eaSeg, c.ea >>> 0) >>> 0 : c.rdS16(c.eaSeg, c.ea >>> 0);
      const sel = c.rdS16(c.eaSeg, c.as32 ? (c.ea + w) >>> 0 : (c.ea + w) & 0xffff);
      c.farTransfer(sel, off, op === 3);
      return;
    }
    default: {
      const v = c.readEv();
      c.pushV(v);
    }
  }
}
