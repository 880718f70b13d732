/**
 * QEMU's firmware configuration device (fw_cfg), through which SeaBIOS learns the RAM size, the
 * CPU count, boot settings and named files (`etc/e820`, `bootorder`...): the 16-bit selector at
 * port 0x510 and the 8-bit data register at 0x511. Create it from a VM configuration entry
 * `{ class: 'FW_CFG', id: 'fw_cfg', memory: 256 }`.
 * @packageDocumentation
 */
export { fwCfg } from './device.js';
export type { FwCfgConfig, FwCfgDevice } from './device.js';
export type { FwCfgFile } from './items.js';
export type { FwCfgState } from './state.js';
export {
  FW_CFG_PORTS,
  FW_CFG_PORT_SEL,
  FW_CFG_PORT_DATA,
  FW_CFG_PORT_DMA,
  FW_CFG_SIGNATURE,
  FW_CFG_ID,
  FW_CFG_UUID,
  FW_CFG_RAM_SIZE,
  FW_CFG_NOGRAPHIC,
  FW_CFG_NB_CPUS,
  FW_CFG_MACHINE_ID,
  FW_CFG_BOOT_DEVICE,
  FW_CFG_NUMA,
  FW_CFG_BOOT_MENU,
  FW_CFG_MAX_CPUS,
  FW_CFG_FILE_DIR,
  FW_CFG_FILE_FIRST,
} from './regs.js';
