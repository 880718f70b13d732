/**
 * `IDE`: the Intel 82371SB (PIIX3) IDE function at PCI 00:01.1 — two legacy channels
 * (0x1F0-0x1F7/0x3F6 on IRQ 14, 0x170-0x177/0x376 on IRQ 15), ATA disks and ATAPI CD-ROMs on
 * {@link BlockBackend}s, and bus-master IDE DMA at BAR4. Register with the VMM as `ide`;
 * configure as `{ class: 'IDE', id: 'ide0', bus: 'pci0', drives: [...], backends: {...} }`.
 * @packageDocumentation
 */
export { ide } from './device.js';
export type { IdeConfig, IdeDevice, IdeDriveConfig, IdeState } from './device.js';
export { RamBackend, isBlockBackend } from './backend.js';
export type { BlockBackend, GuestMemory, RamImageSpec } from './backend.js';
export type { Channel, ChannelState } from './channel.js';
export type { DriveState } from './drive.js';
export type { CdState } from './atapi.js';
export {
  PRIMARY_CMD,
  PRIMARY_CTL,
  PRIMARY_IRQ,
  SECONDARY_CMD,
  SECONDARY_CTL,
  SECONDARY_IRQ,
  IDE_VENDOR_ID,
  IDE_DEVICE_ID,
  IDE_CLASS_CODE,
} from './regs.js';
