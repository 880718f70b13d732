import { defineDevice, type AccessSize, type DeviceConfig, type DeviceInstance } from '@v3/device-api';
import {
  CRTC_INDEX_COLOR, CRTC_INDEX_MONO, DISPI_INDEX, STATUS1_COLOR, STATUS1_MONO, VGA_WINDOW_BASE, VGA_WINDOW_SIZE,
} from './regs.js';
import type { VgaState } from './state.js';
import { textScreen, type TextScreen } from './text.js';
import { Vga } from './vga.js';

/** Configuration of the `VGA` device. */
export interface VgaConfig extends DeviceConfig {
  /**
   * Register state at power-on and reset: `'power-on'` (all zero, as the chip comes up before its
   * BIOS runs; the default) or `'text'` (BIOS mode 3, 80x25 colour text, for guests started
   * without a VGA BIOS).
   */
  initialMode?: 'power-on' | 'text';
}

/** A created VGA. */
export interface VgaDevice extends DeviceInstance {
  /** Decode the text screen as the CRTC currently scans it out. */
  textScreen(): TextScreen;
  /**
   * A counter bumped by every guest write that can change the screen (video memory, display
   * registers). An app polls it at its frame rate and redraws only when it moved.
   */
  readonly changes: number;
  /** A plain copy of the registers, the DAC and the 256 KiB of planes. */
  save(): VgaState;
  /** Restore what `save()` returned; fails stop on a malformed state. */
  load(state: unknown): void;
  /** Back to the configured initial state. */
  reset(): void;
}

const KEYS = new Set(['class', 'id', 'initialMode']);

/** The IBM VGA (Palacios class `VGA`): text display for hosts, full register set and planar memory. */
export const vga = defineDevice<VgaConfig, VgaDevice>({
  className: 'VGA',
  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown option (the VGA takes initialMode)`);
    const m = cfg.initialMode;
    if (m !== undefined && m !== 'power-on' && m !== 'text') problems.push(`initialMode: expected 'power-on' or 'text'`);
    return problems;
  },
  create(host, cfg) {
    let port: number | undefined;
    let addr: number | undefined;
    const chip = new Vga({
      fail: (reason) => host.fail(reason, port !== undefined ? { port } : addr !== undefined ? { addr } : undefined),
      now: () => host.clock.now(),
    });
    const mode3 = cfg.initialMode === 'text';
    const atPort = <T>(p: number, f: () => T): T => {
      port = p;
      try {
        return f();
      } finally {
        port = undefined;
      }
    };
    const ports = (base: number, count: number): void => {
      host.hookIo(base, count, {
        read: (off) => atPort(base + off, () => chip.readPort(base + off)),
        write: (off, _size, value) => atPort(base + off, () => chip.writePort(base + off, value)),
      }, { sizes: [1] });
    };
    ports(CRTC_INDEX_MONO, 2);
    ports(STATUS1_MONO, 1);
    ports(0x3c0, 11); // 0x3C0-0x3CA
    ports(0x3cc, 1);
    ports(0x3ce, 2);
    ports(CRTC_INDEX_COLOR, 2);
    ports(STATUS1_COLOR, 1);
    host.hookIo(DISPI_INDEX, 2, {
      read: (off, size) => chip.readDispi(off, size),
      write: (off, size, value) => atPort(DISPI_INDEX + off, () => chip.writeDispi(off, size, value)),
    }, { sizes: [1, 2] });
    // The whole legacy window is the VGA's: Graphics register 6 picks the part that answers; the
    // rest floats, as on the bus.
    host.hookMmio(VGA_WINDOW_BASE, VGA_WINDOW_SIZE, {
      read(off, size: AccessSize) {
        addr = VGA_WINDOW_BASE + off;
        try {
          let v = 0;
          for (let i = 0; i < size; i++) v |= chip.readByte(off + i) << (8 * i);
          return v >>> 0;
        } finally {
          addr = undefined;
        }
      },
      write(off, size: AccessSize, value) {
        addr = VGA_WINDOW_BASE + off;
        try {
          for (let i = 0; i < size; i++) chip.writeByte(off + i, (value >>> (8 * i)) & 0xff);
        } finally {
          addr = undefined;
        }
      },
    });
    chip.reset(mode3);
    return {
      textScreen: () => textScreen(chip),
      get changes() {
        return chip.changes;
      },
      save: () => chip.save(),
      load: (state) => chip.load(state),
      reset: () => chip.reset(mode3),
      free: () => undefined,
    };
  },
});
