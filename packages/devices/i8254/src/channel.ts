/*
 * One 8254 counter, after the Intel 8254 datasheet, in our words.
 *
 * Each counter has a count register (CR) the CPU writes, a 16-bit counting element (CE) that
 * counts down on each CLK pulse, an output latch for reads, a GATE input and an OUT pin. A control
 * word picks the mode, the access (LSB, MSB, or LSB then MSB) and binary or BCD counting; it resets
 * the counter's logic and puts OUT in the mode's initial state (low in mode 0, high otherwise).
 * A count of 0 means the maximum: 65536 in binary, 10000 in BCD.
 *
 * Mode 0, interrupt on terminal count: OUT low; the count loads on the next CLK and OUT goes high
 * when the CE reaches zero, N+1 CLKs after the write, and stays high. GATE low suspends counting.
 * Writing a new count (its first byte, for two-byte counts) stops counting and drops OUT.
 * Mode 1, hardware retriggerable one-shot: a rising GATE edge loads the count on the next CLK and
 * drops OUT for N CLKs. A new trigger restarts the one-shot; a new count waits for a trigger.
 * Mode 2, rate generator: OUT is high, goes low for one CLK when the CE reaches 1, then the CE
 * reloads: a period of N CLKs. GATE low stops counting and forces OUT high; its rising edge
 * reloads. A new count takes effect at the next reload. N=1 is illegal.
 * Mode 3, square wave: like mode 2, but OUT is high for ceil(N/2) CLKs and low for floor(N/2). The
 * CE counts by two (an odd count loses one on the first CLK of the high half and three on the first
 * of the low half). A new count takes effect at the end of the current half-cycle.
 * Mode 4, software triggered strobe: the count loads on the next CLK; when the CE reaches zero OUT
 * goes low for one CLK. GATE low suspends counting. A new count restarts it.
 * Mode 5, hardware triggered strobe: as mode 4, but started (and restarted) by a rising GATE edge.
 * In modes 0, 1, 4 and 5 the CE keeps counting past zero, wrapping to 0xFFFF (9999 in BCD).
 *
 * Nothing is stepped: the counter keeps the tick at which its CE held a known value and computes
 * the CE and OUT at any later tick. Ticks are CLK pulses since the VM started.
 */
import { RW_LSB, RW_LSB_MSB, RW_MSB, ST_NULL_COUNT, ST_OUTPUT } from './regs.js';
import type { ChannelState } from './state.js';

/** What a counter needs from its surroundings. */
export interface ChannelEnv {
  /** Fail stop (throws). */
  fail(reason: string): never;
}

/** A counter's state at power-on, before any control word (the datasheet leaves it undefined). */
export function powerOnChannel(gate: boolean): ChannelState {
  return {
    programmed: false,
    mode: 0,
    modeBits: 0,
    access: 0,
    bcd: false,
    cr: 0,
    crValid: false,
    writeLsb: -1,
    readMsb: false,
    latch: -1,
    status: -1,
    gate,
    counting: false,
    start: 0,
    startCe: 0,
    n: 0,
    done: false,
    outIdle: false,
    ceIdle: 0,
    nullUntil: null,
    pending: null,
  };
}

/** The half-cycle where OUT is high, in mode 3 (odd counts get the extra CLK). */
const highHalf = (n: number): number => (n + 1) >> 1;

/** A 0-9999 value as four BCD digits. */
function toBcd(v: number): number {
  return (v % 10) | (Math.floor(v / 10) % 10) << 4 | (Math.floor(v / 100) % 10) << 8 | (Math.floor(v / 1000) % 10) << 12;
}

/** Whether every nibble of a 16-bit value is a decimal digit. */
function isBcd(v: number): boolean {
  return (v & 0xf) <= 9 && ((v >> 4) & 0xf) <= 9 && ((v >> 8) & 0xf) <= 9 && ((v >> 12) & 0xf) <= 9;
}

function fromBcd(v: number): number {
  return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

/** One counter of the 8254. */
export class Channel {
  /** The counter's state (replaced wholesale by load and reset). */
  s: ChannelState;

  constructor(
    /** 0, 1 or 2. */
    readonly index: number,
    gate: boolean,
    private readonly env: ChannelEnv,
  ) {
    this.s = powerOnChannel(gate);
  }

  /** The counting range: 65536 binary, 10000 BCD. */
  modulus(): number {
    return this.s.bcd ? 10000 : 0x10000;
  }

  // ---- evaluation at a tick (no state change) ----

  /** The counting element at tick `t`, 0..modulus-1. */
  ceAt(t: number): number {
    const s = this.s;
    const m = this.modulus();
    if (!s.counting || t < s.start) return s.ceIdle % m;
    const d = t - s.start;
    switch (s.mode) {
      case 0:
      case 1:
      case 4:
      case 5:
        return (((s.startCe - d) % m) + m) % m;
      case 2:
      case 3: {
        const { start, n } = this.regimeAt(t);
        return this.periodicCe(t - start, n) % m;
      }
      default:
        return this.env.fail(`internal: counter ${this.index} in mode ${s.mode}`);
    }
  }

  /** The OUT pin at tick `t`. */
  outAt(t: number): boolean {
    const s = this.s;
    if (!s.counting || t < s.start) return s.outIdle;
    const d = t - s.start;
    switch (s.mode) {
      case 0:
        return s.done || d >= s.startCe;
      case 1:
        return d >= s.startCe;
      case 4:
        return s.done || d !== s.startCe;
      case 5:
        return d !== s.startCe;
      case 2:
      case 3: {
        const { start, n } = this.regimeAt(t);
        return this.periodicOut(t - start, n);
      }
      default:
        return this.env.fail(`internal: counter ${this.index} in mode ${s.mode}`);
    }
  }

  /** The first tick after `t` at which OUT changes, or Infinity. */
  nextChange(t: number): number {
    const s = this.s;
    if (!s.counting) return Infinity;
    if (t < s.start) return this.outAt(s.start) !== this.outAt(t) ? s.start : this.nextChange(s.start);
    const d = t - s.start;
    switch (s.mode) {
      case 0:
        return s.done || d >= s.startCe ? Infinity : s.start + s.startCe;
      case 1:
        return d < s.startCe ? s.start + s.startCe : Infinity;
      case 4:
      case 5:
        if (s.mode === 4 && s.done) return Infinity;
        if (d < s.startCe) return s.start + s.startCe;
        return d === s.startCe ? t + 1 : Infinity;
      case 2:
      case 3: {
        const reg = this.regimeAt(t);
        const c = this.periodicNext(t, reg.start, reg.n);
        const p = s.pending;
        if (p && t < p.at && c >= p.at) {
          // The new count takes over at p.at: OUT may change right there, or later in its rhythm.
          const next = this.pendingRegime();
          if (this.periodicOut(p.at - next.start, next.n) !== this.outAt(t)) return p.at;
          return this.periodicNext(p.at, next.start, next.n);
        }
        return c;
      }
      default:
        return this.env.fail(`internal: counter ${this.index} in mode ${s.mode}`);
    }
  }

  /** NULL COUNT at tick `t`: the last count written has not been loaded into the CE yet. */
  nullAt(t: number): boolean {
    const u = this.s.nullUntil;
    return u === null || t < u;
  }

  /** The status byte (read-back command) at tick `t`. */
  statusAt(t: number): number {
    const s = this.s;
    return (this.outAt(t) ? ST_OUTPUT : 0) | (this.nullAt(t) ? ST_NULL_COUNT : 0) | (s.access << 4) | (s.modeBits << 1) | (s.bcd ? 1 : 0);
  }

  // ---- operations at a tick ----

  /** Apply a new mode-2/3 count whose period or half-cycle has ended by `t`. */
  settle(t: number): void {
    const p = this.s.pending;
    if (p && t >= p.at) {
      const next = this.pendingRegime();
      this.s.start = next.start;
      this.s.n = next.n;
      this.s.startCe = next.n;
      this.s.pending = null;
    }
  }

  /** A control word selecting a mode (not a latch or read-back command). */
  writeControl(mode: number, modeBits: number, access: number, bcd: boolean, t: number): void {
    this.settle(t);
    const s = this.s;
    // The CE is undefined after a control word; we leave the old value showing.
    const ce = this.ceAt(t);
    s.programmed = true;
    s.mode = mode;
    s.modeBits = modeBits;
    s.access = access;
    s.bcd = bcd;
    s.crValid = false;
    s.writeLsb = -1;
    s.readMsb = false;
    s.latch = -1;
    s.status = -1;
    s.counting = false;
    s.pending = null;
    s.done = false;
    s.ceIdle = ce % this.modulus();
    // Datasheet: OUT goes to its initial state at once: low in mode 0, high in the others.
    s.outIdle = mode !== 0;
    s.nullUntil = null;
  }

  /** The counter latch command: freeze the CE for reading (ignored while a latch is unread). */
  latchCount(t: number): void {
    if (this.s.latch < 0) this.s.latch = this.display(this.ceAt(t));
  }

  /** Latch the status byte (read-back; ignored while a status is unread). */
  latchStatus(t: number): void {
    if (this.s.status < 0) this.s.status = this.statusAt(t);
  }

  /** A byte written to the counter's data port. */
  writeData(byte: number, t: number): void {
    this.settle(t);
    const s = this.s;
    if (!s.programmed) this.env.fail(`unsupported count write to counter ${this.index} before any control word`);
    switch (s.access) {
      case RW_LSB:
        this.commit(byte, t);
        return;
      case RW_MSB:
        this.commit(byte << 8, t);
        return;
      case RW_LSB_MSB:
        if (s.writeLsb < 0) {
          s.writeLsb = byte;
          // Mode 0: writing the first byte stops counting and OUT goes low (a new count begins).
          if (s.mode === 0) this.freeze(t, false);
          return;
        }
        this.commit(s.writeLsb | (byte << 8), t);
        s.writeLsb = -1;
        return;
      default:
        return this.env.fail(`unsupported access mode ${s.access} on counter ${this.index}`);
    }
  }

  /** A read of the counter's data port: a latched status, a latched count, or the live CE. */
  readData(t: number): number {
    this.settle(t);
    const s = this.s;
    if (s.status >= 0) {
      const v = s.status;
      s.status = -1;
      return v;
    }
    if (!s.programmed) this.env.fail(`unsupported count read from counter ${this.index} before any control word`);
    const value = s.latch >= 0 ? s.latch : this.display(this.ceAt(t));
    switch (s.access) {
      case RW_LSB:
        s.latch = -1;
        return value & 0xff;
      case RW_MSB:
        s.latch = -1;
        return (value >> 8) & 0xff;
      case RW_LSB_MSB:
        if (!s.readMsb) {
          s.readMsb = true;
          return value & 0xff;
        }
        s.readMsb = false;
        s.latch = -1;
        return (value >> 8) & 0xff;
      default:
        return this.env.fail(`unsupported access mode ${s.access} on counter ${this.index}`);
    }
  }

  /** The GATE input changes at tick `t`. */
  setGate(level: boolean, t: number): void {
    this.settle(t);
    const s = this.s;
    if (s.gate === level) return;
    s.gate = level;
    if (!s.programmed) return;
    switch (s.mode) {
      case 0:
      case 4:
        // GATE enables counting; a low GATE suspends it where it is.
        if (!level) {
          if (s.counting) this.freeze(t, s.mode === 0 ? this.outAt(t) : true);
        } else if (s.crValid && !s.counting && s.writeLsb < 0) {
          s.counting = true;
          s.start = Math.max(t, s.nullUntil ?? t);
          s.startCe = s.ceIdle;
        }
        return;
      case 1:
      case 5:
        // A rising edge (re)triggers: the count loads on the next CLK.
        if (level && s.crValid) {
          s.outIdle = this.outAt(t);
          s.counting = true;
          s.start = t + 1;
          s.n = this.countN();
          s.startCe = s.n;
          s.done = false;
          this.loadedBy(t + 1);
        }
        return;
      case 2:
      case 3:
        if (!level) {
          // GATE low stops counting and forces OUT high at once.
          if (s.counting) {
            s.ceIdle = this.ceAt(t);
            s.counting = false;
          }
          s.outIdle = true;
          if (s.pending) {
            s.pending = null;
            s.nullUntil = null;
          }
        } else if (s.crValid) {
          // The rising edge reloads the count on the next CLK.
          this.startPeriodic(t + 1);
        }
        return;
      default:
        return this.env.fail(`internal: counter ${this.index} in mode ${s.mode}`);
    }
  }

  // ---- internals ----

  /** Stop counting at `t`, holding the CE, with OUT at `out`. */
  private freeze(t: number, out: boolean): void {
    const s = this.s;
    if (s.counting) {
      if (t >= s.start) {
        const d = t - s.start;
        s.done = s.done || d >= s.startCe;
        s.ceIdle = this.ceAt(t);
      } else {
        // The load scheduled for the next CLK still happens; counting does not.
        s.ceIdle = s.startCe;
      }
    }
    s.counting = false;
    s.outIdle = out;
  }

  /** A complete count was written at tick `t`. */
  private commit(v: number, t: number): void {
    const s = this.s;
    if (s.bcd && !isBcd(v)) this.env.fail(`unsupported count 0x${v.toString(16)} on counter ${this.index}: not a BCD number`);
    const n = this.decode(v);
    if ((s.mode === 2 || s.mode === 3) && n === 1) {
      this.env.fail(`unsupported count 1 on counter ${this.index} in mode ${s.mode} (the datasheet's minimum is 2)`);
    }
    // The first count after a control word: the CE is undefined until the next CLK loads it
    // (datasheet: "the CE is undefined after a control word"). It shows the count that CLK loads.
    // Software that reads the counter right after writing it assumes an I/O read takes at least
    // one CLK (Linux's quick_pit_calibrate: "delay for a microsecond ... just read back the
    // counter once"); here an IN takes one instruction, far less than the 838 ns of a CLK.
    if (!s.crValid && !s.counting) s.ceIdle = n % this.modulus();
    s.cr = v;
    s.crValid = true;
    switch (s.mode) {
      case 0:
      case 4:
        // Loaded on the next CLK; counting only while GATE is high. Mode 0's OUT drops at once.
        s.n = n;
        s.done = false;
        s.outIdle = s.mode === 0 ? false : this.outAt(t);
        s.nullUntil = t + 1;
        if (s.gate) {
          s.counting = true;
          s.start = t + 1;
          s.startCe = n;
        } else {
          s.counting = false;
          s.ceIdle = n;
        }
        return;
      case 1:
      case 5:
        // Waits for a GATE trigger; a one-shot in progress is not disturbed.
        s.nullUntil = null;
        return;
      case 2:
      case 3:
        if (s.counting && t >= s.start) {
          const at = this.boundaryAfter(t);
          s.pending = { at: at.tick, n, low: at.low };
          s.nullUntil = at.tick;
        } else if (s.counting) {
          // The first load has not happened yet (same CLK): it takes the newer count.
          s.n = n;
          s.startCe = n;
        } else if (s.gate) {
          this.startPeriodic(t + 1);
        } else {
          s.nullUntil = null;
        }
        return;
      default:
        return this.env.fail(`internal: counter ${this.index} in mode ${s.mode}`);
    }
  }

  /** Modes 2/3: load CR at tick `at` and run from there with OUT high. */
  private startPeriodic(at: number): void {
    const s = this.s;
    s.counting = true;
    s.start = at;
    s.n = this.countN();
    s.startCe = s.n;
    s.outIdle = true;
    s.pending = null;
    this.loadedBy(at);
  }

  /** NULL COUNT clears when the CR reaches the CE at tick `at`. */
  private loadedBy(at: number): void {
    const u = this.s.nullUntil;
    if (u === null || u > at) this.s.nullUntil = at;
  }

  /** N of the count register (0 means the modulus). */
  private countN(): number {
    return this.decode(this.s.cr);
  }

  private decode(v: number): number {
    const n = this.s.bcd ? fromBcd(v) : v & 0xffff;
    return n === 0 ? this.modulus() : n;
  }

  /** A CE value as the data port shows it (BCD-coded in BCD mode). */
  private display(ce: number): number {
    const v = ce % this.modulus();
    return this.s.bcd ? toBcd(v) : v;
  }

  /** The running period's start and N at tick `t`, the pending count included. */
  private regimeAt(t: number): { start: number; n: number } {
    const p = this.s.pending;
    if (p && t >= p.at) return this.pendingRegime();
    return { start: this.s.start, n: this.s.n };
  }

  /** Where the pending count's rhythm starts (mode 3 may begin in its low half). */
  private pendingRegime(): { start: number; n: number } {
    const p = this.s.pending;
    if (!p) return this.env.fail(`internal: counter ${this.index} has no pending count`);
    return { start: p.low ? p.at - highHalf(p.n) : p.at, n: p.n };
  }

  /** Modes 2/3: the tick after `t` where a new count is taken (period or half-cycle end). */
  private boundaryAfter(t: number): { tick: number; low: boolean } {
    const { start, n } = this.regimeAt(t);
    const r = (t - start) % n;
    if (this.s.mode === 2) return { tick: t + (n - r), low: false };
    const h = highHalf(n);
    return r < h ? { tick: t + (h - r), low: true } : { tick: t + (n - r), low: false };
  }

  private periodicOut(d: number, n: number): boolean {
    const r = d % n;
    return this.s.mode === 2 ? r !== n - 1 : r < highHalf(n);
  }

  private periodicCe(d: number, n: number): number {
    const r = d % n;
    if (this.s.mode === 2) return n - r;
    const h = highHalf(n);
    const odd = (n & 1) === 1;
    if (r < h) return odd ? (r === 0 ? n : n + 1 - 2 * r) : n - 2 * r;
    const j = r - h;
    return odd ? (j === 0 ? n : n - 1 - 2 * j) : n - 2 * j;
  }

  private periodicNext(t: number, start: number, n: number): number {
    const r = (t - start) % n;
    if (this.s.mode === 2) return r === n - 1 ? t + 1 : t + (n - 1 - r);
    const h = highHalf(n);
    return r < h ? t + (h - r) : t + (n - r);
  }
}
