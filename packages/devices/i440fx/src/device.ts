import { defineDevice, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import type { PciBus, PciFunctionHandle } from '@v3/dev-pci';
import { Pmc, type PamMemoryControl, type PamSegment, type PmcState } from './pmc.js';
import {
  MLT_WRITABLE,
  PCICMD_RESET,
  PCICMD_WRITABLE,
  PCISTS_CLEARABLE,
  PCISTS_RESET,
  PMC_CLASS_CODE,
  PMC_DEVICE_ID,
  PMC_REVISION,
  PMC_SLOT,
  PMC_VENDOR_ID,
} from './regs.js';

/** Configuration of the `i440FX` device. */
export interface I440fxConfig extends DeviceConfig {
  /** Id of the `PCI` device whose bus 0 the host bridge sits on (`pci0`). */
  bus: string;
}

/** A created `i440FX` device. */
export interface I440fx extends DeviceInstance {
  /** Its function 00:00.0 on the bus. */
  readonly pci: PciFunctionHandle;
  /** The chip's registers, for tests and the VMM. */
  readonly pmc: Pmc;
  /**
   * Connect the VMM's memory map for PAM shadowing; the current routing of every segment is
   * reported at once. Until this is called, a guest write that changes PAM fails stop.
   */
  connectMemory(ctrl: PamMemoryControl): void;
  /** Every PAM segment and where its reads and writes go. */
  pamSegments(): PamSegment[];
  save(): PmcState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'bus']);

function checkState(host: DeviceHost, v: unknown): PmcState {
  const o = v as Record<string, unknown> | null;
  const regs = o?.regs;
  if (!Array.isArray(regs) || regs.length !== 0x100 || regs.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 0xff)) {
    return host.fail('i440FX: load: bad state (regs: expected 256 bytes)');
  }
  return o as unknown as PmcState;
}

/**
 * `i440FX`: the 82441FX PMC, host bridge of the 440FX PCIset, at 00:00.0 of the bus named by
 * `bus`. See the package README for its registers, PAM shadowing and what fails stop.
 */
export const i440fx = defineDevice<I440fxConfig, I440fx>({
  className: 'i440FX',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected bus)`);
    if (typeof cfg.bus !== 'string' || cfg.bus === '') problems.push(`bus: expected the id of a PCI device, got ${JSON.stringify(cfg.bus)}`);
    return problems;
  },

  create(host, cfg) {
    const bus = host.findDevice<PciBus>(cfg.bus);
    if (typeof bus?.registerDevice !== 'function') host.fail(`i440FX: device '${cfg.bus}' is not a PCI bus`);
    const pmc = new Pmc({ fail: (reason) => host.fail(reason) });
    const fn = bus.registerDevice({
      slot: PMC_SLOT,
      fn: 0,
      name: host.id,
      vendorId: PMC_VENDOR_ID,
      deviceId: PMC_DEVICE_ID,
      classCode: PMC_CLASS_CODE,
      revision: PMC_REVISION,
      command: { reset: PCICMD_RESET, writable: PCICMD_WRITABLE },
      status: { reset: PCISTS_RESET, clearable: PCISTS_CLEARABLE },
      latencyTimerWritable: MLT_WRITABLE,
      configRead: (reg, size) => pmc.read(reg, size),
      configWrite: (reg, size, value) => pmc.write(reg, size, value),
    });
    return {
      pci: fn,
      pmc,
      connectMemory: (ctrl) => pmc.connectMemory(ctrl),
      pamSegments: () => pmc.segments(),
      save: () => pmc.save(),
      load: (state) => pmc.load(checkState(host, state)),
      reset: () => pmc.reset(),
      free: () => fn.unregister(),
    };
  },
});
