/** Where one 8259A is in its initialization sequence: ready, or the ICW it waits for. */
export type InitStep = 'ready' | 'icw2' | 'icw3' | 'icw4';

/** The state of one 8259A (plain and JSON-able). */
export interface PicChipState {
  /** Interrupt request register. */
  irr: number;
  /** In-service register. */
  isr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** Levels of the eight IR inputs as last driven. */
  inputs: number;
  /** Edge/level control register (1 = level), forced-edge bits already cleared. */
  elcr: number;
  /** The IR level with the lowest priority (7 after ICW1; rotation moves it). */
  lowest: number;
  /** Whether ICW1 and the ICWs it asked for have been written. */
  initialized: boolean;
  /** Where the initialization sequence stands. */
  initStep: InitStep;
  /** The last ICW1, ICW2, ICW3 and ICW4 values (ICW4 is 0 when ICW1 did not ask for one). */
  icw1: number;
  icw2: number;
  icw3: number;
  icw4: number;
  /** OCW3 RIS: the A0=0 read returns ISR (true) or IRR (false). */
  readIsr: boolean;
  /** A poll command waits for the next read. */
  poll: boolean;
  /** Special mask mode. */
  specialMask: boolean;
  /** Rotate in automatic EOI mode. */
  rotateOnAeoi: boolean;
}

/** The state of the master/slave pair (the device's checkpoint). */
export interface PicState {
  master: PicChipState;
  slave: PicChipState;
}
