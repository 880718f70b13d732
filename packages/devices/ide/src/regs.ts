/** Legacy command block base of the primary channel (data register). */
export const PRIMARY_CMD = 0x1f0;
/** Primary channel's Device Control / Alternate Status register. */
export const PRIMARY_CTL = 0x3f6;
/** Legacy command block base of the secondary channel. */
export const SECONDARY_CMD = 0x170;
/** Secondary channel's Device Control / Alternate Status register. */
export const SECONDARY_CTL = 0x376;
/** ISA IRQ of the primary channel in compatibility mode. */
export const PRIMARY_IRQ = 14;
/** ISA IRQ of the secondary channel. */
export const SECONDARY_IRQ = 15;

/** PCI identity of the 82371SB IDE function (datasheet 2.3). */
export const IDE_VENDOR_ID = 0x8086;
export const IDE_DEVICE_ID = 0x7010;
/** Mass storage, IDE, programming interface 0x80: bus master capable, both channels in compatibility mode. */
export const IDE_CLASS_CODE = 0x010180;
export const IDE_REVISION = 0x00;
/** Slot of the PIIX3 (00:01), function 1. */
export const IDE_SLOT = 1;
export const IDE_FN = 1;
/** BMIBA, the bus master interface base address, is BAR4 (0x20). */
export const BMIBA_BAR = 4;
/** Bytes the bus master BAR decodes. */
export const BMIBA_SIZE = 16;

/** PCICMD: I/O space enable and bus master enable are the writable bits. */
export const PCICMD_WRITABLE = 0x0005;
/** PCISTS at reset: fast back-to-back capable, DEVSEL medium. */
export const PCISTS_RESET = 0x0280;
/** PCISTS bits the guest clears by writing 1: master abort, received target abort, signaled target abort. */
export const PCISTS_CLEARABLE = 0x3800;
/** MLT: the master latency timer's writable bits (7-4). */
export const MLT_WRITABLE = 0xf0;
/** IDETIM (0x40-0x43) reset: IDE decode enable set on both channels (see README). */
export const IDETIM_RESET = 0x8000;
/** First and last byte of the timing registers kept (IDETIM primary/secondary, SIDETIM). */
export const TIMING_FIRST = 0x40;
export const TIMING_LAST = 0x44;

// ATA status register bits (ATA/ATAPI-6 7.15.6).
/** Busy. */
export const BSY = 0x80;
/** Device ready. */
export const DRDY = 0x40;
/** Device fault. */
export const DF = 0x20;
/** Device seek complete (obsolete; ATAPI: service). */
export const DSC = 0x10;
/** Data request. */
export const DRQ = 0x08;
/** Error. */
export const ERR = 0x01;

// Error register bits.
/** Command aborted. */
export const ABRT = 0x04;
/** ID not found (address out of range). */
export const IDNF = 0x10;

// Device Control register bits.
/** Interrupts disabled. */
export const NIEN = 0x02;
/** Software reset. */
export const SRST = 0x04;
/** High order byte of the 48-bit registers on reads. */
export const HOB = 0x80;

// Device/Head register.
/** DEV: device 1 selected. */
export const DEV = 0x10;
/** LBA addressing. */
export const LBA = 0x40;

// ATAPI interrupt reason (sector count register).
/** Command or data: 1 = command packet / status. */
export const IR_COD = 0x01;
/** Direction: 1 = to the host. */
export const IR_IO = 0x02;

// Bus master IDE registers (82371SB 2.7), per channel at +0 (primary) and +8 (secondary).
/** BMICX: command. */
export const BMIC = 0;
/** BMISX: status. */
export const BMIS = 2;
/** BMIDTPX: descriptor table pointer. */
export const BMIDTP = 4;
/** BMICX bit 0: start/stop bus master. */
export const BM_START = 0x01;
/** BMICX bit 3: 1 = bus master writes memory (device-to-memory transfer). */
export const BM_WRITE = 0x08;
/** BMISX bit 0: bus master active. */
export const BM_ACTIVE = 0x01;
/** BMISX bit 1: error (write one to clear). */
export const BM_ERROR = 0x02;
/** BMISX bit 2: interrupt (write one to clear). */
export const BM_INTR = 0x04;
/** BMISX bits 5-6: drive 0/1 DMA capable (read/write). */
export const BM_CAPABLE = 0x60;

/** Disk sector size. */
export const ATA_SECTOR = 512;
/** CD-ROM block size. */
export const CD_BLOCK = 2048;
/** Largest READ/WRITE MULTIPLE block we accept (IDENTIFY word 47). */
export const MAX_MULTIPLE = 16;
