/**
 * `PCI`: bus 0 of a PC, reached through configuration mechanism #1 (CONFIG_ADDRESS at 0xCF8,
 * CONFIG_DATA at 0xCFC-0xCFF). Devices register functions with type 0 headers (BAR sizing and
 * relocation, Command/Status, Interrupt Line/Pin) and raise INTx#, which the bus swizzles onto
 * PIRQA#-PIRQD# for the interrupt router (the PIIX3). Register with the VMM as `pci`; configure as
 * `{ class: 'PCI', id: 'pci0' }`; other devices take `bus: 'pci0'` and `import type { PciBus }`.
 * @packageDocumentation
 */
export { pci } from './device.js';
export type { Pci, PciConfig } from './device.js';
export { PciBusModel } from './bus.js';
export type { PciBusState } from './bus.js';
export type { PciFunctionState } from './function.js';
export type { PciBus, PciBarSpec, PciDeviceOptions, PciFunctionHandle, PciIntxRouter } from './types.js';
export { CONFIG_ADDRESS, CONFIG_DATA } from './regs.js';
