import { defineDevice, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import { FIELD_RANGES, timeFromEpoch } from './calendar.js';
import { buildCmos, isBootOrder } from './cmos.js';
import { CMOS_FIRST_RAM, CMOS_SIZE, RTC_IRQ, RTC_PORT_INDEX } from './regs.js';
import { Mc146818, type RtcState } from './rtc.js';

/** Configuration of the `NVRAM` device. */
export interface NvramConfig extends DeviceConfig {
  /** Guest RAM in MiB, for the CMOS memory-size bytes (the device cannot see the VM config). */
  memory: number;
  /**
   * The RTC's time when the VM starts: an ISO 8601 string, epoch seconds, or `'now'` (the host's
   * wall clock, which makes runs unreproducible). Default {@link DEFAULT_START_TIME}.
   */
  startTime?: string | number;
  /** Bochs BIOS boot order: one to three distinct letters of a (floppy), c (disk), d (CD-ROM), n (network). Default `'cd'`. */
  boot?: string;
}

/** A created `NVRAM` device. */
export interface Nvram extends DeviceInstance {
  /** The chip, for tests and the app. */
  readonly rtc: Mc146818;
  save(): RtcState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

/** The RTC's default start: a fixed date, so virtual-clock runs are reproducible. */
export const DEFAULT_START_TIME = '2026-01-01T00:00:00Z';
/** Default Bochs BIOS boot order: hard disk, then CD-ROM. */
export const DEFAULT_BOOT = 'cd';

const KEYS = new Set(['class', 'id', 'memory', 'startTime', 'boot']);
const START_EXPECTED = `expected an ISO 8601 date string, epoch seconds (integer) or 'now', for a year 1900-9999`;

/** Epoch seconds of a start time, or undefined if it is not one. */
function startEpoch(v: unknown): number | undefined {
  let sec: number;
  if (v === 'now') sec = Math.floor(Date.now() / 1000);
  else if (typeof v === 'number' && Number.isInteger(v)) sec = v;
  else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) sec = Math.floor(Date.parse(v) / 1000);
  else return undefined;
  if (!Number.isFinite(sec)) return undefined;
  const year = new Date(sec * 1000).getUTCFullYear();
  return year >= 1900 && year <= 9999 ? sec : undefined;
}

/** Check the state shape {@link Nvram.load} receives. */
function checkState(host: DeviceHost, v: unknown): RtcState {
  const bad = (what: string): never => host.fail(`MC146818: load: bad state (${what})`);
  if (typeof v !== 'object' || v === null) return bad('not an object');
  // because: checked field by field below before it is used as a state
  const o = v as Record<string, unknown>;
  const isByte = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xff;
  for (const k of ['index', 'regA', 'regB', 'flags']) if (!isByte(o[k])) bad(`${k}: expected a byte`);
  if (!Array.isArray(o.ram) || o.ram.length !== CMOS_SIZE || !o.ram.every(isByte)) bad(`ram: expected ${CMOS_SIZE} bytes`);
  for (const k of ['nmiDisabled', 'fellBack']) if (typeof o[k] !== 'boolean') bad(`${k}: expected a boolean`);
  for (const k of ['originNs', 'syncedNs']) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) bad(`${k}: expected a number`);
  // because: checked on the next line
  const t = o.time as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null) return bad('time: expected an object');
  for (const [k, [lo, hi]] of Object.entries(FIELD_RANGES)) {
    const x = t[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) bad(`time.${k}: expected ${lo}-${hi}`);
  }
  // because: every field was checked above
  return o as unknown as RtcState;
}

/**
 * `NVRAM`: the PC/AT real-time clock (MC146818A) and CMOS RAM at ports 0x70/0x71, IRQ 8. See
 * the package README for the CMOS layout and what fails stop.
 */
export const nvram = defineDevice<NvramConfig, Nvram>({
  className: 'NVRAM',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected memory, startTime, boot)`);
    const m = cfg.memory;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 4096) {
      problems.push(`memory: expected the guest's RAM in MiB, an integer 1-4096, got ${JSON.stringify(m)}`);
    }
    if (cfg.startTime !== undefined && startEpoch(cfg.startTime) === undefined) {
      problems.push(`startTime: ${START_EXPECTED}, got ${JSON.stringify(cfg.startTime)}`);
    }
    const b = cfg.boot;
    if (b !== undefined && (typeof b !== 'string' || !isBootOrder(b))) {
      problems.push(`boot: expected one to three distinct letters of a, c, d, n (e.g. 'cd'), got ${JSON.stringify(b)}`);
    }
    return problems;
  },

  create(host, cfg) {
    // because: validate() accepted the key (or the default is a valid date)
    const epoch = startEpoch(cfg.startTime ?? DEFAULT_START_TIME) as number;
    const { time, century } = timeFromEpoch(epoch);
    const line = host.irq(RTC_IRQ);
    const rtc = new Mc146818(
      {
        irq: line,
        clock: host.clock,
        fail: (reason) => host.fail(reason, { port: RTC_PORT_INDEX + 1 }),
        debugOn: () => host.debugOn('NVRAM'),
        debug: (message) => host.debug('NVRAM', message),
      },
      time,
    );
    const image = buildCmos({ memoryMiB: cfg.memory, boot: cfg.boot ?? DEFAULT_BOOT, century });
    // The clock and control bytes (0x00-0x0D) belong to the chip; the RAM gets the layout.
    for (let i = CMOS_FIRST_RAM; i < CMOS_SIZE; i++) rtc.poke(i, image[i] ?? 0);

    host.hookIo(
      RTC_PORT_INDEX,
      2,
      {
        // Port 0x70 is write-only on the PC/AT: a read floats to 0xFF, as on QEMU's PIIX.
        read: (off) => (off === 0 ? 0xff : rtc.readData()),
        write: (off, _size, value) => (off === 0 ? rtc.writeIndex(value) : rtc.writeData(value)),
      },
      { sizes: [1] },
    );
    const timer = { update: (now: number) => rtc.update(now), nextDeadline: () => rtc.nextDeadline() };
    host.addTimer(timer);
    if (__DEBUG_NVRAM__ && host.debugOn('NVRAM')) {
      host.debug('NVRAM', `MC146818: ${cfg.memory} MiB, start ${new Date(epoch * 1000).toISOString()}, boot '${cfg.boot ?? DEFAULT_BOOT}'`);
    }
    return {
      rtc,
      save: () => rtc.save(),
      load: (state) => rtc.load(checkState(host, state)),
      reset: () => rtc.reset(),
      free: () => {
        host.removeTimer(timer);
        host.unhookIo(RTC_PORT_INDEX, 2);
        if (line.level) line.lower();
      },
    };
  },
});


