import { V3Error, defineDevice, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import { I8042, type ControllerState } from './controller.js';
import { AUX_IRQ, KBD_IRQ, PORT_DATA, PORT_STATUS, PORT_SYSCTL_A } from './regs.js';

/** Configuration of the `KEYBOARD` device. */
export interface KeyboardConfig extends DeviceConfig {
  /**
   * Hook System Control Port A (0x92: fast reset, fast A20) here too. Default true; set false
   * when another device (a chipset model) owns port 0x92.
   */
  port92?: boolean;
}

/** A created `KEYBOARD` device. */
export interface Keyboard extends DeviceInstance {
  /** The controller (and its keyboard), for tests and the app. */
  readonly chip: I8042;
  /** Whether address line 20 is gated on (recorded only: the VMM does not mask A20). */
  readonly a20: boolean;
  /** The keyboard's mode indicators: bit 0 Scroll Lock, 1 Num Lock, 2 Caps Lock. */
  readonly leds: number;
  save(): ControllerState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'port92']);

const isByte = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xff;
/** A queue entry: a byte plus the aux (0x100) and time-out (0x200) flags. */
const isEntry = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0x3ff;

/** Check the state shape {@link Keyboard.load} receives. */
function checkState(host: DeviceHost, v: unknown): ControllerState {
  const bad = (what: string): never => host.fail(`8042: load: bad state (${what})`);
  if (typeof v !== 'object' || v === null) return bad('not an object');
  // because: checked field by field below before it is used as a state
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.ram) || o.ram.length !== 32 || !o.ram.every(isByte)) bad('ram: expected 32 bytes');
  for (const k of ['sys', 'lastWasCommand', 'outA20']) if (typeof o[k] !== 'boolean') bad(`${k}: expected a boolean`);
  if (!(o.ob === -1 || isEntry(o.ob))) bad('ob: expected -1 or a queue entry');
  for (const k of ['lastOb', 'sysCtlA']) if (!isEntry(o[k])) bad(`${k}: expected a byte`);
  const pc = o.pendingCommand;
  // Only the commands that wait for a data byte can be pending.
  if (!(typeof pc === 'number' && (pc === 0 || (pc >= 0x60 && pc <= 0x7f) || (pc >= 0xd1 && pc <= 0xd4)))) bad('pendingCommand: expected 0, 0x60-0x7F or 0xD1-0xD4');
  for (const k of ['ctrlQueue', 'auxQueue']) {
    const q = o[k];
    if (!Array.isArray(q) || !q.every(isEntry)) bad(`${k}: expected queue entries`);
  }
  // because: checked on the next line
  const k = o.keyboard as Record<string, unknown> | null;
  if (typeof k !== 'object' || k === null) return bad('keyboard: expected an object');
  if (!Array.isArray(k.buffer) || !k.buffer.every(isByte)) bad('keyboard.buffer: expected bytes');
  if (typeof k.scanning !== 'boolean') bad('keyboard.scanning: expected a boolean');
  if (k.scanSet !== 1 && k.scanSet !== 2) bad('keyboard.scanSet: expected 1 or 2');
  for (const f of ['leds', 'typematic', 'pendingArg', 'lastSent']) if (!isByte(k[f])) bad(`keyboard.${f}: expected a byte`);
  // because: every field was checked above
  return o as unknown as ControllerState;
}

/**
 * `KEYBOARD`: the Intel 8042 keyboard controller with a PS/2 keyboard at ports 0x60/0x64 (and
 * System Control Port A at 0x92), IRQ 1 and IRQ 12. See the package README for what fails stop.
 */
export const i8042 = defineDevice<KeyboardConfig, Keyboard>({
  className: 'KEYBOARD',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected port92)`);
    if (cfg.port92 !== undefined && typeof cfg.port92 !== 'boolean') {
      problems.push(`port92: expected true or false, got ${JSON.stringify(cfg.port92)}`);
    }
    return problems;
  },

  create(host, cfg) {
    const port92 = cfg.port92 ?? true;
    // The port being accessed, so a refusal names it.
    let port: number | undefined;
    // A host key the keyboard cannot send fails stop at the guest's next access, inside the
    // run loop: host events arrive from the host's thread, outside the VMM's one catch.
    let deferred: string | undefined;
    const kbdIrq = host.irq(KBD_IRQ);
    const auxIrq = host.irq(AUX_IRQ);
    const chip = new I8042(
      {
        kbdIrq,
        auxIrq,
        reset: (why) => host.requestPower('reset', `8042: ${why}`),
        fail: (reason) => host.fail(reason, port === undefined ? undefined : { port }),
        debugOn: () => host.debugOn('KEYBOARD'),
        debug: (message) => host.debug('KEYBOARD', message),
      },
      port92,
    );
    const at = <T>(p: number, f: () => T): T => {
      port = p;
      try {
        if (deferred !== undefined) host.fail(deferred, { port: p });
        return f();
      } finally {
        port = undefined;
      }
    };

    // 0x60 and 0x64 are not contiguous: two hooks, byte accesses only (an 8-bit ISA device).
    host.hookIo(
      PORT_DATA,
      1,
      { read: () => at(PORT_DATA, () => chip.readData()), write: (_o, _s, v) => at(PORT_DATA, () => chip.writeData(v & 0xff)) },
      { sizes: [1] },
    );
    host.hookIo(
      PORT_STATUS,
      1,
      { read: () => at(PORT_STATUS, () => chip.readStatus()), write: (_o, _s, v) => at(PORT_STATUS, () => chip.writeCommand(v & 0xff)) },
      { sizes: [1] },
    );
    if (port92) {
      host.hookIo(
        PORT_SYSCTL_A,
        1,
        { read: () => at(PORT_SYSCTL_A, () => chip.readSysCtlA()), write: (_o, _s, v) => at(PORT_SYSCTL_A, () => chip.writeSysCtlA(v & 0xff)) },
        { sizes: [1] },
      );
    }

    host.onHostEvent('keyboard', (event) => {
      if (deferred !== undefined) return;
      try {
        chip.hostKey(event.scanCode);
      } catch (e) {
        if (!(e instanceof V3Error)) throw e;
        deferred = e.reason;
        host.error(`${e.reason}; the VM stops at its next keyboard access`);
      }
      if (__DEBUG_KEYBOARD__ && host.debugOn('KEYBOARD')) host.debug('KEYBOARD', `8042: host key 0x${event.scanCode.toString(16)}`);
    });
    // No PS/2 mouse is attached: host mouse events are not taken (see README).

    return {
      chip,
      get a20() {
        return chip.a20;
      },
      get leds() {
        return chip.keyboard.leds;
      },
      save: () => chip.save(),
      load: (state) => chip.load(checkState(host, state)),
      reset: () => {
        deferred = undefined;
        chip.reset();
      },
      free: () => {
        host.unhookIo(PORT_DATA, 1);
        host.unhookIo(PORT_STATUS, 1);
        if (port92) host.unhookIo(PORT_SYSCTL_A, 1);
        if (kbdIrq.level) kbdIrq.lower();
        if (auxIrq.level) auxIrq.lower();
      },
    };
  },
});
