import type { IrqLine } from '@v3/device-api';
import { runPacket, type InquiryStrings } from './atapi.js';
import type { GuestMemory } from './backend.js';
import type { Drive} from './drive.js';
import { type DriveState } from './drive.js';
import { identifyCdrom, identifyDisk } from './identify.js';
import {
  ABRT,
  ATA_SECTOR,
  BM_ACTIVE,
  BM_CAPABLE,
  BM_ERROR,
  BM_INTR,
  BM_START,
  BM_WRITE,
  BSY,
  DEV,
  DRDY,
  DRQ,
  DSC,
  ERR,
  HOB,
  IDNF,
  IR_COD,
  IR_IO,
  LBA,
  MAX_MULTIPLE,
  NIEN,
  SRST,
} from './regs.js';

/** What a channel needs from its surroundings. */
export interface ChannelEnv {
  /** Guest memory for bus-master DMA, or null (DMA is then neither advertised nor possible). */
  memory: GuestMemory | null;
  /** Fail stop on behalf of the device. */
  fail(reason: string, detail?: { port?: number }): never;
  /** Whether debug output is switched on now (so messages are only built when wanted). */
  debugOn(): boolean;
  /** Debug output. */
  debug(message: string): void;
}

/** One channel's state apart from its drives. */
export interface ChannelState {
  unit: number;
  devCtl: number;
  bmCommand: number;
  bmStatus: number;
  bmPrd: number;
  irqLevel: boolean;
  drives: [DriveState, DriveState];
}

// ATA commands (ATA/ATAPI-6 chapter 8).
const C = {
  NOP: 0x00,
  DEVICE_RESET: 0x08,
  READ_SECTORS: 0x20,
  READ_SECTORS_NR: 0x21,
  READ_SECTORS_EXT: 0x24,
  READ_DMA_EXT: 0x25,
  READ_MULTIPLE_EXT: 0x29,
  WRITE_SECTORS: 0x30,
  WRITE_SECTORS_NR: 0x31,
  WRITE_SECTORS_EXT: 0x34,
  WRITE_DMA_EXT: 0x35,
  WRITE_MULTIPLE_EXT: 0x39,
  READ_VERIFY: 0x40,
  READ_VERIFY_NR: 0x41,
  READ_VERIFY_EXT: 0x42,
  EXECUTE_DIAGNOSTIC: 0x90,
  INITIALIZE_PARAMS: 0x91,
  PACKET: 0xa0,
  IDENTIFY_PACKET: 0xa1,
  READ_MULTIPLE: 0xc4,
  WRITE_MULTIPLE: 0xc5,
  SET_MULTIPLE: 0xc6,
  READ_DMA: 0xc8,
  READ_DMA_NR: 0xc9,
  WRITE_DMA: 0xca,
  WRITE_DMA_NR: 0xcb,
  STANDBY_IMMEDIATE: 0xe0,
  IDLE_IMMEDIATE: 0xe1,
  STANDBY: 0xe2,
  IDLE: 0xe3,
  CHECK_POWER_MODE: 0xe5,
  FLUSH_CACHE: 0xe7,
  FLUSH_CACHE_EXT: 0xea,
  IDENTIFY: 0xec,
  SET_FEATURES: 0xef,
  STANDBY_IMMEDIATE_OLD: 0x94,
  IDLE_IMMEDIATE_OLD: 0x95,
  STANDBY_OLD: 0x96,
  IDLE_OLD: 0x97,
  CHECK_POWER_MODE_OLD: 0x98,
} as const;

/** One IDE channel: two drive positions sharing a command block, INTRQ, and a bus master. */
export class Channel {
  unit = 0;
  devCtl = 0;
  bmCommand = 0;
  bmStatus = 0;
  bmPrd = 0;
  private irqLevel = false;

  constructor(
    readonly index: number,
    readonly drives: [Drive, Drive],
    private readonly irq: IrqLine,
    private readonly env: ChannelEnv,
    private readonly ids: { model: (d: Drive) => string; inquiry: InquiryStrings },
  ) {
    this.bmStatus = this.dmaCapableBits();
  }

  private get dma(): boolean {
    return this.env.memory !== null;
  }
  private get cur(): Drive {
    return this.drives[this.unit]!;
  }
  private get empty(): boolean {
    return !this.drives[0].present && !this.drives[1].present;
  }
  private dmaCapableBits(): number {
    if (!this.dma) return 0;
    return (this.drives[0].present ? 0x20 : 0) | (this.drives[1].present ? 0x40 : 0);
  }

  // ---- interrupt -------------------------------------------------------------------------

  /** Drive INTRQ: the selected device's request, unless nIEN. A rising edge sets BMIS.IRQ. */
  private updateIrq(): void {
    const d = this.cur;
    const level = d.present && d.s.intrq && (this.devCtl & NIEN) === 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) {
      this.bmStatus |= BM_INTR;
      this.irq.raise();
    } else {
      this.irq.lower();
    }
  }

  private interrupt(d: Drive): void {
    d.s.intrq = true;
    this.updateIrq();
  }

  // ---- command block ---------------------------------------------------------------------

  /** A read of command block register `reg` (1-7; 0 is the data port). */
  readReg(reg: number): number {
    if (this.empty) return 0;
    const d = this.cur;
    const s = d.s;
    const hob = (this.devCtl & HOB) !== 0;
    switch (reg) {
      case 1:
        return s.error; // the error register has no HOB copy
      case 2:
        return hob ? s.nsectHob : s.nsect;
      case 3:
        return hob ? s.lbalHob : s.lbal;
      case 4:
        return hob ? s.lbamHob : s.lbam;
      case 5:
        return hob ? s.lbahHob : s.lbah;
      case 6:
        return s.select | 0xa0;
      default: {
        if (!d.present) return 0;
        const v = this.status(d);
        if (s.intrq) {
          s.intrq = false;
          this.updateIrq();
        }
        return v;
      }
    }
  }

  /** The Alternate Status register (does not acknowledge the interrupt). */
  readAltStatus(): number {
    if (this.empty || !this.cur.present) return 0;
    return this.status(this.cur);
  }

  private status(d: Drive): number {
    return this.devCtl & SRST ? BSY : d.s.status;
  }

  /** A write of command block register `reg` (1-7). Both devices latch it (shared cable). */
  writeReg(reg: number, v: number): void {
    this.devCtl &= ~HOB; // a write to any command block register clears HOB
    if (reg === 7) {
      this.command(v);
      return;
    }
    for (const d of this.drives) {
      const s = d.s;
      switch (reg) {
        case 1:
          s.featureHob = s.feature;
          s.feature = v;
          break;
        case 2:
          s.nsectHob = s.nsect;
          s.nsect = v;
          break;
        case 3:
          s.lbalHob = s.lbal;
          s.lbal = v;
          break;
        case 4:
          s.lbamHob = s.lbam;
          s.lbam = v;
          break;
        case 5:
          s.lbahHob = s.lbah;
          s.lbah = v;
          break;
        case 6:
          s.select = v & 0x5f; // bits 7 and 5 are obsolete (read as 1)
          break;
      }
    }
    if (reg === 6) {
      this.unit = (v & DEV) >> 4;
      this.updateIrq();
    }
  }

  /** The Device Control register: nIEN, SRST (both devices), HOB. */
  writeControl(v: number): void {
    const was = this.devCtl;
    this.devCtl = v & (HOB | SRST | NIEN);
    if ((was & SRST) && !(v & SRST)) this.softReset();
    else if (!(was & SRST) && v & SRST) {
      // Reset starts: any transfer and interrupt request is dropped.
      for (const d of this.drives) {
        d.s.phase = 'idle';
        d.s.intrq = false;
      }
    }
    this.updateIrq();
  }

  /** SRST released: both devices put their signatures in place, device 0 selected, no interrupt. */
  private softReset(): void {
    for (const d of this.drives) d.signature();
    this.unit = 0;
    this.bmCommand &= ~BM_START;
    this.bmStatus &= ~BM_ACTIVE;
  }

  // ---- data port -------------------------------------------------------------------------

  /** A 16- or 32-bit read of the data register. */
  readData(size: 2 | 4): number {
    const d = this.cur;
    const s = d.s;
    if (s.phase !== 'pio-in' || (this.devCtl & SRST)) return size === 4 ? 0xffffffff : 0xffff; // no DRQ: nothing drives the bus
    let v = 0;
    for (let i = 0; i < size && s.pos < s.end; i++) v |= d.buf[s.pos++]! << (8 * i);
    if (s.pos >= s.end) this.blockDone(d);
    return v >>> 0;
  }

  /** A 16- or 32-bit write of the data register. */
  writeData(size: 2 | 4, v: number): void {
    const d = this.cur;
    const s = d.s;
    if ((s.phase !== 'pio-out' && s.phase !== 'packet') || (this.devCtl & SRST)) return; // no DRQ: the write goes nowhere
    for (let i = 0; i < size && s.pos < s.end; i++) d.buf[s.pos++] = (v >>> (8 * i)) & 0xff;
    if (s.pos >= s.end) this.blockDone(d);
  }

  // ---- commands --------------------------------------------------------------------------

  private command(cmd: number): void {
    if (this.devCtl & SRST) return;
    if (cmd === C.EXECUTE_DIAGNOSTIC) {
      if (this.empty) return;
      // Both devices run their diagnostics; device 0 reports (ATA-6 8.11).
      for (const d of this.drives) d.signature();
      this.unit = 0;
      if (this.drives[0].present) this.interrupt(this.drives[0]);
      else this.updateIrq();
      return;
    }
    const d = this.cur;
    if (!d.present) return; // nothing answers at this position
    const s = d.s;
    s.phase = 'idle';
    s.intrq = false;
    this.updateIrq();
    s.command = cmd;
    s.error = 0;
    if (this.env.debugOn()) this.env.debug(`ch${this.index}.${this.unit}: command 0x${cmd.toString(16)}`);
    if (d.atapi) this.atapiCommand(d, cmd);
    else this.ataCommand(d, cmd);
  }

  private ok(d: Drive, irq = true): void {
    d.s.status = DRDY | DSC;
    d.s.phase = 'idle';
    if (irq) this.interrupt(d);
  }

  private abort(d: Drive, error = ABRT): void {
    d.s.error = error;
    d.s.status = d.atapi ? DRDY | ERR : DRDY | DSC | ERR;
    d.s.phase = 'idle';
    this.interrupt(d);
  }

  /** Address and count of an LBA28/CHS or LBA48 command, or null after aborting it. */
  private address(d: Drive, ext: boolean): { lba: number; count: number } | null {
    const s = d.s;
    let lba: number;
    let count: number;
    if (ext) {
      lba = s.lbal + s.lbam * 0x100 + s.lbah * 0x10000 + s.lbalHob * 0x1000000 + s.lbamHob * 0x100000000 + s.lbahHob * 0x10000000000;
      count = s.nsect | (s.nsectHob << 8) || 0x10000;
    } else if (s.select & LBA) {
      lba = s.lbal | (s.lbam << 8) | (s.lbah << 16) | ((s.select & 0x0f) << 24);
      count = s.nsect || 0x100;
    } else {
      const cyl = s.lbam | (s.lbah << 8);
      const head = s.select & 0x0f;
      const sector = s.lbal;
      if (sector === 0 || sector > s.curSpt || head >= s.curHeads) {
        this.abort(d, IDNF | ABRT);
        return null;
      }
      lba = (cyl * s.curHeads + head) * s.curSpt + sector - 1;
      count = s.nsect || 0x100;
    }
    if (lba + count > d.sectors) {
      this.abort(d, IDNF);
      return null;
    }
    return { lba, count };
  }

  private ataCommand(d: Drive, cmd: number): void {
    const s = d.s;
    switch (cmd) {
      case C.IDENTIFY: {
        const id = identifyDisk(this.identifyInfo(d), {
          sectors: d.sectors,
          cylinders: d.cylinders,
          heads: d.heads,
          spt: d.spt,
          curCylinders: Math.min(0xffff, Math.floor(d.sectors / (s.curHeads * s.curSpt))),
          curHeads: s.curHeads,
          curSpt: s.curSpt,
          multiple: s.multiple,
          writeCache: s.writeCache,
          lookAhead: s.lookAhead,
        });
        this.pioIn(d, id);
        return;
      }
      case C.READ_SECTORS:
      case C.READ_SECTORS_NR:
      case C.READ_SECTORS_EXT:
      case C.READ_MULTIPLE:
      case C.READ_MULTIPLE_EXT:
      case C.WRITE_SECTORS:
      case C.WRITE_SECTORS_NR:
      case C.WRITE_SECTORS_EXT:
      case C.WRITE_MULTIPLE:
      case C.WRITE_MULTIPLE_EXT: {
        const multiple = cmd === C.READ_MULTIPLE || cmd === C.READ_MULTIPLE_EXT || cmd === C.WRITE_MULTIPLE || cmd === C.WRITE_MULTIPLE_EXT;
        const write = cmd >= 0x30 && cmd <= 0x39 || cmd === C.WRITE_MULTIPLE;
        if (multiple && s.multiple === 0) return this.abort(d); // READ/WRITE MULTIPLE before SET MULTIPLE MODE
        if (write && d.backend!.readOnly) return this.abort(d);
        const a = this.address(d, cmd === C.READ_SECTORS_EXT || cmd === C.READ_MULTIPLE_EXT || cmd === C.WRITE_SECTORS_EXT || cmd === C.WRITE_MULTIPLE_EXT);
        if (!a) return;
        s.lba = a.lba;
        s.remaining = a.count;
        s.block = multiple ? s.multiple : 1;
        if (write) this.nextWriteBlock(d, false);
        else this.nextReadBlock(d);
        return;
      }
      case C.READ_DMA:
      case C.READ_DMA_NR:
      case C.READ_DMA_EXT:
      case C.WRITE_DMA:
      case C.WRITE_DMA_NR:
      case C.WRITE_DMA_EXT: {
        if (!this.dma) return this.abort(d); // DMA not advertised: the command is unsupported
        const write = cmd === C.WRITE_DMA || cmd === C.WRITE_DMA_NR || cmd === C.WRITE_DMA_EXT;
        if (write && d.backend!.readOnly) return this.abort(d);
        const a = this.address(d, cmd === C.READ_DMA_EXT || cmd === C.WRITE_DMA_EXT);
        if (!a) return;
        s.lba = a.lba;
        s.remaining = a.count;
        s.phase = write ? 'dma-out' : 'dma-in';
        s.status = DRDY | DSC | DRQ;
        this.tryDma();
        return;
      }
      case C.READ_VERIFY:
      case C.READ_VERIFY_NR:
      case C.READ_VERIFY_EXT:
        if (this.address(d, cmd === C.READ_VERIFY_EXT)) this.ok(d);
        return;
      case C.SET_MULTIPLE: {
        const n = s.nsect;
        // 0 disables; otherwise a power of two up to the IDENTIFY word 47 maximum.
        if (n > MAX_MULTIPLE || (n & (n - 1)) !== 0) return this.abort(d);
        s.multiple = n;
        return this.ok(d);
      }
      case C.INITIALIZE_PARAMS: {
        const heads = (s.select & 0x0f) + 1;
        const spt = s.nsect;
        if (spt === 0) return this.abort(d);
        s.curHeads = heads;
        s.curSpt = spt;
        return this.ok(d);
      }
      case C.SET_FEATURES:
        return this.setFeatures(d);
      case C.STANDBY_IMMEDIATE:
      case C.IDLE_IMMEDIATE:
      case C.STANDBY:
      case C.IDLE:
      case C.STANDBY_IMMEDIATE_OLD:
      case C.IDLE_IMMEDIATE_OLD:
      case C.STANDBY_OLD:
      case C.IDLE_OLD:
      case C.FLUSH_CACHE:
      case C.FLUSH_CACHE_EXT:
        // Writes reach the backend at once; power states change nothing observable here.
        return this.ok(d);
      case C.CHECK_POWER_MODE:
      case C.CHECK_POWER_MODE_OLD:
        s.nsect = 0xff; // active or idle
        return this.ok(d);
      default:
        if (cmd >= 0x10 && cmd <= 0x1f) {
          // RECALIBRATE (obsolete in ATA-4 and later, still sent by BIOSes).
          return this.ok(d);
        }
        // NOP, DEVICE RESET, PACKET, IDENTIFY PACKET DEVICE and every command of a feature set
        // not in IDENTIFY: a disk aborts them (ATA-6 6.2 and the command descriptions).
        return this.abort(d);
    }
  }

  private atapiCommand(d: Drive, cmd: number): void {
    const s = d.s;
    switch (cmd) {
      case C.PACKET:
        if (s.feature & 0x02) return this.abort(d); // overlapped: not advertised
        if ((s.feature & 0x01) && !this.dma) return this.abort(d); // DMA: not advertised
        s.byteLimit = s.lbam | (s.lbah << 8);
        s.nsect = IR_COD; // the device wants the command packet
        s.status = DRDY | DRQ;
        s.phase = 'packet';
        s.pos = 0;
        s.end = 12;
        return; // no interrupt: DRQ comes within 50 us (IDENTIFY PACKET word 0 bits 6-5)
      case C.IDENTIFY_PACKET:
        this.pioIn(d, identifyCdrom(this.identifyInfo(d)));
        return;
      case C.IDENTIFY:
        // A packet device aborts IDENTIFY DEVICE and shows its signature (ATA-6 8.15).
        d.signature(true);
        this.abort(d);
        d.s.status = DRDY | ERR;
        return;
      case C.DEVICE_RESET:
        d.signature(true); // status 0: DRDY clear, no interrupt
        return;
      case C.SET_FEATURES:
        return this.setFeatures(d);
      case C.IDLE_IMMEDIATE:
      case C.STANDBY_IMMEDIATE:
        return this.ok(d);
      case C.CHECK_POWER_MODE:
        s.nsect = 0xff;
        return this.ok(d);
      default:
        return this.abort(d);
    }
  }

  private setFeatures(d: Drive): void {
    const s = d.s;
    switch (s.feature) {
      case 0x03: {
        // Set transfer mode from the sector count register (ATA-6 8.36.10).
        const mode = s.nsect;
        const kind = mode >> 3;
        const n = mode & 7;
        if (kind === 0 || (kind === 1 && n <= 4)) {
          // PIO default / PIO flow control mode n: DMA modes keep their selection.
        } else if (kind === 4 && n <= 2 && this.dma) {
          s.mwdma = n;
          s.udma = -1;
        } else if (kind === 8 && n <= 5 && this.dma) {
          s.udma = n;
          s.mwdma = -1;
        } else return this.abort(d);
        return this.ok(d);
      }
      case 0x02:
      case 0x82:
        if (d.atapi) return this.abort(d);
        s.writeCache = s.feature === 0x02;
        return this.ok(d);
      case 0xaa:
      case 0x55:
        if (d.atapi) return this.abort(d);
        s.lookAhead = s.feature === 0xaa;
        return this.ok(d);
      case 0x66:
      case 0xcc:
        return this.ok(d); // revert to power-on defaults: disable/enable (nothing else is kept)
      default:
        return this.abort(d);
    }
  }

  private identifyInfo(d: Drive): { serial: string; firmware: string; model: string; dma: boolean; mwdma: number; udma: number } {
    return { serial: d.serial, firmware: '1.0', model: this.ids.model(d), dma: this.dma, mwdma: d.s.mwdma, udma: d.s.udma };
  }

  // ---- PIO -------------------------------------------------------------------------------

  /** A one-block PIO data-in command (IDENTIFY): DRQ, interrupt. */
  private pioIn(d: Drive, data: Uint8Array): void {
    const s = d.s;
    d.buf.set(data);
    s.pos = 0;
    s.end = data.length;
    s.remaining = 0;
    s.pktLeft = 0;
    s.phase = 'pio-in';
    s.status = DRDY | DSC | DRQ;
    this.interrupt(d);
  }

  private nextReadBlock(d: Drive): void {
    const s = d.s;
    const n = Math.min(s.block, s.remaining);
    d.buf.set(d.backend!.read(s.lba, n));
    s.lba += n;
    s.remaining -= n;
    s.pos = 0;
    s.end = n * ATA_SECTOR;
    s.phase = 'pio-in';
    s.status = DRDY | DSC | DRQ;
    this.interrupt(d);
  }

  /** Ask for the next block of a write; the first comes without an interrupt (ATA-6 9.8). */
  private nextWriteBlock(d: Drive, irq: boolean): void {
    const s = d.s;
    const n = Math.min(s.block, s.remaining);
    s.pos = 0;
    s.end = n * ATA_SECTOR;
    s.phase = 'pio-out';
    s.status = DRDY | DSC | DRQ;
    if (irq) this.interrupt(d);
  }

  /** The host moved the whole DRQ block. */
  private blockDone(d: Drive): void {
    const s = d.s;
    if (d.atapi && s.command === C.PACKET) {
      if (s.phase === 'packet') return this.runPacket(d);
      // ATAPI data-in block read by the host.
      if (s.pktLeft > 0) return this.atapiBlock(d);
      return this.atapiDone(d);
    }
    if (s.phase === 'pio-in') {
      if (s.remaining > 0 && !d.atapi) return this.nextReadBlock(d);
      s.phase = 'idle';
      s.status = DRDY | DSC; // no interrupt after the last block of a read
      return;
    }
    // pio-out: the block is in the buffer.
    const n = s.end / ATA_SECTOR;
    d.backend!.write(s.lba, d.buf.slice(0, s.end));
    s.lba += n;
    s.remaining -= n;
    if (s.remaining > 0) return this.nextWriteBlock(d, true);
    this.ok(d);
  }

  // ---- ATAPI -----------------------------------------------------------------------------

  private runPacket(d: Drive): void {
    const s = d.s;
    const cdb = d.buf.slice(0, 12);
    if (this.env.debugOn()) this.env.debug(`ch${this.index}.${this.unit}: packet ${Array.from(cdb, (b) => b.toString(16).padStart(2, '0')).join(' ')}`);
    const r = runPacket(cdb, s.cd, d.backend, this.ids.inquiry);
    switch (r.kind) {
      case 'check':
        s.error = r.key << 4;
        s.status = DRDY | ERR;
        s.nsect = IR_COD | IR_IO;
        s.phase = 'idle';
        this.interrupt(d);
        return;
      case 'none':
        return this.atapiDone(d);
      case 'data':
        s.pktMedium = false;
        s.pktData = Array.from(r.data);
        s.pktLeft = r.data.length;
        break;
      case 'read':
        s.pktMedium = true;
        s.pktData = [];
        s.lba = r.lba;
        s.pktLeft = r.blocks * d.sectorSize;
        break;
    }
    s.pktOffset = 0;
    if (s.feature & 0x01) {
      s.phase = 'dma-in';
      s.status = DRDY | DSC | DRQ;
      this.tryDma();
      return;
    }
    this.atapiBlock(d);
  }

  /** `n` bytes of the packet's data, from the current offset. */
  private packetBytes(d: Drive, n: number): Uint8Array {
    const s = d.s;
    let out: Uint8Array;
    if (!s.pktMedium) out = Uint8Array.from(s.pktData.slice(s.pktOffset, s.pktOffset + n));
    else {
      const size = d.sectorSize;
      const first = Math.floor(s.pktOffset / size);
      const last = Math.floor((s.pktOffset + n - 1) / size);
      const raw = d.backend!.read(s.lba + first, last - first + 1);
      const skip = s.pktOffset - first * size;
      out = raw.subarray(skip, skip + n);
    }
    s.pktOffset += n;
    s.pktLeft -= n;
    return out;
  }

  /** The next PIO data-in block of a packet, as big as the byte count limit allows. */
  private atapiBlock(d: Drive): void {
    const s = d.s;
    let limit = s.byteLimit;
    if (limit === 0) limit = 0xfffe; // 0 is not a valid limit; taken as the largest (see README)
    let n = Math.min(s.pktLeft, limit);
    if (n < s.pktLeft && n & 1) n -= 1; // only the last block may be odd
    d.buf.set(this.packetBytes(d, n));
    s.pos = 0;
    s.end = n;
    s.lbam = n & 0xff;
    s.lbah = n >> 8;
    s.nsect = IR_IO;
    s.phase = 'pio-in';
    s.status = DRDY | DSC | DRQ;
    this.interrupt(d);
  }

  /** Command completion of a packet: status phase. */
  private atapiDone(d: Drive): void {
    d.s.nsect = IR_COD | IR_IO;
    this.ok(d);
  }

  // ---- bus master ------------------------------------------------------------------------

  /** A read of this channel's bus master register at `off` (0-7). */
  readBm(off: number, size: number): number {
    const regs = [this.bmCommand & (BM_START | BM_WRITE), 0, this.bmStatus, 0, this.bmPrd & 0xff, (this.bmPrd >>> 8) & 0xff, (this.bmPrd >>> 16) & 0xff, this.bmPrd >>> 24];
    let v = 0;
    for (let i = 0; i < size && off + i < 8; i++) v |= regs[off + i]! << (8 * i);
    return v >>> 0;
  }

  /** A write of this channel's bus master register at `off` (0-7). */
  writeBm(off: number, size: number, v: number): void {
    for (let i = 0; i < size && off + i < 8; i++) {
      const b = (v >>> (8 * i)) & 0xff;
      const r = off + i;
      if (r === 0) this.writeBmCommand(b);
      else if (r === 2) this.bmStatus = (this.bmStatus & ~(b & (BM_ERROR | BM_INTR)) & ~BM_CAPABLE) | (b & BM_CAPABLE);
      else if (r >= 4) {
        const shift = 8 * (r - 4);
        this.bmPrd = ((this.bmPrd & ~(0xff << shift)) | (b << shift)) >>> 0;
        this.bmPrd = (this.bmPrd & ~3) >>> 0; // dword aligned
      }
    }
  }

  private writeBmCommand(b: number): void {
    const was = this.bmCommand;
    // The direction bit may not change while the engine runs (82371SB 2.7.1): it keeps its value.
    const dir = was & BM_START ? was & BM_WRITE : b & BM_WRITE;
    this.bmCommand = (b & BM_START) | dir;
    if (!(b & BM_START)) {
      this.bmStatus &= ~BM_ACTIVE; // stop: the transfer is abandoned
      return;
    }
    if (!(was & BM_START)) {
      this.bmStatus |= BM_ACTIVE;
      this.tryDma();
    }
  }

  /** Run a DMA transfer when the selected drive waits for one and the engine is started. */
  private tryDma(): void {
    const d = this.cur;
    const s = d.s;
    if (!(this.bmCommand & BM_START) || !(this.bmStatus & BM_ACTIVE)) return;
    if (s.phase !== 'dma-in' && s.phase !== 'dma-out') return;
    const mem = this.env.memory;
    if (!mem) return;
    const toMemory = s.phase === 'dma-in';
    if (toMemory !== ((this.bmCommand & BM_WRITE) !== 0)) {
      const bmTo = (this.bmCommand & BM_WRITE) !== 0 ? 'to' : 'from';
      this.env.fail(`IDE channel ${this.index}: bus master direction (${bmTo} memory) does not match the ${toMemory ? 'read' : 'write'} command 0x${s.command.toString(16)}`);
    }
    let bytes = d.atapi ? s.pktLeft : s.remaining * ATA_SECTOR;
    const startLba = s.lba;
    let done = 0; // bytes of a disk read moved so far
    let prd = this.bmPrd;
    let eot = false;
    let tableDone = false; // the last entry (EOT) was used up exactly
    let pending: Uint8Array = new Uint8Array(0); // write: bytes gathered, not yet whole sectors
    let entries = 0;
    while (bytes > 0 && !eot) {
      if (++entries > 0x10000) this.env.fail(`IDE channel ${this.index}: PRD table at 0x${this.bmPrd.toString(16)} has no end-of-table entry`);
      const e = mem.read(prd, 8);
      const base = (e[0]! | (e[1]! << 8) | (e[2]! << 16) | (e[3]! << 24)) & ~1;
      const count = (e[4]! | (e[5]! << 8)) || 0x10000;
      eot = (e[7]! & 0x80) !== 0;
      prd = (prd + 8) >>> 0;
      const n = Math.min(count, bytes);
      tableDone = eot && n === count;
      if (toMemory) {
        const chunk = d.atapi ? this.packetBytes(d, n) : this.diskBytes(d, startLba, done, n);
        done += n;
        mem.write(base >>> 0, chunk);
      } else {
        const got = mem.read(base >>> 0, n);
        const joined = new Uint8Array(pending.length + got.length);
        joined.set(pending);
        joined.set(got, pending.length);
        const whole = joined.length - (joined.length % ATA_SECTOR);
        if (whole > 0) {
          d.backend!.write(s.lba, joined.subarray(0, whole));
          s.lba += whole / ATA_SECTOR;
          s.remaining -= whole / ATA_SECTOR;
        }
        pending = joined.slice(whole);
      }
      bytes -= n;
    }
    if (bytes > 0) {
      // The PRD table ended before the data: the engine stops with an error; the command fails.
      this.bmStatus = (this.bmStatus & ~BM_ACTIVE) | BM_ERROR;
      this.abort(d);
      return;
    }
    if (toMemory && !d.atapi) {
      s.lba = startLba + done / ATA_SECTOR;
      s.remaining = 0;
    }
    // All data moved. The engine stays active when the table was longer than the transfer.
    if (tableDone) this.bmStatus &= ~BM_ACTIVE;
    if (d.atapi) this.atapiDone(d);
    else this.ok(d);
  }

  /** `n` bytes of a disk DMA read from byte `off` of a transfer that starts at `lba` (PRD entries may split sectors). */
  private diskBytes(d: Drive, lba: number, off: number, n: number): Uint8Array {
    const first = Math.floor(off / ATA_SECTOR);
    const last = Math.floor((off + n - 1) / ATA_SECTOR);
    const raw = d.backend!.read(lba + first, last - first + 1);
    const skip = off - first * ATA_SECTOR;
    return raw.subarray(skip, skip + n);
  }

  // ---- state -----------------------------------------------------------------------------

  save(): ChannelState {
    return {
      unit: this.unit,
      devCtl: this.devCtl,
      bmCommand: this.bmCommand,
      bmStatus: this.bmStatus,
      bmPrd: this.bmPrd,
      irqLevel: this.irqLevel,
      drives: [this.saveDrive(this.drives[0]), this.saveDrive(this.drives[1])],
    };
  }

  private saveDrive(d: Drive): DriveState {
    const s = JSON.parse(JSON.stringify(d.s)) as DriveState;
    s.pktData = [...d.s.pktData];
    (s as DriveState & { buffer?: number[] }).buffer = Array.from(d.buf.subarray(0, d.s.end));
    return s;
  }

  load(st: ChannelState): void {
    this.unit = st.unit;
    this.devCtl = st.devCtl;
    this.bmCommand = st.bmCommand;
    this.bmStatus = st.bmStatus;
    this.bmPrd = st.bmPrd;
    for (let i = 0; i < 2; i++) {
      const d = this.drives[i]!;
      const src = st.drives[i]! as DriveState & { buffer?: number[] };
      const { buffer, ...rest } = src;
      d.s = JSON.parse(JSON.stringify(rest)) as DriveState;
      d.buf.fill(0);
      if (buffer) d.buf.set(buffer);
    }
    if (st.irqLevel !== this.irqLevel) {
      this.irqLevel = st.irqLevel;
      if (st.irqLevel) this.irq.raise();
      else this.irq.lower();
    }
  }

  /** Power-on state (VM reset). */
  reset(): void {
    for (const d of this.drives) d.powerOn();
    this.unit = 0;
    this.devCtl = 0;
    this.bmCommand = 0;
    this.bmStatus = this.dmaCapableBits();
    this.bmPrd = 0;
    this.irqLevel = false;
    this.irq.lower();
  }
}
