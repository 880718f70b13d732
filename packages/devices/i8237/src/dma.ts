/*
 * The PC/AT's DMA subsystem: two 8237As and the 74LS612 page registers. DMA1 (channels 0-3)
 * moves bytes: the 24-bit address is page[7:0] : address[15:0]. DMA2 (channels 4-7) moves words:
 * its address and count count words, the address is page[7:1] : address[15:0] : 0, and page bit 0
 * is unused. DMA1's HRQ is DMA2's DREQ 4, so channel 4 is the cascade and DMA1 only gets the bus
 * while channel 4 is in cascade mode, unmasked, and DMA2 is enabled.
 */
import { Controller, type ControllerEnv } from './controller.js';
import {
  MODE_AUTOINIT,
  MODE_CASCADE,
  MODE_DECREMENT,
  MODE_MODE_SHIFT,
  MODE_NAMES,
  MODE_TYPE_SHIFT,
  PAGE_BASE,
  PAGE_COUNT,
  PAGE_PORT_OF_CHANNEL,
  TYPE_NAMES,
} from './regs.js';
import { dmaStateProblem, type DmaState } from './state.js';

/** A channel's transfer type (mode bits 3-2): `write` moves I/O to memory, `read` memory to I/O. */
export type DmaTransferType = 'verify' | 'write' | 'read' | 'illegal';
/** A channel's mode (mode bits 7-6). */
export type DmaMode = 'demand' | 'single' | 'block' | 'cascade';

/** A snapshot of one channel, as a device that uses DMA (or a debugger) sees it. */
export interface DmaChannelInfo {
  /** Channel 0-7. */
  readonly channel: number;
  /** Bytes per transfer: 1 on DMA1, 2 on DMA2. */
  readonly unitBytes: 1 | 2;
  /** Base address register (bytes on DMA1, words on DMA2). */
  readonly baseAddr: number;
  /** Current address register. */
  readonly curAddr: number;
  /** Base word count register (N means N + 1 transfers). */
  readonly baseCount: number;
  /** Current word count register. */
  readonly curCount: number;
  /** The channel's page register byte. */
  readonly page: number;
  /** Guest-physical byte address of the next transfer. */
  readonly physAddr: number;
  /** Mode register bits 7-2 as written (bits 1-0 zero). */
  readonly modeByte: number;
  readonly mode: DmaMode;
  readonly transferType: DmaTransferType;
  readonly autoinit: boolean;
  readonly decrement: boolean;
  /** Mask bit. */
  readonly masked: boolean;
  /** Software request bit. */
  readonly request: boolean;
  /** TC status bit (not cleared by looking). */
  readonly tc: boolean;
}

/** One contiguous run a DREQ transfer covers; the caller moves the data. */
export interface DmaRun {
  /** Channel 0-7. */
  readonly channel: number;
  /** `write`: the device writes memory; `read`: the device reads memory; `verify`: no memory cycle. */
  readonly type: 'verify' | 'write' | 'read';
  /** Guest-physical byte address of the first unit. */
  readonly start: number;
  /** Units moved (bytes on DMA1, words on DMA2). */
  readonly units: number;
  /** Bytes per unit (1 or 2). */
  readonly unitBytes: 1 | 2;
  /** Units go downwards from `start` (address decrement mode). */
  readonly decrement: boolean;
  /** The run ended at terminal count (the device should see TC / EOP). */
  readonly tc: boolean;
}

/**
 * The interface a device that uses DMA reaches through `host.findDevice<DmaController>(id)`.
 */
export interface DmaController {
  /** A snapshot of channel 0-7. */
  channelState(channel: number): DmaChannelInfo;
  /**
   * The device on `channel` holds DREQ for up to `maxUnits` units: if the channel would be
   * serviced (controller enabled, channel unmasked, and for 0-3 channel 4 cascading), advance its
   * address and count over one contiguous run (it stops at terminal count and where the 16-bit
   * address wraps, as the page register does not carry), handle TC (status bit, autoinit reload
   * or mask) and return the run for the caller to move. Null when the channel is not serviced.
   */
  transfer(channel: number, maxUnits: number): DmaRun | null;
}

/** The two controllers and the page registers. */
export class Dma implements DmaController {
  readonly dma1: Controller;
  readonly dma2: Controller;
  private pages = new Array<number>(PAGE_COUNT).fill(0);

  constructor(private readonly env: ControllerEnv) {
    this.dma1 = new Controller('DMA1', 0, env);
    this.dma2 = new Controller('DMA2', 4, env);
  }

  /** Power-on state: everything zero, all channels masked. */
  reset(): void {
    this.dma1.reset();
    this.dma2.reset();
    this.pages.fill(0);
  }

  /** A read of page register port `port` (0x80-0x8F). */
  readPage(port: number): number {
    return this.pages[(port - PAGE_BASE) & 0x0f] as number;
  }

  /** A write of page register port `port` (0x80-0x8F). */
  writePage(port: number, value: number): void {
    this.pages[(port - PAGE_BASE) & 0x0f] = value & 0xff;
    if (__DEBUG_IO__ && this.env.traceOn()) {
      const ch = PAGE_PORT_OF_CHANNEL.indexOf(port);
      this.env.trace(`i8237: page 0x${port.toString(16)}${ch >= 0 ? ` (channel ${ch})` : ''} = 0x${(value & 0xff).toString(16)}`);
    }
  }

  channelState(channel: number): DmaChannelInfo {
    const { ctrl, n, wide } = this.locate(channel);
    const regs = ctrl.channel(n);
    const bit = 1 << n;
    const page = this.pages[PAGE_PORT_OF_CHANNEL[channel]! - PAGE_BASE] as number; // because: channel checked by locate()
    return {
      channel,
      unitBytes: wide ? 2 : 1,
      baseAddr: regs.baseAddr,
      curAddr: regs.curAddr,
      baseCount: regs.baseCount,
      curCount: regs.curCount,
      page,
      physAddr: physical(page, regs.curAddr, wide),
      modeByte: regs.mode,
      mode: MODE_NAMES[(regs.mode >> MODE_MODE_SHIFT) & 3] as DmaMode,
      transferType: TYPE_NAMES[(regs.mode >> MODE_TYPE_SHIFT) & 3] as DmaTransferType,
      autoinit: (regs.mode & MODE_AUTOINIT) !== 0,
      decrement: (regs.mode & MODE_DECREMENT) !== 0,
      masked: (ctrl.mask & bit) !== 0,
      request: (ctrl.request & bit) !== 0,
      tc: (ctrl.tc & bit) !== 0,
    };
  }

  transfer(channel: number, maxUnits: number): DmaRun | null {
    const { ctrl, n, wide } = this.locate(channel);
    if (!Number.isInteger(maxUnits) || maxUnits < 1) this.env.fail(`i8237: transfer on channel ${channel} of ${maxUnits} units`);
    if (channel === 4) this.env.fail('i8237: a DREQ on channel 4, which is the cascade of DMA1');
    const regs = ctrl.channel(n);
    if ((regs.mode >> MODE_MODE_SHIFT) === MODE_CASCADE) {
      this.env.fail(`i8237: a DREQ on channel ${channel} in cascade mode (ISA bus masters are not implemented)`);
    }
    if (!ctrl.enabled || ctrl.mask & (1 << n)) return null;
    if (!wide) {
      const cascade = this.dma2.channel(0);
      if (!this.dma2.enabled || this.dma2.mask & 1 || (cascade.mode >> MODE_MODE_SHIFT) !== MODE_CASCADE) return null;
    }
    const typeBits = (regs.mode >> MODE_TYPE_SHIFT) & 3;
    const type = TYPE_NAMES[typeBits] as 'verify' | 'write' | 'read';
    const decrement = (regs.mode & MODE_DECREMENT) !== 0;
    const remaining = regs.curCount + 1;
    const toWrap = decrement ? regs.curAddr + 1 : 0x10000 - regs.curAddr;
    const units = Math.min(maxUnits, remaining, toWrap);
    const page = this.pages[PAGE_PORT_OF_CHANNEL[channel]! - PAGE_BASE] as number; // because: channel checked by locate()
    const start = physical(page, regs.curAddr, wide);
    regs.curAddr = (regs.curAddr + (decrement ? -units : units)) & 0xffff;
    regs.curCount = (regs.curCount - units) & 0xffff;
    const tc = units === remaining;
    if (tc) ctrl.terminalCount(n);
    return { channel, type, start, units, unitBytes: wide ? 2 : 1, decrement, tc };
  }

  /** A plain copy of both controllers and the page bytes. */
  save(): DmaState {
    return { controllers: [this.dma1.save(), this.dma2.save()], pages: [...this.pages] };
  }

  /** Restore what `save()` returned; fails stop on a malformed state. */
  load(state: unknown): void {
    const problem = dmaStateProblem(state);
    if (problem !== null) this.env.fail(`i8237: load of a malformed state: ${problem}`);
    const s = state as DmaState; // because: dmaStateProblem() checked every field
    this.dma1.load(s.controllers[0]);
    this.dma2.load(s.controllers[1]);
    this.pages = [...s.pages];
  }

  private locate(channel: number): { ctrl: Controller; n: number; wide: boolean } {
    if (!Number.isInteger(channel) || channel < 0 || channel > 7) this.env.fail(`i8237: there is no DMA channel ${channel}`);
    return { ctrl: channel < 4 ? this.dma1 : this.dma2, n: channel & 3, wide: channel >= 4 };
  }
}

/** Guest-physical byte address of `addr` under `page` (DMA2 shifts words and drops page bit 0). */
function physical(page: number, addr: number, wide: boolean): number {
  return wide ? (page & 0xfe) * 0x10000 + addr * 2 : page * 0x10000 + addr;
}
