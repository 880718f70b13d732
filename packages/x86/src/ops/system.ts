// Segment register moves and loads, descriptor-table and control-register instructions, CPUID,
// MSRs, RDTSC, and the x87 escape gate (SDM Vol. 2 and Vol. 3).
import type { Cpu } from '../cpu.js';
import { X87_MF, X87_OK, X87_UD, X87_WRITE_AX, X87_WRITE_FLAGS, x87OperandSize } from '../x87.js';
import {
  AF, CF, CR0_NE, OF, PF, SF, X_MF,
  CR0_MP, CR0_PE, CR0_TS, CR4_DE, CR4_PAE, DEFAULT_FEATURES, EFER_NXE, FEAT_PAE, FEAT_SEP, MSR_EFER, CR4_PGE, CR4_PSE, CR4_TSD, CS, DS, ES, FS, GS, SS, VM, ZF, X_NM,
} from '../consts.js';
import { descBase, descLimit } from '../desc.js';
import { FpuUnimplemented } from '../fpu/index.js';

function pm(c: Cpu): boolean { return (c.cr0 & CR0_PE) !== 0 && (c.flags & VM) === 0; }

/** Privileged instruction check: CPL 0 in protected mode (real mode is CPL 0). */
function priv(c: Cpu): void {
  if ((c.cr0 & CR0_PE) !== 0 && c.cpl !== 0) c.gp(0);
}

// ---- segment registers ----

export function movEwSw(c: Cpu): void {
  c.decodeModrm();
  if (c.regf > 5) c.ud();
  const v = c.segSel[c.regf];
  // A register destination with 32-bit operand size is zero-extended (P6 and later).
  if (!c.isMem && c.os32) c.r32[c.rmf << 1] = v; else c.writeEw(v);
}

export function movSwEw(c: Cpu): void {
  c.decodeModrm();
  if (c.regf > 5 || c.regf === CS) c.ud();
  c.loadSeg(c.regf, c.readEw());
  // MOV SS inhibits interrupts until after the next instruction.
  if (c.regf === SS) c.inhibitAt = c.retired + 1;
}

function lxs(c: Cpu, s: number): void {
  c.decodeModrm();
  if (!c.isMem) c.ud();
  const off = c.os32 ? c.rdS32(c.eaSeg, c.ea) : c.rdS16(c.eaSeg, c.ea);
  const w = c.os32 ? 4 : 2;
  const sel = c.rdS16(c.eaSeg, c.as32 ? (c.ea + w) >>> 0 : (c.ea + w) & 0xffff);
  c.loadSeg(s, sel);
  c.writeGv(off);
  if (s === SS) c.inhibitAt = c.retired + 1;
}

export function les(c: Cpu): void { lxs(c, ES); }
export function lds(c: Cpu): void { lxs(c, DS); }
export function lss(c: Cpu): void { lxs(c, SS); }
export function lfs(c: Cpu): void { lxs(c, FS); }
export function lgs(c: Cpu): void { lxs(c, GS); }

/** 63: ARPL Ew,Gw (protected mode only; #UD in real and V86 mode). */
export function arpl(c: Cpu): void {
  if (!pm(c)) c.ud();
  c.decodeModrm();
  const d = c.readEw();
  const s = c.r16[c.regf << 2];
  if ((d & 3) < (s & 3)) {
    c.writeEw((d & ~3) | (s & 3));
    c.setFlagBits(ZF, true);
  } else c.setFlagBits(ZF, false);
}

// ---- 0F 00: SLDT STR LLDT LTR VERR VERW ----

export function grp6(c: Cpu): void {
  if (!pm(c)) c.ud();
  c.decodeModrm();
  switch (c.regf) {
    case 0: if (!c.isMem && c.os32) c.r32[c.rmf << 1] = c.ldtrSel; else c.writeEw(c.ldtrSel); return;
    case 1: if (!c.isMem && c.os32) c.r32[c.rmf << 1] = c.trSel; else c.writeEw(c.trSel); return;
    case 2: {
      priv(c);
      const sel = c.readEw();
      if ((sel & ~3) === 0) { c.ldtrSel = sel; c.ldtrAcc = 0; c.ldtrBase = 0; c.ldtrLimit = 0; return; }
      if ((sel & 4) !== 0) c.gp(sel & 0xfffc);
      if (!c.readDesc(sel)) c.gp(sel & 0xfffc);
      const acc = (c.dHi >>> 8) & 0xff;
      if ((acc & 0x1f) !== 0x02) c.gp(sel & 0xfffc);
      if ((acc & 0x80) === 0) c.fault(11, sel & 0xfffc);
      c.ldtrSel = sel; c.ldtrAcc = acc;
      c.ldtrBase = descBase(c.dLo, c.dHi);
      c.ldtrLimit = descLimit(c.dLo, c.dHi);
      return;
    }
    case 3: {
      priv(c);
      const sel = c.readEw();
      if ((sel & ~3) === 0 || (sel & 4) !== 0) c.gp(sel & 0xfffc);
      if (!c.readDesc(sel)) c.gp(sel & 0xfffc);
      const acc = (c.dHi >>> 8) & 0xff;
      if ((acc & 0x17) !== 0x01) c.gp(sel & 0xfffc); // available 16- or 32-bit TSS
      if ((acc & 0x80) === 0) c.fault(11, sel & 0xfffc);
      // Mark the TSS busy in the GDT.
      c.sysWr8((c.gdtrBase + (sel & ~7) + 5) | 0, acc | 2);
      c.trSel = sel; c.trAcc = acc | 2;
      c.trBase = descBase(c.dLo, c.dHi);
      c.trLimit = descLimit(c.dLo, c.dHi);
      return;
    }
    case 4: case 5: {
      const sel = c.readEw();
      c.setFlagBits(ZF, verify(c, sel, c.regf === 5));
      return;
    }
    default: c.ud();
  }
}

function verify(c: Cpu, sel: number, write: boolean): boolean {
  if ((sel & ~3) === 0 || !c.readDesc(sel)) return false;
  const acc = (c.dHi >>> 8) & 0xff;
  if ((acc & 0x10) === 0) return false;
  const dpl = (acc >> 5) & 3;
  const conformingCode = (acc & 0xc) === 0xc;
  if (!conformingCode && (dpl < c.cpl || dpl < (sel & 3))) return false;
  if (write) return (acc & 0xa) === 0x2;
  return (acc & 0xa) !== 0x8;
}

/** LAR/LSL: ZF=1 and the access rights / limit when the descriptor is visible at CPL/RPL. */
function larLsl(c: Cpu, lsl: boolean): void {
  if (!pm(c)) c.ud();
  c.decodeModrm();
  const sel = c.readEw();
  let ok = (sel & ~3) !== 0 && c.readDesc(sel);
  if (ok) {
    const acc = (c.dHi >>> 8) & 0xff;
    const type = acc & 0x1f;
    const dpl = (acc >> 5) & 3;
    if ((acc & 0x10) === 0) {
      const okTypes = lsl ? [1, 2, 3, 9, 11] : [1, 2, 3, 4, 5, 9, 11, 12];
      ok = okTypes.includes(type & 0xf);
    }
    const conformingCode = (acc & 0x1c) === 0x1c;
    if (ok && !conformingCode && (dpl < c.cpl || dpl < (sel & 3))) ok = false;
  }
  c.setFlagBits(ZF, ok);
  if (!ok) return;
  if (lsl) {
    const l = (c.dLo & 0xffff) | (c.dHi & 0xf0000);
    const lim = (c.dHi & 0x800000) !== 0 ? ((l << 12) | 0xfff) : l;
    c.writeGv(lim);
  } else {
    c.writeGv(c.os32 ? c.dHi & 0x00f0ff00 : c.dHi & 0xff00);
  }
}

export function lar(c: Cpu): void { larLsl(c, false); }
export function lsl(c: Cpu): void { larLsl(c, true); }

// ---- 0F 01: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG ----

export function grp7(c: Cpu): void {
  c.decodeModrm();
  const op = c.regf;
  if (op === 4) {
    if (!c.isMem && c.os32) c.r32[c.rmf << 1] = c.cr0; else c.writeEw(c.cr0 & 0xffff);
    return;
  }
  if (op === 6) {
    priv(c);
    const v = c.readEw();
    // LMSW loads PE MP EM TS; it can set PE but never clear it.
    c.writeCr0((c.cr0 & ~0xe) | (v & 0xf) | (c.cr0 & CR0_PE));
    return;
  }
  if (!c.isMem) c.ud();
  const s = c.eaSeg, o = c.ea, o2 = c.as32 ? (o + 2) >>> 0 : (o + 2) & 0xffff;
  switch (op) {
    case 0: case 1: {
      c.chkW(s, o, 6);
      const lim = op === 0 ? c.gdtrLimit : c.idtrLimit;
      const base = op === 0 ? c.gdtrBase : c.idtrBase;
      c.wrS16(s, o, lim);
      c.wrS32(s, o2, base);
      return;
    }
    case 2: case 3: {
      priv(c);
      const lim = c.rdS16(s, o);
      let base = c.rdS32(s, o2);
      if (!c.os32) base &= 0xffffff;
      if (op === 2) { c.gdtrLimit = lim; c.gdtrBase = base; } else { c.idtrLimit = lim; c.idtrBase = base; }
      return;
    }
    case 7: {
      priv(c);
      c.invlpg((c.segBase[s] + o) | 0);
      return;
    }
    default: c.ud();
  }
}

export function clts(c: Cpu): void { priv(c); c.cr0 &= ~CR0_TS; }
export function invd(c: Cpu): void { priv(c); }

// PCE (0x100): RDPMC at any CPL, meaningful since the P6 counters exist.
const CR4_OK = CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | 0x100;

/** 0F 20: MOV r32, CRn (the mod field is ignored: always a register). */
export function movRdCd(c: Cpu): void {
  const m = c.fetch8();
  priv(c);
  const cr = (m >> 3) & 7;
  let v: number;
  switch (cr) {
    case 0: v = c.cr0; break;
    case 2: v = c.cr2; break;
    case 3: v = c.cr3; break;
    case 4: v = c.cr4; break;
    default: c.ud();
  }
  c.r32[(m & 7) << 1] = v;
}

export function movCdRd(c: Cpu): void {
  const m = c.fetch8();
  priv(c);
  const cr = (m >> 3) & 7;
  const v = c.r32[(m & 7) << 1];
  switch (cr) {
    case 0: c.writeCr0(v); break;
    case 2: c.cr2 = v; break;
    case 3: c.writeCr3(v); break;
    case 4:
      if ((v & ~CR4_OK) !== 0) c.gp(0);
      // CR4.PAE is reserved on a CPU that does not report PAE.
      if ((v & CR4_PAE) !== 0 && (c.cpuidEdx1 & FEAT_PAE) === 0) c.gp(0);
      // With paging on, a change of PAE/PSE/PGE that leaves PAE set reloads the PDPTEs (§4.4.1).
      c.writeCr4(v);
      break;
    default: c.ud();
  }
}

function drIndex(c: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if ((c.cr4 & CR4_DE) !== 0) c.ud();
    return n + 2;
  }
  return n;
}

export function movRdDd(c: Cpu): void {
  const m = c.fetch8();
  priv(c);
  c.r32[(m & 7) << 1] = c.dr[drIndex(c, (m >> 3) & 7)];
}

export function movDdRd(c: Cpu): void {
  const m = c.fetch8();
  priv(c);
  const i = drIndex(c, (m >> 3) & 7);
  let v = c.r32[(m & 7) << 1];
  if (i === 6) v = (v & 0xe00f) | 0xffff0ff0;
  else if (i === 7) {
    // Hardware breakpoints are not modelled: enabling one would silently never fire.
    if ((v & 0xff) !== 0) c.unimplemented('debug-register breakpoints (DR7 enable bits)');
    v = (v & ~0xd800) | 0x400;
  }
  c.dr[i] = v;
}

// ---- CPUID, RDTSC, MSRs ----

export { DEFAULT_FEATURES };

function vendorWords(v: string): [number, number, number] {
  const b = new Uint8Array(12);
  for (let i = 0; i < 12 && i < v.length; i++) b[i] = v.charCodeAt(i);
  const w = (i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
  return [w(0), w(4), w(8)];
}

export function cpuid(c: Cpu): void {
  const leaf = c.r32[0] >>> 0;
  const sub = c.r32[2] >>> 0;
  const o = c.cpuidOpts;
  let a = 0, b = 0, cc = 0, d = 0;
  const h = o.hook ? o.hook(leaf, sub) : undefined;
  if (h) { [a, b, cc, d] = h; }
  else if (leaf === 0) {
    const [v0, v1, v2] = vendorWords(o.vendor ?? 'GenuineIntel');
    a = 1; b = v0; d = v1; cc = v2;
  } else if (leaf === 1) {
    a = o.signature ?? 0x633;
    // FPU (bit 0) only when an x87 unit is plugged in.
    d = c.cpuidEdx1;
  } else if (leaf === 0x80000000) {
    // Extended leaves exist only to report NX (when configured).
    if (c.nxAvail) a = 0x80000001;
  } else if (leaf === 0x80000001) {
    if (c.nxAvail) d = 1 << 20;
  }
  c.r32[0] = a; c.r32[6] = b; c.r32[2] = cc; c.r32[4] = d;
}

export function rdtsc(c: Cpu): void {
  if ((c.cr4 & CR4_TSD) !== 0 && c.cpl !== 0 && (c.cr0 & CR0_PE) !== 0) c.gp(0);
  const t = c.retired + c.tscOffset;
  c.r32[0] = t % 0x100000000;
  c.r32[4] = Math.floor(t / 0x100000000);
}

/** 0F 33 RDPMC: PERFCTR0/1 (40 bits) by ECX; CPL > 0 needs CR4.PCE (SDM RDPMC). */
export function rdpmc(c: Cpu): void {
  const n = c.r32[2] >>> 0;
  if (((c.cr4 & 0x100) === 0 && c.cpl !== 0 && (c.cr0 & CR0_PE) !== 0) || n > 1) c.gp(0);
  const v = c.perfMsr[n];
  c.r32[0] = v % 0x100000000;
  c.r32[4] = Math.floor(v / 0x100000000) & 0xff;
}

/** MSRs that exist on a P6-class CPU but that we do not model: touching them fails stop. */
function p6Msr(n: number): boolean {
  return n === 0x1b || n === 0x2a || n === 0x79 ||
    n === 0xfe || (n >= 0x1d9 && n <= 0x1de) || (n >= 0x200 && n <= 0x2ff);
}

export function rdmsr(c: Cpu): void {
  priv(c);
  const n = c.r32[2] >>> 0;
  if (c.bus.msrRead) {
    const h = c.bus.msrRead(n);
    if (h !== undefined) {
      c.r32[0] = Number(h & 0xffffffffn);
      c.r32[4] = Number((h >> 32n) & 0xffffffffn);
      return;
    }
  }
  let v: number;
  switch (n) {
    case 0x10: v = c.retired + c.tscOffset; break;
    // IA32_PLATFORM_ID: platform bits 0 (no microcode update selection to make).
    case 0x17: v = 0; break;
    // IA32_BIOS_SIGN_ID: the high dword is the loaded microcode revision; none is loaded.
    case 0x8b: v = c.biosSignId; break;
    // P6 performance monitoring (SDM Vol. 3 §20.6.8): PERFCTR0/1 and EVNTSEL0/1 hold what was
    // written; the counters do not count and raise no PMI. Linux probes and arms them at boot.
    case 0xc1: case 0xc2: v = c.perfMsr[n - 0xc1]; break;
    case 0x186: case 0x187: v = c.perfMsr[n - 0x186 + 2]; break;
    // Machine-check architecture with zero banks and no MCG_CTL: MCG_CAP = 0, MCG_STATUS = 0
    // (so MCG_CTL and the bank MSRs do not exist and raise #GP, as the SDM's MCG_CAP implies).
    case 0x179: case 0x17a: v = 0; break;
    case 0x174: v = c.sysenterCs; break;
    case 0x175: v = c.sysenterEsp >>> 0; break;
    case 0x176: v = c.sysenterEip >>> 0; break;
    case MSR_EFER: if (!c.nxAvail) c.gp(0); v = c.efer; break;
    default:
      if (p6Msr(n)) c.unimplemented(`RDMSR of MSR 0x${n.toString(16)}`);
      c.gp(0);
  }
  c.r32[0] = v % 0x100000000;
  c.r32[4] = Math.floor(v / 0x100000000);
}

export function wrmsr(c: Cpu): void {
  priv(c);
  const n = c.r32[2] >>> 0;
  const lo = c.r32[0] >>> 0, hi = c.r32[4] >>> 0;
  if (c.bus.msrWrite && c.bus.msrWrite(n, (BigInt(hi) << 32n) | BigInt(lo))) return;
  switch (n) {
    case 0x10: c.tscOffset = hi * 0x100000000 + lo - c.retired; return;
    // Software writes 0 here before CPUID to read the revision back (SDM Vol. 3 §9.11.7.1).
    case 0x8b: c.biosSignId = hi * 0x100000000 + lo; return;
    // Counters are 40 bits wide; event selects 32.
    case 0xc1: case 0xc2: c.perfMsr[n - 0xc1] = (hi & 0xff) * 0x100000000 + lo; return;
    case 0x186: case 0x187: c.perfMsr[n - 0x186 + 2] = lo; return;
    // MCG_STATUS accepts zero (software clears MCIP after a handler); MCG_CAP is read-only.
    case 0x17a: if (lo !== 0 || hi !== 0) c.gp(0); return;
    case 0x174: c.sysenterCs = lo & 0xffff; return;
    case 0x175: c.sysenterEsp = lo; return;
    case 0x176: c.sysenterEip = lo; return;
    // IA32_EFER exists with NX only; NXE is its one writable bit (no SYSCALL, no long mode).
    case MSR_EFER:
      if (!c.nxAvail || (lo & ~EFER_NXE) !== 0 || hi !== 0) c.gp(0);
      if (((c.efer ^ lo) & EFER_NXE) !== 0) c.flushTlb();
      c.efer = lo;
      return;
    default:
      if (p6Msr(n)) c.unimplemented(`WRMSR of MSR 0x${n.toString(16)}`);
      c.gp(0);
  }
}

// ---- SYSENTER / SYSEXIT (only when opts.cpuid.features sets SEP; #UD otherwise) ----

/** 0F 34 SYSENTER: flat ring-0 CS/SS from SYSENTER_CS, ESP/EIP from the MSRs (SDM SYSENTER). */
export function sysenter(c: Cpu): void {
  // Without SEP the instruction does not exist (it came with the Pentium II): #UD.
  if ((c.cpuidEdx1 & FEAT_SEP) === 0) c.ud();
  if ((c.cr0 & CR0_PE) === 0 || (c.sysenterCs & 0xfffc) === 0) c.gp(0);
  c.setFlags(c.getFlags() & ~(VM | 0x200 | 0x10000));
  const cs = c.sysenterCs & 0xfffc;
  c.setCpl(0);
  c.loadSegRaw(CS, cs, 0, 0xffffffff, 0xc09b);
  c.loadSegRaw(SS, cs + 8, 0, 0xffffffff, 0xc093);
  c.r32[8] = c.sysenterEsp;
  c.eip = c.sysenterEip >>> 0;
}

/** 0F 35 SYSEXIT: back to flat ring-3 segments at SYSENTER_CS+16/+24; ESP = ECX, EIP = EDX. */
export function sysexit(c: Cpu): void {
  if ((c.cpuidEdx1 & FEAT_SEP) === 0) c.ud();
  if ((c.cr0 & CR0_PE) === 0 || (c.flags & VM) !== 0 || c.cpl !== 0 || (c.sysenterCs & 0xfffc) === 0) c.gp(0);
  const base = c.sysenterCs & 0xfffc;
  c.setCpl(3);
  c.loadSegRaw(CS, (base + 16) | 3, 0, 0xffffffff, 0xc0fb);
  c.loadSegRaw(SS, (base + 24) | 3, 0, 0xffffffff, 0xc0f3);
  c.r32[8] = c.r32[2];
  c.eip = c.r32[4] >>> 0;
}

// ---- x87 gate ----

/**
 * D8-DF: x87 escapes. #NM when CR0.EM or CR0.TS (SDM Vol. 3 §2.5); then the plugged x87 unit
 * executes it, or the CPU fails stop when there is none.
 */
export function makeFpuEscape(op: number): (c: Cpu) => void {
  return (c) => {
    c.fpuCheck();
    const unit = c.x87;
    if (!unit) return c.unimplemented('x87 instruction');
    c.decodeModrm();
    const ctx = c.x87ctx;
    if (c.isMem) {
      const n = x87OperandSize(op, c.regf, c.os32);
      if (n < 0) c.chkW(c.eaSeg, c.ea, -n); else c.chkR(c.eaSeg, c.ea, n);
      ctx.mem = c.x87mem;
      ctx.ea = (c.segBase[c.eaSeg] + c.ea) >>> 0;
      ctx.offset = c.ea;
      ctx.ds = c.segSel[c.eaSeg];
    } else ctx.mem = null;
    ctx.cs = c.segSel[CS];
    ctx.eip = c.startEip;
    ctx.opSize32 = c.os32;
    ctx.realMode = (c.cr0 & CR0_PE) === 0 || (c.flags & VM) !== 0;
    ctx.eflags = c.getFlags();
    // CR0.NE = 0 (PC-style FERR#/IRQ13 reporting) is run with IGNNE# asserted: errors are
    // recorded in FSW but neither #MF nor IRQ13 is raised.
    ctx.ignne = (c.cr0 & CR0_NE) === 0;
    let r: number;
    try {
      r = unit.exec(op, c.modrm, ctx);
    } catch (e) {
      // The unit's own fail-stop error becomes the CPU's, with the address and the bytes.
      if (e instanceof FpuUnimplemented) return c.unimplemented(`x87 ${e.what}`);
      throw e;
    }
    if (r === X87_OK) return;
    if ((r & X87_UD) !== 0) c.ud();
    if ((r & X87_MF) !== 0) {
      // CR0.NE=1: #MF at this instruction. The legacy FERR#/IRQ13 path is not modelled.
      if ((c.cr0 & CR0_NE) !== 0) c.fault(X_MF, -1);
      c.unimplemented('x87 error reporting through FERR#/IRQ13 (CR0.NE = 0)');
    }
    if ((r & X87_WRITE_AX) !== 0) c.r16[0] = ctx.ax;
    if ((r & X87_WRITE_FLAGS) !== 0) {
      c.materialize();
      c.flags = (c.flags & ~(ZF | PF | CF | OF | SF | AF)) | (ctx.flags & (ZF | PF | CF));
    }
  };
}

/** 9B WAIT/FWAIT: #NM when TS and MP are both set; #MF for a pending unmasked x87 error (NE=1). */
export function fwait(c: Cpu): void {
  if ((c.cr0 & (CR0_TS | CR0_MP)) === (CR0_TS | CR0_MP)) c.fault(X_NM, -1);
  if (c.x87 && (c.cr0 & CR0_NE) !== 0 && c.x87.waitCheck()) c.fault(X_MF, -1);
}
