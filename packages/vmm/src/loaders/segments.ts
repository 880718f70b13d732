import type { CpuState } from '@v3/x86';

/** Descriptor access as the engine's SegmentState takes it: type/S/DPL/P in bits 0-7, AVL/L/D/G in 12-15. */
const ACCESS_FLAT_CODE = 0xc09b; // present, DPL 0, execute/read, accessed; 32-bit, 4 KiB granular
const ACCESS_FLAT_DATA = 0xc093; // present, DPL 0, read/write, accessed; 32-bit, 4 KiB granular
const ACCESS_REAL_CODE = 0x009b;
const ACCESS_REAL_DATA = 0x0093;

/** Real mode: every segment 64 KiB at selector * 16 (what a BIOS leaves). */
export function realModeSegments(selector: number): Partial<CpuState> {
  const code = { selector, base: selector << 4, limit: 0xffff, access: ACCESS_REAL_CODE };
  const data = { selector, base: selector << 4, limit: 0xffff, access: ACCESS_REAL_DATA };
  return { cs: code, ds: data, es: data, ss: data, fs: data, gs: data };
}

/**
 * 32-bit protected mode with flat 4 GiB segments: code `codeSel`, data `dataSel` (the state the
 * Linux 32-bit boot protocol and Multiboot both ask for). CR0.PE set, paging off.
 */
export function flatProtectedMode(codeSel: number, dataSel: number, gdtBase: number, gdtLimit: number): Partial<CpuState> {
  const code = { selector: codeSel, base: 0, limit: 0xffffffff, access: ACCESS_FLAT_CODE };
  const data = { selector: dataSel, base: 0, limit: 0xffffffff, access: ACCESS_FLAT_DATA };
  return {
    cr0: 0x00000011, // PE, ET (a 387-class FPU is present)
    gdtr: { base: gdtBase, limit: gdtLimit },
    cs: code,
    ds: data,
    es: data,
    ss: data,
    fs: data,
    gs: data,
  };
}

/** A GDT with a null descriptor and flat code and data descriptors at the given selectors. */
export function flatGdt(codeSel: number, dataSel: number): Uint8Array {
  const size = Math.max(codeSel, dataSel) + 8;
  const gdt = new Uint8Array(size);
  const put = (sel: number, type: number) => {
    // limit 0xFFFFF (G=1 → 4 GiB), base 0, access `type`, flags G|D.
    gdt.set([0xff, 0xff, 0x00, 0x00, 0x00, type, 0xcf, 0x00], sel);
  };
  put(codeSel, 0x9b);
  put(dataSel, 0x93);
  return gdt;
}
