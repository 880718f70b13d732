import { hostFail } from './errors.js';

/**
 * The kernel heap (GeekOS' `Malloc`/`Free`) as an accounting counter: each block is a fresh
 * Uint8Array of its own, and the heap counts the bytes live against a limit so a VMM that
 * leaks or asks for too much sees `null`, as it would from a fixed-size kernel heap. Blocks do
 * not come from the page pool: the JS engine's allocator is better at small objects than a
 * second allocator over the pool would be, and guest RAM is what the pool is for.
 */
export class KernelHeap {
  private readonly live = new Map<Uint8Array, number>();
  private inUse = 0;

  /** A heap that hands out at most `limitBytes` bytes at a time. */
  constructor(readonly limitBytes: number) {}

  /** `malloc`: `size` zeroed bytes, or null when the heap's limit would be passed. */
  malloc(size: number): Uint8Array | null {
    if (!Number.isInteger(size) || size < 0) hostFail(`malloc: expected a size in bytes ≥ 0, got ${size}`);
    if (this.inUse + size > this.limitBytes) return null;
    const block = new Uint8Array(size);
    this.live.set(block, size);
    this.inUse += size;
    return block;
  }

  /** `free`: give a block back; a block this heap did not hand out, or freed twice, stops loudly. */
  free(block: Uint8Array): void {
    const size = this.live.get(block);
    if (size === undefined) hostFail(`free: block of ${block?.byteLength ?? '?'} bytes was not returned by malloc, or was freed already`);
    this.live.delete(block);
    this.inUse -= size;
  }

  /** Bytes and blocks live now. */
  stats(): { bytesInUse: number; blocks: number; limitBytes: number } {
    return { bytesInUse: this.inUse, blocks: this.live.size, limitBytes: this.limitBytes };
  }
}
