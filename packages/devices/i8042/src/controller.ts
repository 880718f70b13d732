/*
 * The Intel 8042 keyboard controller as the PC/AT and PS/2 program it: no host, no ports, only
 * the data port (0x60), the status/command port (0x64), System Control Port A (0x92), two IRQ
 * lines and the reset/A20 outputs.
 *
 * The chip, in our words (IBM PS/2 Hardware Interface Technical Reference):
 * - One output buffer byte for the system, with OBF in the status register and, when the
 *   command byte enables it, an interrupt: IRQ 1 for keyboard data, IRQ 12 for auxiliary data
 *   (AUXB tells which). The output port's bits 4 and 5 are those two interrupt lines.
 * - Commands written to 0x64 act on the controller; some take a byte written next to 0x60.
 *   Any other byte written to 0x60 goes to the keyboard.
 * - The command byte holds the interrupt enables, the system flag, the keyboard and auxiliary
 *   interface disables and the set 2 -> set 1 translation switch.
 * - The output port drives the CPU's reset line (bit 0, active low) and the A20 gate (bit 1).
 *
 * Modelling choices:
 * - Bytes wait in three queues and the output buffer takes the next one as soon as it is
 *   empty: controller replies first, then the keyboard (unless its interface is disabled),
 *   then the auxiliary port (unless disabled). Input-buffer writes complete at once (IBF = 0).
 * - IRQ 1/12 follow the output port bits: raised when a byte lands in the output buffer with its
 *   interrupt enabled, lowered when the system reads it. That is one rising edge per byte for
 *   the edge-triggered 8259A, and a correct level for a level-triggered IO-APIC input.
 * - No auxiliary device (mouse) is attached: the auxiliary interface itself works (test, enable,
 *   disable, loopback through 0xD3), but a byte sent to the device through 0xD4 times out, and
 *   the controller reports that as 0xFE with TO and AUXB set, as the PS/2 reference describes.
 * - A20: the gate is the OR of output port bit 1 and port 0x92 bit 1 (as PC chipsets combine
 *   A20GATE and ALT_A20). The VMM does not mask A20, so the device records the gate; a guest
 *   that turns it off fails stop, since its memory would then not behave as it expects.
 */
import {
  CB_DISABLE_AUX,
  CB_DISABLE_KBD,
  CB_INT,
  CB_INT2,
  CB_POWER_ON,
  CB_SYS,
  CB_XLAT,
  CMD_A20_OFF,
  CMD_A20_ON,
  CMD_AUX_DISABLE,
  CMD_AUX_ENABLE,
  CMD_AUX_TEST,
  CMD_KBD_DISABLE,
  CMD_KBD_ENABLE,
  CMD_KBD_TEST,
  CMD_PASSWORD_TEST,
  CMD_PULSE,
  CMD_READ_INPUT,
  CMD_READ_OUTPUT,
  CMD_READ_RAM,
  CMD_READ_TEST,
  CMD_SELF_TEST,
  CMD_WRITE_AUX,
  CMD_WRITE_AUX_OB,
  CMD_WRITE_KBD_OB,
  CMD_WRITE_OUTPUT,
  CMD_WRITE_RAM,
  INPUT_PORT,
  KBD_RESEND_REPLY,
  OUT_A20,
  OUT_IRQ1,
  OUT_IRQ12,
  OUT_LINES_IDLE,
  OUT_RESET,
  RET_INTERFACE_OK,
  RET_NO_PASSWORD,
  RET_SELF_TEST_OK,
  SCA_A20,
  SCA_RESET,
  STS_A2,
  STS_AUXB,
  STS_INH,
  STS_OBF,
  STS_SYS,
  STS_TO,
} from './regs.js';
import { Ps2Keyboard, type KeyboardState } from './keyboard.js';
import type { IrqLine } from '@v3/device-api';

/** What the controller is connected to. */
export interface ControllerWiring {
  /** IRQ 1. */
  kbdIrq: IrqLine;
  /** IRQ 12. */
  auxIrq: IrqLine;
  /** The CPU's reset line was pulsed. */
  reset(why: string): void;
  /** Fail stop (the device adds the port). */
  fail(reason: string): never;
  /** Whether debug output is on. */
  debugOn(): boolean;
  /** One debug line. */
  debug(message: string): void;
}

/** Queue entries: the byte, plus these flags. */
const Q_AUX = 0x100;
const Q_TIMEOUT = 0x200;

/** The controller's complete state (with the keyboard's): plain and JSON-able. */
export interface ControllerState {
  /** Controller RAM; byte 0 is the command byte. */
  ram: number[];
  /** The status register's SYS flag. */
  sys: boolean;
  /** The last input-buffer write was to 0x64 (A2). */
  lastWasCommand: boolean;
  /** Output buffer: the byte (with Q_AUX/Q_TIMEOUT flags), or -1 when empty. */
  ob: number;
  /** The last byte the output buffer held (what a read of an empty buffer returns). */
  lastOb: number;
  /** Controller replies waiting for the output buffer (flagged bytes). */
  ctrlQueue: number[];
  /** Auxiliary-port bytes waiting (flagged bytes). */
  auxQueue: number[];
  /** A controller command waiting for its data byte at 0x60, or 0. */
  pendingCommand: number;
  /** Output port bit 1 (A20 gate). */
  outA20: boolean;
  /** Port 0x92 as written (bit 0 reads back 0). */
  sysCtlA: number;
  /** The keyboard. */
  keyboard: KeyboardState;
}

const hex = (v: number): string => `0x${v.toString(16)}`;

/** The 8042 with its PS/2 keyboard. */
export class I8042 {
  /** The keyboard behind the controller. */
  readonly keyboard: Ps2Keyboard;
  private ram = new Array<number>(32).fill(0);
  private sys = false;
  private lastWasCommand = true;
  private ob = -1;
  private lastOb = 0;
  private ctrlQueue: number[] = [];
  private auxQueue: number[] = [];
  private pendingCommand = 0;
  private outA20 = true;
  private sysCtlA = 0;

  constructor(
    private readonly w: ControllerWiring,
    private readonly hasPort92: boolean,
  ) {
    this.keyboard = new Ps2Keyboard({
      translating: () => (this.commandByte & CB_XLAT) !== 0,
      changed: () => this.pump(),
      fail: (reason) => w.fail(reason),
    });
    this.ram[0] = CB_POWER_ON;
  }

  /** The command byte (controller RAM byte 0). */
  get commandByte(): number {
    return this.ram[0] ?? 0;
  }

  /** Whether address line 20 passes (the OR of the two gates). */
  get a20(): boolean {
    return this.outA20 || (this.hasPort92 && (this.sysCtlA & SCA_A20) !== 0);
  }

  // ---- ports ----

  /** Port 0x60 read: the output buffer (a stale byte when empty, as the chip's latch keeps it). */
  readData(): number {
    if (this.ob < 0) return this.lastOb & 0xff;
    const b = this.ob;
    this.ob = -1;
    this.lastOb = b;
    // OBF falls (and the IRQ line with it) before the next byte can raise it again.
    this.updateIrqs();
    this.pump();
    return b & 0xff;
  }

  /** Port 0x64 read: the status register. */
  readStatus(): number {
    let s = STS_INH;
    if (this.ob >= 0) {
      s |= STS_OBF;
      if (this.ob & Q_AUX) s |= STS_AUXB;
      if (this.ob & Q_TIMEOUT) s |= STS_TO;
    }
    if (this.sys) s |= STS_SYS;
    if (this.lastWasCommand) s |= STS_A2;
    return s;
  }

  /** Port 0x60 write: the data byte of a pending controller command, or a byte for the keyboard. */
  writeData(value: number): void {
    this.lastWasCommand = false;
    const cmd = this.pendingCommand;
    this.pendingCommand = 0;
    if (cmd === 0) {
      // Sending to the keyboard enables its interface: the controller must drive the clock.
      this.ram[0] = this.commandByte & ~CB_DISABLE_KBD;
      this.keyboard.receive(value);
      this.pump();
      return;
    }
    if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
      this.writeRam(cmd - CMD_WRITE_RAM, value);
      return;
    }
    switch (cmd) {
      case CMD_WRITE_OUTPUT:
        this.writeOutputPort(value);
        break;
      case CMD_WRITE_KBD_OB:
        this.ctrlQueue.push(value);
        break;
      case CMD_WRITE_AUX_OB:
        this.ctrlQueue.push(value | Q_AUX);
        break;
      case CMD_WRITE_AUX:
        // Sending enables the auxiliary interface; nothing is attached, so the transmission
        // times out and the controller reports 0xFE from the port with TO set.
        this.ram[0] = this.commandByte & ~CB_DISABLE_AUX;
        this.auxQueue.push(KBD_RESEND_REPLY | Q_AUX | Q_TIMEOUT);
        if (__DEBUG_KEYBOARD__ && this.w.debugOn()) this.w.debug(`8042: byte ${hex(value)} to the auxiliary port: no device, time-out`);
        break;
      default:
        this.w.fail(`8042: internal: data for controller command ${hex(cmd)}`);
    }
    this.pump();
  }

  /** Port 0x64 write: a controller command. */
  writeCommand(cmd: number): void {
    this.lastWasCommand = true;
    // A new command abandons one still waiting for its data byte.
    this.pendingCommand = 0;
    if (__DEBUG_KEYBOARD__ && this.w.debugOn()) this.w.debug(`8042: command ${hex(cmd)}`);
    if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 0x20) {
      this.replyCtrl(this.ram[cmd - CMD_READ_RAM] ?? 0);
      return;
    }
    if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
      this.pendingCommand = cmd;
      return;
    }
    if (cmd >= CMD_PULSE) {
      this.pulseOutputPort(cmd & 0x0f);
      return;
    }
    switch (cmd) {
      case CMD_PASSWORD_TEST:
        this.replyCtrl(RET_NO_PASSWORD);
        break;
      case CMD_AUX_DISABLE:
        this.setCommandByte(this.commandByte | CB_DISABLE_AUX);
        break;
      case CMD_AUX_ENABLE:
        this.setCommandByte(this.commandByte & ~CB_DISABLE_AUX);
        break;
      case CMD_AUX_TEST:
        // The interface's clock and data lines are fine; no device is needed for the test.
        this.replyCtrl(RET_INTERFACE_OK);
        break;
      case CMD_SELF_TEST:
        this.sys = true;
        this.replyCtrl(RET_SELF_TEST_OK);
        break;
      case CMD_KBD_TEST:
        this.replyCtrl(RET_INTERFACE_OK);
        break;
      case CMD_KBD_DISABLE:
        this.setCommandByte(this.commandByte | CB_DISABLE_KBD);
        break;
      case CMD_KBD_ENABLE:
        this.setCommandByte(this.commandByte & ~CB_DISABLE_KBD);
        break;
      case CMD_READ_INPUT:
        this.replyCtrl(INPUT_PORT);
        break;
      case CMD_READ_OUTPUT:
        this.replyCtrl(this.outputPort());
        break;
      case CMD_WRITE_OUTPUT:
      case CMD_WRITE_KBD_OB:
      case CMD_WRITE_AUX_OB:
      case CMD_WRITE_AUX:
        this.pendingCommand = cmd;
        break;
      case CMD_A20_ON:
        this.outA20 = true;
        break;
      case CMD_A20_OFF:
        this.outA20 = false;
        this.checkA20('command 0xDD');
        break;
      case CMD_READ_TEST:
        // T0 = keyboard clock, T1 = auxiliary clock: high unless the interface holds it low.
        this.replyCtrl((this.commandByte & CB_DISABLE_KBD ? 0 : 1) | (this.commandByte & CB_DISABLE_AUX ? 0 : 2));
        break;
      default:
        this.w.fail(`8042: controller command ${hex(cmd)} not implemented`);
    }
  }

  /** Port 0x92 read: System Control Port A (bit 0 reads 0 once the reset pulse is over). */
  readSysCtlA(): number {
    return this.sysCtlA & ~SCA_RESET;
  }

  /** Port 0x92 write: fast A20 (bit 1) and fast reset (bit 0 going from 0 to 1). */
  writeSysCtlA(value: number): void {
    const rising = (value & SCA_RESET) !== 0 && (this.sysCtlA & SCA_RESET) === 0;
    this.sysCtlA = value & 0xff;
    if (rising) {
      this.w.reset('port 0x92 fast reset');
      return;
    }
    this.checkA20('port 0x92 bit 1');
  }

  /** A set-1 byte from the host keyboard. */
  hostKey(set1: number): void {
    this.keyboard.hostKey(set1 & 0xff);
  }

  /** Power-on state (VM reset). */
  reset(): void {
    this.ram = new Array<number>(32).fill(0);
    this.ram[0] = CB_POWER_ON;
    this.sys = false;
    this.lastWasCommand = true;
    this.ob = -1;
    this.lastOb = 0;
    this.ctrlQueue = [];
    this.auxQueue = [];
    this.pendingCommand = 0;
    this.outA20 = true;
    this.sysCtlA = 0;
    this.keyboard.reset();
    this.updateIrqs();
  }

  /** A plain copy of the state. */
  save(): ControllerState {
    return {
      ram: [...this.ram],
      sys: this.sys,
      lastWasCommand: this.lastWasCommand,
      ob: this.ob,
      lastOb: this.lastOb,
      ctrlQueue: [...this.ctrlQueue],
      auxQueue: [...this.auxQueue],
      pendingCommand: this.pendingCommand,
      outA20: this.outA20,
      sysCtlA: this.sysCtlA,
      keyboard: this.keyboard.save(),
    };
  }

  /** Restore a state `save()` returned (checked by the device). */
  load(s: ControllerState): void {
    this.ram = [...s.ram];
    this.sys = s.sys;
    this.lastWasCommand = s.lastWasCommand;
    this.ob = s.ob;
    this.lastOb = s.lastOb;
    this.ctrlQueue = [...s.ctrlQueue];
    this.auxQueue = [...s.auxQueue];
    this.pendingCommand = s.pendingCommand;
    this.outA20 = s.outA20;
    this.sysCtlA = s.sysCtlA;
    this.keyboard.load(s.keyboard);
    this.updateIrqs();
  }

  // ---- internals ----

  private writeRam(i: number, value: number): void {
    if (i === 0) this.setCommandByte(value);
    else this.ram[i] = value & 0xff;
  }

  /** A new command byte: SYS follows bit 2; enables and disables take effect at once. */
  private setCommandByte(value: number): void {
    this.ram[0] = value & 0xff;
    this.sys = (value & CB_SYS) !== 0;
    this.pump();
  }

  private replyCtrl(b: number): void {
    this.ctrlQueue.push(b & 0xff);
    this.pump();
  }

  /** The output port as 0xD0 reads it. */
  private outputPort(): number {
    let v = OUT_LINES_IDLE | OUT_RESET;
    if (this.outA20) v |= OUT_A20;
    if (this.w.kbdIrq.level) v |= OUT_IRQ1;
    if (this.w.auxIrq.level) v |= OUT_IRQ12;
    return v;
  }

  private writeOutputPort(value: number): void {
    this.outA20 = (value & OUT_A20) !== 0;
    // Reset is active low; the CPU restarts, so the A20 state no longer matters.
    if (!(value & OUT_RESET)) {
      this.w.reset(`output port write ${hex(value)} (reset line low)`);
      return;
    }
    this.checkA20('output port bit 1');
  }

  /** Commands 0xF0-0xFF: bits 0-3 clear = pulse that output port line low for 6 µs. */
  private pulseOutputPort(mask: number): void {
    if (!(mask & OUT_RESET)) {
      this.w.reset(`command ${hex(CMD_PULSE | mask)} (pulse reset line)`);
      return;
    }
    // A 6 µs A20 glitch: the VMM cannot mask A20 even for that long.
    if (!(mask & OUT_A20) && !(this.hasPort92 && this.sysCtlA & SCA_A20)) {
      this.w.fail(`8042: command ${hex(CMD_PULSE | mask)} pulses A20 off; A20 masking is not modelled`);
    }
    // Lines 2 and 3 are not connected to anything on the PC.
  }

  private checkA20(what: string): void {
    if (!this.a20) this.w.fail(`8042: the guest turned A20 off (${what}); the VMM does not model A20 masking`);
  }

  /** Move the next waiting byte into an empty output buffer, then update the IRQ lines. */
  private pump(): void {
    if (this.ob < 0) {
      const cb = this.commandByte;
      if (this.ctrlQueue.length > 0) {
        this.ob = this.ctrlQueue.shift() ?? -1;
      } else if (!(cb & CB_DISABLE_KBD) && this.keyboard.hasData) {
        this.ob = this.keyboard.take();
      } else if (!(cb & CB_DISABLE_AUX) && this.auxQueue.length > 0) {
        this.ob = this.auxQueue.shift() ?? -1;
      }
    }
    this.updateIrqs();
  }

  private updateIrqs(): void {
    const full = this.ob >= 0;
    const aux = (this.ob & Q_AUX) !== 0;
    const cb = this.commandByte;
    drive(this.w.kbdIrq, full && !aux && (cb & CB_INT) !== 0);
    drive(this.w.auxIrq, full && aux && (cb & CB_INT2) !== 0);
  }
}

function drive(line: IrqLine, high: boolean): void {
  if (high && !line.level) line.raise();
  else if (!high && line.level) line.lower();
}

