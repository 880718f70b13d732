/**
 * `SERIAL`: the NS16550A UART of the PC's serial ports (COM1-COM4), one per device, connected
 * to a host stream, with 16-byte FIFOs, the four interrupt sources, loopback and the divisor
 * latch. Register with the VMM as `ns16550`; configure as `{ class: 'SERIAL', id: 'com1', port: 'COM1' }`.
 * @packageDocumentation
 */
export { ns16550 } from './device.js';
export type { SerialConfig, Serial, ComPortName } from './device.js';
export { Uart16550 } from './uart.js';
export type { UartState, UartWiring } from './uart.js';
export { COM_PORTS } from './regs.js';
