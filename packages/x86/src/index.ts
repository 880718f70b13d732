/**
 * An x86 CPU: decoder, interpreter and MMU. It imports nothing from the rest of v3 and reaches
 * the machine only through an {@link X86Bus} and a {@link GuestPhysicalMemory}.
 *
 * - {@link Cpu}: real mode and 32-bit protected mode with 2-level paging; `run(budget)` returns
 *   an {@link ExitReason}.
 * - {@link disassemble}: a disassembler driven by the same opcode table as the interpreter.
 * - {@link X86Unimplemented}: thrown (fail stop) for anything the CPU does not implement.
 * @packageDocumentation
 */
export { FrameFlag, ExitReason } from './bus.js';
export type { X86Bus, GuestPhysicalMemory, ShadowMmu } from './bus.js';
export { Cpu } from './cpu.js';
export type { CpuState, CpuOptions, CpuidOptions, SegmentState, TableState } from './cpu.js';
export { X86Unimplemented } from './errors.js';
export { disassemble } from './disasm.js';
export type { Disassembly } from './disasm.js';
export { DEFAULT_FEATURES } from './ops/system.js';
export { X87_OK, X87_WRITE_AX, X87_WRITE_FLAGS, X87_UD, X87_MF } from './x87.js';
export type { X87Unit, X87Context, X87Memory } from './x87.js';
export { Fpu } from './fpu/index.js';
export type { FpuState } from './fpu/index.js';
