import { defineDevice, type AccessSize, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import { checkRanges, type GenericRange, type GenericRangeConfig } from './ranges.js';
import { FLOATING_BUS_BYTE } from './regs.js';

/** Configuration of a `GENERIC` device. */
export interface GenericConfig extends DeviceConfig {
  /** The port ranges to claim; inclusive, not overlapping. */
  ranges: GenericRangeConfig[];
}

/** A created `GENERIC` device. */
export interface Generic extends DeviceInstance {
  /** The ranges it claimed, with numeric ports. */
  readonly ranges: readonly GenericRange[];
  free(): void;
  reset(): void;
}

const KEYS = new Set(['class', 'id', 'ranges']);

const hex = (v: number, digits: number): string => '0x' + (v >>> 0).toString(16).padStart(digits, '0');

/** What a read of `size` bytes from an ignored port returns: 0xFF in every byte. */
function floating(host: DeviceHost, port: number, size: AccessSize): number {
  switch (size) {
    case 1:
      return FLOATING_BUS_BYTE;
    case 2:
      return (FLOATING_BUS_BYTE << 8) | FLOATING_BUS_BYTE;
    case 4:
      return ((FLOATING_BUS_BYTE << 24) | (FLOATING_BUS_BYTE << 16) | (FLOATING_BUS_BYTE << 8) | FLOATING_BUS_BYTE) >>> 0;
    default:
      return host.fail(`generic: ${String(size)}-byte read not implemented`, { port });
  }
}

/**
 * `GENERIC`: claims I/O port ranges that no device emulates, so the VM does not fail stop on
 * them: each range ignores accesses (reads float to 0xFF per byte, writes are dropped) or prints
 * each access on the VM console and then ignores it.
 */
export const generic = defineDevice<GenericConfig, Generic>({
  className: 'GENERIC',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected ranges)`);
    problems.push(...checkRanges(cfg.ranges).problems);
    return problems;
  },

  create(host, cfg) {
    const { ranges, problems } = checkRanges(cfg.ranges);
    if (problems.length > 0) host.fail(`generic: bad configuration: ${problems.join('; ')}`);

    for (const r of ranges) {
      const print = r.mode === 'print';
      host.hookIo(r.start, r.end - r.start + 1, {
        read: (offset, size) => {
          const port = r.start + offset;
          const value = floating(host, port, size);
          if (print) host.print(`generic: IN ${size} byte(s) from port ${hex(port, 4)} -> ${hex(value, size * 2)} (ignored)`);
          else if (__DEBUG_GENERIC__ && host.debugOn('GENERIC')) host.debug('GENERIC', `generic: ignored IN ${size} from ${hex(port, 4)}`);
          return value;
        },
        write: (offset, size, value) => {
          const port = r.start + offset;
          if (print) host.print(`generic: OUT ${size} byte(s) ${hex(value, size * 2)} to port ${hex(port, 4)} (ignored)`);
          else if (__DEBUG_GENERIC__ && host.debugOn('GENERIC')) host.debug('GENERIC', `generic: ignored OUT ${size} ${hex(value, size * 2)} to ${hex(port, 4)}`);
        },
      });
      if (__DEBUG_GENERIC__ && host.debugOn('GENERIC')) host.debug('GENERIC', `generic: ${hex(r.start, 4)}-${hex(r.end, 4)} ${r.mode}`);
    }

    return {
      ranges,
      free: () => {
        for (const r of ranges) host.unhookIo(r.start, r.end - r.start + 1);
      },
      // The ranges hold no state a guest could see change, so a machine reset leaves nothing to do.
      reset: () => {},
    };
  },
});
