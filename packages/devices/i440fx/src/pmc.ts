import { assertNever, type AccessSize } from '@v3/device-api';
import {
  AXC,
  CLT,
  DBC,
  DETURBO,
  DRAMC,
  DRAMT,
  DRB0,
  DRB_COUNT,
  DRT,
  ERRCMD,
  ERRSTS,
  FDHC,
  FDHC_HEN_MASK,
  MTT,
  PAM0,
  PAM0_BASE,
  PAM0_SIZE,
  PAM0_WRITABLE,
  PAM1_BASE,
  PAM6,
  PAM_RE,
  PAM_SEGMENT,
  PAM_WE,
  PAM_WRITABLE,
  PMCCFG,
  SMRAM,
  SMRAM_C_BASE_SEG,
  SMRAM_D_CLS,
  SMRAM_D_LCK,
  SMRAM_D_OPEN,
  SMRAM_G_SMRAME,
  SMRAM_WRITABLE,
} from './regs.js';

/**
 * What the VMM's memory map must provide for PAM shadowing: route one BIOS-area segment's reads
 * and writes either to guest RAM (DRAM) or to the PCI side, where the BIOS and option ROM images
 * live. Until the VMM implements it and the app connects it with
 * {@link I440fx.connectMemory}, every PAM register stays at its reset value (everything to the
 * ROM side), and a guest write that would change a segment fails stop.
 */
export interface PamMemoryControl {
  /**
   * Segment [`segmentBase`, `segmentBase + size`) now sends reads to RAM (`readRam`) or to the
   * ROM/PCI side, and writes to RAM (`writeRam`) or to the ROM/PCI side (where they are dropped).
   * Segments are 16 KiB from 0xC0000 to 0xEFFFF and one of 64 KiB at 0xF0000.
   */
  onPamChange(segmentBase: number, size: number, readRam: boolean, writeRam: boolean): void;
}

/** One PAM segment and where its accesses go. */
export interface PamSegment {
  base: number;
  size: number;
  readRam: boolean;
  writeRam: boolean;
}

/** Plain state of the PMC's device-specific registers (0x40-0xFF), for checkpoints. */
export interface PmcState {
  regs: number[];
}

/** How the chip reaches the world: fail stop. */
export interface PmcWiring {
  fail(reason: string): never;
}

/**
 * How one configuration byte behaves: `store` keeps the writable bits (nothing a VM can observe
 * depends on them), `clear` is write-one-to-clear status, `pam`, `fdhc` and `smram` act.
 */
interface RegDef {
  name: string;
  reset: number;
  writable: number;
  kind: 'store' | 'clear' | 'pam' | 'fdhc' | 'smram';
}

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** Byte registers 0x40-0xFF the PMC has; every other byte is reserved. */
function registerTable(): (RegDef | undefined)[] {
  const t: (RegDef | undefined)[] = new Array<RegDef | undefined>(0x100);
  const def = (at: number, name: string, reset: number, writable = 0xff, kind: RegDef['kind'] = 'store'): void => {
    t[at] = { name, reset, writable, kind };
  };
  def(PMCCFG, 'PMCCFG', 0x00);
  def(PMCCFG + 1, 'PMCCFG', 0x00);
  def(DETURBO, 'DETURBO', 0x80);
  def(DBC, 'DBC', 0x80);
  def(AXC, 'AXC', 0x00);
  def(DRT, 'DRT', 0x00);
  def(DRT + 1, 'DRT', 0x00);
  def(DRAMC, 'DRAMC', 0x01);
  def(DRAMT, 'DRAMT', 0x10);
  def(PAM0, 'PAM0', 0x00, PAM0_WRITABLE, 'pam');
  for (let i = 1; i <= PAM6 - PAM0; i++) def(PAM0 + i, `PAM${i}`, 0x00, PAM_WRITABLE, 'pam');
  for (let i = 0; i < DRB_COUNT; i++) def(DRB0 + i, `DRB${i}`, 0x01);
  def(FDHC, 'FDHC', 0x00, FDHC_HEN_MASK, 'fdhc');
  def(MTT, 'MTT', 0x20, 0xf8);
  def(CLT, 'CLT', 0x10, 0xf8);
  def(SMRAM, 'SMRAM', SMRAM_C_BASE_SEG, SMRAM_WRITABLE, 'smram');
  def(ERRCMD, 'ERRCMD', 0x00);
  def(ERRSTS, 'ERRSTS', 0x00, 0xff, 'clear');
  return t;
}

const TABLE = registerTable();

/** The segments PAM register `pam` (0-6) controls: [low field, high field]. */
export function pamSegments(pam: number): { base: number; size: number; shift: number }[] {
  if (pam === 0) return [{ base: PAM0_BASE, size: PAM0_SIZE, shift: 4 }];
  const base = PAM1_BASE + (pam - 1) * 2 * PAM_SEGMENT;
  return [
    { base, size: PAM_SEGMENT, shift: 0 },
    { base: base + PAM_SEGMENT, size: PAM_SEGMENT, shift: 4 },
  ];
}

/**
 * The 82441FX PMC's device-specific registers: the PAM attribute map with its segment routing,
 * SMRAM control with its lock, DRAM rows and timings (stored), error command/status. No host in
 * here: `device.ts` hands these handlers to the PCI bus.
 */
export class Pmc {
  private readonly regs = new Uint8Array(0x100);
  private memory: PamMemoryControl | null = null;

  constructor(private readonly wiring: PmcWiring) {
    this.resetRegisters();
  }

  /** Connect the VMM's memory map and tell it where every segment goes now. */
  connectMemory(ctrl: PamMemoryControl): void {
    this.memory = ctrl;
    for (let pam = 0; pam <= PAM6 - PAM0; pam++) for (const s of pamSegments(pam)) this.report(s.base, s.size, this.field(pam, s.shift));
  }

  /** Whether a memory map is connected. */
  get memoryConnected(): boolean {
    return this.memory !== null;
  }

  /** Every PAM segment, in address order, and where its accesses go. */
  segments(): PamSegment[] {
    const out: PamSegment[] = [];
    for (let pam = 1; pam <= PAM6 - PAM0; pam++) {
      for (const s of pamSegments(pam)) out.push(this.segment(pam, s));
    }
    const [bios] = pamSegments(0);
    out.push(this.segment(0, bios as { base: number; size: number; shift: number }));
    return out;
  }

  /** A configuration read of the device-specific registers. */
  read(reg: number, size: AccessSize): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= (this.regs[reg + i] as number) << (8 * i);
    return v >>> 0;
  }

  /** A configuration write of the device-specific registers, byte by byte. */
  write(reg: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(reg + i, (value >>> (8 * i)) & 0xff);
  }

  /** Power-on values; PAM segments go back to the ROM side (reported when they change). */
  reset(): void {
    const before = this.regs.slice();
    this.resetRegisters();
    this.reportPamChanges(before);
  }

  save(): PmcState {
    return { regs: Array.from(this.regs) };
  }

  load(s: PmcState): void {
    const before = this.regs.slice();
    for (let at = 0x40; at < 0x100; at++) {
      const d = TABLE[at];
      this.regs[at] = d ? ((d.reset & ~d.writable) | ((s.regs[at] as number) & d.writable)) & 0xff : 0;
    }
    const refuse = (why: string): never => {
      this.regs.set(before);
      return this.wiring.fail(`i440FX: load: ${why}`);
    };
    if (this.pamDiffers(before) && !this.memory) refuse('the checkpoint has PAM shadowing enabled, but no memory map is connected (connectMemory)');
    if (((this.regs[FDHC] as number) & FDHC_HEN_MASK) !== 0) refuse('the checkpoint has a fixed DRAM hole, which is not modelled');
    const smram = this.regs[SMRAM] as number;
    if ((smram & SMRAM_D_OPEN) !== 0 && (smram & (SMRAM_G_SMRAME | SMRAM_D_CLS)) !== 0) refuse(`the checkpoint has SMRAM = ${hex(smram)}, which is not modelled`);
    this.reportPamChanges(before);
  }

  private writeByte(at: number, v: number): void {
    const d = TABLE[at];
    if (!d) {
      // Reserved: reads 0. Writing 0 there is what a wider access over a neighbour does; any
      // other value asks for something this chip does not have.
      if (v !== 0) this.wiring.fail(`i440FX: write of ${hex(v)} to reserved configuration register ${hex(at)}`);
      return;
    }
    const old = this.regs[at] as number;
    const next = (old & ~d.writable) | (v & d.writable);
    switch (d.kind) {
      case 'store':
        // DRAM type, timing, rows, buffers, latency timers and error reporting enables change
        // nothing a guest can observe in a VM.
        this.regs[at] = next;
        break;
      case 'clear':
        this.regs[at] = old & ~(v & d.writable);
        break;
      case 'pam':
        this.writePam(at - PAM0, old, next);
        break;
      case 'fdhc':
        // A hole takes DRAM away from 512-640 KiB or 15-16 MiB and gives it to ISA: the memory
        // map cannot do that.
        if ((next & FDHC_HEN_MASK) !== 0) this.wiring.fail(`i440FX: FDHC = ${hex(v)} asks for a fixed DRAM hole, which is not modelled`);
        this.regs[at] = next;
        break;
      case 'smram':
        this.regs[at] = this.smramNext(old, v);
        break;
      default:
        assertNever(d.kind, 'i440FX');
    }
  }

  private writePam(pam: number, old: number, next: number): void {
    const segs = pamSegments(pam);
    const changed = segs.filter((s) => ((old >>> s.shift) & 3) !== ((next >>> s.shift) & 3));
    if (changed.length > 0 && !this.memory) {
      const s = changed[0] as { base: number; size: number; shift: number };
      this.wiring.fail(
        `i440FX: PAM${pam} = ${hex(next)} would route ${hex(s.base)}-${hex(s.base + s.size - 1)} to ${pamRoute((next >>> s.shift) & 3)}, ` +
          'but the VMM has not connected a memory map for PAM shadowing (connectMemory)',
      );
    }
    this.regs[PAM0 + pam] = next;
    for (const s of changed) this.report(s.base, s.size, (next >>> s.shift) & 3);
  }

  /** SMRAM write rules (82441FX SMRAM register): D_LCK freezes D_OPEN, D_LCK and G_SMRAME. */
  private smramNext(old: number, v: number): number {
    const locked = (old & SMRAM_D_LCK) !== 0;
    const writable = locked ? SMRAM_D_CLS : SMRAM_WRITABLE;
    let next = (old & ~writable) | (v & writable) | SMRAM_C_BASE_SEG;
    if ((next & SMRAM_D_LCK) !== 0) next &= ~SMRAM_D_OPEN;
    if ((next & (SMRAM_D_OPEN | SMRAM_D_CLS)) === (SMRAM_D_OPEN | SMRAM_D_CLS)) {
      this.wiring.fail(`i440FX: SMRAM = ${hex(v)} sets D_OPEN and D_CLS together, which the datasheet leaves undefined`);
    }
    if ((next & (SMRAM_D_OPEN | SMRAM_G_SMRAME)) === (SMRAM_D_OPEN | SMRAM_G_SMRAME)) {
      // Open SMRAM maps DRAM over the VGA window for ordinary accesses.
      this.wiring.fail(`i440FX: SMRAM = ${hex(v)} opens SMRAM at 0xA0000-0xBFFFF to non-SMM accesses, which is not modelled`);
    }
    return next;
  }

  private resetRegisters(): void {
    this.regs.fill(0);
    for (let at = 0; at < 0x100; at++) {
      const d = TABLE[at];
      if (d) this.regs[at] = d.reset;
    }
  }

  private field(pam: number, shift: number): number {
    return ((this.regs[PAM0 + pam] as number) >>> shift) & 3;
  }

  private segment(pam: number, s: { base: number; size: number; shift: number }): PamSegment {
    const f = this.field(pam, s.shift);
    return { base: s.base, size: s.size, readRam: (f & PAM_RE) !== 0, writeRam: (f & PAM_WE) !== 0 };
  }

  private pamDiffers(before: Uint8Array): boolean {
    for (let at = PAM0; at <= PAM6; at++) if (before[at] !== this.regs[at]) return true;
    return false;
  }

  private reportPamChanges(before: Uint8Array): void {
    for (let pam = 0; pam <= PAM6 - PAM0; pam++) {
      for (const s of pamSegments(pam)) {
        const was = ((before[PAM0 + pam] as number) >>> s.shift) & 3;
        const now = this.field(pam, s.shift);
        if (was !== now) this.report(s.base, s.size, now);
      }
    }
  }

  private report(base: number, size: number, field: number): void {
    this.memory?.onPamChange(base, size, (field & PAM_RE) !== 0, (field & PAM_WE) !== 0);
  }
}

const PAM_ROUTES = ['ROM/PCI for reads and writes', 'DRAM for reads, PCI for writes', 'PCI for reads, DRAM for writes', 'DRAM for reads and writes'];

/** What a 2-bit PAM field does, for messages. */
function pamRoute(field: number): string {
  return PAM_ROUTES[field & 3] as string;
}
