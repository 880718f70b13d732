/*
 * One Intel 8259A programmable interrupt controller, as the datasheet describes it, in our words.
 *
 * Eight request inputs IR0-IR7 feed the interrupt request register (IRR): in edge-triggered mode
 * a low-to-high transition latches the bit; in level-triggered mode (ICW1 LTIM, or the PC's ELCR
 * per line) the bit follows the input. The mask register (IMR, OCW1) hides requests from the
 * priority resolver; the in-service register (ISR) records what the CPU is handling.
 *
 * Priority: eight levels in a ring. After ICW1, IR0 is highest and IR7 lowest; "rotation" moves
 * the lowest level to the line just serviced (rotate on EOI, rotate in AEOI mode) or to a chosen
 * line (set priority). A request interrupts only if its level is above every level in service
 * (fully nested mode). Special fully nested mode (a master's ICW4 SFNM) also lets a request on a
 * cascaded input through while that same input is in service, so a slave can nest. Special mask
 * mode (OCW3) lets masked in-service levels stop blocking, so a handler can admit lower levels.
 *
 * Acknowledge (INTA): the winning IRR bit moves to ISR (an edge-triggered request is consumed;
 * a level one stays asserted while its input is high), and the chip supplies vector =
 * ICW2[7:3] + level in 8086 mode. With automatic EOI (ICW4 AEOI) the ISR bit is cleared at
 * once. If the request vanished before INTA, the chip answers with level 7 and sets no ISR bit:
 * the spurious IR7. The poll command (OCW3 P) makes the next read an acknowledge that returns
 * the level instead of supplying a vector.
 *
 * End of interrupt (OCW2): non-specific EOI clears the highest-priority ISR bit; specific EOI
 * clears a named one; either may rotate.
 *
 * This file is the chip only: it knows nothing of ports, the VMM or the cascade wiring; those
 * live in pair.ts and device.ts.
 */
import {
  ICW1_IC4,
  ICW1_LTIM,
  ICW1_SELECT,
  ICW1_SNGL,
  ICW2_VECTOR_MASK,
  ICW3_SLAVE_ID,
  ICW4_AEOI,
  ICW4_BUF,
  ICW4_RESERVED,
  ICW4_SFNM,
  ICW4_UPM,
  OCW2_CMD_MASK,
  OCW2_EOI,
  OCW2_LEVEL_MASK,
  OCW2_NOP,
  OCW2_ROTATE_AEOI_CLEAR,
  OCW2_ROTATE_AEOI_SET,
  OCW2_ROTATE_EOI,
  OCW2_ROTATE_SPECIFIC_EOI,
  OCW2_SET_PRIORITY,
  OCW2_SPECIFIC_EOI,
  OCW3_ESMM,
  OCW3_P,
  OCW3_RESERVED,
  OCW3_RIS,
  OCW3_RR,
  OCW3_SELECT,
  OCW3_SMM,
} from './regs.js';
import type { PicChipState } from './state.js';

/** What a chip needs from its surroundings: a way to fail stop and to print debug lines. */
export interface ChipEnv {
  /** Fail stop (throws). */
  fail(reason: string): never;
  /** Whether PIC debug output is switched on at run time. */
  traceOn(): boolean;
  /** Print one PIC debug line. */
  trace(message: string): void;
}

/** The register state of a chip at power-on, before any ICW1 (the datasheet leaves it undefined). */
export function powerOnChipState(): PicChipState {
  return {
    irr: 0,
    isr: 0,
    imr: 0,
    inputs: 0,
    elcr: 0,
    lowest: 7,
    initialized: false,
    initStep: 'ready',
    icw1: 0,
    icw2: 0,
    icw3: 0,
    icw4: 0,
    readIsr: false,
    poll: false,
    specialMask: false,
    rotateOnAeoi: false,
  };
}

/** One 8259A. `role` is the SP/EN pin's wiring: the PC ties it high on the master, low on the slave. */
export class Pic8259 {
  /** The registers (replaced wholesale by load and reset). */
  s: PicChipState = powerOnChipState();

  constructor(
    /** Master or slave, by wiring. */
    readonly role: 'master' | 'slave',
    /** ELCR bits this chip's lines are forced to edge on. */
    private readonly forcedEdge: number,
    private readonly env: ChipEnv,
  ) {}

  /** Lines sensed by level: all of them under ICW1 LTIM, else those the ELCR selects. */
  levelMask(): number {
    return this.s.icw1 & ICW1_LTIM ? 0xff : this.s.elcr;
  }

  /** Vector base from ICW2 (8086 mode: T7-T3, the low three bits are the level). */
  vectorBase(): number {
    return this.s.icw2 & ICW2_VECTOR_MASK;
  }

  /** ICW1 SNGL: no cascade. */
  isSingle(): boolean {
    return (this.s.icw1 & ICW1_SNGL) !== 0;
  }

  /** ICW4 uPM clear (or no ICW4 at all): MCS-80/85 mode. */
  isMcs80(): boolean {
    return (this.s.icw4 & ICW4_UPM) === 0;
  }

  /** ICW4 AEOI. */
  isAeoi(): boolean {
    return (this.s.icw4 & ICW4_AEOI) !== 0;
  }

  /** A slave's cascade address (ICW3 ID2-ID0). */
  slaveId(): number {
    return this.s.icw3 & ICW3_SLAVE_ID;
  }

  /** Whether input `line` of a master has a slave behind it (ICW3 Sn, cascade mode). */
  cascades(line: number): boolean {
    return this.role === 'master' && !this.isSingle() && (this.s.icw3 & (1 << line)) !== 0;
  }

  /** Drive input `line`; edge mode latches a rising edge, level mode follows the input. */
  setInput(line: number, high: boolean): void {
    const bit = 1 << line;
    const s = this.s;
    const was = (s.inputs & bit) !== 0;
    if (high) {
      s.inputs |= bit;
      if (this.levelMask() & bit || !was) s.irr |= bit;
    } else {
      s.inputs &= ~bit;
      if (this.levelMask() & bit) s.irr &= ~bit;
    }
  }

  /** The current level of input `line`. */
  input(line: number): boolean {
    return (this.s.inputs & (1 << line)) !== 0;
  }

  /** Write the ELCR; forced-edge lines stay edge (their bits read back as 0). */
  writeElcr(value: number): void {
    const s = this.s;
    s.elcr = value & 0xff & ~this.forcedEdge;
    // A line that became level-sensitive reports its input at once.
    const lvl = this.levelMask();
    s.irr = (s.irr & ~lvl) | (s.inputs & lvl);
  }

  /**
   * The level the priority resolver would hand to the CPU now, or -1: the highest-priority
   * unmasked request that is above every level in service.
   */
  highestRequest(): number {
    const s = this.s;
    if (!s.initialized) return -1;
    const req = s.irr & ~s.imr;
    if (req === 0) return -1;
    // Special mask mode: a masked in-service level no longer blocks (datasheet, OCW3 SMM).
    const inService = s.specialMask ? s.isr & ~s.imr : s.isr;
    const sfnm = (s.icw4 & ICW4_SFNM) !== 0;
    for (let p = 0; p < 8; p++) {
      const line = (s.lowest + 1 + p) & 7;
      const bit = 1 << line;
      if (inService & bit) {
        // Special fully nested mode: a cascaded input may interrupt its own in-service level.
        return sfnm && this.cascades(line) && req & bit ? line : -1;
      }
      if (req & bit) return line;
    }
    return -1;
  }

  /** The INT output: a request won the resolver. */
  intOut(): boolean {
    return this.highestRequest() >= 0;
  }

  /** The acknowledge of `line` (INTA or poll): consume an edge request, set ISR unless AEOI. */
  acknowledge(line: number): void {
    const s = this.s;
    const bit = 1 << line;
    if ((this.levelMask() & bit) === 0) s.irr &= ~bit;
    if (this.isAeoi()) {
      // AEOI: the ISR bit is reset at the end of the acknowledge; rotation if OCW2 asked for it.
      if (s.rotateOnAeoi) s.lowest = line;
    } else {
      s.isr |= bit;
    }
  }

  /** A write with A0=0: ICW1, OCW2 or OCW3. */
  writeCommand(value: number): void {
    if (value & ICW1_SELECT) {
      this.icw1(value);
      return;
    }
    if (this.s.initStep !== 'ready') {
      this.env.fail(`unsupported OCW 0x${hex(value)} in the middle of the initialization sequence (expected ${this.s.initStep.toUpperCase()}) on the ${this.role}`);
    }
    if (value & OCW3_SELECT) this.ocw3(value);
    else this.ocw2(value);
  }

  /** A write with A0=1: ICW2-ICW4 during initialization, OCW1 (the mask) otherwise. */
  writeData(value: number): void {
    const s = this.s;
    switch (s.initStep) {
      case 'ready':
        s.imr = value;
        if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} OCW1 IMR=0x${hex(value)}`);
        return;
      case 'icw2':
        s.icw2 = value;
        if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} ICW2=0x${hex(value)} (vector base 0x${hex(this.vectorBase())})`);
        if (!this.isSingle()) s.initStep = 'icw3';
        else this.afterIcw3();
        return;
      case 'icw3':
        // A slave's ICW3 is its ID: D7-D3 must be zero.
        if (this.role === 'slave' && value & ~ICW3_SLAVE_ID) {
          this.env.fail(`unsupported slave ICW3 0x${hex(value)}: bits D7-D3 must be zero`);
        }
        s.icw3 = value;
        if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} ICW3=0x${hex(value)}`);
        this.afterIcw3();
        return;
      case 'icw4':
        this.icw4(value);
        return;
      default:
        return assertNeverStep(s.initStep, this.env);
    }
  }

  /** A read with A0=0 (no poll pending): IRR or ISR as OCW3 selected. */
  readCommand(): number {
    return this.s.readIsr ? this.s.isr : this.s.irr;
  }

  /** A read with A0=1 (no poll pending): the mask. */
  readData(): number {
    return this.s.imr;
  }

  private icw1(value: number): void {
    const s = this.s;
    s.icw1 = value;
    // Datasheet, ICW1 effects: edge sense reset (a high edge input needs a new rising edge),
    // IMR cleared, IR7 lowest priority, slave address 7, special mask mode off, IRR selected
    // for reading, and without IC4 every ICW4 function is zero (which means MCS-80/85 mode).
    s.irr = s.inputs & this.levelMask();
    s.imr = 0;
    s.lowest = 7;
    s.icw3 = 7;
    s.icw4 = 0;
    s.specialMask = false;
    s.readIsr = false;
    s.poll = false;
    s.initialized = false;
    s.initStep = 'icw2';
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} ICW1=0x${hex(value)} (${value & ICW1_IC4 ? 'ICW4 follows' : 'no ICW4'}, ${value & ICW1_SNGL ? 'single' : 'cascade'}, ${value & ICW1_LTIM ? 'level' : 'edge'})`);
  }

  private afterIcw3(): void {
    const s = this.s;
    if (s.icw1 & ICW1_IC4) {
      s.initStep = 'icw4';
    } else {
      // No ICW4: the chip is in MCS-80/85 mode. Masks, EOIs and polling work the same; the
      // INTA sequence (a CALL instruction) is refused when an interrupt is delivered.
      s.initStep = 'ready';
      s.initialized = true;
    }
  }

  private icw4(value: number): void {
    const s = this.s;
    if (value & ICW4_RESERVED) this.env.fail(`unsupported ICW4 0x${hex(value)} on the ${this.role}: bits D7-D5 must be zero`);
    if (value & ICW4_BUF) this.env.fail(`unsupported buffered mode (ICW4 BUF=1, value 0x${hex(value)}) on the ${this.role}`);
    if ((value & ICW4_UPM) === 0) this.env.fail(`unsupported MCS-80/85 mode (ICW4 uPM=0, value 0x${hex(value)}) on the ${this.role}`);
    // M/S (D2) only means something in buffered mode, refused above; SFNM on a slave has no
    // cascaded input to act on, so it is harmless.
    s.icw4 = value;
    s.initStep = 'ready';
    s.initialized = true;
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} ICW4=0x${hex(value)} (8086${value & ICW4_AEOI ? ', AEOI' : ''}${value & ICW4_SFNM ? ', SFNM' : ''})`);
  }

  private ocw2(value: number): void {
    const s = this.s;
    const level = value & OCW2_LEVEL_MASK;
    const cmd = value & OCW2_CMD_MASK;
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} OCW2=0x${hex(value)}`);
    switch (cmd) {
      case OCW2_EOI:
        this.nonSpecificEoi(false);
        return;
      case OCW2_ROTATE_EOI:
        this.nonSpecificEoi(true);
        return;
      case OCW2_SPECIFIC_EOI:
        s.isr &= ~(1 << level);
        if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} specific EOI IR${level}`);
        return;
      case OCW2_ROTATE_SPECIFIC_EOI:
        s.isr &= ~(1 << level);
        s.lowest = level;
        if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} rotate on specific EOI IR${level}`);
        return;
      case OCW2_SET_PRIORITY:
        s.lowest = level;
        return;
      case OCW2_ROTATE_AEOI_SET:
        s.rotateOnAeoi = true;
        return;
      case OCW2_ROTATE_AEOI_CLEAR:
        s.rotateOnAeoi = false;
        return;
      case OCW2_NOP:
        return;
      default:
        // The mask leaves three bits and every value is a case above; kept for the fail-stop rule.
        return this.env.fail(`unsupported OCW2 0x${hex(value)} on the ${this.role}`);
    }
  }

  /** Clear the highest-priority in-service level (masked ones are skipped in special mask mode). */
  private nonSpecificEoi(rotate: boolean): void {
    const s = this.s;
    const candidates = s.specialMask ? s.isr & ~s.imr : s.isr;
    for (let p = 0; p < 8; p++) {
      const line = (s.lowest + 1 + p) & 7;
      if (candidates & (1 << line)) {
        s.isr &= ~(1 << line);
        if (rotate) s.lowest = line;
        if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} ${rotate ? 'rotate on ' : ''}non-specific EOI clears IR${line}`);
        return;
      }
    }
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} non-specific EOI with nothing in service`);
  }

  private ocw3(value: number): void {
    const s = this.s;
    if (value & OCW3_RESERVED) this.env.fail(`unsupported OCW3 0x${hex(value)} on the ${this.role}: bit D7 must be zero`);
    if (value & OCW3_ESMM) s.specialMask = (value & OCW3_SMM) !== 0;
    if (value & OCW3_RR) s.readIsr = (value & OCW3_RIS) !== 0;
    if (value & OCW3_P) s.poll = true;
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${this.role} OCW3=0x${hex(value)} (read ${s.readIsr ? 'ISR' : 'IRR'}${s.poll ? ', poll' : ''}${s.specialMask ? ', special mask' : ''})`);
  }
}

function assertNeverStep(step: never, env: ChipEnv): never {
  return env.fail(`internal: unknown initialization step ${String(step)}`);
}

/** Two hex digits. */
export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(2, '0');
}
