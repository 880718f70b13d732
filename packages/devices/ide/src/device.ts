import { defineDevice, type AccessSize, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import type { PciBarSpec, PciBus, PciFunctionHandle } from '@v3/dev-pci';
import { isBlockBackend, RamBackend, type BlockBackend, type GuestMemory, type RamImageSpec } from './backend.js';
import { Channel, type ChannelState } from './channel.js';
import { Drive, type DriveKind } from './drive.js';
import {
  ATA_SECTOR,
  BMIBA_BAR,
  BMIBA_SIZE,
  CD_BLOCK,
  IDE_CLASS_CODE,
  IDE_DEVICE_ID,
  IDE_FN,
  IDE_REVISION,
  IDE_SLOT,
  IDE_VENDOR_ID,
  IDETIM_RESET,
  MLT_WRITABLE,
  PCICMD_WRITABLE,
  PCISTS_CLEARABLE,
  PCISTS_RESET,
  PRIMARY_CMD,
  PRIMARY_CTL,
  PRIMARY_IRQ,
  SECONDARY_CMD,
  SECONDARY_CTL,
  SECONDARY_IRQ,
  TIMING_FIRST,
  TIMING_LAST,
} from './regs.js';

/** One drive of the configuration. */
export interface IdeDriveConfig {
  /** 0 = primary (0x1F0, IRQ 14), 1 = secondary (0x170, IRQ 15). */
  channel: 0 | 1;
  /** 0 = master (device 0), 1 = slave (device 1). */
  unit: 0 | 1;
  /** An ATA hard disk or an ATAPI CD-ROM. */
  kind: 'disk' | 'cdrom';
  /** Name of an entry of `backends`; a CD-ROM may omit it (an empty drive). */
  backend?: string;
}

/** Configuration of the `IDE` device. */
export interface IdeConfig extends DeviceConfig {
  /** Id of the `PCI` device (`pci0`). */
  bus: string;
  /** The drives, at most one per channel and unit. */
  drives: IdeDriveConfig[];
  /** Block backends by name: an object implementing {@link BlockBackend}, or `{ image }` for a RAM one. */
  backends?: Record<string, BlockBackend | RamImageSpec>;
  /**
   * Bus-master DMA (default true): advertised in IDENTIFY and performed through the VM's guest
   * memory. `false` models a PIO-only controller: DMA is not advertised and DMA commands abort.
   */
  dma?: boolean;
  /** Guest memory for bus-master DMA instead of the VM's (tests). */
  memory?: GuestMemory;
}

/** The saved state of the `IDE` device. */
export interface IdeState {
  channels: [ChannelState, ChannelState];
  /** Bytes 0x40-0x44 of configuration space (IDETIM, SIDETIM). */
  timing: number[];
}

/** A created `IDE` device. */
export interface IdeDevice extends DeviceInstance {
  /** Its function 00:01.1. */
  readonly pci: PciFunctionHandle;
  /** Primary and secondary channel (for tests and the VMM). */
  readonly channels: readonly [Channel, Channel];
  /** The backend a drive uses (`null` for an empty position or an empty CD-ROM). */
  backend(channel: number, unit: number): BlockBackend | null;
  save(): IdeState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'bus', 'drives', 'backends', 'dma', 'memory']);
const DRIVE_KEYS = new Set(['channel', 'unit', 'kind', 'backend']);

function isRamSpec(v: unknown): v is RamImageSpec {
  const o = v as Partial<RamImageSpec> | null;
  return typeof o === 'object' && o !== null && o.image instanceof Uint8Array && (o.readOnly === undefined || typeof o.readOnly === 'boolean');
}

function validate(cfg: DeviceConfig): string[] {
  const p: string[] = [];
  for (const k of Object.keys(cfg)) if (!KEYS.has(k)) p.push(`${k}: expected one of bus, drives, backends, dma, memory (unknown key)`);
  if (typeof cfg.bus !== 'string' || cfg.bus === '') p.push(`bus: expected the id of a PCI device, got ${JSON.stringify(cfg.bus)}`);
  const backends = cfg.backends as Record<string, unknown> | undefined;
  if (backends !== undefined && (typeof backends !== 'object' || backends === null || Array.isArray(backends))) {
    p.push('backends: expected an object of named backends');
  } else if (backends) {
    for (const [name, b] of Object.entries(backends)) {
      if (!isBlockBackend(b) && !isRamSpec(b)) p.push(`backends.${name}: expected a BlockBackend object or { image: Uint8Array, readOnly?: boolean }`);
    }
  }
  if (cfg.dma !== undefined && typeof cfg.dma !== 'boolean') p.push('dma: expected true or false');
  const mem = cfg.memory as Partial<GuestMemory> | undefined;
  if (mem !== undefined && (typeof mem !== 'object' || mem === null || typeof mem.read !== 'function' || typeof mem.write !== 'function')) {
    p.push('memory: expected an object with read(addr, length) and write(addr, data)');
  }
  if (!Array.isArray(cfg.drives)) {
    p.push('drives: expected an array of { channel, unit, kind, backend }');
    return p;
  }
  const taken = new Set<string>();
  cfg.drives.forEach((d: unknown, i: number) => {
    const k = `drives[${i}]`;
    const o = d as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) return void p.push(`${k}: expected { channel, unit, kind, backend }`);
    for (const key of Object.keys(o)) if (!DRIVE_KEYS.has(key)) p.push(`${k}.${key}: expected one of channel, unit, kind, backend (unknown key)`);
    if (o.channel !== 0 && o.channel !== 1) p.push(`${k}.channel: expected 0 or 1, got ${JSON.stringify(o.channel)}`);
    if (o.unit !== 0 && o.unit !== 1) p.push(`${k}.unit: expected 0 or 1, got ${JSON.stringify(o.unit)}`);
    if (o.kind !== 'disk' && o.kind !== 'cdrom') p.push(`${k}.kind: expected 'disk' or 'cdrom', got ${JSON.stringify(o.kind)}`);
    const pos = `${String(o.channel)}.${String(o.unit)}`;
    if (taken.has(pos)) p.push(`${k}: expected one drive per channel and unit (${pos} is taken)`);
    taken.add(pos);
    if (o.backend === undefined) {
      if (o.kind === 'disk') p.push(`${k}.backend: expected the name of a backend (a disk needs one)`);
      return;
    }
    if (typeof o.backend !== 'string') return void p.push(`${k}.backend: expected a string naming an entry of backends`);
    const b = backends?.[o.backend];
    if (b === undefined) return void p.push(`${k}.backend: expected the name of an entry of backends, got '${o.backend}'`);
    const size = o.kind === 'cdrom' ? CD_BLOCK : ATA_SECTOR;
    if (isBlockBackend(b) && b.sectorSize !== size) p.push(`${k}.backend: expected ${size}-byte sectors for a ${String(o.kind)}, got ${b.sectorSize}`);
    if (isRamSpec(b) && b.image.length % size !== 0) p.push(`${k}.backend: expected an image of whole ${size}-byte sectors, got ${b.image.length} bytes`);
  });
  return p;
}

function makeBackend(spec: BlockBackend | RamImageSpec, kind: DriveKind): BlockBackend {
  if (isBlockBackend(spec)) return spec;
  return new RamBackend(spec.image, kind === 'cdrom' ? CD_BLOCK : ATA_SECTOR, spec.readOnly ?? kind === 'cdrom');
}

function checkState(host: DeviceHost, v: unknown): IdeState {
  const bad = (what: string): never => host.fail(`IDE: load: bad state (${what})`);
  const o = v as Partial<IdeState> | null;
  if (typeof o !== 'object' || o === null) return bad('not an object');
  if (!Array.isArray(o.timing) || o.timing.length !== TIMING_LAST - TIMING_FIRST + 1) bad('timing: expected 5 bytes');
  if (!Array.isArray(o.channels) || o.channels.length !== 2) bad('channels: expected 2');
  for (const c of o.channels!) {
    if (typeof c !== 'object' || c === null || !Array.isArray(c.drives) || c.drives.length !== 2) bad('channel: expected 2 drives');
    for (const n of ['unit', 'devCtl', 'bmCommand', 'bmStatus', 'bmPrd'] as const) if (typeof c[n] !== 'number') bad(`channel.${n}: expected a number`);
    for (const d of c.drives) if (typeof d !== 'object' || d === null || typeof d.status !== 'number' || typeof d.phase !== 'string') bad('drive: expected registers');
  }
  return o as IdeState;
}

/**
 * `IDE`: the 82371SB (PIIX3) IDE function at 00:01.1 of the bus named by `bus`, with its two
 * legacy channels (0x1F0/0x3F6 IRQ 14, 0x170/0x376 IRQ 15), ATA disks and ATAPI CD-ROMs from
 * `drives`, and the bus-master IDE registers at BAR4. See the package README.
 */
export const ide = defineDevice<IdeConfig, IdeDevice>({
  className: 'IDE',
  validate,

  create(host, cfg) {
    const bus = host.findDevice<PciBus>(cfg.bus);
    if (typeof bus?.registerDevice !== 'function') host.fail(`IDE: device '${cfg.bus}' is not a PCI bus`);
    const memory = cfg.dma === false ? null : (cfg.memory ?? host.memory);
    const env = {
      memory,
      fail: (reason: string, detail?: { port?: number }): never => host.fail(reason, detail),
      debugOn: () => host.debugOn('IDE'),
      debug: (m: string) => host.debug('IDE', m),
    };

    const drives: Drive[][] = [[], []];
    for (let ch = 0; ch < 2; ch++) {
      for (let unit = 0; unit < 2; unit++) {
        const dc = cfg.drives.find((d) => d.channel === ch && d.unit === unit);
        const kind: DriveKind = dc ? dc.kind : 'none';
        const spec = dc?.backend !== undefined ? cfg.backends?.[dc.backend] : undefined;
        const backend = spec ? makeBackend(spec, kind) : null;
        drives[ch]!.push(new Drive(kind, backend, `V3IDE${ch}${unit}${host.id}`.slice(0, 20)));
      }
    }
    const ids = {
      model: (d: Drive) => (d.atapi ? 'V3 ATAPI CD-ROM' : 'V3 HARDDISK'),
      inquiry: { vendor: 'V3', product: 'V3 ATAPI CD-ROM', revision: '1.0' },
    };
    const channels = [
      new Channel(0, [drives[0]![0]!, drives[0]![1]!], host.irq(PRIMARY_IRQ), env, ids),
      new Channel(1, [drives[1]![0]!, drives[1]![1]!], host.irq(SECONDARY_IRQ), env, ids),
    ] as const;

    const hookChannel = (ch: Channel, cmd: number, ctl: number): void => {
      const portName = (off: number) => cmd + off;
      host.hookIo(cmd, 8, {
        read: (off, size) => {
          if (off === 0) {
            if (size === 1) host.fail(`IDE: 8-bit read of the data register (8-bit PIO transfers are not modelled)`, { port: portName(off) });
            return ch.readData(size as 2 | 4);
          }
          if (size !== 1) host.fail(`IDE: ${size}-byte read of a byte register`, { port: portName(off) });
          return ch.readReg(off);
        },
        write: (off, size, value) => {
          if (off === 0) {
            if (size === 1) host.fail(`IDE: 8-bit write of the data register (8-bit PIO transfers are not modelled)`, { port: portName(off) });
            ch.writeData(size as 2 | 4, value);
            return;
          }
          if (size !== 1) host.fail(`IDE: ${size}-byte write of a byte register`, { port: portName(off) });
          ch.writeReg(off, value & 0xff);
        },
      });
      // Only the first port: 0x3F7/0x377 belong to the floppy controller.
      host.hookIo(ctl, 1, {
        read: () => ch.readAltStatus(),
        write: (_off, _size, value) => ch.writeControl(value & 0xff),
      }, { sizes: [1] });
    };
    hookChannel(channels[0], PRIMARY_CMD, PRIMARY_CTL);
    hookChannel(channels[1], SECONDARY_CMD, SECONDARY_CTL);

    let bmBase: number | null = null;
    const bmOps = {
      read: (off: number, size: AccessSize) => channels[off >> 3]!.readBm(off & 7, size),
      write: (off: number, size: AccessSize, value: number) => channels[off >> 3]!.writeBm(off & 7, size, value),
    };
    const timing = new Uint8Array(TIMING_LAST - TIMING_FIRST + 1);
    const resetTiming = (): void => {
      timing.fill(0);
      timing[0] = IDETIM_RESET & 0xff;
      timing[1] = IDETIM_RESET >> 8;
      timing[2] = IDETIM_RESET & 0xff;
      timing[3] = IDETIM_RESET >> 8;
    };
    resetTiming();

    const bars: PciBarSpec[] = [];
    bars[BMIBA_BAR] = { size: BMIBA_SIZE, kind: 'io' }; // BAR0-3 are unused in compatibility mode (sparse)
    const fn = bus.registerDevice({
      slot: IDE_SLOT,
      fn: IDE_FN,
      name: host.id,
      vendorId: IDE_VENDOR_ID,
      deviceId: IDE_DEVICE_ID,
      classCode: IDE_CLASS_CODE,
      revision: IDE_REVISION,
      command: { reset: 0, writable: PCICMD_WRITABLE },
      status: { reset: PCISTS_RESET, clearable: PCISTS_CLEARABLE },
      latencyTimerWritable: MLT_WRITABLE,
      bars,
      onBarChange: (index, base) => {
        if (index !== BMIBA_BAR) return;
        if (bmBase !== null) host.unhookIo(bmBase, BMIBA_SIZE);
        bmBase = base;
        if (base !== null) host.hookIo(base, BMIBA_SIZE, bmOps);
      },
      configRead: (reg, size) => {
        let v = 0;
        for (let i = 0; i < size; i++) {
          const r = reg + i;
          if (r >= TIMING_FIRST && r <= TIMING_LAST) v |= timing[r - TIMING_FIRST]! << (8 * i);
        }
        return v >>> 0;
      },
      configWrite: (reg, size, value) => {
        for (let i = 0; i < size; i++) {
          const r = reg + i;
          const b = (value >>> (8 * i)) & 0xff;
          if (r >= TIMING_FIRST && r <= TIMING_LAST) timing[r - TIMING_FIRST] = b;
          else if (b !== 0) host.fail(`IDE: write of 0x${b.toString(16)} to reserved configuration register 0x${r.toString(16)}`);
        }
      },
    });

    return {
      pci: fn,
      channels,
      backend: (ch, unit) => channels[ch]?.drives[unit]?.backend ?? null,
      save: () => ({ channels: [channels[0].save(), channels[1].save()], timing: Array.from(timing) }),
      load: (state) => {
        const s = checkState(host, state);
        timing.set(s.timing);
        channels[0].load(s.channels[0]);
        channels[1].load(s.channels[1]);
      },
      reset: () => {
        resetTiming();
        channels[0].reset();
        channels[1].reset();
      },
      free: () => {
        for (const [cmd, ctl] of [
          [PRIMARY_CMD, PRIMARY_CTL],
          [SECONDARY_CMD, SECONDARY_CTL],
        ] as const) {
          host.unhookIo(cmd, 8);
          host.unhookIo(ctl, 1);
        }
        fn.unregister();
        if (bmBase !== null) host.unhookIo(bmBase, BMIBA_SIZE);
        bmBase = null;
        channels[0].reset();
        channels[1].reset();
      },
    };
  },
});
