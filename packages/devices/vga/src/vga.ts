import type { VgaState } from './state.js';
import {
  AC_COUNT, AC_DATA_READ, AC_INDEX, AC_INDEX_MASK, AC_PAS, AR_PALETTE_LAST, CR07_LINE_COMPARE_8, CR11_PROTECT,
  CRTC_COUNT, CRTC_DATA_COLOR, CRTC_DATA_MONO, CRTC_INDEX_COLOR, CRTC_INDEX_MASK, CRTC_INDEX_MONO, CR_HDISP_END,
  CR_HTOTAL, CR_OVERFLOW, CR_VDISP_END, CR_VRETRACE_END, CR_VRETRACE_START, CR_VTOTAL, DAC_DATA, DAC_MASK,
  DAC_READ_INDEX, DAC_WRITE_INDEX, DISPI_ENABLED, DISPI_INDEX_ENABLE, FEATURE_READ, GC_COUNT, GC_DATA, GC_INDEX,
  GC_INDEX_MASK, GR_BIT_MASK, GR_COLOR_COMPARE, GR_COLOR_DONT_CARE, GR_DATA_ROTATE, GR_ENABLE_SET_RESET, GR_MISC,
  GR_MODE, GR_READ_MAP, GR_SET_RESET, MISC_CS, MISC_ERAM, MISC_IOA, MISC_READ, MISC_WRITE, PLANE_SIZE, SEQ_COUNT,
  SEQ_DATA, SEQ_INDEX, SEQ_INDEX_MASK, SR04_CHAIN4, SR04_OE_DISABLE, SR_CLOCKING, SR_MAP_MASK, SR_MEMORY_MODE,
  STATUS1_COLOR, STATUS1_MONO, VGA_WINDOW_SIZE, VIDEO_ENABLE,
} from './regs.js';

/** What the chip needs from its surroundings (the device glue supplies it). */
export interface VgaEnv {
  /** Fail stop on behalf of the device. */
  fail(reason: string): never;
  /** Guest time in ns (retrace status is a function of it). */
  now(): number;
}

const hex = (n: number, w = 2): string => '0x' + n.toString(16).padStart(w, '0');

/** Dot clocks selected by Miscellaneous Output bits 3-2 (values 2 and 3 are external: refused). */
const DOT_CLOCK_HZ = [25_175_000, 28_322_000];

/** Register values of BIOS mode 3 (80x25 colour text, 720x400), from the IBM tables. */
export const MODE3 = {
  misc: 0x67,
  seq: [0x03, 0x00, 0x03, 0x00, 0x02],
  crtc: [
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
  ],
  gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff],
  ac: [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x0c, 0x00, 0x0f, 0x08, 0x00,
  ],
} as const;

/**
 * The IBM VGA: the five register blocks, the DAC, the retrace status on the guest clock, and the
 * 256 KiB of planar memory with the Graphics Controller's read and write pipeline. No host here.
 */
export class Vga {
  misc = 0;
  videoEnable = 1;
  featureControl = 0;
  seqIndex = 0;
  readonly seq = new Uint8Array(SEQ_COUNT);
  crtcIndex = 0;
  readonly crtc = new Uint8Array(CRTC_COUNT);
  gcIndex = 0;
  readonly gc = new Uint8Array(GC_COUNT);
  acIndex = 0;
  acData = false;
  readonly ac = new Uint8Array(AC_COUNT);
  dacMask = 0xff;
  dacReadIndex = 0;
  dacWriteIndex = 0;
  dacComponent = 0;
  dacMode: 'read' | 'write' = 'write';
  readonly dacPending = new Uint8Array(3);
  readonly palette = new Uint8Array(768);
  readonly latches = new Uint8Array(4);
  dispiIndex = 0;
  /** Plane p's byte at offset o is `planes[p * PLANE_SIZE + o]`. */
  readonly planes = new Uint8Array(4 * PLANE_SIZE);
  /** Bumped by every guest write that can change what the screen shows. */
  changes = 0;

  constructor(private readonly env: VgaEnv) {}

  /** Power-on state (every register zero but the subsystem enable and DAC mask), or mode 3. */
  reset(mode3: boolean): void {
    this.misc = 0;
    this.videoEnable = 1;
    this.featureControl = 0;
    this.seqIndex = 0;
    this.seq.fill(0);
    this.crtcIndex = 0;
    this.crtc.fill(0);
    this.gcIndex = 0;
    this.gc.fill(0);
    this.acIndex = 0;
    this.acData = false;
    this.ac.fill(0);
    this.dacMask = 0xff;
    this.dacReadIndex = 0;
    this.dacWriteIndex = 0;
    this.dacComponent = 0;
    this.dacMode = 'write';
    this.dacPending.fill(0);
    this.palette.fill(0);
    this.latches.fill(0);
    this.dispiIndex = 0;
    this.planes.fill(0);
    if (mode3) {
      this.misc = MODE3.misc;
      this.seq.set(MODE3.seq);
      this.crtc.set(MODE3.crtc);
      this.gc.set(MODE3.gc);
      this.ac.set(MODE3.ac);
      this.acIndex = AC_PAS;
    }
    this.changes++;
  }

  // ---------------------------------------------------------------- ports

  /** The CRTC and Input Status 1 answer at 0x3Dx when Miscellaneous Output bit 0 is set, else 0x3Bx. */
  private get colorIo(): boolean {
    return (this.misc & MISC_IOA) !== 0;
  }

  /** A byte IN from `port`. */
  readPort(port: number): number {
    switch (port) {
      case CRTC_INDEX_MONO:
      case CRTC_INDEX_COLOR:
        return this.decoded(port) ? this.crtcIndex : 0xff;
      case CRTC_DATA_MONO:
      case CRTC_DATA_COLOR:
        return this.decoded(port) ? this.crtc[this.crtcReg()] as number : 0xff;
      case STATUS1_MONO:
      case STATUS1_COLOR:
        if (!this.decoded(port)) return 0xff;
        this.acData = false;
        return this.status1();
      case AC_INDEX:
        return this.acIndex;
      case AC_DATA_READ:
        return this.ac[this.acReg()] as number;
      case MISC_WRITE:
        // Input Status 0: no vertical-retrace interrupt (bit 7) and switch sense (bit 4) low.
        return 0x00;
      case VIDEO_ENABLE:
        return this.videoEnable;
      case SEQ_INDEX:
        return this.seqIndex;
      case SEQ_DATA:
        return this.seq[this.seqReg()] as number;
      case DAC_MASK:
        return this.dacMask;
      case DAC_READ_INDEX:
        return this.dacMode === 'read' ? 0x03 : 0x00;
      case DAC_WRITE_INDEX:
        return this.dacWriteIndex;
      case DAC_DATA:
        return this.dacRead();
      case FEATURE_READ:
        return this.featureControl;
      case MISC_READ:
        return this.misc;
      case GC_INDEX:
        return this.gcIndex;
      case GC_DATA:
        return this.gc[this.gcReg()] as number;
      default:
        return this.env.fail(`read of port ${hex(port, 4)}, which the VGA does not decode`);
    }
  }

  /** A byte OUT to `port`. */
  writePort(port: number, value: number): void {
    value &= 0xff;
    switch (port) {
      case CRTC_INDEX_MONO:
      case CRTC_INDEX_COLOR:
        if (this.decoded(port)) this.crtcIndex = value & CRTC_INDEX_MASK;
        return;
      case CRTC_DATA_MONO:
      case CRTC_DATA_COLOR:
        if (this.decoded(port)) this.crtcWrite(value);
        return;
      case STATUS1_MONO:
      case STATUS1_COLOR:
        // Feature Control: FC1-FC0 and VSS (bit 3); the other bits are reserved.
        if (this.decoded(port)) this.featureControl = value & 0x0b;
        return;
      case AC_INDEX:
        this.acWrite(value);
        return;
      case AC_DATA_READ:
        return this.env.fail(`write of ${hex(value)} to port 0x03c1: the IBM VGA's attribute data port is read only (write 0x3C0)`);
      case MISC_WRITE:
        if ((value & MISC_CS) >> 2 >= DOT_CLOCK_HZ.length) {
          this.env.fail(`Miscellaneous Output ${hex(value)} selects an external dot clock (bits 3-2 = ${(value & MISC_CS) >> 2}), which is not modelled`);
        }
        this.misc = value;
        this.changes++;
        return;
      case VIDEO_ENABLE:
        if ((value & 1) === 0) this.env.fail(`Video Subsystem Enable ${hex(value)} disables the VGA, which is not modelled`);
        this.videoEnable = value & 1;
        return;
      case SEQ_INDEX:
        this.seqIndex = value & SEQ_INDEX_MASK;
        return;
      case SEQ_DATA:
        this.seq[this.seqReg()] = value;
        this.changes++;
        return;
      case DAC_MASK:
        this.dacMask = value;
        return;
      case DAC_READ_INDEX:
        this.dacReadIndex = value;
        this.dacComponent = 0;
        this.dacMode = 'read';
        return;
      case DAC_WRITE_INDEX:
        this.dacWriteIndex = value;
        this.dacComponent = 0;
        this.dacMode = 'write';
        return;
      case DAC_DATA:
        this.dacWrite(value);
        return;
      case GC_INDEX:
        this.gcIndex = value & GC_INDEX_MASK;
        return;
      case GC_DATA:
        this.gc[this.gcReg()] = value;
        this.changes++;
        return;
      default:
        return this.env.fail(`write of ${hex(value)} to port ${hex(port, 4)}, which the VGA does not decode`);
    }
  }

  /** Whether a CRTC/status port of one set (0x3Bx or 0x3Dx) is the one Miscellaneous Output selects. */
  private decoded(port: number): boolean {
    return (port >= 0x3d0) === this.colorIo;
  }

  private seqReg(): number {
    if (this.seqIndex >= SEQ_COUNT) this.env.fail(`Sequencer register ${hex(this.seqIndex)} does not exist on the VGA`);
    return this.seqIndex;
  }

  private crtcReg(): number {
    if (this.crtcIndex >= CRTC_COUNT) this.env.fail(`CRTC register ${hex(this.crtcIndex)} does not exist on the VGA`);
    return this.crtcIndex;
  }

  private gcReg(): number {
    if (this.gcIndex >= GC_COUNT) this.env.fail(`Graphics Controller register ${hex(this.gcIndex)} does not exist on the VGA`);
    return this.gcIndex;
  }

  private acReg(): number {
    const i = this.acIndex & AC_INDEX_MASK;
    if (i >= AC_COUNT) this.env.fail(`Attribute Controller register ${hex(i)} does not exist on the VGA`);
    return i;
  }

  private crtcWrite(value: number): void {
    const i = this.crtcReg();
    if (i <= CR_OVERFLOW && (this.crtc[CR_VRETRACE_END] as number) & CR11_PROTECT) {
      // CR11 bit 7 write-protects CR00-CR07, except the line compare bit 8 in the overflow register.
      if (i === CR_OVERFLOW) {
        this.crtc[i] = ((this.crtc[i] as number) & ~CR07_LINE_COMPARE_8) | (value & CR07_LINE_COMPARE_8);
        this.changes++;
      }
      return;
    }
    this.crtc[i] = value;
    this.changes++;
  }

  private acWrite(value: number): void {
    if (!this.acData) {
      this.acIndex = value & (AC_INDEX_MASK | AC_PAS);
      this.acData = true;
      this.changes++;
      return;
    }
    this.acData = false;
    const i = this.acReg();
    // While PAS is set the display owns the palette registers: host writes to them are lost.
    if (i <= AR_PALETTE_LAST && this.acIndex & AC_PAS) return;
    this.ac[i] = value;
    this.changes++;
  }

  private dacRead(): number {
    const v = this.palette[this.dacReadIndex * 3 + this.dacComponent] as number;
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
    }
    return v;
  }

  private dacWrite(value: number): void {
    this.dacPending[this.dacComponent] = value & 0x3f;
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.palette.set(this.dacPending, this.dacWriteIndex * 3);
      this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
    }
  }

  // ---------------------------------------------------------------- DISPI

  /**
   * The Bochs VBE DISPI ports as a plain VGA has them: nothing decodes them, so reads float to all
   * ones and the ID probe fails (no VBE). A guest that turns the interface on anyway fails stop.
   */
  readDispi(_offset: number, size: 1 | 2 | 4): number {
    return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
  }

  writeDispi(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset === 0) {
      this.dispiIndex = size === 1 ? value & 0xff : value & 0xffff;
      return;
    }
    if (this.dispiIndex === DISPI_INDEX_ENABLE && value & DISPI_ENABLED) {
      this.env.fail(`Bochs VBE DISPI enable (${hex(value, 4)}): this VGA has no VBE extension (the ID probe reads 0xffff)`);
    }
  }

  // ---------------------------------------------------------------- timing

  /** Input Status 1: bit 3 vertical retrace, bit 0 display disabled, from the CRTC timing and the clock. */
  status1(): number {
    const t = this.timing();
    const now = this.env.now();
    const inFrame = now % t.frameNs;
    const line = Math.floor(inFrame / t.lineNs);
    const dot = Math.floor(((inFrame - line * t.lineNs) / t.lineNs) * t.lineChars);
    let v = 0;
    if (!(dot < t.hDispChars && line < t.vDispLines)) v |= 0x01;
    const sinceStart = (line - t.vRetraceStart + t.vTotal) % t.vTotal;
    if (sinceStart < t.vRetraceLines) v |= 0x08;
    return v;
  }

  /** Frame geometry in characters and lines, and its duration, from the CRTC and clock registers. */
  timing(): {
    lineChars: number; hDispChars: number; vTotal: number; vDispLines: number;
    vRetraceStart: number; vRetraceLines: number; lineNs: number; frameNs: number;
  } {
    const cr = this.crtc;
    const ov = cr[CR_OVERFLOW] as number;
    const lineChars = (cr[CR_HTOTAL] as number) + 5;
    const hDispChars = (cr[CR_HDISP_END] as number) + 1;
    const vTotal = ((cr[CR_VTOTAL] as number) | ((ov & 0x01) << 8) | ((ov & 0x20) << 4)) + 2;
    const vDispLines = ((cr[CR_VDISP_END] as number) | ((ov & 0x02) << 7) | ((ov & 0x40) << 3)) + 1;
    const vRetraceStart = ((cr[CR_VRETRACE_START] as number) | ((ov & 0x04) << 6) | ((ov & 0x80) << 2)) % vTotal;
    // The retrace ends at the first line whose low four bits equal CR11 bits 3-0.
    const vRetraceLines = (((cr[CR_VRETRACE_END] as number) - vRetraceStart) & 0x0f) || 16;
    const clocking = this.seq[SR_CLOCKING] as number;
    const dotsPerChar = clocking & 0x01 ? 8 : 9;
    const dotHz = (DOT_CLOCK_HZ[(this.misc & MISC_CS) >> 2] ?? DOT_CLOCK_HZ[0] as number) / (clocking & 0x08 ? 2 : 1);
    const lineNs = (lineChars * dotsPerChar * 1e9) / dotHz;
    return { lineChars, hDispChars, vTotal, vDispLines, vRetraceStart, vRetraceLines, lineNs, frameNs: lineNs * vTotal };
  }

  // ---------------------------------------------------------------- memory

  /**
   * Where a CPU access at `off` (from 0xA0000) lands: the address inside the window Graphics
   * register 6 selects, or -1 when the window does not cover it or CPU access is off.
   */
  private windowAddress(off: number): number {
    if (!(this.misc & MISC_ERAM)) return -1;
    switch (((this.gc[GR_MISC] as number) >> 2) & 3) {
      case 0:
        return off < VGA_WINDOW_SIZE ? off : -1;
      case 1:
        return off < 0x10000 ? off : -1;
      case 2:
        return off >= 0x10000 && off < 0x18000 ? off - 0x10000 : -1;
      default:
        return off >= 0x18000 && off < 0x20000 ? off - 0x18000 : -1;
    }
  }

  /**
   * The plane offset of window address `a`, and which planes the address selects (a 4-bit set):
   * chain 4 takes A1-A0 as the plane, odd/even takes A0 (planes 0/2 or 1/3), else all four.
   */
  private route(a: number, oddEven: boolean): { offset: number; planes: number } {
    const seq4 = this.seq[SR_MEMORY_MODE] as number;
    if (seq4 & SR04_CHAIN4) return { offset: (a & ~3) & (PLANE_SIZE - 1), planes: 1 << (a & 3) };
    // Chain odd/even (GR06 bit 1) replaces A0 with a higher address bit; below 64 KiB per plane
    // that bit is 0, so the plane offset is the address with A0 cleared.
    const chained = ((this.gc[GR_MISC] as number) & 0x02) !== 0;
    const offset = (chained ? a & ~1 : a) & (PLANE_SIZE - 1);
    if (oddEven) return { offset, planes: a & 1 ? 0b1010 : 0b0101 };
    return { offset, planes: 0b1111 };
  }

  /** A byte read of guest-physical `0xA0000 + off`. */
  readByte(off: number): number {
    const a = this.windowAddress(off);
    if (a < 0) return 0xff;
    const gr5 = this.gc[GR_MODE] as number;
    const { offset, planes } = this.route(a, (gr5 & 0x10) !== 0);
    for (let p = 0; p < 4; p++) this.latches[p] = this.planes[p * PLANE_SIZE + offset] as number;
    if (gr5 & 0x08) {
      // Read mode 1: 1 where every plane not masked by Color Don't Care matches Color Compare.
      const cmp = this.gc[GR_COLOR_COMPARE] as number;
      const care = this.gc[GR_COLOR_DONT_CARE] as number;
      let match = 0xff;
      for (let p = 0; p < 4; p++) {
        if (!(care & (1 << p))) continue;
        const want = cmp & (1 << p) ? 0xff : 0x00;
        match &= ~((this.latches[p] as number) ^ want);
      }
      return match & 0xff;
    }
    // Read mode 0: the plane Read Map Select names; odd/even and chain 4 let the address choose.
    let plane: number;
    if (planes === 0b1111) plane = (this.gc[GR_READ_MAP] as number) & 3;
    else if (planes === 0b0101 || planes === 0b1010) plane = ((this.gc[GR_READ_MAP] as number) & 2) | (a & 1);
    else plane = 31 - Math.clz32(planes);
    return this.latches[plane] as number;
  }

  /** A byte write of guest-physical `0xA0000 + off`. */
  writeByte(off: number, value: number): void {
    const a = this.windowAddress(off);
    if (a < 0) return;
    const seq4 = this.seq[SR_MEMORY_MODE] as number;
    const { offset, planes } = this.route(a, (seq4 & (SR04_OE_DISABLE | SR04_CHAIN4)) === 0);
    const enabled = planes & (this.seq[SR_MAP_MASK] as number);
    if (enabled === 0) return;
    const gr = this.gc;
    const mode = (gr[GR_MODE] as number) & 3;
    const rot = (gr[GR_DATA_ROTATE] as number) & 7;
    const op = ((gr[GR_DATA_ROTATE] as number) >> 3) & 3;
    const setReset = gr[GR_SET_RESET] as number;
    const enableSr = gr[GR_ENABLE_SET_RESET] as number;
    let bitMask = gr[GR_BIT_MASK] as number;
    const rotated = ((value >> rot) | (value << (8 - rot))) & 0xff;
    if (mode === 3) bitMask &= rotated;
    for (let p = 0; p < 4; p++) {
      if (!(enabled & (1 << p))) continue;
      const latch = this.latches[p] as number;
      let data: number;
      switch (mode) {
        case 0:
          data = enableSr & (1 << p) ? (setReset & (1 << p) ? 0xff : 0) : rotated;
          break;
        case 1:
          this.planes[p * PLANE_SIZE + offset] = latch;
          continue;
        case 2:
          data = value & (1 << p) ? 0xff : 0;
          break;
        default:
          data = setReset & (1 << p) ? 0xff : 0;
          break;
      }
      switch (op) {
        case 1: data &= latch; break;
        case 2: data |= latch; break;
        case 3: data ^= latch; break;
        default: break;
      }
      this.planes[p * PLANE_SIZE + offset] = ((data & bitMask) | (latch & ~bitMask)) & 0xff;
    }
    this.changes++;
  }

  // ---------------------------------------------------------------- checkpoint

  save(): VgaState {
    return {
      misc: this.misc,
      videoEnable: this.videoEnable,
      featureControl: this.featureControl,
      seqIndex: this.seqIndex,
      seq: Array.from(this.seq),
      crtcIndex: this.crtcIndex,
      crtc: Array.from(this.crtc),
      gcIndex: this.gcIndex,
      gc: Array.from(this.gc),
      acIndex: this.acIndex,
      acData: this.acData,
      ac: Array.from(this.ac),
      dacMask: this.dacMask,
      dacReadIndex: this.dacReadIndex,
      dacWriteIndex: this.dacWriteIndex,
      dacComponent: this.dacComponent,
      dacMode: this.dacMode,
      dacPending: Array.from(this.dacPending),
      palette: Array.from(this.palette),
      latches: Array.from(this.latches),
      dispiIndex: this.dispiIndex,
      planes: this.planes.slice(),
    };
  }

  load(state: unknown): void {
    const s = state as Partial<VgaState> | null;
    const bad = (what: string): never => this.env.fail(`load: malformed VGA state (${what})`);
    if (typeof s !== 'object' || s === null) bad('not an object');
    const byte = (k: keyof VgaState, max = 0xff): number => {
      const v = (s as Record<string, unknown>)[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) bad(k);
      return v as number;
    };
    const bytes = (k: keyof VgaState, len: number): ArrayLike<number> => {
      const v = (s as Record<string, unknown>)[k];
      if (!(Array.isArray(v) || v instanceof Uint8Array) || v.length !== len) bad(k);
      const a = v as ArrayLike<unknown>;
      for (let i = 0; i < len; i++) {
        const b = a[i];
        if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 0xff) bad(k);
      }
      return v as ArrayLike<number>;
    };
    const st = s as VgaState;
    if (typeof st.acData !== 'boolean') bad('acData');
    if (st.dacMode !== 'read' && st.dacMode !== 'write') bad('dacMode');
    const fields = {
      misc: byte('misc'), videoEnable: byte('videoEnable', 1), featureControl: byte('featureControl'),
      seqIndex: byte('seqIndex', SEQ_INDEX_MASK), crtcIndex: byte('crtcIndex', CRTC_INDEX_MASK),
      gcIndex: byte('gcIndex', GC_INDEX_MASK), acIndex: byte('acIndex', AC_INDEX_MASK | AC_PAS),
      dacMask: byte('dacMask'), dacReadIndex: byte('dacReadIndex'), dacWriteIndex: byte('dacWriteIndex'),
      dacComponent: byte('dacComponent', 2), dispiIndex: byte('dispiIndex', 0xffff),
    };
    const arrays = {
      seq: bytes('seq', SEQ_COUNT), crtc: bytes('crtc', CRTC_COUNT), gc: bytes('gc', GC_COUNT), ac: bytes('ac', AC_COUNT),
      dacPending: bytes('dacPending', 3), palette: bytes('palette', 768), latches: bytes('latches', 4),
    };
    const planes = bytes('planes', 4 * PLANE_SIZE);
    Object.assign(this, fields);
    this.acData = st.acData;
    this.dacMode = st.dacMode;
    this.seq.set(arrays.seq);
    this.crtc.set(arrays.crtc);
    this.gc.set(arrays.gc);
    this.ac.set(arrays.ac);
    this.dacPending.set(arrays.dacPending);
    this.palette.set(arrays.palette);
    this.latches.set(arrays.latches);
    this.planes.set(planes);
    this.changes++;
  }
}
