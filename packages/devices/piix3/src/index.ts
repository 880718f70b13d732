/**
 * `PIIX3`: function 0 of the Intel 82371SB PIIX3, the PCI-to-ISA bridge at PCI 00:01.0
 * (8086:7000). It steers PCI interrupts (PIRQA#-PIRQD#) to ISA IRQs as the PCI bus's interrupt
 * router, owns the reset control register at I/O 0xCF9, and keeps the ISA bridge registers Linux
 * and BIOSes touch. Register with the VMM as `piix3`; configure as `{ class: 'PIIX3', id: 'southbridge', bus: 'pci0' }`.
 * @packageDocumentation
 */
export { piix3 } from './device.js';
export type { Piix3Config, Piix3Device } from './device.js';
export { Piix3 } from './piix3.js';
export type { Piix3State, Piix3Wiring } from './piix3.js';
export { PIIX3_VENDOR_ID, PIIX3_DEVICE_ID, RC_PORT, PIRQRC } from './regs.js';
