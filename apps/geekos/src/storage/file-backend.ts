import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import type { BlockBackend } from '@v3/dev-ide';

/** Bytes per sector of an ATA disk. */
export const DISK_SECTOR = 512;
/** Bytes per block of an ATAPI CD-ROM. */
export const CD_SECTOR = 2048;

/** How a {@link FileBackend} opens its image. */
export interface FileBackendOptions {
  /**
   * Refuse writes: the file is opened read-only and `write()` throws. Default: `true` for
   * 2048-byte sectors (a CD-ROM image), `false` for 512-byte ones (a disk).
   */
  readOnly?: boolean;
}

/**
 * A problem with a disk or CD-ROM image file: it names the image's path, so an app can show the
 * message as it is (the GeekOS CLI turns it into exit status 2 before the VM starts).
 */
export class ImageFileError extends Error {
  override readonly name = 'ImageFileError';
  constructor(
    /** The image path as given to {@link FileBackend}. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function describeOpenError(path: string, e: unknown, readOnly: boolean): ImageFileError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new ImageFileError(path, `image '${path}': no such file`);
    case 'EISDIR':
      return new ImageFileError(path, `image '${path}' is a directory, not an image file`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ImageFileError(
        path,
        `image '${path}' cannot be opened for ${readOnly ? 'reading' : 'reading and writing'} (${code})` +
          (readOnly ? '' : '; open it read-only if the guest need not write it'),
      );
    default:
      return new ImageFileError(path, `image '${path}' cannot be opened: ${(e as Error).message}`);
  }
}

/**
 * A raw image file as an IDE {@link BlockBackend}: sector `n` is bytes `n * sectorSize` to
 * `(n + 1) * sectorSize - 1` of the file. Reads and writes are synchronous (`fs.readSync` /
 * `fs.writeSync` at the sector's offset), as the IDE device needs inside a guest port access, so
 * a guest write is in the file when the command completes. The file is never grown or shrunk.
 *
 * ```ts
 * const hd = new FileBackend('disk.img', DISK_SECTOR);
 * const cd = new FileBackend('boot.iso', CD_SECTOR);          // read-only by default
 * { class: 'IDE', id: 'ide0', bus: 'pci0', backends: { hd, cd }, drives: [...] }
 * // ... after the run:
 * hd.close(); cd.close();
 * ```
 */
export class FileBackend implements BlockBackend {
  readonly sectors: number;
  readonly readOnly: boolean;
  /** Image size in bytes (`sectors * sectorSize`). */
  readonly size: number;
  private fd: number | null;
  private dirty = false;

  /**
   * Open `path`. Throws an {@link ImageFileError} naming the path when the file is missing, is a
   * directory or not a regular file, cannot be opened in the mode asked for, is empty, or is not
   * a whole number of sectors (the message gives its size and the sector size required).
   */
  constructor(
    /** The image path, as given (relative paths are taken from the process's working directory). */
    readonly path: string,
    /** 512 for a disk, 2048 for a CD-ROM. */
    readonly sectorSize: 512 | 2048,
    options: FileBackendOptions = {},
  ) {
    if (sectorSize !== DISK_SECTOR && sectorSize !== CD_SECTOR) {
      throw new RangeError(`FileBackend: sector size ${String(sectorSize)} for '${path}': expected 512 (disk) or 2048 (CD-ROM)`);
    }
    this.readOnly = options.readOnly ?? sectorSize === CD_SECTOR;
    let fd: number;
    try {
      // 'r+' opens for reading and writing without creating or truncating: a missing image is an
      // error, never a new empty file.
      fd = openSync(path, this.readOnly ? 'r' : 'r+');
    } catch (e) {
      throw describeOpenError(path, e, this.readOnly);
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new ImageFileError(path, `image '${path}' is a directory, not an image file`);
      if (!st.isFile()) throw new ImageFileError(path, `image '${path}' is not a regular file`);
      const kind = sectorSize === CD_SECTOR ? 'CD-ROM image' : 'disk image';
      if (st.size === 0) {
        throw new ImageFileError(path, `image '${path}' is empty (0 bytes): a ${kind} needs at least one ${sectorSize}-byte sector`);
      }
      if (st.size % sectorSize !== 0) {
        const whole = Math.floor(st.size / sectorSize);
        throw new ImageFileError(
          path,
          `image '${path}' is ${st.size} bytes, not a whole number of ${sectorSize}-byte sectors ` +
            `(a ${kind} must be a multiple of ${sectorSize} bytes: ${whole * sectorSize} or ${(whole + 1) * sectorSize})`,
        );
      }
      this.size = st.size;
      this.sectors = st.size / sectorSize;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
  }

  /** Whether {@link close} has been called. */
  get closed(): boolean {
    return this.fd === null;
  }

  /** `count` sectors from `lba`, read from the file (a new array). */
  read(lba: number, count: number): Uint8Array {
    const fd = this.open('read');
    this.checkRange('read', lba, count);
    const out = new Uint8Array(count * this.sectorSize);
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, lba * this.sectorSize + done);
      if (n === 0) {
        throw new ImageFileError(
          this.path,
          `image '${this.path}' ended at byte ${lba * this.sectorSize + done} while reading sector ${lba + Math.floor(done / this.sectorSize)} ` +
            `(was it truncated while in use? it had ${this.sectors} sectors when opened)`,
        );
      }
      done += n;
    }
    return out;
  }

  /** Write whole sectors of `data` at `lba` into the file. */
  write(lba: number, data: Uint8Array): void {
    const fd = this.open('write');
    if (this.readOnly) throw new ImageFileError(this.path, `write to the read-only image '${this.path}' (sector ${lba})`);
    if (data.length % this.sectorSize !== 0) {
      throw new RangeError(`FileBackend '${this.path}': write of ${data.length} bytes is not a whole number of ${this.sectorSize}-byte sectors`);
    }
    this.checkRange('write', lba, data.length / this.sectorSize);
    let done = 0;
    while (done < data.length) {
      done += writeSync(fd, data, done, data.length - done, lba * this.sectorSize + done);
    }
    this.dirty = true;
  }

  /** Push the writes so far to stable storage (`fsync`); nothing to do when there were none. */
  flush(): void {
    const fd = this.open('flush');
    if (this.dirty) {
      fsyncSync(fd);
      this.dirty = false;
    }
  }

  /** Flush and close the file. Further reads and writes throw; a second `close()` does nothing. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    try {
      if (this.dirty) fsyncSync(fd);
    } finally {
      this.fd = null;
      this.dirty = false;
      closeSync(fd);
    }
  }

  private open(what: string): number {
    if (this.fd === null) throw new ImageFileError(this.path, `${what} of the image '${this.path}' after it was closed`);
    return this.fd;
  }

  private checkRange(what: string, lba: number, count: number): void {
    if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0 || lba + count > this.sectors) {
      throw new RangeError(
        `FileBackend '${this.path}': ${what} of ${count} sector(s) at ${lba} is outside the image's ${this.sectors} sectors`,
      );
    }
  }
}
