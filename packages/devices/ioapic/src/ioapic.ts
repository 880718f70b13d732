/*
 * The 82093AA IO-APIC as a state machine: two memory-mapped registers, 24 interrupt input pins,
 * and a port to the local APICs. No host imports.
 *
 * Summary of the chip, in our words (82093AA datasheet, sections 2 and 3):
 * - Software writes a register index to IOREGSEL and reaches that register through IOWIN.
 * - Each input pin has a 64-bit redirection entry: vector, delivery mode, destination mode and
 *   field, polarity, trigger mode and mask, plus two read-only status bits.
 * - Edge-triggered pins send an interrupt message on each assertion edge while unmasked; an edge
 *   while masked is lost.
 * - Level-triggered pins send one message while the pin is asserted, then set Remote IRR until the
 *   local APIC's EOI message for that vector comes back; if the pin is still asserted then, the
 *   message is sent again.
 *
 * Modelling choices:
 * - Pin levels are logical assertion as the VMM's IRQ lines carry them (`raise` = asserted); the
 *   board's inversion of active-low lines is taken as done, so INTPOL is stored and read back only.
 * - Messages are delivered immediately: DELIVS always reads 0.
 */
import type { ApicBusPort } from '@v3/dev-lapic';
import {
  DELMOD_EXTINT,
  DELMOD_FIXED,
  DELMOD_INIT,
  DELMOD_LOWEST,
  DELMOD_NAMES,
  DELMOD_NMI,
  DELMOD_SMI,
  IOAPICARB,
  IOAPICID,
  IOAPICID_WRITABLE,
  IOAPICVER,
  IOAPIC_PINS,
  IOAPIC_VERSION_VALUE,
  IOREDTBL,
  IOREGSEL,
  IOREGSEL_WRITABLE,
  IOWIN,
  RTE_DELMOD,
  RTE_DESTMOD_LOGICAL,
  RTE_HIGH_WRITABLE,
  RTE_LOW_RESET,
  RTE_LOW_WRITABLE,
  RTE_MASK,
  RTE_REMOTE_IRR,
  RTE_TRIGGER_LEVEL,
  RTE_VECTOR,
} from './regs.js';

/** What the IO-APIC needs from its surroundings. */
export interface IoApicEnv {
  /** The local APICs (the `LAPIC` device). */
  apic: ApicBusPort;
  /** Fail stop, naming the register offset when there is one. */
  fail(reason: string, offset?: number): never;
  /** Whether `APIC` debug output is on. */
  traceOn(): boolean;
  /** One line of `APIC` debug output. */
  trace(message: string): void;
}

/** The saved state of an IO-APIC: plain numbers, JSON-able. */
export interface IoApicState {
  /** IOAPICID (bits 27:24). */
  id: number;
  /** IOREGSEL. */
  regsel: number;
  /** Redirection entries, low dwords (Remote IRR included). */
  redirLow: number[];
  /** Redirection entries, high dwords. */
  redirHigh: number[];
  /** Input pin levels (true = asserted). */
  asserted: boolean[];
}

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** One 82093AA. */
export class IoApic {
  /** IOAPICID register value (bits 27:24). */
  id: number;
  regsel = 0;
  readonly redirLow = new Uint32Array(IOAPIC_PINS);
  readonly redirHigh = new Uint32Array(IOAPIC_PINS);
  readonly asserted = new Uint8Array(IOAPIC_PINS);

  constructor(
    /** The APIC ID this IO-APIC has after reset. */
    private readonly resetId: number,
    private readonly env: IoApicEnv,
  ) {
    this.id = 0;
    this.reset();
  }

  /** Back to the reset state: every entry masked. Pin levels belong to the devices and stay. */
  reset(): void {
    this.id = ((this.resetId << 24) & IOAPICID_WRITABLE) >>> 0;
    this.regsel = 0;
    this.redirLow.fill(RTE_LOW_RESET);
    this.redirHigh.fill(0);
  }

  // ---- memory-mapped registers -------------------------------------------------------------

  /** A 32-bit read at `offset` in the page (size checked by the caller). */
  read(offset: number): number {
    switch (offset) {
      case IOREGSEL:
        return this.regsel;
      case IOWIN:
        return this.readIndirect(this.regsel);
      default:
        return this.env.fail(`ioapic: read at offset ${hex(offset)}: only IOREGSEL (0x00) and IOWIN (0x10) exist on the 82093AA`, offset);
    }
  }

  /** A 32-bit write at `offset` in the page (size checked by the caller). */
  write(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case IOREGSEL:
        this.regsel = value & IOREGSEL_WRITABLE;
        return;
      case IOWIN:
        this.writeIndirect(this.regsel, value);
        return;
      default:
        this.env.fail(`ioapic: write of ${hex(value)} at offset ${hex(offset)}: only IOREGSEL (0x00) and IOWIN (0x10) exist on the 82093AA (no EOI register before version 0x20)`, offset);
    }
  }

  private readIndirect(index: number): number {
    if (index >= IOREDTBL && index < IOREDTBL + 2 * IOAPIC_PINS) {
      const pin = (index - IOREDTBL) >> 1;
      return (index & 1) === 0 ? (this.redirLow[pin] as number) : (this.redirHigh[pin] as number);
    }
    switch (index) {
      case IOAPICID:
        return this.id;
      case IOAPICVER:
        return IOAPIC_VERSION_VALUE;
      case IOAPICARB:
        // The arbitration ID is loaded from the ID register (datasheet 3.2.3).
        return this.id;
      default:
        return this.env.fail(`ioapic: read of reserved register ${hex(index)} through IOWIN`, IOWIN);
    }
  }

  private writeIndirect(index: number, value: number): void {
    if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`ioapic: write register ${hex(index)} = ${hex(value)}`);
    if (index >= IOREDTBL && index < IOREDTBL + 2 * IOAPIC_PINS) {
      const pin = (index - IOREDTBL) >> 1;
      if ((index & 1) === 1) {
        this.redirHigh[pin] = (value & RTE_HIGH_WRITABLE) >>> 0;
        return;
      }
      const old = this.redirLow[pin] as number;
      let low = value & RTE_LOW_WRITABLE;
      // Remote IRR is read only and only means something for level-triggered entries: switching an
      // entry to edge clears it (Linux's EOI for IO-APICs without an EOI register relies on it).
      if ((low & RTE_TRIGGER_LEVEL) !== 0) low |= old & RTE_REMOTE_IRR;
      this.redirLow[pin] = low;
      this.service(pin);
      return;
    }
    switch (index) {
      case IOAPICID:
        this.id = (value & IOAPICID_WRITABLE) >>> 0;
        return;
      case IOAPICVER:
      case IOAPICARB:
        // Read-only registers (datasheet 3.2.2, 3.2.3): the write has no effect.
        if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`ioapic: write of ${hex(value)} to the read-only ${index === IOAPICVER ? 'IOAPICVER' : 'IOAPICARB'} ignored`);
        return;
      default:
        return this.env.fail(`ioapic: write of ${hex(value)} to reserved register ${hex(index)} through IOWIN`, IOWIN);
    }
  }

  // ---- pins --------------------------------------------------------------------------------

  /** Input `pin` was asserted (the VMM reports transitions only, so this is an edge). */
  raise(pin: number): void {
    if (this.asserted[pin] === 1) return;
    this.asserted[pin] = 1;
    const low = this.redirLow[pin] as number;
    if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`ioapic: pin ${pin} asserted${low & RTE_MASK ? ' (masked)' : ''}`);
    if ((low & RTE_TRIGGER_LEVEL) === 0) {
      // Edge: one message per assertion while unmasked; a masked edge is lost.
      if ((low & RTE_MASK) === 0) this.send(pin);
      return;
    }
    this.service(pin);
  }

  /** Input `pin` was deasserted. */
  lower(pin: number): void {
    this.asserted[pin] = 0;
  }

  /** An EOI message for `vector` from a local APIC (SDM 10.8.5): clear Remote IRR, resend if still asserted. */
  eoi(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = this.redirLow[pin] as number;
      if ((low & RTE_REMOTE_IRR) === 0 || (low & RTE_VECTOR) !== vector) continue;
      this.redirLow[pin] = low & ~RTE_REMOTE_IRR;
      if (__DEBUG_APIC__ && this.env.traceOn()) this.env.trace(`ioapic: EOI vector ${hex(vector)} clears Remote IRR of pin ${pin}`);
      this.service(pin);
    }
  }

  /** A level-triggered pin sends while asserted, unmasked and not awaiting an EOI. */
  private service(pin: number): void {
    const low = this.redirLow[pin] as number;
    if ((low & RTE_TRIGGER_LEVEL) === 0 || (low & (RTE_MASK | RTE_REMOTE_IRR)) !== 0 || this.asserted[pin] === 0) return;
    this.send(pin);
  }

  /** Send `pin`'s interrupt message to the local APICs. */
  private send(pin: number): void {
    const low = this.redirLow[pin] as number;
    const mode = (low & RTE_DELMOD) >> 8;
    const level = (low & RTE_TRIGGER_LEVEL) !== 0;
    switch (mode) {
      case DELMOD_FIXED:
      case DELMOD_LOWEST: {
        const message = {
          vector: low & RTE_VECTOR,
          deliveryMode: mode,
          logical: (low & RTE_DESTMOD_LOGICAL) !== 0,
          dest: (this.redirHigh[pin] as number) >>> 24,
          level,
        };
        const accepted = this.env.apic.deliver(message);
        if (__DEBUG_APIC__ && this.env.traceOn()) {
          this.env.trace(`ioapic: pin ${pin} -> vector ${hex(message.vector)} ${DELMOD_NAMES[mode]} ${message.logical ? 'logical' : 'physical'} dest ${hex(message.dest)} ${level ? 'level' : 'edge'}: ${accepted ? 'accepted' : 'no APIC accepted it'}`);
        }
        if (accepted && level) this.redirLow[pin] = (this.redirLow[pin] as number) | RTE_REMOTE_IRR;
        return;
      }
      case DELMOD_SMI:
      case DELMOD_NMI:
      case DELMOD_INIT:
      case DELMOD_EXTINT:
        return this.env.fail(`ioapic: pin ${pin} fired in delivery mode ${DELMOD_NAMES[mode]}, which is not implemented (fixed and lowest priority are)`);
      default:
        return this.env.fail(`ioapic: pin ${pin} fired in ${DELMOD_NAMES[mode] ?? mode} delivery mode`);
    }
  }

  // ---- state -------------------------------------------------------------------------------

  save(): IoApicState {
    return {
      id: this.id,
      regsel: this.regsel,
      redirLow: Array.from(this.redirLow),
      redirHigh: Array.from(this.redirHigh),
      asserted: Array.from(this.asserted, (b) => b === 1),
    };
  }

  /** Restore a state already checked by the device. */
  load(s: IoApicState): void {
    this.id = s.id >>> 0;
    this.regsel = s.regsel;
    this.redirLow.set(s.redirLow);
    this.redirHigh.set(s.redirHigh);
    this.asserted.set(s.asserted.map((b) => (b ? 1 : 0)));
  }
}
