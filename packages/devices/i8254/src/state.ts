/** One counter's state (plain and JSON-able). Times are CLK tick numbers since VM start. */
export interface ChannelState {
  /** A control word has selected a mode and access since power-on. */
  programmed: boolean;
  /** Counter mode 0-5. */
  mode: number;
  /** M2-M1-M0 exactly as written (status byte). */
  modeBits: number;
  /** RW1-RW0: 1 LSB, 2 MSB, 3 LSB then MSB. */
  access: number;
  /** BCD counting. */
  bcd: boolean;
  /** The count register as last written (raw, BCD-coded when `bcd`). */
  cr: number;
  /** A complete count has been written since the control word. */
  crValid: boolean;
  /** The LSB of a two-byte write, while the MSB is awaited; -1 when none. */
  writeLsb: number;
  /** Next read of a two-byte count returns the MSB. */
  readMsb: boolean;
  /** A latched count waiting to be read; -1 when none. */
  latch: number;
  /** A latched status byte waiting to be read; -1 when none. */
  status: number;
  /** GATE input. */
  gate: boolean;
  /** Whether the counting element is counting (from `start`). */
  counting: boolean;
  /** Tick at which the counting element held `startCe`. */
  start: number;
  /** Counting element value at `start` (1..modulus on a fresh load; modulus means 0). */
  startCe: number;
  /** The count N of the running load (period of modes 2 and 3). */
  n: number;
  /** Modes 0 and 4: terminal count already passed (OUT high for good / strobe spent). */
  done: boolean;
  /** OUT before `start`, or while not counting. */
  outIdle: boolean;
  /** Counting element value before `start`, or while not counting. */
  ceIdle: number;
  /** NULL COUNT until this tick; null: until the next load, whenever that happens. */
  nullUntil: number | null;
  /** Modes 2/3: a new count waiting for the end of the period / half-cycle. */
  pending: { at: number; n: number; low: boolean } | null;
}

/** The whole timer (the device's checkpoint). */
export interface PitState {
  channels: ChannelState[];
  /** Port 0x61 bits 0-3 as written. */
  portB: number;
  /** The level the device drives on its IRQ line. */
  irqLevel: boolean;
  /** The tick up to which counter 0's OUT has been followed. */
  syncedTick: number;
}
