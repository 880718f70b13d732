/*
 * One local APIC (one core's), as a state machine: no host, no MMIO hook, only register offsets,
 * the guest clock, and callbacks for what leaves the chip (IPIs, EOI messages).
 *
 * Summary of the chip, in our words (Intel SDM Vol. 3A, chapter 10):
 * - Interrupts accepted from the IO-APIC, from IPIs and from the local vector table (LVT) are
 *   latched in the 256-bit IRR; TMR records per vector whether it arrived level triggered. The
 *   highest IRR vector is dispatched when its priority class (vector bits 7:4) is above the
 *   processor priority class (PPR), and then moves to the ISR. An EOI write clears the highest ISR
 *   bit and, for a level-triggered vector, sends an EOI message to the IO-APICs (10.8.5).
 * - PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0 (10.8.3.1), where ISRV is the highest
 *   in-service vector.
 * - SVR bit 8 software-enables the APIC; while it is clear every LVT entry stays masked (10.4.7.2).
 * - The timer counts the bus clock divided by the DCR down from the initial count, once or
 *   periodically, and raises the LVT timer vector at zero (10.5.4).
 * - Errors (illegal vectors) latch in the ESR after a write to it and raise the LVT error vector.
 *
 * Modelling choices:
 * - The counter is computed from guest time, not stepped: (anchor time, count at anchor).
 * - Delivery is instantaneous, so the delivery status bits of the ICR and LVT always read 0.
 * - While software-disabled the APIC still accepts interrupts into the IRR but dispatches none.
 */
import {
  APIC_APR,
  APIC_DEFAULT_BASE,
  APIC_DFR,
  APIC_EOI,
  APIC_ESR,
  APIC_ICR_HIGH,
  APIC_ICR_LOW,
  APIC_ID,
  APIC_IRR,
  APIC_ISR,
  APIC_LDR,
  APIC_LVT_ERROR,
  APIC_LVT_LINT0,
  APIC_LVT_LINT1,
  APIC_LVT_PERF,
  APIC_LVT_THERMAL,
  APIC_LVT_TIMER,
  APIC_PPR,
  APIC_RRD,
  APIC_SVR,
  APIC_TIMER_CCR,
  APIC_TIMER_DCR,
  APIC_TIMER_ICR,
  APIC_TMR,
  APIC_TPR,
  APIC_VERSION,
  APIC_VERSION_VALUE,
  DCR_WRITABLE,
  DEST_BROADCAST,
  DFR_CLUSTER,
  DFR_FLAT,
  DFR_MODEL,
  DFR_RESET,
  DM_EXTINT,
  DM_FIXED,
  DM_INIT,
  DM_NMI,
  DM_SMI,
  ESR_RECEIVE_ILLEGAL_VECTOR,
  ICR_DELIVERY_MODE,
  ICR_HIGH_WRITABLE,
  ICR_LOW_WRITABLE,
  ID_WRITABLE,
  LDR_WRITABLE,
  LVT_DELIVERY_MODE,
  LVT_ERROR,
  LVT_LINT0,
  LVT_LINT1,
  LVT_MASKED,
  LVT_PERF,
  LVT_THERMAL,
  LVT_TIMER,
  LVT_TIMER_MODE,
  LVT_VECTOR,
  LVT_WRITABLE,
  NS_PER_BUS_CLOCK,
  SVR_APIC_ENABLED,
  SVR_RESET,
  SVR_VECTOR,
  SVR_WRITABLE,
  TIMER_ONE_SHOT,
  TIMER_PERIODIC,
  TIMER_TSC_DEADLINE,
  TPR_WRITABLE,
  divideBy,
} from './regs.js';
import type { LocalApicState } from './state.js';

/** What a local APIC needs from its surroundings. */
export interface ApicEnv {
  /** Guest time in ns. */
  now(): number;
  /** Fail stop, naming the register offset when there is one. */
  fail(reason: string, offset?: number): never;
  /** Whether `APIC` debug output is on. */
  traceOn(): boolean;
  /** One line of `APIC` debug output. */
  trace(message: string): void;
  /** The ICR was written: send the IPI it describes (the bus routes it). */
  sendIpi(from: LocalApic, icrLow: number, icrHigh: number): void;
  /** A level-triggered vector was EOIed: tell the IO-APICs (SDM 10.8.5). */
  eoiBroadcast(vector: number): void;
}

/** Names of the registers, for messages. */
const REG_NAMES: Record<number, string> = {
  [APIC_ID]: 'ID',
  [APIC_VERSION]: 'version',
  [APIC_TPR]: 'TPR',
  [APIC_APR]: 'APR',
  [APIC_PPR]: 'PPR',
  [APIC_EOI]: 'EOI',
  [APIC_RRD]: 'RRD',
  [APIC_LDR]: 'LDR',
  [APIC_DFR]: 'DFR',
  [APIC_SVR]: 'SVR',
  [APIC_ESR]: 'ESR',
  [APIC_ICR_LOW]: 'ICR low',
  [APIC_ICR_HIGH]: 'ICR high',
  [APIC_LVT_TIMER]: 'LVT timer',
  [APIC_LVT_THERMAL]: 'LVT thermal',
  [APIC_LVT_PERF]: 'LVT performance counter',
  [APIC_LVT_LINT0]: 'LVT LINT0',
  [APIC_LVT_LINT1]: 'LVT LINT1',
  [APIC_LVT_ERROR]: 'LVT error',
  [APIC_TIMER_ICR]: 'timer initial count',
  [APIC_TIMER_CCR]: 'timer current count',
  [APIC_TIMER_DCR]: 'timer divide configuration',
};

/** A register's name, or its offset for the 256-bit arrays and reserved slots. */
export function regName(offset: number): string {
  const name = REG_NAMES[offset];
  if (name !== undefined) return name;
  if (offset >= APIC_ISR && offset < APIC_ISR + 0x80) return `ISR[${(offset - APIC_ISR) >> 4}]`;
  if (offset >= APIC_TMR && offset < APIC_TMR + 0x80) return `TMR[${(offset - APIC_TMR) >> 4}]`;
  if (offset >= APIC_IRR && offset < APIC_IRR + 0x80) return `IRR[${(offset - APIC_IRR) >> 4}]`;
  return `register 0x${offset.toString(16).padStart(3, '0')}`;
}

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** Highest set bit of a 256-bit register as eight words, or -1. */
function highest(words: Uint32Array): number {
  for (let i = 7; i >= 0; i--) {
    const w = words[i] as number;
    if (w !== 0) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

const testBit = (words: Uint32Array, v: number): boolean => (((words[v >> 5] as number) >>> (v & 31)) & 1) === 1;
const setBit = (words: Uint32Array, v: number): void => {
  words[v >> 5] = (words[v >> 5] as number) | (1 << (v & 31));
};
const clearBit = (words: Uint32Array, v: number): void => {
  words[v >> 5] = (words[v >> 5] as number) & ~(1 << (v & 31));
};

/** One local APIC. `index` is the core it belongs to; core 0 is the bootstrap processor. */
export class LocalApic {
  /** IA32_APIC_BASE[35:12] as an address. */
  base = APIC_DEFAULT_BASE;
  /** IA32_APIC_BASE[11]: the APIC is globally enabled (hardware enable). */
  enabled = true;
  id = 0;
  tpr = 0;
  ldr = 0;
  /** Only the model bits (28-31); the rest reads as 1. */
  dfr = (DFR_RESET & DFR_MODEL) >>> 0;
  svr = SVR_RESET;
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  readonly irr = new Uint32Array(8);
  esr = 0;
  esrPending = 0;
  icrLow = 0;
  icrHigh = 0;
  readonly lvt = new Uint32Array(6);
  timerInitial = 0;
  timerDcr = 0;
  timerRunning = false;
  timerAnchorNs = 0;
  timerAnchorCount = 0;
  /** Set while the error LVT is being raised, so an illegal error vector does not recurse. */
  private inError = false;

  constructor(
    readonly index: number,
    private readonly env: ApicEnv,
  ) {
    this.powerUp();
  }

  /** Whether this is the bootstrap processor's APIC (IA32_APIC_BASE[8]). */
  get bsp(): boolean {
    return this.index === 0;
  }

  /** The APIC ID (ID register bits 24-31). */
  get apicId(): number {
    return this.id >>> 24;
  }

  /** SVR bit 8. */
  get softwareEnabled(): boolean {
    return (this.svr & SVR_APIC_ENABLED) !== 0;
  }

  /** Power-up and reset state of the registers (SDM 10.4.7.1); the base MSR is not touched. */
  powerUp(): void {
    this.id = (this.index << 24) >>> 0;
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = (DFR_RESET & DFR_MODEL) >>> 0;
    this.svr = SVR_RESET;
    this.isr.fill(0);
    this.tmr.fill(0);
    this.irr.fill(0);
    this.esr = 0;
    this.esrPending = 0;
    this.icrLow = 0;
    this.icrHigh = 0;
    this.lvt.fill(LVT_MASKED);
    // The SDM masks every LVT entry at reset. The BSP's LINT0 is left in ExtINT mode, unmasked,
    // instead (virtual-wire mode, as QEMU's BSP and the MP specification's default): this VMM has
    // no IMCR, so that is how the 8259A's INTR keeps reaching the core after power-up.
    if (this.bsp) this.lvt[LVT_LINT0] = DM_EXTINT << 8;
    this.timerInitial = 0;
    this.timerDcr = 0;
    this.timerRunning = false;
    this.timerAnchorNs = 0;
    this.timerAnchorCount = 0;
    this.inError = false;
  }

  // ---- priorities (SDM 10.8.3) -------------------------------------------------------------

  /** Processor Priority Register. */
  ppr(): number {
    const isrv = Math.max(highest(this.isr), 0);
    return (this.tpr & 0xf0) >= (isrv & 0xf0) ? this.tpr : isrv & 0xf0;
  }

  /** Arbitration Priority Register (SDM 10.6.2.4 / figure 10-15). */
  apr(): number {
    const isrv = Math.max(highest(this.isr), 0);
    const irrv = Math.max(highest(this.irr), 0);
    const t = this.tpr >> 4;
    if (t >= irrv >> 4 && t > isrv >> 4) return this.tpr;
    return Math.max(t, isrv >> 4, irrv >> 4) << 4;
  }

  /** The highest IRR vector whose class beats the PPR, or -1. */
  private deliverable(): number {
    if (!this.enabled || !this.softwareEnabled) return -1;
    const v = highest(this.irr);
    if (v < 0 || (v & 0xf0) <= (this.ppr() & 0xf0)) return -1;
    return v;
  }

  // ---- the interrupt controller face -------------------------------------------------------

  /** An interrupt is waiting for the core. */
  intrPending(): boolean {
    return this.deliverable() >= 0;
  }

  /**
   * The vector the INTA cycle would get: the deliverable vector, or the spurious vector when
   * none is any more (SDM 10.9: the priority was raised between INTR and INTA).
   */
  getIntrNumber(): number {
    const v = this.deliverable();
    return v >= 0 ? v : this.svr & SVR_VECTOR;
  }

  /** The core took `vector`: IRR to ISR. The spurious vector sets no ISR bit and needs no EOI. */
  beginIrq(vector: number): void {
    const v = this.deliverable();
    if (v >= 0 && v === vector) {
      clearBit(this.irr, v);
      setBit(this.isr, v);
      if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`apic: cpu${this.index} dispatch vector ${hex(v)}, PPR now ${hex(this.ppr())}`);
      return;
    }
    if (vector === (this.svr & SVR_VECTOR)) {
      if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`apic: cpu${this.index} spurious vector ${hex(vector)}`);
      return;
    }
    this.env.fail(`apic: cpu${this.index} internal: the core began vector ${hex(vector)}, which is not the one pending (${v < 0 ? 'none' : hex(v)})`);
  }

  /**
   * Accept `vector` into the IRR (an interrupt message addressed to this APIC). Vectors 0-15 are
   * illegal: the ESR logs them and nothing is accepted (SDM 10.5.3). Returns whether it was.
   */
  accept(vector: number, level: boolean): boolean {
    if (!this.enabled) return false;
    if (vector < 16) {
      this.signalError(ESR_RECEIVE_ILLEGAL_VECTOR);
      return false;
    }
    setBit(this.irr, vector);
    if (level) setBit(this.tmr, vector);
    else clearBit(this.tmr, vector);
    if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`apic: cpu${this.index} accept vector ${hex(vector)} (${level ? 'level' : 'edge'})`);
    return true;
  }

  /** An error was detected: latch it for the next ESR write, raise the LVT error vector. */
  signalError(bit: number): void {
    this.esrPending |= bit;
    const lvt = this.lvt[LVT_ERROR] as number;
    if (this.inError || (lvt & LVT_MASKED) !== 0) return;
    this.inError = true;
    try {
      this.accept(lvt & LVT_VECTOR, false);
    } finally {
      this.inError = false;
    }
  }

  /** EOI: retire the highest in-service vector (SDM 10.8.5). An EOI with nothing in service does nothing. */
  eoi(): void {
    const v = highest(this.isr);
    if (v < 0) return;
    clearBit(this.isr, v);
    if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`apic: cpu${this.index} EOI vector ${hex(v)}${testBit(this.tmr, v) ? ' (level: broadcast)' : ''}`);
    if (testBit(this.tmr, v)) this.env.eoiBroadcast(v);
  }

  /**
   * Whether the 8259A's INTR reaches the core through LINT0 (QEMU's `apic_accept_pic_intr`):
   * when the APIC is globally disabled LINT0 is the processor's INTR pin (SDM 10.4.3); when it is
   * enabled, only while LVT LINT0 is unmasked in ExtINT mode (virtual-wire mode).
   */
  passesExtInt(): boolean {
    if (!this.enabled) return true;
    const lint0 = this.lvt[LVT_LINT0] as number;
    return (lint0 & LVT_MASKED) === 0 && ((lint0 & LVT_DELIVERY_MODE) >> 8) === DM_EXTINT;
  }

  /** Whether a message with this destination addresses this APIC (SDM 10.6.2). */
  matches(logical: boolean, dest: number): boolean {
    if (!this.enabled) return false;
    if (!logical) return dest === DEST_BROADCAST || dest === this.apicId;
    if (dest === DEST_BROADCAST) return true;
    const lid = this.ldr >>> 24;
    if (this.dfr === DFR_FLAT) return (lid & dest) !== 0;
    // Cluster model: bits 7:4 name the cluster, bits 3:0 the APICs in it.
    return dest >> 4 === lid >> 4 && (dest & lid & 0xf) !== 0;
  }

  // ---- registers ---------------------------------------------------------------------------

  /** A 32-bit read of the register at `offset` (16-byte aligned, checked by the caller). */
  read(offset: number): number {
    if (offset >= APIC_ISR && offset < APIC_ISR + 0x80) return this.isr[(offset - APIC_ISR) >> 4] as number;
    if (offset >= APIC_TMR && offset < APIC_TMR + 0x80) return this.tmr[(offset - APIC_TMR) >> 4] as number;
    if (offset >= APIC_IRR && offset < APIC_IRR + 0x80) return this.irr[(offset - APIC_IRR) >> 4] as number;
    switch (offset) {
      case APIC_ID:
        return this.id;
      case APIC_VERSION:
        return APIC_VERSION_VALUE;
      case APIC_TPR:
        return this.tpr;
      case APIC_APR:
        return this.apr();
      case APIC_PPR:
        return this.ppr();
      case APIC_RRD:
        // Remote read is not supported on the Pentium 4 and later (ICR mode 011 is reserved).
        return 0;
      case APIC_LDR:
        return this.ldr;
      case APIC_DFR:
        return (this.dfr | ~DFR_MODEL) >>> 0;
      case APIC_SVR:
        return this.svr;
      case APIC_ESR:
        return this.esr;
      case APIC_ICR_LOW:
        return this.icrLow;
      case APIC_ICR_HIGH:
        return this.icrHigh;
      case APIC_LVT_TIMER:
      case APIC_LVT_THERMAL:
      case APIC_LVT_PERF:
      case APIC_LVT_LINT0:
      case APIC_LVT_LINT1:
      case APIC_LVT_ERROR:
        return this.lvt[(offset - APIC_LVT_TIMER) >> 4] as number;
      case APIC_TIMER_ICR:
        return this.timerInitial;
      case APIC_TIMER_CCR:
        return this.currentCount(this.env.now());
      case APIC_TIMER_DCR:
        return this.timerDcr;
      case APIC_EOI:
        return this.env.fail(`apic: cpu${this.index} read of the write-only EOI register`, offset);
      default:
        return this.env.fail(`apic: cpu${this.index} read of reserved ${regName(offset)}`, offset);
    }
  }

  /** A 32-bit write of the register at `offset` (16-byte aligned, checked by the caller). */
  write(offset: number, value: number): void {
    value >>>= 0;
    if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`apic: cpu${this.index} write ${regName(offset)} = ${hex(value)}`);
    if (offset >= APIC_ISR && offset < APIC_IRR + 0x80) {
      this.ignoreReadOnly(offset, value);
      return;
    }
    switch (offset) {
      case APIC_ID:
        this.id = (value & ID_WRITABLE) >>> 0;
        return;
      case APIC_TPR:
        this.tpr = value & TPR_WRITABLE;
        return;
      case APIC_EOI:
        // SDM 10.8.5: software writes 0; any value signals the EOI on an xAPIC.
        this.eoi();
        return;
      case APIC_LDR:
        this.ldr = (value & LDR_WRITABLE) >>> 0;
        return;
      case APIC_DFR:
        this.writeDfr(value);
        return;
      case APIC_SVR:
        this.writeSvr(value);
        return;
      case APIC_ESR:
        // Write-then-read (SDM 10.5.3): the write latches the errors seen since the last one.
        this.esr = this.esrPending;
        this.esrPending = 0;
        return;
      case APIC_ICR_LOW:
        this.icrLow = value & ICR_LOW_WRITABLE;
        // Writing the low word sends the IPI (SDM 10.6.1).
        this.env.sendIpi(this, this.icrLow, this.icrHigh);
        return;
      case APIC_ICR_HIGH:
        this.icrHigh = (value & ICR_HIGH_WRITABLE) >>> 0;
        return;
      case APIC_LVT_TIMER:
      case APIC_LVT_THERMAL:
      case APIC_LVT_PERF:
      case APIC_LVT_LINT0:
      case APIC_LVT_LINT1:
      case APIC_LVT_ERROR:
        this.writeLvt((offset - APIC_LVT_TIMER) >> 4, value);
        return;
      case APIC_TIMER_ICR:
        this.writeInitialCount(value);
        return;
      case APIC_TIMER_DCR:
        this.writeDcr(value);
        return;
      case APIC_VERSION:
      case APIC_APR:
      case APIC_PPR:
      case APIC_RRD:
      case APIC_TIMER_CCR:
        this.ignoreReadOnly(offset, value);
        return;
      default:
        return this.env.fail(`apic: cpu${this.index} write to reserved ${regName(offset)}`, offset);
    }
  }

  /**
   * Read-only registers ignore writes (SDM table 10-1); only reserved offsets are illegal. Linux's
   * `verify_local_APIC()` writes the version register to check that it does not change.
   */
  private ignoreReadOnly(offset: number, value: number): void {
    if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`apic: cpu${this.index} write of ${hex(value)} to the read-only ${regName(offset)} ignored`);
  }

  private writeDfr(value: number): void {
    const model = (value & DFR_MODEL) >>> 0;
    switch (model) {
      case DFR_FLAT:
      case DFR_CLUSTER:
        this.dfr = model;
        return;
      default:
        this.env.fail(`apic: cpu${this.index} DFR model ${hex(model >>> 28)} is reserved (0xf flat or 0x0 cluster)`, APIC_DFR);
    }
  }

  private writeSvr(value: number): void {
    const was = this.softwareEnabled;
    this.svr = value & SVR_WRITABLE;
    // Software-disabling sets every LVT mask bit (SDM 10.4.7.2).
    if (was && !this.softwareEnabled) for (let i = 0; i < this.lvt.length; i++) this.lvt[i] = (this.lvt[i] as number) | LVT_MASKED;
  }

  private writeLvt(index: number, value: number): void {
    let v = value & (LVT_WRITABLE[index] as number);
    // While software-disabled the mask bits cannot be cleared (SDM 10.4.7.2).
    if (!this.softwareEnabled) v |= LVT_MASKED;
    const masked = (v & LVT_MASKED) !== 0;
    const mode = (v & LVT_DELIVERY_MODE) >> 8;
    switch (index) {
      case LVT_TIMER:
        this.timerCatchUp();
        switch (v & LVT_TIMER_MODE) {
          case TIMER_ONE_SHOT:
          case TIMER_PERIODIC:
            break;
          case TIMER_TSC_DEADLINE:
            return this.env.fail(`apic: cpu${this.index} TSC-deadline timer mode is not implemented (CPUID does not offer it)`, APIC_LVT_TIMER);
          default:
            return this.env.fail(`apic: cpu${this.index} LVT timer mode 11b is reserved`, APIC_LVT_TIMER);
        }
        break;
      case LVT_LINT0:
      case LVT_LINT1:
        switch (mode) {
          case DM_FIXED:
          case DM_SMI:
          case DM_NMI:
          case DM_INIT:
          case DM_EXTINT:
            break;
          default:
            return this.env.fail(`apic: cpu${this.index} LVT LINT${index - LVT_LINT0} delivery mode ${mode} is reserved`, APIC_LVT_TIMER + index * 0x10);
        }
        // LINT0 is wired to the 8259A's INTR, which can only pass as ExtINT here.
        if (index === LVT_LINT0 && !masked && mode !== DM_EXTINT) {
          return this.env.fail(`apic: cpu${this.index} LVT LINT0 unmasked in delivery mode ${mode}: only ExtINT (the 8259A's INTR) is implemented on LINT0`, APIC_LVT_LINT0);
        }
        break;
      case LVT_THERMAL:
      case LVT_PERF:
        switch (mode) {
          case DM_FIXED:
          case DM_SMI:
          case DM_NMI:
            break;
          default:
            return this.env.fail(`apic: cpu${this.index} ${regName(APIC_LVT_TIMER + index * 0x10)} delivery mode ${mode} is reserved`, APIC_LVT_TIMER + index * 0x10);
        }
        break;
      case LVT_ERROR:
        break;
      default:
        return this.env.fail(`apic: cpu${this.index} internal: LVT index ${index}`);
    }
    this.lvt[index] = v;
  }

  // ---- the timer (SDM 10.5.4) --------------------------------------------------------------

  /** Guest ns per counter decrement with the current divide configuration. */
  private tickNs(): number {
    return NS_PER_BUS_CLOCK * divideBy(this.timerDcr);
  }

  /** The Current Count register at `now`. */
  currentCount(now: number): number {
    if (!this.timerRunning) return 0;
    const elapsed = Math.floor((now - this.timerAnchorNs) / this.tickNs());
    if (elapsed < this.timerAnchorCount) return this.timerAnchorCount - elapsed;
    if (((this.lvt[LVT_TIMER] as number) & LVT_TIMER_MODE) !== TIMER_PERIODIC) return 0;
    // Periodic, and the deadline passed before update() ran: count within the reloaded periods.
    return this.timerInitial - ((elapsed - this.timerAnchorCount) % this.timerInitial);
  }

  /** Guest time of the next timer interrupt (the counter reaching 0), or Infinity. */
  timerDeadline(): number {
    return this.timerRunning ? this.timerAnchorNs + this.timerAnchorCount * this.tickNs() : Infinity;
  }

  /** Guest time moved to `now`: fire the timer if it reached 0, reload it when periodic. */
  timerUpdate(now: number): void {
    if (!this.timerRunning) return;
    const due = this.timerDeadline();
    if (now < due) return;
    const lvt = this.lvt[LVT_TIMER] as number;
    if ((lvt & LVT_MASKED) === 0) this.accept(lvt & LVT_VECTOR, false);
    if ((lvt & LVT_TIMER_MODE) === TIMER_PERIODIC) {
      // Reload; if update() came late by whole periods, those interrupts merge into one IRR bit.
      const period = this.timerInitial * this.tickNs();
      this.timerAnchorNs = due + Math.floor((now - due) / period) * period;
      this.timerAnchorCount = this.timerInitial;
    } else {
      this.timerRunning = false;
      this.timerAnchorCount = 0;
    }
  }

  /** Bring the counter up to the present before a timer register changes. */
  private timerCatchUp(): void {
    this.timerUpdate(this.env.now());
  }

  private writeInitialCount(value: number): void {
    this.timerCatchUp();
    const now = this.env.now();
    this.timerInitial = value;
    // A write starts (or restarts) the count; 0 stops the timer.
    this.timerRunning = value !== 0;
    this.timerAnchorNs = now;
    this.timerAnchorCount = value;
  }

  private writeDcr(value: number): void {
    this.timerCatchUp();
    const now = this.env.now();
    const current = this.currentCount(now);
    this.timerDcr = value & DCR_WRITABLE;
    // A new divisor applies from now on to what is left of the count.
    if (this.timerRunning) {
      this.timerAnchorNs = now;
      this.timerAnchorCount = current;
    }
  }

  // ---- state -------------------------------------------------------------------------------

  save(): LocalApicState {
    return {
      base: this.base,
      enabled: this.enabled,
      id: this.id,
      tpr: this.tpr,
      ldr: this.ldr,
      dfr: this.dfr,
      svr: this.svr,
      isr: Array.from(this.isr),
      tmr: Array.from(this.tmr),
      irr: Array.from(this.irr),
      esr: this.esr,
      esrPending: this.esrPending,
      icrLow: this.icrLow,
      icrHigh: this.icrHigh,
      lvt: Array.from(this.lvt),
      timerInitial: this.timerInitial,
      timerDcr: this.timerDcr,
      timerRunning: this.timerRunning,
      timerAnchorNs: this.timerAnchorNs,
      timerAnchorCount: this.timerAnchorCount,
    };
  }

  /** Restore a state already checked by the device. */
  load(s: LocalApicState): void {
    this.base = s.base;
    this.enabled = s.enabled;
    this.id = s.id >>> 0;
    this.tpr = s.tpr;
    this.ldr = s.ldr >>> 0;
    this.dfr = s.dfr >>> 0;
    this.svr = s.svr;
    this.isr.set(s.isr);
    this.tmr.set(s.tmr);
    this.irr.set(s.irr);
    this.esr = s.esr;
    this.esrPending = s.esrPending;
    this.icrLow = s.icrLow;
    this.icrHigh = s.icrHigh >>> 0;
    this.lvt.set(s.lvt);
    this.timerInitial = s.timerInitial;
    this.timerDcr = s.timerDcr;
    this.timerRunning = s.timerRunning;
    this.timerAnchorNs = s.timerAnchorNs;
    this.timerAnchorCount = s.timerAnchorCount;
    this.inError = false;
  }
}

/** The delivery mode field of an ICR low word. */
export const icrDeliveryMode = (icrLow: number): number => (icrLow & ICR_DELIVERY_MODE) >> 8;
