import type { BlockBackend } from './backend.js';
import { cdPowerOn, type CdState } from './atapi.js';
import { ATA_SECTOR, CD_BLOCK, DRDY, DSC } from './regs.js';

/** What kind of device sits at a position of a channel. */
export type DriveKind = 'disk' | 'cdrom' | 'none';

/** The transfer a drive is in the middle of. */
export type Phase = 'idle' | 'pio-in' | 'pio-out' | 'packet' | 'dma-in' | 'dma-out';

/** One drive's registers and transfer state (plain numbers: saved as they are). */
export interface DriveState {
  // Command block registers as this device latched them; `*Hob` is the previous write (48-bit).
  error: number;
  feature: number;
  featureHob: number;
  nsect: number;
  nsectHob: number;
  lbal: number;
  lbalHob: number;
  lbam: number;
  lbamHob: number;
  lbah: number;
  lbahHob: number;
  select: number;
  status: number;
  /** INTRQ pending (cleared by reading Status). */
  intrq: boolean;
  // Transfer.
  phase: Phase;
  command: number;
  /** Next sector of the medium to transfer (ATA), or next CD block (ATAPI read). */
  lba: number;
  /** Sectors (ATA) still to move after the current DRQ block. */
  remaining: number;
  /** Sectors per DRQ block of the command running. */
  block: number;
  /** Bytes of the current DRQ block: buffer position and end. */
  pos: number;
  end: number;
  /** ATAPI: bytes of the data phase left after the current block; byte offset into the read. */
  pktLeft: number;
  pktOffset: number;
  /** ATAPI: the byte count limit of the PACKET command. */
  byteLimit: number;
  /** ATAPI: whether the read comes from the medium (else from `pktData`). */
  pktMedium: boolean;
  /** ATAPI: small responses (INQUIRY...), whole. */
  pktData: number[];
  // Disk settings.
  multiple: number;
  curHeads: number;
  curSpt: number;
  writeCache: boolean;
  lookAhead: boolean;
  mwdma: number;
  udma: number;
  /** CD-ROM state. */
  cd: CdState;
}

/** Bytes the PIO buffer holds: an ATAPI DRQ block of up to 0xFFFE bytes. */
export const BUFFER_BYTES = 0x10000;

/** One device on a channel. */
export class Drive {
  s: DriveState;
  readonly buf = new Uint8Array(BUFFER_BYTES);
  /** Default geometry (IDENTIFY words 1, 3, 6). */
  readonly cylinders: number;
  readonly heads = 16;
  readonly spt = 63;

  constructor(
    readonly kind: DriveKind,
    readonly backend: BlockBackend | null,
    readonly serial: string,
  ) {
    const sectors = backend ? backend.sectors : 0;
    this.cylinders = Math.max(1, Math.min(16383, Math.floor(sectors / (16 * 63))));
    this.s = this.powerOn();
  }

  get present(): boolean {
    return this.kind !== 'none';
  }
  get atapi(): boolean {
    return this.kind === 'cdrom';
  }
  get sectors(): number {
    return this.backend ? this.backend.sectors : 0;
  }
  get sectorSize(): number {
    return this.atapi ? CD_BLOCK : ATA_SECTOR;
  }

  /** Registers and settings at power-on. */
  powerOn(): DriveState {
    const s: DriveState = {
      error: 0x01,
      feature: 0,
      featureHob: 0,
      nsect: 0,
      nsectHob: 0,
      lbal: 0,
      lbalHob: 0,
      lbam: 0,
      lbamHob: 0,
      lbah: 0,
      lbahHob: 0,
      select: 0,
      status: 0,
      intrq: false,
      phase: 'idle',
      command: 0,
      lba: 0,
      remaining: 0,
      block: 0,
      pos: 0,
      end: 0,
      pktLeft: 0,
      pktOffset: 0,
      byteLimit: 0,
      pktMedium: false,
      pktData: [],
      multiple: 0,
      curHeads: this.heads,
      curSpt: this.spt,
      writeCache: true,
      lookAhead: true,
      mwdma: -1,
      udma: -1,
      cd: cdPowerOn(this.backend !== null),
    };
    this.s = s;
    this.signature();
    return s;
  }

  /**
   * Reset outcome: the signature in the task file (ATA 0x00/0x00, ATAPI 0x14/0xEB), diagnostic
   * code 01h. A reset of the channel (SRST, EXECUTE DEVICE DIAGNOSTIC) also clears the Device
   * register; a reset of one device (DEVICE RESET, IDENTIFY DEVICE to a packet device) keeps it.
   */
  signature(keepSelect = false): void {
    const s = this.s;
    s.error = 0x01;
    s.nsect = 1;
    s.lbal = 1;
    s.lbam = this.atapi ? 0x14 : 0;
    s.lbah = this.atapi ? 0xeb : 0;
    if (!keepSelect) s.select = 0;
    s.status = this.atapi || !this.present ? 0 : DRDY | DSC;
    s.phase = 'idle';
    s.pos = 0;
    s.end = 0;
    s.intrq = false;
  }
}
