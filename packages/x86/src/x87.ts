// The CPU side of the x87 plug-in: the structural contract an x87 unit implements, and the
// memory adapter that gives it guest-linear accesses (page faults propagate as guest faults).
import type { Cpu } from './cpu.js';
import type { FpuState } from './fpu/index.js';

/** Linear-address memory for an x87 operand; calls may throw (the CPU's page-fault path). */
export interface X87Memory {
  read8(linear: number): number;
  read16(linear: number): number;
  read32(linear: number): number;
  write8(linear: number, value: number): void;
  write16(linear: number, value: number): void;
  write32(linear: number, value: number): void;
}

/** Per-instruction facts the CPU hands to the unit, and what the unit hands back. */
export interface X87Context {
  mem: X87Memory | null;
  ea: number;
  offset: number;
  ds: number;
  cs: number;
  eip: number;
  opSize32: boolean;
  realMode: boolean;
  eflags: number;
  ignne: boolean;
  ax: number;
  flags: number;
}

/** An x87 unit: `exec(D8..DF, modrm, ctx)` returns X87_* result bits. `Fpu` (./fpu) is one. */
export interface X87Unit {
  exec(opcode: number, modrm: number, ctx: X87Context): number;
  /** Power-on state. */
  reset(): void;
  /** WAIT/FWAIT: an unmasked exception is pending. */
  waitCheck(): boolean;
  /** FSW.ES, the FERR# output. */
  readonly ferr: boolean;
  /** Checkpoint support (optional). */
  getState?(): FpuState;
  setState?(s: FpuState): void;
}

/**
 * Size in bytes of the memory operand of x87 escape `op` with ModRM reg field `reg` (SDM Vol. 2
 * instruction pages); environment and state images depend on the operand size. Negative sizes
 * mark stores (the operand must be writable).
 */
export function x87OperandSize(op: number, reg: number, os32: boolean): number {
  const env = os32 ? 28 : 14;
  const state = os32 ? 108 : 94;
  switch (op) {
    case 0xd8: return 4;
    case 0xd9: return [4, 4, -4, -4, env, 2, -env, -2][reg];
    case 0xda: return 4;
    case 0xdb: return [4, -4, -4, -4, 4, 10, 4, -10][reg];
    case 0xdc: return 8;
    case 0xdd: return [8, -8, -8, -8, state, 8, -state, -2][reg];
    case 0xde: return 2;
    default: return [2, -2, -2, -2, 10, 8, -10, -8][reg];
  }
}

/** exec results (bit values shared with the unit). */
export const X87_OK = 0;
export const X87_WRITE_AX = 1;
export const X87_WRITE_FLAGS = 2;
export const X87_UD = 4;
export const X87_MF = 8;

/** A fresh context object (one per core, refilled per instruction). */
export function newX87Context(): X87Context {
  return {
    mem: null, ea: 0, offset: 0, ds: 0, cs: 0, eip: 0, opSize32: true, realMode: false,
    eflags: 0, ignne: false, ax: 0, flags: 0,
  };
}

/** Guest-linear memory through the CPU's TLB and page walker. */
export class CpuLinearMemory implements X87Memory {
  constructor(private readonly cpu: Cpu) {}
  read8(a: number): number { return this.cpu.rd8(a | 0); }
  read16(a: number): number { return this.cpu.rd16(a | 0); }
  read32(a: number): number { return this.cpu.rd32(a | 0) >>> 0; }
  write8(a: number, v: number): void { this.cpu.wr8(a | 0, v & 0xff); }
  write16(a: number, v: number): void { this.cpu.wr16(a | 0, v & 0xffff); }
  write32(a: number, v: number): void { this.cpu.wr32(a | 0, v | 0); }
}
