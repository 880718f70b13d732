/**
 * `OS_DEBUG`: Palacios' OS debug device. A guest writes characters to port 0xC0C0; each line
 * is printed on the VM console as `VM_CONSOLE> …`. Register with the VMM as `osDebug`.
 * @packageDocumentation
 */
export { osDebug } from './device.js';
export type { OsDebugConfig, OsDebug, OsDebugState } from './device.js';
export { OS_DEBUG_PORT, CONSOLE_PREFIX } from './regs.js';
