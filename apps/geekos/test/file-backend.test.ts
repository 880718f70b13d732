import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pci } from '@v3/dev-pci';
import { ide, isBlockBackend, type IdeConfig } from '@v3/dev-ide';
import { createTestHost } from '@v3/device-testkit';
import { parseVmConfig } from '@v3/vmm';
import { afterEach, describe, expect, it } from 'vitest';
import { CD_SECTOR, DISK_SECTOR, FileBackend, ImageFileError } from '../src/storage/index.js';
import { tempDir } from './helpers.js';

/** Sector n of the image is filled with (n * 3 + 1) & 0xff and starts with n as a little-endian dword. */
function stampedImage(sectors: number, sectorSize: number): Uint8Array {
  const b = new Uint8Array(sectors * sectorSize);
  for (let n = 0; n < sectors; n++) {
    b.fill((n * 3 + 1) & 0xff, n * sectorSize, (n + 1) * sectorSize);
    new DataView(b.buffer).setUint32(n * sectorSize, n, true);
  }
  return b;
}

const opened: FileBackend[] = [];
function open(...args: ConstructorParameters<typeof FileBackend>): FileBackend {
  const f = new FileBackend(...args);
  opened.push(f);
  return f;
}
afterEach(() => {
  for (const f of opened.splice(0)) f.close();
});

/** A new image file in a fresh directory. */
function imageFile(bytes: Uint8Array, name = 'disk.img'): string {
  const path = join(tempDir('v3-storage-'), name);
  writeFileSync(path, bytes);
  return path;
}

/** The error `fn` throws (failing the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('FileBackend: reading and writing the file', () => {
  it('reads the file\'s bytes at sector offsets (512-byte disk)', () => {
    const img = stampedImage(20, 512);
    const f = open(imageFile(img), DISK_SECTOR);
    expect(f.sectorSize).toBe(512);
    expect(f.sectors).toBe(20);
    expect(f.size).toBe(20 * 512);
    expect(f.readOnly).toBe(false);
    expect(f.read(0, 1)).toEqual(img.subarray(0, 512));
    expect(f.read(7, 3)).toEqual(img.subarray(7 * 512, 10 * 512));
    expect(f.read(19, 1)).toEqual(img.subarray(19 * 512, 20 * 512));
    expect(f.read(4, 0)).toEqual(new Uint8Array(0));
  });

  it('reads 2048-byte blocks of a CD-ROM image, which is read-only by default', () => {
    const img = stampedImage(12, 2048);
    const path = imageFile(img, 'cd.iso');
    const f = open(path, CD_SECTOR);
    expect(f.sectors).toBe(12);
    expect(f.readOnly).toBe(true);
    expect(f.read(5, 2)).toEqual(img.subarray(5 * 2048, 7 * 2048));
    const e = thrown(() => f.write(0, new Uint8Array(2048)));
    expect(e).toBeInstanceOf(ImageFileError);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/read-only/);
    expect(readFileSync(path)).toEqual(Buffer.from(img));
  });

  it('puts written sectors into the file at lba * sectorSize, leaving the rest and the size alone', () => {
    const img = stampedImage(16, 512);
    const path = imageFile(img);
    const f = open(path, DISK_SECTOR);
    const data = new Uint8Array(2 * 512);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 5) & 0xff;
    f.write(9, data);
    // No close needed: the write went to the file at once.
    const now = new Uint8Array(readFileSync(path));
    expect(now.length).toBe(16 * 512);
    expect(now.subarray(9 * 512, 11 * 512)).toEqual(data);
    expect(now.subarray(0, 9 * 512)).toEqual(img.subarray(0, 9 * 512));
    expect(now.subarray(11 * 512)).toEqual(img.subarray(11 * 512));
    // And reads see it.
    expect(f.read(8, 4)).toEqual(now.subarray(8 * 512, 12 * 512));
    f.write(15, new Uint8Array(512).fill(0xee));
    f.close();
    expect(new Uint8Array(readFileSync(path)).subarray(15 * 512)).toEqual(new Uint8Array(512).fill(0xee));
  });

  it('refuses writes to a disk image opened read-only, naming the path', () => {
    const img = stampedImage(4, 512);
    const path = imageFile(img);
    const f = open(path, DISK_SECTOR, { readOnly: true });
    expect(f.readOnly).toBe(true);
    expect(f.read(3, 1)).toEqual(img.subarray(3 * 512));
    const e = thrown(() => f.write(1, new Uint8Array(512)));
    expect(e).toBeInstanceOf(ImageFileError);
    expect((e as ImageFileError).path).toBe(path);
    expect(e.message).toBe(`write to the read-only image '${path}' (sector 1)`);
    expect(readFileSync(path)).toEqual(Buffer.from(img));
  });

  it('opens a CD-ROM image read-write when asked', () => {
    const path = imageFile(stampedImage(2, 2048), 'rw.iso');
    const f = open(path, CD_SECTOR, { readOnly: false });
    f.write(1, new Uint8Array(2048).fill(0x42));
    expect(new Uint8Array(readFileSync(path)).subarray(2048)).toEqual(new Uint8Array(2048).fill(0x42));
  });

  it('refuses accesses outside the image and partial sectors, naming the path', () => {
    const path = imageFile(stampedImage(8, 512));
    const f = open(path, DISK_SECTOR);
    for (const fn of [() => f.read(7, 2), () => f.read(8, 1), () => f.read(-1, 1), () => f.read(1.5, 1)]) {
      const e = thrown(fn);
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toContain(path);
    }
    expect(thrown(() => f.write(8, new Uint8Array(512))).message).toMatch(/outside the image's 8 sectors/);
    expect(thrown(() => f.write(0, new Uint8Array(100))).message).toMatch(/100 bytes is not a whole number of 512-byte sectors/);
    expect(readFileSync(path).length).toBe(8 * 512);
  });

  it('close() closes the file: later accesses throw naming the path; closing twice is harmless', () => {
    const path = imageFile(stampedImage(2, 512));
    const f = new FileBackend(path, DISK_SECTOR);
    f.write(0, new Uint8Array(512).fill(1));
    expect(f.closed).toBe(false);
    f.close();
    expect(f.closed).toBe(true);
    f.close();
    expect(new Uint8Array(readFileSync(path)).subarray(0, 512)).toEqual(new Uint8Array(512).fill(1));
    for (const fn of [() => f.read(0, 1), () => f.write(0, new Uint8Array(512)), () => f.flush()]) {
      const e = thrown(fn);
      expect(e).toBeInstanceOf(ImageFileError);
      expect(e.message).toBe(`${e.message.split(' ')[0]} of the image '${path}' after it was closed`);
    }
  });
});

describe('FileBackend: images that cannot be used', () => {
  it('a missing file: says so, names the path, and creates nothing', () => {
    const path = join(tempDir('v3-storage-'), 'nothing.img');
    for (const readOnly of [false, true]) {
      const e = thrown(() => new FileBackend(path, DISK_SECTOR, { readOnly }));
      expect(e).toBeInstanceOf(ImageFileError);
      expect(e.message).toBe(`image '${path}': no such file`);
      expect((e as ImageFileError).path).toBe(path);
    }
    expect(existsSync(path)).toBe(false);
  });

  it('a directory, opened read-only or read-write', () => {
    const dir = join(tempDir('v3-storage-'), 'images');
    mkdirSync(dir);
    for (const readOnly of [false, true]) {
      const e = thrown(() => new FileBackend(dir, CD_SECTOR, { readOnly }));
      expect(e).toBeInstanceOf(ImageFileError);
      expect(e.message).toBe(`image '${dir}' is a directory, not an image file`);
    }
  });

  it('a size that is not a whole number of sectors: gives the size and what is required', () => {
    const disk = imageFile(new Uint8Array(1000));
    expect(thrown(() => new FileBackend(disk, DISK_SECTOR)).message).toBe(
      `image '${disk}' is 1000 bytes, not a whole number of 512-byte sectors (a disk image must be a multiple of 512 bytes: 512 or 1024)`,
    );
    // A disk-sized file is not necessarily a CD-ROM image.
    const iso = imageFile(new Uint8Array(5 * 512), 'odd.iso');
    expect(thrown(() => new FileBackend(iso, CD_SECTOR)).message).toBe(
      `image '${iso}' is 2560 bytes, not a whole number of 2048-byte sectors (a CD-ROM image must be a multiple of 2048 bytes: 2048 or 4096)`,
    );
    expect(new FileBackend(iso, DISK_SECTOR).sectors).toBe(5);
  });

  it('an empty file', () => {
    const path = imageFile(new Uint8Array(0));
    const e = thrown(() => new FileBackend(path, DISK_SECTOR));
    expect(e).toBeInstanceOf(ImageFileError);
    expect(e.message).toBe(`image '${path}' is empty (0 bytes): a disk image needs at least one 512-byte sector`);
  });

  it('a sector size other than 512 or 2048', () => {
    const path = imageFile(new Uint8Array(4096));
    expect(() => new FileBackend(path, 1024 as 512)).toThrow(/sector size 1024 .*expected 512 \(disk\) or 2048 \(CD-ROM\)/);
  });
});

describe('FileBackend behind the IDE device', () => {
  function board(hd: FileBackend, cd: FileBackend) {
    const vm = createTestHost();
    vm.attach(pci, { id: 'pci0' });
    const cfg: Omit<IdeConfig, 'class'> & { id: string } = {
      id: 'ide0',
      bus: 'pci0',
      dma: false,
      backends: { hd, cd },
      drives: [
        { channel: 0, unit: 0, kind: 'disk', backend: 'hd' },
        { channel: 1, unit: 0, kind: 'cdrom', backend: 'cd' },
      ],
    };
    const dev = vm.attach(ide, cfg);
    return { vm, dev };
  }
  function lba28(vm: ReturnType<typeof createTestHost>, lba: number, count: number): void {
    vm.outb(0x1f2, count);
    vm.outb(0x1f3, lba & 0xff);
    vm.outb(0x1f4, (lba >> 8) & 0xff);
    vm.outb(0x1f5, (lba >> 16) & 0xff);
    vm.outb(0x1f6, 0xe0 | ((lba >> 24) & 0x0f));
  }

  it('passes the device\'s backend check, and the sector size check per drive kind', () => {
    const hd = open(imageFile(stampedImage(8, 512)), DISK_SECTOR);
    const cd = open(imageFile(stampedImage(4, 2048), 'cd.iso'), CD_SECTOR);
    expect(isBlockBackend(hd)).toBe(true);
    expect(isBlockBackend(cd)).toBe(true);
    const base = { class: 'IDE', id: 'ide0', bus: 'pci0' };
    expect(ide.validate?.({ ...base, backends: { hd, cd }, drives: [
      { channel: 0, unit: 0, kind: 'disk', backend: 'hd' },
      { channel: 1, unit: 0, kind: 'cdrom', backend: 'cd' },
    ] })).toEqual([]);
    // The disk image is not a CD-ROM: the device says so.
    expect(ide.validate?.({ ...base, backends: { hd }, drives: [{ channel: 1, unit: 0, kind: 'cdrom', backend: 'hd' }] })).toEqual([
      'drives[0].backend: expected 2048-byte sectors for a cdrom, got 512',
    ]);
  });

  it('goes through the VMM\'s configuration check as the same object', () => {
    const hd = open(imageFile(stampedImage(8, 512)), DISK_SECTOR);
    const cfg = parseVmConfig({
      memory: 16,
      files: { boot: new Uint8Array(512) },
      boot: { kind: 'flat', file: 'boot' },
      devices: [
        { class: 'PCI', id: 'pci0' },
        { class: 'IDE', id: 'ide0', bus: 'pci0', backends: { hd }, drives: [{ channel: 0, unit: 0, kind: 'disk', backend: 'hd' }] },
      ],
    });
    expect((cfg.devices[1] as { backends?: { hd?: unknown } }).backends?.hd).toBe(hd);
  });

  it('a guest WRITE SECTORS lands in the file; READ SECTORS returns the file\'s bytes', () => {
    const img = stampedImage(32, 512);
    const path = imageFile(img);
    const hd = open(path, DISK_SECTOR);
    const cd = open(imageFile(stampedImage(4, 2048), 'cd.iso'), CD_SECTOR);
    const { vm, dev } = board(hd, cd);
    expect(dev.backend(0, 0)).toBe(hd);

    lba28(vm, 12, 2);
    vm.outb(0x1f7, 0x20); // READ SECTORS
    const got = new Uint8Array(2 * 512);
    const view = new DataView(got.buffer);
    for (let i = 0; i < 512; i++) {
      if (i % 256 === 0) expect(vm.inb(0x1f7)).toBe(0x58); // DRQ for each sector
      view.setUint16(i * 2, vm.inw(0x1f0), true);
    }
    expect(got).toEqual(img.subarray(12 * 512, 14 * 512));

    lba28(vm, 21, 1);
    vm.outb(0x1f7, 0x30); // WRITE SECTORS
    expect(vm.inb(0x1f7)).toBe(0x58);
    for (let i = 0; i < 256; i++) vm.outw(0x1f0, 0xc000 + i);
    expect(vm.inb(0x1f7)).toBe(0x50); // done, no error
    const file = new Uint8Array(readFileSync(path));
    const sector = new DataView(file.buffer, file.byteOffset + 21 * 512, 512);
    for (let i = 0; i < 256; i++) expect(sector.getUint16(i * 2, true)).toBe(0xc000 + i);
    expect(file.subarray(0, 21 * 512)).toEqual(img.subarray(0, 21 * 512));
    expect(file.subarray(22 * 512)).toEqual(img.subarray(22 * 512));
  });
});
