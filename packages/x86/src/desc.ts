// Segment descriptor field extraction (SDM Vol. 3 §3.4.5).

/** Base address of the descriptor whose low and high dwords are `lo`, `hi`. */
export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
}

/** Effective byte-granular limit (G scales by 4 KiB). */
export function descLimit(lo: number, hi: number): number {
  const l = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & 0x800000) !== 0 ? ((l << 12) | 0xfff) >>> 0 : l;
}
