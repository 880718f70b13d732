/**
 * `GENERIC`: Palacios' generic device. It claims I/O port ranges no device emulates and
 * ignores their accesses (reads 0xFF per byte, writes dropped) or prints each access on the VM
 * console first. Register with the VMM as `generic`;
 * configure as `{ class: 'GENERIC', id: 'generic', ranges: [{ start: 0x80, end: 0x80, mode: 'ignore' }] }`.
 * @packageDocumentation
 */
export { generic } from './device.js';
export type { GenericConfig, Generic } from './device.js';
export { checkRanges, parsePort } from './ranges.js';
export type { GenericRange, GenericRangeConfig } from './ranges.js';
export { FLOATING_BUS_BYTE, GENERIC_MODES } from './regs.js';
export type { GenericMode } from './regs.js';
