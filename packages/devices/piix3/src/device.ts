import { defineDevice, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import type { PciBus, PciFunctionHandle } from '@v3/dev-pci';
import { Piix3, type Piix3State } from './piix3.js';
import {
  PCICMD_RESET,
  PCICMD_WRITABLE,
  PCISTS_CLEARABLE,
  PCISTS_RESET,
  PIIX3_CLASS_CODE,
  PIIX3_DEVICE_ID,
  PIIX3_REVISION,
  PIIX3_SLOT,
  PIIX3_VENDOR_ID,
  RC_PORT,
} from './regs.js';

/** Configuration of the `PIIX3` device. */
export interface Piix3Config extends DeviceConfig {
  /** Id of the `PCI` device whose bus 0 the bridge sits on (`pci0`). */
  bus: string;
}

/** A created `PIIX3` device. */
export interface Piix3Device extends DeviceInstance {
  /** Its function 00:01.0 on the bus. */
  readonly pci: PciFunctionHandle;
  /** The chip, for tests and the VMM. */
  readonly chip: Piix3;
  /** The ISA IRQ PIRQ line `pirq` (0 = PIRQA# ... 3 = PIRQD#) is routed to, or `null`. */
  route(pirq: number): number | null;
  save(): Piix3State;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'bus']);

function checkState(host: DeviceHost, v: unknown): Piix3State {
  const bad = (what: string): never => host.fail(`PIIX3: load: bad state (${what})`);
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) return bad('not an object');
  const regs = o.regs;
  if (!Array.isArray(regs) || regs.length !== 0x100 || regs.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 0xff)) {
    bad('regs: expected 256 bytes');
  }
  if (typeof o.rc !== 'number' || !Number.isInteger(o.rc)) bad('rc: expected a byte');
  if (!Array.isArray(o.pirq) || o.pirq.length !== 4 || o.pirq.some((x) => typeof x !== 'boolean')) bad('pirq: expected 4 booleans');
  return o as unknown as Piix3State;
}

/**
 * `PIIX3`: function 0 of the 82371SB, the PCI-to-ISA bridge at 00:01.0 of the bus named by `bus`.
 * It routes the bus's PIRQ lines to ISA IRQs and owns the reset control register at 0xCF9. The
 * IDE, USB and power management functions (1-3) are separate devices that register in the same
 * slot. See the package README.
 */
export const piix3 = defineDevice<Piix3Config, Piix3Device>({
  className: 'PIIX3',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected bus)`);
    if (typeof cfg.bus !== 'string' || cfg.bus === '') problems.push(`bus: expected the id of a PCI device, got ${JSON.stringify(cfg.bus)}`);
    return problems;
  },

  create(host, cfg) {
    const bus = host.findDevice<PciBus>(cfg.bus);
    if (typeof bus?.registerDevice !== 'function') host.fail(`PIIX3: device '${cfg.bus}' is not a PCI bus`);
    const chip = new Piix3({
      irq: (line) => host.irq(line),
      requestReset: (_hard, why) => host.requestPower('reset', why),
      fail: (reason, detail) => host.fail(reason, detail),
    });
    const fn = bus.registerDevice({
      slot: PIIX3_SLOT,
      fn: 0,
      name: host.id,
      vendorId: PIIX3_VENDOR_ID,
      deviceId: PIIX3_DEVICE_ID,
      classCode: PIIX3_CLASS_CODE,
      revision: PIIX3_REVISION,
      // The chip's other functions (IDE, USB) come from other packages: the header says
      // multi-function from the start, as the real part's HEDT (0x80) does.
      multiFunction: true,
      command: { reset: PCICMD_RESET, writable: PCICMD_WRITABLE },
      status: { reset: PCISTS_RESET, clearable: PCISTS_CLEARABLE },
      configRead: (reg, size) => chip.readConfig(reg, size),
      configWrite: (reg, size, value) => chip.writeConfig(reg, size, value),
    });
    bus.setIntxRouter({ name: host.id, pirqChanged: (pirq, asserted) => chip.pirqChanged(pirq, asserted), route: (pirq) => chip.route(pirq) });
    // RC is a byte register at 0xCF9, inside the dword CONFIG_ADDRESS decodes; only byte
    // accesses reach it (the bus answers dword accesses at 0xCF8).
    host.hookIo(RC_PORT, 1, {
      read: (_off, size) => chip.readRc(size),
      write: (_off, size, value) => chip.writeRc(size, value),
    });

    return {
      pci: fn,
      chip,
      route: (pirq) => chip.route(pirq),
      save: () => chip.save(),
      load: (state) => chip.load(checkState(host, state)),
      reset: () => chip.reset(),
      free: () => {
        host.unhookIo(RC_PORT, 1);
        fn.unregister();
      },
    };
  },
});
