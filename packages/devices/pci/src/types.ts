import type { AccessSize } from '@v3/device-api';

/**
 * One Base Address Register a function implements. The bus keeps the register (sizing,
 * relocation, type bits) and tells the function where it decodes through `onBarChange`.
 */
export interface PciBarSpec {
  /** Bytes decoded: a power of two, 4-256 for `io`, at least 16 for `mem32` (spec 6.2.5.1). */
  size: number;
  /** I/O space, or memory anywhere in the 32-bit space. */
  kind: 'io' | 'mem32';
  /** Memory BARs only: the prefetchable bit (bit 3). */
  prefetchable?: boolean;
}

/**
 * What a device gives {@link PciBus.registerDevice}: where it sits, the read-only identity of its
 * type 0 header, its BARs, and handlers for the device-specific registers 0x40-0xFF.
 */
export interface PciDeviceOptions {
  /** Device number 0-31 on bus 0; omitted: the first slot with no function in it (function 0 only). */
  slot?: number;
  /** Function number 0-7. */
  fn: number;
  /** A name for messages (`i440FX`, `PIIX3`, `ide0`). */
  name: string;
  /** Vendor ID (0x0000 and 0xFFFF are not valid vendors). */
  vendorId: number;
  /** Device ID. */
  deviceId: number;
  /** Class code, 24 bits: base class, sub-class, programming interface (0x060000 = host bridge). */
  classCode: number;
  /** Revision ID. */
  revision: number;
  /** Header layout (bits 6-0 of Header Type); only 0x00 is modelled. Default 0. */
  headerType?: number;
  /**
   * Set Header Type bit 7 on function 0 even while no other function of the slot is registered
   * (a chip whose other functions come from other packages, like the PIIX3). The bus also sets
   * it whenever a second function is registered in the slot.
   */
  multiFunction?: boolean;
  /** Subsystem Vendor ID (default 0). */
  subsystemVendorId?: number;
  /** Subsystem ID (default 0). */
  subsystemId?: number;
  /** Interrupt Pin: 0 none (default), 1-4 INTA#-INTD#. */
  interruptPin?: number;
  /** Command register: value at reset and the bits the guest may change (others read as at reset). */
  command?: { reset: number; writable: number };
  /**
   * Status register: value at reset (read-only bits such as DEVSEL timing, fast back-to-back)
   * and which bits are write-one-to-clear. Default: DEVSEL medium, all error bits clearable.
   */
  status?: { reset: number; clearable: number };
  /** Latency Timer bits the guest may write (0xF8 on masters with an 8-clock granularity). Default 0. */
  latencyTimerWritable?: number;
  /** Capabilities Pointer (0x40-0xFC, dword aligned); sets Status.CAP_LIST. The registers it points to are the device's own. */
  capabilityPointer?: number;
  /** Up to six BARs, BAR0 first. */
  bars?: readonly PciBarSpec[];
  /**
   * A BAR's decoding changed: `newBase` is where it now decodes, or `null` when it decodes
   * nothing (its space is disabled in Command, or it sits at 0 or beyond the address space).
   * The device moves its port or MMIO hooks here.
   */
  onBarChange?(barIndex: number, newBase: number | null): void;
  /**
   * A read of the device-specific registers (0x40-0xFF). `reg` is the byte offset of the
   * access, `size` bytes within one dword. Missing: those registers read 0 (reserved).
   */
  configRead?(reg: number, size: AccessSize): number;
  /**
   * A write of the device-specific registers (0x40-0xFF). Missing: such a write fails stop,
   * since the device models no register there.
   */
  configWrite?(reg: number, size: AccessSize, value: number): void;
}

/** What {@link PciBus.registerDevice} gives back: the function's side of the bus. */
export interface PciFunctionHandle {
  /** Device number on bus 0. */
  readonly slot: number;
  /** Function number. */
  readonly fn: number;
  /** The name it registered with. */
  readonly name: string;
  /**
   * The 256 bytes of configuration space as the guest reads them for 0x00-0x3F (little-endian).
   * Read it; change it only through the guest or the methods below.
   */
  readonly config: Uint8Array;
  /** Read `size` bytes of configuration space as the guest would (header or device-specific). */
  readConfig(reg: number, size: AccessSize): number;
  /** Where BAR `index` decodes now, or `null`. */
  barBase(index: number): number | null;
  /** Assert this function's INTx# (level). Idempotent. */
  raiseIntx(): void;
  /** Deassert this function's INTx#. Idempotent. */
  lowerIntx(): void;
  /** Set error bits in Status (a received master abort, say); the guest clears them by writing 1s. */
  setStatusBits(bits: number): void;
  /** Remove the function from the bus (its BARs are reported as decoding nothing first). */
  unregister(): void;
}

/**
 * The interrupt router of the bus: the south bridge (the PIIX3) that steers PIRQA#-PIRQD# to ISA
 * IRQs. The bus ORs every function's INTx# onto the PIRQ line its slot swizzle picks and reports
 * each change of that wired-OR here.
 */
export interface PciIntxRouter {
  /** A name for messages. */
  readonly name: string;
  /** PIRQ line `pirq` (0 = PIRQA# ... 3 = PIRQD#) is now asserted (`true`) or not. */
  pirqChanged(pirq: number, asserted: boolean): void;
  /** The ISA IRQ PIRQ line `pirq` is steered to now, or `null` when its routing is disabled. */
  route(pirq: number): number | null;
}

/**
 * PCI bus 0, as other devices see it (`host.findDevice<PciBus>(cfg.bus)`). Import it with
 * `import type` only.
 */
export interface PciBus {
  /** Put a function on the bus. A taken slot/function is refused, naming both. */
  registerDevice(opts: PciDeviceOptions): PciFunctionHandle;
  /** Install the PIRQ router (one per bus); current PIRQ levels are replayed to it. */
  setIntxRouter(router: PciIntxRouter): void;
  /** Whether PIRQ line `pirq` (0-3) is asserted now (the OR of the functions on it). */
  pirqAsserted(pirq: number): boolean;
  /** The PIRQ line (0-3) that pin `pin` (1-4 = INTA#-INTD#) of a function in `slot` drives. */
  pirqOf(slot: number, pin: number): number;
  /**
   * The ISA IRQ that pin `pin` of a function in `slot` reaches now (what a BIOS would write to
   * its Interrupt Line), or `null` when no router is installed or the route is disabled.
   */
  intxIrq(slot: number, pin: number): number | null;
}
