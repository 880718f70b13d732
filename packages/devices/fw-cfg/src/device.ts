import { defineDevice, type AccessSize, type DeviceConfig, type DeviceInstance } from '@v3/device-api';
import { FwCfg } from './fw-cfg.js';
import { buildItems, GENERATED_FILES, isFileName, type FwCfgFile } from './items.js';
import { FW_CFG_DMA_PORTS, FW_CFG_FILE_FIRST, FW_CFG_ENTRY_MASK, FW_CFG_PORT_DATA, FW_CFG_PORT_DMA, FW_CFG_PORT_SEL } from './regs.js';
import type { FwCfgState } from './state.js';

/** Configuration of the `FW_CFG` device. */
export interface FwCfgConfig extends DeviceConfig {
  /** Guest RAM in MiB (FW_CFG_RAM_SIZE, etc/e820): an integer 1-4096, as the NVRAM device takes it. */
  memory: number;
  /** CPUs present at boot and possible (FW_CFG_NB_CPUS, FW_CFG_MAX_CPUS, etc/boot-cpus): 1-255, default 1. */
  cpus?: number;
  /** Boot devices, one to three distinct letters of a, c, d, n; the first is FW_CFG_BOOT_DEVICE. Default `'cd'`. */
  bootOrder?: string;
  /** FW_CFG_NOGRAPHIC (default false). */
  nographic?: boolean;
  /** FW_CFG_BOOT_MENU: SeaBIOS' etc/show-boot-menu (default false: no menu, no wait). */
  bootMenu?: boolean;
  /** Extra named files (`bootorder`, `etc/boot-fail-wait`, `opt/...`); one named like a generated file replaces it. */
  files?: FwCfgFile[];
}

/** A created fw_cfg device. */
export interface FwCfgDevice extends DeviceInstance {
  /** The named files in directory order, with their selectors and sizes. */
  readonly files: readonly { name: string; select: number; size: number }[];
  /** The selector and the data offset. */
  save(): FwCfgState;
  /** Restore what `save()` returned; fails stop on a malformed state. */
  load(state: unknown): void;
  /** Power-on state: the signature selected, offset 0. */
  reset(): void;
}

const KEYS = new Set(['class', 'id', 'memory', 'cpus', 'bootOrder', 'nographic', 'bootMenu', 'files']);
const MAX_FILES = FW_CFG_ENTRY_MASK + 1 - FW_CFG_FILE_FIRST;

const isBootOrder = (b: unknown): b is string =>
  typeof b === 'string' && /^[acdn]{1,3}$/.test(b) && new Set(b).size === b.length;

function checkFiles(files: unknown, problems: string[]): void {
  if (!Array.isArray(files)) {
    problems.push(`files: expected an array of { name: string, data: Uint8Array }, got ${JSON.stringify(files)}`);
    return;
  }
  if (files.length > MAX_FILES - GENERATED_FILES.length) {
    problems.push(`files: expected at most ${MAX_FILES - GENERATED_FILES.length} files, got ${files.length}`);
  }
  const seen = new Set<string>();
  files.forEach((f: unknown, i) => {
    const file = f as Partial<FwCfgFile> | null;
    if (typeof file !== 'object' || file === null) {
      problems.push(`files[${i}]: expected { name: string, data: Uint8Array }`);
      return;
    }
    const keys = Object.keys(file).filter((k) => k !== 'name' && k !== 'data');
    if (keys.length > 0) problems.push(`files[${i}].${keys[0]}: unknown key (expected name, data)`);
    if (typeof file.name !== 'string' || !isFileName(file.name)) {
      problems.push(`files[${i}].name: expected 1-55 printable ASCII characters without spaces, got ${JSON.stringify(file.name)}`);
    } else if (seen.has(file.name)) {
      problems.push(`files[${i}].name: expected a name not used by another file, got '${file.name}' twice`);
    } else {
      seen.add(file.name);
    }
    if (!(file.data instanceof Uint8Array)) problems.push(`files[${i}].data: expected a Uint8Array`);
  });
}

/**
 * QEMU's firmware configuration device (class `FW_CFG`): the selector at 0x510 and the data
 * register at 0x511 through which SeaBIOS reads RAM size, CPU count, boot settings and named
 * files. The DMA address register (0x514-0x51B) is hooked but fails stop: see the README.
 */
export const fwCfg = defineDevice<FwCfgConfig, FwCfgDevice>({
  className: 'FW_CFG',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) {
      if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected memory, cpus, bootOrder, nographic, bootMenu, files)`);
    }
    const m = cfg.memory;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 4096) {
      problems.push(`memory: expected the guest's RAM in MiB, an integer 1-4096, got ${JSON.stringify(m)}`);
    }
    const c = cfg.cpus;
    if (c !== undefined && (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 255)) {
      problems.push(`cpus: expected an integer 1-255, got ${JSON.stringify(c)}`);
    }
    if (cfg.bootOrder !== undefined && !isBootOrder(cfg.bootOrder)) {
      problems.push(`bootOrder: expected one to three distinct letters of a, c, d, n (e.g. 'cd'), got ${JSON.stringify(cfg.bootOrder)}`);
    }
    for (const k of ['nographic', 'bootMenu'] as const) {
      if (cfg[k] !== undefined && typeof cfg[k] !== 'boolean') problems.push(`${k}: expected a boolean, got ${JSON.stringify(cfg[k])}`);
    }
    if (cfg.files !== undefined) checkFiles(cfg.files, problems);
    return problems;
  },

  create(host, cfg) {
    const table = buildItems({
      memoryMiB: cfg.memory,
      cpus: cfg.cpus ?? 1,
      bootOrder: cfg.bootOrder ?? 'cd',
      nographic: cfg.nographic ?? false,
      bootMenu: cfg.bootMenu ?? false,
      files: cfg.files ?? [],
    });
    const chip = new FwCfg(table, {
      fail: (reason) => host.fail(reason),
      traceOn: () => host.debugOn('FW_CFG'),
      trace: (message) => host.debug('FW_CFG', message),
    });
    const refuse = (port: number, what: string): never => host.fail(`fw_cfg: ${what}`, { port });
    const bytes = (size: AccessSize) => `${size}-byte`;

    host.hookIo(FW_CFG_PORT_SEL, 2, {
      read(off, size) {
        if (off === 1 && size === 1) return chip.readData();
        if (off === 0) return refuse(FW_CFG_PORT_SEL, `${bytes(size)} IN from the selector register, which is write only`);
        return refuse(FW_CFG_PORT_DATA, `${bytes(size)} IN from the data register, which is 8-bit on the I/O port`);
      },
      write(off, size, value) {
        if (off === 0 && size === 2) chip.select(value);
        else if (off === 1 && size === 1) chip.writeData(value);
        else if (off === 0) refuse(FW_CFG_PORT_SEL, `${bytes(size)} OUT to the selector register, which is 16-bit`);
        else refuse(FW_CFG_PORT_DATA, `${bytes(size)} OUT to the data register, which is 8-bit on the I/O port`);
      },
    });
    const noDma = (off: number): never =>
      refuse(FW_CFG_PORT_DMA + off, 'the DMA interface is not implemented (FW_CFG_ID bit 1 is clear): the device API gives devices no guest-memory access');
    host.hookIo(FW_CFG_PORT_DMA, FW_CFG_DMA_PORTS, { read: (off) => noDma(off), write: (off) => noDma(off) });

    if (host.debugOn('FW_CFG')) {
      host.debug('FW_CFG', `fw_cfg: ${cfg.memory} MiB, ${cfg.cpus ?? 1} CPU(s), files ${table.files.map((f) => f.name).join(', ')}`);
    }
    return {
      files: table.files,
      save: () => chip.save(),
      load: (state) => chip.load(state),
      reset: () => chip.reset(),
    };
  },
});
