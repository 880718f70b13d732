import { MAX_MULTIPLE } from './regs.js';

/** What IDENTIFY (PACKET) DEVICE reports about one drive. */
export interface IdentifyInfo {
  serial: string;
  firmware: string;
  model: string;
  /** Whether bus-master DMA works (guest memory is wired): DMA modes are advertised only then. */
  dma: boolean;
  /** Selected multiword DMA mode (0-2) or -1; selected Ultra DMA mode (0-5) or -1. */
  mwdma: number;
  udma: number;
}

/** ATA strings: padded with spaces, two characters per word, the first in the high byte. */
function putString(w: Uint16Array, first: number, words: number, s: string): void {
  const padded = s.padEnd(words * 2, ' ').slice(0, words * 2);
  for (let i = 0; i < words; i++) w[first + i] = (padded.charCodeAt(2 * i) << 8) | padded.charCodeAt(2 * i + 1);
}

/** Word 255: signature 0xA5 and a checksum that makes the 512 bytes sum to 0 (ATA-6 8.15.61). */
function checksum(w: Uint16Array): void {
  w[255] = 0x00a5;
  let sum = 0;
  for (let i = 0; i < 255; i++) sum += (w[i]! & 0xff) + (w[i]! >> 8);
  sum += 0xa5;
  w[255] = 0x00a5 | (((256 - (sum & 0xff)) & 0xff) << 8);
}

function toBytes(w: Uint16Array): Uint8Array {
  const b = new Uint8Array(512);
  for (let i = 0; i < 256; i++) {
    b[2 * i] = w[i]! & 0xff;
    b[2 * i + 1] = w[i]! >> 8;
  }
  return b;
}

function putDma(w: Uint16Array, info: IdentifyInfo): void {
  if (!info.dma) return;
  w[63] = 0x0007 | (info.mwdma >= 0 ? 0x100 << info.mwdma : 0);
  w[88] = 0x003f | (info.udma >= 0 ? 0x100 << info.udma : 0);
}

/** Disk geometry as IDENTIFY reports it. */
export interface DiskGeometry {
  sectors: number;
  cylinders: number;
  heads: number;
  spt: number;
  curCylinders: number;
  curHeads: number;
  curSpt: number;
  multiple: number;
  writeCache: boolean;
  lookAhead: boolean;
}

/** The 512 bytes of IDENTIFY DEVICE for an ATA disk (ATA/ATAPI-6 8.15). */
export function identifyDisk(info: IdentifyInfo, g: DiskGeometry): Uint8Array {
  const w = new Uint16Array(256);
  w[0] = 0x0040; // fixed device
  w[1] = g.cylinders;
  w[3] = g.heads;
  w[6] = g.spt;
  putString(w, 10, 10, info.serial);
  putString(w, 23, 4, info.firmware);
  putString(w, 27, 20, info.model);
  w[47] = 0x8000 | MAX_MULTIPLE;
  w[49] = 0x0e00 | (info.dma ? 0x0100 : 0); // IORDY supported and may be disabled, LBA, [DMA]
  w[50] = 0x4000;
  w[51] = 0x0200; // PIO timing mode 2 (obsolete word)
  w[53] = 0x0003 | (info.dma ? 0x0004 : 0); // words 54-58 and 64-70 valid, [88 valid]
  w[54] = g.curCylinders;
  w[55] = g.curHeads;
  w[56] = g.curSpt;
  const cur = Math.min(g.curCylinders * g.curHeads * g.curSpt, 0xffffffff);
  w[57] = cur & 0xffff;
  w[58] = cur >>> 16;
  w[59] = g.multiple > 0 ? 0x0100 | g.multiple : 0;
  const lba28 = Math.min(g.sectors, 0x0fffffff);
  w[60] = lba28 & 0xffff;
  w[61] = lba28 >>> 16;
  putDma(w, info);
  w[64] = 0x0003; // PIO modes 3 and 4
  w[65] = 120;
  w[66] = 120;
  w[67] = 120;
  w[68] = 120;
  w[80] = 0x007e; // ATA-1 to ATA/ATAPI-6
  w[82] = 0x4068; // NOP, look-ahead, write cache, power management
  w[83] = 0x7400; // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
  w[84] = 0x4000;
  w[85] = 0x4008 | (g.writeCache ? 0x20 : 0) | (g.lookAhead ? 0x40 : 0);
  w[86] = 0x3400;
  w[87] = 0x4000;
  w[100] = g.sectors & 0xffff;
  w[101] = Math.floor(g.sectors / 0x10000) & 0xffff;
  w[102] = Math.floor(g.sectors / 0x100000000) & 0xffff;
  w[103] = 0;
  checksum(w);
  return toBytes(w);
}

/** The 512 bytes of IDENTIFY PACKET DEVICE for an ATAPI CD-ROM (ATA/ATAPI-6 8.16). */
export function identifyCdrom(info: IdentifyInfo): Uint8Array {
  const w = new Uint16Array(256);
  // ATAPI (10b), CD-ROM (05h), removable, DRQ within 50 us of PACKET (10b), 12-byte packets.
  w[0] = 0x85c0;
  putString(w, 10, 10, info.serial);
  putString(w, 23, 4, info.firmware);
  putString(w, 27, 20, info.model);
  w[49] = 0x0a00 | (info.dma ? 0x0100 : 0); // IORDY supported, LBA, [DMA]
  w[53] = 0x0002 | (info.dma ? 0x0004 : 0);
  putDma(w, info);
  w[64] = 0x0003;
  w[65] = 120;
  w[66] = 120;
  w[67] = 120;
  w[68] = 120;
  w[80] = 0x007e;
  w[82] = 0x4210; // NOP, DEVICE RESET, PACKET
  w[83] = 0x4000;
  w[84] = 0x4000;
  w[85] = 0x4210;
  w[86] = 0x0000;
  w[87] = 0x4000;
  checksum(w);
  return toBytes(w);
}
