/**
 * `i440FX`: the Intel 82441FX PCI and Memory Controller, host bridge of the 440FX PCIset, at PCI
 * 00:00.0 (8086:1237). It models the PAM registers that BIOSes use to shadow their ROMs into RAM
 * (reported to the VMM's memory map through {@link PamMemoryControl}), SMRAM control and the DRAM
 * registers. Register with the VMM as `i440fx`; configure as `{ class: 'i440FX', id: 'northbridge', bus: 'pci0' }`.
 * @packageDocumentation
 */
export { i440fx } from './device.js';
export type { I440fx, I440fxConfig } from './device.js';
export { Pmc, pamSegments } from './pmc.js';
export type { PamMemoryControl, PamSegment, PmcState } from './pmc.js';
export { PMC_VENDOR_ID, PMC_DEVICE_ID, PAM0, PAM6, SMRAM } from './regs.js';
