/**
 * The PC's Intel 8259A programmable interrupt controllers: master at ports 0x20/0x21, slave at
 * 0xA0/0xA1 cascaded on the master's IR2, and the ELCR (0x4D0/0x4D1) that makes lines edge or
 * level triggered. The device registers itself with the VMM as an interrupt controller for IRQ
 * 0-15. Create it from a VM configuration entry `{ class: '8259A', id: 'PIC' }`.
 * @packageDocumentation
 */
export { i8259a } from './device.js';
export type { Pic, PicConfig } from './device.js';
export type { PicState, PicChipState, InitStep } from './state.js';
export { PIC_PORTS, PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD, PIC_SLAVE_DATA, PIC_ELCR1, PIC_ELCR2 } from './regs.js';
