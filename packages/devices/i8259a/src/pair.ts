/*
 * The PC's two 8259As: the master answers at 0x20/0x21, the slave at 0xA0/0xA1, and the slave's
 * INT output drives the master's IR2. On the PC the master's ICW3 is 0x04 (a slave on IR2) and
 * the slave's ICW3 is 2 (its cascade address). During an acknowledge of IR2 the master puts the
 * cascade address on CAS0-2 and the slave with that ID supplies the vector. The PIIX ELCR at
 * 0x4D0/0x4D1 picks edge or level sensing per line.
 *
 * This is also the VMM's view of the pair (an InterruptController): lines 0-15 in, one INTR out,
 * and the INTA cycle as getIntrNumber() + beginIrq().
 */
import type { InterruptController } from '@v3/device-api';
import { Pic8259, hex, powerOnChipState, type ChipEnv } from './chip.js';
import { CASCADE_IR, ELCR1_FORCED_EDGE, ELCR2_FORCED_EDGE, IRQ2_REDIRECT, POLL_INT, SPURIOUS_IR } from './regs.js';
import type { InitStep, PicChipState, PicState } from './state.js';

/** What one INTA cycle delivers. */
interface Delivery {
  /** The vector on the bus. */
  vector: number;
  /** The master level acknowledged, or -1 for the master's spurious IR7. */
  masterLine: number;
  /** The slave level acknowledged, -1 when the slave answered spurious IR7 or was not involved. */
  slaveLine: number;
  /** The master passed the acknowledge to the slave (cascade). */
  viaSlave: boolean;
}

/** Which chip: 0 master, 1 slave. */
export type ChipIndex = 0 | 1;

/** The master/slave pair with its ELCR, and the interrupt controller the VMM talks to. */
export class PicPair implements InterruptController {
  readonly name = '8259A';
  readonly master: Pic8259;
  readonly slave: Pic8259;
  /** The delivery getIntrNumber() offered, kept for the beginIrq() that completes the INTA. */
  private offered: Delivery | null = null;

  constructor(private readonly env: ChipEnv) {
    this.master = new Pic8259('master', ELCR1_FORCED_EDGE, env);
    this.slave = new Pic8259('slave', ELCR2_FORCED_EDGE, env);
  }

  // ---- ports ----

  /** A read of the chip's A0=0 (offset 0) or A0=1 (offset 1) port. */
  read(which: ChipIndex, a0: number): number {
    const chip = this.chip(which);
    // Poll command: the next read is an acknowledge that returns the level (datasheet, OCW3 P).
    if (chip.s.poll) return this.pollRead(chip);
    return a0 ? chip.readData() : chip.readCommand();
  }

  /** A write to the chip's A0=0 or A0=1 port. */
  write(which: ChipIndex, a0: number, value: number): void {
    const chip = this.chip(which);
    if (a0) chip.writeData(value & 0xff);
    else chip.writeCommand(value & 0xff);
    this.updateCascade();
  }

  /** Read ELCR1 (0) or ELCR2 (1). */
  readElcr(which: ChipIndex): number {
    return this.chip(which).s.elcr;
  }

  /** Write ELCR1 (0) or ELCR2 (1). */
  writeElcr(which: ChipIndex, value: number): void {
    this.chip(which).writeElcr(value);
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ELCR${which + 1}=0x${hex(this.chip(which).s.elcr)}`);
    this.updateCascade();
  }

  // ---- InterruptController ----

  raiseIntr(irq: number): void {
    this.setLine(irq, true);
  }

  lowerIntr(irq: number): void {
    this.setLine(irq, false);
  }

  intrPending(): boolean {
    return this.master.intOut();
  }

  getIntrNumber(): number {
    const d = this.resolve();
    this.offered = d;
    return d.vector;
  }

  beginIrq(vector: number): void {
    const offered = this.offered;
    this.offered = null;
    const d = offered && offered.vector === vector ? offered : this.resolve();
    if (d.vector !== vector) {
      // Not a vector this pair is delivering: another controller's (the VMM tells them all).
      if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: beginIrq(0x${hex(vector)}) is not ours, ignored`);
      return;
    }
    this.deliver(d);
  }

  // ---- checkpoint ----

  /** A copy of both chips' state. */
  save(): PicState {
    return { master: { ...this.master.s }, slave: { ...this.slave.s } };
  }

  /** Restore a state `save()` returned. */
  load(state: unknown): void {
    if (typeof state !== 'object' || state === null) this.env.fail('bad saved state: not an object');
    const st = state as Partial<PicState>;
    const master = checkChipState(st.master, 'master', this.env);
    const slave = checkChipState(st.slave, 'slave', this.env);
    // The forced-edge lines stay edge whatever the state says, as on a write.
    master.elcr &= ~ELCR1_FORCED_EDGE;
    slave.elcr &= ~ELCR2_FORCED_EDGE;
    this.master.s = master;
    this.slave.s = slave;
    this.offered = null;
  }

  /** Power-on state, keeping the input levels the devices drive. */
  reset(): void {
    for (const chip of [this.master, this.slave]) {
      const inputs = chip.s.inputs;
      chip.s = powerOnChipState();
      chip.s.inputs = inputs;
    }
    this.offered = null;
    this.updateCascade();
  }

  // ---- internals ----

  private chip(which: ChipIndex): Pic8259 {
    return which === 0 ? this.master : this.slave;
  }

  private setLine(irq: number, high: boolean): void {
    // Lines above 15 (IO-APIC-only GSIs) are not wired to the pair.
    if (!Number.isInteger(irq) || irq < 0 || irq > 15) return;
    // AT wiring: the ISA bus's IRQ2 pin is routed to the slave's IR1 (IRQ9); the master's IR2
    // carries the slave's INT.
    const line = irq === CASCADE_IR ? IRQ2_REDIRECT : irq;
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: IRQ${irq}${line !== irq ? ` (IRQ${line})` : ''} ${high ? 'raised' : 'lowered'}`);
    if (line < 8) this.master.setInput(line, high);
    else this.slave.setInput(line - 8, high);
    this.updateCascade();
  }

  /** Drive the master's IR2 from the slave's INT output. */
  private updateCascade(): void {
    const out = this.slave.intOut();
    if (out !== this.master.input(CASCADE_IR)) this.master.setInput(CASCADE_IR, out);
  }

  /**
   * The slave drops INT during its acknowledge; if another request still wins it raises INT
   * again, which gives the (edge-triggered) master IR2 the new edge it needs.
   */
  private slaveAcknowledged(): void {
    this.master.setInput(CASCADE_IR, false);
    this.updateCascade();
  }

  /** What an INTA cycle would deliver now; refuses what the pair does not implement. */
  private resolve(): Delivery {
    const m = this.master;
    if (!m.s.initialized) this.env.fail('unsupported interrupt acknowledge before the master 8259A was initialized');
    if (m.isMcs80()) this.env.fail('unsupported MCS-80/85 mode interrupt acknowledge (the master was initialized without ICW4)');
    const line = m.highestRequest();
    // The request vanished (or was masked) before INTA: the master answers IR7, sets no ISR bit.
    if (line < 0) return { vector: m.vectorBase() + SPURIOUS_IR, masterLine: -1, slaveLine: -1, viaSlave: false };
    if (!m.cascades(line)) return { vector: m.vectorBase() + line, masterLine: line, slaveLine: -1, viaSlave: false };
    if (line !== CASCADE_IR) this.env.fail(`unsupported cascade: master ICW3=0x${hex(m.s.icw3)} puts a slave on IR${line}, but the PC wires the slave to IR2 only`);
    const s = this.slave;
    if (!s.s.initialized) this.env.fail('unsupported cascade acknowledge: the slave 8259A is not initialized');
    if (s.isSingle()) this.env.fail('unsupported cascade acknowledge: the slave was initialized in single mode (ICW1 SNGL=1)');
    if (s.slaveId() !== CASCADE_IR) this.env.fail(`unsupported cascade acknowledge: the slave's ID is ${s.slaveId()}, the master sends cascade address 2`);
    if (s.isMcs80()) this.env.fail('unsupported MCS-80/85 mode interrupt acknowledge (the slave was initialized without ICW4)');
    const sl = s.highestRequest();
    // The master set ISR2 whatever the slave finds: a vanished slave request gives IRQ15's vector.
    return { vector: s.vectorBase() + (sl < 0 ? SPURIOUS_IR : sl), masterLine: CASCADE_IR, slaveLine: sl, viaSlave: true };
  }

  private deliver(d: Delivery): void {
    if (d.masterLine < 0) {
      if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: INTA vector 0x${hex(d.vector)} (spurious IR7 on the master)`);
      return;
    }
    this.master.acknowledge(d.masterLine);
    if (d.viaSlave) {
      if (d.slaveLine >= 0) this.slave.acknowledge(d.slaveLine);
      this.slaveAcknowledged();
    }
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: INTA vector 0x${hex(d.vector)} (${deliveryName(d)})`);
  }

  private pollRead(chip: Pic8259): number {
    chip.s.poll = false;
    const line = chip.highestRequest();
    let word = 0;
    if (line >= 0) {
      chip.acknowledge(line);
      if (chip === this.slave) this.slaveAcknowledged();
      word = POLL_INT | line;
    }
    if (__DEBUG_PIC__ && this.env.traceOn()) this.env.trace(`8259A: ${chip.role} poll read 0x${hex(word)}`);
    this.updateCascade();
    return word;
  }
}

/** What a delivery acknowledged, for debug lines. */
function deliveryName(d: Delivery): string {
  if (!d.viaSlave) return `IRQ${d.masterLine}`;
  return d.slaveLine >= 0 ? `IRQ${8 + d.slaveLine}` : 'spurious IR7 on the slave';
}

const STEPS: readonly InitStep[] = ['ready', 'icw2', 'icw3', 'icw4'];
const BYTE_FIELDS = ['irr', 'isr', 'imr', 'inputs', 'elcr', 'icw1', 'icw2', 'icw3', 'icw4'] as const;
const FLAG_FIELDS = ['initialized', 'readIsr', 'poll', 'specialMask', 'rotateOnAeoi'] as const;

/** Check one chip's saved state field by field; fail stop on anything malformed. */
function checkChipState(x: unknown, role: string, env: ChipEnv): PicChipState {
  if (typeof x !== 'object' || x === null) return env.fail(`bad saved state: ${role} is not an object`);
  const r = x as Record<string, unknown>;
  for (const k of BYTE_FIELDS) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xff) env.fail(`bad saved state: ${role}.${k}`);
  }
  for (const k of FLAG_FIELDS) if (typeof r[k] !== 'boolean') env.fail(`bad saved state: ${role}.${k}`);
  const lowest = r.lowest;
  if (typeof lowest !== 'number' || !Number.isInteger(lowest) || lowest < 0 || lowest > 7) env.fail(`bad saved state: ${role}.lowest`);
  if (!STEPS.includes(r.initStep as InitStep)) env.fail(`bad saved state: ${role}.initStep`);
  const s = x as PicChipState;
  return {
    irr: s.irr, isr: s.isr, imr: s.imr, inputs: s.inputs, elcr: s.elcr, lowest: s.lowest,
    initialized: s.initialized, initStep: s.initStep, icw1: s.icw1, icw2: s.icw2, icw3: s.icw3, icw4: s.icw4,
    readIsr: s.readIsr, poll: s.poll, specialMask: s.specialMask, rotateOnAeoi: s.rotateOnAeoi,
  };
}
