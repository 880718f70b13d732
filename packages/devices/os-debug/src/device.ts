import { defineDevice, LineBuffer, type DeviceConfig, type DeviceInstance } from '@v3/device-api';
import { CONSOLE_PREFIX, LINE_LIMIT, OS_DEBUG_PORT } from './regs.js';

/** Configuration of the `OS_DEBUG` device. */
export interface OsDebugConfig extends DeviceConfig {
  /** The I/O port the guest writes to; default 0xC0C0. */
  port?: number;
}

/** The saved state: bytes of the line not yet printed. */
export interface OsDebugState {
  /** Bytes of the current line, not yet printed. */
  line: number[];
}

/** A created `OS_DEBUG` device. */
export interface OsDebug extends DeviceInstance {
  /** The port it listens on. */
  readonly port: number;
  save(): OsDebugState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'port']);

/**
 * `OS_DEBUG`: Palacios' guest debug console. The guest writes characters to one port; each
 * complete line is printed on the VM console prefixed `VM_CONSOLE> `.
 */
export const osDebug = defineDevice<OsDebugConfig, OsDebug>({
  className: 'OS_DEBUG',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected port)`);
    const p = cfg.port;
    if (p !== undefined && (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 0xffff)) {
      problems.push(`port: expected an I/O port 0x0-0xffff, got ${JSON.stringify(p)}`);
    }
    return problems;
  },

  create(host, cfg) {
    const port = cfg.port ?? OS_DEBUG_PORT;
    const where = { port };
    const lines = new LineBuffer(LINE_LIMIT, (line) => host.print(CONSOLE_PREFIX + line));

    host.hookIo(port, 1, {
      read: () =>
        // Palacios hooks no read handler, so its VMM passes the IN through to the host's own
        // port 0xC0C0; a TypeScript VMM has no host port to read.
        host.fail('OS_DEBUG: read of the debug console port (write-only; Palacios passes it through to real hardware)', where),
      write: (_offset, size, value) => {
        // Palacios stores only the first byte of a wider OUT and drops the rest silently.
        if (size !== 1) host.fail(`OS_DEBUG: ${size * 8}-bit write of 0x${value.toString(16)} (the console takes bytes)`, where);
        if (__DEBUG_OS_DEBUG__ && host.debugOn('OS_DEBUG')) host.debug('OS_DEBUG', `os_debug: byte 0x${value.toString(16).padStart(2, '0')}`);
        lines.push(value);
      },
    });

    return {
      port,
      save: () => ({ line: lines.save() }),
      load: (state) => {
        const line = (state as Partial<OsDebugState> | null)?.line;
        if (!Array.isArray(line) || line.length >= LINE_LIMIT || line.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 0xff)) {
          return host.fail('OS_DEBUG: load: bad state (line: expected an array of bytes)');
        }
        lines.load(line);
      },
      // A partial line is printed rather than lost when the VM resets or the device goes.
      reset: () => lines.flush(),
      free: () => {
        lines.flush();
        host.unhookIo(port, 1);
      },
    };
  },
});
