/**
 * The storage behind a drive. The device reads and writes whole sectors through it,
 * synchronously (inside the guest's port access). An app plugs a file-backed one by writing a
 * host-side class with these members and passing the object in the IDE configuration's `backends`.
 */
export interface BlockBackend {
  /** Bytes per sector: 512 for a disk, 2048 for a CD-ROM. */
  readonly sectorSize: number;
  /** Number of sectors. */
  readonly sectors: number;
  /** Whether writes are refused. */
  readonly readOnly: boolean;
  /** `count` sectors from `lba` (the caller keeps `lba + count <= sectors`). */
  read(lba: number, count: number): Uint8Array;
  /** Whole sectors of `data` at `lba`. */
  write(lba: number, data: Uint8Array): void;
}

/** A RAM backend's description in the configuration: the image bytes (Palacios' ram_hd / ram_cd). */
export interface RamImageSpec {
  /** The image; it is copied, so the guest's writes do not reach the caller's array. */
  image: Uint8Array;
  /** Refuse writes (default: true for a CD-ROM, false for a disk). */
  readOnly?: boolean;
}

/** A block backend in memory, built from an image (Palacios' `RAMDISK`/ram_hd and ram_cd). */
export class RamBackend implements BlockBackend {
  readonly sectors: number;
  private readonly data: Uint8Array;

  constructor(
    image: Uint8Array,
    readonly sectorSize: number,
    readonly readOnly = false,
  ) {
    if (image.length % sectorSize !== 0) throw new RangeError(`image of ${image.length} bytes is not a whole number of ${sectorSize}-byte sectors`);
    this.data = image.slice();
    this.sectors = image.length / sectorSize;
  }

  read(lba: number, count: number): Uint8Array {
    return this.data.slice(lba * this.sectorSize, (lba + count) * this.sectorSize);
  }

  write(lba: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('RamBackend: write to a read-only image');
    this.data.set(data, lba * this.sectorSize);
  }

  /** The current contents (a view, for tests and dumps). */
  bytes(): Uint8Array {
    return this.data;
  }
}

/** Whether `v` has the members of a {@link BlockBackend}. */
export function isBlockBackend(v: unknown): v is BlockBackend {
  const o = v as Partial<BlockBackend> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.read === 'function' &&
    typeof o.write === 'function' &&
    typeof o.sectorSize === 'number' &&
    typeof o.sectors === 'number' &&
    typeof o.readOnly === 'boolean'
  );
}

/**
 * Guest-physical memory as bus-master DMA needs it. The device-api contract has no such access
 * yet; the IDE takes it from its configuration (`memory`) or, once the contract grows it, from
 * `host.memory`. See the README.
 */
export interface GuestMemory {
  /** `length` bytes of guest-physical memory from `addr` (a copy). */
  read(addr: number, length: number): Uint8Array;
  /** Store `data` at guest-physical `addr`. */
  write(addr: number, data: Uint8Array): void;
}
