import { wallMs } from './wall-clock.js';
import { V3Error, type DeviceTimer, type GuestClock } from '@v3/device-api';

/**
 * Guest time and device timers of one VM. Two clocks:
 * - `virtual`: time is a function of retired guest instructions (at `virtualMips` instructions
 *   per microsecond) plus the time skipped while the core was halted, so a run is reproducible
 *   to the byte;
 * - `host`: wall time since the VM started, minus the time it spent paused.
 */
export class VmTime implements GuestClock {
  readonly kind: 'host' | 'virtual';
  private readonly timers: DeviceTimer[] = [];
  /** Virtual clock: ns per retired instruction. */
  private readonly nsPerInstruction: number;
  /** Virtual clock: ns skipped while halted. */
  private skippedNs = 0;
  /** Virtual clock: retired instructions seen so far. */
  private retired = 0;
  /** Virtual clock: the running core's live retired count, when a core is attached. */
  private retiredSource: (() => number) | null = null;
  /** Host clock: wall ms when time started and ms spent paused. */
  private hostStartMs = 0;
  private pausedAtMs = -1;
  private pausedTotalMs = 0;

  constructor(kind: 'host' | 'virtual', virtualMips: number) {
    this.kind = kind;
    this.nsPerInstruction = 1000 / virtualMips;
    this.hostStartMs = wallMs();
  }

  /** Nanoseconds of guest time since the VM started. */
  now(): number {
    if (this.kind === 'virtual') {
      const retired = this.retiredSource ? this.retiredSource() : this.retired;
      return retired * this.nsPerInstruction + this.skippedNs;
    }
    const at = this.pausedAtMs >= 0 ? this.pausedAtMs : wallMs();
    return (at - this.hostStartMs - this.pausedTotalMs) * 1e6;
  }

  /** The core retired instructions (the virtual clock's source). */
  setRetired(total: number): void {
    this.retired = total;
  }

  /**
   * Follow a core's retired-instruction count live, so a device that reads the clock in the
   * middle of a slice (a PIT counter read, port 0x61's OUT2, the APIC timer's current count)
   * sees the time of that very instruction, as the guest's RDTSC does, not the slice's start.
   */
  followRetired(source: () => number): void {
    this.retiredSource = source;
  }

  /** How many instructions fit before guest time reaches `deadlineNs` (virtual clock). */
  instructionsUntil(deadlineNs: number): number {
    const ns = deadlineNs - this.now();
    return ns <= 0 ? 0 : Math.ceil(ns / this.nsPerInstruction);
  }

  /** Halted under the virtual clock: jump guest time forward to `ns`. */
  skipTo(ns: number): void {
    const now = this.now();
    if (ns > now) this.skippedNs += ns - now;
  }

  /** The VM paused / continued: host-clock guest time stands still in between. */
  pause(): void {
    if (this.pausedAtMs < 0) this.pausedAtMs = wallMs();
  }
  resume(): void {
    if (this.pausedAtMs >= 0) {
      this.pausedTotalMs += wallMs() - this.pausedAtMs;
      this.pausedAtMs = -1;
    }
  }

  /** `v3_add_timer`. */
  addTimer(t: DeviceTimer): void {
    this.timers.push(t);
  }

  /** `v3_remove_timer`. */
  removeTimer(t: DeviceTimer): void {
    const i = this.timers.indexOf(t);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** The earliest deadline of all timers (Infinity when none). */
  nextDeadline(): number {
    let next = Infinity;
    for (let i = 0; i < this.timers.length; i++) {
      const d = (this.timers[i] as DeviceTimer).nextDeadline();
      if (d < next) next = d;
    }
    return next;
  }

  /** Tell every timer the time (Palacios' `v3_update_timers`). */
  update(): void {
    const now = this.now();
    for (let i = 0; i < this.timers.length; i++) (this.timers[i] as DeviceTimer).update(now);
    if (__DEBUG_TIME__) {
      for (const t of this.timers) {
        if (t.nextDeadline() < now) throw new V3Error({ component: 'time' }, 'a timer kept a deadline in the past');
      }
    }
  }
}
