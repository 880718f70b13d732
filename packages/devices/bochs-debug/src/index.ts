/**
 * `BOCHS_DEBUG`: the Bochs/QEMU debug ports. Port 0xE9 is a console ("port E9 hack"), 0x400 and
 * 0x401 report a BIOS panic (which ends the VM), 0x402 and 0x403 carry BIOS info and debug
 * text, and writing `Shutdown` to 0x8900 powers the VM off. Register with the VMM as `bochsDebug`.
 * @packageDocumentation
 */
export { bochsDebug } from './device.js';
export type { BochsDebugConfig, BochsDebug, BochsDebugState } from './device.js';
export { PORT_NAMES, PORT_E9, PORT_PANIC, PORT_PANIC2, PORT_INFO, PORT_DEBUG, PORT_SHUTDOWN } from './regs.js';
export type { BochsPortName } from './regs.js';
