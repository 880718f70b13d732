import { V3Error } from '@v3/device-api';
import { Cpu, X86Unimplemented, type CpuState, type ExitReason, type X86Bus } from '@v3/x86';
import { attachShadowPager } from './shadow-paging/index.js';
import type { V3VmInfo } from './vm.js';

/**
 * The engine boundary: what a core needs from whatever runs guest instructions. Today it is the
 * @v3/x86 interpreter playing SVM/VMX; a hardware-assisted engine (KVM) would implement the same
 * few members. Data exits (ports, MMIO) are calls from the engine into the VM's bus; control
 * exits come back from `run`.
 */
export interface V3Engine {
  /** Enter the guest for at most `budget` instructions. */
  run(budget: number): ExitReason;
  /** Instructions retired since reset (the virtual clock's source). */
  readonly retired: number;
  /** Exit as soon as the guest can take an interrupt (SVM's VINTR intercept). */
  interruptWindowExit: boolean;
  /** IF set and no interrupt shadow. */
  interruptsDeliverable(): boolean;
  /** Event injection: deliver external interrupt `vector` now. */
  injectInterrupt(vector: number): void;
  /** End the current slice at the next instruction boundary (safe from inside a bus call). */
  requestExit(): void;
  /** Power-on reset of the processor. */
  reset(): void;
  /** Forget cached translations: the VMM changed which guest-physical frames are plain RAM. */
  flushTlb(): void;
  getState(): CpuState;
  setState(state: Partial<CpuState>): void;
  /** Linear address of the instruction executing or last started. */
  currentInstructionAddress(): number;
  /** Guest-linear bytes, without faulting (for dumps). */
  readLinear(addr: number, n: number): Uint8Array;
  /** Registers and segments as text (for the fail-stop dump). */
  dumpState(): string;
  /** What CPUID `leaf`/`subleaf` answers the guest now, hooks included (loaders ask it). */
  cpuid(leaf: number, subleaf: number): readonly [number, number, number, number];
}

/** The x86 interpreter wired to a VM's memory map and port table (and, under shadow paging, its pager). */
export function createX86Engine(vm: V3VmInfo, coreId = 0): V3Engine {
  const io = vm.io;
  const mem = vm.mem;
  const cpuid = vm.cpuid;
  const msr = vm.msr;
  const bus: X86Bus = {
    ioRead: (port, size) => io.read(port, size),
    ioWrite: (port, size, value) => io.write(port, size, value),
    memRead: (paddr, size) => mem.read(paddr, size),
    memWrite: (paddr, size, value) => mem.write(paddr, size, value),
    // Hooked MSRs are data exits to their owners; the rest are the CPU's own.
    msrRead: (n) => msr.read(n) ?? undefined,
    msrWrite: (n, value) => msr.write(n, value),
  };
  // Instruction and exception traces of DEBUG_XED / DEBUG_EMULATOR builds.
  const trace = (line: string): void => {
    if (vm.debugOn('XED') || vm.debugOn('EMULATOR')) vm.debug('XED', line);
  };
  const cpu = new Cpu(mem.guestMemory, bus, {
    cpuid: { hook: (leaf, subleaf, native) => cpuid.answer(leaf, subleaf, native) },
    trace,
  });
  // Shadow paging: the VMM's pager owns the tables the CPU translates through.
  if (vm.config.paging === 'shadow') attachShadowPager(vm, cpu, coreId);
  return cpu;
}

/**
 * Whatever stopped a core, as one V3Error naming the component, the VM, the core, the guest
 * address and the instruction bytes. A non-V3 exception is an internal bug and says so.
 */
export function toV3Error(err: unknown, vm: V3VmInfo, core: { id: number; engine: V3Engine }): V3Error {
  if (err instanceof X86Unimplemented) {
    return new V3Error(
      { component: 'x86', vm: vm.name, core: core.id, rip: err.linear, bytes: err.bytes },
      `unimplemented ${err.what}`,
    );
  }
  const rip = core.engine.currentInstructionAddress();
  const bytes = core.engine.readLinear(rip, 15);
  if (err instanceof V3Error) return err.withDetail({ vm: vm.name, core: core.id, rip, bytes });
  const e = err instanceof Error ? err : new Error(String(err));
  const wrapped = new V3Error(
    { component: 'vmm', vm: vm.name, core: core.id, rip, bytes },
    `internal bug: ${e.name}: ${e.message}`,
  );
  wrapped.stack = e.stack;
  return wrapped;
}
