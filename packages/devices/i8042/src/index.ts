/**
 * `KEYBOARD`: the Intel 8042 keyboard controller with a PS/2 (MF2) keyboard, as on the PC/AT
 * and PS/2: ports 0x60/0x64, IRQ 1 (keyboard) and IRQ 12 (auxiliary port, no mouse attached),
 * System Control Port A (0x92) for fast reset and A20. Host key events arrive in scan code
 * set 1. Register with the VMM as `i8042`; configure as `{ class: 'KEYBOARD', id: 'keyboard' }`.
 * @packageDocumentation
 */
export { i8042 } from './device.js';
export type { KeyboardConfig, Keyboard } from './device.js';
export { I8042 } from './controller.js';
export type { ControllerState, ControllerWiring } from './controller.js';
export { Ps2Keyboard } from './keyboard.js';
export type { KeyboardState, KeyboardWiring } from './keyboard.js';
export { set1ToSet2, translateSet2 } from './scancodes.js';
export { PORT_DATA, PORT_STATUS, PORT_SYSCTL_A, KBD_IRQ, AUX_IRQ } from './regs.js';
