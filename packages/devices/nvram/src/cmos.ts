// The PC/AT CMOS RAM contents the BIOS expects at power-on: memory sizes, equipment, century,
// Bochs BIOS boot order and the checksum (IBM PC/AT Technical Reference, "CMOS RAM Address
// Map"; the bytes above 0x33 as the Bochs BIOS and SeaBIOS read them).
import {
  BOOT_DEVICE_CODES,
  CMOS_BASE_MEM_HI,
  CMOS_BASE_MEM_LO,
  CMOS_BOOT_FIRST_SECOND,
  CMOS_BOOT_THIRD,
  CMOS_CENTURY,
  CMOS_CHECKSUM_FIRST,
  CMOS_CHECKSUM_HI,
  CMOS_CHECKSUM_LAST,
  CMOS_CHECKSUM_LO,
  CMOS_DIAG_STATUS,
  CMOS_DISK_TYPES,
  CMOS_EQUIPMENT,
  CMOS_EXT_MEM_ACTUAL_HI,
  CMOS_EXT_MEM_ACTUAL_LO,
  CMOS_EXT_MEM_HI,
  CMOS_EXT_MEM_LO,
  CMOS_FLOPPY_TYPES,
  CMOS_MEM_ABOVE_16M_HI,
  CMOS_MEM_ABOVE_16M_LO,
  CMOS_MEM_ABOVE_4G_HI,
  CMOS_MEM_ABOVE_4G_LO,
  CMOS_MEM_ABOVE_4G_MID,
  CMOS_SHUTDOWN_STATUS,
  CMOS_SIZE,
  EQUIPMENT_FPU,
} from './regs.js';

/** A boot device letter, as in `-boot`: a floppy, c first hard disk, d CD-ROM, n network. */
export type BootDevice = keyof typeof BOOT_DEVICE_CODES;

/** What the layout is built from. */
export interface CmosLayout {
  /** Guest RAM in MiB (1-4096). */
  memoryMiB: number;
  /** Boot order, one to three distinct letters of a/c/d/n, first device first. */
  boot: string;
  /** Century of the start date (19, 20...). */
  century: number;
}

/** Conventional memory the BIOS reports: 640 KiB. */
const BASE_MEMORY_KIB = 640;
/** The 16-bit KiB counters top out at 0xFFFF (just under 64 MiB). */
const MAX_16BIT = 0xffff;

const toBcd = (v: number): number => ((v / 10) | 0) * 16 + (v % 10);

/** Whether `boot` is a valid boot order string. */
export function isBootOrder(boot: string): boolean {
  return /^[acdn]{1,3}$/.test(boot) && new Set(boot).size === boot.length;
}

/** The 128-byte image of the RTC's RAM with the PC/AT layout filled in (clock bytes 0). */
export function buildCmos(layout: CmosLayout): Uint8Array {
  const ram = new Uint8Array(CMOS_SIZE);
  const set16 = (lo: number, hi: number, v: number): void => {
    ram[lo] = v & 0xff;
    ram[hi] = (v >> 8) & 0xff;
  };
  // POST found nothing wrong; a cold boot (shutdown code 0).
  ram[CMOS_DIAG_STATUS] = 0x00;
  ram[CMOS_SHUTDOWN_STATUS] = 0x00;
  // No floppy drives and no CMOS-typed hard disks: the BIOS finds disks by probing the IDE
  // controller, and an equipment byte without the "floppies present" bit (display 00 =
  // EGA/VGA with its own BIOS, bit 1 = the x87 the CPU has).
  ram[CMOS_FLOPPY_TYPES] = 0x00;
  ram[CMOS_DISK_TYPES] = 0x00;
  ram[CMOS_EQUIPMENT] = EQUIPMENT_FPU;
  set16(CMOS_BASE_MEM_LO, CMOS_BASE_MEM_HI, BASE_MEMORY_KIB);
  const kib = layout.memoryMiB * 1024;
  const extKib = Math.min(Math.max(kib - 1024, 0), MAX_16BIT);
  set16(CMOS_EXT_MEM_LO, CMOS_EXT_MEM_HI, extKib);
  set16(CMOS_EXT_MEM_ACTUAL_LO, CMOS_EXT_MEM_ACTUAL_HI, extKib);
  // 64 KiB blocks between 16 MiB and 4 GiB; 4 GiB gives 0xFF00, so no cap is reached.
  const blocks = Math.min(Math.max(kib - 16 * 1024, 0) / 64, MAX_16BIT);
  set16(CMOS_MEM_ABOVE_16M_LO, CMOS_MEM_ABOVE_16M_HI, blocks);
  // No RAM above 4 GiB (validate() caps memory at 4096 MiB).
  ram[CMOS_MEM_ABOVE_4G_LO] = 0;
  ram[CMOS_MEM_ABOVE_4G_MID] = 0;
  ram[CMOS_MEM_ABOVE_4G_HI] = 0;
  ram[CMOS_CENTURY] = toBcd(layout.century % 100);
  // Bochs BIOS: first device in 0x3D bits 3-0, second in 0x3D bits 7-4, third in 0x38 bits
  // 7-4; 0x38 bit 0 clear keeps the floppy boot-signature check on.
  const code = (i: number): number => {
    const c = layout.boot[i];
    // because: the caller checked the string with isBootOrder()
    return c === undefined ? 0 : BOOT_DEVICE_CODES[c as BootDevice];
  };
  ram[CMOS_BOOT_FIRST_SECOND] = (code(1) << 4) | code(0);
  ram[CMOS_BOOT_THIRD] = code(2) << 4;
  let sum = 0;
  for (let i = CMOS_CHECKSUM_FIRST; i <= CMOS_CHECKSUM_LAST; i++) sum += ram[i] ?? 0;
  ram[CMOS_CHECKSUM_HI] = (sum >> 8) & 0xff;
  ram[CMOS_CHECKSUM_LO] = sum & 0xff;
  return ram;
}
