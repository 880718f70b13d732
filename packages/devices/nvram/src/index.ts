/**
 * `NVRAM`: the PC/AT real-time clock, a Motorola MC146818A, with its 128 bytes of CMOS RAM
 * filled in the PC/AT layout (memory sizes, equipment, century, Bochs BIOS boot order,
 * checksum). Ports 0x70/0x71, IRQ 8. Register with the VMM as `nvram`; configure as
 * `{ class: 'NVRAM', id: 'nvram', memory: 256 }`.
 * @packageDocumentation
 */
export { nvram, DEFAULT_START_TIME, DEFAULT_BOOT } from './device.js';
export type { NvramConfig, Nvram } from './device.js';
export { Mc146818, periodCycles } from './rtc.js';
export type { RtcState, RtcWiring } from './rtc.js';
export type { RtcTime } from './calendar.js';
export { buildCmos } from './cmos.js';
export type { CmosLayout, BootDevice } from './cmos.js';
export { NVRAM_PORTS, RTC_IRQ, BOOT_DEVICE_CODES } from './regs.js';
