/**
 * The PC/AT's DMA: two cascaded Intel 8237A controllers (DMA1, 8-bit channels 0-3 at ports
 * 0x00-0x0F; DMA2, 16-bit channels 4-7 at 0xC0-0xDF, registers on even ports) and the 74LS612
 * page registers at 0x81-0x8F. Create it from a VM configuration entry `{ class: 'DMA', id: 'DMA' }`
 * (optionally `hookPort80`). Devices that use DMA reach it by id as a {@link DmaController}.
 * @packageDocumentation
 */
export { i8237 } from './device.js';
export type { DmaConfig, DmaDevice } from './device.js';
export type { DmaController, DmaChannelInfo, DmaRun, DmaMode, DmaTransferType } from './dma.js';
export type { DmaState, ControllerState, ChannelRegs } from './state.js';
export { DMA_PORTS, DMA1_BASE, DMA2_BASE, PAGE_BASE, PAGE_PORT_OF_CHANNEL, PORT_POST } from './regs.js';
