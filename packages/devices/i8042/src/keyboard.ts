/*
 * The PS/2 (MF2) keyboard behind the 8042, as the IBM PS/2 Technical Reference describes its
 * command set: it answers commands with ACK (0xFA), keeps a 16-byte buffer, and sends key codes
 * in scan code set 2 (or set 1) while scanning is enabled.
 *
 * Host key events arrive as set-1 bytes. With the controller translating (command byte XLAT),
 * what reaches the guest is set 1 again, so a host byte goes through as it is; without
 * translation it is converted to set 2 (break codes become 0xF0 + make). The keyboard's own
 * replies go through the controller's translation table as a real 8042 would pass them (the
 * ID's 0x83 arrives as 0x41). Translation is applied as a byte enters the keyboard's buffer.
 */
import {
  KBD_ACK,
  KBD_BAT_OK,
  KBD_BUFFER_SIZE,
  KBD_DEFAULT_DISABLE,
  KBD_ECHO,
  KBD_ECHO_REPLY,
  KBD_ENABLE,
  KBD_ID_1,
  KBD_ID_2,
  KBD_OVERRUN_SET1,
  KBD_OVERRUN_SET2,
  KBD_READ_ID,
  KBD_RESEND,
  KBD_RESET,
  KBD_SCAN_SET,
  KBD_SET_DEFAULT,
  KBD_SET_LEDS,
  KBD_TYPEMATIC,
  KBD_TYPEMATIC_DEFAULT,
} from './regs.js';
import { set1ToSet2, translateSet2 } from './scancodes.js';

/** What the keyboard is connected to: the controller. */
export interface KeyboardWiring {
  /** Whether the controller translates (command byte XLAT) right now. */
  translating(): boolean;
  /** The buffer changed (bytes may move into the controller's output buffer). */
  changed(): void;
  /** Fail stop. */
  fail(reason: string): never;
}

/** The keyboard's state: plain and JSON-able. */
export interface KeyboardState {
  /** Bytes waiting to be sent to the controller (already translated if it translates). */
  buffer: number[];
  /** Scanning enabled (keys are reported). */
  scanning: boolean;
  /** Scan code set 1 or 2. */
  scanSet: number;
  /** Mode indicators: bit 0 Scroll Lock, 1 Num Lock, 2 Caps Lock. */
  leds: number;
  /** Typematic rate/delay byte. */
  typematic: number;
  /** A command waiting for its argument byte (0xED, 0xF0, 0xF3), or 0. */
  pendingArg: number;
  /** The last byte sent, for Resend. */
  lastSent: number;
}

/** A PS/2 MF2 keyboard. */
export class Ps2Keyboard {
  private s: KeyboardState = Ps2Keyboard.powerOn();

  constructor(private readonly w: KeyboardWiring) {}

  private static powerOn(): KeyboardState {
    return { buffer: [], scanning: true, scanSet: 2, leds: 0, typematic: KBD_TYPEMATIC_DEFAULT, pendingArg: 0, lastSent: KBD_ACK };
  }

  /** Mode indicators the guest set: bit 0 Scroll Lock, 1 Num Lock, 2 Caps Lock. */
  get leds(): number {
    return this.s.leds;
  }

  /** Scan code set in use (1 or 2). */
  get scanSet(): number {
    return this.s.scanSet;
  }

  /** Whether the keyboard reports keys. */
  get scanning(): boolean {
    return this.s.scanning;
  }

  /** Whether a byte is waiting to go to the controller. */
  get hasData(): boolean {
    return this.s.buffer.length > 0;
  }

  /** The controller clocks one byte in. */
  take(): number {
    const b = this.s.buffer.shift() ?? this.w.fail('8042: keyboard: internal: take() from an empty buffer');
    this.s.lastSent = b;
    return b;
  }

  /** A byte from the system (port 0x60 with no controller command pending). */
  receive(byte: number): void {
    const arg = this.s.pendingArg;
    if (arg !== 0) {
      this.s.pendingArg = 0;
      // A command byte in place of an argument ends the command and runs (PS/2 TR).
      if (byte < KBD_SET_LEDS) {
        this.argument(arg, byte);
        return;
      }
    }
    this.command(byte);
  }

  /** A set-1 byte from the host keyboard. */
  hostKey(set1: number): void {
    if (!this.s.scanning) return;
    let bytes: number[];
    if (this.s.scanSet === 1) {
      if (this.w.translating()) {
        this.w.fail(`8042: keyboard: scan code set 1 through the controller's translation is not modelled (key 0x${set1.toString(16)})`);
      }
      bytes = [set1];
    } else if (this.w.translating()) {
      bytes = [set1];
    } else {
      bytes = set1ToSet2(set1) ?? this.w.fail(`8042: keyboard: set-1 scan code 0x${set1.toString(16)} has no set-2 form here (translation is off)`);
    }
    for (const b of bytes) this.queueKey(b);
    this.w.changed();
  }

  /** Power-on state, with the buffer cleared. */
  reset(): void {
    this.s = Ps2Keyboard.powerOn();
  }

  /** A plain copy of the state. */
  save(): KeyboardState {
    return { ...this.s, buffer: [...this.s.buffer] };
  }

  /** Restore a state `save()` returned. */
  load(state: KeyboardState): void {
    this.s = { ...state, buffer: [...state.buffer] };
  }

  private command(cmd: number): void {
    switch (cmd) {
      case KBD_SET_LEDS:
      case KBD_TYPEMATIC:
      case KBD_SCAN_SET:
        this.s.pendingArg = cmd;
        this.reply(KBD_ACK);
        break;
      case KBD_ECHO:
        this.reply(KBD_ECHO_REPLY);
        break;
      case KBD_READ_ID:
        this.reply(KBD_ACK, KBD_ID_1, KBD_ID_2);
        break;
      case KBD_ENABLE:
        this.s.buffer = [];
        this.s.scanning = true;
        this.reply(KBD_ACK);
        break;
      case KBD_DEFAULT_DISABLE:
        this.defaults();
        this.s.scanning = false;
        this.reply(KBD_ACK);
        break;
      case KBD_SET_DEFAULT:
        this.defaults();
        this.reply(KBD_ACK);
        break;
      case KBD_RESEND:
        // The last byte again, exactly as it went out (it was translated then, if at all).
        this.s.buffer.unshift(this.s.lastSent);
        this.w.changed();
        break;
      case KBD_RESET:
        // Basic assurance test: passes; back to defaults, set 2, LEDs off, scanning.
        this.s = { ...Ps2Keyboard.powerOn(), lastSent: this.s.lastSent };
        this.reply(KBD_ACK, KBD_BAT_OK);
        break;
      default:
        this.w.fail(`8042: keyboard command 0x${cmd.toString(16)} not implemented`);
    }
  }

  private argument(cmd: number, arg: number): void {
    switch (cmd) {
      case KBD_SET_LEDS:
        this.s.leds = arg & 0x07;
        this.reply(KBD_ACK);
        break;
      case KBD_TYPEMATIC:
        this.s.typematic = arg & 0x7f;
        this.reply(KBD_ACK);
        break;
      case KBD_SCAN_SET:
        this.scanSetArg(arg);
        break;
      default:
        this.w.fail(`8042: keyboard: internal: argument for command 0x${cmd.toString(16)}`);
    }
  }

  private scanSetArg(arg: number): void {
    switch (arg) {
      case 0:
        this.reply(KBD_ACK, this.s.scanSet);
        break;
      case 1:
      case 2:
        this.s.scanSet = arg;
        this.s.buffer = [];
        this.reply(KBD_ACK);
        break;
      case 3:
        this.w.fail('8042: keyboard: scan code set 3 not implemented');
        break;
      default:
        this.w.fail(`8042: keyboard: scan code set 0x${arg.toString(16)} (command 0xF0) does not exist`);
    }
  }

  /** Set default (0xF5/0xF6): typematic and scan set back to default, buffer cleared. */
  private defaults(): void {
    this.s.buffer = [];
    this.s.typematic = KBD_TYPEMATIC_DEFAULT;
    this.s.pendingArg = 0;
  }

  /** Replies go through the controller's table when it translates, as the real 8042 passes them. */
  private reply(...bytes: number[]): void {
    const xlat = this.w.translating();
    for (const b of bytes) {
      const t = xlat ? translateSet2(b) : b;
      this.s.buffer.push(t < 0 ? this.w.fail(`8042: internal: no translation of keyboard reply 0x${b.toString(16)}`) : t);
    }
    this.w.changed();
  }

  /** A key byte into the 16-byte buffer; one more slot holds the overrun code. */
  private queueKey(b: number): void {
    const buf = this.s.buffer;
    if (buf.length < KBD_BUFFER_SIZE) {
      buf.push(b);
      return;
    }
    const overrun = this.s.scanSet === 1 || this.w.translating() ? KBD_OVERRUN_SET1 : KBD_OVERRUN_SET2;
    if (buf.length === KBD_BUFFER_SIZE) buf.push(overrun);
  }
}
