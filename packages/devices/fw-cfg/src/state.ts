/** The fw_cfg device's checkpoint: the guest-visible cursor (item contents come from the config). */
export interface FwCfgState {
  /** The selector as last written (0-0xFFFF; 0 at power-on). */
  selector: number;
  /** Bytes of the selected item already read through the data port. */
  offset: number;
}
