/*
 * The Motorola MC146818A real-time clock with its CMOS RAM, as the PC/AT wires it: no host, no
 * ports, only an index latch, 128 bytes, an IRQ line and the guest clock.
 *
 * The chip, in our words (MC146818A datasheet):
 * - Bytes 0x00-0x09 are the time, alarm and calendar; 0x0A-0x0D are registers A-D; the rest is
 *   battery-backed RAM (on the PC/AT the BIOS's CMOS settings).
 * - A divider chain counts the 32.768 kHz time base. Once a second it makes an update cycle that
 *   advances the time; UIP in register A rises tBUC (244 µs) before it. SET in register B stops
 *   the updates so software can write a consistent time; DV = 11x holds the divider in reset,
 *   and the first update after leaving reset comes half a second later.
 * - The same chain taps the periodic interrupt (rate select RS in register A). Three flags in
 *   register C (PF periodic, AF alarm, UF update ended) are set whether enabled or not; IRQF and
 *   the IRQ pin follow (PF·PIE + AF·AIE + UF·UIE). Reading register C clears all of them.
 * - DM selects binary or BCD bytes, 24/12 the hour format (bit 7 = PM in 12-hour mode).
 *
 * Modelling choices:
 * - Time is a function of the guest clock. Nothing runs per tick: every access first brings
 *   the chip up to "now" (`sync`), counting the update cycles and periodic taps that fell in
 *   between. The timer only wakes the VM for an interrupt that is enabled and can still change
 *   the IRQ pin, at its exact time.
 * - The 1984 µs update cycle is collapsed into the instant of the second boundary: UIP is set
 *   during the 244 µs before it and clear from the boundary on, so a read never sees a
 *   half-updated time.
 * - The time is held as numbers, not as the bytes the guest wrote: switching DM or 24/12 changes
 *   the representation at once (the chip would keep the bytes and need the time rewritten).
 *   A write of a value the data mode cannot hold (bad BCD, out of range) fails stop, since the
 *   datasheet leaves the chip's behaviour undefined.
 */
import type { GuestClock, IrqLine } from '@v3/device-api';
import { FIELD_RANGES, nextDay, tickSecond, type RtcTime } from './calendar.js';
import {
  ALARM_DONT_CARE,
  A_DV_1MHZ,
  A_DV_32KHZ,
  A_DV_4MHZ,
  A_DV_MASK,
  A_DV_RESET1,
  A_DV_RESET2,
  A_RS_MASK,
  A_UIP,
  A_WRITABLE,
  B_24H,
  B_AIE,
  B_DM_BINARY,
  B_DSE,
  B_PIE,
  B_SET,
  B_SQWE,
  B_UIE,
  CMOS_FIRST_RAM,
  CMOS_SIZE,
  C_AF,
  C_IRQF,
  C_PF,
  C_UF,
  D_VRT,
  FIRST_UPDATE_AFTER_RESET_NS,
  HOURS_PM,
  INDEX_MASK,
  INDEX_NMI_DISABLE,
  REG_A,
  REG_B,
  REG_C,
  REG_D,
  REG_DAY_OF_MONTH,
  REG_DAY_OF_WEEK,
  REG_HOURS,
  REG_HOURS_ALARM,
  REG_MINUTES,
  REG_MINUTES_ALARM,
  REG_MONTH,
  REG_SECONDS,
  REG_SECONDS_ALARM,
  REG_YEAR,
  TIME_BASE_HZ,
  UIP_LEAD_NS,
} from './regs.js';

/** What the chip is connected to. */
export interface RtcWiring {
  /** IRQ 8, driven as a level: high from the flag that sets IRQF until register C is read. */
  irq: IrqLine;
  /** Guest time. */
  clock: GuestClock;
  /** Fail stop (the device adds the port). */
  fail(reason: string): never;
  /** Whether debug output is on (checked before building a message). */
  debugOn(): boolean;
  /** One debug line. */
  debug(message: string): void;
}

/** The chip's complete state: plain and JSON-able (checkpoint). */
export interface RtcState {
  /** The index latch (bits 6-0). */
  index: number;
  /** The PC's NMI mask latch (index port bit 7). */
  nmiDisabled: boolean;
  /** 128 bytes; bytes 0x00-0x0D other than the alarms are held below, not here. */
  ram: number[];
  /** Register A without UIP. */
  regA: number;
  /** Register B as written (SET clears UIE). */
  regB: number;
  /** PF, AF, UF (IRQF is derived). */
  flags: number;
  /** The time and calendar counters. */
  time: RtcTime;
  /** Guest ns at which the divider chain's second count is zero (updates at origin + k s). */
  originNs: number;
  /** Guest ns up to which update cycles and periodic taps have been accounted for. */
  syncedNs: number;
  /** DSE: October's 1 AM hour has been repeated already. */
  fellBack: boolean;
}

const NS_PER_S = 1_000_000_000;
const SECONDS_PER_DAY = 86_400;

/** Time-base cycles in `ns` nanoseconds (floor), exact in integers for any guest time. */
function cyclesIn(ns: number): number {
  const s = Math.floor(ns / NS_PER_S);
  const rem = (ns - s * NS_PER_S) * TIME_BASE_HZ;
  return s * TIME_BASE_HZ + (rem - (rem % NS_PER_S)) / NS_PER_S;
}

/** Nanoseconds until the `cycles`-th time-base edge (rounded up to a whole ns). */
function nsOfCycles(cycles: number): number {
  const s = Math.floor(cycles / TIME_BASE_HZ);
  return s * NS_PER_S + Math.ceil(((cycles - s * TIME_BASE_HZ) * NS_PER_S) / TIME_BASE_HZ);
}

/**
 * Periodic interrupt period in time-base cycles for rate select `rs` (datasheet table 5,
 * 32.768 kHz column): RS 1 and 2 repeat RS 8 and 9 (256 and 128 Hz); RS 3-15 give
 * 2^(RS-1) cycles, from 122.07 µs (8192 Hz) to 500 ms (2 Hz). 0 = none.
 */
export function periodCycles(rs: number): number {
  if (rs === 0) return 0;
  if (rs <= 2) return 1 << (rs + 6);
  return 1 << (rs - 1);
}

const toBcd = (v: number): number => ((v / 10) | 0) * 16 + (v % 10);

/** The MC146818A with 128 bytes of address space. */
export class Mc146818 {
  private index = 0;
  private nmiDisabled = false;
  private readonly ram = new Uint8Array(CMOS_SIZE);
  // What every PC BIOS programs (32.768 kHz, RS = 6: 1024 Hz); the chip keeps it on battery.
  private regA = A_DV_32KHZ | 0x06;
  private regB = B_24H;
  private flags = 0;
  private time: RtcTime;
  private originNs = 0;
  private syncedNs = 0;
  private readonly dst = { fellBack: false };

  constructor(
    private readonly w: RtcWiring,
    start: RtcTime,
  ) {
    this.time = { ...start };
    this.syncedNs = w.clock.now();
    this.originNs = this.syncedNs;
  }

  /** Port 0x70: latch the index and the NMI mask. */
  writeIndex(value: number): void {
    this.index = value & INDEX_MASK;
    this.nmiDisabled = (value & INDEX_NMI_DISABLE) !== 0;
  }

  /** Whether the guest masked NMI through port 0x70 bit 7 (the VMM raises no NMIs). */
  get nmiMasked(): boolean {
    return this.nmiDisabled;
  }

  /** Port 0x71 read: the byte the index selects. */
  readData(): number {
    const i = this.index;
    // CMOS RAM: plain storage, no clock involved.
    if (i >= CMOS_FIRST_RAM) return this.ram[i] ?? 0;
    this.sync(this.w.clock.now());
    const t = this.time;
    switch (i) {
      case REG_SECONDS:
        return this.encode(t.sec);
      case REG_MINUTES:
        return this.encode(t.min);
      case REG_HOURS:
        return this.encodeHours(t.hour);
      case REG_DAY_OF_WEEK:
        return this.encode(t.dow);
      case REG_DAY_OF_MONTH:
        return this.encode(t.dom);
      case REG_MONTH:
        return this.encode(t.mon);
      case REG_YEAR:
        return this.encode(t.year);
      case REG_A:
        return this.regA | (this.uip() ? A_UIP : 0);
      case REG_B:
        return this.regB;
      case REG_C: {
        const c = this.readC();
        this.updateIrq();
        return c;
      }
      case REG_D:
        // The battery never runs out.
        return D_VRT;
      case REG_SECONDS_ALARM:
      case REG_MINUTES_ALARM:
      case REG_HOURS_ALARM:
        return this.ram[i] ?? 0;
      default:
        return this.w.fail(`MC146818: internal: register index 0x${i.toString(16)}`);
    }
  }

  /** Port 0x71 write: the byte the index selects. */
  writeData(value: number): void {
    const i = this.index;
    const v = value & 0xff;
    if (i >= CMOS_FIRST_RAM) {
      this.ram[i] = v;
      return;
    }
    this.sync(this.w.clock.now());
    switch (i) {
      case REG_SECONDS:
        this.time.sec = this.decode(v, 'sec', 'seconds');
        break;
      case REG_MINUTES:
        this.time.min = this.decode(v, 'min', 'minutes');
        break;
      case REG_HOURS:
        this.time.hour = this.decodeHours(v);
        break;
      case REG_DAY_OF_WEEK:
        this.time.dow = this.decode(v, 'dow', 'day of week');
        break;
      case REG_DAY_OF_MONTH:
        this.time.dom = this.decode(v, 'dom', 'day of month');
        break;
      case REG_MONTH:
        this.time.mon = this.decode(v, 'mon', 'month');
        break;
      case REG_YEAR:
        this.time.year = this.decode(v, 'year', 'year');
        break;
      case REG_A:
        this.writeA(v);
        break;
      case REG_B:
        this.writeB(v);
        break;
      case REG_C:
      case REG_D:
        // Registers C and D are read-only (datasheet: "cannot be written"); the write is lost.
        break;
      case REG_SECONDS_ALARM:
      case REG_MINUTES_ALARM:
      case REG_HOURS_ALARM:
        // Stored as written: the chip compares the bytes, whatever the data mode.
        this.ram[i] = v;
        break;
      default:
        this.w.fail(`MC146818: internal: register index 0x${i.toString(16)}`);
    }
    this.updateIrq();
  }

  /** A byte of the address space as stored, without side effects (the CMOS layout, tests). */
  peek(i: number): number {
    return this.ram[i & INDEX_MASK] ?? 0;
  }

  /** Store a CMOS RAM byte from outside (the PC/AT layout at power-on). */
  poke(i: number, value: number): void {
    this.ram[i & INDEX_MASK] = value & 0xff;
  }

  /** The timer's hook: guest time moved on. */
  update(nowNs: number): void {
    this.sync(nowNs);
    this.updateIrq();
  }

  /**
   * The next instant an enabled interrupt can raise the IRQ pin, or Infinity: nothing while
   * the pin is already high (only a register C read can re-arm it), nothing while the divider
   * is stopped.
   */
  nextDeadline(): number {
    if (this.w.irq.level || (this.regA & A_DV_MASK) !== A_DV_32KHZ) return Infinity;
    let next = Infinity;
    const rs = this.regA & A_RS_MASK;
    if (this.regB & B_PIE && rs !== 0) {
      const p = periodCycles(rs);
      const elapsed = cyclesIn(this.syncedNs - this.originNs);
      next = this.originNs + nsOfCycles((Math.floor(elapsed / p) + 1) * p);
    }
    if (this.regB & (B_UIE | B_AIE) && !(this.regB & B_SET)) {
      next = Math.min(next, this.nextUpdateNs(this.syncedNs));
    }
    return next;
  }

  /** RESET pin (VM reset): clears PIE, AIE, UIE, SQWE and the flags; time and RAM survive. */
  reset(): void {
    this.sync(this.w.clock.now());
    this.regB &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
    this.flags = 0;
    this.nmiDisabled = false;
    this.updateIrq();
  }

  /** A plain copy of the state. */
  save(): RtcState {
    // No sync here: the state carries syncedNs, and the restored chip catches up on its own.
    return {
      index: this.index,
      nmiDisabled: this.nmiDisabled,
      ram: Array.from(this.ram),
      regA: this.regA,
      regB: this.regB,
      flags: this.flags,
      time: { ...this.time },
      originNs: this.originNs,
      syncedNs: this.syncedNs,
      fellBack: this.dst.fellBack,
    };
  }

  /** Restore a state `save()` returned (checked by the device). */
  load(s: RtcState): void {
    this.index = s.index;
    this.nmiDisabled = s.nmiDisabled;
    this.ram.set(s.ram);
    this.regA = s.regA;
    this.regB = s.regB;
    this.flags = s.flags;
    this.time = { ...s.time };
    this.originNs = s.originNs;
    this.syncedNs = s.syncedNs;
    this.dst.fellBack = s.fellBack;
    this.updateIrq();
  }

  /** The time counters as they stand now (tests, the app). */
  now(): RtcTime {
    this.update(this.w.clock.now());
    return { ...this.time };
  }

  // ---- registers ----

  private writeA(v: number): void {
    const oldDv = this.regA & A_DV_MASK;
    const dv = v & A_DV_MASK;
    switch (dv) {
      case A_DV_32KHZ:
        // Leaving divider reset: the chain restarts half a second before its first update.
        if (oldDv !== A_DV_32KHZ) this.originNs = this.syncedNs + FIRST_UPDATE_AFTER_RESET_NS - NS_PER_S;
        break;
      case A_DV_RESET1:
      case A_DV_RESET2:
        // Divider held in reset: no updates, no periodic taps, until DV = 010 again.
        break;
      case A_DV_4MHZ:
      case A_DV_1MHZ:
        this.w.fail(
          `MC146818: register A DV=${(dv >> 4).toString(2).padStart(3, '0')} selects a ${dv === A_DV_4MHZ ? '4.194304' : '1.048576'} MHz time base; the PC's RTC crystal is 32.768 kHz (DV=010)`,
        );
        break;
      default:
        this.w.fail(`MC146818: register A DV=${(dv >> 4).toString(2).padStart(3, '0')} is a divider test mode, not implemented`);
    }
    this.regA = v & A_WRITABLE;
  }

  private writeB(v: number): void {
    // Datasheet: SET going high aborts the update cycle and clears UIE.
    if (v & B_SET) v &= ~B_UIE;
    this.regB = v;
    if (__DEBUG_NVRAM__ && this.w.debugOn()) this.w.debug(`MC146818: register B = 0x${v.toString(16)}`);
  }

  private readC(): number {
    const value = this.flags | (this.irqf() ? C_IRQF : 0);
    this.flags = 0;
    return value;
  }

  private irqf(): boolean {
    const b = this.regB;
    const f = this.flags;
    return ((f & C_PF && b & B_PIE) || (f & C_AF && b & B_AIE) || (f & C_UF && b & B_UIE)) !== 0;
  }

  private updateIrq(): void {
    const want = this.irqf();
    if (want && !this.w.irq.level) this.w.irq.raise();
    else if (!want && this.w.irq.level) this.w.irq.lower();
  }

  // ---- time ----

  private running(): boolean {
    return (this.regA & A_DV_MASK) === A_DV_32KHZ;
  }

  /** The first update boundary strictly after `t`. */
  private nextUpdateNs(t: number): number {
    return this.originNs + (Math.floor((t - this.originNs) / NS_PER_S) + 1) * NS_PER_S;
  }

  private uip(): boolean {
    if (!this.running() || this.regB & B_SET) return false;
    return this.nextUpdateNs(this.syncedNs) - this.syncedNs <= UIP_LEAD_NS;
  }

  /** Account for the update cycles and periodic taps in (syncedNs, now]. */
  private sync(now: number): void {
    const from = this.syncedNs;
    if (now <= from) return;
    this.syncedNs = now;
    if (!this.running()) return;
    const rs = this.regA & A_RS_MASK;
    if (rs !== 0) {
      const p = periodCycles(rs);
      if (Math.floor(cyclesIn(now - this.originNs) / p) > Math.floor(cyclesIn(from - this.originNs) / p)) this.flags |= C_PF;
    }
    const updates = Math.floor((now - this.originNs) / NS_PER_S) - Math.floor((from - this.originNs) / NS_PER_S);
    // With SET, the divider runs on but the updates are lost (the time stands still).
    if (updates > 0 && !(this.regB & B_SET)) this.advance(updates);
  }

  /** `n` update cycles: the time moves on, UF is set, AF if the alarm matched at any of them. */
  private advance(n: number): void {
    this.flags |= C_UF;
    const dse = (this.regB & B_DSE) !== 0;
    const t = this.time;
    for (let i = 0; i < n; i++) {
      // A whole day at once from midnight, once the alarm can no longer change: AF is set
      // already, or a full day of seconds was checked. DSE days go second by second.
      const alarmSettled = (this.flags & C_AF) !== 0 || i > SECONDS_PER_DAY;
      if (!dse && alarmSettled && n - i >= SECONDS_PER_DAY && t.sec === 0 && t.min === 0 && t.hour === 0) {
        nextDay(t);
        i += SECONDS_PER_DAY - 1;
        continue;
      }
      tickSecond(t, dse, this.dst);
      if (this.alarmMatches()) this.flags |= C_AF;
    }
    if (__DEBUG_NVRAM__ && this.w.debugOn()) {
      this.w.debug(`MC146818: ${n} update(s), now ${t.year}-${t.mon}-${t.dom} ${t.hour}:${t.min}:${t.sec}`);
    }
  }

  private alarmMatches(): boolean {
    const t = this.time;
    const match = (alarm: number, now: number): boolean => (alarm & ALARM_DONT_CARE) === ALARM_DONT_CARE || alarm === now;
    return (
      match(this.ram[REG_SECONDS_ALARM] ?? 0, this.encode(t.sec)) &&
      match(this.ram[REG_MINUTES_ALARM] ?? 0, this.encode(t.min)) &&
      match(this.ram[REG_HOURS_ALARM] ?? 0, this.encodeHours(t.hour))
    );
  }

  // ---- data mode ----

  private encode(v: number): number {
    return this.regB & B_DM_BINARY ? v : toBcd(v);
  }

  private encodeHours(h: number): number {
    if (this.regB & B_24H) return this.encode(h);
    return this.encode(h % 12 === 0 ? 12 : h % 12) | (h >= 12 ? HOURS_PM : 0);
  }

  /** A byte the guest wrote to a counter, in the current data mode; fails stop if invalid. */
  private decode(byte: number, field: keyof RtcTime, what: string): number {
    const [lo, hi] = FIELD_RANGES[field];
    let v = byte;
    if (!(this.regB & B_DM_BINARY)) {
      if ((byte & 0x0f) > 9 || byte >> 4 > 9) this.badValue(byte, what, 'not a BCD number');
      v = (byte >> 4) * 10 + (byte & 0x0f);
    }
    if (v < lo || v > hi) this.badValue(byte, what, `outside ${lo}-${hi}`);
    return v;
  }

  private decodeHours(byte: number): number {
    if (this.regB & B_24H) return this.decode(byte, 'hour', 'hours');
    const pm = (byte & HOURS_PM) !== 0;
    const h12 = this.regB & B_DM_BINARY ? byte & 0x7f : this.decodeBcd12(byte & 0x7f);
    if (h12 < 1 || h12 > 12) this.badValue(byte, 'hours (12-hour mode)', 'outside 1-12');
    return (h12 % 12) + (pm ? 12 : 0);
  }

  private decodeBcd12(byte: number): number {
    if ((byte & 0x0f) > 9 || byte >> 4 > 9) this.badValue(byte, 'hours (12-hour mode)', 'not a BCD number');
    return (byte >> 4) * 10 + (byte & 0x0f);
  }

  private badValue(byte: number, what: string, why: string): never {
    const mode = `${this.regB & B_DM_BINARY ? 'binary' : 'BCD'}, ${this.regB & B_24H ? '24' : '12'}-hour`;
    return this.w.fail(`MC146818: ${what} write 0x${byte.toString(16)} is ${why} (${mode} mode); the datasheet leaves the clock undefined`);
  }
}
