/*
 * The NS16550A UART as a state machine: no host, no ports, only the eight registers at offsets
 * 0-7, an IRQ line, the guest clock and a transmit callback.
 *
 * Summary of the chip, in our words (NS PC16550D / TI TL16C550C datasheets):
 * - Offsets 0 and 1 are RBR/THR and IER, or the divisor latch DLL/DLM while LCR.DLAB is set.
 *   Offset 2 reads IIR and writes FCR; 3 LCR; 4 MCR; 5 LSR; 6 MSR; 7 SCR.
 * - With FCR0 clear (16450 mode) the receiver holds one character in RBR. With FCR0 set, a
 *   16-byte receive FIFO raises "received data available" once its level reaches the trigger
 *   level (1/4/8/14), and a "character timeout" when characters sit below the trigger with no
 *   traffic for four character times.
 * - Four interrupt sources, by priority: receiver line status (overrun here), received data or
 *   character timeout, THR empty, modem status. IIR reports the highest pending one.
 * - MCR.LOOP wires the transmitter to the receiver and the modem outputs to the modem inputs.
 *
 * Modelling choices:
 * - Transmission is immediate: a THR write goes out (to the host stream, or to the receiver in
 *   loopback) at once, so THR, the transmit FIFO and the shift register are always empty
 *   (LSR.THRE and LSR.TEMT read 1), and the THR write that clears a THRE interrupt empties THR
 *   again at once, which re-asserts it, as a real 16550 does one character time later.
 * - Host input is never dropped: bytes the receiver cannot take yet wait in an input queue and
 *   enter the receiver as the guest drains it. Time is the guest clock only.
 */
import type { GuestClock, IrqLine } from '@v3/device-api';
import {
  CTI_CHAR_TIMES,
  DEFAULT_DIVISOR,
  FCR_DMA_MODE,
  FCR_FIFO_ENABLE,
  FCR_RX_RESET,
  FCR_TRIGGER_MASK,
  FIFO_DEPTH,
  IER_EDSSI,
  IER_ELSI,
  IER_ERBFI,
  IER_ETBEI,
  IER_WRITABLE,
  IIR_CTI,
  IIR_FIFOS_ENABLED,
  IIR_MSI,
  IIR_NO_INT,
  IIR_RDA,
  IIR_RLS,
  IIR_THRE,
  LCR_DLAB,
  LCR_PEN,
  LCR_SBC,
  LCR_STB,
  LCR_WLS_MASK,
  LSR_DR,
  LSR_ERROR_BITS,
  LSR_OE,
  LSR_TEMT,
  LSR_THRE,
  MCR_DTR,
  MCR_LOOP,
  MCR_OUT1,
  MCR_OUT2,
  MCR_RTS,
  MCR_WRITABLE,
  MSR_CTS,
  MSR_DCD,
  MSR_DCTS,
  MSR_DDCD,
  MSR_DDSR,
  MSR_DELTAS,
  MSR_DSR,
  MSR_HOST_LINES,
  MSR_RI,
  MSR_TERI,
  REG_DLL,
  REG_DLM,
  REG_FCR,
  REG_IER,
  REG_IIR,
  REG_LCR,
  REG_LSR,
  REG_MCR,
  REG_MSR,
  REG_RBR,
  REG_SCR,
  REG_THR,
  RX_TRIGGER_LEVELS,
  UART_CLOCK_HZ,
} from './regs.js';

/** What the UART is connected to. */
export interface UartWiring {
  /** The interrupt line (ISA IRQ 4 or 3 on the PC), driven as a level. */
  irq: IrqLine;
  /** Guest time, for the character timeout. */
  clock: GuestClock;
  /** One character leaves on the serial line (not called in loopback). */
  transmit(byte: number): void;
  /** Fail stop, naming the register offset involved. */
  fail(reason: string, offset?: number): never;
  /** Whether debug output is on (checked before building a message). */
  debugOn(): boolean;
  /** Print one debug line (the caller prefixes nothing: messages start with `16550:`). */
  debug(message: string): void;
}

/** The UART's complete state: plain and JSON-able (checkpoint). */
export interface UartState {
  /** Interrupt Enable (bits 0-3). */
  ier: number;
  /** Line Control. */
  lcr: number;
  /** Modem Control (bits 0-4). */
  mcr: number;
  /** FCR bits the chip keeps: FIFO enable, DMA mode, trigger level. */
  fcr: number;
  /** Scratch. */
  scr: number;
  /** Divisor latch, low byte. */
  dll: number;
  /** Divisor latch, high byte. */
  dlm: number;
  /** LSR error bits (OE) not yet cleared by an LSR read. */
  lsrErrors: number;
  /** MSR delta bits not yet cleared by an MSR read. */
  msrDeltas: number;
  /** Modem input lines (MSR bits 4-7) as last sampled. */
  msrLines: number;
  /** The last character read from RBR (what an empty receiver reads back). */
  rbr: number;
  /** Characters in the receiver: RBR (at most 1) or the receive FIFO (at most 16). */
  rx: number[];
  /** Host input waiting for room in the receiver, in order. */
  input: number[];
  /** THRE interrupt latch: set when THR empties, cleared by an IIR read reporting it. */
  thrIntPending: boolean;
  /** Character timeout latch: set after four silent character times, cleared by an RBR read. */
  timeoutPending: boolean;
  /** Guest time (ns) of the last receive or RBR read: the character timeout counts from it. */
  lastRxActivityNs: number;
}

/** The register state of a 16550A after master reset (datasheet "Reset" table). */
function resetState(keep?: Pick<UartState, 'scr' | 'dll' | 'dlm' | 'input'>): UartState {
  return {
    ier: 0,
    lcr: 0,
    mcr: 0,
    fcr: 0,
    scr: keep?.scr ?? 0,
    dll: keep?.dll ?? DEFAULT_DIVISOR & 0xff,
    dlm: keep?.dlm ?? DEFAULT_DIVISOR >> 8,
    lsrErrors: 0,
    msrDeltas: 0,
    msrLines: MSR_HOST_LINES,
    rbr: 0,
    rx: [],
    input: keep ? keep.input.slice() : [],
    thrIntPending: false,
    timeoutPending: false,
    lastRxActivityNs: 0,
  };
}

const hex2 = (v: number): string => '0x' + v.toString(16).padStart(2, '0');

/** One 16550A UART. Ports are offsets 0-7; the glue in device.ts adds the base. */
export class Uart16550 {
  private s: UartState = resetState();
  /** Read position in `s.input`, so a long paste is not shifted byte by byte. */
  private inputHead = 0;

  constructor(private readonly wire: UartWiring) {}

  // ---------------------------------------------------------------- register access

  /** A guest IN from offset `offset` (0-7). */
  read(offset: number): number {
    const s = this.s;
    let value: number;
    switch (offset) {
      case REG_RBR: // also DLL
        value = s.lcr & LCR_DLAB ? s.dll : this.readRbr();
        break;
      case REG_IER: // also DLM
        value = s.lcr & LCR_DLAB ? s.dlm : s.ier;
        break;
      case REG_IIR:
        value = this.readIir();
        break;
      case REG_LCR:
        value = s.lcr;
        break;
      case REG_MCR:
        value = s.mcr;
        break;
      case REG_LSR:
        value = this.lsr();
        // OE, PE, FE and BI are cleared by reading LSR.
        s.lsrErrors = 0;
        break;
      case REG_MSR:
        value = s.msrLines | s.msrDeltas;
        // The delta bits are cleared by reading MSR.
        s.msrDeltas = 0;
        break;
      case REG_SCR:
        value = s.scr;
        break;
      default:
        return this.wire.fail(`16550: read of offset ${offset} outside the UART`, offset);
    }
    if (__DEBUG_SERIAL__ && this.wire.debugOn()) this.wire.debug(`16550: read ${regName(offset, s.lcr, 'r')} -> ${hex2(value)}`);
    this.updateIrq();
    return value;
  }

  /** A guest OUT of `value` to offset `offset` (0-7). */
  write(offset: number, value: number): void {
    const s = this.s;
    value &= 0xff;
    if (__DEBUG_SERIAL__ && this.wire.debugOn()) this.wire.debug(`16550: write ${regName(offset, s.lcr, 'w')} <- ${hex2(value)}`);
    switch (offset) {
      case REG_THR: // also DLL
        if (s.lcr & LCR_DLAB) s.dll = value;
        else this.writeThr(value);
        break;
      case REG_IER: // also DLM
        if (s.lcr & LCR_DLAB) s.dlm = value;
        else this.writeIer(value);
        break;
      case REG_FCR:
        this.writeFcr(value);
        break;
      case REG_LCR:
        // Word length, stop bits, parity and break are kept (and read back); parity is not
        // generated or checked because the host stream carries bytes, not bits.
        s.lcr = value;
        break;
      case REG_MCR:
        this.writeMcr(value);
        break;
      case REG_LSR:
        // TL16C550C: LSR writes are for factory testing only; the chip's response is not specified.
        return this.wire.fail(`16550: write of ${hex2(value)} to LSR (factory test mode) not implemented`, offset);
      case REG_MSR:
        return this.wire.fail(`16550: write of ${hex2(value)} to MSR (factory test mode) not implemented`, offset);
      case REG_SCR:
        s.scr = value;
        break;
      default:
        return this.wire.fail(`16550: write to offset ${offset} outside the UART`, offset);
    }
    this.updateIrq();
  }

  // ---------------------------------------------------------------- host side

  /** Bytes from the host (a terminal, a file): queued, then fed into the receiver as it has room. */
  receiveFromHost(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.s.input.push(bytes[i] as number);
    this.feedReceiver();
    this.updateIrq();
  }

  /** Host bytes not yet in the receiver. */
  get pendingInput(): number {
    return this.s.input.length - this.inputHead;
  }

  /** Guest time (ns) at which the character timeout fires, or Infinity. */
  nextDeadline(): number {
    const s = this.s;
    if (!(s.fcr & FCR_FIFO_ENABLE) || s.rx.length === 0 || s.timeoutPending) return Infinity;
    return s.lastRxActivityNs + CTI_CHAR_TIMES * this.charTimeNs();
  }

  /** Guest time moved on: raise the character timeout when it became due. */
  update(nowNs: number): void {
    if (nowNs >= this.nextDeadline()) {
      this.s.timeoutPending = true;
      if (__DEBUG_SERIAL__ && this.wire.debugOn()) this.wire.debug(`16550: character timeout with ${this.s.rx.length} byte(s) in the FIFO`);
      this.updateIrq();
    }
  }

  /**
   * Nanoseconds one character takes on the line: start bit, 5-8 data bits, optional parity,
   * 1, 1.5 or 2 stop bits, at 1.8432 MHz / (16 x divisor) baud. A divisor of 0 counts as 65536.
   */
  charTimeNs(): number {
    const s = this.s;
    const dataBits = 5 + (s.lcr & LCR_WLS_MASK);
    const stopBits = s.lcr & LCR_STB ? (dataBits === 5 ? 1.5 : 2) : 1;
    const bits = 1 + dataBits + (s.lcr & LCR_PEN ? 1 : 0) + stopBits;
    const divisor = (s.dlm << 8) | s.dll || 0x10000;
    return Math.ceil((bits * 16 * divisor * 1e9) / UART_CLOCK_HZ);
  }

  // ---------------------------------------------------------------- state

  /** Master reset (VM reset): registers as the datasheet's reset table; host input still queued. */
  reset(): void {
    this.compactInput();
    this.s = resetState(this.s);
    this.s.lastRxActivityNs = this.wire.clock.now();
    this.feedReceiver();
    this.updateIrq();
  }

  /** A copy of the state. */
  save(): UartState {
    this.compactInput();
    const s = this.s;
    return { ...s, rx: s.rx.slice(), input: s.input.slice() };
  }

  /** Restore a state {@link save} returned. */
  load(state: UartState): void {
    this.s = { ...state, rx: state.rx.slice(), input: state.input.slice() };
    this.inputHead = 0;
    this.updateIrq();
  }

  // ---------------------------------------------------------------- registers in detail

  private readRbr(): number {
    const s = this.s;
    if (s.rx.length > 0) s.rbr = s.rx.shift() as number;
    // Datasheet: an RBR read clears the character timeout and restarts its timer.
    s.timeoutPending = false;
    s.lastRxActivityNs = this.wire.clock.now();
    this.feedReceiver();
    return s.rbr;
  }

  private readIir(): number {
    const id = this.pendingId();
    // Datasheet: reading IIR when THRE is the source clears the THRE interrupt.
    if (id === IIR_THRE) this.s.thrIntPending = false;
    return id | (this.s.fcr & FCR_FIFO_ENABLE ? IIR_FIFOS_ENABLED : 0);
  }

  private lsr(): number {
    const s = this.s;
    // Transmission is immediate, so THR and the shift register are always empty.
    return (s.rx.length > 0 ? LSR_DR : 0) | s.lsrErrors | LSR_THRE | LSR_TEMT;
  }

  private writeThr(value: number): void {
    const s = this.s;
    if (s.lcr & LCR_SBC) {
      // The line is held spacing while break is set; a character sent now would be mangled
      // on real hardware, and the host stream has no way to carry a break.
      this.wire.fail(`16550: transmit of ${hex2(value)} while break control (LCR bit 6) is set not implemented`, REG_THR);
    }
    const byte = value & this.wordMask();
    // The THR write clears the THRE interrupt; the immediate transfer to the shift register
    // empties THR again, which sets it again (datasheet: THRE interrupt on THR empty).
    s.thrIntPending = false;
    if (s.mcr & MCR_LOOP) this.receive(byte);
    else this.wire.transmit(byte);
    s.thrIntPending = true;
  }

  private writeIer(value: number): void {
    const s = this.s;
    s.ier = value & IER_WRITABLE;
    // Writing IER with ETBEI set while THR is empty re-arms the THRE interrupt (a 16550 habit
    // that Linux's 8250 driver and Windows rely on; THR is always empty here).
    if (s.ier & IER_ETBEI) s.thrIntPending = true;
  }

  private writeFcr(value: number): void {
    const s = this.s;
    const enable = value & FCR_FIFO_ENABLE;
    // Datasheet: changing FCR0 clears both FIFOs.
    if ((s.fcr ^ enable) & FCR_FIFO_ENABLE) this.clearRx();
    if (!enable) {
      // Datasheet: FCR0 must be 1 for the other FCR bits to be written; they keep their values.
      s.fcr &= ~FCR_FIFO_ENABLE;
      this.feedReceiver();
      return;
    }
    // FCR4-5 are reserved on the 16550A (Linux probes 64-byte mode with bit 5): no effect.
    s.fcr = value & (FCR_FIFO_ENABLE | FCR_DMA_MODE | FCR_TRIGGER_MASK);
    if (value & FCR_RX_RESET) this.clearRx();
    // FCR2 (transmit FIFO reset) has nothing to clear: transmission is immediate.
    this.feedReceiver();
  }

  private writeMcr(value: number): void {
    const s = this.s;
    const wasLoop = s.mcr & MCR_LOOP;
    s.mcr = value & MCR_WRITABLE;
    this.sampleModemLines();
    // Leaving loopback reconnects the receiver to the line: waiting host input flows again.
    if (wasLoop && !(s.mcr & MCR_LOOP)) this.feedReceiver();
  }

  /** Recompute MSR bits 4-7 and set the delta bits for lines that changed. */
  private sampleModemLines(): void {
    const s = this.s;
    let lines: number;
    if (s.mcr & MCR_LOOP) {
      // Datasheet, loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
      lines =
        (s.mcr & MCR_RTS ? MSR_CTS : 0) |
        (s.mcr & MCR_DTR ? MSR_DSR : 0) |
        (s.mcr & MCR_OUT1 ? MSR_RI : 0) |
        (s.mcr & MCR_OUT2 ? MSR_DCD : 0);
    } else {
      lines = MSR_HOST_LINES;
    }
    const changed = lines ^ s.msrLines;
    if (changed & MSR_CTS) s.msrDeltas |= MSR_DCTS;
    if (changed & MSR_DSR) s.msrDeltas |= MSR_DDSR;
    if (changed & MSR_DCD) s.msrDeltas |= MSR_DDCD;
    // TERI is set on the trailing edge of RI only (on -> off).
    if (changed & MSR_RI && !(lines & MSR_RI)) s.msrDeltas |= MSR_TERI;
    s.msrDeltas &= MSR_DELTAS;
    s.msrLines = lines;
  }

  // ---------------------------------------------------------------- receiver

  /** Capacity of the receiver: the FIFO, or RBR alone in 16450 mode. */
  private rxCapacity(): number {
    return this.s.fcr & FCR_FIFO_ENABLE ? FIFO_DEPTH : 1;
  }

  /** A character finished arriving at the receiver (from the line, or looped back). */
  private receive(byte: number): void {
    const s = this.s;
    byte &= this.wordMask();
    if (s.rx.length < this.rxCapacity()) {
      s.rx.push(byte);
    } else if (s.fcr & FCR_FIFO_ENABLE) {
      // Datasheet: with the FIFO full, the character in the shift register is overwritten
      // and not transferred; OE is set.
      s.lsrErrors |= LSR_OE;
    } else {
      // Datasheet (16450 mode): the unread RBR character is destroyed by the new one; OE is set.
      s.rx[0] = byte;
      s.lsrErrors |= LSR_OE;
    }
    // Datasheet: the timeout timer restarts on a received character unless a timeout is
    // already indicated (only an RBR read clears that).
    if (!s.timeoutPending) s.lastRxActivityNs = this.wire.clock.now();
  }

  /** Move waiting host input into the receiver while it has room (not in loopback: SIN is cut off). */
  private feedReceiver(): void {
    const s = this.s;
    if (s.mcr & MCR_LOOP) return;
    const cap = this.rxCapacity();
    while (this.inputHead < s.input.length && s.rx.length < cap) {
      this.receive(s.input[this.inputHead++] as number);
    }
    if (this.inputHead > 4096 && this.inputHead * 2 > s.input.length) this.compactInput();
  }

  private compactInput(): void {
    if (this.inputHead > 0) {
      this.s.input.splice(0, this.inputHead);
      this.inputHead = 0;
    }
  }

  private clearRx(): void {
    const s = this.s;
    if (__DEBUG_SERIAL__ && s.rx.length > 0 && this.wire.debugOn()) this.wire.debug(`16550: receive FIFO reset discards ${s.rx.length} byte(s)`);
    s.rx.length = 0;
    s.timeoutPending = false;
  }

  private wordMask(): number {
    return (1 << (5 + (this.s.lcr & LCR_WLS_MASK))) - 1;
  }

  // ---------------------------------------------------------------- interrupts

  /** The IIR interrupt ID of the highest-priority pending interrupt (datasheet Table IV). */
  private pendingId(): number {
    const s = this.s;
    if (s.ier & IER_ELSI && s.lsrErrors & LSR_ERROR_BITS) return IIR_RLS;
    if (s.ier & IER_ERBFI && s.rx.length > 0) {
      if (!(s.fcr & FCR_FIFO_ENABLE)) return IIR_RDA;
      const trigger = RX_TRIGGER_LEVELS[(s.fcr & FCR_TRIGGER_MASK) >> 6] as number;
      if (s.rx.length >= trigger) return IIR_RDA;
      if (s.timeoutPending) return IIR_CTI;
    }
    if (s.ier & IER_ETBEI && s.thrIntPending) return IIR_THRE;
    if (s.ier & IER_EDSSI && s.msrDeltas) return IIR_MSI;
    return IIR_NO_INT;
  }

  /**
   * Drive the IRQ line as a level. On the PC, OUT2 enables the UART's INTR onto the ISA bus;
   * in loopback the chip forces its OUT2 output inactive (datasheet), which masks it too.
   */
  private updateIrq(): void {
    const s = this.s;
    const want = this.pendingId() !== IIR_NO_INT && (s.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2;
    if (want !== this.wire.irq.level) {
      if (want) this.wire.irq.raise();
      else this.wire.irq.lower();
    }
  }
}

/** A register's datasheet name for debug output. */
function regName(offset: number, lcr: number, dir: 'r' | 'w'): string {
  const dlab = (lcr & LCR_DLAB) !== 0;
  switch (offset) {
    case REG_DLL:
      return dlab ? 'DLL' : dir === 'r' ? 'RBR' : 'THR';
    case REG_DLM:
      return dlab ? 'DLM' : 'IER';
    case REG_IIR:
      return dir === 'r' ? 'IIR' : 'FCR';
    case REG_LCR:
      return 'LCR';
    case REG_MCR:
      return 'MCR';
    case REG_LSR:
      return 'LSR';
    case REG_MSR:
      return 'MSR';
    case REG_SCR:
      return 'SCR';
    default:
      return `offset ${offset}`;
  }
}
