/*
 * The APIC bus (the system bus on an xAPIC): routes interrupt messages from the IO-APIC and from
 * ICR writes to the local APICs they address, and EOI messages back to the IO-APICs. No host
 * here either; the device hands in `fail`.
 */
import { icrDeliveryMode, type LocalApic } from './apic.js';
import {
  DM_EXTINT,
  DM_FIXED,
  DM_INIT,
  DM_LOWEST,
  DM_NMI,
  DM_SMI,
  DM_STARTUP,
  ESR_SEND_ILLEGAL_VECTOR,
  ICR_DEST_LOGICAL,
  ICR_LEVEL_ASSERT,
  ICR_SHORTHAND,
  ICR_TRIGGER_LEVEL,
  ICR_VECTOR,
  SH_ALL_EXCLUDING_SELF,
  SH_ALL_INCLUDING_SELF,
  SH_NONE,
  SH_SELF,
} from './regs.js';

/**
 * An interrupt message for the local APICs, as an IO-APIC redirection entry describes it (82093AA
 * datasheet 3.2.4; SDM 10.6.2). Only fixed (0) and lowest-priority (1) delivery reach the bus;
 * the IO-APIC refuses the other modes itself.
 */
export interface ApicMessage {
  /** Vector, 0x10-0xFE (0-15 are logged as illegal by the receiving APIC). */
  vector: number;
  /** Delivery mode: 0 fixed, 1 lowest priority. */
  deliveryMode: number;
  /** Destination mode: false physical (APIC ID), true logical (MDA against LDR/DFR). */
  logical: boolean;
  /** Destination field (bits 56-63 of the redirection entry); 0xFF is a broadcast. */
  dest: number;
  /** Trigger mode: true level (the vector's TMR bit is set, its EOI is broadcast). */
  level: boolean;
}

/**
 * What an IO-APIC needs from the local APICs: a way to send interrupt messages and to hear EOI
 * messages for level-triggered vectors. The `LAPIC` device implements it; an IO-APIC gets it with
 * `host.findDevice<ApicBusPort>(cfg.apic)`.
 */
export interface ApicBusPort {
  /**
   * Send one message. Returns true when a local APIC accepted it into its IRR (the IO-APIC sets
   * Remote IRR only then); false when no APIC is addressed, or the vector was illegal.
   */
  deliver(message: ApicMessage): boolean;
  /** Call `listener(vector)` whenever a local APIC EOIs a level-triggered vector. */
  onEoi(listener: (vector: number) => void): void;
}

/** What the bus needs from the device. */
export interface BusEnv {
  fail(reason: string, offset?: number): never;
}

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** The local APICs of the VM and the wires between them. */
export class ApicBus implements ApicBusPort {
  private readonly eoiListeners: ((vector: number) => void)[] = [];

  constructor(
    readonly cores: readonly LocalApic[],
    private readonly env: BusEnv,
  ) {}

  deliver(message: ApicMessage): boolean {
    switch (message.deliveryMode) {
      case DM_FIXED: {
        let accepted = false;
        for (const apic of this.cores) {
          if (apic.matches(message.logical, message.dest) && apic.accept(message.vector, message.level)) accepted = true;
        }
        return accepted;
      }
      case DM_LOWEST: {
        const target = this.lowestPriority(this.cores.filter((a) => a.matches(message.logical, message.dest)));
        return target !== undefined && target.accept(message.vector, message.level);
      }
      default:
        return this.env.fail(`internal: an interrupt message with delivery mode ${message.deliveryMode} reached the APIC bus (only fixed and lowest priority are implemented)`);
    }
  }

  onEoi(listener: (vector: number) => void): void {
    this.eoiListeners.push(listener);
  }

  /** A local APIC EOIed a level-triggered vector: the EOI message goes to every IO-APIC. */
  eoiBroadcast(vector: number): void {
    for (const l of this.eoiListeners) l(vector);
  }

  /** The ICR of `from` was written: send its IPI (SDM 10.6.1, table 10-3). */
  sendIpi(from: LocalApic, icrLow: number, icrHigh: number): void {
    const mode = icrDeliveryMode(icrLow);
    const vector = icrLow & ICR_VECTOR;
    const shorthand = (icrLow & ICR_SHORTHAND) >> 18;
    const logical = (icrLow & ICR_DEST_LOGICAL) !== 0;
    const dest = icrHigh >>> 24;
    const where = `IPI (ICR ${hex(icrHigh)}:${hex(icrLow)})`;
    switch (mode) {
      case DM_FIXED:
      case DM_LOWEST: {
        if (vector < 16) {
          // SDM 10.5.3: the IPI is not sent, the sender logs Send Illegal Vector.
          from.signalError(ESR_SEND_ILLEGAL_VECTOR);
          return;
        }
        const targets = this.targets(from, shorthand, logical, dest);
        if (mode === DM_FIXED) {
          // IPIs are always edge triggered (the ICR trigger bit only qualifies INIT de-assert).
          for (const apic of targets) apic.accept(vector, false);
          return;
        }
        if (shorthand === SH_SELF || shorthand === SH_ALL_INCLUDING_SELF) {
          return this.env.fail(`apic: cpu${from.index} ${where}: lowest priority with the self or all-including-self shorthand is invalid (SDM table 10-3)`, 0x300);
        }
        this.lowestPriority(targets)?.accept(vector, false);
        return;
      }
      case DM_INIT:
        if ((icrLow & ICR_LEVEL_ASSERT) === 0 && (icrLow & ICR_TRIGGER_LEVEL) !== 0) {
          // INIT level de-assert only resynchronises arbitration IDs (P6/Pentium); nothing to do.
          return;
        }
        // A firmware's SMP probe broadcasts INIT (then SIPI) to all-excluding-self; with no other
        // processor present the message reaches no one and the sender goes on (SDM 8.4.4.1).
        if (this.reachesNoOne(from, shorthand, logical, dest)) return;
        return this.env.fail(`apic: cpu${from.index} ${where}: INIT to ${this.describe(shorthand, logical, dest)}: only one core is implemented (SMP comes later)`, 0x300);
      case DM_STARTUP:
        if (this.reachesNoOne(from, shorthand, logical, dest)) return;
        return this.env.fail(`apic: cpu${from.index} ${where}: start-up IPI (SIPI) to ${this.describe(shorthand, logical, dest)}: only one core is implemented (SMP comes later)`, 0x300);
      case DM_NMI:
        return this.env.fail(`apic: cpu${from.index} ${where}: NMI IPIs are not implemented (the device API cannot inject an NMI)`, 0x300);
      case DM_SMI:
        return this.env.fail(`apic: cpu${from.index} ${where}: SMI IPIs are not implemented (no SMM)`, 0x300);
      case DM_EXTINT:
      default:
        return this.env.fail(`apic: cpu${from.index} ${where}: ICR delivery mode ${mode} is reserved`, 0x300);
    }
  }

  /**
   * An all-excluding-self INIT or SIPI when no other processor exists: it reaches no one. One aimed
   * at a destination (present or not) still fails stop: that is an OS starting a CPU we lack.
   */
  private reachesNoOne(from: LocalApic, shorthand: number, logical: boolean, dest: number): boolean {
    return shorthand === SH_ALL_EXCLUDING_SELF && this.targets(from, shorthand, logical, dest).length === 0;
  }

  /** The APICs an IPI from `from` addresses. */
  private targets(from: LocalApic, shorthand: number, logical: boolean, dest: number): LocalApic[] {
    switch (shorthand) {
      case SH_NONE:
        return this.cores.filter((a) => a.matches(logical, dest));
      case SH_SELF:
        return [from];
      case SH_ALL_INCLUDING_SELF:
        return this.cores.filter((a) => a.enabled);
      case SH_ALL_EXCLUDING_SELF:
        return this.cores.filter((a) => a.enabled && a !== from);
      default:
        return this.env.fail(`internal: ICR shorthand ${shorthand}`);
    }
  }

  /** Lowest-priority arbitration: the lowest APR wins, ties go to the lowest APIC ID. */
  private lowestPriority(candidates: LocalApic[]): LocalApic | undefined {
    let best: LocalApic | undefined;
    for (const a of candidates) {
      if (best === undefined || a.apr() < best.apr() || (a.apr() === best.apr() && a.apicId < best.apicId)) best = a;
    }
    return best;
  }

  private describe(shorthand: number, logical: boolean, dest: number): string {
    switch (shorthand) {
      case SH_NONE:
        return `${logical ? 'logical' : 'physical'} destination ${hex(dest)}`;
      case SH_SELF:
        return 'self';
      case SH_ALL_INCLUDING_SELF:
        return 'all including self';
      case SH_ALL_EXCLUDING_SELF:
        return 'all excluding self';
      default:
        return `shorthand ${shorthand}`;
    }
  }
}
