/*
 * One Intel 8237A: four channels, each with a base and current address and word count (16 bits,
 * written and read a byte at a time through the byte pointer flip-flop, low byte first) and a
 * mode register; and, shared by the four, the command, mask, request, status and temporary
 * registers.
 *
 * Writing an address or count loads both the base and the current register; reading returns the
 * current one. Master clear (like hardware reset) clears command, status, request, temporary and
 * the flip-flop and sets all four mask bits; addresses, counts and modes are kept.
 *
 * No device in v3 drives DREQ, so a transfer only starts when software asks for one through the
 * request register. The datasheet makes software requests non-maskable: as soon as the controller
 * is enabled with a request bit set, the real chip would move memory. That fails stop here, as does
 * memory-to-memory mode (command bit 0). Transfers a device asks for through DREQ are in dma.ts.
 */
import {
  CMD_DISABLE,
  CMD_DREQ_LOW,
  CMD_MEM_TO_MEM,
  MASK_SET,
  MODE_CASCADE,
  MODE_MODE_SHIFT,
  MODE_NAMES,
  MODE_TYPE_SHIFT,
  REG_ALL_MASK,
  REG_CH_LAST,
  REG_CLEAR_FF,
  REG_CLEAR_MASK,
  REG_MODE,
  REG_REQUEST,
  REG_SINGLE_MASK,
  REG_STATUS_COMMAND,
  REG_TEMP_MASTER_CLEAR,
  REQ_SET,
  SEL_CHANNEL,
  ST_REQ_SHIFT,
  TYPE_ILLEGAL,
  TYPE_NAMES,
} from './regs.js';
import { copyController, type ChannelRegs, type ControllerState } from './state.js';

/** What a controller needs from its surroundings. */
export interface ControllerEnv {
  /** Fail stop (throws). */
  fail(reason: string): never;
  /** Whether IO debug output is on at run time. */
  traceOn(): boolean;
  /** Print one debug line. */
  trace(message: string): void;
}

/** Names of the registers a read of which the 8237A datasheet calls illegal. */
const WRITE_ONLY: Readonly<Record<number, string>> = {
  [REG_REQUEST]: 'request register',
  [REG_SINGLE_MASK]: 'single mask register',
  [REG_MODE]: 'mode register',
  [REG_CLEAR_FF]: 'clear byte pointer flip-flop',
  [REG_CLEAR_MASK]: 'clear mask register',
};

const hex2 = (v: number): string => '0x' + v.toString(16).padStart(2, '0');

/** A description of a mode byte for messages: `block mode, write transfer, autoinit`. */
export function describeMode(mode: number): string {
  const m = (mode >> MODE_MODE_SHIFT) & 3;
  if (m === MODE_CASCADE) return 'cascade mode';
  const parts = [`${MODE_NAMES[m]} mode`, `${TYPE_NAMES[(mode >> MODE_TYPE_SHIFT) & 3]} transfer`];
  if (mode & 0x10) parts.push('autoinit');
  if (mode & 0x20) parts.push('address decrement');
  return parts.join(', ');
}

function powerOnChannel(): ChannelRegs {
  return { baseAddr: 0, curAddr: 0, baseCount: 0, curCount: 0, mode: 0 };
}

/** One 8237A. `first` is the number of its channel 0 in the PC's 0-7 numbering. */
export class Controller {
  private s: ControllerState = {
    channels: [powerOnChannel(), powerOnChannel(), powerOnChannel(), powerOnChannel()],
    command: 0,
    mask: 0x0f,
    request: 0,
    tc: 0,
    flipFlop: false,
    temp: 0,
  };

  constructor(
    /** `DMA1` or `DMA2`, for messages. */
    readonly name: string,
    /** PC channel number of this controller's channel 0 (0 or 4). */
    readonly first: number,
    private readonly env: ControllerEnv,
  ) {}

  /** Power-on: addresses, counts and modes zero, then the effect of a hardware reset. */
  reset(): void {
    this.s.channels = [powerOnChannel(), powerOnChannel(), powerOnChannel(), powerOnChannel()];
    this.masterClear();
  }

  /** Hardware reset / master clear: command, status, request, temporary, flip-flop cleared; all masked. */
  masterClear(): void {
    this.s.command = 0;
    this.s.request = 0;
    this.s.tc = 0;
    this.s.temp = 0;
    this.s.flipFlop = false;
    this.s.mask = 0x0f;
  }

  /** A read of register `reg` (0-15). */
  read(reg: number): number {
    if (reg <= REG_CH_LAST) {
      const ch = this.s.channels[reg >> 1] as ChannelRegs;
      const v = reg & 1 ? ch.curCount : ch.curAddr;
      return this.flip() ? (v >> 8) & 0xff : v & 0xff;
    }
    switch (reg) {
      case REG_STATUS_COMMAND: {
        // Reading the status clears the TC bits (3-0); the request bits (7-4) stay.
        const v = this.s.tc | (this.s.request << ST_REQ_SHIFT);
        this.s.tc = 0;
        return v;
      }
      case REG_TEMP_MASTER_CLEAR:
        return this.s.temp;
      case REG_ALL_MASK:
        // The 8237A calls this read illegal; PIIX-class chipsets return the mask bits in 3-0.
        return this.s.mask;
      case REG_REQUEST:
      case REG_SINGLE_MASK:
      case REG_MODE:
      case REG_CLEAR_FF:
      case REG_CLEAR_MASK:
        return this.env.fail(`i8237: read of the ${this.name} ${WRITE_ONLY[reg]} (write only on the 8237A)`);
      default:
        return this.env.fail(`i8237: ${this.name} has no register ${reg}`);
    }
  }

  /** A write of `value` (a byte) to register `reg` (0-15). */
  write(reg: number, value: number): void {
    const v = value & 0xff;
    if (reg <= REG_CH_LAST) {
      const ch = this.s.channels[reg >> 1] as ChannelRegs;
      const high = this.flip();
      const old = reg & 1 ? ch.baseCount : ch.baseAddr;
      const word = high ? (old & 0x00ff) | (v << 8) : (old & 0xff00) | v;
      // A write goes to both the base and the current register.
      if (reg & 1) ch.baseCount = ch.curCount = word;
      else ch.baseAddr = ch.curAddr = word;
      return;
    }
    switch (reg) {
      case REG_STATUS_COMMAND:
        this.writeCommand(v);
        return;
      case REG_REQUEST: {
        const bit = 1 << (v & SEL_CHANNEL);
        if (v & REQ_SET) this.s.request |= bit;
        else this.s.request &= ~bit;
        this.checkRequests();
        return;
      }
      case REG_SINGLE_MASK: {
        const bit = 1 << (v & SEL_CHANNEL);
        if (v & MASK_SET) this.s.mask |= bit;
        else this.s.mask &= ~bit;
        return;
      }
      case REG_MODE:
        this.writeMode(v);
        return;
      case REG_CLEAR_FF:
        this.s.flipFlop = false;
        return;
      case REG_TEMP_MASTER_CLEAR:
        this.trace('master clear');
        this.masterClear();
        return;
      case REG_CLEAR_MASK:
        this.s.mask = 0;
        return;
      case REG_ALL_MASK:
        this.s.mask = v & 0x0f;
        return;
      default:
        this.env.fail(`i8237: ${this.name} has no register ${reg}`);
    }
  }

  /** Channel n's registers (live object: dma.ts advances them on a DREQ transfer). */
  channel(n: number): ChannelRegs {
    return this.s.channels[n & 3] as ChannelRegs;
  }

  /** Mask register bits 3-0. */
  get mask(): number {
    return this.s.mask;
  }
  /** Request register bits 3-0. */
  get request(): number {
    return this.s.request;
  }
  /** Status TC bits 3-0 (not cleared by this getter). */
  get tc(): number {
    return this.s.tc;
  }
  /** Command register. */
  get command(): number {
    return this.s.command;
  }
  /** Whether the controller is enabled (command bit 2 clear). */
  get enabled(): boolean {
    return (this.s.command & CMD_DISABLE) === 0;
  }

  /**
   * Channel n reached terminal count: TC status set, its request bit cleared, and the current
   * registers reloaded (autoinit) or the channel masked.
   */
  terminalCount(n: number): void {
    const bit = 1 << (n & 3);
    const ch = this.channel(n);
    this.s.tc |= bit;
    this.s.request &= ~bit;
    if (ch.mode & 0x10) {
      ch.curAddr = ch.baseAddr;
      ch.curCount = ch.baseCount;
    } else {
      this.s.mask |= bit;
    }
  }

  /** A plain copy of the registers. */
  save(): ControllerState {
    return copyController(this.s);
  }

  /** Restore a checked state. */
  load(state: ControllerState): void {
    this.s = copyController(state);
  }

  private flip(): boolean {
    const high = this.s.flipFlop;
    this.s.flipFlop = !high;
    return high;
  }

  private writeCommand(v: number): void {
    this.trace(`command ${hex2(v)}`);
    this.s.command = v;
    if (v & CMD_MEM_TO_MEM) {
      this.env.fail(`i8237: ${this.name} command ${hex2(v)} enables memory-to-memory transfers (not implemented)`);
    }
    if (v & CMD_DREQ_LOW) {
      // With DREQ sensed active low, every idle (low) DREQ line of the PC would request service.
      this.env.fail(`i8237: ${this.name} command ${hex2(v)} sets DREQ sense active low (every idle DREQ would request a transfer)`);
    }
    this.checkRequests();
  }

  private writeMode(v: number): void {
    const n = v & SEL_CHANNEL;
    const mode = v & ~SEL_CHANNEL;
    this.trace(`channel ${this.first + n} mode ${hex2(v)}: ${describeMode(mode)}`);
    this.channel(n).mode = mode;
    if ((mode >> MODE_MODE_SHIFT) !== MODE_CASCADE && ((mode >> MODE_TYPE_SHIFT) & 3) === TYPE_ILLEGAL) {
      this.env.fail(`i8237: channel ${this.first + n} mode ${hex2(v)} selects transfer type 11 (illegal on the 8237A)`);
    }
  }

  /**
   * Software requests are not maskable: an enabled controller with a request bit set would start
   * the transfer now, and nothing here can move the memory.
   */
  private checkRequests(): void {
    if (!this.enabled || this.s.request === 0) return;
    for (let n = 0; n < 4; n++) {
      if (this.s.request & (1 << n)) {
        const masked = this.s.mask & (1 << n) ? 'masked' : 'unmasked';
        this.env.fail(
          `i8237: software DMA request on channel ${this.first + n} (${masked}, ${describeMode(this.channel(n).mode)}): ` +
            'memory transfers started by software are not implemented',
        );
      }
    }
  }

  private trace(message: string): void {
    if (__DEBUG_IO__ && this.env.traceOn()) this.env.trace(`i8237: ${this.name} ${message}`);
  }
}

