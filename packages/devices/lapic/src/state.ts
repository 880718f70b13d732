/** The saved state of one local APIC (one core): plain numbers and arrays, JSON-able. */
export interface LocalApicState {
  /** IA32_APIC_BASE[35:12] as an address (below 4 GiB here). */
  base: number;
  /** IA32_APIC_BASE[11]: globally enabled. */
  enabled: boolean;
  /** The ID register (bits 24-31 hold the APIC ID). */
  id: number;
  tpr: number;
  ldr: number;
  /** DFR model bits (28-31); the others read as 1. */
  dfr: number;
  svr: number;
  /** 256-bit registers as eight 32-bit words, word 0 = vectors 0-31. */
  isr: number[];
  tmr: number[];
  irr: number[];
  /** ESR as software last latched it (by a write to the ESR). */
  esr: number;
  /** Errors detected since that write, latched by the next one. */
  esrPending: number;
  icrLow: number;
  icrHigh: number;
  /** LVT timer, thermal, performance, LINT0, LINT1, error. */
  lvt: number[];
  /** Timer Initial Count register. */
  timerInitial: number;
  /** Divide Configuration Register. */
  timerDcr: number;
  /** Whether the counter is counting. */
  timerRunning: boolean;
  /** Guest time (ns) at which the counter held `timerAnchorCount`. */
  timerAnchorNs: number;
  /** The counter's value at `timerAnchorNs`. */
  timerAnchorCount: number;
}

/** The saved state of the `LAPIC` device: one entry per core. */
export interface LapicState {
  cores: LocalApicState[];
}
