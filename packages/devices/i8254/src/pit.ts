/*
 * The PC's 8254 programmable interval timer: three counters on one 1.193182 MHz CLK. Counter 0's
 * OUT drives IRQ 0, counter 1 (DRAM refresh on the original PC) is free, counter 2 is the speaker
 * tone, its GATE and OUT wired to port 0x61 (the AT's port B, "NMI status and control").
 * The counters' behaviour is in channel.ts; this file holds the control port (mode words, counter
 * latch, read-back), port 0x61, the clock arithmetic and the IRQ line.
 */
import type { IrqLine } from '@v3/device-api';
import { Channel, powerOnChannel, type ChannelEnv } from './channel.js';
import {
  CW_BCD,
  CW_MODE_SHIFT,
  CW_RW_SHIFT,
  CW_SC_READBACK,
  CW_SC_SHIFT,
  PB_GATE2,
  PB_OUT2,
  PB_REFRESH,
  PB_WRITABLE,
  PIT_HZ,
  RB_CNT_SHIFT,
  RB_COUNT_N,
  RB_RESERVED,
  RB_STATUS_N,
  REFRESH_PERIOD_NS,
  RW_LATCH,
} from './regs.js';
import type { ChannelState, PitState } from './state.js';

const NS_PER_S = 1_000_000_000;

/**
 * CLK pulses that have happened by `ns` nanoseconds: floor(ns * 1193182 / 1e9), computed per whole
 * second so every intermediate stays an exact integer below 2^53.
 */
export function ticksAt(ns: number): number {
  const t = Math.floor(ns);
  const sec = Math.floor(t / NS_PER_S);
  const rem = t - sec * NS_PER_S;
  return sec * PIT_HZ + Math.floor((rem * PIT_HZ) / NS_PER_S);
}

/** The first whole nanosecond by which CLK pulse `tick` has happened. */
export function nsAtTick(tick: number): number {
  const sec = Math.floor(tick / PIT_HZ);
  const rem = tick - sec * PIT_HZ;
  return sec * NS_PER_S + Math.ceil((rem * NS_PER_S) / PIT_HZ);
}

/** What the timer needs from its surroundings. */
export interface PitEnv extends ChannelEnv {
  /** The line counter 0's OUT drives. */
  readonly irq: IrqLine;
  /** Whether PIT debug output is on at run time. */
  traceOn(): boolean;
  /** Print one PIT debug line. */
  trace(message: string): void;
}

/** The three counters, port 0x61, and counter 0's IRQ. All entry points take guest time in ns. */
export class Pit {
  readonly channels: readonly [Channel, Channel, Channel];
  /** Port 0x61 bits 0-3 as written. */
  private portB = 0;
  /** The level this device drives on its IRQ line. */
  private irqLevel = false;
  /** The tick up to which counter 0's OUT has been followed onto the IRQ line. */
  private synced = 0;

  constructor(private readonly env: PitEnv) {
    // Counters 0 and 1 have GATE tied high; counter 2's GATE is port 0x61 bit 0 (low at reset).
    this.channels = [new Channel(0, true, env), new Channel(1, true, env), new Channel(2, false, env)];
  }

  /** A read of 0x40-0x42 (0x43 is write only). */
  readPort(offset: number, nowNs: number): number {
    const t = this.sync(nowNs);
    if (offset > 2) this.env.fail('unsupported read of the control word register (port 0x43 is write only)');
    return this.channels[offset as 0 | 1 | 2].readData(t);
  }

  /** A write to 0x40-0x43. */
  writePort(offset: number, value: number, nowNs: number): void {
    const t = this.sync(nowNs);
    const v = value & 0xff;
    if (offset <= 2) {
      const ch = this.channels[offset as 0 | 1 | 2];
      ch.writeData(v, t);
      if (__DEBUG_PIT__ && this.env.traceOn()) this.env.trace(`8254: counter ${offset} data byte 0x${v.toString(16)}`);
    } else {
      this.control(v, t);
    }
    this.follow(t);
  }

  /** A read of port 0x61. */
  readPortB(nowNs: number): number {
    const t = this.sync(nowNs);
    // The refresh request flips every 15.085 us; bits 6-7 (parity and channel check) stay 0:
    // nothing here raises those NMIs.
    const refresh = Math.floor(nowNs / REFRESH_PERIOD_NS) & 1 ? PB_REFRESH : 0;
    const out2 = this.channels[2].outAt(t) ? PB_OUT2 : 0;
    return this.portB | refresh | out2;
  }

  /** A write to port 0x61: GATE2, speaker data, NMI check enables; bits 4-7 are read only. */
  writePortB(value: number, nowNs: number): void {
    const t = this.sync(nowNs);
    this.portB = value & PB_WRITABLE;
    this.channels[2].setGate((value & PB_GATE2) !== 0, t);
    if (__DEBUG_PIT__ && this.env.traceOn()) this.env.trace(`8254: port 0x61 = 0x${this.portB.toString(16)} (GATE2 ${value & PB_GATE2 ? 'high' : 'low'})`);
  }

  /** Guest time moved on: follow counter 0's OUT onto the IRQ line. */
  update(nowNs: number): void {
    this.sync(nowNs);
  }

  /** When counter 0's OUT changes next, in ns since VM start (Infinity: never, as things stand). */
  nextDeadline(): number {
    const c = this.channels[0].nextChange(this.synced);
    return c === Infinity ? Infinity : nsAtTick(c);
  }

  /** A copy of the timer's state. */
  save(): PitState {
    return {
      channels: this.channels.map((c) => ({ ...c.s, pending: c.s.pending ? { ...c.s.pending } : null })),
      portB: this.portB,
      irqLevel: this.irqLevel,
      syncedTick: this.synced,
    };
  }

  /** Restore what `save()` returned (the IRQ line is driven to the saved level). */
  load(state: unknown): void {
    const st = checkState(state, this.env);
    st.channels.forEach((c, i) => {
      this.channels[i as 0 | 1 | 2].s = { ...c, pending: c.pending ? { ...c.pending } : null };
    });
    this.portB = st.portB;
    this.synced = st.syncedTick;
    this.drive(st.irqLevel);
  }

  /** Power-on state at time `nowNs`: no counter programmed, OUT pins low. */
  reset(nowNs: number): void {
    this.channels.forEach((c, i) => {
      c.s = powerOnChannel(i !== 2);
    });
    this.portB = 0;
    this.synced = ticksAt(nowNs);
    this.drive(false);
  }

  // ---- internals ----

  private control(v: number, t: number): void {
    const sc = v >> CW_SC_SHIFT;
    if (sc === CW_SC_READBACK) {
      this.readBack(v, t);
      return;
    }
    const ch = this.channels[sc as 0 | 1 | 2];
    const rw = (v >> CW_RW_SHIFT) & 3;
    if (rw === RW_LATCH) {
      ch.latchCount(t);
      if (__DEBUG_PIT__ && this.env.traceOn()) this.env.trace(`8254: counter ${sc} latch`);
      return;
    }
    const bits = (v >> CW_MODE_SHIFT) & 7;
    // M2 is a don't-care for modes 2 and 3: 110 and 111 select them too.
    const mode = bits > 5 ? bits & 3 : bits;
    ch.writeControl(mode, bits, rw, (v & CW_BCD) !== 0, t);
    if (__DEBUG_PIT__ && this.env.traceOn()) this.env.trace(`8254: counter ${sc} control word 0x${v.toString(16)}: mode ${mode}, access ${['latch', 'LSB', 'MSB', 'LSB/MSB'][rw]}, ${v & CW_BCD ? 'BCD' : 'binary'}`);
  }

  private readBack(v: number, t: number): void {
    if (v & RB_RESERVED) this.env.fail(`unsupported read-back command 0x${v.toString(16)}: bit D0 must be zero`);
    for (let i = 0; i < 3; i++) {
      if ((v & (1 << (RB_CNT_SHIFT + i))) === 0) continue;
      const ch = this.channels[i as 0 | 1 | 2];
      // COUNT and STATUS are active low; a counter already latched keeps its first latch.
      if ((v & RB_COUNT_N) === 0) ch.latchCount(t);
      if ((v & RB_STATUS_N) === 0) ch.latchStatus(t);
    }
    if (__DEBUG_PIT__ && this.env.traceOn()) this.env.trace(`8254: read-back 0x${v.toString(16)}`);
  }

  /** Bring counter 0's IRQ up to `nowNs` and return the current tick. */
  private sync(nowNs: number): number {
    const t = Math.max(ticksAt(nowNs), this.synced);
    const ch0 = this.channels[0];
    let cur = this.synced;
    for (let edges = 0; ; edges++) {
      const c = ch0.nextChange(cur);
      if (c > t) break;
      if (edges === 4) {
        // More OUT changes were due than anyone looked at (the VMM stepped past deadlines):
        // the PIC latches one edge anyway, so give it one and land on the current level.
        const final = ch0.outAt(t);
        if (this.irqLevel === final) {
          this.drive(!final);
        }
        this.drive(final);
        break;
      }
      this.drive(ch0.outAt(c));
      cur = c;
    }
    for (const ch of this.channels) ch.settle(t);
    this.synced = t;
    return t;
  }

  /** After a write: counter 0's OUT may have changed at once. */
  private follow(t: number): void {
    this.drive(this.channels[0].outAt(t));
  }

  private drive(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.env.irq.raise();
    else this.env.irq.lower();
    if (__DEBUG_PIT__ && this.env.traceOn()) this.env.trace(`8254: IRQ ${this.env.irq.irq} ${level ? 'raised' : 'lowered'}`);
  }
}

const NUM = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const NUMBER_FIELDS = ['mode', 'modeBits', 'access', 'cr', 'writeLsb', 'latch', 'status', 'start', 'startCe', 'n', 'ceIdle'] as const;
const FLAG_FIELDS = ['programmed', 'bcd', 'crValid', 'readMsb', 'gate', 'counting', 'done', 'outIdle'] as const;

/** Check a saved state's shape; fail stop on anything malformed. */
function checkState(x: unknown, env: ChannelEnv): PitState {
  if (typeof x !== 'object' || x === null) return env.fail('bad saved state: not an object');
  const st = x as Partial<PitState>;
  if (!Array.isArray(st.channels) || st.channels.length !== 3) env.fail('bad saved state: channels');
  if (!NUM(st.portB) || typeof st.irqLevel !== 'boolean' || !NUM(st.syncedTick)) env.fail('bad saved state: portB, irqLevel or syncedTick');
  st.channels.forEach((c: unknown, i) => {
    if (typeof c !== 'object' || c === null) env.fail(`bad saved state: channel ${i}`);
    const r = c as Record<string, unknown>;
    for (const k of NUMBER_FIELDS) if (!NUM(r[k])) env.fail(`bad saved state: channel ${i}.${k}`);
    for (const k of FLAG_FIELDS) if (typeof r[k] !== 'boolean') env.fail(`bad saved state: channel ${i}.${k}`);
    if (r.nullUntil !== null && !NUM(r.nullUntil)) env.fail(`bad saved state: channel ${i}.nullUntil`);
    const ch = c as ChannelState;
    if (ch.mode < 0 || ch.mode > 5 || (ch.counting && (ch.mode === 2 || ch.mode === 3) && ch.n < 2)) env.fail(`bad saved state: channel ${i}.mode`);
    const p = r.pending as { at?: unknown; n?: unknown; low?: unknown } | null;
    if (p !== null && (typeof p !== 'object' || !NUM(p.at) || !NUM(p.n) || typeof p.low !== 'boolean')) env.fail(`bad saved state: channel ${i}.pending`);
  });
  return st as PitState;
}
