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

/**
 * The shadow-paging intercepts (the role SVM's #PF, CR and INVLPG intercepts play for a VMM
 * without nested paging). With a `ShadowMmu` installed (`Cpu.setShadowMmu`) and guest CR0.PG=1,
 * the CPU translates linear addresses through the VMM's shadow page tables instead of the
 * guest's own; everything else the guest sees (CR0/CR2/CR3/CR4, the PDPTE loads and their #GP,
 * its page tables in RAM) is unchanged. All calls are synchronous, from inside the instruction.
 *
 * Shadow table format: real x86 entries in `tables`, only 4 KiB leaves. Without CR4.PAE a
 * 32-bit two-level tree (4-byte PDEs and PTEs); with CR4.PAE the PAE tree (a 4-entry PDPT, then
 * 8-byte PDEs and PTEs, bit 63 XD honoured when IA32_EFER.NXE). A non-leaf entry's address bits
 * are the byte offset of the next table inside `tables` (that array is the VMM's "host-physical"
 * memory for shadow tables); a PTE's address bits are the guest-physical frame the page maps.
 * The CPU checks P, R/W (always as if CR0.WP=1), U/S and XD of the shadow entries and does not
 * write accessed or dirty bits into them.
 */
export interface ShadowMmu {
  /** VMM-owned memory holding the shadow tables, as little-endian 32-bit words. */
  readonly tables: Int32Array;
  /** Byte offset in `tables` of the shadow root: a 4 KiB page directory, or a 32-byte PDPT with PAE. */
  readonly root: number;
  /**
   * A shadow miss or permission fault at linear `lin`; `err` is the #PF error code the shadow
   * walk produced (P, W/R, U/S, I/D). Nothing of the instruction has been committed by the walk.
   * Return -1 after filling the shadow (the CPU walks again), or a guest #PF error code to inject
   * a page fault into the guest (the CPU sets the guest's CR2 to `lin`).
   */
  pageFault(lin: number, err: number): number;
  /** MOV to CR0 (a change of PE, PG or WP), CR3 (also a task switch's CR3 load) or CR4, after it took effect. */
  controlWrite(cr: 0 | 3 | 4, old: number): void;
  /** INVLPG `lin`, after the CPU dropped its own TLB entries for it. */
  invlpg(lin: number): void;
  /**
   * Every full TLB flush (CR0/CR3/CR4 writes, IA32_EFER.NXE changes, A20, reset, setState, the
   * VMM's own `flushTlb`): no shadow entry may be used any more. Reported before `controlWrite`.
   */
  flush(): void;
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
