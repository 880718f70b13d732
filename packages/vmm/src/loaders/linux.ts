import { V3Error } from '@v3/device-api';
import { utf8 } from './utf8.js';
import type { V3Engine } from '../engine.js';
import type { V3VmInfo } from '../vm.js';
import { pcMemoryMap } from './e820.js';
import { writeMpTable } from './mptable.js';
import { flatGdt, flatProtectedMode } from './segments.js';

/**
 * The Linux/x86 boot protocol (Documentation/x86/boot.rst), 32-bit entry, as QEMU's -kernel and
 * Firecracker do it: no BIOS, no real-mode setup code. We build the "zero page" (struct
 * boot_params) ourselves, copy the kernel's setup header into it, describe memory with an e820
 * table, place the command line and the initrd, and enter the protected-mode kernel at
 * `code32_start` with flat segments __BOOT_CS=0x10 / __BOOT_DS=0x18 and ESI = the zero page.
 */

/** Where the loader puts its pieces (all below the 640 KiB line, away from the kernel at 1 MiB). */
const GDT_ADDR = 0x1000;
const ZERO_PAGE = 0x10000;
const CMDLINE_ADDR = 0x20000;
const KERNEL_ADDR = 0x100000;
const BOOT_CS = 0x10;
const BOOT_DS = 0x18;

// Offsets in boot_params / the setup header.
const HDR_SETUP_SECTS = 0x1f1;
const HDR_BOOT_FLAG = 0x1fe; // 0xAA55
const HDR_JUMP = 0x200; // the setup header ends at 0x202 + byte at 0x201
const HDR_MAGIC = 0x202; // "HdrS"
const HDR_VERSION = 0x206;
const HDR_TYPE_OF_LOADER = 0x210;
const HDR_LOADFLAGS = 0x211;
const HDR_CODE32_START = 0x214;
const HDR_RAMDISK_IMAGE = 0x218;
const HDR_RAMDISK_SIZE = 0x21c;
const HDR_HEAP_END_PTR = 0x224;
const HDR_CMD_LINE_PTR = 0x228;
const HDR_INITRD_ADDR_MAX = 0x22c;
const HDR_CMDLINE_SIZE = 0x238;
const BP_E820_ENTRIES = 0x1e8;
const BP_E820_TABLE = 0x2d0;
const E820_MAX = 128;

const LOADFLAGS_LOADED_HIGH = 0x01;
const LOADFLAGS_CAN_USE_HEAP = 0x80;
const HDRS = 0x53726448; // "HdrS" little-endian

/** Whether `image` is a Linux kernel with a boot-protocol setup header. */
export function isLinuxKernel(image: Uint8Array): boolean {
  if (image.length < 0x300) return false;
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  return dv.getUint32(HDR_MAGIC, true) === HDRS && dv.getUint16(HDR_BOOT_FLAG, true) === 0xaa55;
}

/** Load a bzImage (and initrd) and set the core at the 32-bit entry. */
export function bootLinux(vm: V3VmInfo, engine: V3Engine, kernel: Uint8Array, initrd: Uint8Array | null, cmdline: string): void {
  const fail = (why: string): never => {
    throw new V3Error({ component: 'loader', vm: vm.name }, `Linux kernel: ${why}`);
  };
  if (!isLinuxKernel(kernel)) fail('no boot-protocol setup header ("HdrS" at 0x202) — is this a bzImage?');
  const dv = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const version = dv.getUint16(HDR_VERSION, true);
  if (version < 0x0202) fail(`boot protocol ${(version >> 8).toString()}.${(version & 0xff).toString().padStart(2, '0')} is older than 2.02`);
  const loadflags = kernel[HDR_LOADFLAGS] as number;
  if ((loadflags & LOADFLAGS_LOADED_HIGH) === 0) fail('not a bzImage (LOADED_HIGH clear): zImages load below 1 MiB');
  const setupSects = (kernel[HDR_SETUP_SECTS] as number) || 4;
  const setupBytes = (setupSects + 1) * 512;
  if (setupBytes >= kernel.length) fail('setup sectors run past the end of the file');
  const pm = kernel.subarray(setupBytes);
  const ram = vm.mem.ram.length;

  // The zero page: zeros, then the kernel's setup header copied at its offset.
  const zp = new Uint8Array(4096);
  const headerEnd = 0x202 + (kernel[HDR_JUMP + 1] as number);
  zp.set(kernel.subarray(HDR_SETUP_SECTS, headerEnd), HDR_SETUP_SECTS);
  const z = new DataView(zp.buffer);
  z.setUint8(HDR_TYPE_OF_LOADER, 0xff); // "undefined" boot loader
  z.setUint8(HDR_LOADFLAGS, loadflags | LOADFLAGS_CAN_USE_HEAP);
  z.setUint16(HDR_HEAP_END_PTR, 0xfe00, true);

  // Command line.
  const maxCmdline = version >= 0x0206 ? dv.getUint32(HDR_CMDLINE_SIZE, true) : 255;
  const cmd = utf8(cmdline);
  if (cmd.length > maxCmdline) fail(`command line is ${cmd.length} bytes; this kernel takes at most ${maxCmdline}`);
  const cmdBytes = new Uint8Array(cmd.length + 1);
  cmdBytes.set(cmd);
  vm.mem.load(CMDLINE_ADDR, cmdBytes, 'kernel command line');
  z.setUint32(HDR_CMD_LINE_PTR, CMDLINE_ADDR, true);

  // The protected-mode kernel at 1 MiB.
  vm.mem.load(KERNEL_ADDR, pm, 'protected-mode kernel');
  z.setUint32(HDR_CODE32_START, KERNEL_ADDR, true);

  // The initrd: as high as the kernel allows, page-aligned, above the kernel.
  if (initrd) {
    const maxAddr = version >= 0x0203 ? dv.getUint32(HDR_INITRD_ADDR_MAX, true) : 0x37ffffff;
    const top = Math.min(ram, maxAddr + 1);
    const at = Math.floor((top - initrd.length) / 4096) * 4096;
    if (at < KERNEL_ADDR + pm.length) fail(`initrd (${initrd.length} bytes) does not fit between the kernel and the top of RAM`);
    vm.mem.load(at, initrd, 'initrd');
    z.setUint32(HDR_RAMDISK_IMAGE, at, true);
    z.setUint32(HDR_RAMDISK_SIZE, initrd.length, true);
  }

  // The e820 memory map.
  const map = pcMemoryMap(ram);
  if (map.length > E820_MAX) fail('too many e820 entries');
  z.setUint8(BP_E820_ENTRIES, map.length);
  map.forEach((e, i) => {
    const off = BP_E820_TABLE + i * 20;
    z.setUint32(off, e.addr, true);
    z.setUint32(off + 4, 0, true);
    z.setUint32(off + 8, e.size, true);
    z.setUint32(off + 12, 0, true);
    z.setUint32(off + 16, e.type, true);
  });
  vm.mem.load(ZERO_PAGE, zp, 'boot_params');
  // The MP table, when the VM has a local APIC and an IO-APIC (in the e820 map's reserved EBDA).
  writeMpTable(vm, engine);

  const gdt = flatGdt(BOOT_CS, BOOT_DS);
  vm.mem.load(GDT_ADDR, gdt, 'boot GDT');
  engine.setState({
    ...flatProtectedMode(BOOT_CS, BOOT_DS, GDT_ADDR, gdt.length - 1),
    eip: KERNEL_ADDR,
    esi: ZERO_PAGE,
    eax: 0,
    ebx: 0,
    ecx: 0,
    edx: 0,
    ebp: 0,
    edi: 0,
    esp: 0,
    eflags: 0x2,
  });
}
