import { defineDevice, LineBuffer, type AccessSize, type CharStream, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import {
  CONSOLE_PREFIX,
  DEBUG_PREFIX,
  E9_READBACK,
  INFO_PREFIX,
  LINE_LIMIT,
  PORT_DEBUG,
  PORT_E9,
  PORT_INFO,
  PORT_NAMES,
  PORT_PANIC,
  PORT_PANIC2,
  PORT_SHUTDOWN,
  type BochsPortName,
} from './regs.js';
import { ShutdownMatcher } from './shutdown.js';

/** Configuration of the `BOCHS_DEBUG` device. */
export interface BochsDebugConfig extends DeviceConfig {
  /** Which ports to hook; default all of them. */
  ports?: BochsPortName[];
  /** A host stream that also receives every byte written to port 0xE9, unbuffered. */
  stream?: string;
}

/** The saved state: partial lines, the panic flag and the shutdown matcher. */
export interface BochsDebugState {
  /** Bytes of the port 0xE9 line not yet printed. */
  console: number[];
  /** Bytes of the 0x402 line not yet printed. */
  info: number[];
  /** Bytes of the 0x403 line not yet printed. */
  debug: number[];
  /** A 0 was written to 0x401: the next info/debug line is a panic message. */
  panicArmed: boolean;
  /** How many bytes of `Shutdown` have been written to 0x8900 in a row. */
  shutdownMatched: number;
}

/** A created `BOCHS_DEBUG` device. */
export interface BochsDebug extends DeviceInstance {
  /** The ports it hooked, by name. */
  readonly ports: readonly BochsPortName[];
  save(): BochsDebugState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'ports', 'stream']);
const PORT_NUMBER: Record<BochsPortName, number> = {
  e9: PORT_E9,
  '400': PORT_PANIC,
  '401': PORT_PANIC2,
  '402': PORT_INFO,
  '403': PORT_DEBUG,
  '8900': PORT_SHUTDOWN,
};
const PORTS_EXPECTED = `expected an array of ${PORT_NAMES.map((n) => `'${n}'`).join(' | ')}`;

const hex = (v: number, w = 2): string => '0x' + (v >>> 0).toString(16).padStart(w, '0');

function isPortName(v: unknown): v is BochsPortName {
  return typeof v === 'string' && (PORT_NAMES as readonly string[]).includes(v);
}

/** Latin-1 text of buffered bytes, for a panic message. */
function text(bytes: readonly number[]): string {
  return String.fromCharCode(...bytes).replace(/\r?$/, '');
}

/**
 * `BOCHS_DEBUG`: the debug ports the Bochs BIOS (rombios), SeaBIOS and many hobby kernels write
 * to: the port E9 console, the BIOS panic, info and debug ports, and the APM shutdown port.
 */
export const bochsDebug = defineDevice<BochsDebugConfig, BochsDebug>({
  className: 'BOCHS_DEBUG',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected ports, stream)`);
    const ports = cfg.ports;
    if (ports !== undefined) {
      if (!Array.isArray(ports)) {
        problems.push(`ports: ${PORTS_EXPECTED}, got ${JSON.stringify(ports)}`);
      } else if (ports.length === 0) {
        problems.push(`ports: ${PORTS_EXPECTED} with at least one port, got []`);
      } else {
        const seen = new Set<string>();
        ports.forEach((p: unknown, i) => {
          if (!isPortName(p)) problems.push(`ports[${i}]: expected ${PORT_NAMES.map((n) => `'${n}'`).join(' | ')}, got ${JSON.stringify(p)}`);
          else if (seen.has(p)) problems.push(`ports[${i}]: '${p}' is listed twice`);
          else seen.add(p);
        });
      }
    }
    const stream = cfg.stream;
    if (stream !== undefined) {
      if (typeof stream !== 'string' || stream === '') problems.push(`stream: expected a non-empty stream name, got ${JSON.stringify(stream)}`);
      else if (Array.isArray(ports) && !ports.includes('e9')) problems.push(`stream: expected 'e9' in ports (the stream carries port 0xE9's bytes)`);
    }
    return problems;
  },

  create(host, cfg) {
    const selected: readonly BochsPortName[] = cfg.ports ?? PORT_NAMES;
    const print = (prefix: string) => (line: string) => host.print(prefix + line);
    const consoleLines = new LineBuffer(LINE_LIMIT, print(CONSOLE_PREFIX));
    const shutdown = new ShutdownMatcher();
    let panicArmed = false;

    // rombios' panic protocol (Bochs biosdev.cc): after a 0 on port 0x401, the next complete
    // info or debug line is the panic message.
    const messageLine = (prefix: string) => (line: string) => {
      if (panicArmed) {
        panicArmed = false;
        host.fail(`BIOS panic: ${line}`, { port: prefix === INFO_PREFIX ? PORT_INFO : PORT_DEBUG });
      }
      host.print(prefix + line);
    };
    const infoLines = new LineBuffer(LINE_LIMIT, messageLine(INFO_PREFIX));
    const debugLines = new LineBuffer(LINE_LIMIT, messageLine(DEBUG_PREFIX));

    let stream: CharStream | undefined;
    if (cfg.stream !== undefined) {
      // Port E9 has no receive side: what the host types into this stream has nowhere to go.
      stream = host.openStream(cfg.stream, () => undefined);
    }

    const byteOnly = (port: number, size: AccessSize, value: number, what: string): void => {
      if (size !== 1) host.fail(`BOCHS_DEBUG: ${size * 8}-bit write of ${hex(value, size * 2)} to the ${what} (it takes bytes)`, { port });
    };
    const noRead = (port: number, what: string) => (): number =>
      host.fail(`BOCHS_DEBUG: read of the ${what} (write-only)`, { port });
    const debugByte = (port: number, value: number): void => {
      if (__DEBUG_BOCHS_DEBUG__ && host.debugOn('BOCHS_DEBUG')) host.debug('BOCHS_DEBUG', `bochs_debug: ${hex(port, 4)} <- ${hex(value)}`);
    };

    const hook = (name: BochsPortName): void => {
      const port = PORT_NUMBER[name];
      switch (name) {
        case 'e9':
          host.hookIo(port, 1, {
            // Bochs' port E9 hack: reading back 0xE9 tells a guest the console is there.
            read: () => E9_READBACK,
            write: (_o, size, value) => {
              byteOnly(port, size, value, 'port E9 console');
              debugByte(port, value);
              stream?.write(Uint8Array.of(value));
              consoleLines.push(value);
            },
          });
          return;
        case '400':
          host.hookIo(port, 1, {
            read: noRead(port, 'BIOS panic port'),
            write: (_o, size, value) => {
              if (size === 4) host.fail(`BOCHS_DEBUG: 32-bit write of ${hex(value, 8)} to the BIOS panic port`, { port });
              debugByte(port, value);
              // Bochs: a nonzero value is the rombios source line that panicked; 0 is no panic.
              if (value !== 0) host.fail(`BIOS panic at line ${value} (port 0x400)`, { port });
            },
          });
          return;
        case '401':
          host.hookIo(port, 1, {
            read: noRead(port, 'BIOS panic port'),
            write: (_o, size, value) => {
              if (size === 4) host.fail(`BOCHS_DEBUG: 32-bit write of ${hex(value, 8)} to the BIOS panic port`, { port });
              debugByte(port, value);
              if (value === 0) {
                panicArmed = true;
                return;
              }
              // Bochs: text already sent to the message ports is the panic message; else the line.
              const pending = infoLines.length > 0 ? infoLines.save() : debugLines.save();
              if (pending.length > 0) host.fail(`BIOS panic: ${text(pending)}`, { port });
              host.fail(`BIOS panic at line ${value} (port 0x401)`, { port });
            },
          });
          return;
        case '402':
          host.hookIo(port, 1, {
            // SeaBIOS (qemu_debug_preinit) reads 0x402 and keeps writing its log there only if
            // it reads QEMU debugcon's 0xE9; answering so keeps the BIOS log.
            read: () => E9_READBACK,
            write: (_o, size, value) => {
              byteOnly(port, size, value, 'BIOS info port');
              debugByte(port, value);
              infoLines.push(value);
            },
          });
          return;
        case '403':
          host.hookIo(port, 1, {
            read: noRead(port, 'BIOS debug port'),
            write: (_o, size, value) => {
              byteOnly(port, size, value, 'BIOS debug port');
              debugByte(port, value);
              debugLines.push(value);
            },
          });
          return;
        case '8900':
          host.hookIo(port, 1, {
            read: noRead(port, 'shutdown port'),
            write: (_o, size, value) => {
              byteOnly(port, size, value, 'shutdown port');
              debugByte(port, value);
              if (shutdown.push(value)) host.requestPower('poweroff', 'guest wrote Shutdown to port 0x8900');
            },
          });
          return;
        default:
          // because: validate() admits only PORT_NAMES; a value here is a configuration the VMM did not validate
          host.fail(`BOCHS_DEBUG: unknown port name ${JSON.stringify(name as unknown)}`);
      }
    };
    for (const name of selected) hook(name);
    if (__DEBUG_BOCHS_DEBUG__ && host.debugOn('BOCHS_DEBUG')) host.debug('BOCHS_DEBUG', `bochs_debug: hooked ${selected.join(', ')}`);

    const flushAll = (): void => {
      consoleLines.flush();
      // A partial message is printed, not treated as a panic message, when the VM goes.
      panicArmed = false;
      infoLines.flush();
      debugLines.flush();
    };

    return {
      ports: selected,
      save: () => ({
        console: consoleLines.save(),
        info: infoLines.save(),
        debug: debugLines.save(),
        panicArmed,
        shutdownMatched: shutdown.matched,
      }),
      load: (state) => {
        const s = checkState(host, state);
        consoleLines.load(s.console);
        infoLines.load(s.info);
        debugLines.load(s.debug);
        panicArmed = s.panicArmed;
        shutdown.matched = s.shutdownMatched;
      },
      reset: () => {
        flushAll();
        shutdown.matched = 0;
      },
      free: () => {
        flushAll();
        for (const name of selected) host.unhookIo(PORT_NUMBER[name], 1);
        stream?.close();
      },
    };
  },
});

/** Check the state shape `load` receives. */
function checkState(host: DeviceHost, v: unknown): BochsDebugState {
  const bad = (what: string): never => host.fail(`BOCHS_DEBUG: load: bad state (${what})`);
  if (typeof v !== 'object' || v === null) return bad('not an object');
  const o = v as Record<string, unknown>;
  for (const k of ['console', 'info', 'debug']) {
    const a = o[k];
    if (!Array.isArray(a) || a.length >= LINE_LIMIT || a.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 0xff)) {
      bad(`${k}: expected an array of bytes`);
    }
  }
  if (typeof o.panicArmed !== 'boolean') bad('panicArmed: expected a boolean');
  const m = o.shutdownMatched;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m >= 8) bad('shutdownMatched: expected 0-7');
  return o as unknown as BochsDebugState;
}
