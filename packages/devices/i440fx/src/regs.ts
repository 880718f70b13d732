// Configuration registers of the Intel 82441FX PCI and Memory Controller (PMC), the host bridge
// of the 440FX PCIset, at PCI 00:00.0. Names and reset values follow the 82441FX datasheet's
// register table ("PMC Configuration Space").

/** Intel. */
export const PMC_VENDOR_ID = 0x8086;
/** 82441FX. */
export const PMC_DEVICE_ID = 0x1237;
/** Revision ID of the stepping modelled. */
export const PMC_REVISION = 0x02;
/** Class code: bridge (06h), host bridge (00h), prog-if 00h. */
export const PMC_CLASS_CODE = 0x06_00_00;
/** The host bridge is device 0 on bus 0. */
export const PMC_SLOT = 0;

/** PCICMD at reset: memory access enable and bus master enable, both hardwired 1. */
export const PCICMD_RESET = 0x0006;
/** PCICMD writable bits: MWI enable (4), parity error response (6), SERR# enable (8). */
export const PCICMD_WRITABLE = 0x0150;
/** PCISTS at reset: DEVSEL medium (bits 10-9 = 01), fast back-to-back capable (bit 7). */
export const PCISTS_RESET = 0x0280;
/** PCISTS write-one-to-clear bits: DPE, SSE, RMAS, RTAS, STAS, DPD. */
export const PCISTS_CLEARABLE = 0xf900;
/** MLT: Master Latency Timer, bits 7-3 writable (8-clock granularity). */
export const MLT_WRITABLE = 0xf8;

// ---- Device-specific registers (0x40-0xFF) ----

/** PMCCFG: PMC Configuration (16 bits). */
export const PMCCFG = 0x50;
/** DETURBO: De-Turbo Counter Control. */
export const DETURBO = 0x52;
/** DBC: DRAM Buffer Control. */
export const DBC = 0x53;
/** AXC: Auxiliary Control. */
export const AXC = 0x54;
/** DRT: DRAM Row Type (16 bits, two bits per row). */
export const DRT = 0x55;
/** DRAMC: DRAM Control. */
export const DRAMC = 0x57;
/** DRAMT: DRAM Timing. */
export const DRAMT = 0x58;
/** PAM0: Programmable Attribute Map 0 (0xF0000-0xFFFFF in bits 5-4; bits 3-0 reserved). */
export const PAM0 = 0x59;
/** PAM6: the last PAM register. */
export const PAM6 = 0x5f;
/** DRB0: DRAM Row Boundary 0; DRB0-DRB7 are 0x60-0x67, in 8 MiB units, cumulative. */
export const DRB0 = 0x60;
/** DRAM rows the PMC decodes. */
export const DRB_COUNT = 8;
/** FDHC: Fixed DRAM Hole Control. */
export const FDHC = 0x68;
/** MTT: Multi-Transaction Timer. */
export const MTT = 0x70;
/** CLT: CPU Latency Timer. */
export const CLT = 0x71;
/** SMRAM: System Management RAM Control. */
export const SMRAM = 0x72;
/** ERRCMD: Error Command. */
export const ERRCMD = 0x90;
/** ERRSTS: Error Status (write one to clear). */
export const ERRSTS = 0x91;

// ---- PAM fields (two per register: bits 1-0 low segment, bits 5-4 high segment) ----

/** RE: reads of the segment go to DRAM (else to PCI: the BIOS ROM). */
export const PAM_RE = 0x1;
/** WE: writes of the segment go to DRAM (else to PCI). */
export const PAM_WE = 0x2;
/** Bits of PAM1-PAM6 that exist; 7-6 and 3-2 are reserved (cacheability is the CPU's MTRRs' job). */
export const PAM_WRITABLE = 0x33;
/** Bits of PAM0 that exist: only the high field (0xF0000-0xFFFFF). */
export const PAM0_WRITABLE = 0x30;
/** Size of the segments PAM1-PAM6 control. */
export const PAM_SEGMENT = 0x4000;
/** First segment of PAM1. */
export const PAM1_BASE = 0xc0000;
/** The BIOS segment of PAM0's high field. */
export const PAM0_BASE = 0xf0000;
/** Size of the BIOS segment. */
export const PAM0_SIZE = 0x10000;

// ---- FDHC ----

/** HEN (bits 7-6): 00 no hole, 01 512-640 KiB, 10 15-16 MiB. */
export const FDHC_HEN_MASK = 0xc0;

// ---- SMRAM ----

/** D_OPEN: SMRAM visible to non-SMM accesses. */
export const SMRAM_D_OPEN = 0x40;
/** D_CLS: data accesses to SMRAM go to the PCI side (code still from SMRAM). */
export const SMRAM_D_CLS = 0x20;
/** D_LCK: D_OPEN, D_LCK and G_SMRAME become read-only until reset; D_OPEN is cleared. */
export const SMRAM_D_LCK = 0x10;
/** G_SMRAME: SMRAM enabled. */
export const SMRAM_G_SMRAME = 0x08;
/** C_BASE_SEG (bits 2-0): hardwired 010, SMRAM at 0xA0000-0xBFFFF. */
export const SMRAM_C_BASE_SEG = 0x02;
/** The writable bits of SMRAM while unlocked. */
export const SMRAM_WRITABLE = 0x78;
