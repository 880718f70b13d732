/**
 * The PC's Intel 8254 programmable interval timer: counters at ports 0x40-0x42, the control word
 * at 0x43, and port 0x61 (counter 2's gate and output, the speaker enable, the refresh toggle).
 * Counter 0's output drives IRQ 0. Create it from a VM configuration entry
 * `{ class: '8254_PIT', id: 'PIT' }` (optionally `irq`).
 * @packageDocumentation
 */
export { i8254 } from './device.js';
export type { PitConfig, PitDevice } from './device.js';
export type { PitState, ChannelState } from './state.js';
export { PIT_PORTS, PIT_CH0, PIT_CH1, PIT_CH2, PIT_CTRL, PIT_PORT_B, PIT_HZ } from './regs.js';
