import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, PageAllocator } from './page-allocator.js';

describe('PageAllocator', () => {
  it('hands out page-aligned views into the pool at host-physical addresses from the base', () => {
    const a = new PageAllocator(16 * PAGE_SIZE, 0x100000);
    const p = a.allocate(2, PAGE_SIZE);
    expect(p).not.toBeNull();
    expect(p!.paddr).toBe(0x100000);
    expect(p!.bytes.byteLength).toBe(2 * PAGE_SIZE);
    expect(p!.bytes.buffer).toBe(a.pool);
    const q = a.allocate(1, PAGE_SIZE);
    expect(q!.paddr).toBe(0x102000);
    expect(q!.bytes.byteOffset).toBe(2 * PAGE_SIZE);
  });

  it('meets the alignment on the host-physical address, not the pool offset', () => {
    const a = new PageAllocator(64 * PAGE_SIZE, 0x101000);
    const p = a.allocate(4, 0x10000);
    expect(p!.paddr % 0x10000).toBe(0);
    expect(p!.paddr).toBe(0x110000);
    const q = a.allocate(1, 0x8000);
    expect(q!.paddr % 0x8000).toBe(0);
    // An alignment below a page (or 0) means page aligned.
    expect(a.allocate(1, 0)!.paddr % PAGE_SIZE).toBe(0);
    expect(a.allocate(1, 16)!.paddr % PAGE_SIZE).toBe(0);
  });

  it('skips taken pages to the next aligned run', () => {
    const a = new PageAllocator(32 * PAGE_SIZE, 0);
    a.allocate(1); // page 0
    const p = a.allocate(4, 4 * PAGE_SIZE);
    expect(p!.paddr).toBe(4 * PAGE_SIZE);
    const q = a.allocate(1);
    expect(q!.paddr).toBe(1 * PAGE_SIZE);
  });

  it('returns null when exhausted, or when no run is long or aligned enough', () => {
    const a = new PageAllocator(8 * PAGE_SIZE, 0);
    expect(a.allocate(9)).toBeNull();
    expect(a.allocate(8)).not.toBeNull();
    expect(a.allocate(1)).toBeNull();
    expect(a.stats()).toEqual({ totalPages: 8, freePages: 0, largestFreeRun: 0 });

    const b = new PageAllocator(8 * PAGE_SIZE, 0);
    b.allocate(1); // page 0 taken: 7 free, but no 8-page-aligned run of 4
    expect(b.allocate(4, 8 * PAGE_SIZE)).toBeNull();
    expect(b.allocate(4, 4 * PAGE_SIZE)!.paddr).toBe(4 * PAGE_SIZE);
  });

  it('frees, zeroes and reuses pages', () => {
    const a = new PageAllocator(4 * PAGE_SIZE, 0);
    const p = a.allocate(4)!;
    p.bytes.fill(0xaa);
    expect(a.allocate(1)).toBeNull();
    a.release(p.paddr + PAGE_SIZE, 2); // free the middle two pages
    expect(a.stats().freePages).toBe(2);
    const q = a.allocate(2)!;
    expect(q.paddr).toBe(PAGE_SIZE);
    expect(q.bytes.every((b) => b === 0)).toBe(true);
    expect(p.bytes[0]).toBe(0xaa);
  });

  it('stops loudly on a double free, a foreign address or nonsense arguments', () => {
    const a = new PageAllocator(4 * PAGE_SIZE, 0x100000);
    const p = a.allocate(1)!;
    a.release(p.paddr, 1);
    expect(() => a.release(p.paddr, 1)).toThrow(/not allocated \(double free\?\)/);
    expect(() => a.release(0x1000, 1)).toThrow(/not page-aligned pages of the pool/);
    expect(() => a.release(0x100800, 1)).toThrow(/not page-aligned/);
    expect(() => a.allocate(0)).toThrow(/page count ≥ 1/);
    expect(() => a.allocate(1, 3 * PAGE_SIZE)).toThrow(/not a power of two/);
    expect(() => new PageAllocator(1000)).toThrow(/whole number of 4 KiB pages/);
  });
});
