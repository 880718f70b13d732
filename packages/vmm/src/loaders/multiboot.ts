import { V3Error } from '@v3/device-api';
import { utf8 } from './utf8.js';
import type { V3Engine } from '../engine.js';
import type { V3VmInfo } from '../vm.js';
import { pcMemoryMap } from './e820.js';
import { writeMpTable } from './mptable.js';
import { flatGdt, flatProtectedMode } from './segments.js';

/**
 * Multiboot (version 0.6.96), the protocol GeekOS- and Kitten-style kernels boot with. The
 * header sits 4-byte aligned in the first 8 KiB; the image is loaded either from the header's
 * address fields (flag 16) or from its ELF32 program headers. The kernel starts in 32-bit
 * protected mode with flat segments, paging off, EAX = 0x2BADB002 and EBX = the Multiboot
 * information structure.
 */

const MB_MAGIC = 0x1badb002;
const MB_BOOTLOADER_MAGIC = 0x2badb002;
const MB_SEARCH = 8192;
const FLAG_PAGE_ALIGN = 1 << 0;
const FLAG_MEMORY_INFO = 1 << 1;
const FLAG_VIDEO_MODE = 1 << 2;
const FLAG_AOUT_KLUDGE = 1 << 16;

// Multiboot information flags.
const INFO_MEMORY = 1 << 0;
const INFO_CMDLINE = 1 << 2;
const INFO_MODS = 1 << 3;
const INFO_MMAP = 1 << 6;
const INFO_LOADER_NAME = 1 << 9;

const GDT_ADDR = 0x1000;
const INFO_ADDR = 0x9000;
const BOOT_CS = 0x08;
const BOOT_DS = 0x10;

/** The offset of a valid Multiboot header in `image`, or -1. */
export function findMultibootHeader(image: Uint8Array): number {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const end = Math.min(image.length - 12, MB_SEARCH - 12);
  for (let off = 0; off <= end; off += 4) {
    if (dv.getUint32(off, true) !== MB_MAGIC) continue;
    const flags = dv.getUint32(off + 4, true);
    const sum = (MB_MAGIC + flags + dv.getUint32(off + 8, true)) >>> 0;
    if (sum === 0) return off;
  }
  return -1;
}

/** A module handed to the kernel (an initrd, a guest image for Kitten's init task). */
export interface MultibootModule {
  bytes: Uint8Array;
  string: string;
}

/** Load a Multiboot kernel and its modules and set the core at its entry. */
export function bootMultiboot(vm: V3VmInfo, engine: V3Engine, image: Uint8Array, cmdline: string, modules: MultibootModule[]): void {
  const fail = (why: string): never => {
    throw new V3Error({ component: 'loader', vm: vm.name }, `Multiboot kernel: ${why}`);
  };
  const hdr = findMultibootHeader(image);
  if (hdr < 0) fail('no Multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8 KiB');
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const flags = dv.getUint32(hdr + 4, true);
  if (flags & FLAG_VIDEO_MODE) fail('asks for a graphics mode (flag 2), which this loader does not provide');
  const known = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO_MODE | FLAG_AOUT_KLUDGE;
  if (flags & 0xffff & ~known) fail(`requires unknown features (flags 0x${flags.toString(16)})`);

  let entry: number;
  let kernelEnd: number;
  if (flags & FLAG_AOUT_KLUDGE) {
    const headerAddr = dv.getUint32(hdr + 12, true);
    const loadAddr = dv.getUint32(hdr + 16, true);
    const loadEnd = dv.getUint32(hdr + 20, true);
    const bssEnd = dv.getUint32(hdr + 24, true);
    entry = dv.getUint32(hdr + 28, true);
    const fileOff = hdr - (headerAddr - loadAddr);
    if (fileOff < 0) fail('header_addr/load_addr put the image before the file start');
    const len = loadEnd ? loadEnd - loadAddr : image.length - fileOff;
    vm.mem.load(loadAddr, image.subarray(fileOff, fileOff + len), 'kernel image');
    kernelEnd = Math.max(loadAddr + len, bssEnd);
    if (bssEnd > loadAddr + len) vm.mem.ram.fill(0, loadAddr + len, bssEnd);
  } else {
    const r = loadElf32(vm, image, fail);
    entry = r.entry;
    kernelEnd = r.end;
  }

  // Modules, page-aligned after the kernel.
  let next = Math.ceil(kernelEnd / 4096) * 4096;
  const modEntries: { start: number; end: number; str: number }[] = [];
  const strings: Uint8Array[] = [];
  let stringsAt = INFO_ADDR + 0x400;
  const addString = (s: string): number => {
    const b = utf8(s + '\0');
    const at = stringsAt;
    strings.push(b);
    vm.mem.load(at, b, 'Multiboot string');
    stringsAt += b.length;
    return at;
  };
  for (const m of modules) {
    vm.mem.load(next, m.bytes, 'Multiboot module');
    modEntries.push({ start: next, end: next + m.bytes.length, str: addString(m.string) });
    next = Math.ceil((next + m.bytes.length) / 4096) * 4096;
  }

  const ram = vm.mem.ram.length;
  const info = new DataView(new ArrayBuffer(0x400));
  const modsAt = INFO_ADDR + 0x100;
  const mmapAt = INFO_ADDR + 0x200;
  let infoFlags = INFO_MEMORY | INFO_CMDLINE | INFO_MMAP | INFO_LOADER_NAME;
  info.setUint32(4, 640, true); // mem_lower in KiB
  info.setUint32(8, Math.max(0, Math.floor((ram - 0x100000) / 1024)), true); // mem_upper
  info.setUint32(16, addString(cmdline), true);
  if (modEntries.length) {
    infoFlags |= INFO_MODS;
    info.setUint32(20, modEntries.length, true);
    info.setUint32(24, modsAt, true);
    modEntries.forEach((m, i) => {
      const o = 0x100 + i * 16;
      info.setUint32(o, m.start, true);
      info.setUint32(o + 4, m.end, true);
      info.setUint32(o + 8, m.str, true);
    });
  }
  const map = pcMemoryMap(ram);
  map.forEach((e, i) => {
    const o = 0x200 + i * 24;
    info.setUint32(o, 20, true); // size of the rest of the entry
    info.setUint32(o + 4, e.addr, true);
    info.setUint32(o + 12, e.size, true);
    info.setUint32(o + 20, e.type, true);
  });
  info.setUint32(44, map.length * 24, true);
  info.setUint32(48, mmapAt, true);
  info.setUint32(64, addString('v3'), true); // boot_loader_name
  info.setUint32(0, infoFlags, true);
  if (stringsAt > INFO_ADDR + 0x1000) fail('command line and module strings exceed the 3 KiB the loader reserves');
  vm.mem.load(INFO_ADDR, new Uint8Array(info.buffer), 'Multiboot information');
  // The MP table, when the VM has a local APIC and an IO-APIC (in the e820 map's reserved EBDA).
  writeMpTable(vm, engine);

  const gdt = flatGdt(BOOT_CS, BOOT_DS);
  vm.mem.load(GDT_ADDR, gdt, 'boot GDT');
  engine.setState({
    ...flatProtectedMode(BOOT_CS, BOOT_DS, GDT_ADDR, gdt.length - 1),
    eip: entry,
    eax: MB_BOOTLOADER_MAGIC,
    ebx: INFO_ADDR,
    eflags: 0x2,
  });
}

/** Load the PT_LOAD segments of an ELF32 i386 executable at their physical addresses. */
function loadElf32(vm: V3VmInfo, image: Uint8Array, fail: (why: string) => never): { entry: number; end: number } {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (dv.getUint32(0, false) !== 0x7f454c46) fail('neither the a.out kludge (flag 16) nor an ELF image');
  if (image[4] !== 1 || image[5] !== 1) fail('not a 32-bit little-endian ELF');
  if (dv.getUint16(18, true) !== 3) fail('ELF machine is not i386');
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (dv.getUint32(p, true) !== 1) continue; // PT_LOAD
    const off = dv.getUint32(p + 4, true);
    const paddr = dv.getUint32(p + 12, true);
    const filesz = dv.getUint32(p + 16, true);
    const memsz = dv.getUint32(p + 20, true);
    vm.mem.load(paddr, image.subarray(off, off + filesz), `ELF segment ${i}`);
    if (memsz > filesz) vm.mem.ram.fill(0, paddr + filesz, paddr + memsz);
    end = Math.max(end, paddr + memsz);
  }
  if (end === 0) fail('ELF has no loadable segment');
  return { entry, end };
}
