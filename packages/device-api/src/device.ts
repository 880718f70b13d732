/** An access size in bytes, as an I/O or memory instruction makes it. */
export type AccessSize = 1 | 2 | 4;

/**
 * Port handlers of a device. `offset` is relative to the base the device hooked (as on
 * Firecracker's bus), so one device class serves any base address.
 */
export interface IoOps {
  /** An IN of `size` bytes at `base + offset`. Missing means the range is write-only: an IN fails stop. */
  read?(offset: number, size: AccessSize): number;
  /** An OUT of `size` bytes at `base + offset`. Missing means read-only: an OUT fails stop. */
  write?(offset: number, size: AccessSize, value: number): void;
}

/** Options of a port hook. */
export interface IoHookOptions {
  /**
   * The access sizes the device implements. Others are split into byte accesses (when 1 is
   * listed) or fail stop. Default: all sizes go to the handlers as they come.
   */
  sizes?: readonly AccessSize[];
}

/** Handlers of a memory-mapped region; `offset` is relative to the region's base. */
export interface MmioOps {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
}

/** One interrupt request line, as a device sees it (vm-superio's `Trigger`). */
export interface IrqLine {
  /** The line number on the VM's interrupt routing (ISA IRQ 0-15, or GSI). */
  readonly irq: number;
  /** Assert the line (level high, or the rising edge of an edge-triggered line). */
  raise(): void;
  /** Deassert the line. */
  lower(): void;
  /** Raise then lower: one edge. */
  pulse(): void;
  /** Current level as this device drives it. */
  readonly level: boolean;
}

/**
 * An interrupt controller (PIC, APIC) as the VMM sees it, after Palacios' `v3_intr_ctrl_ops`.
 * The VMM routes raised and lowered IRQ lines to every registered controller and, before entering
 * the guest, asks them for a pending vector.
 */
export interface InterruptController {
  /** A name for messages. */
  readonly name: string;
  /** An IRQ line went high (or saw a rising edge). */
  raiseIntr(irq: number): void;
  /** An IRQ line went low. */
  lowerIntr(irq: number): void;
  /** True when this controller has an interrupt to deliver to the core. */
  intrPending(): boolean;
  /** The vector of the interrupt it would deliver now (only called when pending). */
  getIntrNumber(): number;
  /** The core accepted `vector` (the INTA cycle): move it from request to in-service. */
  beginIrq(vector: number): void;
  /**
   * Defined by a core's local interrupt controller (the local APIC), which sits between the
   * core and the PC's 8259A: whether the 8259A's INTR may reach the core now (LINT0 unmasked in
   * ExtINT mode, or the local APIC disabled). The VMM asks controllers that define this first,
   * and asks the others (the external ones) only while every local controller says true.
   */
  acceptsExtInt?(): boolean;
}

/**
 * A device timer. The VMM calls `update(now)` whenever guest time has advanced; the device does
 * what became due (raise an IRQ, shift a FIFO) and reports its next deadline so the VMM can size
 * its slices and, on HLT under the virtual clock, skip straight to the next event.
 */
export interface DeviceTimer {
  /** Guest time moved on to `nowNs` nanoseconds since VM start. */
  update(nowNs: number): void;
  /** Nanoseconds since VM start of the next event this timer needs, or `Infinity` for none. */
  nextDeadline(): number;
}

/** The VM's notion of guest time. */
export interface GuestClock {
  /** Nanoseconds of guest time since the VM started (the virtual clock or the host clock). */
  now(): number;
  /** Which clock drives the VM. */
  readonly kind: 'host' | 'virtual';
}

/** A byte stream the host connects a device to (a serial port's terminal or file). */
export interface CharStream {
  /** Bytes from the device to the host. */
  write(bytes: Uint8Array): void;
  /** Detach. */
  close(): void;
}

/** A CPUID answer: EAX, EBX, ECX, EDX. */
export type CpuidResult = readonly [number, number, number, number];

/**
 * A CPUID intercept: gets the leaf, the subleaf (ECX) and the answer the guest would get without
 * this hook (the CPU's own), and returns the answer the guest sees.
 */
export type CpuidHook = (leaf: number, subleaf: number, native: CpuidResult) => CpuidResult;

/**
 * What a device tells the firmware tables the VMM writes for the guest (the MultiProcessor
 * table, an ACPI MADT): where an interrupt controller is and how the VMM's lines reach it.
 */
export type FirmwareDescription =
  | {
      kind: 'local-apic';
      /** Guest-physical base of the register page. */
      base: number;
      /** APIC ID of each core's local APIC, by core. */
      apicIds: readonly number[];
      /** The version register's low byte. */
      version: number;
    }
  | {
      kind: 'io-apic';
      /** Guest-physical base of the register page. */
      base: number;
      /** Its APIC ID. */
      apicId: number;
      /** The version register's low byte. */
      version: number;
      /** Number of input pins. */
      pins: number;
      /** The pin VMM line `line` (ISA IRQ 0-15) drives, or -1 when none. */
      pinOf(line: number): number;
      /** The pin the 8259A's INTR drives as ExtINT, or -1 when it is not wired to this IO-APIC. */
      extIntPin: number;
    };

/** A model-specific register's handlers (64-bit values). */
export interface MsrOps {
  read(): bigint;
  write(value: bigint): void;
}

/** A keyboard event from the host (Palacios' `struct v3_keyboard_event`): one scan-code byte. */
export interface HostKeyboardEvent {
  /** Status byte as the host keyboard controller reported it (0 when unknown). */
  status: number;
  /** One set-1 scan-code byte (0xE0 prefixes arrive as their own events). */
  scanCode: number;
}

/** A mouse event from the host (Palacios' `struct v3_mouse_event`): a 3-byte PS/2 packet. */
export interface HostMouseEvent {
  data: [number, number, number];
}

/** The host events a device can listen to, by kind. */
export interface HostEvents {
  keyboard: HostKeyboardEvent;
  mouse: HostMouseEvent;
}

/**
 * Guest-physical memory as a bus master reaches it (IDE bus-master DMA, the 8237, fw_cfg DMA).
 * RAM only: reads of anything else return all ones, writes to anything else are dropped — a
 * DMA engine never reaches another device's registers through this.
 */
export interface GuestMemory {
  /** Copy `length` bytes starting at guest-physical `addr`. */
  read(addr: number, length: number): Uint8Array;
  /** Store `data` at guest-physical `addr`. */
  write(addr: number, data: Uint8Array): void;
}

/** How a device asks the VM to end. */
export type PowerRequest = 'poweroff' | 'reset';

/**
 * Everything a device may touch: the VMM implements it per device, so hooks are owned by that
 * device's id and messages name it. A device never sees the VMM, the CPU, or the host.
 */
export interface DeviceHost {
  /** The device's id from the configuration (`com1`, `PIC`). */
  readonly id: string;
  /** The VM's name. */
  readonly vmName: string;
  /** Guest time. */
  readonly clock: GuestClock;
  /** Guest-physical memory for DMA. */
  readonly memory: GuestMemory;

  /** Hook `count` ports from `base`. A port another device holds is refused, naming both. */
  hookIo(base: number, count: number, ops: IoOps, opts?: IoHookOptions): void;
  /** Release ports this device hooked. */
  unhookIo(base: number, count: number): void;
  /** Hook a guest-physical range with MMIO handlers (page-granular in the VMM). */
  hookMmio(base: number, size: number, ops: MmioOps): void;
  /** Release a hooked range. */
  unhookMmio(base: number): void;

  /** An IRQ line this device drives. */
  irq(line: number): IrqLine;
  /** Register this device as an interrupt controller. */
  registerIntrController(ctrl: InterruptController): void;
  /** Hook a model-specific register (RDMSR/WRMSR reach `ops`). A taken MSR is refused, naming both. */
  hookMsr(msr: number, ops: MsrOps): void;
  /**
   * Hook CPUID `leaf` (Palacios' `v3_hook_cpuid`): every CPUID with that leaf goes to `hook`,
   * which gets the CPU's own answer and returns what the guest sees. A taken leaf is refused,
   * naming both owners.
   */
  hookCpuid(leaf: number, hook: CpuidHook): void;
  /**
   * Make the VMM look at interrupts again at the next instruction boundary: a device whose
   * controller became able to deliver without an IRQ line rising (a self-IPI, an EOI that
   * unblocks a lower-priority vector, a TPR write, LINT0 unmasked) calls this, so the core leaves
   * its slice and injects. Safe to call from inside a port, MMIO or MSR access.
   */
  kick(): void;
  /** Listen to host events of one kind (keyboard, mouse), as Palacios' `v3_hook_host_event`. */
  onHostEvent<K extends keyof HostEvents>(kind: K, handler: (event: HostEvents[K]) => void): void;
  /** Register a timer. */
  addTimer(timer: DeviceTimer): void;
  /** Remove a timer. */
  removeTimer(timer: DeviceTimer): void;

  /**
   * Open a named host stream (the app maps names to terminals and files). `onInput` gets bytes
   * the host delivers to the device (Palacios' serial host events).
   */
  openStream(name: string, onInput: (bytes: Uint8Array) => void): CharStream;

  /** Another device by id, checked against the class's expected name when given. */
  findDevice<T = unknown>(id: string): T;

  /** Ask the VM to power off or reset at the end of the current instruction. */
  requestPower(request: PowerRequest, why: string): void;

  /** PrintDebug for `component` (`PIC`, `SERIAL`...): printed when that switch is on at run time. */
  debug(component: string, message: string): void;
  /** Whether `component`'s debug output is switched on at run time (avoid building strings). */
  debugOn(component: string): boolean;
  /** PrintError: always printed through the host's print hook. */
  error(message: string): void;
  /** A line for the VM console (the OS_DEBUG device's output), printed by the host. */
  print(message: string): void;
  /** Fail stop on behalf of this device: throws a V3Error naming it. */
  fail(reason: string, detail?: { port?: number; addr?: number }): never;
}

/** What a created device gives back: its own object plus Palacios' `v3_device_ops`. */
export interface DeviceInstance {
  /** Release resources (hooks are released by the VMM). */
  free?(): void;
  /** A plain, JSON-able copy of the device's state (checkpoint). */
  save?(): unknown;
  /** Restore a state `save()` returned. */
  load?(state: unknown): void;
  /** Back to power-on state (VM reset). */
  reset?(): void;
  /** What the firmware tables must say about this device (interrupt controllers). */
  firmwareDescription?(): FirmwareDescription;
}

/** A device's configuration entry: `{ class, id, ...options }`. */
export interface DeviceConfig {
  class: string;
  id: string;
  [option: string]: unknown;
}

/**
 * A device class, registered with the VMM by name (Palacios' `device_register`). `create` is
 * the only place the device meets the VMM.
 */
export interface DeviceClass<Cfg extends DeviceConfig = DeviceConfig, Inst extends DeviceInstance = DeviceInstance> {
  /** Palacios class string: `8259A`, `8254_PIT`, `SERIAL`... */
  readonly className: string;
  /**
   * Check this device's options; return a list of problems (`key: expected …`), empty if fine.
   * The VMM refuses the whole configuration before starting when any device reports one.
   */
  validate?(cfg: DeviceConfig): string[];
  /** Create the device in a VM. */
  create(host: DeviceHost, cfg: Cfg): Inst;
}

/** Identity helper that keeps a device class's types. */
export function defineDevice<Cfg extends DeviceConfig, Inst extends DeviceInstance>(
  cls: DeviceClass<Cfg, Inst>,
): DeviceClass<Cfg, Inst> {
  return cls;
}
