import { assertNever, type AccessSize, type IrqLine } from '@v3/device-api';
import {
  APICBASE,
  CTHTMR,
  CTLTMR,
  DLC,
  FTMR,
  IORT,
  MBDMA0,
  MBIRQ0,
  MSTAT,
  PCSC,
  PIRQ_VALID_IRQS,
  PIRQRC,
  PIRQRC_DISABLE,
  PIRQRC_IRQ_MASK,
  PIRQRC_WRITABLE,
  RC_RCPU,
  RC_SRST,
  RC_STORED,
  SEE,
  SMICNTL,
  SMIEN,
  SMIREQ,
  TOM,
  XBCS,
} from './regs.js';

/** How the chip reaches the world: ISA IRQ lines, power requests, fail stop. */
export interface Piix3Wiring {
  irq(line: number): IrqLine;
  requestReset(hard: boolean, why: string): void;
  fail(reason: string, detail?: { port?: number }): never;
}

/** Plain state of the PIIX3 function 0, for checkpoints. */
export interface Piix3State {
  /** Device-specific configuration registers, 256 bytes (0x00-0x3F unused). */
  regs: number[];
  /** The reset control register at 0xCF9. */
  rc: number;
  /** PIRQA#-PIRQD# as the PCI bus last reported them. */
  pirq: boolean[];
}

/**
 * How one configuration byte behaves: `store` keeps the writable bits (the register changes
 * nothing a VM can observe, or the device that would act on it is elsewhere); `pirq` is a PIRQ
 * route; `unmodelled` reads its reset value and fails stop on a write that would change it.
 */
interface RegDef {
  name: string;
  reset: number;
  writable: number;
  kind: 'store' | 'pirq' | 'unmodelled';
}

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

function registerTable(): (RegDef | undefined)[] {
  const t: (RegDef | undefined)[] = new Array<RegDef | undefined>(0x100);
  const def = (at: number, name: string, reset: number, writable = 0xff, kind: RegDef['kind'] = 'store'): void => {
    t[at] = { name, reset, writable, kind };
  };
  def(IORT, 'IORT', 0x4d);
  def(XBCS, 'XBCS', 0x03);
  def(XBCS + 1, 'XBCS', 0x00);
  for (let i = 0; i < 4; i++) def(PIRQRC + i, `PIRQRC${'ABCD'[i]}`, PIRQRC_DISABLE, PIRQRC_WRITABLE, 'pirq');
  def(TOM, 'TOM', 0x02);
  def(MSTAT, 'MSTAT', 0x00);
  def(MSTAT + 1, 'MSTAT', 0x00);
  // Motherboard IRQ and DMA steering and the programmable chip select serve devices soldered to
  // the board; v3 has none on those pins, so the values are kept and act on nothing.
  def(MBIRQ0, 'MBIRQ0', 0x80);
  def(MBDMA0, 'MBDMA0', 0x0c);
  def(MBDMA0 + 1, 'MBDMA1', 0x0c);
  def(PCSC, 'PCSC', 0x02);
  def(PCSC + 1, 'PCSC', 0x00);
  // APICBASE moves the I/O APIC's window; the IOAPIC device owns its own base, so it is stored.
  def(APICBASE, 'APICBASE', 0x00, 0x3f);
  def(DLC, 'DLC', 0x00, 0x0f);
  // System management: SMI# and clock throttling need an SMM the CPU does not have.
  def(SMICNTL, 'SMICNTL', 0x08, 0xff, 'unmodelled');
  def(SMIEN, 'SMIEN', 0x00, 0xff, 'unmodelled');
  def(SMIEN + 1, 'SMIEN', 0x00, 0xff, 'unmodelled');
  for (let i = 0; i < 4; i++) def(SEE + i, 'SEE', 0x00, 0xff, 'unmodelled');
  def(FTMR, 'FTMR', 0x0f, 0xff, 'unmodelled');
  def(SMIREQ, 'SMIREQ', 0x00, 0xff, 'unmodelled');
  def(SMIREQ + 1, 'SMIREQ', 0x00, 0xff, 'unmodelled');
  def(CTLTMR, 'CTLTMR', 0x00, 0xff, 'unmodelled');
  def(CTHTMR, 'CTHTMR', 0x00, 0xff, 'unmodelled');
  return t;
}

const TABLE = registerTable();

/**
 * The PIIX3's function 0: PIRQ steering of PCI interrupts onto ISA IRQs (it is the PCI bus's
 * interrupt router), the reset control register, and the ISA bridge registers Linux and BIOSes
 * touch. No host in here: `device.ts` wires it to the bus, the ports and the IRQ lines.
 */
export class Piix3 {
  private readonly regs = new Uint8Array(0x100);
  private rc = 0;
  /** PIRQA#-PIRQD# levels from the bus. */
  private readonly pirq = [false, false, false, false];
  /** ISA IRQ lines this chip drives now (bit n = IRQ n). */
  private driven = 0;

  constructor(private readonly wiring: Piix3Wiring) {
    this.resetRegisters();
  }

  /** The ISA IRQ PIRQ line `pirq` (0-3) is routed to, or `null` when routing is disabled. */
  route(pirq: number): number | null {
    const v = this.regs[PIRQRC + pirq] as number;
    return (v & PIRQRC_DISABLE) !== 0 ? null : v & PIRQRC_IRQ_MASK;
  }

  /** The bus reports a PIRQ line's wired-OR level. */
  pirqChanged(pirq: number, asserted: boolean): void {
    this.pirq[pirq] = asserted;
    this.updateLines();
  }

  /** A configuration read of the device-specific registers. */
  readConfig(reg: number, size: AccessSize): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= (this.regs[reg + i] as number) << (8 * i);
    return v >>> 0;
  }

  /** A configuration write of the device-specific registers, byte by byte. */
  writeConfig(reg: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(reg + i, (value >>> (8 * i)) & 0xff);
    this.updateLines();
  }

  /** A read of the reset control register (byte only). */
  readRc(size: AccessSize): number {
    if (size !== 1) this.wiring.fail(`PIIX3: ${size}-byte read of the reset control register 0xCF9 (byte access only)`, { port: 0xcf9 });
    return this.rc;
  }

  /** A write of the reset control register: RCPU set starts the reset SRST selects. */
  writeRc(size: AccessSize, value: number): void {
    if (size !== 1) this.wiring.fail(`PIIX3: ${size}-byte write of ${hex(value)} to the reset control register 0xCF9 (byte access only)`, { port: 0xcf9 });
    // RCPU reads back 0, so every write with it set is the 0-to-1 transition that resets.
    this.rc = value & RC_STORED;
    if ((value & RC_RCPU) !== 0) {
      const hard = (value & RC_SRST) !== 0;
      this.wiring.requestReset(hard, `PIIX3 reset control 0xCF9 = ${hex(value)}: ${hard ? 'hard reset' : 'soft reset (INIT)'}`);
    }
  }

  /** Power-on values; every ISA line the chip drove is released. */
  reset(): void {
    this.resetRegisters();
    this.rc = 0;
    this.updateLines();
  }

  save(): Piix3State {
    return { regs: Array.from(this.regs), rc: this.rc, pirq: [...this.pirq] };
  }

  load(s: Piix3State): void {
    for (let at = 0x40; at < 0x100; at++) {
      const d = TABLE[at];
      this.regs[at] = d ? ((d.reset & ~d.writable) | ((s.regs[at] as number) & d.writable)) & 0xff : 0;
    }
    for (let p = 0; p < 4; p++) this.checkRoute(p, this.regs[PIRQRC + p] as number);
    this.rc = s.rc & RC_STORED;
    for (let p = 0; p < 4; p++) this.pirq[p] = s.pirq[p] === true;
    this.updateLines();
  }

  private writeByte(at: number, v: number): void {
    const d = TABLE[at];
    if (!d) {
      // Reserved: reads 0; a 0 written by a wider access over a neighbour is harmless.
      if (v !== 0) this.wiring.fail(`PIIX3: write of ${hex(v)} to reserved configuration register ${hex(at)}`);
      return;
    }
    const old = this.regs[at] as number;
    const next = (old & ~d.writable) | (v & d.writable);
    switch (d.kind) {
      case 'store':
        break;
      case 'pirq':
        this.checkRoute(at - PIRQRC, next);
        break;
      case 'unmodelled':
        if (next !== old) this.wiring.fail(`PIIX3: ${d.name} (${hex(at)}) = ${hex(v)}: system management (SMI#, clock throttling) is not modelled`);
        break;
      default:
        assertNever(d.kind, 'PIIX3');
    }
    this.regs[at] = next;
  }

  /** An enabled route must name an IRQ the PIIX3 can steer to. */
  private checkRoute(pirq: number, v: number): void {
    if ((v & PIRQRC_DISABLE) !== 0) return;
    const irq = v & PIRQRC_IRQ_MASK;
    if (!PIRQ_VALID_IRQS.includes(irq)) {
      this.wiring.fail(`PIIX3: PIRQRC${'ABCD'[pirq]} = ${hex(v)} routes PIRQ${'ABCD'[pirq]}# to IRQ ${irq}, a reserved routing code`);
    }
  }

  /** Drive each ISA IRQ with the OR of the PIRQ lines routed to it. */
  private updateLines(): void {
    let want = 0;
    for (let p = 0; p < 4; p++) {
      const irq = this.route(p);
      if (irq !== null && this.pirq[p]) want |= 1 << irq;
    }
    const diff = want ^ this.driven;
    if (diff === 0) return;
    this.driven = want;
    for (let irq = 0; irq < 16; irq++) {
      if ((diff & (1 << irq)) === 0) continue;
      const line = this.wiring.irq(irq);
      if ((want & (1 << irq)) !== 0) line.raise();
      else line.lower();
    }
  }

  private resetRegisters(): void {
    this.regs.fill(0);
    for (let at = 0; at < 0x100; at++) {
      const d = TABLE[at];
      if (d) this.regs[at] = d.reset;
    }
  }
}
