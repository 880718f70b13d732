// Registers of the Intel 82371SB PIIX3, function 0 (the PCI-to-ISA bridge), at PCI 00:01.0, and
// its reset control register in I/O space. Names and reset values follow the 82371SB datasheet
// ("PCI to ISA Bridge Configuration Registers" and "RC—Reset Control Register").

/** Intel. */
export const PIIX3_VENDOR_ID = 0x8086;
/** 82371SB function 0 (PCI-to-ISA bridge). */
export const PIIX3_DEVICE_ID = 0x7000;
/** Revision ID modelled. */
export const PIIX3_REVISION = 0x00;
/** Class code: bridge (06h), PCI-to-ISA (01h), prog-if 00h. */
export const PIIX3_CLASS_CODE = 0x06_01_00;
/** The PIIX3 is device 1 on bus 0 of a 440FX board. */
export const PIIX3_SLOT = 1;

/** PCICMD at reset: I/O space, memory space and bus master enables, hardwired 1. */
export const PCICMD_RESET = 0x0007;
/** PCICMD writable bits: special cycle enable (3), SERR# enable (8). */
export const PCICMD_WRITABLE = 0x0108;
/** PCISTS at reset: DEVSEL medium. */
export const PCISTS_RESET = 0x0200;
/** PCISTS write-one-to-clear bits: SSE, RMA, RTA, STA. */
export const PCISTS_CLEARABLE = 0x7800;

// ---- Device-specific registers (0x40-0xFF) ----

/** IORT: ISA I/O Recovery Timer. */
export const IORT = 0x4c;
/** XBCS: X-Bus Chip Select (16 bits). */
export const XBCS = 0x4e;
/** PIRQRCA: PIRQ Route Control A; B-D follow at 0x61-0x63. */
export const PIRQRC = 0x60;
/** TOM: Top of Memory. */
export const TOM = 0x69;
/** MSTAT: Miscellaneous Status (16 bits). */
export const MSTAT = 0x6a;
/** MBIRQ0: Motherboard Device IRQ Route Control 0. */
export const MBIRQ0 = 0x70;
/** MBDMA0: Motherboard Device DMA Control 0; MBDMA1 at 0x77. */
export const MBDMA0 = 0x76;
/** PCSC: Programmable Chip Select Control (16 bits). */
export const PCSC = 0x78;
/** APICBASE: APIC Base Address Relocation. */
export const APICBASE = 0x80;
/** DLC: Deterministic Latency Control (Linux sets Passive Release, bit 1, on 440FX boards). */
export const DLC = 0x82;
/** SMICNTL: SMI Control. */
export const SMICNTL = 0xa0;
/** SMIEN: SMI Enable (16 bits). */
export const SMIEN = 0xa2;
/** SEE: System Event Enable (32 bits). */
export const SEE = 0xa4;
/** FTMR: Fast Off Timer. */
export const FTMR = 0xa8;
/** SMIREQ: SMI Request (16 bits). */
export const SMIREQ = 0xaa;
/** CTLTMR: Clock Scale STPCLK# Low Timer. */
export const CTLTMR = 0xac;
/** CTHTMR: Clock Scale STPCLK# High Timer. */
export const CTHTMR = 0xae;

// ---- PIRQRC[A:D] ----

/** IRQROUTEEN, active low: 1 = PIRQx# is not routed to any ISA IRQ. */
export const PIRQRC_DISABLE = 0x80;
/** IRQ number the PIRQ is routed to (bits 3-0). */
export const PIRQRC_IRQ_MASK = 0x0f;
/** Writable bits: 7 and 3-0; 6-4 are reserved. */
export const PIRQRC_WRITABLE = 0x8f;
/** ISA IRQs a PIRQ may be steered to: 3-7, 9-12, 14, 15 (0-2, 8 and 13 are reserved codes). */
export const PIRQ_VALID_IRQS: readonly number[] = [3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15];

// ---- RC, I/O port 0xCF9 ----

/** The reset control register's port (byte access only). */
export const RC_PORT = 0xcf9;
/** SRST: the reset RCPU starts is a hard reset (1) or a soft reset, INIT only (0). */
export const RC_SRST = 0x02;
/** RCPU: a 0-to-1 transition resets the CPU (the kind SRST says). */
export const RC_RCPU = 0x04;
/** Bits the register keeps: only SRST (RCPU reads back 0; the rest is reserved). */
export const RC_STORED = RC_SRST;
