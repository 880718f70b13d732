import type { V3HostPages } from '@v3/vmm';
import { hex, hostFail } from './errors.js';

/** The page size of the host, and of every allocation (Palacios' PAGE_SIZE). */
export const PAGE_SIZE = 4096;

/** Occupancy of the pool, for tests, telemetry and leak checks. */
export interface PageAllocatorStats {
  /** Pages in the pool. */
  totalPages: number;
  /** Pages not allocated. */
  freePages: number;
  /** The longest run of free pages (what the largest possible allocation could get). */
  largestFreeRun: number;
}

/**
 * The page allocator of the GeekOS host: one pool of host memory (an ArrayBuffer sized at boot,
 * GeekOS' free memory above the kernel image), handed out in contiguous 4 KiB pages. One byte
 * of state per page; allocation is first fit over page indices whose host-physical address
 * meets the requested alignment. Pages come back zeroed (they are cleared when freed, and a
 * new ArrayBuffer starts zeroed), because guest RAM must start as zeros.
 *
 * Host-physical addresses start at `base` (1 MiB by default, where GeekOS' page list starts
 * above the BIOS hole), so a VMM that prints addresses sees plausible ones.
 */
export class PageAllocator {
  /** The pool's memory. Allocations are views into it. */
  readonly pool: ArrayBuffer;
  /** Host-physical address of the pool's first byte. */
  readonly base: number;
  private readonly used: Uint8Array;
  private free: number;

  /** A pool of `poolBytes` (whole pages) whose first byte is host-physical `base`. */
  constructor(poolBytes: number, base = 0x100000) {
    if (!Number.isInteger(poolBytes) || poolBytes < PAGE_SIZE || poolBytes % PAGE_SIZE !== 0) {
      hostFail(`page pool: expected a whole number of 4 KiB pages, got ${poolBytes} bytes`);
    }
    if (!Number.isInteger(base) || base < 0 || base % PAGE_SIZE !== 0) {
      hostFail(`page pool: base ${hex(base)} is not page aligned`);
    }
    this.pool = new ArrayBuffer(poolBytes);
    this.base = base;
    this.used = new Uint8Array(poolBytes / PAGE_SIZE);
    this.free = this.used.length;
  }

  /**
   * `allocate_pages`: `numPages` contiguous pages whose first host-physical address is a
   * multiple of `alignment` bytes (a power of two; anything up to a page means page aligned).
   * Returns null when no such run is free (the VMM reports the exhaustion, not the host).
   */
  allocate(numPages: number, alignment = PAGE_SIZE): V3HostPages | null {
    if (!Number.isInteger(numPages) || numPages < 1) hostFail(`allocate_pages: expected a page count ≥ 1, got ${numPages}`);
    const align = Math.max(alignment || PAGE_SIZE, PAGE_SIZE);
    if (!Number.isInteger(align) || (align & (align - 1)) !== 0) {
      hostFail(`allocate_pages: alignment ${alignment} is not a power of two`);
    }
    if (numPages > this.free) return null;
    const step = align / PAGE_SIZE;
    const pages = this.used.length;
    // The first page index whose address is aligned: base is page aligned, so this is exact.
    let i = ((Math.ceil(this.base / align) * align - this.base) / PAGE_SIZE) | 0;
    while (i + numPages <= pages) {
      let j = i;
      const end = i + numPages;
      while (j < end && this.used[j] === 0) j++;
      if (j === end) {
        this.used.fill(1, i, end);
        this.free -= numPages;
        return { paddr: this.base + i * PAGE_SIZE, bytes: new Uint8Array(this.pool, i * PAGE_SIZE, numPages * PAGE_SIZE) };
      }
      // Page j is taken: the next candidate is the first aligned index past it.
      i += Math.floor((j - i) / step + 1) * step;
    }
    return null;
  }

  /**
   * `free_pages`: give back `numPages` pages starting at `paddr`. Every page must be one this
   * allocator handed out and not yet freed; anything else (a double free, an address outside
   * the pool) is a VMM bug and stops loudly.
   */
  release(paddr: number, numPages: number): void {
    if (!Number.isInteger(numPages) || numPages < 1) hostFail(`free_pages: expected a page count ≥ 1, got ${numPages}`);
    const off = paddr - this.base;
    if (!Number.isInteger(paddr) || off < 0 || off % PAGE_SIZE !== 0 || off / PAGE_SIZE + numPages > this.used.length) {
      hostFail(`free_pages(${hex(paddr)}, ${numPages}): not page-aligned pages of the pool ${hex(this.base)}-${hex(this.base + this.pool.byteLength - 1)}`);
    }
    const first = off / PAGE_SIZE;
    for (let p = first; p < first + numPages; p++) {
      if (this.used[p] === 0) hostFail(`free_pages(${hex(paddr)}, ${numPages}): page ${hex(this.base + p * PAGE_SIZE)} is not allocated (double free?)`);
    }
    new Uint8Array(this.pool, off, numPages * PAGE_SIZE).fill(0);
    this.used.fill(0, first, first + numPages);
    this.free += numPages;
  }

  /** How full the pool is. */
  stats(): PageAllocatorStats {
    let run = 0;
    let largest = 0;
    for (let p = 0; p < this.used.length; p++) {
      run = this.used[p] === 0 ? run + 1 : 0;
      if (run > largest) largest = run;
    }
    return { totalPages: this.used.length, freePages: this.free, largestFreeRun: largest };
  }
}
