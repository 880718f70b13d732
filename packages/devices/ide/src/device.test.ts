import { V3Error } from '@v3/device-api';
import { pci } from '@v3/dev-pci';
import { createTestHost, fuzzPorts, pciConfigRead, pciConfigWrite, v3ErrorFrom, type TestHost } from '@v3/device-testkit';
import { describe, expect, it } from 'vitest';
import type { RamBackend} from './index.js';
import { ide, type BlockBackend, type GuestMemory, type IdeConfig, type IdeDevice } from './index.js';

function cfgRead(vm: TestHost, reg: number, size: 1 | 2 | 4 = 4, fn = 1): number {
  return pciConfigRead(vm, { slot: 1, fn }, reg, size);
}
function cfgWrite(vm: TestHost, reg: number, value: number, size: 1 | 2 | 4 = 4): void {
  pciConfigWrite(vm, { slot: 1, fn: 1 }, reg, value, size);
}

/** A disk image whose sector n starts with n (dword) and is filled with (n & 0xff). */
function diskImage(sectors: number): Uint8Array {
  const b = new Uint8Array(sectors * 512);
  for (let n = 0; n < sectors; n++) {
    b.fill(n & 0xff, n * 512, (n + 1) * 512);
    new DataView(b.buffer).setUint32(n * 512, n, true);
  }
  return b;
}
/** An ISO-like image: 2048-byte blocks, block n stamped with n; "CD001" at block 16. */
function isoImage(blocks: number): Uint8Array {
  const b = new Uint8Array(blocks * 2048);
  for (let n = 0; n < blocks; n++) {
    b.fill((n * 7) & 0xff, n * 2048, (n + 1) * 2048);
    new DataView(b.buffer).setUint32(n * 2048 + 8, n, false);
  }
  b.set([1, 0x43, 0x44, 0x30, 0x30, 0x31, 1], 16 * 2048);
  return b;
}

/** Flat guest memory for bus-master DMA. */
class FlatMemory implements GuestMemory {
  readonly bytes = new Uint8Array(1 << 20);
  read(a: number, n: number): Uint8Array {
    return this.bytes.slice(a, a + n);
  }
  write(a: number, d: Uint8Array): void {
    this.bytes.set(d, a);
  }
}

interface Board {
  vm: TestHost;
  dev: IdeDevice;
  disk: Uint8Array;
  iso: Uint8Array;
  mem: FlatMemory;
}

function board(opts: { dma?: boolean; drives?: IdeConfig['drives']; backends?: IdeConfig['backends'] } = {}): Board {
  const vm = createTestHost();
  vm.attach(pci, { id: 'pci0' });
  const disk = diskImage(64);
  const iso = isoImage(40);
  const mem = new FlatMemory();
  const dev = vm.attach(ide, {
    id: 'ide0',
    bus: 'pci0',
    drives: opts.drives ?? [
      { channel: 0, unit: 0, kind: 'disk', backend: 'hd' },
      { channel: 1, unit: 0, kind: 'cdrom', backend: 'cd' },
    ],
    backends: opts.backends ?? { hd: { image: disk }, cd: { image: iso } },
    ...(opts.dma ? { memory: mem } : { dma: false }),
  });
  return { vm, dev, disk, iso, mem };
}

const ST = 0x1f7;
function readWords(vm: TestHost, base: number, words: number): Uint16Array {
  const w = new Uint16Array(words);
  for (let i = 0; i < words; i++) w[i] = vm.inw(base);
  return w;
}
function bytesOf(w: Uint16Array): Uint8Array {
  return new Uint8Array(w.buffer.slice(0));
}
function ataString(w: Uint16Array, first: number, n: number): string {
  let s = '';
  for (let i = first; i < first + n; i++) s += String.fromCharCode(w[i]! >> 8, w[i]! & 0xff);
  return s.trimEnd();
}
function lba28(vm: TestHost, base: number, lba: number, count: number, dev = 0): void {
  vm.outb(base + 2, count);
  vm.outb(base + 3, lba & 0xff);
  vm.outb(base + 4, (lba >> 8) & 0xff);
  vm.outb(base + 5, (lba >> 16) & 0xff);
  vm.outb(base + 6, 0xe0 | (dev << 4) | ((lba >> 24) & 0x0f));
}

function expectV3(fn: () => unknown, re: RegExp): void {
  const e = v3ErrorFrom(fn);
  expect(e.detail.component).toBe('ide0');
  expect(e.message).toMatch(re);
}

describe('PCI function 00:01.1', () => {
  it('has the 82371SB IDE identity and a 16-port I/O BAR4', () => {
    const { vm } = board();
    expect(cfgRead(vm, 0x00)).toBe(0x7010_8086);
    expect(cfgRead(vm, 0x08)).toBe(0x0101_8000); // class 01 01 80, revision 0
    expect(cfgRead(vm, 0x3d, 1)).toBe(0); // no interrupt pin: legacy IRQ 14/15
    for (const bar of [0x10, 0x14, 0x18, 0x1c, 0x24]) {
      cfgWrite(vm, bar, 0xffffffff);
      expect(cfgRead(vm, bar)).toBe(0);
    }
    cfgWrite(vm, 0x20, 0xffffffff);
    expect(cfgRead(vm, 0x20)).toBe(0xfffffff1); // 16 bytes, I/O
    expect(cfgRead(vm, 0x04)).toBe(0x0280_0000); // PCISTS: fast back-to-back, DEVSEL medium; PCICMD 0
    // Decoding follows the BAR and Command.IO.
    cfgWrite(vm, 0x20, 0xc000);
    expect(vm.isHooked(0xc000)).toBe(false);
    cfgWrite(vm, 0x04, 0x0005, 2);
    expect(cfgRead(vm, 0x04, 2)).toBe(0x0005);
    expect(vm.isHooked(0xc000) && vm.isHooked(0xc00f)).toBe(true);
    expect(vm.isHooked(0xc010)).toBe(false);
    cfgWrite(vm, 0x20, 0xd000);
    expect(vm.isHooked(0xc000)).toBe(false);
    expect(vm.isHooked(0xd00f)).toBe(true);
  });

  it('keeps IDETIM/SIDETIM (IDE decode enabled at reset) and refuses writes to reserved registers', () => {
    const { vm, dev } = board();
    expect(cfgRead(vm, 0x40)).toBe(0x8000_8000);
    cfgWrite(vm, 0x40, 0xa307, 2);
    cfgWrite(vm, 0x44, 0x33, 1);
    expect(cfgRead(vm, 0x40, 2)).toBe(0xa307);
    expect(cfgRead(vm, 0x44, 1)).toBe(0x33);
    cfgWrite(vm, 0x48, 0, 1); // zero to a reserved register: accepted
    expectV3(() => cfgWrite(vm, 0x48, 1, 1), /reserved configuration register 0x48/);
    dev.reset();
    expect(cfgRead(vm, 0x40)).toBe(0x8000_8000);
  });

  it('is function 1 of slot 1 with a plain type 0 header', () => {
    const { vm } = board();
    expect(cfgRead(vm, 0x0e, 1, 1)).toBe(0x00);
  });
});

describe('IDENTIFY', () => {
  it('describes the disk as ATA-6 says (strings, geometry, LBA28/48 capacity, no DMA without memory)', () => {
    const { vm } = board();
    vm.outb(0x1f6, 0xa0);
    vm.outb(ST, 0xec);
    expect(vm.irq(14).level).toBe(true);
    expect(vm.inb(0x3f6)).toBe(0x58); // DRDY DSC DRQ, alt status keeps the interrupt
    expect(vm.irq(14).level).toBe(true);
    expect(vm.inb(ST)).toBe(0x58);
    expect(vm.irq(14).level).toBe(false);
    const w = readWords(vm, 0x1f0, 256);
    expect(vm.inb(ST)).toBe(0x50);
    expect(w[0]).toBe(0x0040);
    expect(w[1]).toBe(1); // 64 sectors / (16*63) -> at least one cylinder
    expect(w[3]).toBe(16);
    expect(w[6]).toBe(63);
    expect(ataString(w, 27, 20)).toBe('V3 HARDDISK');
    expect(ataString(w, 10, 10)).toMatch(/^V3IDE00/);
    expect(ataString(w, 23, 4)).toBe('1.0');
    expect(w[47]).toBe(0x8010);
    expect(w[49]! & 0x0200).toBe(0x0200); // LBA
    expect(w[49]! & 0x0100).toBe(0); // no DMA
    expect(w[53]! & 0x0006).toBe(0x0002);
    expect(w[60]! | (w[61]! << 16)).toBe(64);
    expect(w[63]).toBe(0);
    expect(w[88]).toBe(0);
    expect(w[80]! & 0x0040).toBe(0x0040); // ATA/ATAPI-6
    expect(w[83]! & 0xc400).toBe(0x4400); // 48-bit address feature set
    expect(w[86]! & 0x0400).toBe(0x0400);
    expect(w[100]).toBe(64);
    expect(w[101]! | w[102]! | w[103]!).toBe(0);
    // Integrity word: signature A5h and the byte sum is 0 mod 256.
    expect(w[255]! & 0xff).toBe(0xa5);
    expect(bytesOf(w).reduce((a, b) => a + b, 0) & 0xff).toBe(0);
  });

  it('advertises multiword and Ultra DMA only when guest memory is wired, and SET FEATURES selects a mode', () => {
    const { vm } = board({ dma: true });
    vm.outb(0x1f6, 0xa0);
    vm.outb(0x1f1, 0x03);
    vm.outb(0x1f2, 0x22); // multiword DMA mode 2
    vm.outb(ST, 0xef);
    expect(vm.inb(ST)).toBe(0x50);
    vm.outb(ST, 0xec);
    vm.inb(ST);
    const w = readWords(vm, 0x1f0, 256);
    expect(w[49]! & 0x0100).toBe(0x0100);
    expect(w[53]! & 0x0004).toBe(0x0004);
    expect(w[63]).toBe(0x0407);
    expect(w[88]).toBe(0x003f);
    vm.outb(0x1f1, 0x03);
    vm.outb(0x1f2, 0x47); // Ultra DMA mode 7: not supported
    vm.outb(ST, 0xef);
    expect(vm.inb(ST)).toBe(0x51);
    expect(vm.inb(0x1f1)).toBe(0x04);
  });

  it('describes the CD-ROM with IDENTIFY PACKET DEVICE, and IDENTIFY DEVICE aborts with the ATAPI signature', () => {
    const { vm } = board();
    vm.outb(0x176, 0xa0);
    vm.outb(0x177, 0xec);
    expect(vm.inb(0x177)).toBe(0x41);
    expect(vm.inb(0x171)).toBe(0x04);
    expect([vm.inb(0x174), vm.inb(0x175)]).toEqual([0x14, 0xeb]);
    vm.outb(0x177, 0xa1);
    expect(vm.irq(15).level).toBe(true);
    expect(vm.inb(0x177)).toBe(0x58);
    const w = readWords(vm, 0x170, 256);
    expect(vm.inb(0x177)).toBe(0x50); // no interrupt after the data of IDENTIFY PACKET DEVICE
    expect(vm.irq(15).level).toBe(false);
    expect(w[0]).toBe(0x85c0); // ATAPI, CD-ROM, removable, 50 us DRQ, 12-byte packets
    expect(ataString(w, 27, 20)).toBe('V3 ATAPI CD-ROM');
    expect(w[49]! & 0x0300).toBe(0x0200);
    expect(w[82]! & 0x0010).toBe(0x0010); // PACKET feature set
    expect(w[255]! & 0xff).toBe(0xa5);
    expect(bytesOf(w).reduce((a, b) => a + b, 0) & 0xff).toBe(0);
  });
});

describe('ATA PIO', () => {
  it('reads several sectors with READ SECTORS (LBA28): one interrupt per sector, DRQ sequencing', () => {
    const { vm, disk } = board();
    lba28(vm, 0x1f0, 5, 3);
    vm.irq(14).reset();
    vm.outb(ST, 0x20);
    const got: number[] = [];
    for (let s = 0; s < 3; s++) {
      expect(vm.irq(14).level).toBe(true);
      expect(vm.inb(ST)).toBe(0x58);
      expect(vm.irq(14).level).toBe(false);
      got.push(...bytesOf(readWords(vm, 0x1f0, 256)));
    }
    expect(vm.irq(14).pulses).toBe(3);
    expect(vm.inb(ST)).toBe(0x50); // no DRQ, no interrupt after the last sector
    expect(vm.irq(14).level).toBe(false);
    expect(Uint8Array.from(got)).toEqual(disk.subarray(5 * 512, 8 * 512));
    expect(vm.inw(0x1f0)).toBe(0xffff); // no DRQ: nothing on the bus
  });

  it('reads with 32-bit data accesses and CHS addressing', () => {
    const { vm } = board();
    // C/H/S 0/1/3 with 16 heads, 63 sectors: LBA 63 + 2 = 65 > 63: IDNF; use 0/0/10 -> LBA 9.
    vm.outb(0x1f2, 1);
    vm.outb(0x1f3, 10);
    vm.outb(0x1f4, 0);
    vm.outb(0x1f5, 0);
    vm.outb(0x1f6, 0xa0);
    vm.outb(ST, 0x20);
    expect(vm.inb(ST)).toBe(0x58);
    expect(vm.inl(0x1f0)).toBe(9);
    expect(vm.inl(0x1f0)).toBe(0x09090909);
    vm.outb(0x1f2, 1);
    vm.outb(0x1f3, 1);
    vm.outb(0x1f6, 0xa1); // head 1, sector 1: LBA 63
    vm.outb(ST, 0x20);
    expect(vm.inl(0x1f0)).toBe(63);
    vm.outb(0x1f3, 0); // sector 0 does not exist
    vm.outb(ST, 0x20);
    expect(vm.inb(ST)).toBe(0x51);
    expect(vm.inb(0x1f1) & 0x10).toBe(0x10);
  });

  it('writes several sectors with WRITE SECTORS: no interrupt before the first block, one after each', () => {
    const { vm, dev } = board();
    lba28(vm, 0x1f0, 10, 2);
    vm.irq(14).reset();
    vm.outb(ST, 0x30);
    expect(vm.irq(14).level).toBe(false);
    expect(vm.inb(0x3f6)).toBe(0x58);
    for (let i = 0; i < 256; i++) vm.outw(0x1f0, 0xa000 + i);
    expect(vm.irq(14).level).toBe(true);
    expect(vm.inb(ST)).toBe(0x58);
    for (let i = 0; i < 128; i++) vm.outl(0x1f0, 0xb0b0b0b0);
    expect(vm.irq(14).pulses).toBe(2);
    expect(vm.inb(ST)).toBe(0x50);
    const b = (dev.backend(0, 0) as RamBackend).bytes();
    expect(b[10 * 512]).toBe(0x00);
    expect(b[10 * 512 + 1]).toBe(0xa0);
    expect(b[10 * 512 + 511]).toBe(0xa0);
    expect(b[10 * 512 + 510]).toBe(0xff);
    expect(b.subarray(11 * 512, 12 * 512).every((x) => x === 0xb0)).toBe(true);
    expect(b[12 * 512]).toBe(12); // untouched
  });

  it('moves blocks of the SET MULTIPLE MODE size with READ/WRITE MULTIPLE', () => {
    const { vm, disk } = board();
    lba28(vm, 0x1f0, 0, 6);
    vm.outb(ST, 0xc4);
    expect(vm.inb(ST)).toBe(0x51); // multiple mode not set yet
    expect(vm.inb(0x1f1)).toBe(0x04);
    vm.outb(0x1f2, 3); // not a power of two
    vm.outb(ST, 0xc6);
    expect(vm.inb(ST)).toBe(0x51);
    vm.outb(0x1f2, 4);
    vm.outb(ST, 0xc6);
    expect(vm.inb(ST)).toBe(0x50);
    lba28(vm, 0x1f0, 2, 6);
    vm.irq(14).reset();
    vm.outb(ST, 0xc4);
    expect(vm.inb(ST)).toBe(0x58);
    const first = bytesOf(readWords(vm, 0x1f0, 4 * 256));
    expect(vm.irq(14).level).toBe(true);
    expect(vm.inb(ST)).toBe(0x58);
    const second = bytesOf(readWords(vm, 0x1f0, 2 * 256));
    expect(vm.irq(14).pulses).toBe(2);
    expect(vm.inb(ST)).toBe(0x50);
    expect(first).toEqual(disk.subarray(2 * 512, 6 * 512));
    expect(second).toEqual(disk.subarray(6 * 512, 8 * 512));
  });

  it('aborts an access beyond the disk with IDNF, unknown commands with ABRT', () => {
    const { vm } = board();
    lba28(vm, 0x1f0, 63, 2);
    vm.outb(ST, 0x20);
    expect(vm.inb(ST)).toBe(0x51);
    expect(vm.inb(0x1f1)).toBe(0x10);
    for (const cmd of [0x00, 0xa0, 0xa1, 0xb0, 0xf8, 0x27, 0xc8]) {
      vm.outb(ST, cmd);
      expect(vm.inb(ST), `command ${cmd.toString(16)}`).toBe(0x51);
      expect(vm.inb(0x1f1)).toBe(0x04);
    }
  });

  it('runs the housekeeping commands BIOSes and Linux send', () => {
    const { vm } = board();
    for (const cmd of [0x10, 0xe0, 0xe1, 0xe7, 0xea, 0x94]) {
      vm.outb(ST, cmd);
      expect(vm.inb(ST), `command ${cmd.toString(16)}`).toBe(0x50);
    }
    vm.outb(ST, 0xe5);
    expect(vm.inb(0x1f2)).toBe(0xff);
    lba28(vm, 0x1f0, 60, 4);
    vm.outb(ST, 0x40); // READ VERIFY: no data
    expect(vm.inb(ST)).toBe(0x50);
    // INITIALIZE DEVICE PARAMETERS: 4 heads, 8 sectors per track; C/H/S 1/0/1 is LBA 32.
    vm.outb(0x1f2, 8);
    vm.outb(0x1f6, 0xa3);
    vm.outb(ST, 0x91);
    expect(vm.inb(ST)).toBe(0x50);
    vm.outb(0x1f2, 1);
    vm.outb(0x1f3, 1);
    vm.outb(0x1f4, 1);
    vm.outb(0x1f5, 0);
    vm.outb(0x1f6, 0xa0);
    vm.outb(ST, 0x20);
    expect(vm.inl(0x1f0)).toBe(32);
    // Write cache off, then IDENTIFY word 85 shows it.
    vm.outb(0x1f1, 0x82);
    vm.outb(ST, 0xef);
    vm.outb(ST, 0xec);
    const w = readWords(vm, 0x1f0, 256);
    expect(w[85]! & 0x20).toBe(0);
    expect(w[54]).toBe(2); // 64 sectors / (4 * 8)
    expect(w[55]).toBe(4);
    expect(w[56]).toBe(8);
  });

  it('honours nIEN: no interrupt while set, the request shows once cleared', () => {
    const { vm } = board();
    vm.outb(0x3f6, 0x02);
    lba28(vm, 0x1f0, 0, 1);
    vm.outb(ST, 0x20);
    expect(vm.irq(14).level).toBe(false);
    vm.outb(0x3f6, 0x00);
    expect(vm.irq(14).level).toBe(true);
  });

  it('refuses a read-only disk write with ABRT', () => {
    const { vm } = board({ backends: { hd: { image: diskImage(8), readOnly: true }, cd: { image: isoImage(17) } } });
    lba28(vm, 0x1f0, 0, 1);
    vm.outb(ST, 0x30);
    expect(vm.inb(ST)).toBe(0x51);
  });
});

describe('LBA48', () => {
  /** A file-backend stand-in: 2^28 + 4096 sectors, sector n stamped with n. */
  class BigDisk implements BlockBackend {
    readonly sectorSize = 512;
    readonly sectors = 0x1000_0000 + 4096;
    readonly readOnly = false;
    readonly written = new Map<number, Uint8Array>();
    read(lba: number, count: number): Uint8Array {
      const b = new Uint8Array(count * 512);
      for (let i = 0; i < count; i++) {
        const w = this.written.get(lba + i);
        if (w) b.set(w, i * 512);
        else new DataView(b.buffer).setUint32(i * 512, lba + i, true);
      }
      return b;
    }
    write(lba: number, data: Uint8Array): void {
      for (let i = 0; i < data.length / 512; i++) this.written.set(lba + i, data.slice(i * 512, (i + 1) * 512));
    }
  }

  it('reports the 48-bit capacity and reads and writes past 2^28 with the EXT commands', () => {
    const big = new BigDisk();
    const { vm } = board({ drives: [{ channel: 0, unit: 1, kind: 'disk', backend: 'big' }], backends: { big } });
    vm.outb(0x1f6, 0xb0);
    vm.outb(ST, 0xec);
    const w = readWords(vm, 0x1f0, 256);
    expect(w[60]! | (w[61]! << 16)).toBe(0x0fffffff);
    expect(w[100]! + w[101]! * 0x10000).toBe(0x1000_1000);
    const lba = 0x1000_0800;
    const set = (count: number): void => {
      vm.outb(0x1f2, count >> 8);
      vm.outb(0x1f2, count & 0xff);
      vm.outb(0x1f3, (lba >>> 24) & 0xff);
      vm.outb(0x1f3, lba & 0xff);
      vm.outb(0x1f4, 0);
      vm.outb(0x1f4, (lba >> 8) & 0xff);
      vm.outb(0x1f5, 0);
      vm.outb(0x1f5, (lba >> 16) & 0xff);
      vm.outb(0x1f6, 0xf0);
    };
    set(2);
    // HOB reads back the previous (high-order) bytes.
    vm.outb(0x3f6, 0x80);
    expect(vm.inb(0x1f3)).toBe(0x10);
    vm.outb(0x3f6, 0x00);
    expect(vm.inb(0x1f3)).toBe(0x00);
    vm.outb(ST, 0x24);
    expect(vm.inl(0x1f0)).toBe(lba);
    readWords(vm, 0x1f0, 254);
    expect(vm.inl(0x1f0)).toBe(lba + 1);
    readWords(vm, 0x1f0, 254);
    expect(vm.inb(ST)).toBe(0x50);
    set(1);
    vm.outb(ST, 0x34);
    for (let i = 0; i < 256; i++) vm.outw(0x1f0, 0x1234);
    expect(vm.inb(ST)).toBe(0x50);
    expect(big.written.get(lba)?.[0]).toBe(0x34);
    // Without EXT the same sector is out of LBA28 reach: READ SECTORS goes to LBA 0x0000800 | ...
    lba28(vm, 0x1f0, 0x0fff_ffff, 1, 1);
    vm.outb(ST, 0x20);
    expect(vm.inl(0x1f0)).toBe(0x0fff_ffff);
  });
});

// ---- ATAPI ------------------------------------------------------------------------------

/** Send a packet to the secondary master; returns the data bytes the PIO phase produced. */
function packet(vm: TestHost, cdb: number[], limit = 0xfffe): { data: number[]; blocks: number[]; status: number; error: number } {
  const c = [...cdb, ...new Array(12 - cdb.length).fill(0)];
  vm.outb(0x176, 0xa0);
  vm.outb(0x171, 0); // PIO
  vm.outb(0x174, limit & 0xff);
  vm.outb(0x175, limit >> 8);
  vm.outb(0x177, 0xa0);
  expect(vm.inb(0x376)).toBe(0x48); // DRQ for the packet, no interrupt
  expect(vm.inb(0x172) & 3).toBe(1); // CoD, to the device
  expect(vm.irq(15).level).toBe(false);
  for (let i = 0; i < 12; i += 2) vm.outw(0x170, c[i]! | (c[i + 1]! << 8));
  const data: number[] = [];
  const blocks: number[] = [];
  for (;;) {
    expect(vm.irq(15).level).toBe(true);
    const st = vm.inb(0x177);
    expect(vm.irq(15).level).toBe(false);
    if (!(st & 0x08)) {
      expect(vm.inb(0x172) & 3).toBe(3); // status phase
      return { data, blocks, status: st, error: vm.inb(0x171) };
    }
    expect(vm.inb(0x172) & 3).toBe(2); // data to the host
    const n = vm.inb(0x174) | (vm.inb(0x175) << 8);
    expect(n).toBeLessThanOrEqual(limit);
    blocks.push(n);
    for (let i = 0; i < n; i += 2) {
      const w = vm.inw(0x170);
      data.push(w & 0xff);
      if (i + 1 < n) data.push(w >> 8);
    }
  }
}

/** Clear the power-on unit attention. */
function ready(vm: TestHost): void {
  const r = packet(vm, [0x00]);
  expect(r.status).toBe(0x41);
  expect(r.error >> 4).toBe(6);
  expect(packet(vm, [0x00]).status).toBe(0x50);
}

describe('ATAPI CD-ROM', () => {
  it('reports a unit attention after power-on, then REQUEST SENSE shows 6/29h and TEST UNIT READY passes', () => {
    const { vm } = board();
    const r = packet(vm, [0x00]);
    expect(r.status).toBe(0x41);
    expect(r.error).toBe(0x60);
    const s = packet(vm, [0x03, 0, 0, 0, 18]);
    expect(s.data.length).toBe(18);
    expect(s.data[0]).toBe(0x70);
    expect(s.data[2]).toBe(0x06);
    expect(s.data[12]).toBe(0x29);
    expect(packet(vm, [0x00]).status).toBe(0x50);
  });

  it('answers INQUIRY (exempt from the unit attention) as a removable CD/DVD device', () => {
    const { vm } = board();
    const r = packet(vm, [0x12, 0, 0, 0, 36]);
    expect(r.status).toBe(0x50);
    expect(r.data.slice(0, 5)).toEqual([0x05, 0x80, 0x00, 0x21, 31]);
    expect(String.fromCharCode(...r.data.slice(8, 36))).toBe('V3      V3 ATAPI CD-ROM 1.0 ');
    expect(packet(vm, [0x12, 0, 0, 0, 5]).data.length).toBe(5); // allocation length
  });

  it('reads the capacity and blocks with READ(10)/READ(12), split at the byte count limit', () => {
    const { vm, iso } = board();
    ready(vm);
    const cap = packet(vm, [0x25]);
    expect(cap.data).toEqual([0, 0, 0, 39, 0, 0, 8, 0]);
    const r = packet(vm, [0x28, 0, 0, 0, 0, 16, 0, 0, 3], 3001);
    expect(r.status).toBe(0x50);
    expect(r.blocks).toEqual([3000, 3000, 144]); // an odd limit rounds down, the last block is the rest
    expect(Uint8Array.from(r.data)).toEqual(iso.subarray(16 * 2048, 19 * 2048));
    expect(String.fromCharCode(...r.data.slice(1, 6))).toBe('CD001');
    const r12 = packet(vm, [0xa8, 0, 0, 0, 0, 39, 0, 0, 0, 1]);
    expect(r12.blocks).toEqual([2048]);
    expect(Uint8Array.from(r12.data)).toEqual(iso.subarray(39 * 2048));
    const zero = packet(vm, [0x28, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(zero.status).toBe(0x50);
    expect(zero.data.length).toBe(0);
    const past = packet(vm, [0x28, 0, 0, 0, 0, 39, 0, 0, 2]);
    expect(past.status).toBe(0x41);
    expect(past.error).toBe(0x50);
    expect(packet(vm, [0x03, 0, 0, 0, 18]).data[12]).toBe(0x21);
  });

  it('gives CHECK CONDITION with ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE, shown by REQUEST SENSE', () => {
    const { vm } = board();
    ready(vm);
    const r = packet(vm, [0xff]);
    expect(r.status).toBe(0x41);
    expect(r.error).toBe(0x50);
    const s = packet(vm, [0x03, 0, 0, 0, 18]);
    expect([s.data[2], s.data[12], s.data[13]]).toEqual([0x05, 0x20, 0x00]);
    const again = packet(vm, [0x03, 0, 0, 0, 18]); // sense is cleared once reported
    expect(again.data[2]).toBe(0);
  });

  it('reads the TOC (formats 0 and 1, LBA and MSF)', () => {
    const { vm } = board();
    ready(vm);
    const toc = packet(vm, [0x43, 0, 0, 0, 0, 0, 0, 0, 100]);
    expect(toc.data).toEqual([0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x14, 0xaa, 0, 0, 0, 0, 40]);
    const msf = packet(vm, [0x43, 2, 0, 0, 0, 0, 0, 0, 100]);
    expect(msf.data.slice(8, 12)).toEqual([0, 0, 2, 0]);
    expect(msf.data.slice(16, 20)).toEqual([0, 0, 2, 40]); // 40 + 150 frames = 00:02:40
    const sess = packet(vm, [0x43, 0, 1, 0, 0, 0, 0, 0, 12]);
    expect(sess.data).toEqual([0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0]);
    const old = packet(vm, [0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0x40]); // SFF-8020i format bits in byte 9
    expect(old.data.slice(0, 4)).toEqual([0, 10, 1, 1]);
    expect(packet(vm, [0x43, 0, 2, 0, 0, 0, 0, 0, 100]).error).toBe(0x50); // full TOC: not implemented
  });

  it('answers MODE SENSE(10), GET CONFIGURATION and GET EVENT STATUS NOTIFICATION', () => {
    const { vm } = board();
    ready(vm);
    const caps = packet(vm, [0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 128]);
    expect(caps.data.length).toBe(28);
    expect(caps.data.slice(0, 3)).toEqual([0, 26, 0x01]);
    expect(caps.data.slice(8, 10)).toEqual([0x2a, 18]);
    const all = packet(vm, [0x5a, 0, 0x3f, 0, 0, 0, 0, 0, 255]);
    expect(all.data.length).toBe(8 + 8 + 8 + 20);
    expect(packet(vm, [0x5a, 0, 0xc1, 0, 0, 0, 0, 0, 255]).error).toBe(0x50); // saved values
    expect(packet(vm, [0x5a, 0, 0x05, 0, 0, 0, 0, 0, 255]).error).toBe(0x50); // no such page
    const conf = packet(vm, [0x46, 0, 0, 0, 0, 0, 0, 0, 64]);
    expect(conf.data.slice(6, 8)).toEqual([0, 8]); // current profile CD-ROM
    expect(conf.data.slice(8, 16)).toEqual([0, 0, 3, 4, 0, 8, 1, 0]);
    const ev = packet(vm, [0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8]);
    expect(ev.data).toEqual([0, 6, 4, 0x10, 2, 2, 0, 0]); // new media, present
    expect(packet(vm, [0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8]).data[4]).toBe(0);
    expect(packet(vm, [0x4a, 0, 0, 0, 0x10, 0, 0, 0, 8]).error).toBe(0x50); // asynchronous: refused
  });

  it('locks, ejects and reloads the medium with PREVENT ALLOW and START STOP UNIT', () => {
    const { vm } = board();
    ready(vm);
    expect(packet(vm, [0x1e, 0, 0, 0, 1]).status).toBe(0x50);
    const locked = packet(vm, [0x1b, 0, 0, 0, 2]);
    expect(locked.error).toBe(0x50);
    expect(packet(vm, [0x1e, 0, 0, 0, 0]).status).toBe(0x50);
    expect(packet(vm, [0x1b, 0, 0, 0, 2]).status).toBe(0x50);
    expect(packet(vm, [0x00]).error).toBe(0x20); // NOT READY, medium not present
    expect(packet(vm, [0x03, 0, 0, 0, 18]).data[12]).toBe(0x3a);
    expect(packet(vm, [0x1b, 0, 0, 0, 3]).status).toBe(0x50);
    expect(packet(vm, [0x00]).error).toBe(0x60); // medium may have changed
    expect(packet(vm, [0x03, 0, 0, 0, 18]).data[12]).toBe(0x28);
    expect(packet(vm, [0x00]).status).toBe(0x50);
  });

  it('is an empty drive without a backend', () => {
    const { vm } = board({ drives: [{ channel: 1, unit: 0, kind: 'cdrom' }], backends: {} });
    expect(packet(vm, [0x00]).error).toBe(0x60); // power-on unit attention first
    expect(packet(vm, [0x00]).error).toBe(0x20);
    expect(packet(vm, [0x25]).error).toBe(0x20);
  });
});

describe('resets', () => {
  it('SRST puts the signatures in place: disk 00h/00h, ATAPI 14h/EBh, diagnostic code 01h', () => {
    const { vm } = board({
      drives: [
        { channel: 0, unit: 0, kind: 'disk', backend: 'hd' },
        { channel: 0, unit: 1, kind: 'cdrom', backend: 'cd' },
      ],
    });
    vm.outb(0x1f6, 0xb0);
    vm.outb(0x1f4, 0x55);
    vm.outb(0x3f6, 0x04);
    expect(vm.inb(0x3f6) & 0x80).toBe(0x80);
    vm.outb(0x3f6, 0x00);
    expect(vm.irq(14).level).toBe(false);
    expect(vm.inb(0x1f6) & 0x10).toBe(0); // device 0 selected
    expect([vm.inb(0x1f1), vm.inb(0x1f2), vm.inb(0x1f3), vm.inb(0x1f4), vm.inb(0x1f5), vm.inb(ST)]).toEqual([1, 1, 1, 0, 0, 0x50]);
    vm.outb(0x1f6, 0xb0);
    expect([vm.inb(0x1f1), vm.inb(0x1f2), vm.inb(0x1f3), vm.inb(0x1f4), vm.inb(0x1f5), vm.inb(ST)]).toEqual([1, 1, 1, 0x14, 0xeb, 0x00]);
    // EXECUTE DEVICE DIAGNOSTIC: same signatures, device 0 interrupts.
    vm.outb(ST, 0x90);
    expect(vm.irq(14).level).toBe(true);
    expect(vm.inb(ST)).toBe(0x50);
    expect(vm.inb(0x1f1)).toBe(0x01);
    // DEVICE RESET on the packet device.
    vm.outb(0x1f6, 0xb0);
    vm.outb(ST, 0x08);
    expect([vm.inb(0x1f4), vm.inb(0x1f5), vm.inb(ST)]).toEqual([0x14, 0xeb, 0x00]);
    expect(vm.inb(0x1f6) & 0x10).toBe(0x10); // still device 1
    expect(vm.irq(14).level).toBe(false);
  });

  it('reads 0 from an absent device and from an empty channel', () => {
    const { vm } = board({ drives: [{ channel: 0, unit: 0, kind: 'disk', backend: 'hd' }] });
    vm.outb(0x1f6, 0xb0);
    expect(vm.inb(ST)).toBe(0);
    vm.outb(0x1f2, 0x55);
    expect(vm.inb(0x1f2)).toBe(0x55); // registers latched by both positions
    vm.outb(ST, 0xec); // nothing answers
    expect(vm.inb(ST)).toBe(0);
    expect(vm.irq(14).level).toBe(false);
    vm.outb(0x172, 0x55);
    expect(vm.inb(0x172)).toBe(0);
    expect(vm.inb(0x177)).toBe(0);
  });
});

// ---- bus master -------------------------------------------------------------------------

function bmSetup(vm: TestHost): number {
  cfgWrite(vm, 0x20, 0xc000);
  cfgWrite(vm, 0x04, 0x0005, 2);
  return 0xc000;
}
function prd(mem: FlatMemory, at: number, entries: [number, number, boolean][]): void {
  const dv = new DataView(mem.bytes.buffer);
  entries.forEach(([addr, count, eot], i) => {
    dv.setUint32(at + 8 * i, addr, true);
    dv.setUint32(at + 8 * i + 4, (count & 0xffff) | (eot ? 0x8000_0000 : 0), true);
  });
}

describe('bus-master DMA', () => {
  it('reads with READ DMA through a PRD table into guest memory', () => {
    const { vm, mem, disk } = board({ dma: true });
    const bm = bmSetup(vm);
    expect(vm.inb(bm + 2) & 0x60).toBe(0x20); // drive 0 DMA capable
    prd(mem, 0x1000, [
      [0x10000, 1024, false],
      [0x20000, 1024, true],
    ]);
    vm.outl(bm + 4, 0x1000);
    expect(vm.inl(bm + 4)).toBe(0x1000);
    vm.outb(bm, 0x08); // direction: to memory
    lba28(vm, 0x1f0, 4, 4);
    vm.outb(ST, 0xc8);
    expect(vm.inb(0x3f6)).toBe(0x58);
    expect(vm.irq(14).level).toBe(false);
    vm.outb(bm, 0x09); // start
    expect(vm.irq(14).level).toBe(true);
    expect(vm.inb(bm + 2) & 0x07).toBe(0x04); // interrupt, not active (table ended with the data)
    expect(vm.inb(ST)).toBe(0x50);
    expect(mem.bytes.subarray(0x10000, 0x10000 + 1024)).toEqual(disk.subarray(4 * 512, 6 * 512));
    expect(mem.bytes.subarray(0x20000, 0x20000 + 1024)).toEqual(disk.subarray(6 * 512, 8 * 512));
    vm.outb(bm + 2, 0x04); // write one to clear
    expect(vm.inb(bm + 2) & 0x04).toBe(0);
    vm.outb(bm, 0x00);
  });

  it('splits sectors across PRD entries of any even size', () => {
    const { vm, mem, disk } = board({ dma: true });
    const bm = bmSetup(vm);
    prd(mem, 0x1000, [
      [0x10000, 100, false],
      [0x20000, 700, false],
      [0x30000, 0, true], // 0 = 64 KiB: longer than the rest
    ]);
    vm.outl(bm + 4, 0x1000);
    vm.outb(bm, 0x08);
    lba28(vm, 0x1f0, 1, 3);
    vm.outb(ST, 0xc8);
    vm.outb(bm, 0x09);
    expect(vm.inb(bm + 2) & 0x07).toBe(0x05); // still active: the last entry was not used up
    expect(vm.inb(ST)).toBe(0x50);
    const got = new Uint8Array([...mem.bytes.subarray(0x10000, 0x10000 + 100), ...mem.bytes.subarray(0x20000, 0x20000 + 700), ...mem.bytes.subarray(0x30000, 0x30000 + 736)]);
    expect(got).toEqual(disk.subarray(512, 4 * 512));
  });

  it('writes with WRITE DMA EXT; a table longer than the data leaves the engine active', () => {
    const { vm, mem, dev } = board({ dma: true });
    const bm = bmSetup(vm);
    mem.bytes.fill(0x5a, 0x30000, 0x30000 + 1024);
    prd(mem, 0x2000, [[0x30000, 4096, true]]);
    vm.outl(bm + 4, 0x2000);
    vm.outb(bm, 0x01); // start first, direction: from memory
    vm.outb(0x1f2, 0);
    vm.outb(0x1f2, 2);
    vm.outb(0x1f3, 0);
    vm.outb(0x1f3, 20);
    vm.outb(0x1f4, 0);
    vm.outb(0x1f4, 0);
    vm.outb(0x1f5, 0);
    vm.outb(0x1f5, 0);
    vm.outb(0x1f6, 0xe0);
    vm.outb(ST, 0x35);
    expect(vm.inb(bm + 2) & 0x07).toBe(0x05);
    expect(vm.inb(ST)).toBe(0x50);
    const b = (dev.backend(0, 0) as RamBackend).bytes();
    expect(b.subarray(20 * 512, 22 * 512).every((x) => x === 0x5a)).toBe(true);
    expect(b[22 * 512]).toBe(22);
  });

  it('fails the command when the PRD table is shorter than the transfer, and stops on a direction mismatch', () => {
    const { vm, mem } = board({ dma: true });
    const bm = bmSetup(vm);
    prd(mem, 0x1000, [[0x10000, 512, true]]);
    vm.outl(bm + 4, 0x1000);
    vm.outb(bm, 0x09);
    lba28(vm, 0x1f0, 0, 2);
    vm.outb(ST, 0xc8);
    expect(vm.inb(bm + 2) & 0x07).toBe(0x06); // error, interrupt, stopped
    expect(vm.inb(ST)).toBe(0x51);
    vm.outb(bm, 0x00);
    vm.outb(bm, 0x01); // from memory...
    lba28(vm, 0x1f0, 0, 1);
    expectV3(() => vm.outb(ST, 0xc8), /direction/); // ...for a read
  });

  it('reads CD blocks with PACKET DMA', () => {
    const { vm, mem, iso } = board({ dma: true });
    ready(vm);
    const bm = bmSetup(vm);
    prd(mem, 0x1000, [[0x40000, 4096, true]]);
    vm.outl(bm + 8 + 4, 0x1000);
    vm.outb(bm + 8, 0x08);
    vm.outb(0x176, 0xa0);
    vm.outb(0x171, 0x01); // DMA
    vm.outb(0x177, 0xa0);
    const cdb = [0x28, 0, 0, 0, 0, 5, 0, 0, 2, 0, 0, 0];
    for (let i = 0; i < 12; i += 2) vm.outw(0x170, cdb[i]! | (cdb[i + 1]! << 8));
    expect(vm.irq(15).level).toBe(false);
    vm.outb(bm + 8, 0x09);
    expect(vm.irq(15).level).toBe(true);
    expect(vm.inb(0x177)).toBe(0x50);
    expect(vm.inb(0x172) & 3).toBe(3);
    expect(mem.bytes.subarray(0x40000, 0x40000 + 4096)).toEqual(iso.subarray(5 * 2048, 7 * 2048));
  });

  it('aborts DMA commands when DMA is not wired (not advertised)', () => {
    const { vm } = board();
    lba28(vm, 0x1f0, 0, 1);
    vm.outb(ST, 0xc8);
    expect(vm.inb(ST)).toBe(0x51);
    vm.outb(0x176, 0xa0);
    vm.outb(0x171, 0x01);
    vm.outb(0x177, 0xa0);
    expect(vm.inb(0x177)).toBe(0x41);
  });
});

describe('state', () => {
  it('saves and loads in the middle of a PIO read', () => {
    const a = board();
    lba28(a.vm, 0x1f0, 1, 2);
    a.vm.outb(ST, 0x20);
    readWords(a.vm, 0x1f0, 100);
    const saved = JSON.parse(JSON.stringify(a.dev.save()));
    const b = board();
    b.dev.load(saved);
    expect(b.vm.irq(14).level).toBe(true);
    const rest = [...bytesOf(readWords(b.vm, 0x1f0, 156)), ...bytesOf(readWords(b.vm, 0x1f0, 256))];
    expect(Uint8Array.from(rest)).toEqual(a.disk.subarray(512 + 200, 3 * 512));
    expect(b.vm.inb(ST)).toBe(0x50);
    expectV3(() => b.dev.load({ channels: [] }), /bad state/);
  });

  it('reset() returns to power-on: unit attention again, interrupt dropped', () => {
    const { vm, dev } = board();
    ready(vm);
    vm.outb(ST, 0xec);
    expect(vm.irq(14).level).toBe(true);
    dev.reset();
    expect(vm.irq(14).level).toBe(false);
    expect(packet(vm, [0x00]).error).toBe(0x60);
  });
});

describe('configuration', () => {
  it('refuses bad keys with `key: expected ...`', () => {
    const bad = ide.validate!({ class: 'IDE', id: 'x', bus: 3, drives: [{ channel: 2, unit: 0, kind: 'tape', backend: 'nope', extra: 1 }], backends: { a: { image: new Uint8Array(100) } }, speed: 1 });
    expect(bad.join('\n')).toMatch(/^speed: expected/m);
    expect(bad.join('\n')).toMatch(/^bus: expected/m);
    expect(bad.join('\n')).toMatch(/^drives\[0\]\.channel: expected 0 or 1/m);
    expect(bad.join('\n')).toMatch(/^drives\[0\]\.kind: expected/m);
    expect(bad.join('\n')).toMatch(/^drives\[0\]\.extra: expected/m);
    expect(bad.join('\n')).toMatch(/^drives\[0\]\.backend: expected the name/m);
    const sizes = ide.validate!({ class: 'IDE', id: 'x', bus: 'pci0', drives: [{ channel: 0, unit: 0, kind: 'cdrom', backend: 'a' }, { channel: 0, unit: 0, kind: 'disk', backend: 'a' }], backends: { a: { image: new Uint8Array(512) } } });
    expect(sizes.join('\n')).toMatch(/drives\[0\]\.backend: expected an image of whole 2048-byte sectors/);
    expect(sizes.join('\n')).toMatch(/drives\[1\]: expected one drive per channel and unit/);
    expect(ide.validate!({ class: 'IDE', id: 'x', bus: 'pci0', drives: [], memory: {} })).toEqual(['memory: expected an object with read(addr, length) and write(addr, data)']);
  });

  it('refuses a bus that is not a PCI bus', () => {
    const vm = createTestHost();
    vm.provide('notpci', {});
    expect(() => vm.attach(ide, { id: 'ide0', bus: 'notpci', drives: [] })).toThrow(/not a PCI bus/);
  });
});

describe('register fuzz', () => {
  it('survives commands, packets and word/dword data accesses in random order (fail-stops name the device)', () => {
    const stops = new Set<string>();
    for (let seed = 1; seed <= 6; seed++) {
      let x = seed * 7919;
      const rand = (): number => {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        return x;
      };
      const { vm, dev } = board({
        dma: (seed & 1) === 1,
        drives: [
          { channel: 0, unit: 0, kind: 'disk', backend: 'hd' },
          { channel: 0, unit: 1, kind: 'cdrom', backend: 'cd' },
          { channel: 1, unit: 1, kind: 'cdrom' },
        ],
      });
      const bm = bmSetup(vm);
      const cmds = [0x20, 0x24, 0x29, 0x30, 0x34, 0x39, 0xc4, 0xc5, 0xc6, 0xc8, 0x25, 0xca, 0x35, 0xec, 0xa1, 0xa0, 0x90, 0x08, 0xef, 0x91, 0x40, 0xe7, 0xe5];
      const ops = [0x00, 0x03, 0x12, 0x1b, 0x1e, 0x25, 0x28, 0x2b, 0x43, 0x46, 0x4a, 0x5a, 0xa8, 0xbe];
      for (let i = 0; i < 5000; i++) {
        const ch = rand() & 1 ? 0x1f0 : 0x170;
        try {
          switch (rand() % 12) {
            case 0: vm.outb(ch + 7, cmds[rand() % cmds.length]!); break;
            case 1: vm.outw(ch, rand() & 1 ? ops[rand() % ops.length]! : rand() & 0xffff); break;
            case 2: vm.inw(ch); break;
            case 3: vm.inl(ch); break;
            case 4: vm.outb(ch + 1 + (rand() % 6), rand() & 0xff); break;
            case 5: vm.inb(ch + 1 + (rand() % 7)); break;
            case 6: vm.outb(ch === 0x1f0 ? 0x3f6 : 0x376, rand() & 0x86); break;
            case 7: vm.outb(bm + (rand() & 8), rand() & 9); break;
            case 8: vm.outl(bm + 4 + (rand() & 8), rand() & 0xff00); break;
            case 9: vm.inb(bm + 2 + (rand() & 8)); break;
            case 10: if (rand() % 100 === 0) dev.load(JSON.parse(JSON.stringify(dev.save()))); break;
            default: vm.outl(ch, rand());
          }
        } catch (e) {
          if (!(e instanceof V3Error) || e.detail.component !== 'ide0') throw e;
          stops.add(e.message.replace(/0x[0-9a-f]+/g, 'N'));
        }
      }
    }
    for (const m of stops) expect(m).toMatch(/bus master direction/);
  });

  it('only fails stop, naming the device', () => {
    for (const dma of [false, true]) {
      const { vm } = board({ dma });
      bmSetup(vm);
      const ports = [...Array.from({ length: 8 }, (_, i) => 0x1f0 + i), ...Array.from({ length: 8 }, (_, i) => 0x170 + i), 0x3f6, 0x376, ...Array.from({ length: 16 }, (_, i) => 0xc000 + i)];
      fuzzPorts(vm, ports, { seed: dma ? 7 : 3, steps: 5000, deviceId: 'ide0' });
    }
  });
});
