import { V3Error, type AccessSize, type MmioOps } from '@v3/device-api';
import { FrameFlag, type GuestPhysicalMemory } from '@v3/x86';
import type { Telemetry } from './telemetry.js';

const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const FRAMES = 1 << 20;

/** The legacy BIOS area below 1 MiB whose frames the chipset routes between ROM and RAM. */
export const LEGACY_ROM_BASE = 0xc0000;
/** Its size: 0xC0000-0xFFFFF. */
export const LEGACY_ROM_SIZE = 0x40000;
const LEGACY_FRAMES = LEGACY_ROM_SIZE / PAGE_SIZE;
const LEGACY_FIRST_FRAME = LEGACY_ROM_BASE / PAGE_SIZE;

/** A region of the guest-physical map that is not plain RAM. */
interface Region {
  kind: 'rom' | 'hook' | 'shadow';
  owner: string;
  base: number;
  size: number;
  /** ROM contents. */
  bytes?: Uint8Array;
  /** Hook handlers. */
  ops?: MmioOps;
}

/**
 * The guest-physical memory map: RAM obtained from the host through `allocate_pages`, ROM images
 * (BIOS, option ROMs) and hooked regions (MMIO). The CPU reads and writes RAM frames directly;
 * every other frame is flagged and reaches {@link read}/{@link write} through the bus, which
 * counts it as an MMIO exit.
 *
 * Policy: a write to ROM is dropped (a ROM chip ignores it). An access where nothing is mapped
 * behaves as on a PC: the cycle ends in a master abort, reads return all ones and writes vanish
 * (`unmapped: 'float'`, the default; Linux reads a per-CPU variable through a not-yet-paged
 * address early in boot and relies on it). `unmapped: 'fail'` stops the VM there instead.
 */
export class MemoryMap {
  readonly ram: Uint8Array;
  readonly frameFlags = new Uint8Array(FRAMES);
  /** Index+1 into `regions` per frame, 0 for none. */
  private readonly frameRegion = new Int32Array(FRAMES);
  private readonly regions: (Region | null)[] = [];
  /** What an access to unmapped guest-physical memory does. */
  unmapped: 'float' | 'fail' = 'float';
  /** Accesses that found nothing mapped (counted, whatever the policy). */
  unmappedAccesses = 0;
  /**
   * Called after frames changed between RAM and the bus (shadowing): the VM flushes every core's
   * TLB there, because the CPU caches direct RAM translations.
   */
  onFramesChanged: (() => void) | null = null;
  /** The legacy BIOS area (0xC0000-0xFFFFF) once a ROM is placed there or shadowing is used. */
  private legacy: Region | null = null;
  /** Per legacy frame: reads go to RAM (1) or to the ROM side (0). */
  private readonly shadowRead = new Uint8Array(LEGACY_FRAMES);
  /** Per legacy frame: writes go to RAM (1) or to the ROM side, where they are dropped (0). */
  private readonly shadowWrite = new Uint8Array(LEGACY_FRAMES);
  /** Per legacy frame: who placed ROM there ('' for nobody: the frame reads all ones). */
  private readonly legacyOwner: string[] = new Array<string>(LEGACY_FRAMES).fill('');

  constructor(
    ram: Uint8Array,
    private readonly telemetry: Telemetry,
  ) {
    this.ram = ram;
    const ramFrames = Math.ceil(ram.length / PAGE_SIZE);
    this.frameFlags.fill(FrameFlag.Bus, ramFrames);
  }

  /** The view the CPU takes. */
  get guestMemory(): GuestPhysicalMemory {
    return { ram: this.ram, frameFlags: this.frameFlags };
  }

  /** Map a ROM image at `base` (page-aligned); it shadows RAM there. */
  addRom(base: number, bytes: Uint8Array, owner: string): void {
    this.addRegion({ kind: 'rom', owner, base, size: bytes.length, bytes });
  }

  /**
   * Place a ROM image in the legacy BIOS area (0xC0000-0xFFFFF): the system BIOS's low alias,
   * the VGA BIOS at 0xC0000, option ROMs. The area starts on the ROM side for reads and writes
   * (a write is dropped, as the chip ignores it); {@link setShadow} moves parts of it to the RAM
   * underneath, as the i440FX's PAM registers do. `base` must be page-aligned; the image is
   * padded with all ones to whole pages. Two images on one page are refused, naming both.
   */
  addShadowRom(base: number, bytes: Uint8Array, owner: string): void {
    const end = base + bytes.length;
    if (base % PAGE_SIZE !== 0 || bytes.length === 0 || base < LEGACY_ROM_BASE || end > LEGACY_ROM_BASE + LEGACY_ROM_SIZE) {
      throw new V3Error(
        { component: owner, addr: base },
        `a legacy ROM must be page-aligned inside 0xc0000-0xfffff (${bytes.length} bytes at 0x${base.toString(16)})`,
      );
    }
    const area = this.legacyArea();
    const first = (base - LEGACY_ROM_BASE) / PAGE_SIZE;
    const last = Math.ceil((end - LEGACY_ROM_BASE) / PAGE_SIZE);
    for (let i = first; i < last; i++) {
      const other = this.legacyOwner[i] as string;
      if (other !== '') {
        throw new V3Error({ component: owner, addr: LEGACY_ROM_BASE + i * PAGE_SIZE }, `legacy ROM area already holds ${other}, requested by ${owner}`);
      }
    }
    for (let i = first; i < last; i++) this.legacyOwner[i] = owner;
    (area.bytes as Uint8Array).set(bytes, base - LEGACY_ROM_BASE);
  }

  /**
   * Route `[base, base+size)` of the legacy BIOS area (page-aligned): reads to RAM (`readRam`) or
   * to the ROM side, writes to RAM (`writeRam`) or to the ROM side, where they are dropped. This
   * is what the 82441FX's PAM registers do to each 16 KiB (64 KiB at 0xF0000) segment. Frames
   * with both to RAM become plain RAM for the CPU; the others go through the bus. Cores flush
   * their TLBs (through {@link onFramesChanged}).
   */
  setShadow(base: number, size: number, readRam: boolean, writeRam: boolean): void {
    if (base % PAGE_SIZE !== 0 || size <= 0 || size % PAGE_SIZE !== 0 || base < LEGACY_ROM_BASE || base + size > LEGACY_ROM_BASE + LEGACY_ROM_SIZE) {
      throw new V3Error({ component: 'mem', addr: base }, `shadow routing must cover whole pages inside 0xc0000-0xfffff (size 0x${size.toString(16)})`);
    }
    if (base + size > this.ram.length && (readRam || writeRam)) {
      throw new V3Error({ component: 'mem', addr: base }, `shadow RAM asked for where there is no RAM (RAM is ${this.ram.length} bytes)`);
    }
    this.legacyArea();
    const first = (base - LEGACY_ROM_BASE) / PAGE_SIZE;
    const last = first + size / PAGE_SIZE;
    for (let i = first; i < last; i++) {
      this.shadowRead[i] = readRam ? 1 : 0;
      this.shadowWrite[i] = writeRam ? 1 : 0;
      this.frameFlags[LEGACY_FIRST_FRAME + i] = readRam && writeRam ? FrameFlag.Ram : FrameFlag.Bus;
    }
    this.onFramesChanged?.();
  }

  /** Where reads and writes of a legacy-area address go (for tests and dumps). */
  shadowRouting(paddr: number): { readRam: boolean; writeRam: boolean } | null {
    if (!this.legacy || paddr < LEGACY_ROM_BASE || paddr >= LEGACY_ROM_BASE + LEGACY_ROM_SIZE) return null;
    const i = (paddr - LEGACY_ROM_BASE) >>> PAGE_SHIFT;
    return { readRam: this.shadowRead[i] === 1, writeRam: this.shadowWrite[i] === 1 };
  }

  /** The legacy area's region, made on first use: all ones (no ROM), everything to the ROM side. */
  private legacyArea(): Region {
    if (this.legacy) return this.legacy;
    const r: Region = { kind: 'shadow', owner: 'legacy ROM area', base: LEGACY_ROM_BASE, size: LEGACY_ROM_SIZE, bytes: new Uint8Array(LEGACY_ROM_SIZE).fill(0xff) };
    this.addRegion(r);
    this.legacy = r;
    return r;
  }

  /** `v3_hook_full_mem`: route `[base, base+size)` to handlers. Overlaps are refused, naming both. */
  hook(base: number, size: number, ops: MmioOps, owner: string): void {
    this.addRegion({ kind: 'hook', owner, base, size, ops });
  }

  /** `v3_unhook_mem`: remove the region starting at `base`; RAM shows through again. */
  unhook(base: number, owner: string): void {
    const idx = this.regions.findIndex((r) => r !== null && r.base === base && r.owner === owner);
    if (idx < 0) throw new V3Error({ component: owner, addr: base }, 'no memory hook of this owner starts here');
    const r = this.regions[idx] as Region;
    this.regions[idx] = null;
    for (let f = r.base >>> PAGE_SHIFT; f < Math.ceil((r.base + r.size) / PAGE_SIZE); f++) {
      this.frameRegion[f] = 0;
      this.frameFlags[f] = f * PAGE_SIZE < this.ram.length ? FrameFlag.Ram : FrameFlag.Bus;
    }
  }

  /** Copy bytes into guest RAM (loaders). Refuses to write outside RAM. */
  load(paddr: number, bytes: Uint8Array, what: string): void {
    if (paddr < 0 || paddr + bytes.length > this.ram.length) {
      throw new V3Error(
        { component: 'loader', addr: paddr },
        `${what} (${bytes.length} bytes) does not fit in guest RAM at 0x${paddr.toString(16)} (RAM is ${this.ram.length} bytes)`,
      );
    }
    this.ram.set(bytes, paddr);
  }

  /** DMA read: RAM bytes; every other byte reads all ones (no device is reached this way). */
  dmaRead(paddr: number, length: number): Uint8Array {
    const out = new Uint8Array(length).fill(0xff);
    for (let i = 0; i < length; ) {
      const a = paddr + i;
      const frameEnd = (Math.floor(a / PAGE_SIZE) + 1) * PAGE_SIZE;
      const n = Math.min(length - i, frameEnd - a);
      if (a < this.ram.length && this.frameFlags[a >>> PAGE_SHIFT] === FrameFlag.Ram) out.set(this.ram.subarray(a, a + n), i);
      i += n;
    }
    return out;
  }

  /** DMA write: into RAM frames only; bytes aimed anywhere else are dropped. */
  dmaWrite(paddr: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; ) {
      const a = paddr + i;
      const frameEnd = (Math.floor(a / PAGE_SIZE) + 1) * PAGE_SIZE;
      const n = Math.min(data.length - i, frameEnd - a);
      if (a < this.ram.length && this.frameFlags[a >>> PAGE_SHIFT] === FrameFlag.Ram) this.ram.set(data.subarray(i, i + n), a);
      i += n;
    }
  }

  /** A bus read of a non-RAM frame. */
  read(paddr: number, size: AccessSize): number {
    this.telemetry.mmioExits++;
    const r = this.regionAt(paddr, size, 'read');
    if (r === null) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
    const off = paddr - r.base;
    if (r.kind === 'hook') return (r.ops as MmioOps).read(off, size) >>> 0;
    if (r.kind === 'shadow' && this.shadowRead[off >>> PAGE_SHIFT] === 1) {
      const ram = this.ram;
      if (size === 1) return ram[paddr] as number;
      let v = 0;
      for (let i = 0; i < size; i++) v |= (ram[paddr + i] as number) << (8 * i);
      return v >>> 0;
    }
    const b = r.bytes as Uint8Array;
    let v = 0;
    for (let i = 0; i < size; i++) v |= (b[off + i] ?? 0xff) << (8 * i);
    return v >>> 0;
  }

  /** A bus write to a non-RAM frame. */
  write(paddr: number, size: AccessSize, value: number): void {
    this.telemetry.mmioExits++;
    const r = this.regionAt(paddr, size, 'write');
    if (r === null) return;
    if (r.kind === 'hook') (r.ops as MmioOps).write(paddr - r.base, size, value);
    else if (r.kind === 'shadow' && this.shadowWrite[(paddr - r.base) >>> PAGE_SHIFT] === 1) {
      for (let i = 0; i < size; i++) this.ram[paddr + i] = (value >>> (8 * i)) & 0xff;
    }
    // ROM (or a legacy segment whose writes go to the ROM side): the chip ignores writes.
  }

  /** The region under an access, or null where nothing is mapped and the policy floats it. */
  private regionAt(paddr: number, size: number, what: string): Region | null {
    const idx = this.frameRegion[paddr >>> PAGE_SHIFT] as number;
    const r = idx > 0 ? this.regions[idx - 1] : null;
    if (r && paddr >= r.base && paddr + size <= r.base + r.size) return r;
    if (!r && this.unmapped === 'float' && paddr >= this.ram.length) {
      this.unmappedAccesses++;
      return null;
    }
    throw new V3Error({ component: 'mem', addr: paddr }, `${size}-byte ${what} of guest-physical memory where nothing is mapped`);
  }

  private addRegion(r: Region): void {
    if (r.base % PAGE_SIZE !== 0 || r.size <= 0 || r.base + r.size > 2 ** 32) {
      throw new V3Error({ component: r.owner, addr: r.base }, `memory region must be page-aligned and inside 4 GiB (size ${r.size})`);
    }
    const first = r.base >>> PAGE_SHIFT;
    const last = Math.ceil((r.base + r.size) / PAGE_SIZE);
    for (let f = first; f < last; f++) {
      const idx = this.frameRegion[f] as number;
      if (idx > 0) {
        const other = this.regions[idx - 1] as Region;
        throw new V3Error(
          { component: r.owner, addr: f * PAGE_SIZE },
          `memory already hooked by ${other.owner}, requested by ${r.owner}`,
        );
      }
    }
    this.regions.push(r);
    const id = this.regions.length;
    for (let f = first; f < last; f++) {
      this.frameRegion[f] = id;
      this.frameFlags[f] = FrameFlag.Bus;
    }
  }
}
