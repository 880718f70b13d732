import type { AccessSize } from '@v3/device-api';
import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_IO_FLAGS,
  PCI_BASE_ADDRESS_MEM_FLAGS,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_32,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_CAPABILITY_LIST,
  PCI_CLASS_PROG,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_PARITY,
  PCI_COMMAND_SERR,
  PCI_CONFIG_SIZE,
  PCI_DEVICE_ID,
  PCI_DEVICE_SPECIFIC,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_MULTI_FUNCTION,
  PCI_HEADER_TYPE_NORMAL,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_INTERRUPT_PIN_MAX,
  PCI_IO_BAR_MAX,
  PCI_IO_BAR_MIN,
  PCI_LATENCY_TIMER,
  PCI_MEM_BAR_MIN,
  PCI_NUM_BARS,
  PCI_REVISION_ID,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  PCI_STATUS_DEVSEL_MEDIUM,
  PCI_STATUS_ERROR_BITS,
  PCI_STATUS_INTERRUPT,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
  X86_IO_SPACE,
} from './regs.js';
import type { PciBarSpec, PciDeviceOptions } from './types.js';

/** How a function reaches the rest of the world: fail stop, and its INTx# output. */
export interface FunctionWiring {
  fail(reason: string): never;
  /** The function's INTx# output (request and not Interrupt Disable) changed. */
  intxChanged(asserted: boolean): void;
}

/** Plain state of one function's header, for checkpoints. */
export interface PciFunctionState {
  slot: number;
  fn: number;
  /** Bytes 0x00-0x3F as the guest reads them. */
  header: number[];
  /** The INTx# request the device made. */
  intx: boolean;
}

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** Problems with a function's options (setup-time misuse by the registering device). */
export function checkOptions(o: PciDeviceOptions): string[] {
  const p: string[] = [];
  const intIn = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  if (o.slot !== undefined && !intIn(o.slot, 0, 31)) p.push(`slot: expected 0-31, got ${String(o.slot)}`);
  if (!intIn(o.fn, 0, 7)) p.push(`fn: expected 0-7, got ${String(o.fn)}`);
  if (!intIn(o.vendorId, 1, 0xfffe)) p.push(`vendorId: expected 0x0001-0xFFFE, got ${String(o.vendorId)}`);
  if (!intIn(o.deviceId, 0, 0xffff)) p.push(`deviceId: expected 16 bits, got ${String(o.deviceId)}`);
  if (!intIn(o.classCode, 0, 0xffffff)) p.push(`classCode: expected 24 bits, got ${String(o.classCode)}`);
  if (!intIn(o.revision, 0, 0xff)) p.push(`revision: expected 8 bits, got ${String(o.revision)}`);
  if (o.headerType !== undefined && o.headerType !== PCI_HEADER_TYPE_NORMAL) {
    p.push(`headerType: only type 0x00 (a general device) is modelled, got ${String(o.headerType)}`);
  }
  if (o.interruptPin !== undefined && !intIn(o.interruptPin, 0, PCI_INTERRUPT_PIN_MAX)) p.push(`interruptPin: expected 0-4, got ${String(o.interruptPin)}`);
  if (o.subsystemVendorId !== undefined && !intIn(o.subsystemVendorId, 0, 0xffff)) p.push('subsystemVendorId: expected 16 bits');
  if (o.subsystemId !== undefined && !intIn(o.subsystemId, 0, 0xffff)) p.push('subsystemId: expected 16 bits');
  if (o.latencyTimerWritable !== undefined && !intIn(o.latencyTimerWritable, 0, 0xff)) p.push('latencyTimerWritable: expected 8 bits');
  if (o.capabilityPointer !== undefined && (!intIn(o.capabilityPointer, 0x40, 0xfc) || (o.capabilityPointer & 3) !== 0)) {
    p.push(`capabilityPointer: expected a dword offset 0x40-0xFC, got ${String(o.capabilityPointer)}`);
  }
  if (o.command && (!intIn(o.command.reset, 0, 0xffff) || !intIn(o.command.writable, 0, 0xffff))) p.push('command: expected 16-bit reset and writable');
  if (o.status && (!intIn(o.status.reset, 0, 0xffff) || !intIn(o.status.clearable, 0, 0xffff))) p.push('status: expected 16-bit reset and clearable');
  const bars = o.bars ?? [];
  if (bars.length > PCI_NUM_BARS) p.push(`bars: at most ${PCI_NUM_BARS}, got ${bars.length}`);
  bars.forEach((b: PciBarSpec, i) => {
    if (b.kind === 'io') {
      if (!isPow2(b.size) || b.size < PCI_IO_BAR_MIN || b.size > PCI_IO_BAR_MAX) p.push(`bars[${i}].size: expected a power of two 4-256 for an I/O BAR, got ${b.size}`);
      if (b.prefetchable) p.push(`bars[${i}].prefetchable: I/O BARs are not prefetchable`);
    } else if (b.kind === 'mem32') {
      if (!isPow2(b.size) || b.size < PCI_MEM_BAR_MIN || b.size > 0x8000_0000) p.push(`bars[${i}].size: expected a power of two 16 B-2 GiB for a memory BAR, got ${b.size}`);
    } else {
      p.push(`bars[${i}].kind: expected 'io' or 'mem32', got ${String((b as { kind: unknown }).kind)}`);
    }
  });
  return p;
}

/**
 * One function's type 0 configuration header (PCI 2.x chapter 6): identity fields that read as
 * registered, Command and Status with their writable and write-one-to-clear bits, BARs with
 * sizing and relocation, Interrupt Line/Pin, Capabilities Pointer. Registers 0x40-0xFF belong to
 * the device (its `configRead`/`configWrite`). No host in here: the bus wires it.
 */
export class PciFunction {
  /** Bytes 0x00-0xFF; 0x40-0xFF stay 0 (the device's handlers own them). */
  readonly config = new Uint8Array(PCI_CONFIG_SIZE);
  /** Per byte: the bits a guest write changes. */
  private readonly wmask = new Uint8Array(PCI_DEVICE_SPECIFIC);
  /** Per byte: the bits a guest write of 1 clears. */
  private readonly w1c = new Uint8Array(PCI_DEVICE_SPECIFIC);
  /** The header at reset (bytes 0x00-0x3F). */
  private readonly resetHeader: Uint8Array;
  private readonly bars: readonly PciBarSpec[];
  /** Where each BAR decodes, as last reported to the device. */
  private readonly mapped: (number | null)[] = new Array<number | null>(PCI_NUM_BARS).fill(null);
  private intxRequest = false;
  private intxOut = false;
  private multiFunction = false;

  constructor(
    readonly slot: number,
    readonly fn: number,
    readonly opts: PciDeviceOptions,
    private readonly wiring: FunctionWiring,
  ) {
    const c = this.config;
    const bars = (this.bars = opts.bars ?? []);
    this.put(PCI_VENDOR_ID, 2, opts.vendorId);
    this.put(PCI_DEVICE_ID, 2, opts.deviceId);
    this.put(PCI_REVISION_ID, 1, opts.revision);
    this.put(PCI_CLASS_PROG, 1, opts.classCode & 0xff);
    this.put(PCI_CLASS_PROG + 1, 2, opts.classCode >>> 8);
    c[PCI_HEADER_TYPE] = opts.headerType ?? PCI_HEADER_TYPE_NORMAL;
    this.put(PCI_SUBSYSTEM_VENDOR_ID, 2, opts.subsystemVendorId ?? 0);
    this.put(PCI_SUBSYSTEM_ID, 2, opts.subsystemId ?? 0);
    c[PCI_INTERRUPT_PIN] = opts.interruptPin ?? 0;

    // Command: by default the space bits of the BARs it has, bus master, parity and SERR#
    // response, and Interrupt Disable when it has a pin (spec 6.2.2: unimplemented bits are 0).
    const hasIo = bars.some((b) => b.kind === 'io');
    const hasMem = bars.some((b) => b.kind === 'mem32');
    const cmdWritable =
      opts.command?.writable ??
      ((hasIo ? PCI_COMMAND_IO : 0) |
        (hasMem ? PCI_COMMAND_MEMORY : 0) |
        PCI_COMMAND_MASTER |
        PCI_COMMAND_PARITY |
        PCI_COMMAND_SERR |
        (c[PCI_INTERRUPT_PIN] !== 0 ? PCI_COMMAND_INTX_DISABLE : 0));
    this.put(PCI_COMMAND, 2, opts.command?.reset ?? 0);
    this.putMask(this.wmask, PCI_COMMAND, 2, cmdWritable);

    const status = opts.status ?? { reset: PCI_STATUS_DEVSEL_MEDIUM, clearable: PCI_STATUS_ERROR_BITS };
    let statusReset = status.reset & ~(PCI_STATUS_INTERRUPT | PCI_STATUS_CAP_LIST);
    if (opts.capabilityPointer !== undefined) {
      statusReset |= PCI_STATUS_CAP_LIST;
      c[PCI_CAPABILITY_LIST] = opts.capabilityPointer;
    }
    this.put(PCI_STATUS, 2, statusReset);
    this.putMask(this.w1c, PCI_STATUS, 2, status.clearable & ~(PCI_STATUS_INTERRUPT | PCI_STATUS_CAP_LIST));

    this.wmask[PCI_LATENCY_TIMER] = opts.latencyTimerWritable ?? 0;
    // Interrupt Line is a scratch register for the BIOS/OS on every function (spec 6.2.4).
    this.wmask[PCI_INTERRUPT_LINE] = 0xff;

    // BARs: the address bits above the size are writable, the type bits are read-only, so a
    // write of all ones reads back the size mask with the type bits (spec 6.2.5.1).
    bars.forEach((b, i) => {
      const reg = PCI_BASE_ADDRESS_0 + 4 * i;
      const flags = b.kind === 'io' ? PCI_BASE_ADDRESS_SPACE_IO : PCI_BASE_ADDRESS_MEM_TYPE_32 | (b.prefetchable ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
      const low = b.kind === 'io' ? PCI_BASE_ADDRESS_IO_FLAGS : PCI_BASE_ADDRESS_MEM_FLAGS;
      this.put(reg, 4, flags);
      this.putMask(this.wmask, reg, 4, ~(b.size - 1) & ~low);
    });
    // Expansion ROM Base Address stays hardwired to 0: no function here has an option ROM,
    // which the spec allows (6.2.5.2: a device without one returns 0 when sized).
    this.resetHeader = c.slice(0, PCI_DEVICE_SPECIFIC);
    this.setMultiFunction(false);
  }

  /** Header Type bit 7, set by the bus on function 0 when the slot has other functions. */
  setMultiFunction(on: boolean): void {
    this.multiFunction = on;
    const bit = on || this.opts.multiFunction === true ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0;
    this.config[PCI_HEADER_TYPE] = ((this.config[PCI_HEADER_TYPE] as number) & ~PCI_HEADER_TYPE_MULTI_FUNCTION) | bit;
  }

  /** A configuration read of `size` bytes at `reg` (within one dword). */
  read(reg: number, size: AccessSize): number {
    if (reg >= PCI_DEVICE_SPECIFIC) {
      // Reserved and unimplemented registers read 0 (spec 6.1).
      return this.opts.configRead ? this.opts.configRead(reg, size) >>> 0 : 0;
    }
    return this.get(reg, size);
  }

  /** A configuration write of `size` bytes at `reg` (within one dword). */
  write(reg: number, size: AccessSize, value: number): void {
    if (reg >= PCI_DEVICE_SPECIFIC) {
      if (!this.opts.configWrite) {
        this.wiring.fail(`PCI ${this.opts.name}: write of ${hex(value)} to device-specific register ${hex(reg)} (${size} byte(s)), which it does not model`);
      }
      this.opts.configWrite(reg, size, value);
      return;
    }
    const c = this.config;
    const commandBefore = this.get(PCI_COMMAND, 2);
    for (let i = 0; i < size; i++) {
      const at = reg + i;
      const v = (value >>> (8 * i)) & 0xff;
      const w = this.wmask[at] as number;
      let b = ((c[at] as number) & ~w) | (v & w);
      b &= ~(v & (this.w1c[at] as number));
      c[at] = b;
    }
    // Writes to read-only header fields (IDs, class, pin, ROM BAR...) have no effect (spec 6.1).
    const command = this.get(PCI_COMMAND, 2);
    if (((command ^ commandBefore) & PCI_COMMAND_INTX_DISABLE) !== 0) this.updateIntx();
    if (reg >= PCI_BASE_ADDRESS_0 && reg < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS) this.updateBars();
    else if (((command ^ commandBefore) & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)) !== 0) this.updateBars();
  }

  /** Where BAR `i` decodes: enabled in Command, not at 0, and inside the space it belongs to. */
  barBase(i: number): number | null {
    const b = this.bars[i];
    if (!b) return null;
    const raw = this.get(PCI_BASE_ADDRESS_0 + 4 * i, 4);
    const command = this.get(PCI_COMMAND, 2);
    if (b.kind === 'io') {
      const base = (raw & ~PCI_BASE_ADDRESS_IO_FLAGS) >>> 0;
      // An I/O BAR above 64 KiB decodes nothing an x86 IN/OUT can reach.
      return (command & PCI_COMMAND_IO) !== 0 && base !== 0 && base + b.size <= X86_IO_SPACE ? base : null;
    }
    const base = (raw & ~PCI_BASE_ADDRESS_MEM_FLAGS) >>> 0;
    // A base of 0 is where firmware parks a BAR it did not assign; the top of the 32-bit space
    // is where an all-ones sizing write leaves it: neither decodes (Linux sizes with decode off).
    return (command & PCI_COMMAND_MEMORY) !== 0 && base !== 0 && base + b.size < 0x1_0000_0000 ? base : null;
  }

  /** The device's INTx# request. */
  setIntx(level: boolean): void {
    if ((this.config[PCI_INTERRUPT_PIN] as number) === 0) {
      this.wiring.fail(`PCI ${this.opts.name}: INTx# ${level ? 'raised' : 'lowered'}, but the function has no Interrupt Pin`);
    }
    if (level === this.intxRequest) return;
    this.intxRequest = level;
    this.updateIntx();
  }

  /** Whether the function drives its INTx# pin now. */
  get intxAsserted(): boolean {
    return this.intxOut;
  }

  /** Set Status error bits on the device's behalf. */
  setStatusBits(bits: number): void {
    const clearable = this.get(PCI_STATUS, 2) | (bits & this.getMask(this.w1c, PCI_STATUS));
    this.put(PCI_STATUS, 2, clearable);
  }

  /** PCI RST#: the header back to its reset values; BARs stop decoding. */
  reset(): void {
    this.config.set(this.resetHeader, 0);
    this.setMultiFunction(this.multiFunction);
    this.put(PCI_STATUS, 2, (this.get(PCI_STATUS, 2) & ~PCI_STATUS_INTERRUPT) | (this.intxRequest ? PCI_STATUS_INTERRUPT : 0));
    this.updateIntx();
    this.updateBars();
  }

  /** Report every BAR as decoding nothing and drop INTx# (the function leaves the bus). */
  detach(): void {
    for (let i = 0; i < this.bars.length; i++) {
      if (this.mapped[i] !== null) {
        this.mapped[i] = null;
        this.opts.onBarChange?.(i, null);
      }
    }
    this.intxRequest = false;
    this.updateIntx();
  }

  save(): PciFunctionState {
    return { slot: this.slot, fn: this.fn, header: Array.from(this.config.subarray(0, PCI_DEVICE_SPECIFIC)), intx: this.intxRequest };
  }

  load(s: PciFunctionState): void {
    this.config.set(s.header, 0);
    // Identity fields come from the device, not the checkpoint.
    for (let i = 0; i < PCI_DEVICE_SPECIFIC; i++) {
      const w = (this.wmask[i] as number) | (this.w1c[i] as number);
      this.config[i] = ((this.resetHeader[i] as number) & ~w) | ((s.header[i] as number) & w);
    }
    this.setMultiFunction(this.multiFunction);
    this.intxRequest = s.intx;
    this.put(PCI_STATUS, 2, (this.get(PCI_STATUS, 2) & ~PCI_STATUS_INTERRUPT) | (s.intx ? PCI_STATUS_INTERRUPT : 0));
    this.updateIntx();
    this.updateBars();
  }

  private updateIntx(): void {
    const status = this.get(PCI_STATUS, 2);
    this.put(PCI_STATUS, 2, this.intxRequest ? status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT);
    const out = this.intxRequest && (this.get(PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE) === 0;
    if (out === this.intxOut) return;
    this.intxOut = out;
    this.wiring.intxChanged(out);
  }

  private updateBars(): void {
    for (let i = 0; i < this.bars.length; i++) {
      const now = this.barBase(i);
      if (now === this.mapped[i]) continue;
      this.mapped[i] = now;
      this.opts.onBarChange?.(i, now);
    }
  }

  private get(reg: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= (this.config[reg + i] as number) << (8 * i);
    return v >>> 0;
  }

  private put(reg: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) this.config[reg + i] = (value >>> (8 * i)) & 0xff;
  }

  private getMask(mask: Uint8Array, reg: number): number {
    return (mask[reg] as number) | ((mask[reg + 1] as number) << 8);
  }

  private putMask(mask: Uint8Array, reg: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) mask[reg + i] = (value >>> (8 * i)) & 0xff;
  }
}
