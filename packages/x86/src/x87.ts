// The CPU side of the x87 plug-in: the structural contract an x87 unit implements, and the
// memory adapter that gives it guest-linear accesses (page faults propagate as guest faults).
import type { Cpu } from './cpu.js';

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

/** An x87 unit: `exec(D8..DF, modrm, ctx)` returns X87_* result bits. */
export interface X87Unit {
  exec(opcode: number, modrm: number, ctx: X87Context): number;
  init(): void;
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
