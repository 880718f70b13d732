import { describe, expect, it } from 'vitest';
import { KernelHeap } from './heap.js';

describe('KernelHeap', () => {
  it('counts live bytes against its limit and returns null past it', () => {
    const h = new KernelHeap(100);
    const a = h.malloc(60)!;
    expect(a.byteLength).toBe(60);
    expect(h.malloc(41)).toBeNull();
    const b = h.malloc(40)!;
    expect(h.stats()).toEqual({ bytesInUse: 100, blocks: 2, limitBytes: 100 });
    h.free(a);
    h.free(b);
    expect(h.stats().bytesInUse).toBe(0);
  });

  it('refuses a double free and a block it did not hand out', () => {
    const h = new KernelHeap(100);
    const a = h.malloc(10)!;
    h.free(a);
    expect(() => h.free(a)).toThrow(/was not returned by malloc, or was freed already/);
    expect(() => h.free(new Uint8Array(10))).toThrow(/host-geekos/);
    expect(() => h.malloc(-1)).toThrow(/size in bytes/);
  });
});
