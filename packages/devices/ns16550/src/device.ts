import { defineDevice, type DeviceConfig, type DeviceHost, type DeviceInstance } from '@v3/device-api';
import { COM_PORTS, UART_PORT_COUNT } from './regs.js';
import { Uart16550, type UartState } from './uart.js';

/** A standard PC serial port name. */
export type ComPortName = keyof typeof COM_PORTS;

/** Configuration of one `SERIAL` device (one UART). */
export interface SerialConfig extends DeviceConfig {
  /** `'COM1'`-`'COM4'`, or the I/O base of the UART's eight ports. */
  port: ComPortName | number;
  /** The IRQ line; default the COM port's (4 for COM1/COM3, 3 for COM2/COM4). */
  irq?: number;
  /** Name of the host stream the port is connected to; default the device id. */
  stream?: string;
}

/** A created `SERIAL` device. */
export interface Serial extends DeviceInstance {
  /** The chip, for tests and for the app (pending input, character time). */
  readonly uart: Uart16550;
  /** The first of the eight ports. */
  readonly base: number;
  /** The IRQ line it drives. */
  readonly irqLine: number;
  save(): UartState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'port', 'irq', 'stream']);
const PORT_EXPECTED = `expected 'COM1' | 'COM2' | 'COM3' | 'COM4' or an I/O base 0x0-0xfff8`;

function isComName(v: unknown): v is ComPortName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(COM_PORTS, v);
}

function isIoBase(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x10000 - UART_PORT_COUNT;
}

/** Base port and IRQ a valid configuration asks for. */
function resolve(cfg: SerialConfig): { base: number; irq: number } {
  const port = cfg.port;
  if (isComName(port)) return { base: COM_PORTS[port].base, irq: cfg.irq ?? COM_PORTS[port].irq };
  const com = Object.values(COM_PORTS).find((c) => c.base === port);
  // because: validate() refused a numeric base without an irq unless it is a COM base
  return { base: port, irq: cfg.irq ?? (com as { irq: number }).irq };
}

/** Check the state shape {@link Serial.load} receives. */
function checkState(host: DeviceHost, v: unknown): UartState {
  const bad = (what: string): never => host.fail(`16550: load: bad state (${what})`);
  if (typeof v !== 'object' || v === null) return bad('not an object');
  const o = v as Record<string, unknown>;
  const bytes = ['ier', 'lcr', 'mcr', 'fcr', 'scr', 'dll', 'dlm', 'lsrErrors', 'msrDeltas', 'msrLines', 'rbr'];
  for (const k of bytes) {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xff) bad(`${k}: expected a byte`);
  }
  for (const k of ['rx', 'input']) {
    const a = o[k];
    if (!Array.isArray(a) || a.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 0xff)) bad(`${k}: expected an array of bytes`);
  }
  if ((o.rx as number[]).length > 16) bad('rx: more than 16 bytes');
  for (const k of ['thrIntPending', 'timeoutPending']) if (typeof o[k] !== 'boolean') bad(`${k}: expected a boolean`);
  if (typeof o.lastRxActivityNs !== 'number' || !Number.isFinite(o.lastRxActivityNs)) bad('lastRxActivityNs: expected a number');
  return o as unknown as UartState;
}

/**
 * `SERIAL`: one NS16550A UART per device, at a COM port's base and IRQ, connected to a host
 * stream. See the package README for the port map and what fails stop.
 */
export const ns16550 = defineDevice<SerialConfig, Serial>({
  className: 'SERIAL',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected port, irq, stream)`);
    const port = cfg.port;
    if (port === undefined) problems.push(`port: ${PORT_EXPECTED}, got nothing`);
    else if (!isComName(port) && !isIoBase(port)) problems.push(`port: ${PORT_EXPECTED}, got ${JSON.stringify(port)}`);
    const irq = cfg.irq;
    if (irq !== undefined && (typeof irq !== 'number' || !Number.isInteger(irq) || irq < 0 || irq > 15)) {
      problems.push(`irq: expected an ISA IRQ 0-15, got ${JSON.stringify(irq)}`);
    }
    if (irq === undefined && isIoBase(port) && !Object.values(COM_PORTS).some((c) => c.base === port)) {
      problems.push(`irq: expected an ISA IRQ 0-15 (required when port is not a COM base), got nothing`);
    }
    const stream = cfg.stream;
    if (stream !== undefined && (typeof stream !== 'string' || stream === '')) {
      problems.push(`stream: expected a non-empty stream name, got ${JSON.stringify(stream)}`);
    }
    return problems;
  },

  create(host, cfg) {
    const { base, irq } = resolve(cfg);
    const line = host.irq(irq);
    // The chip transmits only when the guest writes THR, which cannot happen before the stream
    // below is open.
    const chip: Uart16550 = new Uart16550({
      irq: line,
      clock: host.clock,
      transmit: (byte) => stream.write(Uint8Array.of(byte)),
      fail: (reason, offset) => host.fail(reason, offset === undefined ? undefined : { port: base + offset }),
      debugOn: () => host.debugOn('SERIAL'),
      debug: (message) => host.debug('SERIAL', message),
    });
    const stream = host.openStream(cfg.stream ?? host.id, (bytes) => chip.receiveFromHost(bytes));

    // An ISA 8-bit device: word and dword accesses arrive as byte accesses.
    host.hookIo(
      base,
      UART_PORT_COUNT,
      {
        read: (offset) => chip.read(offset),
        write: (offset, _size, value) => chip.write(offset, value),
      },
      { sizes: [1] },
    );
    const timer = { update: (now: number) => chip.update(now), nextDeadline: () => chip.nextDeadline() };
    host.addTimer(timer);
    if (__DEBUG_SERIAL__ && host.debugOn('SERIAL')) {
      host.debug('SERIAL', `16550: ${host.id} at 0x${base.toString(16)}, IRQ ${irq}, stream '${cfg.stream ?? host.id}'`);
    }

    return {
      uart: chip,
      base,
      irqLine: irq,
      save: () => chip.save(),
      load: (state) => chip.load(checkState(host, state)),
      reset: () => chip.reset(),
      free: () => {
        host.removeTimer(timer);
        host.unhookIo(base, UART_PORT_COUNT);
        if (line.level) line.lower();
        stream.close();
      },
    };
  },
});
