// Ports, register indices and bits of the Motorola MC146818A real-time clock, and the PC/AT's
// use of its RAM. Names follow the MC146818A datasheet ("Address Map", "Registers A-D") and the
// IBM PC/AT Technical Reference's CMOS RAM map.

// ---- PC/AT ports ----

/** Index port (write): bits 6-0 select the RTC/CMOS byte, bit 7 masks NMI. */
export const RTC_PORT_INDEX = 0x70;
/** Data port: reads and writes the byte the index selects. */
export const RTC_PORT_DATA = 0x71;
/** Ports the device hooks, for tests and the fuzz. */
export const NVRAM_PORTS = [RTC_PORT_INDEX, RTC_PORT_DATA] as const;
/** The RTC's interrupt on the PC/AT (slave 8259A input 0). */
export const RTC_IRQ = 8;
/** Index port bit 7: NMI disable (a latch of the PC/AT's NMI logic, not of the RTC). */
export const INDEX_NMI_DISABLE = 0x80;
/** Index port bits 6-0: 128 bytes of RTC registers and CMOS RAM. */
export const INDEX_MASK = 0x7f;
/** First byte of general-purpose RAM (after the 14 clock and control bytes). */
export const CMOS_FIRST_RAM = 0x0e;
/** Bytes of the MC146818A's address space as the PC decodes it (14 clock bytes + RAM). */
export const CMOS_SIZE = 128;

// ---- Time, alarm and calendar bytes ----

/** Seconds 0-59. */
export const REG_SECONDS = 0x00;
/** Seconds alarm (0xC0-0xFF: don't care). */
export const REG_SECONDS_ALARM = 0x01;
/** Minutes 0-59. */
export const REG_MINUTES = 0x02;
/** Minutes alarm (0xC0-0xFF: don't care). */
export const REG_MINUTES_ALARM = 0x03;
/** Hours 0-23, or 1-12 with bit 7 = PM in 12-hour mode. */
export const REG_HOURS = 0x04;
/** Hours alarm (0xC0-0xFF: don't care). */
export const REG_HOURS_ALARM = 0x05;
/** Day of week 1-7, Sunday = 1. */
export const REG_DAY_OF_WEEK = 0x06;
/** Day of month 1-31. */
export const REG_DAY_OF_MONTH = 0x07;
/** Month 1-12. */
export const REG_MONTH = 0x08;
/** Year 0-99 (the century lives in CMOS RAM, byte 0x32). */
export const REG_YEAR = 0x09;
/** Register A: UIP, divider, rate select. */
export const REG_A = 0x0a;
/** Register B: SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE. */
export const REG_B = 0x0b;
/** Register C: interrupt flags, read-only, cleared by a read. */
export const REG_C = 0x0c;
/** Register D: VRT, read-only. */
export const REG_D = 0x0d;
/** Alarm values with both top bits set match any time ("don't care"). */
export const ALARM_DONT_CARE = 0xc0;
/** 12-hour mode: bit 7 of the hours byte is PM. */
export const HOURS_PM = 0x80;

// ---- Register A ----

/** UIP: update in progress, or due within tBUC (read-only). */
export const A_UIP = 0x80;
/** DV2-DV0: divider (time base) select. */
export const A_DV_MASK = 0x70;
/** DV = 000: 4.194304 MHz time base. */
export const A_DV_4MHZ = 0x00;
/** DV = 001: 1.048576 MHz time base. */
export const A_DV_1MHZ = 0x10;
/** DV = 010: 32.768 kHz time base, the PC's crystal. */
export const A_DV_32KHZ = 0x20;
/** DV = 110: divider chain held in reset. */
export const A_DV_RESET1 = 0x60;
/** DV = 111: divider chain held in reset. */
export const A_DV_RESET2 = 0x70;
/** RS3-RS0: periodic interrupt rate select (0 = none). */
export const A_RS_MASK = 0x0f;
/** Bits the guest can write (UIP is status). */
export const A_WRITABLE = 0x7f;

// ---- Register B ----

/** SET: inhibit updates so the time can be written. */
export const B_SET = 0x80;
/** PIE: periodic interrupt enable. */
export const B_PIE = 0x40;
/** AIE: alarm interrupt enable. */
export const B_AIE = 0x20;
/** UIE: update-ended interrupt enable. */
export const B_UIE = 0x10;
/** SQWE: square-wave output enable (the SQW pin is not wired on the PC). */
export const B_SQWE = 0x08;
/** DM: data mode, 1 = binary, 0 = BCD. */
export const B_DM_BINARY = 0x04;
/** 24/12: 1 = 24-hour mode. */
export const B_24H = 0x02;
/** DSE: daylight saving enable (the datasheet's April/October rule). */
export const B_DSE = 0x01;

// ---- Register C ----

/** IRQF: an enabled flag is set and IRQ is asserted. */
export const C_IRQF = 0x80;
/** PF: periodic interrupt flag. */
export const C_PF = 0x40;
/** AF: alarm flag. */
export const C_AF = 0x20;
/** UF: update-ended flag. */
export const C_UF = 0x10;

// ---- Register D ----

/** VRT: valid RAM and time (the battery is good). */
export const D_VRT = 0x80;

// ---- Timing (32.768 kHz time base) ----

/** The time base frequency on the PC. */
export const TIME_BASE_HZ = 32_768;
/** tBUC: UIP rises this long (8 time-base cycles, 244.14 µs) before each update. */
export const UIP_LEAD_NS = 244_141;
/** Leaving divider reset, the first update comes half a second later. */
export const FIRST_UPDATE_AFTER_RESET_NS = 500_000_000;

// ---- PC/AT CMOS RAM map ----

/** Diagnostic status byte (POST results). */
export const CMOS_DIAG_STATUS = 0x0e;
/** Shutdown status byte (why the BIOS was re-entered through reset). */
export const CMOS_SHUTDOWN_STATUS = 0x0f;
/** Floppy drive types: bits 7-4 drive A, 3-0 drive B (0 = none). */
export const CMOS_FLOPPY_TYPES = 0x10;
/** Hard disk types: bits 7-4 disk 0, 3-0 disk 1 (0 = none). */
export const CMOS_DISK_TYPES = 0x12;
/** Equipment byte: floppies, display, coprocessor. */
export const CMOS_EQUIPMENT = 0x14;
/** Equipment: a math coprocessor is present. */
export const EQUIPMENT_FPU = 0x02;
/** Base memory in KiB, low byte. */
export const CMOS_BASE_MEM_LO = 0x15;
/** Base memory in KiB, high byte. */
export const CMOS_BASE_MEM_HI = 0x16;
/** Extended memory above 1 MiB in KiB, low byte. */
export const CMOS_EXT_MEM_LO = 0x17;
/** Extended memory above 1 MiB in KiB, high byte. */
export const CMOS_EXT_MEM_HI = 0x18;
/** First byte covered by the checksum. */
export const CMOS_CHECKSUM_FIRST = 0x10;
/** Last byte covered by the checksum. */
export const CMOS_CHECKSUM_LAST = 0x2d;
/** Checksum of 0x10-0x2D, high byte. */
export const CMOS_CHECKSUM_HI = 0x2e;
/** Checksum of 0x10-0x2D, low byte. */
export const CMOS_CHECKSUM_LO = 0x2f;
/** Extended memory above 1 MiB in KiB as POST found it, low byte. */
export const CMOS_EXT_MEM_ACTUAL_LO = 0x30;
/** Extended memory above 1 MiB in KiB as POST found it, high byte. */
export const CMOS_EXT_MEM_ACTUAL_HI = 0x31;
/** Century, BCD. */
export const CMOS_CENTURY = 0x32;
/** Memory above 16 MiB in 64 KiB blocks, low byte (Bochs BIOS / SeaBIOS). */
export const CMOS_MEM_ABOVE_16M_LO = 0x34;
/** Memory above 16 MiB in 64 KiB blocks, high byte (Bochs BIOS / SeaBIOS). */
export const CMOS_MEM_ABOVE_16M_HI = 0x35;
/** Bochs BIOS: bits 7-4 third boot device, bit 0 = skip the floppy boot-signature check. */
export const CMOS_BOOT_THIRD = 0x38;
/** Bochs BIOS: bits 7-4 second boot device, bits 3-0 first boot device. */
export const CMOS_BOOT_FIRST_SECOND = 0x3d;
/** Memory above 4 GiB in 64 KiB blocks, bits 7-0 (Bochs BIOS / SeaBIOS). */
export const CMOS_MEM_ABOVE_4G_LO = 0x5b;
/** Memory above 4 GiB in 64 KiB blocks, bits 15-8. */
export const CMOS_MEM_ABOVE_4G_MID = 0x5c;
/** Memory above 4 GiB in 64 KiB blocks, bits 23-16. */
export const CMOS_MEM_ABOVE_4G_HI = 0x5d;

/** Bochs BIOS boot device codes, by the letter of `-boot`. */
export const BOOT_DEVICE_CODES = {
  /** Floppy. */
  a: 1,
  /** First hard disk. */
  c: 2,
  /** CD-ROM. */
  d: 3,
  /** Network (SeaBIOS). */
  n: 4,
} as const;
