import { defineDevice, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import { PciBusModel, type PciBusState } from './bus.js';
import { CONFIG_ADDRESS, CONFIG_DATA, CSE_PORT } from './regs.js';
import type { PciBus } from './types.js';

/** Configuration of the `PCI` device (bus 0); it takes no options. */
export type PciConfig = DeviceConfig;

/** A created `PCI` device: the bus other devices find by id, plus checkpoint and reset. */
export interface Pci extends DeviceInstance, PciBus {
  /** The bus model, for tests and the VMM's device listing. */
  readonly bus: PciBusModel;
  save(): PciBusState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id']);

/** Check the state shape {@link Pci.load} receives. */
function checkState(host: DeviceHost, v: unknown): PciBusState {
  const bad = (what: string): never => host.fail(`PCI: load: bad state (${what})`);
  if (typeof v !== 'object' || v === null) return bad('not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.configAddress !== 'number' || !Number.isInteger(o.configAddress)) bad('configAddress: expected an integer');
  if (!Array.isArray(o.functions)) return bad('functions: expected an array');
  for (const f of o.functions as unknown[]) {
    const g = f as Record<string, unknown>;
    if (typeof f !== 'object' || f === null) bad('functions[]: expected objects');
    if (typeof g.slot !== 'number' || typeof g.fn !== 'number' || typeof g.intx !== 'boolean') bad('functions[]: slot, fn, intx');
    const h = g.header;
    if (!Array.isArray(h) || h.length !== 0x40 || h.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 0xff)) {
      bad('functions[].header: expected 64 bytes');
    }
  }
  return o as unknown as PciBusState;
}

/**
 * `PCI`: bus 0 of a PC with configuration mechanism #1 at 0xCF8/0xCFC. Other devices put their
 * functions on it through the {@link PciBus} interface (`host.findDevice<PciBus>(cfg.bus)`).
 * See the package README for the ports and what fails stop.
 */
export const pci = defineDevice<PciConfig, Pci>({
  className: 'PCI',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (PCI takes no options)`);
    return problems;
  },

  create(host) {
    const bus = new PciBusModel({ fail: (reason, detail) => host.fail(reason, detail) });

    // CONFIG_ADDRESS answers dword accesses only (spec 3.2.2.3.2); byte and word accesses to
    // 0xCF8-0xCFB are plain I/O that nothing on this chipset decodes, except the PIIX3's reset
    // control register at 0xCF9, which the PIIX3 hooks itself.
    host.hookIo(CONFIG_ADDRESS, 1, {
      read: (_off, size) => {
        if (size !== 4) return host.fail(`PCI: ${size}-byte read of 0xCF8 (CONFIG_ADDRESS takes dword accesses only)`, { port: CONFIG_ADDRESS });
        return bus.readAddress();
      },
      write: (_off, size, value) => {
        if (size !== 4) host.fail(`PCI: ${size}-byte write of 0x${value.toString(16)} to 0xCF8 (CONFIG_ADDRESS takes dword accesses only)`, { port: CONFIG_ADDRESS });
        bus.writeAddress(value);
      },
    });
    host.hookIo(CSE_PORT - 1, 2, {
      read: (off, size) => host.fail(`PCI: ${size}-byte read of 0x${(CSE_PORT - 1 + off).toString(16)}: configuration mechanism #2 is not modelled`, { port: CSE_PORT - 1 + off }),
      write: (off, size, value) => {
        if (off !== 1 || size !== 1) {
          host.fail(`PCI: ${size}-byte write of 0x${value.toString(16)} to 0x${(CSE_PORT - 1 + off).toString(16)}: configuration mechanism #2 is not modelled`, {
            port: CSE_PORT - 1 + off,
          });
        }
        bus.writeCse(value);
      },
    });
    host.hookIo(CONFIG_DATA, 4, {
      read: (off, size) => bus.readData(off, size),
      write: (off, size, value) => bus.writeData(off, size, value),
    });

    return {
      bus,
      registerDevice: (opts) => bus.registerDevice(opts),
      setIntxRouter: (router) => bus.setIntxRouter(router),
      pirqAsserted: (pirq) => bus.pirqAsserted(pirq),
      pirqOf: (slot, pin) => bus.pirqOf(slot, pin),
      intxIrq: (slot, pin) => bus.intxIrq(slot, pin),
      save: () => bus.save(),
      load: (state) => bus.load(checkState(host, state)),
      reset: () => bus.reset(),
      free: () => {
        host.unhookIo(CONFIG_ADDRESS, 1);
        host.unhookIo(CSE_PORT - 1, 2);
        host.unhookIo(CONFIG_DATA, 4);
      },
    };
  },
});
