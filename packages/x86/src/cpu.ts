// The CPU core: register file, lazy flags, segmentation, paging, exceptions and the run loop.
// Instruction handlers live in ops/*.ts and reach the core through the methods here.
import { ExitReason } from './bus.js';
import type { GuestPhysicalMemory, ShadowMmu, X86Bus } from './bus.js';
import {
  DEFAULT_FEATURES, AC, ARITH, CF, CR0_EM, CR0_PE, CR0_PG, CR0_TS, CR0_WP, CR4_PAE, CR4_PGE, CR4_PSE, CS, DF, EFER_NXE, DS, ES, FS, FLAGS_WRITABLE, GS,
  ID, IF, IOPL, NT, OF, PF, RF, SF, SS, TF, VM, X_DB, X_DF, X_GP, X_NP, X_PF, X_SS, X_TS, X_UD, ZF, AF, X_NM,
} from './consts.js';
import { GuestException, X86Unimplemented } from './errors.js';
import { OPS } from './decode/table.js';
import { descBase, descLimit } from './desc.js';
import { disassemble } from './disasm.js';
import { CpuLinearMemory, newX87Context } from './x87.js';
import { Fpu } from './fpu/index.js';
import type { FpuState } from './fpu/index.js';
import type { X87Context, X87Memory, X87Unit } from './x87.js';

/** CPUID configuration: what the guest is told. Only implemented features should be advertised. */
export interface CpuidOptions {
  /** 12-character vendor string (default "GenuineIntel"). */
  vendor?: string;
  /** Leaf 1 EAX: family/model/stepping (default 0x633, a Pentium II class signature). */
  signature?: number;
  /** Leaf 1 EDX feature bits (default: what this CPU implements). */
  features?: number;
  /**
   * Advertise CPUID.80000001H:EDX.NX (bit 20): IA32_EFER (MSR 0xC0000080) then exists and its
   * NXE bit makes bit 63 of PAE entries execute-disable. Off by default (a P6 has no NX).
   */
  nx?: boolean;
  /** Called first for every leaf; a returned [eax, ebx, ecx, edx] replaces the built-in answer. */
  hook?: (leaf: number, subleaf: number) => readonly [number, number, number, number] | undefined;
}

/** Construction options of {@link Cpu}. */
export interface CpuOptions {
  cpuid?: CpuidOptions;
  /**
   * Receives debug lines: every instruction (disassembled) in builds with DEBUG_XED=1, every
   * exception delivery in builds with DEBUG_EMULATOR=1. Unused otherwise.
   */
  trace?: (line: string) => void;
  /**
   * The x87 unit that executes D8-DF: by default the built-in `Fpu`; `null` builds a CPU
   * without one (x87 instructions fail stop after the CR0.EM / CR0.TS #NM checks, and CPUID
   * does not report FPU).
   */
  x87?: X87Unit | null;
}

/** One segment register: the visible selector and the hidden descriptor cache. */
export interface SegmentState {
  selector: number;
  base: number;
  limit: number;
  /** Descriptor bits 40-55: type, S, DPL, P in bits 0-7; AVL, L, D/B, G in bits 12-15. */
  access: number;
}

/** A table register (GDTR/IDTR). */
export interface TableState {
  base: number;
  limit: number;
}

/** The architectural state a loader, a test or a fail-stop dump needs. All values unsigned. */
export interface CpuState {
  eax: number; ecx: number; edx: number; ebx: number;
  esp: number; ebp: number; esi: number; edi: number;
  eip: number;
  eflags: number;
  es: SegmentState; cs: SegmentState; ss: SegmentState;
  ds: SegmentState; fs: SegmentState; gs: SegmentState;
  cr0: number; cr2: number; cr3: number; cr4: number;
  gdtr: TableState;
  idtr: TableState;
  ldtr: SegmentState;
  tr: SegmentState;
  /** DR0-DR7 (for checkpoints). */
  dr?: number[];
  /** The time-stamp counter's value now (retired instructions plus the MSR 0x10 offset). */
  tsc?: number;
  /** Instructions retired since reset (the virtual clock). */
  retired?: number;
  /** HLT state. */
  halted?: boolean;
  /** The interrupt shadow of STI / MOV SS covers the next instruction boundary. */
  interruptShadow?: boolean;
  /** MSRs with state: SYSENTER_CS/ESP/EIP, IA32_BIOS_SIGN_ID. */
  msr?: { sysenterCs: number; sysenterEsp: number; sysenterEip: number; biosSignId: number; perf?: number[]; efer?: number };
  /** The A20 gate (false while A20M# is asserted). */
  a20?: boolean;
  /** State of the x87 unit, when it can report one. */
  x87?: FpuState;
}

/** EFLAGS bits that are computed lazily from the last arithmetic operation. */
const LAZY_ALL = ARITH;
/** Lazy operation kinds. */
const LOP_ADD = 0;
const LOP_SUB = 1;

const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
/** The data segment registers, in one shared array (no allocation on the interrupt paths). */
const DATA_SEGS: readonly number[] = [ES, DS, FS, GS];
const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

/** Byte offsets of AL, CL, DL, BL, AH, CH, DH, BH in the register file (8 bytes per register). */
const BREG = new Int32Array([0, 8, 16, 24, 1, 9, 17, 25]);

/** Parity of a byte: PF set when the number of one bits is even. */
const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4; b ^= b >> 2; b ^= b >> 1;
  PARITY[i] = (b & 1) === 0 ? PF : 0;
}

/** Exception classes for the double-fault rule (SDM Vol. 3 Table 6-5). */
function isContributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

const TLB_SIZE = 1 << 20;
/** Task-switch sources (SDM Vol. 3 Table 7-2). */
const TS_JMP = 0;
const TS_CALL = 1;
const TS_IRET = 2;
const TS_INT = 3;
/** Index of EDX in r32. */
const EDX_I = 4;
/** Every EFLAGS bit the CPU stores. */
const FLAGS_ALL = FLAGS_WRITABLE | 2;
// Pages filled since the last flush are listed so a flush clears only them (a CR3 write per
// context switch must not cost a 16 MiB fill); beyond this many, the tables are refilled whole.
const TLB_LIST_MAX = 1 << 16;

/**
 * The CPU. All state is in fields assigned in the constructor (monomorphic shape); registers live
 * in typed arrays so handlers index them without allocation.
 */
/** Reserved bits of a 4 MiB PDE in 32-bit paging without PSE-36: 21:13. */
const PDE4M_RSVD = 0x003fe000;

export class Cpu {
  // ---- register file: 8 bytes per register (32-bit halves in an Int32Array, low half first) ----
  readonly regBuf = new ArrayBuffer(16 * 8);
  readonly r32 = new Int32Array(this.regBuf);
  readonly r16 = new Uint16Array(this.regBuf);
  readonly r8 = new Uint8Array(this.regBuf);
  eip = 0;
  /** EFLAGS, except bits currently held lazily (see `lazy`). */
  flags = 2;
  // ---- lazy flags ----
  lazy = 0;
  lop = 0;
  la = 0;
  lb = 0;
  lres = 0;
  lmask = 0;
  lsign = 0;
  lcin = 0;
  // ---- segments ----
  readonly segSel = new Int32Array(6);
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Float64Array(6);
  readonly segAcc = new Int32Array(6);
  readonly segLo = new Float64Array(6);
  readonly segRHi = new Float64Array(6);
  readonly segWHi = new Float64Array(6);
  cpl = 0;
  /** CS.D: default operand/address size is 32 bits. */
  cs32 = false;
  /** SS.B: the stack pointer is ESP (else SP). */
  ss32 = false;
  // ---- system registers ----
  cr0 = 0;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  gdtrBase = 0;
  gdtrLimit = 0;
  idtrBase = 0;
  idtrLimit = 0;
  ldtrSel = 0;
  ldtrBase = 0;
  ldtrLimit = 0;
  ldtrAcc = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0;
  trAcc = 0;
  tscOffset = 0;
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  /** MSR 0x8B (IA32_BIOS_SIGN_ID). */
  biosSignId = 0;
  /** PERFCTR0, PERFCTR1, EVNTSEL0, EVNTSEL1 (stored, not counting). */
  readonly perfMsr = new Float64Array(4);
  // ---- decode state of the current instruction ----
  os32 = false;
  as32 = false;
  segOvr = -1;
  rep = 0;
  lock = 0;
  modrm = 0;
  regf = 0;
  rmf = 0;
  isMem = false;
  ea = 0;
  eaSeg = DS;
  startEip = 0;
  startEsp = 0;
  // ---- run state ----
  /** Instructions retired since reset (HLT counts as one). */
  retired = 0;
  /** Instructions retired by the last `run` call. */
  lastRetired = 0;
  halted = false;
  shutdown = false;
  /** Retired count at which the STI / MOV SS interrupt shadow applies. */
  inhibitAt = -1;
  /** Bits: 1 exit requested, 2 interrupt-window exit armed, 4 TF set, 8 HLT/shutdown this step. */
  pending = 0;
  tfArmed = false;
  /**
   * Vector of the first interrupt or exception dispatched since this was last set to -1
   * (diagnostics and conformance tools; a double fault keeps the original vector here).
   */
  lastVector = -1;
  // ---- exception being raised ----
  excVector = 0;
  excError = 0;
  excHasError = false;
  readonly exc = new GuestException();
  // ---- memory ----
  readonly mem: GuestPhysicalMemory;
  readonly bus: X86Bus;
  ram: Uint8Array;
  dv: DataView;
  ramLen: number;
  frameFlags: Uint8Array;
  readonly tlbR0 = new Int32Array(TLB_SIZE).fill(-1);
  readonly tlbW0 = new Int32Array(TLB_SIZE).fill(-1);
  tlbR3: Int32Array;
  tlbW3: Int32Array;
  tlbR: Int32Array;
  tlbW: Int32Array;
  readonly tlbList = new Int32Array(TLB_LIST_MAX);
  tlbCount = 0;
  tlbOverflow = false;
  /**
   * Fetch window: EIP values fwLo..fwHi lie in one plain-RAM code page inside the CS limit and
   * map to ram[fwDelta + eip]. Empty (fwLo > fwHi) when invalidated.
   */
  fwLo = 1;
  fwHi = 0;
  fwDelta = 0;
  /** Set by prefixes (and CS loads) so the loop resets the decode state after the instruction. */
  prefixed = false;
  readonly cpuidOpts: CpuidOptions;
  /** CPUID.1:EDX as reported; the optional instructions and modes follow it. */
  readonly cpuidEdx1: number;
  /** CPUID.80000001H:EDX.NX is reported (IA32_EFER exists). */
  readonly nxAvail: boolean;
  /** IA32_EFER: only NXE (bit 11) is implemented. */
  efer = 0;
  /** PAE PDPTE registers (SDM Vol. 3 §4.4.1), loaded from the PDPT when CR3/CR0/CR4 say so. */
  readonly pdpteLo = new Int32Array(4);
  readonly pdpteHi = new Int32Array(4);
  /** Per 2 MiB linear region: a TLB entry came from a large page (INVLPG drops the whole page). */
  readonly tlbLarge = new Uint8Array(2048);
  tlbLargeAny = false;
  /** Shadow-paging intercepts (see {@link ShadowMmu}); null: the CPU walks the guest's tables. */
  shadowMmu: ShadowMmu | null = null;
  readonly trace: ((line: string) => void) | undefined;
  readonly x87: X87Unit | undefined;
  readonly x87ctx: X87Context = newX87Context();
  readonly x87mem: X87Memory;

  constructor(mem: GuestPhysicalMemory, bus: X86Bus, opts: CpuOptions = {}) {
    this.mem = mem;
    this.bus = bus;
    this.ram = mem.ram;
    this.dv = new DataView(mem.ram.buffer, mem.ram.byteOffset, mem.ram.byteLength);
    this.ramLen = mem.ram.length;
    this.frameFlags = mem.frameFlags;
    this.tlbR3 = this.tlbR0;
    this.tlbW3 = this.tlbW0;
    this.tlbR = this.tlbR0;
    this.tlbW = this.tlbW0;
    this.cpuidOpts = opts.cpuid ?? {};
    this.trace = opts.trace;
    this.x87 = opts.x87 === null ? undefined : opts.x87 ?? new Fpu();
    this.x87mem = new CpuLinearMemory(this);
    // FPU (bit 0) only when an x87 unit is plugged in.
    this.cpuidEdx1 = this.cpuidOpts.features ?? (DEFAULT_FEATURES | (this.x87 ? 1 : 0));
    this.nxAvail = this.cpuidOpts.nx === true;
    this.reset();
  }

  // =============================================================================================
  // Reset and state access
  // =============================================================================================

  /** Power-on / RESET state (SDM Vol. 3 §9.1.1, Table 9-1). */
  reset(): void {
    this.r32.fill(0);
    this.r32[EDX_I] = this.cpuidOpts.signature ?? 0x633;
    this.eip = 0xfff0;
    this.flags = 2;
    this.lazy = 0;
    this.cr0 = 0x60000010;
    this.cr2 = 0;
    this.cr3 = 0;
    this.cr4 = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    for (let s = 0; s < 6; s++) this.loadSegRaw(s, 0, 0, 0xffff, 0x93);
    this.loadSegRaw(CS, 0xf000, 0xffff0000 | 0, 0xffff, 0x9b);
    this.gdtrBase = 0; this.gdtrLimit = 0xffff;
    this.idtrBase = 0; this.idtrLimit = 0xffff;
    this.ldtrSel = 0; this.ldtrBase = 0; this.ldtrLimit = 0xffff; this.ldtrAcc = 0x82;
    this.trSel = 0; this.trBase = 0; this.trLimit = 0xffff; this.trAcc = 0x8b;
    this.cpl = 0;
    this.tscOffset = 0;
    this.sysenterCs = 0; this.sysenterEsp = 0; this.sysenterEip = 0;
    this.efer = 0;
    this.pdpteLo.fill(0); this.pdpteHi.fill(0);
    this.biosSignId = 0;
    this.perfMsr.fill(0);
    this.retired = 0;
    this.lastRetired = 0;
    this.halted = false;
    this.shutdown = false;
    this.inhibitAt = -1;
    this.pending &= 2;
    this.tfArmed = false;
    this.flushTlb();
    this.x87?.reset();
  }

  /** Load a segment register's selector and hidden part directly (no checks). */
  loadSegRaw(s: number, sel: number, base: number, limit: number, access: number): void {
    this.segSel[s] = sel & 0xffff;
    this.segBase[s] = base | 0;
    this.segLimit[s] = limit >>> 0;
    this.segAcc[s] = access;
    this.segUpdated(s);
  }

  /** Recompute the access window of a segment after its hidden part changed. */
  segUpdated(s: number): void {
    const lim = this.segLimit[s];
    const acc = this.segAcc[s];
    if ((this.cr0 & CR0_PE) === 0 || (this.flags & VM) !== 0) {
      this.segLo[s] = 0;
      this.segRHi[s] = lim;
      this.segWHi[s] = lim;
    } else if ((acc & 0x80) === 0) {
      // Null or not-present: every access faults.
      this.segLo[s] = 1;
      this.segRHi[s] = 0;
      this.segWHi[s] = 0;
    } else if ((acc & 0x8) !== 0) {
      // Code: readable if R; never writable in protected mode.
      this.segLo[s] = 0;
      this.segRHi[s] = (acc & 2) !== 0 ? lim : -1;
      this.segWHi[s] = -1;
    } else if ((acc & 0x4) !== 0) {
      // Expand-down data: valid offsets are limit+1 .. 0xFFFF or 0xFFFFFFFF (B bit).
      const hi = (acc & 0x4000) !== 0 ? 0xffffffff : 0xffff;
      this.segLo[s] = lim + 1;
      this.segRHi[s] = hi;
      this.segWHi[s] = (acc & 2) !== 0 ? hi : -1;
    } else {
      this.segLo[s] = 0;
      this.segRHi[s] = lim;
      this.segWHi[s] = (acc & 2) !== 0 ? lim : -1;
    }
    if (s === CS) {
      this.cs32 = (acc & 0x4000) !== 0 && (this.cr0 & CR0_PE) !== 0 && (this.flags & VM) === 0;
      this.fwLo = 1; this.fwHi = 0;
      this.prefixed = true;
    } else if (s === SS) {
      this.ss32 = (acc & 0x4000) !== 0 && (this.cr0 & CR0_PE) !== 0 && (this.flags & VM) === 0;
    }
  }

  /** Real-mode style segment load: selector, base = selector * 16, limit and rights kept. */
  setRealModeSegment(s: number, sel: number): void {
    this.segSel[s] = sel & 0xffff;
    this.segBase[s] = (sel & 0xffff) << 4;
    this.segUpdated(s);
  }

  /** Snapshot of the architectural state. */
  getState(): CpuState {
    const seg = (s: number): SegmentState => ({
      selector: this.segSel[s], base: this.segBase[s] >>> 0, limit: this.segLimit[s], access: this.segAcc[s],
    });
    return {
      eax: this.r32[0] >>> 0, ecx: this.r32[2] >>> 0, edx: this.r32[4] >>> 0, ebx: this.r32[6] >>> 0,
      esp: this.r32[8] >>> 0, ebp: this.r32[10] >>> 0, esi: this.r32[12] >>> 0, edi: this.r32[14] >>> 0,
      eip: this.eip >>> 0,
      eflags: this.getFlags() >>> 0,
      es: seg(ES), cs: seg(CS), ss: seg(SS), ds: seg(DS), fs: seg(FS), gs: seg(GS),
      cr0: this.cr0 >>> 0, cr2: this.cr2 >>> 0, cr3: this.cr3 >>> 0, cr4: this.cr4 >>> 0,
      gdtr: { base: this.gdtrBase >>> 0, limit: this.gdtrLimit },
      idtr: { base: this.idtrBase >>> 0, limit: this.idtrLimit },
      ldtr: { selector: this.ldtrSel, base: this.ldtrBase >>> 0, limit: this.ldtrLimit >>> 0, access: this.ldtrAcc },
      tr: { selector: this.trSel, base: this.trBase >>> 0, limit: this.trLimit >>> 0, access: this.trAcc },
      dr: Array.from(this.dr, (v) => v >>> 0),
      tsc: this.retired + this.tscOffset,
      retired: this.retired,
      halted: this.halted,
      interruptShadow: this.inhibitAt === this.retired,
      msr: {
        sysenterCs: this.sysenterCs, sysenterEsp: this.sysenterEsp >>> 0, sysenterEip: this.sysenterEip >>> 0,
        biosSignId: this.biosSignId, perf: Array.from(this.perfMsr), efer: this.efer,
      },
      a20: this.a20Mask === -1,
      x87: this.x87?.getState ? this.x87.getState() : undefined,
    };
  }

  /** Overwrite any part of the state. Segment entries given without `base` get real-mode bases. */
  setState(st: Partial<CpuState>): void {
    for (let i = 0; i < 8; i++) {
      const v = st[REG_NAMES[i]];
      if (v !== undefined) this.r32[i << 1] = v | 0;
    }
    if (st.eip !== undefined) this.eip = st.eip >>> 0;
    if (st.cr0 !== undefined) this.cr0 = st.cr0 | 0;
    if (st.cr2 !== undefined) this.cr2 = st.cr2 | 0;
    if (st.cr3 !== undefined) this.cr3 = st.cr3 | 0;
    if (st.cr4 !== undefined) this.cr4 = st.cr4 | 0;
    if (st.eflags !== undefined) this.setFlags(st.eflags | 2);
    if (st.gdtr) { this.gdtrBase = st.gdtr.base | 0; this.gdtrLimit = st.gdtr.limit & 0xffff; }
    if (st.idtr) { this.idtrBase = st.idtr.base | 0; this.idtrLimit = st.idtr.limit & 0xffff; }
    if (st.ldtr) {
      this.ldtrSel = st.ldtr.selector; this.ldtrBase = st.ldtr.base | 0;
      this.ldtrLimit = st.ldtr.limit >>> 0; this.ldtrAcc = st.ldtr.access;
    }
    if (st.tr) {
      this.trSel = st.tr.selector; this.trBase = st.tr.base | 0;
      this.trLimit = st.tr.limit >>> 0; this.trAcc = st.tr.access;
    }
    for (let s = 0; s < 6; s++) {
      const v = st[SEG_NAMES[s]];
      if (v === undefined) continue;
      this.segSel[s] = v.selector & 0xffff;
      this.segBase[s] = v.base !== undefined ? v.base | 0 : (v.selector & 0xffff) << 4;
      if (v.limit !== undefined) this.segLimit[s] = v.limit >>> 0;
      if (v.access !== undefined) this.segAcc[s] = v.access;
    }
    for (let s = 0; s < 6; s++) this.segUpdated(s);
    this.cpl = (this.cr0 & CR0_PE) === 0 ? 0 : (this.flags & VM) !== 0 ? 3 : (this.segAcc[CS] >> 5) & 3;
    if (st.dr) for (let i = 0; i < 8; i++) this.dr[i] = st.dr[i] | 0;
    if (st.retired !== undefined) this.retired = st.retired;
    if (st.tsc !== undefined) this.tscOffset = st.tsc - this.retired;
    if (st.halted !== undefined) this.halted = st.halted;
    if (st.interruptShadow !== undefined) this.inhibitAt = st.interruptShadow ? this.retired : -1;
    if (st.msr) {
      this.sysenterCs = st.msr.sysenterCs; this.sysenterEsp = st.msr.sysenterEsp | 0;
      this.sysenterEip = st.msr.sysenterEip | 0; this.biosSignId = st.msr.biosSignId;
      if (st.msr.perf) this.perfMsr.set(st.msr.perf);
      if (st.msr.efer !== undefined && this.nxAvail) this.efer = st.msr.efer & EFER_NXE;
    }
    // The PDPTE registers are not part of the state: reload them from the PDPT CR3 names.
    if ((this.cr4 & CR4_PAE) !== 0 && (this.cr0 & CR0_PG) !== 0) this.loadPdptes(this.cr3, false);
    if (st.x87 && this.x87?.setState) this.x87.setState(st.x87);
    if (st.a20 !== undefined) this.a20Mask = st.a20 ? -1 : ~0x100000;
    this.flushTlb();
  }

  /** Linear address of the instruction executing (or last started). */
  currentInstructionAddress(): number {
    return (this.segBase[CS] + this.startEip) >>> 0;
  }

  /** Read guest-linear memory without faulting or side effects on the guest (unmapped → 0). */
  readLinear(addr: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.probe((addr + i) | 0);
      if (p < 0) break;
      if (p < this.ramLen && this.frameFlags[p >>> 12] === 0) out[i] = this.ram[p];
      else {
        try { out[i] = this.bus.memRead(p, 1) & 0xff; } catch { break; }
      }
    }
    return out;
  }

  /** Register dump, one multi-line string (for fail-stop reports). */
  dumpState(): string {
    const h = (v: number, w = 8) => (v >>> 0).toString(16).padStart(w, '0');
    const st = this.getState();
    const lines = [
      `EAX=${h(st.eax)} EBX=${h(st.ebx)} ECX=${h(st.ecx)} EDX=${h(st.edx)}`,
      `ESI=${h(st.esi)} EDI=${h(st.edi)} EBP=${h(st.ebp)} ESP=${h(st.esp)}`,
      `EIP=${h(st.eip)} EFL=${h(st.eflags)} CPL=${this.cpl} retired=${this.retired}`,
    ];
    for (let s = 0; s < 6; s++) {
      lines.push(`${SEG_NAMES[s].toUpperCase()} =${h(this.segSel[s], 4)} ${h(this.segBase[s])} ${h(this.segLimit[s])} ${h(this.segAcc[s], 4)}`);
    }
    lines.push(`LDT=${h(this.ldtrSel, 4)} ${h(this.ldtrBase)} ${h(this.ldtrLimit)}  TR=${h(this.trSel, 4)} ${h(this.trBase)} ${h(this.trLimit)}`);
    lines.push(`GDT=${h(this.gdtrBase)} ${h(this.gdtrLimit, 4)}  IDT=${h(this.idtrBase)} ${h(this.idtrLimit, 4)}`);
    lines.push(`CR0=${h(this.cr0)} CR2=${h(this.cr2)} CR3=${h(this.cr3)} CR4=${h(this.cr4)}`);
    const bytes = this.readLinear(this.currentInstructionAddress(), 15);
    lines.push(`code @${h(this.currentInstructionAddress())}: ${Array.from(bytes, (b) => h(b, 2)).join(' ')}`);
    return lines.join('\n');
  }

  // =============================================================================================
  // Flags
  // =============================================================================================

  /** The full EFLAGS value, materialising lazy bits. */
  getFlags(): number {
    const lz = this.lazy;
    if (lz === 0) return this.flags;
    let f = this.flags & ~lz;
    if (lz & CF) f |= this.lzCF();
    if (lz & PF) f |= PARITY[this.lres & 0xff];
    if (lz & AF) f |= (this.la ^ this.lb ^ this.lres) & AF;
    if (lz & ZF) f |= (this.lres & this.lmask) === 0 ? ZF : 0;
    if (lz & SF) f |= (this.lres & this.lsign) !== 0 ? SF : 0;
    if (lz & OF) f |= this.lzOF();
    return f;
  }

  /** Replace EFLAGS entirely (no privilege filtering; callers filter). */
  setFlags(v: number): void {
    const old = this.flags;
    this.flags = (v & FLAGS_ALL) | 2;
    this.lazy = 0;
    if ((v & TF) !== 0) this.pending |= 4; else this.pending &= ~4;
    if (((old ^ v) & VM) !== 0) {
      for (let s = 0; s < 6; s++) this.segUpdated(s);
    }
  }

  /** Set or clear individual flag bits (after materialising any lazy value of those bits). */
  setFlagBits(mask: number, on: boolean): void {
    if ((this.lazy & mask) !== 0) this.materialize();
    if (on) this.flags |= mask; else this.flags &= ~mask;
  }

  materialize(): void {
    if (this.lazy !== 0) { this.flags = this.getFlags(); this.lazy = 0; }
  }

  lzCF(): number {
    const m = this.lmask;
    const a = (this.la & m) >>> 0;
    if (this.lop === LOP_ADD) {
      const r = (this.lres & m) >>> 0;
      return (this.lcin !== 0 ? r <= a : r < a) ? CF : 0;
    }
    const b = (this.lb & m) >>> 0;
    return (this.lcin !== 0 ? a <= b : a < b) ? CF : 0;
  }

  lzOF(): number {
    const a = this.la, b = this.lb, r = this.lres;
    const x = this.lop === LOP_ADD ? (a ^ r) & (b ^ r) : (a ^ b) & (a ^ r);
    return (x & this.lsign) !== 0 ? OF : 0;
  }

  getCF(): number {
    return (this.lazy & CF) !== 0 ? this.lzCF() : this.flags & CF;
  }

  getZF(): boolean {
    return (this.lazy & ZF) !== 0 ? (this.lres & this.lmask) === 0 : (this.flags & ZF) !== 0;
  }

  getSF(): boolean {
    return (this.lazy & SF) !== 0 ? (this.lres & this.lsign) !== 0 : (this.flags & SF) !== 0;
  }

  getOF(): boolean {
    return (this.lazy & OF) !== 0 ? this.lzOF() !== 0 : (this.flags & OF) !== 0;
  }

  getPF(): boolean {
    return (this.lazy & PF) !== 0 ? PARITY[this.lres & 0xff] !== 0 : (this.flags & PF) !== 0;
  }

  getAF(): number {
    return (this.lazy & AF) !== 0 ? (this.la ^ this.lb ^ this.lres) & AF : this.flags & AF;
  }

  /** Record an ADD/ADC (`cin` 0/1) of size mask `m` / sign bit `sg` for lazy evaluation. */
  setAdd(a: number, b: number, r: number, m: number, sg: number, cin: number): void {
    this.lop = LOP_ADD; this.la = a; this.lb = b; this.lres = r;
    this.lmask = m; this.lsign = sg; this.lcin = cin; this.lazy = LAZY_ALL;
  }

  /** Record a SUB/SBB/CMP/NEG. */
  setSub(a: number, b: number, r: number, m: number, sg: number, cin: number): void {
    this.lop = LOP_SUB; this.la = a; this.lb = b; this.lres = r;
    this.lmask = m; this.lsign = sg; this.lcin = cin; this.lazy = LAZY_ALL;
  }

  /** Record a logical result: CF=OF=AF=0, SF/ZF/PF from the result. */
  setLogic(r: number, m: number, sg: number): void {
    this.lres = r; this.lmask = m; this.lsign = sg;
    this.flags &= ~(CF | OF | AF);
    this.lazy = PF | ZF | SF;
  }

  /** Record a result whose CF/OF/AF the caller sets eagerly (`eager` holds those bits). */
  setResult(r: number, m: number, sg: number, eager: number): void {
    this.lres = r; this.lmask = m; this.lsign = sg;
    this.flags = (this.flags & ~(CF | OF | AF)) | eager;
    this.lazy = PF | ZF | SF;
  }

  /** Condition code test for Jcc/SETcc/CMOVcc (cc = low nibble of the opcode). */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0: r = this.getOF(); break;
      case 1: r = this.getCF() !== 0; break;
      case 2: r = this.getZF(); break;
      case 3: r = this.getCF() !== 0 || this.getZF(); break;
      case 4: r = this.getSF(); break;
      case 5: r = this.getPF(); break;
      case 6: r = this.getSF() !== this.getOF(); break;
      default: r = this.getZF() || this.getSF() !== this.getOF(); break;
    }
    return (cc & 1) !== 0 ? !r : r;
  }

  // =============================================================================================
  // Registers
  // =============================================================================================

  getReg8(r: number): number { return this.r8[BREG[r]]; }
  setReg8(r: number, v: number): void { this.r8[BREG[r]] = v; }
  getReg16(r: number): number { return this.r16[r << 2]; }
  setReg16(r: number, v: number): void { this.r16[r << 2] = v; }
  getReg32(r: number): number { return this.r32[r << 1]; }
  setReg32(r: number, v: number): void { this.r32[r << 1] = v; }

  // =============================================================================================
  // Faults
  // =============================================================================================

  /** Abandon the instruction with exception `v` (error code `err`, or none when `err` < 0). */
  fault(v: number, err: number): never {
    this.excVector = v;
    this.excError = err < 0 ? 0 : err & 0xffff;
    this.excHasError = err >= 0;
    throw this.exc;
  }

  gp(err: number): never { return this.fault(X_GP, err); }
  ud(): never { return this.fault(X_UD, -1); }
  ss(err: number): never { return this.fault(X_SS, err); }

  /** Segment limit or rights violation on segment `s`. */
  segFault(s: number): never {
    return this.fault(s === SS ? X_SS : X_GP, 0);
  }

  /** Fail stop: an instruction or mode we do not implement. */
  unimplemented(what: string): never {
    const lin = this.currentInstructionAddress();
    throw new X86Unimplemented(lin, this.readLinear(lin, 15), what);
  }

  /** Device-not-available check for x87/WAIT-class instructions (SDM Vol. 3 §2.5). */
  fpuCheck(): void {
    if ((this.cr0 & (CR0_EM | CR0_TS)) !== 0) this.fault(X_NM, -1);
  }

  // =============================================================================================
  // Paging and physical memory
  // =============================================================================================

  /** Forget every cached translation (CR3/CR0/CR4 writes, frame-map changes by the VMM). */
  flushTlb(): void {
    if (this.tlbOverflow) {
      this.tlbR0.fill(-1); this.tlbW0.fill(-1);
      if (this.tlbR3 !== this.tlbR0) { this.tlbR3.fill(-1); this.tlbW3.fill(-1); }
    } else {
      const l = this.tlbList;
      for (let i = 0; i < this.tlbCount; i++) {
        const p = l[i];
        this.tlbR0[p] = -1; this.tlbW0[p] = -1; this.tlbR3[p] = -1; this.tlbW3[p] = -1;
      }
    }
    this.tlbCount = 0;
    this.tlbOverflow = false;
    if (this.tlbLargeAny) { this.tlbLarge.fill(0); this.tlbLargeAny = false; }
    this.fwLo = 1; this.fwHi = 0;
    this.selectTlb();
    if (this.shadowMmu !== null) this.shadowMmu.flush();
  }

  /**
   * Install (or with null remove) the shadow-paging intercepts: with guest CR0.PG=1, TLB misses
   * walk `mmu`'s shadow tables and shadow faults go to `mmu.pageFault`. Flushes the TLB.
   */
  setShadowMmu(mmu: ShadowMmu | null): void {
    this.shadowMmu = mmu;
    this.flushTlb();
  }

  /** MOV CR3 (and a task switch): with PAE paging on, the PDPTEs load first (#GP(0) on a bad one). */
  writeCr3(v: number): void {
    if ((this.cr4 & CR4_PAE) !== 0 && (this.cr0 & CR0_PG) !== 0) this.loadPdptes(v, true);
    const old = this.cr3;
    this.cr3 = v & ~7;
    this.flushTlb();
    if (this.shadowMmu !== null) this.shadowMmu.controlWrite(3, old);
  }

  /** MOV CR4 (the caller has checked the value): PDPTEs reload when PAE paging stays on (§4.4.1). */
  writeCr4(v: number): void {
    if ((v & CR4_PAE) !== 0 && (this.cr0 & CR0_PG) !== 0 && ((v ^ this.cr4) & (CR4_PAE | CR4_PSE | CR4_PGE)) !== 0) {
      this.loadPdptes(this.cr3, true);
    }
    const old = this.cr4;
    this.cr4 = v;
    this.flushTlb();
    if (this.shadowMmu !== null) this.shadowMmu.controlWrite(4, old);
  }

  /**
   * Load the four PDPTE registers from the 32-byte aligned PDPT at CR3[31:5] (SDM Vol. 3
   * §4.4.1). With `check`, a present entry with a reserved bit set (2:1, 8:5, 63:36 with
   * MAXPHYADDR 36) raises #GP(0) and nothing is loaded.
   */
  loadPdptes(cr3: number, check: boolean): void {
    const base = (cr3 & ~0x1f) >>> 0;
    const lo = [0, 0, 0, 0], hi = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      lo[i] = this.physRd32(base + 8 * i);
      hi[i] = this.physRd32(base + 8 * i + 4);
      if (check && (lo[i] & 1) !== 0 && ((lo[i] & 0x1e6) !== 0 || (hi[i] & 0xfffffff0) !== 0)) this.gp(0);
    }
    for (let i = 0; i < 4; i++) { this.pdpteLo[i] = lo[i]; this.pdpteHi[i] = hi[i]; }
  }

  /** Physical address mask: bit 20 cleared while the A20M# input is asserted. */
  a20Mask = -1;

  /**
   * The A20M# input (the PC's A20 gate, driven by the 8042 or port 92h): when `enabled` is
   * false, physical address bit 20 is forced to 0 so addresses wrap at 1 MiB like an 8086.
   */
  setA20(enabled: boolean): void {
    const m = enabled ? -1 : ~0x100000;
    if (m !== this.a20Mask) {
      this.a20Mask = m;
      this.flushTlb();
    }
  }

  /** Invalidate one page (INVLPG). */
  invlpg(lin: number): void {
    const p = lin >>> 12;
    this.tlbR0[p] = -1; this.tlbW0[p] = -1; this.tlbR3[p] = -1; this.tlbW3[p] = -1;
    const r = lin >>> 21;
    if (this.tlbLarge[r] !== 0) {
      // The address lies in a 2 or 4 MiB page: drop every 4 KiB entry of its 4 MiB region.
      const first = (lin >>> 22) << 10;
      for (let q = first; q < first + 1024; q++) {
        this.tlbR0[q] = -1; this.tlbW0[q] = -1; this.tlbR3[q] = -1; this.tlbW3[q] = -1;
      }
      this.tlbLarge[r & ~1] = 0; this.tlbLarge[r | 1] = 0;
    }
    this.fwLo = 1; this.fwHi = 0;
    if (this.shadowMmu !== null) this.shadowMmu.invlpg(lin);
  }

  /** Point tlbR/tlbW at the supervisor or user tables for the current CPL. */
  selectTlb(): void {
    if (this.cpl === 3 && (this.cr0 & CR0_PG) !== 0) {
      if (this.tlbR3 === this.tlbR0) {
        this.tlbR3 = new Int32Array(TLB_SIZE).fill(-1);
        this.tlbW3 = new Int32Array(TLB_SIZE).fill(-1);
      }
      this.tlbR = this.tlbR3; this.tlbW = this.tlbW3;
    } else {
      this.tlbR = this.tlbR0; this.tlbW = this.tlbW0;
    }
  }

  setCpl(c: number): void {
    if (c !== this.cpl) {
      this.cpl = c;
      this.fwLo = 1; this.fwHi = 0;
      this.selectTlb();
    }
  }

  physRd8(p: number): number {
    if (p < this.ramLen && this.frameFlags[p >>> 12] === 0) return this.ram[p];
    return this.bus.memRead(p, 1) & 0xff;
  }

  physRd32(p: number): number {
    if (p + 3 < this.ramLen && this.frameFlags[p >>> 12] === 0 && (p & 0xfff) <= 0xffc) return this.dv.getInt32(p, true);
    if ((p & 3) === 0 && this.frameFlags[p >>> 12] !== 0) return this.bus.memRead(p, 4) | 0;
    return (this.physRd8(p) | (this.physRd8((p + 1) >>> 0) << 8) | (this.physRd8((p + 2) >>> 0) << 16) | (this.physRd8((p + 3) >>> 0) << 24));
  }

  physWr8(p: number, v: number): void {
    if (p < this.ramLen && this.frameFlags[p >>> 12] === 0) this.ram[p] = v;
    else this.bus.memWrite(p, 1, v & 0xff);
  }

  physWr32(p: number, v: number): void {
    if (p + 3 < this.ramLen && this.frameFlags[p >>> 12] === 0 && (p & 0xfff) <= 0xffc) { this.dv.setInt32(p, v, true); return; }
    this.physWr8(p, v & 0xff); this.physWr8((p + 1) >>> 0, (v >>> 8) & 0xff);
    this.physWr8((p + 2) >>> 0, (v >>> 16) & 0xff); this.physWr8((p + 3) >>> 0, (v >>> 24) & 0xff);
  }

  /**
   * Translate a linear address (SDM Vol. 3 §4.3, 32-bit paging). `write` 0/1, `user` true for a
   * CPL-3 access that is not an implicit supervisor access. Raises #PF. Returns the physical
   * address and fills the TLB when the frame is plain RAM.
   */
  translate(lin: number, write: number, user: boolean, fetch = false): number {
    const page = lin >>> 12;
    let phys: number;
    if ((this.cr0 & CR0_PG) === 0) {
      phys = (lin & this.a20Mask) >>> 0;
    } else if (this.shadowMmu !== null) {
      return this.translateShadow(lin, write, user, fetch);
    } else if ((this.cr4 & CR4_PAE) !== 0) {
      return this.translatePae(lin, write, user, fetch);
    } else {
      const pdeAddr = ((this.cr3 & ~0xfff) >>> 0) + ((lin >>> 22) << 2);
      const pde = this.physRd32(pdeAddr >>> 0);
      const uerr = user ? 4 : 0;
      if ((pde & 1) === 0) this.pageFault(lin, write << 1 | uerr);
      const wp = (this.cr0 & CR0_WP) !== 0;
      if ((pde & 0x80) !== 0 && (this.cr4 & CR4_PSE) !== 0) {
        // Without PSE-36 (MAXPHYADDR 32) bits 21:13 of a 4 MiB PDE are reserved (SDM Vol. 3
        // Table 4-5): #PF with P and RSVD, whatever the access rights (§4.7).
        if ((pde & PDE4M_RSVD) !== 0) this.pageFault(lin, 1 | 8 | write << 1 | uerr);
        if (user && (pde & 4) === 0) this.pageFault(lin, 1 | write << 1 | uerr);
        if (write !== 0 && (pde & 2) === 0 && (user || wp)) this.pageFault(lin, 1 | 2 | uerr);
        const nv = pde | 0x20 | (write !== 0 ? 0x40 : 0);
        if (nv !== pde) this.physWr32(pdeAddr >>> 0, nv);
        phys = ((((pde & 0xffc00000) >>> 0) + (lin & 0x3fffff)) & this.a20Mask) >>> 0;
        // Both 2 MiB halves: INVLPG anywhere in the 4 MiB page must drop this entry.
        this.markLarge(lin); this.markLarge(lin ^ 0x200000);
        if (write !== 0) return this.tlbFill(page, phys, 1, user);
        // Not dirty yet or not writable here: cache for reads only so a write walks again.
        const writable = (pde & 0x40) !== 0 && ((pde & 2) !== 0 || (!user && !wp)) ? 1 : 0;
        return this.tlbFill(page, phys, writable, user);
      }
      const pteAddr = ((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x3ff) << 2);
      const pte = this.physRd32(pteAddr >>> 0);
      if ((pte & 1) === 0) this.pageFault(lin, write << 1 | uerr);
      const u = pde & pte & 4;
      const w = pde & pte & 2;
      if (user && u === 0) this.pageFault(lin, 1 | write << 1 | uerr);
      if (write !== 0 && w === 0 && (user || wp)) this.pageFault(lin, 1 | 2 | uerr);
      if ((pde & 0x20) === 0) this.physWr32(pdeAddr >>> 0, pde | 0x20);
      const nv = pte | 0x20 | (write !== 0 ? 0x40 : 0);
      if (nv !== pte) this.physWr32(pteAddr >>> 0, nv);
      phys = ((((pte & ~0xfff) >>> 0) + (lin & 0xfff)) & this.a20Mask) >>> 0;
      if (write !== 0) return this.tlbFill(page, phys, 1, user);
      // A read of a dirty page that this privilege may write: cache it for writes too.
      const writable = (pte & 0x40) !== 0 && (w !== 0 || (!user && !wp)) ? 1 : 0;
      return this.tlbFill(page, phys, writable, user);
    }
    return this.tlbFill(page, phys, 1, user);
  }

  private markLarge(lin: number): void {
    this.tlbLarge[lin >>> 21] = 1;
    this.tlbLargeAny = true;
  }

  /**
   * PAE paging (SDM Vol. 3 §4.4): PDPTE register, 64-bit PDE (2 MiB page when PS) and PTE.
   * Physical addresses may use bits 35:32 (MAXPHYADDR 36); above 4 GiB they go to the bus.
   * Bit 63 (XD) is reserved unless IA32_EFER.NXE, then a fetch from such a page faults (§4.6).
   */
  private translatePae(lin: number, write: number, user: boolean, fetch: boolean): number {
    const page = lin >>> 12;
    const nxe = (this.efer & EFER_NXE) !== 0;
    const base = write << 1 | (user ? 4 : 0) | (fetch && nxe ? 0x10 : 0);
    const rsvHi = nxe ? 0x7ffffff0 : 0xfffffff0 | 0;
    const i = lin >>> 30;
    const pdp = this.pdpteLo[i];
    if ((pdp & 1) === 0) this.pageFault(lin, base);
    const pdeAddr = (this.pdpteHi[i] & 0xf) * 0x100000000 + ((pdp & ~0xfff) >>> 0) + (((lin >>> 21) & 0x1ff) << 3);
    const pde = this.physRd32(pdeAddr);
    if ((pde & 1) === 0) this.pageFault(lin, base);
    const pdeHi = this.physRd32(pdeAddr + 4);
    if ((pdeHi & rsvHi) !== 0 || ((pde & 0x80) !== 0 && (pde & 0x1fe000) !== 0)) this.pageFault(lin, base | 9);
    const wp = (this.cr0 & CR0_WP) !== 0;
    let phys: number;
    if ((pde & 0x80) !== 0) {
      if (user && (pde & 4) === 0) this.pageFault(lin, base | 1);
      if (write !== 0 && (pde & 2) === 0 && (user || wp)) this.pageFault(lin, base | 1);
      if (fetch && nxe && pdeHi < 0) this.pageFault(lin, base | 1);
      const nv = pde | 0x20 | (write !== 0 ? 0x40 : 0);
      if (nv !== pde) this.physWr32(pdeAddr, nv);
      phys = (pdeHi & 0xf) * 0x100000000 + (((((pde & 0xffe00000) >>> 0) + (lin & 0x1fffff)) & this.a20Mask) >>> 0);
      this.markLarge(lin);
      if (write !== 0) return this.tlbFill(page, phys, 1, user);
      const writable = (pde & 0x40) !== 0 && ((pde & 2) !== 0 || (!user && !wp)) ? 1 : 0;
      return this.tlbFill(page, phys, writable, user);
    }
    const pteAddr = (pdeHi & 0xf) * 0x100000000 + ((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x1ff) << 3);
    const pte = this.physRd32(pteAddr);
    if ((pte & 1) === 0) this.pageFault(lin, base);
    const pteHi = this.physRd32(pteAddr + 4);
    if ((pteHi & rsvHi) !== 0) this.pageFault(lin, base | 9);
    const u = pde & pte & 4;
    const w = pde & pte & 2;
    if (user && u === 0) this.pageFault(lin, base | 1);
    if (write !== 0 && w === 0 && (user || wp)) this.pageFault(lin, base | 1);
    if (fetch && nxe && (pdeHi | pteHi) < 0) this.pageFault(lin, base | 1);
    if ((pde & 0x20) === 0) this.physWr32(pdeAddr, pde | 0x20);
    const nv = pte | 0x20 | (write !== 0 ? 0x40 : 0);
    if (nv !== pte) this.physWr32(pteAddr, nv);
    phys = (pteHi & 0xf) * 0x100000000 + (((((pte & ~0xfff) >>> 0) + (lin & 0xfff)) & this.a20Mask) >>> 0);
    if (write !== 0) return this.tlbFill(page, phys, 1, user);
    const writable = (pte & 0x40) !== 0 && (w !== 0 || (!user && !wp)) ? 1 : 0;
    return this.tlbFill(page, phys, writable, user);
  }

  /**
   * Translate through the shadow tables of {@link shadowMmu} (guest CR0.PG=1). A miss or a
   * permission fault calls the VMM synchronously: it fills the shadow and the walk runs again, or
   * it names the guest #PF error code to raise (CR2 = `lin`). R/W is checked as with CR0.WP=1 at
   * every privilege: the VMM write-protects pages to see first writes (dirty bits).
   */
  private translateShadow(lin: number, write: number, user: boolean, fetch: boolean): number {
    const mmu = this.shadowMmu as ShadowMmu;
    const uerr = user ? 4 : 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const t = mmu.tables;
      const root = mmu.root >>> 2;
      let err: number;
      if ((this.cr4 & CR4_PAE) === 0) {
        const pde = t[root + (lin >>> 22)];
        if ((pde & 1) === 0) {
          err = write << 1 | uerr;
        } else {
          const pte = t[((pde & ~0xfff) >>> 2) + ((lin >>> 12) & 0x3ff)];
          const rights = pde & pte;
          if ((pte & 1) === 0) err = write << 1 | uerr;
          else if ((user && (rights & 4) === 0) || (write !== 0 && (rights & 2) === 0)) err = 1 | write << 1 | uerr;
          else return this.tlbFill(lin >>> 12, ((pte & ~0xfff) >>> 0) + (lin & 0xfff), (rights >> 1) & 1, user);
        }
      } else {
        const nx = fetch && (this.efer & EFER_NXE) !== 0;
        const base = write << 1 | uerr | (nx ? 0x10 : 0);
        const pdp = t[root + ((lin >>> 30) << 1)];
        if ((pdp & 1) === 0) {
          err = base;
        } else {
          const pdi = ((pdp & ~0xfff) >>> 2) + (((lin >>> 21) & 0x1ff) << 1);
          const pde = t[pdi];
          if ((pde & 1) === 0) {
            err = base;
          } else {
            const pti = ((pde & ~0xfff) >>> 2) + (((lin >>> 12) & 0x1ff) << 1);
            const pte = t[pti];
            const pteHi = t[pti + 1];
            const rights = pde & pte;
            if ((pte & 1) === 0) err = base;
            else if ((user && (rights & 4) === 0) || (write !== 0 && (rights & 2) === 0) || (nx && (t[pdi + 1] | pteHi) < 0)) err = base | 1;
            else {
              const phys = (pteHi & 0xf) * 0x100000000 + (((pte & ~0xfff) >>> 0) + (lin & 0xfff));
              return this.tlbFill(lin >>> 12, phys, (rights >> 1) & 1, user);
            }
          }
        }
      }
      const inject = mmu.pageFault(lin, err);
      if (inject >= 0) this.pageFault(lin, inject);
      // The VMM may have lowered the rights of an entry the TLB still holds for this page.
      const p = lin >>> 12;
      this.tlbR0[p] = -1; this.tlbW0[p] = -1; this.tlbR3[p] = -1; this.tlbW3[p] = -1;
      this.fwLo = 1; this.fwHi = 0;
    }
    throw new Error(`shadow MMU: the VMM filled the shadow for 0x${(lin >>> 0).toString(16)} but the walk still faults`);
  }

  private tlbFill(page: number, phys: number, writable: number, user: boolean): number {
    const frame = phys >>> 12;
    if (phys < this.ramLen && this.frameFlags[frame] === 0 && (frame << 12) + 0xfff < this.ramLen) {
      // Without paging there is no U/S distinction: the supervisor tables serve every CPL.
      const u = user && (this.cr0 & CR0_PG) !== 0;
      (u ? this.tlbR3 : this.tlbR0)[page] = frame << 12;
      if (writable !== 0) (u ? this.tlbW3 : this.tlbW0)[page] = frame << 12;
      if (this.tlbCount < TLB_LIST_MAX) this.tlbList[this.tlbCount++] = page;
      else this.tlbOverflow = true;
    }
    return phys;
  }

  private pageFault(lin: number, err: number): never {
    this.cr2 = lin | 0;
    return this.fault(X_PF, err);
  }

  /** Best-effort translation without faults or A/D updates; -1 when unmapped. */
  probe(lin: number): number {
    if ((this.cr0 & CR0_PG) === 0) return (lin & this.a20Mask) >>> 0;
    if ((this.cr4 & CR4_PAE) !== 0) {
      const pdp = this.pdpteLo[lin >>> 30];
      if ((pdp & 1) === 0) return -1;
      const pde = this.physRd32(((pdp & ~0xfff) >>> 0) + (((lin >>> 21) & 0x1ff) << 3));
      if ((pde & 1) === 0) return -1;
      if ((pde & 0x80) !== 0) return ((pde & 0xffe00000) >>> 0) + (lin & 0x1fffff);
      const pte = this.physRd32(((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x1ff) << 3));
      if ((pte & 1) === 0) return -1;
      return ((pte & ~0xfff) >>> 0) + (lin & 0xfff);
    }
    try {
      const pde = this.physRd32((((this.cr3 & ~0xfff) >>> 0) + ((lin >>> 22) << 2)) >>> 0);
      if ((pde & 1) === 0) return -1;
      if ((pde & 0x80) !== 0 && (this.cr4 & CR4_PSE) !== 0) return (((pde & 0xffc00000) >>> 0) + (lin & 0x3fffff)) >>> 0;
      const pte = this.physRd32((((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0);
      if ((pte & 1) === 0) return -1;
      return (((pte & ~0xfff) >>> 0) + (lin & 0xfff)) >>> 0;
    } catch {
      return -1;
    }
  }

  // ---- linear accesses ----

  rd8(lin: number): number {
    const t = this.tlbR[lin >>> 12];
    if (t !== -1) return this.ram[t + (lin & 0xfff)];
    return this.physRd8(this.translate(lin, 0, this.cpl === 3));
  }

  rd16(lin: number): number {
    const t = this.tlbR[lin >>> 12];
    const o = lin & 0xfff;
    if (t !== -1 && o !== 0xfff) return this.dv.getUint16(t + o, true);
    return this.rd16Slow(lin);
  }

  private rd16Slow(lin: number): number {
    const user = this.cpl === 3;
    const p0 = this.translate(lin, 0, user);
    if ((lin & 0xfff) !== 0xfff) {
      if ((p0 & 1) === 0 && (p0 >= this.ramLen || this.frameFlags[p0 >>> 12] !== 0)) return this.bus.memRead(p0, 2) & 0xffff;
      return this.physRd8(p0) | (this.physRd8(p0 + 1) << 8);
    }
    const p1 = this.translate((lin + 1) | 0, 0, user);
    return this.physRd8(p0) | (this.physRd8(p1) << 8);
  }

  rd32(lin: number): number {
    const t = this.tlbR[lin >>> 12];
    const o = lin & 0xfff;
    if (t !== -1 && o <= 0xffc) return this.dv.getInt32(t + o, true);
    return this.rd32Slow(lin);
  }

  private rd32Slow(lin: number): number {
    const user = this.cpl === 3;
    const p0 = this.translate(lin, 0, user);
    if ((lin & 0xfff) <= 0xffc) {
      if ((p0 & 3) === 0 && (p0 >= this.ramLen || this.frameFlags[p0 >>> 12] !== 0)) return this.bus.memRead(p0, 4) | 0;
      return this.physRd8(p0) | (this.physRd8(p0 + 1) << 8) | (this.physRd8(p0 + 2) << 16) | (this.physRd8(p0 + 3) << 24);
    }
    const p3 = this.translate((lin + 3) | 0, 0, user);
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const li = (lin + i) | 0;
      const p = ((li ^ lin) & ~0xfff) === 0 ? p0 + i : ((p3 & ~0xfff) >>> 0) + (li & 0xfff);
      v |= this.physRd8(p) << (8 * i);
    }
    return v;
  }

  wr8(lin: number, v: number): void {
    const t = this.tlbW[lin >>> 12];
    if (t !== -1) { this.ram[t + (lin & 0xfff)] = v; return; }
    this.physWr8(this.translate(lin, 1, this.cpl === 3), v & 0xff);
  }

  wr16(lin: number, v: number): void {
    const t = this.tlbW[lin >>> 12];
    const o = lin & 0xfff;
    if (t !== -1 && o !== 0xfff) { this.dv.setUint16(t + o, v, true); return; }
    this.wr16Slow(lin, v);
  }

  private wr16Slow(lin: number, v: number): void {
    const user = this.cpl === 3;
    const p0 = this.translate(lin, 1, user);
    if ((lin & 0xfff) !== 0xfff) {
      if ((p0 & 1) === 0 && (p0 >= this.ramLen || this.frameFlags[p0 >>> 12] !== 0)) { this.bus.memWrite(p0, 2, v & 0xffff); return; }
      this.physWr8(p0, v & 0xff); this.physWr8(p0 + 1, (v >>> 8) & 0xff);
      return;
    }
    const p1 = this.translate((lin + 1) | 0, 1, user);
    this.physWr8(p0, v & 0xff); this.physWr8(p1, (v >>> 8) & 0xff);
  }

  wr32(lin: number, v: number): void {
    const t = this.tlbW[lin >>> 12];
    const o = lin & 0xfff;
    if (t !== -1 && o <= 0xffc) { this.dv.setInt32(t + o, v, true); return; }
    this.wr32Slow(lin, v);
  }

  private wr32Slow(lin: number, v: number): void {
    const user = this.cpl === 3;
    const p0 = this.translate(lin, 1, user);
    if ((lin & 0xfff) <= 0xffc) {
      if ((p0 & 3) === 0 && (p0 >= this.ramLen || this.frameFlags[p0 >>> 12] !== 0)) { this.bus.memWrite(p0, 4, v >>> 0); return; }
      for (let i = 0; i < 4; i++) this.physWr8(p0 + i, (v >>> (8 * i)) & 0xff);
      return;
    }
    const p3 = this.translate((lin + 3) | 0, 1, user);
    for (let i = 0; i < 4; i++) {
      const li = (lin + i) | 0;
      const p = ((li ^ lin) & ~0xfff) === 0 ? p0 + i : ((p3 & ~0xfff) >>> 0) + (li & 0xfff);
      this.physWr8(p, (v >>> (8 * i)) & 0xff);
    }
  }

  /** Supervisor-mode (implicit) accesses to system structures: GDT, LDT, IDT, TSS. */
  sysRd32(lin: number): number {
    const save = this.cpl; this.cpl = 0; this.tlbR = this.tlbR0; this.tlbW = this.tlbW0;
    try { return this.rd32(lin); } finally { this.cpl = save; this.selectTlb(); }
  }

  sysRd16(lin: number): number {
    const save = this.cpl; this.cpl = 0; this.tlbR = this.tlbR0; this.tlbW = this.tlbW0;
    try { return this.rd16(lin); } finally { this.cpl = save; this.selectTlb(); }
  }

  sysWr8(lin: number, v: number): void {
    const save = this.cpl; this.cpl = 0; this.tlbR = this.tlbR0; this.tlbW = this.tlbW0;
    try { this.wr8(lin, v); } finally { this.cpl = save; this.selectTlb(); }
  }

  // ---- segmented accesses (limit and rights checked) ----

  rdS8(s: number, off: number): number {
    if (off < this.segLo[s] || off > this.segRHi[s]) this.segFault(s);
    return this.rd8((this.segBase[s] + off) | 0);
  }

  rdS16(s: number, off: number): number {
    if (off < this.segLo[s] || off + 1 > this.segRHi[s]) this.segFault(s);
    return this.rd16((this.segBase[s] + off) | 0);
  }

  rdS32(s: number, off: number): number {
    if (off < this.segLo[s] || off + 3 > this.segRHi[s]) this.segFault(s);
    return this.rd32((this.segBase[s] + off) | 0);
  }

  wrS8(s: number, off: number, v: number): void {
    if (off < this.segLo[s] || off > this.segWHi[s]) this.segFault(s);
    this.wr8((this.segBase[s] + off) | 0, v);
  }

  wrS16(s: number, off: number, v: number): void {
    if (off < this.segLo[s] || off + 1 > this.segWHi[s]) this.segFault(s);
    this.wr16((this.segBase[s] + off) | 0, v);
  }

  wrS32(s: number, off: number, v: number): void {
    if (off < this.segLo[s] || off + 3 > this.segWHi[s]) this.segFault(s);
    this.wr32((this.segBase[s] + off) | 0, v);
  }

  /** Check that `n` bytes at `off` are writable in `s` (for multi-part writes that must not tear). */
  chkW(s: number, off: number, n: number): void {
    if (off < this.segLo[s] || off + n - 1 > this.segWHi[s]) this.segFault(s);
  }

  chkR(s: number, off: number, n: number): void {
    if (off < this.segLo[s] || off + n - 1 > this.segRHi[s]) this.segFault(s);
  }

  // =============================================================================================
  // Instruction fetch and decode helpers
  // =============================================================================================

  fetch8(): number {
    const eip = this.eip;
    if (eip >= this.fwLo && eip <= this.fwHi) {
      this.eip = eip + 1;
      return this.ram[this.fwDelta + eip];
    }
    return this.fetchSlow();
  }

  private fetchSlow(): number {
    const eip = this.eip;
    if (eip > this.segLimit[CS]) this.gp(0);
    const lin = (this.segBase[CS] + eip) | 0;
    const p = this.translate(lin, 0, this.cpl === 3, true);
    this.eip = eip + 1;
    if (p < this.ramLen && this.frameFlags[p >>> 12] === 0 && ((p >>> 12) << 12) + 0xfff < this.ramLen) {
      const pageLo = eip - (lin & 0xfff);
      this.fwLo = pageLo < 0 ? 0 : pageLo;
      this.fwHi = Math.min(pageLo + 0xfff, this.segLimit[CS]);
      this.fwDelta = ((p >>> 12) << 12) - pageLo;
      return this.ram[p];
    }
    return this.bus.memRead(p, 1) & 0xff;
  }

  fetch16(): number {
    const eip = this.eip;
    if (eip >= this.fwLo && eip + 1 <= this.fwHi) {
      this.eip = eip + 2;
      return this.dv.getUint16(this.fwDelta + eip, true);
    }
    const lo = this.fetch8();
    return lo | (this.fetch8() << 8);
  }

  fetch32(): number {
    const eip = this.eip;
    if (eip >= this.fwLo && eip + 3 <= this.fwHi) {
      this.eip = eip + 4;
      return this.dv.getInt32(this.fwDelta + eip, true);
    }
    const a = this.fetch8() | (this.fetch8() << 8);
    return a | (this.fetch8() << 16) | (this.fetch8() << 24);
  }

  /** Fetch an immediate of the current operand size (16 or 32 bits, zero-extended / int32). */
  fetchImmV(): number {
    return this.os32 ? this.fetch32() : this.fetch16();
  }

  /** Sign-extended imm8. */
  fetchS8(): number {
    return (this.fetch8() << 24) >> 24;
  }

  /** Decode a ModRM byte and, for memory forms, the effective address (SDM Vol. 2 §2.1.5). */
  decodeModrm(): void {
    const m = this.fetch8();
    this.modrm = m;
    this.regf = (m >> 3) & 7;
    this.rmf = m & 7;
    if (m >= 0xc0) {
      this.isMem = false;
      if (this.lock !== 0) this.ud();
      return;
    }
    this.decodeMem(m);
  }

  /** The memory half of ModRM decoding (kept out of line so decodeModrm stays small). */
  private decodeMem(m: number): void {
    const eip = this.eip;
    // SIB + disp32 is at most 5 more bytes: read them straight from the fetch window.
    if (eip >= this.fwLo && eip + 5 <= this.fwHi) this.decodeMemWindow(m, eip);
    else this.decodeMemSlow(m);
  }

  /** decodeMem with every byte inside the fetch window (no per-byte fetch checks). */
  private decodeMemWindow(m: number, eip: number): void {
    this.isMem = true;
    const ram = this.ram;
    const delta = this.fwDelta;
    const r = this.r32;
    const mod = m >> 6;
    const rm = m & 7;
    let p = delta + eip;
    let seg = DS;
    let ea: number;
    if (!this.as32) {
      switch (rm) {
        case 0: ea = r[6] + r[12]; break;
        case 1: ea = r[6] + r[14]; break;
        case 2: ea = r[10] + r[12]; seg = SS; break;
        case 3: ea = r[10] + r[14]; seg = SS; break;
        case 4: ea = r[12]; break;
        case 5: ea = r[14]; break;
        case 6:
          if (mod === 0) { ea = ram[p] | (ram[p + 1] << 8); p += 2; } else { ea = r[10]; seg = SS; }
          break;
        default: ea = r[6]; break;
      }
      if (mod === 1) { ea += (ram[p] << 24) >> 24; p++; }
      else if (mod === 2) { ea += ram[p] | (ram[p + 1] << 8); p += 2; }
      this.ea = ea & 0xffff;
    } else {
      if (rm === 4) {
        const sib = ram[p++];
        const base = sib & 7;
        const idx = (sib >> 3) & 7;
        if (base === 5 && mod === 0) { ea = this.dv.getInt32(p, true); p += 4; }
        else {
          ea = r[base << 1];
          if (base === 4 || base === 5) seg = SS;
        }
        if (idx !== 4) ea += r[idx << 1] << (sib >> 6);
      } else if (rm === 5 && mod === 0) {
        ea = this.dv.getInt32(p, true); p += 4;
      } else {
        ea = r[rm << 1];
        if (rm === 5) seg = SS;
      }
      if (mod === 1) { ea += (ram[p] << 24) >> 24; p++; }
      else if (mod === 2) { ea += this.dv.getInt32(p, true); p += 4; }
      this.ea = ea >>> 0;
    }
    this.eip = p - delta;
    this.eaSeg = this.segOvr >= 0 ? this.segOvr : seg;
  }

  private decodeMemSlow(m: number): void {
    this.isMem = true;
    const mod = m >> 6;
    const rm = m & 7;
    const r = this.r32;
    let seg = DS;
    let ea: number;
    if (!this.as32) {
      switch (rm) {
        case 0: ea = r[6] + r[12]; break;
        case 1: ea = r[6] + r[14]; break;
        case 2: ea = r[10] + r[12]; seg = SS; break;
        case 3: ea = r[10] + r[14]; seg = SS; break;
        case 4: ea = r[12]; break;
        case 5: ea = r[14]; break;
        case 6:
          if (mod === 0) { ea = this.fetch16(); } else { ea = r[10]; seg = SS; }
          break;
        default: ea = r[6]; break;
      }
      if (mod === 1) ea += this.fetchS8();
      else if (mod === 2) ea += this.fetch16();
      this.ea = ea & 0xffff;
    } else {
      if (rm === 4) {
        const sib = this.fetch8();
        const base = sib & 7;
        const idx = (sib >> 3) & 7;
        if (base === 5 && mod === 0) ea = this.fetch32();
        else {
          ea = r[base << 1];
          if (base === 4 || base === 5) seg = SS;
        }
        if (idx !== 4) ea += r[idx << 1] << (sib >> 6);
      } else if (rm === 5 && mod === 0) {
        ea = this.fetch32();
      } else {
        ea = r[rm << 1];
        if (rm === 5) seg = SS;
      }
      if (mod === 1) ea += this.fetchS8();
      else if (mod === 2) ea += this.fetch32();
      this.ea = ea >>> 0;
    }
    this.eaSeg = this.segOvr >= 0 ? this.segOvr : seg;
  }

  /** Segment for a default-DS memory operand (string sources, moffs, XLAT). */
  dsSeg(): number {
    return this.segOvr >= 0 ? this.segOvr : DS;
  }

  // ---- ModRM operand access ----
  readEb(): number { return this.isMem ? this.rdS8(this.eaSeg, this.ea) : this.r8[BREG[this.rmf]]; }
  writeEb(v: number): void { if (this.isMem) this.wrS8(this.eaSeg, this.ea, v); else this.r8[BREG[this.rmf]] = v; }
  readEw(): number { return this.isMem ? this.rdS16(this.eaSeg, this.ea) : this.r16[this.rmf << 2]; }
  writeEw(v: number): void { if (this.isMem) this.wrS16(this.eaSeg, this.ea, v); else this.r16[this.rmf << 2] = v; }
  readEd(): number { return this.isMem ? this.rdS32(this.eaSeg, this.ea) : this.r32[this.rmf << 1]; }
  writeEd(v: number): void { if (this.isMem) this.wrS32(this.eaSeg, this.ea, v); else this.r32[this.rmf << 1] = v; }
  /** Operand-size dependent E read (16-bit values zero-extended). */
  readEv(): number { return this.os32 ? this.readEd() : this.readEw(); }
  writeEv(v: number): void { if (this.os32) this.writeEd(v); else this.writeEw(v); }
  readGb(): number { return this.r8[BREG[this.regf]]; }
  writeGb(v: number): void { this.r8[BREG[this.regf]] = v; }
  readGv(): number { return this.os32 ? this.r32[this.regf << 1] : this.r16[this.regf << 2]; }
  writeGv(v: number): void { if (this.os32) this.r32[this.regf << 1] = v; else this.r16[this.regf << 2] = v; }

  // =============================================================================================
  // Stack
  // =============================================================================================

  getSP(): number { return this.ss32 ? this.r32[8] >>> 0 : this.r16[16]; }
  setSP(v: number): void { if (this.ss32) this.r32[8] = v; else this.r16[16] = v; }
  /** Stack pointer after moving by `d` bytes, wrapped to the stack width. */
  spAdd(d: number): number { return this.ss32 ? (this.r32[8] + d) >>> 0 : (this.r16[16] + d) & 0xffff; }

  push16(v: number): void {
    const sp = this.spAdd(-2);
    this.wrS16(SS, sp, v);
    this.setSP(sp);
  }

  push32(v: number): void {
    const sp = this.spAdd(-4);
    this.wrS32(SS, sp, v);
    this.setSP(sp);
  }

  pushV(v: number): void { if (this.os32) this.push32(v); else this.push16(v); }

  pop16(): number {
    const sp = this.getSP();
    const v = this.rdS16(SS, sp);
    this.setSP(this.ss32 ? (sp + 2) >>> 0 : (sp + 2) & 0xffff);
    return v;
  }

  pop32(): number {
    const sp = this.getSP();
    const v = this.rdS32(SS, sp);
    this.setSP(this.ss32 ? (sp + 4) >>> 0 : (sp + 4) & 0xffff);
    return v;
  }

  popV(): number { return this.os32 ? this.pop32() : this.pop16(); }

  /** Read the stack at SP + `d` without popping. */
  peek16(d: number): number { return this.rdS16(SS, this.spAdd(d)); }
  peek32(d: number): number { return this.rdS32(SS, this.spAdd(d)); }

  // =============================================================================================
  // Control transfers
  // =============================================================================================

  /** Near jump target check (SDM: #GP(0) when beyond the CS limit). */
  jumpNear(target: number): void {
    const t = this.os32 ? target >>> 0 : target & 0xffff;
    if (t > this.segLimit[CS]) this.gp(0);
    this.eip = t;
  }

  /** Load CS:EIP for a far transfer in real or V86 mode. */
  farRealMode(sel: number, off: number): void {
    if (off > this.segLimit[CS]) this.gp(0);
    this.setRealModeSegment(CS, sel);
    this.eip = off;
  }

  // =============================================================================================
  // Descriptors and segment loads (protected mode)
  // =============================================================================================

  /** Descriptor words read by `readDesc`. */
  dLo = 0;
  dHi = 0;

  /** Read the descriptor for `sel` into dLo/dHi; false if beyond the table limit. */
  readDesc(sel: number): boolean {
    let base: number, limit: number;
    if ((sel & 4) !== 0) {
      if ((this.ldtrAcc & 0x80) === 0 || this.ldtrSel === 0) return false;
      base = this.ldtrBase; limit = this.ldtrLimit;
    } else {
      base = this.gdtrBase; limit = this.gdtrLimit;
    }
    const off = sel & ~7;
    if (off + 7 > limit) return false;
    this.dLo = this.sysRd32((base + off) | 0);
    this.dHi = this.sysRd32((base + off + 4) | 0);
    return true;
  }

  /** Set the accessed bit of the descriptor just read (as the CPU does on a segment load). */
  markAccessed(sel: number): void {
    if ((this.dHi & 0x100) !== 0) return;
    this.dHi |= 0x100;
    const base = (sel & 4) !== 0 ? this.ldtrBase : this.gdtrBase;
    this.sysWr8((base + (sel & ~7) + 5) | 0, (this.dHi >>> 8) & 0xff);
  }


  /** Load the hidden part of segment `s` from the descriptor in dLo/dHi. */
  loadSegDesc(s: number, sel: number): void {
    this.segSel[s] = sel;
    this.segBase[s] = descBase(this.dLo, this.dHi);
    this.segLimit[s] = descLimit(this.dLo, this.dHi);
    this.segAcc[s] = (this.dHi >>> 8) & 0xf0ff;
    this.segUpdated(s);
  }

  /** MOV/POP/LxS to a data segment register or SS, with the protected-mode checks (SDM MOV). */
  loadSeg(s: number, sel: number): void {
    sel &= 0xffff;
    if ((this.cr0 & CR0_PE) === 0 || (this.flags & VM) !== 0) {
      this.setRealModeSegment(s, sel);
      return;
    }
    const rpl = sel & 3;
    if ((sel & ~3) === 0) {
      if (s === SS) this.gp(0);
      this.segSel[s] = sel; this.segBase[s] = 0; this.segLimit[s] = 0; this.segAcc[s] = 0;
      this.segUpdated(s);
      return;
    }
    if (!this.readDesc(sel)) this.gp(sel & 0xfffc);
    const acc = (this.dHi >>> 8) & 0xff;
    const dpl = (acc >> 5) & 3;
    if ((acc & 0x10) === 0) this.gp(sel & 0xfffc);
    if (s === SS) {
      // Writable data segment with RPL = DPL = CPL.
      if ((acc & 0x8) !== 0 || (acc & 0x2) === 0 || rpl !== this.cpl || dpl !== this.cpl) this.gp(sel & 0xfffc);
      if ((acc & 0x80) === 0) this.fault(X_SS, sel & 0xfffc);
    } else {
      // Readable; for data and non-conforming code, DPL >= max(CPL, RPL).
      if ((acc & 0xa) === 0x8) this.gp(sel & 0xfffc);
      if (((acc & 0xc) !== 0xc) && (dpl < this.cpl || dpl < rpl)) this.gp(sel & 0xfffc);
      if ((acc & 0x80) === 0) this.fault(X_NP, sel & 0xfffc);
    }
    this.markAccessed(sel);
    this.loadSegDesc(s, sel);
  }

  /** After a privilege drop: data segments the new CPL may not use become null (SDM RET/IRET). */
  nullInvalidSegs(): void {
    for (const s of DATA_SEGS) {
      const acc = this.segAcc[s];
      const dpl = (acc >> 5) & 3;
      const conformingCode = (acc & 0x1c) === 0x1c;
      if ((acc & 0x10) !== 0 && !conformingCode && dpl < this.cpl) {
        this.segSel[s] = 0; this.segAcc[s] = 0; this.segUpdated(s);
      } else if ((acc & 0x10) === 0) {
        this.segAcc[s] = 0; this.segUpdated(s);
      }
    }
  }

  /** Validate a code-segment selector for a far JMP/CALL/RET/IRET target; loads dLo/dHi. */
  checkCodeSeg(sel: number, targetCpl: number, isRet: boolean): void {
    if ((sel & ~3) === 0) this.gp(0);
    if (!this.readDesc(sel)) this.gp(sel & 0xfffc);
    const acc = (this.dHi >>> 8) & 0xff;
    if ((acc & 0x18) !== 0x18) {
      if ((acc & 0x10) === 0 && !isRet) this.unimplemented('far transfer through a system descriptor (call gate / TSS / task gate)');
      this.gp(sel & 0xfffc);
    }
    const dpl = (acc >> 5) & 3;
    const conforming = (acc & 4) !== 0;
    if (isRet) {
      if ((sel & 3) < this.cpl) this.gp(sel & 0xfffc);
      if (conforming ? dpl > (sel & 3) : dpl !== (sel & 3)) this.gp(sel & 0xfffc);
    } else if (conforming ? dpl > targetCpl : (dpl !== targetCpl || (sel & 3) > targetCpl)) {
      this.gp(sel & 0xfffc);
    }
    if ((acc & 0x80) === 0) this.fault(X_NP, sel & 0xfffc);
  }

  tssSS = 0;
  tssESP = 0;

  /**
   * Hardware task switch to the TSS `nsel` (SDM Vol. 3 §7.3): save the state in the current TSS,
   * update busy bits, back link and NT, load TR, CR3, registers, LDTR and segments of the new
   * task. `err` >= 0 is pushed on the new task's stack (exceptions through task gates).
   */
  taskSwitch(nsel: number, source: number, err: number): void {
    const iret = source === TS_IRET;
    const bad = (e: number) => (iret ? this.fault(X_TS, e) : this.gp(e));
    if ((nsel & 4) !== 0 || !this.readDesc(nsel)) bad(nsel & 0xfffc);
    const acc = (this.dHi >>> 8) & 0x1f;
    const busyWanted = iret;
    if ((acc & 0x15) !== 0x01 || ((acc & 2) !== 0) !== busyWanted) bad(nsel & 0xfffc);
    if ((this.dHi & 0x8000) === 0) this.fault(X_NP, nsel & 0xfffc);
    const n32 = (acc & 8) !== 0;
    const nbase = descBase(this.dLo, this.dHi);
    const nlimit = descLimit(this.dLo, this.dHi);
    if (nlimit < (n32 ? 0x67 : 0x2b)) this.fault(X_TS, nsel & 0xfffc);
    // Read the whole new state first, so a fault here leaves the old task intact.
    const rd32 = (o: number) => this.sysRd32((nbase + o) | 0);
    const rd16 = (o: number) => this.sysRd16((nbase + o) | 0);
    const regs = [0, 0, 0, 0, 0, 0, 0, 0];
    const sels = [0, 0, 0, 0, 0, 0];
    let neip: number, nfl: number, ncr3 = this.cr3, nldt: number;
    if (n32) {
      ncr3 = rd32(0x1c); neip = rd32(0x20) >>> 0; nfl = rd32(0x24);
      for (let i = 0; i < 8; i++) regs[i] = rd32(0x28 + i * 4);
      for (let i = 0; i < 6; i++) sels[i] = rd16(0x48 + i * 4);
      nldt = rd16(0x60);
    } else {
      neip = rd16(0x0e); nfl = rd16(0x10) | (this.getFlags() & 0xffff0000 & ~VM);
      for (let i = 0; i < 8; i++) regs[i] = rd16(0x12 + i * 2);
      for (let i = 0; i < 4; i++) sels[i] = rd16(0x22 + i * 2);
      nldt = rd16(0x2a);
    }
    // Save the outgoing task.
    const obase = this.trBase;
    const o32 = (this.trAcc & 8) !== 0;
    let ofl = this.getFlags();
    if (iret) ofl &= ~NT;
    const save = this.cpl;
    this.cpl = 0; this.tlbR = this.tlbR0; this.tlbW = this.tlbW0;
    try {
      if (o32) {
        this.wr32((obase + 0x20) | 0, this.eip);
        this.wr32((obase + 0x24) | 0, ofl);
        for (let i = 0; i < 8; i++) this.wr32((obase + 0x28 + i * 4) | 0, this.r32[i << 1]);
        for (let i = 0; i < 6; i++) this.wr16((obase + 0x48 + i * 4) | 0, this.segSel[i]);
      } else {
        this.wr16((obase + 0x0e) | 0, this.eip);
        this.wr16((obase + 0x10) | 0, ofl);
        for (let i = 0; i < 8; i++) this.wr16((obase + 0x12 + i * 2) | 0, this.r16[i << 2]);
        for (let i = 0; i < 4; i++) this.wr16((obase + 0x22 + i * 2) | 0, this.segSel[i]);
      }
      // Busy bits: the old task stops being busy on JMP/IRET; the new one becomes busy unless IRET.
      if (source === TS_JMP || iret) {
        const a = (this.gdtrBase + (this.trSel & ~7) + 5) | 0;
        this.wr8(a, this.rd8(a) & ~2);
      }
      if (source === TS_CALL || source === TS_INT) {
        this.wr16(nbase, this.trSel);
        nfl |= NT;
      }
      if (!iret) {
        const a = (this.gdtrBase + (nsel & ~7) + 5) | 0;
        this.wr8(a, this.rd8(a) | 2);
      }
    } finally {
      this.cpl = save; this.selectTlb();
    }
    // Commit: from here on faults belong to the new task.
    this.trSel = nsel; this.trBase = nbase; this.trLimit = nlimit; this.trAcc = ((acc | 2) & 0x1f) | 0x80;
    this.cr0 |= CR0_TS;
    if (n32 && (this.cr0 & CR0_PG) !== 0) this.writeCr3(ncr3);
    for (let i = 0; i < 8; i++) {
      if (n32) this.r32[i << 1] = regs[i]; else this.r16[i << 2] = regs[i];
    }
    this.eip = neip;
    this.setFlags(nfl | 2);
    this.startEip = this.eip;
    this.startEsp = this.r32[8];
    // Selectors first (so a fault shows them), then the descriptor checks with #TS.
    for (let s = 0; s < 6; s++) this.segSel[s] = sels[s];
    this.ldtrSel = nldt;
    if ((nldt & ~3) === 0) { this.ldtrAcc = 0; }
    else {
      if ((nldt & 4) !== 0 || !this.readDesc(nldt) || ((this.dHi >>> 8) & 0x1f) !== 0x02) this.fault(X_TS, nldt & 0xfffc);
      if ((this.dHi & 0x8000) === 0) this.fault(X_TS, nldt & 0xfffc);
      this.ldtrBase = descBase(this.dLo, this.dHi); this.ldtrLimit = descLimit(this.dLo, this.dHi);
      this.ldtrAcc = (this.dHi >>> 8) & 0xff;
    }
    if ((nfl & VM) !== 0) {
      this.setCpl(3);
      for (let s = 0; s < 6; s++) this.loadSegRaw(s, sels[s], sels[s] << 4, 0xffff, s === CS ? 0xfb : 0xf3);
    } else {
      const cs = sels[CS];
      if ((cs & ~3) === 0 || !this.readDesc(cs) || ((this.dHi >>> 8) & 0x18) !== 0x18) this.fault(X_TS, cs & 0xfffc);
      const cdpl = (this.dHi >>> 13) & 3;
      const conf = (this.dHi & 0x400) !== 0;
      if (conf ? cdpl > (cs & 3) : cdpl !== (cs & 3)) this.fault(X_TS, cs & 0xfffc);
      if ((this.dHi & 0x8000) === 0) this.fault(X_NP, cs & 0xfffc);
      this.setCpl(cs & 3);
      this.markAccessed(cs);
      this.loadSegDesc(CS, cs);
      const ss = sels[SS];
      if ((ss & ~3) === 0 || !this.readDesc(ss)) this.fault(X_TS, ss & 0xfffc);
      const sacc = (this.dHi >>> 8) & 0xff;
      if ((ss & 3) !== this.cpl || ((sacc >> 5) & 3) !== this.cpl || (sacc & 0x1a) !== 0x12) this.fault(X_TS, ss & 0xfffc);
      if ((sacc & 0x80) === 0) this.fault(X_SS, ss & 0xfffc);
      this.markAccessed(ss);
      this.loadSegDesc(SS, ss);
      for (const s of DATA_SEGS) {
        const v = sels[s];
        if ((v & ~3) === 0) { this.segAcc[s] = 0; this.segUpdated(s); continue; }
        if (!this.readDesc(v)) this.fault(X_TS, v & 0xfffc);
        const a = (this.dHi >>> 8) & 0xff;
        const d = (a >> 5) & 3;
        if ((a & 0x10) === 0 || (a & 0xa) === 0x8) this.fault(X_TS, v & 0xfffc);
        if ((a & 0xc) !== 0xc && (d < this.cpl || d < (v & 3))) this.fault(X_TS, v & 0xfffc);
        if ((a & 0x80) === 0) this.fault(X_NP, v & 0xfffc);
        this.markAccessed(v);
        this.loadSegDesc(s, v);
      }
    }
    if (this.eip > this.segLimit[CS]) this.gp(0);
    if (err >= 0) { if (n32) this.push32(err); else this.push16(err); }
  }

  /**
   * The stack for privilege `dpl` from the current TSS, validated (#TS / #SS); leaves the SS
   * descriptor in dLo/dHi and the values in tssSS/tssESP.
   */
  tssStack(dpl: number, extBit: number): void {
    let nss: number, nesp: number;
    if ((this.trAcc & 0x8) !== 0) {
      const o = 4 + dpl * 8;
      if (o + 5 > this.trLimit) this.fault(X_TS, (this.trSel & 0xfffc) + extBit);
      nesp = this.sysRd32((this.trBase + o) | 0) >>> 0;
      nss = this.sysRd16((this.trBase + o + 4) | 0);
    } else {
      const o = 2 + dpl * 4;
      if (o + 3 > this.trLimit) this.fault(X_TS, (this.trSel & 0xfffc) + extBit);
      nesp = this.sysRd16((this.trBase + o) | 0);
      nss = this.sysRd16((this.trBase + o + 2) | 0);
    }
    if ((nss & ~3) === 0) this.fault(X_TS, extBit);
    if (!this.readDesc(nss)) this.fault(X_TS, (nss & 0xfffc) + extBit);
    const sacc = (this.dHi >>> 8) & 0xff;
    if ((nss & 3) !== dpl || ((sacc >> 5) & 3) !== dpl || (sacc & 0x1a) !== 0x12) this.fault(X_TS, (nss & 0xfffc) + extBit);
    if ((sacc & 0x80) === 0) this.fault(X_SS, (nss & 0xfffc) + extBit);
    this.tssSS = nss;
    this.tssESP = nesp;
  }

  /** Far JMP/CALL through a call gate (SDM Vol. 3 §5.8.4-5.8.5), loaded in dLo/dHi. */
  private callGate(sel: number, call: boolean): void {
    const acc = (this.dHi >>> 8) & 0xff;
    const gdpl = (acc >> 5) & 3;
    if (gdpl < this.cpl || gdpl < (sel & 3)) this.gp(sel & 0xfffc);
    if ((acc & 0x80) === 0) this.fault(X_NP, sel & 0xfffc);
    const gate32 = (acc & 8) !== 0;
    const csel = this.dLo >>> 16;
    const goff = gate32 ? ((this.dHi & 0xffff0000) | (this.dLo & 0xffff)) >>> 0 : this.dLo & 0xffff;
    const params = this.dHi & 0x1f;
    if ((csel & ~3) === 0) this.gp(0);
    if (!this.readDesc(csel)) this.gp(csel & 0xfffc);
    const cacc = (this.dHi >>> 8) & 0xff;
    const dpl = (cacc >> 5) & 3;
    if ((cacc & 0x18) !== 0x18 || dpl > this.cpl) this.gp(csel & 0xfffc);
    if ((cacc & 0x80) === 0) this.fault(X_NP, csel & 0xfffc);
    if (goff > descLimit(this.dLo, this.dHi)) this.gp(0);
    const conforming = (cacc & 4) !== 0;
    const clo = this.dLo, chi = this.dHi;
    const oldCs = this.segSel[CS], oldEip = this.eip;
    if (!call) {
      if (!conforming && dpl !== this.cpl) this.gp(csel & 0xfffc);
    } else if (!conforming && dpl < this.cpl) {
      this.tssStack(dpl, 0);
      const w = gate32 ? 4 : 2;
      const oldSS = this.segSel[SS], oldEsp = this.r32[8] >>> 0;
      const args: number[] = [];
      for (let i = 0; i < params; i++) args.push(w === 4 ? this.peek32(i * 4) : this.peek16(i * 2));
      const save = [this.segSel[SS], this.segBase[SS], this.segLimit[SS], this.segAcc[SS], this.cpl] as const;
      this.markAccessed(this.tssSS);
      this.loadSegDesc(SS, this.tssSS);
      this.setCpl(dpl);
      this.r32[8] = this.tssESP;
      try {
        const total = w * (4 + params);
        this.chkW(SS, this.spAdd(-total), total);
        const push = (v: number) => { if (w === 4) this.push32(v); else this.push16(v); };
        push(oldSS); push(oldEsp);
        for (let i = params - 1; i >= 0; i--) push(args[i]);
        push(oldCs); push(oldEip);
      } catch (e) {
        this.loadSegRaw(SS, save[0], save[1], save[2], save[3]);
        this.setCpl(save[4]);
        this.r32[8] = oldEsp;
        throw e;
      }
    } else {
      const w = gate32 ? 4 : 2;
      this.chkW(SS, this.spAdd(-2 * w), 2 * w);
      if (w === 4) { this.push32(oldCs); this.push32(oldEip); } else { this.push16(oldCs); this.push16(oldEip); }
    }
    this.dLo = clo; this.dHi = chi;
    this.markAccessed(csel);
    this.loadSegDesc(CS, (csel & 0xfffc) | this.cpl);
    this.eip = goff;
  }

  /** Far JMP or CALL (`call` true) to sel:off (SDM JMP / CALL far). */
  farTransfer(sel: number, off: number, call: boolean): void {
    const pm = (this.cr0 & CR0_PE) !== 0 && (this.flags & VM) === 0;
    const oldCs = this.segSel[CS];
    const oldEip = this.eip;
    if (!pm) {
      if (call) {
        // Both pushes must fit before anything changes.
        if (this.os32) { this.chkW(SS, this.spAdd(-8), 8); this.push32(oldCs); this.push32(oldEip); }
        else { this.chkW(SS, this.spAdd(-4), 4); this.push16(oldCs); this.push16(oldEip); }
      }
      this.farRealMode(sel, off);
      return;
    }
    if ((sel & ~3) !== 0 && this.readDesc(sel) && (this.dHi & 0x1000) === 0) {
      const type = (this.dHi >>> 8) & 0x1f;
      if (type === 0x04 || type === 0x0c) { this.callGate(sel, call); return; }
      if (type === 0x05 || type === 0x01 || type === 0x09) {
        // Task gate or available TSS: DPL >= CPL and >= RPL (SDM Vol. 3 §7.3).
        const dpl = (this.dHi >>> 13) & 3;
        if (dpl < this.cpl || dpl < (sel & 3)) this.gp(sel & 0xfffc);
        if ((this.dHi & 0x8000) === 0) this.fault(X_NP, sel & 0xfffc);
        this.taskSwitch(type === 0x05 ? this.dLo >>> 16 : sel, call ? TS_CALL : TS_JMP, -1);
        return;
      }
      this.gp(sel & 0xfffc);
    }
    this.checkCodeSeg(sel, this.cpl, false);
    const lim = descLimit(this.dLo, this.dHi);
    if (off > lim) this.gp(0);
    if (call) {
      const n = this.os32 ? 8 : 4;
      const sp = this.spAdd(-n);
      this.chkW(SS, sp, n);
      if (this.os32) { this.push32(oldCs); this.push32(oldEip); }
      else { this.push16(oldCs); this.push16(oldEip); }
    }
    this.markAccessed(sel);
    this.loadSegDesc(CS, (sel & 0xfffc) | this.cpl);
    this.eip = off;
  }

  /** Far RET (`imm` extra bytes to release), real or protected mode (SDM RET). */
  farReturn(imm: number): void {
    const pm = (this.cr0 & CR0_PE) !== 0 && (this.flags & VM) === 0;
    const w = this.os32 ? 4 : 2;
    const off = this.os32 ? this.peek32(0) >>> 0 : this.peek16(0);
    const sel = (this.os32 ? this.peek32(w) : this.peek16(w)) & 0xffff;
    if (!pm) {
      if (off > this.segLimit[CS]) this.gp(0);
      this.setRealModeSegment(CS, sel);
      this.eip = off;
      this.setSP(this.spAdd(2 * w + imm));
      return;
    }
    this.checkCodeSeg(sel, 0, true);
    const rpl = sel & 3;
    if (rpl === this.cpl) {
      if (off > descLimit(this.dLo, this.dHi)) this.gp(0);
      this.markAccessed(sel);
      this.loadSegDesc(CS, sel);
      this.eip = off;
      this.setSP(this.spAdd(2 * w + imm));
      return;
    }
    // Return to an outer privilege level: pop ESP and SS too.
    const lo = this.dLo, hi = this.dHi;
    const nsp = this.os32 ? this.peek32(2 * w + imm) >>> 0 : this.peek16(2 * w + imm);
    const nss = (this.os32 ? this.peek32(3 * w + imm) : this.peek16(3 * w + imm)) & 0xffff;
    if (off > descLimit(lo, hi)) this.gp(0);
    this.loadOuterSS(nss, rpl);
    this.dLo = lo; this.dHi = hi;
    this.markAccessed(sel);
    this.loadSegDesc(CS, sel);
    this.setCpl(rpl);
    this.commitOuterSS();
    this.setSP(this.ss32 ? (nsp + imm) >>> 0 : (nsp + imm) & 0xffff);
    this.eip = off;
    this.nullInvalidSegs();
  }

  private ssLo = 0;
  private ssHi = 0;
  private ssSel = 0;

  /** Validate the SS to be loaded on a return to privilege `rpl` (SDM RET/IRET checks). */
  loadOuterSS(nss: number, rpl: number): void {
    if ((nss & ~3) === 0) this.gp(0);
    if (!this.readDesc(nss)) this.gp(nss & 0xfffc);
    const acc = (this.dHi >>> 8) & 0xff;
    if ((nss & 3) !== rpl || (acc & 0x1a) !== 0x12 || ((acc >> 5) & 3) !== rpl) this.gp(nss & 0xfffc);
    if ((acc & 0x80) === 0) this.fault(X_SS, nss & 0xfffc);
    this.markAccessed(nss);
    this.ssLo = this.dLo; this.ssHi = this.dHi; this.ssSel = nss;
  }

  commitOuterSS(): void {
    this.dLo = this.ssLo; this.dHi = this.ssHi;
    this.loadSegDesc(SS, this.ssSel);
  }

  /** IRET (SDM IRET), real mode and protected mode without task return or V86. */
  iret(): void {
    const pm = (this.cr0 & CR0_PE) !== 0;
    const w = this.os32 ? 4 : 2;
    if (!pm) {
      const ip = this.os32 ? this.peek32(0) >>> 0 : this.peek16(0);
      const cs = (this.os32 ? this.peek32(4) : this.peek16(2)) & 0xffff;
      const fl = this.os32 ? this.peek32(8) : this.peek16(4);
      if (ip > this.segLimit[CS]) this.gp(0);
      this.setSP(this.spAdd(3 * w));
      this.setRealModeSegment(CS, cs);
      this.eip = ip;
      if (this.os32) this.setFlags((fl & (FLAGS_WRITABLE & ~VM)) | (this.flags & VM));
      else this.setFlags((this.getFlags() & ~0xffff) | (fl & 0x7fd5));
      return;
    }
    if ((this.flags & VM) !== 0) {
      // IRET inside virtual-8086 mode: IOPL-sensitive, then real-mode style; IOPL and VM stay.
      if (((this.flags >> 12) & 3) < 3) this.gp(0);
      const ip = this.os32 ? this.peek32(0) >>> 0 : this.peek16(0);
      const cs = (this.os32 ? this.peek32(4) : this.peek16(2)) & 0xffff;
      const fl = this.os32 ? this.peek32(8) : this.peek16(4);
      if (ip > this.segLimit[CS]) this.gp(0);
      this.setSP(this.spAdd(3 * w));
      this.setRealModeSegment(CS, cs);
      this.eip = ip;
      const keep = IOPL | VM | RF | (this.os32 ? 0 : 0xffff0000);
      this.setFlags((this.getFlags() & keep) | (fl & FLAGS_WRITABLE & ~keep));
      return;
    }
    if ((this.flags & NT) !== 0) {
      // Return to the task whose selector is the back link of the current TSS.
      this.taskSwitch(this.sysRd16(this.trBase), TS_IRET, -1);
      return;
    }
    const ip = this.os32 ? this.peek32(0) >>> 0 : this.peek16(0);
    const sel = (this.os32 ? this.peek32(w) : this.peek16(w)) & 0xffff;
    const fl = this.os32 ? this.peek32(2 * w) : this.peek16(2 * w);
    if (this.os32 && (fl & VM) !== 0 && this.cpl === 0) {
      this.iretToVm86(ip, sel, fl);
      return;
    }
    this.checkCodeSeg(sel, 0, true);
    const rpl = sel & 3;
    const oldCpl = this.cpl;
    const lo = this.dLo, hi = this.dHi;
    if (ip > descLimit(lo, hi)) this.gp(0);
    let nsp = 0;
    if (rpl !== this.cpl) {
      nsp = this.os32 ? this.peek32(3 * w) >>> 0 : this.peek16(3 * w);
      const nss = (this.os32 ? this.peek32(4 * w) : this.peek16(4 * w)) & 0xffff;
      this.loadOuterSS(nss, rpl);
      this.dLo = lo; this.dHi = hi;
    }
    this.markAccessed(sel);
    this.loadSegDesc(CS, sel);
    this.eip = ip;
    this.writeFlagsPriv(fl, this.os32, oldCpl);
    if (rpl !== oldCpl) {
      this.setCpl(rpl);
      this.commitOuterSS();
      this.setSP(nsp);
      this.nullInvalidSegs();
    } else {
      this.setSP(this.spAdd(3 * w));
    }
  }

  /** IRET from CPL 0 to virtual-8086 mode (SDM IRET, RETURN-TO-VIRTUAL-8086-MODE). */
  private iretToVm86(ip: number, cs: number, fl: number): void {
    const esp = this.peek32(12) >>> 0;
    const ss = this.peek32(16) & 0xffff;
    const es = this.peek32(20) & 0xffff;
    const ds = this.peek32(24) & 0xffff;
    const fs = this.peek32(28) & 0xffff;
    const gs = this.peek32(32) & 0xffff;
    this.setFlags((fl & FLAGS_WRITABLE) | VM);
    this.setCpl(3);
    // Every segment becomes a 64 KiB real-mode style segment at selector * 16, DPL 3.
    this.loadSegRaw(CS, cs, cs << 4, 0xffff, 0xfb);
    this.loadSegRaw(SS, ss, ss << 4, 0xffff, 0xf3);
    this.loadSegRaw(ES, es, es << 4, 0xffff, 0xf3);
    this.loadSegRaw(DS, ds, ds << 4, 0xffff, 0xf3);
    this.loadSegRaw(FS, fs, fs << 4, 0xffff, 0xf3);
    this.loadSegRaw(GS, gs, gs << 4, 0xffff, 0xf3);
    this.r32[8] = esp;
    this.eip = ip & 0xffff;
  }

  /** POPF/IRET flag load with the CPL/IOPL rules (SDM POPF). */
  writeFlagsPriv(v: number, is32: boolean, cpl: number): void {
    let mask = ARITH | TF | DF | NT | AC | ID;
    const old = this.getFlags();
    if (cpl === 0) mask |= IOPL | IF;
    else if (cpl <= ((old >> 12) & 3)) mask |= IF;
    if (!is32) mask &= 0xffff;
    mask |= RF & (is32 ? RF : 0);
    this.setFlags((old & ~mask) | (v & mask));
  }

  // =============================================================================================
  // Interrupts and exceptions
  // =============================================================================================

  /**
   * Deliver interrupt `vec`. `soft` is INT n/INT3/INTO (gate DPL checked, EXT=0); `ext` marks an
   * external interrupt or an exception for the EXT bit of error codes. `err` < 0: no error code.
   */
  interrupt(vec: number, soft: boolean, ext: number, err: number): void {
    const pm = (this.cr0 & CR0_PE) !== 0;
    const retEip = this.eip;
    if (this.lastVector < 0) this.lastVector = vec;
    if (!pm) {
      if (vec * 4 + 3 > this.idtrLimit) this.gp(0);
      const off = this.rd16((this.idtrBase + vec * 4) | 0);
      const sel = this.rd16((this.idtrBase + vec * 4 + 2) | 0);
      const fl = this.getFlags();
      // Each of the three pushes wraps on its own; all must fit before anything is stored.
      this.chkW(SS, this.spAdd(-2), 2); this.chkW(SS, this.spAdd(-4), 2); this.chkW(SS, this.spAdd(-6), 2);
      this.push16(fl);
      this.push16(this.segSel[CS]);
      this.push16(retEip);
      this.setFlags(fl & ~(IF | TF | AC | RF));
      this.setRealModeSegment(CS, sel);
      this.eip = off;
      return;
    }
    const fromVm = (this.flags & VM) !== 0;
    const extBit = ext;
    if (vec * 8 + 7 > this.idtrLimit) this.gp(vec * 8 + 2 + extBit);
    const glo = this.sysRd32((this.idtrBase + vec * 8) | 0);
    const ghi = this.sysRd32((this.idtrBase + vec * 8 + 4) | 0);
    const type = (ghi >> 8) & 0x1f;
    if (type === 0x05) {
      const gdpl5 = (ghi >> 13) & 3;
      if (soft && gdpl5 < this.cpl) this.gp(vec * 8 + 2);
      if ((ghi & 0x8000) === 0) this.fault(X_NP, vec * 8 + 2 + extBit);
      this.taskSwitch(glo >>> 16, TS_INT, err);
      return;
    }
    if (type !== 0x06 && type !== 0x07 && type !== 0x0e && type !== 0x0f) this.gp(vec * 8 + 2 + extBit);
    const gdpl = (ghi >> 13) & 3;
    if (soft && gdpl < this.cpl) this.gp(vec * 8 + 2);
    if ((ghi & 0x8000) === 0) this.fault(X_NP, vec * 8 + 2 + extBit);
    const gate32 = (type & 8) !== 0;
    const trap = (type & 1) !== 0;
    const sel = glo >>> 16;
    const off = gate32 ? ((ghi & 0xffff0000) | (glo & 0xffff)) >>> 0 : glo & 0xffff;
    if ((sel & ~3) === 0) this.gp(extBit);
    if (!this.readDesc(sel)) this.gp((sel & 0xfffc) + extBit);
    const acc = (this.dHi >>> 8) & 0xff;
    const dpl = (acc >> 5) & 3;
    if ((acc & 0x18) !== 0x18 || dpl > this.cpl) this.gp((sel & 0xfffc) + extBit);
    // From virtual-8086 mode the handler must be ring-0, non-conforming code (SDM §20.3.1.1).
    if (fromVm && (dpl !== 0 || (acc & 4) !== 0)) this.gp((sel & 0xfffc) + extBit);
    if (fromVm && (type & 8) === 0) this.unimplemented('16-bit gate for an interrupt from virtual-8086 mode');
    if ((acc & 0x80) === 0) this.fault(X_NP, (sel & 0xfffc) + extBit);
    if (off > descLimit(this.dLo, this.dHi)) this.gp(extBit);
    const clo = this.dLo, chi = this.dHi;
    const fl = this.getFlags();
    const oldCs = this.segSel[CS];
    const n = gate32 ? 4 : 2;
    const withErr = err >= 0;
    if ((acc & 4) === 0 && dpl < this.cpl) {
      // Inter-privilege: new stack from the TSS (SDM Vol. 3 §6.12.1).
      this.tssStack(dpl, extBit);
      const nss = this.tssSS, nesp = this.tssESP;
      const oldSS = this.segSel[SS];
      const oldEsp = this.r32[8] >>> 0;
      // Switch to the new stack (restored by the fault handler if a push faults).
      const sSel = this.segSel[SS], sBase = this.segBase[SS], sLim = this.segLimit[SS], sAcc = this.segAcc[SS], sCpl = this.cpl;
      // Leaving virtual-8086 mode: segments are descriptor-based from here on.
      if (fromVm) this.flags &= ~VM;
      this.markAccessed(nss);
      this.loadSegDesc(SS, nss);
      this.setCpl(dpl);
      this.r32[8] = nesp;
      try {
        const total = n * (5 + (withErr ? 1 : 0) + (fromVm ? 4 : 0));
        this.chkW(SS, this.spAdd(-total), total);
        if (fromVm) {
          this.push32(this.segSel[GS]); this.push32(this.segSel[FS]);
          this.push32(this.segSel[DS]); this.push32(this.segSel[ES]);
        }
        if (gate32) {
          this.push32(oldSS); this.push32(oldEsp); this.push32(fl); this.push32(oldCs); this.push32(retEip);
          if (withErr) this.push32(err);
        } else {
          this.push16(oldSS); this.push16(oldEsp); this.push16(fl); this.push16(oldCs); this.push16(retEip);
          if (withErr) this.push16(err);
        }
      } catch (e) {
        if (fromVm) this.flags |= VM;
        this.loadSegRaw(SS, sSel, sBase, sLim, sAcc);
        this.setCpl(sCpl);
        this.r32[8] = oldEsp;
        throw e;
      }
      if (fromVm) {
        for (const s of DATA_SEGS) this.loadSegRaw(s, 0, 0, 0, 0);
      }
    } else {
      const total = n * (3 + (withErr ? 1 : 0));
      this.chkW(SS, this.spAdd(-total), total);
      if (gate32) {
        this.push32(fl); this.push32(oldCs); this.push32(retEip);
        if (withErr) this.push32(err);
      } else {
        this.push16(fl); this.push16(oldCs); this.push16(retEip);
        if (withErr) this.push16(err);
      }
    }
    this.dLo = clo; this.dHi = chi;
    this.markAccessed(sel);
    this.loadSegDesc(CS, (sel & 0xfffc) | this.cpl);
    this.eip = off;
    let nf = fl & ~(TF | NT | RF | VM);
    if (!trap) nf &= ~IF;
    this.setFlags(nf);
  }

  /** Deliver the exception recorded by `fault`, applying the double-fault rules. */
  deliverException(): void {
    let vec = this.excVector;
    let err = this.excHasError ? this.excError : -1;
    if (__DEBUG_EMULATOR__ && this.trace) {
      this.trace(`x86: exception ${vec} error ${err} at ${this.currentInstructionAddress().toString(16)}`);
    }
    // Faults restart the instruction: restore EIP and ESP of its start.
    this.eip = this.startEip;
    this.r32[8] = this.startEsp;
    for (;;) {
      try {
        this.interrupt(vec, false, 1, err);
        return;
      } catch (e) {
        if (e !== this.exc) throw e;
        // A task switch that committed before faulting moved startEip/startEsp to the new task.
        this.eip = this.startEip;
        this.r32[8] = this.startEsp;
        const v2 = this.excVector;
        // A fault while delivering #DF is a triple fault (SDM Vol. 3 §6.15, interrupt 8).
        if (vec === X_DF) { this.shutdown = true; this.pending |= 8; return; }
        if ((isContributory(vec) && isContributory(v2)) || (vec === X_PF && (isContributory(v2) || v2 === X_PF))) {
          vec = X_DF;
          err = 0;
        } else {
          vec = v2;
          err = this.excHasError ? this.excError : -1;
        }
      }
    }
  }

  /** Inject an external interrupt now (the VMM calls this only when deliverable). */
  injectInterrupt(vector: number): void {
    this.halted = false;
    this.startEip = this.eip;
    this.startEsp = this.r32[8];
    try {
      this.interrupt(vector & 0xff, false, 1, -1);
    } catch (e) {
      if (e !== this.exc) throw e;
      this.deliverException();
    }
  }

  /** IF=1 and not in an STI / MOV SS interrupt shadow. */
  interruptsDeliverable(): boolean {
    return (this.flags & IF) !== 0 && this.retired !== this.inhibitAt && !this.shutdown;
  }

  /** When true, `run` returns InterruptWindow as soon as interrupts are deliverable. */
  get interruptWindowExit(): boolean {
    return (this.pending & 2) !== 0;
  }

  set interruptWindowExit(on: boolean) {
    if (on) this.pending |= 2; else this.pending &= ~2;
  }

  /** Ask `run` to return `Requested` at the next instruction boundary (callable from a bus call). */
  requestExit(): void {
    this.pending |= 1;
  }

  // =============================================================================================
  // The run loop
  // =============================================================================================

  /** Execute up to `budget` instructions. */
  run(budget: number): ExitReason {
    const start = this.retired;
    try {
      return this.runInner(budget);
    } finally {
      this.lastRetired = this.retired - start;
    }
  }

  private runInner(budget: number): ExitReason {
    if (this.shutdown) return ExitReason.Shutdown;
    if ((this.pending & 1) !== 0) { this.pending &= ~1; return ExitReason.Requested; }
    if (this.halted) return ExitReason.Halt;
    let end = this.retired + budget;
    const ops = OPS;
    this.resetDecode();
    if (this.pending !== 0) {
      const r = this.beforeInsn();
      if (r !== 0) return r;
    }
    for (;;) {
      try {
        while (this.retired < end) {
          this.startEip = this.eip;
          this.startEsp = this.r32[8];
          if (__DEBUG_XED__) this.traceInstruction();
          ops[this.fetch8()](this);
          this.retired++;
          if (this.prefixed) this.resetDecode();
          if (this.pending !== 0) {
            const r = this.afterInsn();
            if (r !== 0) return r;
          }
        }
        return ExitReason.Budget;
      } catch (e) {
        if (e !== this.exc) throw e;
        // A faulting instruction does not retire but still spends budget.
        end--;
        this.tfArmed = false;
        this.deliverException();
        // Delivery may have changed CS (out of V86, into a 32-bit handler): its defaults apply.
        this.resetDecode();
        if (this.shutdown) return ExitReason.Shutdown;
      }
    }
  }

  /** DEBUG_XED: one line per instruction, disassembled from the same opcode table. */
  private traceInstruction(): void {
    if (!this.trace) return;
    const lin = this.currentInstructionAddress();
    const d = disassemble(this.readLinear(lin, 15), 0, this.cs32 ? 32 : 16);
    this.trace(`${this.segSel[CS].toString(16).padStart(4, '0')}:${this.eip.toString(16).padStart(8, '0')} ${d.text}`);
  }

  /** Decode state back to the CS defaults (after a prefixed instruction or a CS change). */
  resetDecode(): void {
    this.os32 = this.cs32;
    this.as32 = this.cs32;
    this.segOvr = -1;
    this.rep = 0;
    this.lock = 0;
    this.prefixed = false;
  }

  private beforeInsn(): ExitReason | 0 {
    const p = this.pending;
    if ((p & 1) !== 0) { this.pending &= ~1; return ExitReason.Requested; }
    if ((p & 2) !== 0 && this.interruptsDeliverable()) return ExitReason.InterruptWindow;
    this.tfArmed = (this.flags & TF) !== 0;
    return 0;
  }

  /** Boundary work after an instruction; also arms the TF trap for the next one. */
  private afterInsn(): ExitReason | 0 {
    const p = this.pending;
    if ((p & 8) !== 0) {
      this.pending &= ~8;
      if (this.shutdown) return ExitReason.Shutdown;
      if (this.halted) { this.tfArmed = false; return ExitReason.Halt; }
    }
    if (this.tfArmed) {
      // Single-step trap after the instruction (SDM Vol. 3 §17.3.1.4).
      this.tfArmed = (this.flags & TF) !== 0;
      this.dr[6] |= 0x4000;
      this.startEip = this.eip;
      this.startEsp = this.r32[8];
      this.fault(X_DB, -1);
    }
    this.tfArmed = (this.flags & TF) !== 0;
    if ((p & 1) !== 0) { this.pending &= ~1; return ExitReason.Requested; }
    if ((p & 2) !== 0 && this.interruptsDeliverable()) return ExitReason.InterruptWindow;
    return 0;
  }

  /** HLT: privileged in protected mode. */
  hlt(): void {
    if (this.cpl !== 0) this.gp(0);
    this.halted = true;
    this.pending |= 8;
  }

  /** Write CR0, flushing what depends on it. */
  writeCr0(v: number): void {
    v |= 0x10; // ET is hardwired to 1 on 486+
    if ((v & CR0_PG) !== 0 && (v & CR0_PE) === 0) this.gp(0);
    if ((v & 0x20000000) !== 0 && (v & 0x40000000) === 0) this.gp(0); // NW without CD
    const old = this.cr0;
    if ((v & CR0_PG) !== 0 && (old & CR0_PG) === 0 && (this.cr4 & CR4_PAE) !== 0) this.loadPdptes(this.cr3, true);
    this.cr0 = v | 0;
    if (((old ^ v) & (CR0_PE | CR0_PG | CR0_WP)) !== 0) {
      for (let s = 0; s < 6; s++) this.segUpdated(s);
      this.flushTlb();
      if (this.shadowMmu !== null) this.shadowMmu.controlWrite(0, old);
    }
    if ((v & CR0_PE) === 0) this.setCpl(0);
  }

  /** Software interrupt INT n / INT3 / INTO (trap: return address is the next instruction). */
  softInt(vec: number, sensitive: boolean): void {
    // INT n is IOPL-sensitive in virtual-8086 mode (no VME); INT3 and INTO are not.
    if (sensitive && (this.flags & VM) !== 0 && ((this.flags >> 12) & 3) < 3) this.gp(0);
    this.interrupt(vec, true, 0, -1);
  }

  /** Recompute nothing; exposed for handlers that need EFLAGS with DF quickly. */
  dfDelta(size: number): number {
    return (this.flags & DF) !== 0 ? -size : size;
  }

  /** For IN/OUT: I/O permission check (SDM Vol. 1 §18.5). */
  ioCheck(port: number, size: number): void {
    if ((this.cr0 & CR0_PE) === 0) return;
    if ((this.flags & VM) === 0 && this.cpl <= ((this.flags >> 12) & 3)) return;
    if ((this.trAcc & 0x8) === 0 || this.trLimit < 0x67) this.gp(0);
    const mapBase = this.sysRd16((this.trBase + 0x66) | 0);
    const byte = mapBase + (port >> 3);
    if (byte + 1 > this.trLimit) this.gp(0);
    const bits = this.sysRd16((this.trBase + byte) | 0);
    const mask = ((1 << size) - 1) << (port & 7);
    if ((bits & mask) !== 0) this.gp(0);
  }
}


export { BREG, PARITY };
