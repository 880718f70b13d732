import { defineDevice, type FirmwareDescription, type DeviceConfig, type DeviceHost, type DeviceInstance, type InterruptController } from '@v3/device-api';
import type { ApicBusPort } from '@v3/dev-lapic';
import { IoApic, type IoApicState } from './ioapic.js';
import { IOAPIC_DEFAULT_BASE, IOAPIC_MMIO_SIZE, IOAPIC_PINS, IOAPIC_VERSION_VALUE } from './regs.js';

/** Configuration of the `IOAPIC` device. */
export interface IoApicConfig extends DeviceConfig {
  /** Guest-physical base of the register page; default 0xFEC00000. */
  base?: number;
  /** Id of the `LAPIC` device the interrupt messages go to; default `'LAPIC'`. */
  apic?: string;
  /**
   * ISA IRQ 0 (the PIT) is wired to pin 2, as the MP table's / ACPI MADT's interrupt source
   * override says on QEMU and Bochs machines; default true. Pin 0 then has no line, and line 2
   * (the 8259A cascade) has no pin.
   */
  irq0ToPin2?: boolean;
  /** The IO-APIC's APIC ID after reset (IOAPICID bits 27:24), 0-15; default 1 (after the BSP's 0). */
  ioapicId?: number;
}

/** A created `IOAPIC` device. */
export interface IoApicDevice extends DeviceInstance {
  /** The chip, for tests and debugging. */
  readonly chip: IoApic;
  /** The interrupt controller registered with the VMM (it sees the lines, never reports a vector). */
  readonly controller: InterruptController;
  /** The guest-physical base of its registers. */
  readonly base: number;
  /** The input pin VMM line `line` drives, or -1 when none (see `irq0ToPin2`). */
  pinOf(line: number): number;
  /** Where it is and how the lines reach its pins, for the MP table. */
  firmwareDescription(): FirmwareDescription;
  save(): IoApicState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'base', 'apic', 'irq0ToPin2', 'ioapicId']);
const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** Check a state `load()` receives. */
function checkState(host: DeviceHost, v: unknown): IoApicState {
  const bad = (what: string): never => host.fail(`ioapic: load: bad state (${what})`);
  if (typeof v !== 'object' || v === null) return bad('not an object');
  const o = v as Record<string, unknown>;
  const u32 = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  for (const k of ['id', 'regsel'] as const) if (!u32(o[k])) bad(`${k}: expected a 32-bit unsigned integer`);
  for (const k of ['redirLow', 'redirHigh'] as const) {
    const a = o[k];
    if (!Array.isArray(a) || a.length !== IOAPIC_PINS || !a.every(u32)) bad(`${k}: expected ${IOAPIC_PINS} 32-bit words`);
  }
  const lv = o.asserted;
  if (!Array.isArray(lv) || lv.length !== IOAPIC_PINS || !lv.every((b) => typeof b === 'boolean')) bad(`asserted: expected ${IOAPIC_PINS} booleans`);
  return o as unknown as IoApicState;
}

/**
 * `IOAPIC`: an Intel 82093AA with 24 pins at 0xFEC00000, sending its interrupts to the local APIC
 * named by `apic`. VMM line n drives pin n, except ISA IRQ 0 which drives pin 2 (`irq0ToPin2`).
 */
export const ioapic = defineDevice<IoApicConfig, IoApicDevice>({
  className: 'IOAPIC',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected base, apic, irq0ToPin2, ioapicId)`);
    const { base, apic, irq0ToPin2, ioapicId } = cfg;
    if (base !== undefined && (typeof base !== 'number' || !Number.isInteger(base) || base < 0 || base > 0xfffff000 || base % 0x1000 !== 0)) {
      problems.push(`base: expected a 4 KiB aligned guest-physical address below 4 GiB, got ${JSON.stringify(base)}`);
    }
    if (apic !== undefined && (typeof apic !== 'string' || apic === '')) problems.push(`apic: expected the id of a LAPIC device, got ${JSON.stringify(apic)}`);
    if (irq0ToPin2 !== undefined && typeof irq0ToPin2 !== 'boolean') problems.push(`irq0ToPin2: expected a boolean, got ${JSON.stringify(irq0ToPin2)}`);
    if (ioapicId !== undefined && (typeof ioapicId !== 'number' || !Number.isInteger(ioapicId) || ioapicId < 0 || ioapicId > 15)) {
      problems.push(`ioapicId: expected an APIC ID 0-15, got ${JSON.stringify(ioapicId)}`);
    }
    return problems;
  },

  create(host, cfg) {
    const base = cfg.base ?? IOAPIC_DEFAULT_BASE;
    const irq0ToPin2 = cfg.irq0ToPin2 ?? true;
    const apicId = cfg.apic ?? 'LAPIC';
    const apic = host.findDevice<ApicBusPort>(apicId);
    if (typeof apic?.deliver !== 'function' || typeof apic.onEoi !== 'function') {
      host.fail(`ioapic: device '${apicId}' (config key apic) is not a LAPIC: it offers no APIC bus`);
    }
    const chip = new IoApic(cfg.ioapicId ?? 1, {
      apic,
      fail: (reason, offset) => host.fail(reason, offset === undefined ? undefined : { addr: base + offset }),
      traceOn: () => host.debugOn('APIC'),
      trace: (message) => host.debug('APIC', message),
    });
    apic.onEoi((vector) => chip.eoi(vector));

    // Only aligned 32-bit accesses: the datasheet defines IOREGSEL and IOWIN as dwords.
    host.hookMmio(base, IOAPIC_MMIO_SIZE, {
      read(offset, size) {
        if (size !== 4) host.fail(`ioapic: ${size}-byte read at offset ${hex(offset)}: the registers are 32-bit`, { addr: base + offset });
        return chip.read(offset);
      },
      write(offset, size, value) {
        if (size !== 4) host.fail(`ioapic: ${size}-byte write at offset ${hex(offset)}: the registers are 32-bit`, { addr: base + offset });
        chip.write(offset, value);
      },
    });

    /**
     * The pin a VMM line drives. Lines are ISA IRQs 0-15 and GSIs 16-23; with `irq0ToPin2` line 0
     * drives pin 2 and line 2 drives nothing. Lines 24 and up belong to no pin of this IO-APIC.
     */
    const pinOf = (line: number): number => {
      if (!Number.isInteger(line) || line < 0 || line >= IOAPIC_PINS) return -1;
      if (irq0ToPin2) {
        if (line === 0) return 2;
        if (line === 2) return -1;
      }
      return line;
    };
    const pinFor = (line: number, what: string): number => {
      const pin = pinOf(line);
      if (pin < 0 && irq0ToPin2 && line === 2) {
        host.fail(`ioapic: IRQ line 2 ${what}, but it has no IO-APIC pin: with irq0ToPin2 pin 2 carries ISA IRQ 0 (and line 2 is the 8259A cascade)`);
      }
      return pin;
    };

    const controller: InterruptController = {
      name: host.id,
      raiseIntr(line) {
        const pin = pinFor(line, 'was raised');
        if (pin >= 0) chip.raise(pin);
      },
      lowerIntr(line) {
        const pin = pinFor(line, 'was lowered');
        if (pin >= 0) chip.lower(pin);
      },
      // The IO-APIC never interrupts the core itself: its messages go to the local APIC's IRR.
      intrPending: () => false,
      getIntrNumber: () => host.fail('ioapic: internal: asked for a vector, but the IO-APIC delivers through the local APIC'),
      beginIrq: () => host.fail('ioapic: internal: asked to begin an interrupt, but the IO-APIC delivers through the local APIC'),
    };
    host.registerIntrController(controller);
    if (__DEBUG_APIC__ && host.debugOn('APIC')) {
      host.debug('APIC', `ioapic: ${host.id} at ${hex(base)}, messages to '${apicId}', ISA IRQ 0 on pin ${irq0ToPin2 ? 2 : 0}`);
    }

    return {
      chip,
      controller,
      base,
      pinOf,
      save: () => chip.save(),
      load: (state) => chip.load(checkState(host, state)),
      reset: () => chip.reset(),
      free: () => host.unhookMmio(base),
      firmwareDescription: () => ({ kind: 'io-apic', base, apicId: chip.id >>> 24, version: IOAPIC_VERSION_VALUE & 0xff, pins: IOAPIC_PINS, pinOf, extIntPin: -1 }),
    };
  },
});
