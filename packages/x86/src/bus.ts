/**
 * The CPU's view of the machine around it. These calls happen synchronously from inside an
 * instruction (a `rep outsb` or an MMIO read-modify-write stays atomic); the VMM implements
 * them with its hook tables. Whatever they throw propagates out of `Cpu.run` unchanged.
 */
export interface X86Bus {
  /** IN from `port` (0-0xFFFF) of `size` bytes; returns the zero-extended value. */
  ioRead(port: number, size: 1 | 2 | 4): number;
  /** OUT to `port` of `size` bytes. */
  ioWrite(port: number, size: 1 | 2 | 4, value: number): void;
  /** Read from a guest-physical address whose frame is not plain RAM (ROM, MMIO, unmapped). */
  memRead(paddr: number, size: 1 | 2 | 4): number;
  /** Write to a guest-physical address whose frame is not plain RAM. */
  memWrite(paddr: number, size: 1 | 2 | 4, value: number): void;
  /**
   * Optional MSR intercept (`v3_hook_msr`): called first for every RDMSR at CPL 0. Return the
   * 64-bit value to answer it, or `undefined` to let the CPU handle the MSR itself.
   */
  msrRead?(msr: number): bigint | undefined;
  /**
   * Optional MSR intercept for WRMSR at CPL 0: return true when the VMM handled the write, false
   * to let the CPU handle it. A VMM that wants the guest to see #GP throws nothing and returns
   * false for an MSR the CPU does not know.
   */
  msrWrite?(msr: number, value: bigint): boolean;
}

/**
 * Guest-physical memory as the CPU sees it. `ram` holds guest-physical addresses
 * `0 .. ram.length - 1`. `frameFlags` has one byte per 4 KiB frame of the 4 GiB physical space
 * (2^20 entries): 0 means plain RAM inside `ram`, read and written directly; anything else means
 * the access goes to the bus (ROM, MMIO, holes). The VMM owns and updates both arrays.
 */
export interface GuestPhysicalMemory {
  ram: Uint8Array;
  frameFlags: Uint8Array;
}

/** Frame flag values of {@link GuestPhysicalMemory.frameFlags}. */
export const FrameFlag = {
  /** Plain RAM: direct access. */
  Ram: 0,
  /** Routed to the bus for reads and writes (ROM, MMIO, unbacked). */
  Bus: 1,
} as const;

/**
 * Why `Cpu.run` returned: the control exits of the exit model. Data exits (ports, MMIO) are bus
 * calls and never end a slice.
 */
export const enum ExitReason {
  /** The instruction budget of the slice is spent. */
  Budget = 1,
  /** HLT executed; the core waits for an interrupt. */
  Halt = 2,
  /** Interrupts became enabled while the VMM had asked for an interrupt-window exit. */
  InterruptWindow = 3,
  /** Triple fault (or a shutdown cycle): the machine must reset or stop. */
  Shutdown = 4,
  /** `Cpu.requestExit()` was called (a device raised a line, the host wants control). */
  Requested = 5,
}
