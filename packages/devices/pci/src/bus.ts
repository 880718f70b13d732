import type { AccessSize } from '@v3/device-api';
import { checkOptions, PciFunction, type PciFunctionState } from './function.js';
import {
  CA_BUS_SHIFT,
  CA_DEV_SHIFT,
  CA_ENABLE,
  CA_FN_SHIFT,
  CA_REG_MASK,
  CA_WRITABLE,
  CSE_SELECT_MECH1,
  PCI_FUNCTIONS,
  PCI_INTERRUPT_PIN,
  PCI_INTERRUPT_PIN_MAX,
  PCI_PIRQ_COUNT,
  PCI_SLOTS,
} from './regs.js';
import type { PciBus, PciDeviceOptions, PciFunctionHandle, PciIntxRouter } from './types.js';

/** How the bus reaches its host: fail stop (the bus's own device id). */
export interface BusWiring {
  fail(reason: string, detail?: { port?: number }): never;
}

/** Plain state of the bus, for checkpoints. */
export interface PciBusState {
  configAddress: number;
  functions: PciFunctionState[];
}

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);
const PIRQ_NAMES = ['PIRQA#', 'PIRQB#', 'PIRQC#', 'PIRQD#'] as const;
const PIN_NAMES = ['', 'INTA#', 'INTB#', 'INTC#', 'INTD#'] as const;

/**
 * PCI bus 0 behind configuration mechanism #1 (PCI 2.x 3.2.2.3.2): the CONFIG_ADDRESS latch,
 * configuration cycles through CONFIG_DATA to up to 32 devices of 8 functions, and the INTx#
 * wiring of the slots to PIRQA#-PIRQD#. No host in here: `device.ts` hooks the ports.
 */
export class PciBusModel implements PciBus {
  private configAddress = 0;
  /** Index slot * 8 + fn. */
  private readonly functions: (PciFunction | undefined)[] = new Array<PciFunction | undefined>(PCI_SLOTS * PCI_FUNCTIONS);
  /** How many functions assert each PIRQ line (the wired-OR of open-drain INTx# outputs). */
  private readonly pirqDrivers = new Int32Array(PCI_PIRQ_COUNT);
  private router: PciIntxRouter | null = null;

  constructor(private readonly wiring: BusWiring) {}

  // ---- CONFIG_ADDRESS / CONFIG_DATA ----

  /** A dword read of CONFIG_ADDRESS. */
  readAddress(): number {
    return this.configAddress >>> 0;
  }

  /** A dword write of CONFIG_ADDRESS: reserved bits 30-24 and 1-0 read back 0. */
  writeAddress(value: number): void {
    this.configAddress = (value & CA_WRITABLE) >>> 0;
  }

  /**
   * A byte write to 0xCFB. The 82441FX decodes only mechanism #1, so this is a plain I/O cycle
   * nothing claims; the one value accepted is the 0x01 Linux's pci_check_type1 writes there
   * (mechanism #2's "select mechanism #1") before it probes CONFIG_ADDRESS.
   */
  writeCse(value: number): void {
    if (value !== CSE_SELECT_MECH1) {
      this.wiring.fail(`PCI: byte write of ${hex(value)} to 0xCFB: configuration mechanism #2 is not modelled`, { port: 0xcfb });
    }
  }

  /** A read of `size` bytes at byte `offset` (0-3) of CONFIG_DATA. */
  readData(offset: number, size: AccessSize): number {
    const f = this.target(offset, size, 'read');
    if (!f) return size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1;
    return f.fn.read(f.reg, size);
  }

  /** A write of `size` bytes at byte `offset` (0-3) of CONFIG_DATA. */
  writeData(offset: number, size: AccessSize, value: number): void {
    const f = this.target(offset, size, 'write');
    // A write to an absent device ends in master abort: nothing changes (spec 3.2.2.3.2).
    if (f) f.fn.write(f.reg, size, value);
  }

  /** The function and register a CONFIG_DATA access addresses, or null when none answers. */
  private target(offset: number, size: AccessSize, what: string): { fn: PciFunction; reg: number } | null {
    const port = 0xcfc + offset;
    if (offset + size > 4) {
      this.wiring.fail(`PCI: ${size}-byte ${what} at ${hex(port)} crosses the CONFIG_DATA dword`, { port });
    }
    const ca = this.configAddress;
    if ((ca & CA_ENABLE) === 0) {
      // With the enable bit clear this is an ordinary I/O cycle to 0xCFC that nothing decodes.
      this.wiring.fail(`PCI: CONFIG_DATA ${what} with CONFIG_ADDRESS ${hex(ca)} (enable bit 31 clear)`, { port });
    }
    // Only bus 0 exists: a configuration cycle for any other bus number would become a type 1
    // cycle no bridge claims, so it master-aborts (reads all ones).
    if (((ca >>> CA_BUS_SHIFT) & 0xff) !== 0) return null;
    const slot = (ca >>> CA_DEV_SHIFT) & 0x1f;
    const fn = (ca >>> CA_FN_SHIFT) & 0x7;
    const f = this.functions[slot * PCI_FUNCTIONS + fn];
    if (!f) return null;
    return { fn: f, reg: (ca & CA_REG_MASK) + offset };
  }

  // ---- PciBus ----

  registerDevice(opts: PciDeviceOptions): PciFunctionHandle {
    const problems = checkOptions(opts);
    if (problems.length > 0) this.wiring.fail(`PCI: ${String(opts.name)} cannot register: ${problems.join('; ')}`);
    const slot = opts.slot ?? this.freeSlot(opts);
    const idx = slot * PCI_FUNCTIONS + opts.fn;
    const held = this.functions[idx];
    if (held) {
      this.wiring.fail(`PCI: ${hex(slot)}.${opts.fn} is already taken by ${held.opts.name}, requested by ${opts.name}`);
    }
    const pirq = (opts.interruptPin ?? 0) !== 0 ? this.pirqOf(slot, opts.interruptPin as number) : -1;
    const f: PciFunction = new PciFunction(slot, opts.fn, opts, {
      fail: (reason) => this.wiring.fail(reason),
      intxChanged: (asserted) => this.drivePirq(pirq, asserted, opts.name),
    });
    this.functions[idx] = f;
    this.updateMultiFunction(slot);
    let registered = true;
    const handle: PciFunctionHandle = {
      slot,
      fn: opts.fn,
      name: opts.name,
      config: f.config,
      readConfig: (reg, size) => f.read(reg, size),
      barBase: (i) => f.barBase(i),
      raiseIntx: () => f.setIntx(true),
      lowerIntx: () => f.setIntx(false),
      setStatusBits: (bits) => f.setStatusBits(bits),
      unregister: () => {
        if (!registered) return;
        registered = false;
        f.detach();
        this.functions[idx] = undefined;
        this.updateMultiFunction(slot);
      },
    };
    return handle;
  }

  setIntxRouter(router: PciIntxRouter): void {
    if (this.router) this.wiring.fail(`PCI: ${router.name} wants to route PCI interrupts, but ${this.router.name} already does`);
    this.router = router;
    for (let p = 0; p < PCI_PIRQ_COUNT; p++) if ((this.pirqDrivers[p] as number) > 0) router.pirqChanged(p, true);
  }

  pirqAsserted(pirq: number): boolean {
    return (this.pirqDrivers[pirq] ?? 0) > 0;
  }

  /** The slot swizzle of a PC's PCI slots: INTA# of slot n lands on PIRQ (n mod 4), INTB# on the next... */
  pirqOf(slot: number, pin: number): number {
    if (pin < 1 || pin > PCI_INTERRUPT_PIN_MAX) this.wiring.fail(`PCI: interrupt pin ${pin} is not INTA#-INTD#`);
    return (pin - 1 + slot) % PCI_PIRQ_COUNT;
  }

  intxIrq(slot: number, pin: number): number | null {
    return this.router ? this.router.route(this.pirqOf(slot, pin)) : null;
  }

  // ---- VMM side ----

  /** PCI RST#: CONFIG_ADDRESS and every header back to reset values. */
  reset(): void {
    this.configAddress = 0;
    for (const f of this.functions) f?.reset();
  }

  save(): PciBusState {
    const functions: PciFunctionState[] = [];
    for (const f of this.functions) if (f) functions.push(f.save());
    return { configAddress: this.configAddress, functions };
  }

  load(s: PciBusState): void {
    this.configAddress = (s.configAddress & CA_WRITABLE) >>> 0;
    const seen = new Set<number>();
    for (const fs of s.functions) {
      const f = this.functions[fs.slot * PCI_FUNCTIONS + fs.fn];
      if (!f) this.wiring.fail(`PCI: load: the checkpoint has a function at ${hex(fs.slot)}.${fs.fn}, this VM has none there`);
      f.load(fs);
      seen.add(fs.slot * PCI_FUNCTIONS + fs.fn);
    }
    this.functions.forEach((f, i) => {
      if (f && !seen.has(i)) this.wiring.fail(`PCI: load: the checkpoint has no state for ${f.opts.name} at ${hex(f.slot)}.${f.fn}`);
    });
  }

  /** The function at `slot`.`fn`, if any (for tests and the VMM's device listing). */
  functionAt(slot: number, fn: number): PciFunction | undefined {
    return this.functions[slot * PCI_FUNCTIONS + fn];
  }

  private freeSlot(opts: PciDeviceOptions): number {
    if (opts.fn !== 0) this.wiring.fail(`PCI: ${opts.name} registers function ${opts.fn} without a slot: only function 0 may take the first free slot`);
    for (let s = 0; s < PCI_SLOTS; s++) {
      let empty = true;
      for (let fn = 0; fn < PCI_FUNCTIONS; fn++) if (this.functions[s * PCI_FUNCTIONS + fn]) empty = false;
      if (empty) return s;
    }
    return this.wiring.fail(`PCI: no free slot on bus 0 for ${opts.name}`);
  }

  /** Header Type bit 7 of function 0 says whether the slot has other functions (spec 6.2.1). */
  private updateMultiFunction(slot: number): void {
    const f0 = this.functions[slot * PCI_FUNCTIONS];
    if (!f0) return;
    let others = false;
    for (let fn = 1; fn < PCI_FUNCTIONS; fn++) if (this.functions[slot * PCI_FUNCTIONS + fn]) others = true;
    f0.setMultiFunction(others);
  }

  /** One function's INTx# output changed: update the wired-OR of its PIRQ line. */
  private drivePirq(pirq: number, asserted: boolean, name: string): void {
    const before = (this.pirqDrivers[pirq] as number) > 0;
    this.pirqDrivers[pirq] = (this.pirqDrivers[pirq] as number) + (asserted ? 1 : -1);
    const after = (this.pirqDrivers[pirq] as number) > 0;
    if (before === after) return;
    if (!this.router) {
      if (!after) return;
      const f = this.functions.find((x) => x?.opts.name === name);
      const pin = f ? (f.config[PCI_INTERRUPT_PIN] as number) : 0;
      this.wiring.fail(`PCI: ${name} asserted ${PIN_NAMES[pin] ?? 'INTx#'} (${PIRQ_NAMES[pirq]}), but no interrupt router (PIIX3) is on the bus`);
    }
    this.router.pirqChanged(pirq, after);
  }
}
