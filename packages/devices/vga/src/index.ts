/**
 * The IBM VGA for v3 (Palacios class `VGA`): the Miscellaneous Output, Sequencer, CRTC, Graphics
 * and Attribute Controller registers, the DAC, Input Status with retrace on the guest clock, and
 * 256 KiB of planar video memory behind 0xA0000-0xBFFFF with the Graphics Controller's read and
 * write modes. Hosts read the screen through `textScreen()`; the VGA BIOS ROM is the VMM's to
 * load. Create it from `{ class: 'VGA', id: 'vga' }`.
 * @packageDocumentation
 */
export { vga } from './device.js';
export type { VgaConfig, VgaDevice } from './device.js';
export type { TextScreen } from './text.js';
export type { VgaState } from './state.js';
export { cp437, CP437 } from './cp437.js';
export { VGA_PORTS, VGA_WINDOW_BASE, VGA_WINDOW_SIZE } from './regs.js';
