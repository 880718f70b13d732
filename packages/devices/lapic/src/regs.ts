/*
 * Local APIC register offsets and bits, with the names of the Intel SDM Vol. 3A, chapter 10
 * ("Advanced Programmable Interrupt Controller"), table 10-1 "Local APIC Register Address Map".
 * Offsets are from the APIC base (IA32_APIC_BASE[35:12]); every register is 32 bits wide and sits
 * on a 16-byte boundary.
 */

/** CPUID.01H:EDX bit 9: the processor has an on-chip APIC, enabled (SDM 10.4.2, 10.4.3). */
export const CPUID_01_EDX_APIC = 1 << 9;

/** IA32_APIC_BASE, the MSR that relocates and enables the local APIC (SDM 10.4.4). */
export const MSR_IA32_APIC_BASE = 0x1b;
/** IA32_APIC_BASE bit 8: this processor is the bootstrap processor (BSP). */
export const APIC_BASE_BSP = 1n << 8n;
/** IA32_APIC_BASE bit 10: x2APIC mode (EXTD); not implemented, fails stop. */
export const APIC_BASE_EXTD = 1n << 10n;
/** IA32_APIC_BASE bit 11: APIC global enable. */
export const APIC_BASE_ENABLE = 1n << 11n;
/** IA32_APIC_BASE bits 12-35: the base (36-bit physical address, 4 KiB aligned, P6/Pentium 4). */
export const APIC_BASE_ADDR_MASK = 0xffffff000n;
/** The bits of IA32_APIC_BASE a WRMSR may set; any other set bit is reserved (#GP on hardware). */
export const APIC_BASE_WRITABLE = APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_ENABLE | APIC_BASE_ADDR_MASK;
/** The power-up base, 0xFEE00000. */
export const APIC_DEFAULT_BASE = 0xfee00000;
/** The size of the register page. */
export const APIC_MMIO_SIZE = 0x1000;

// Register offsets (SDM table 10-1).
/** Local APIC ID Register (read/write). */
export const APIC_ID = 0x020;
/** Local APIC Version Register (read only). */
export const APIC_VERSION = 0x030;
/** Task Priority Register (TPR). */
export const APIC_TPR = 0x080;
/** Arbitration Priority Register (APR), read only. */
export const APIC_APR = 0x090;
/** Processor Priority Register (PPR), read only. */
export const APIC_PPR = 0x0a0;
/** EOI Register, write only. */
export const APIC_EOI = 0x0b0;
/** Remote Read Register (RRD), read only. */
export const APIC_RRD = 0x0c0;
/** Logical Destination Register (LDR). */
export const APIC_LDR = 0x0d0;
/** Destination Format Register (DFR). */
export const APIC_DFR = 0x0e0;
/** Spurious Interrupt Vector Register (SVR). */
export const APIC_SVR = 0x0f0;
/** In-Service Register (ISR), bits 31:0; seven more words follow every 0x10. */
export const APIC_ISR = 0x100;
/** Trigger Mode Register (TMR), bits 31:0; seven more words follow every 0x10. */
export const APIC_TMR = 0x180;
/** Interrupt Request Register (IRR), bits 31:0; seven more words follow every 0x10. */
export const APIC_IRR = 0x200;
/** Error Status Register (ESR). */
export const APIC_ESR = 0x280;
/** Interrupt Command Register (ICR), bits 0-31. */
export const APIC_ICR_LOW = 0x300;
/** Interrupt Command Register (ICR), bits 32-63. */
export const APIC_ICR_HIGH = 0x310;
/** LVT Timer Register. */
export const APIC_LVT_TIMER = 0x320;
/** LVT Thermal Sensor Register. */
export const APIC_LVT_THERMAL = 0x330;
/** LVT Performance Monitoring Counters Register. */
export const APIC_LVT_PERF = 0x340;
/** LVT LINT0 Register. */
export const APIC_LVT_LINT0 = 0x350;
/** LVT LINT1 Register. */
export const APIC_LVT_LINT1 = 0x360;
/** LVT Error Register. */
export const APIC_LVT_ERROR = 0x370;
/** Initial Count Register (for the timer). */
export const APIC_TIMER_ICR = 0x380;
/** Current Count Register (for the timer), read only. */
export const APIC_TIMER_CCR = 0x390;
/** Divide Configuration Register (for the timer). */
export const APIC_TIMER_DCR = 0x3e0;

/**
 * The version register we report: version 0x14 (an integrated xAPIC, as on the Pentium 4, the
 * first value Linux's `modern_apic()` accepts) and Max LVT Entry 5 (six LVT entries: timer,
 * thermal, performance counters, LINT0, LINT1, error). Bit 24 (EOI-broadcast suppression) is 0.
 * A P6-family part proper reports 0x0003001x (four LVT entries); see the README.
 */
export const APIC_VERSION_VALUE = 0x00050014;

/** The LVT registers in register order, index = (offset - 0x320) / 0x10. */
export const LVT_OFFSETS = [APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR] as const;
/** Index of the timer entry in the LVT array. */
export const LVT_TIMER = 0;
/** Index of the thermal sensor entry. */
export const LVT_THERMAL = 1;
/** Index of the performance counter entry. */
export const LVT_PERF = 2;
/** Index of the LINT0 entry. */
export const LVT_LINT0 = 3;
/** Index of the LINT1 entry. */
export const LVT_LINT1 = 4;
/** Index of the error entry. */
export const LVT_ERROR = 5;

// LVT bits (SDM figure 10-8 "Local Vector Table (LVT)").
/** Vector, bits 0-7. */
export const LVT_VECTOR = 0xff;
/** Delivery Mode, bits 8-10 (LINT0/LINT1, thermal, performance). */
export const LVT_DELIVERY_MODE = 0x700;
/** Delivery Status, bit 12 (read only; 0 = idle, always so here). */
export const LVT_DELIVERY_STATUS = 1 << 12;
/** Interrupt Input Pin Polarity, bit 13 (LINT0/LINT1). */
export const LVT_POLARITY = 1 << 13;
/** Remote IRR flag, bit 14 (LINT0/LINT1, read only). */
export const LVT_REMOTE_IRR = 1 << 14;
/** Trigger Mode, bit 15 (LINT0/LINT1): 1 = level. */
export const LVT_TRIGGER_LEVEL = 1 << 15;
/** Mask, bit 16: 1 = interrupt inhibited. */
export const LVT_MASKED = 1 << 16;
/** Timer Mode, bits 17-18: 00 one-shot, 01 periodic, 10 TSC-deadline. */
export const LVT_TIMER_MODE = 3 << 17;
/** Timer mode value: one-shot. */
export const TIMER_ONE_SHOT = 0 << 17;
/** Timer mode value: periodic. */
export const TIMER_PERIODIC = 1 << 17;
/** Timer mode value: TSC-deadline (not implemented: fails stop). */
export const TIMER_TSC_DEADLINE = 2 << 17;

/** Writable bits of each LVT entry, by LVT index (SDM figure 10-8). */
export const LVT_WRITABLE = [
  LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE, // timer
  LVT_VECTOR | LVT_DELIVERY_MODE | LVT_MASKED, // thermal
  LVT_VECTOR | LVT_DELIVERY_MODE | LVT_MASKED, // performance counters
  LVT_VECTOR | LVT_DELIVERY_MODE | LVT_POLARITY | LVT_TRIGGER_LEVEL | LVT_MASKED, // LINT0
  LVT_VECTOR | LVT_DELIVERY_MODE | LVT_POLARITY | LVT_TRIGGER_LEVEL | LVT_MASKED, // LINT1
  LVT_VECTOR | LVT_MASKED, // error
] as const;

// Delivery modes (SDM 10.5.1 for the LVT, 10.6.1 for the ICR; also the IO-APIC's encoding).
/** Fixed: deliver the vector. */
export const DM_FIXED = 0;
/** Lowest priority (ICR and IO-APIC only). */
export const DM_LOWEST = 1;
/** SMI. */
export const DM_SMI = 2;
/** NMI. */
export const DM_NMI = 4;
/** INIT. */
export const DM_INIT = 5;
/** Start-up (SIPI; ICR only). */
export const DM_STARTUP = 6;
/** ExtINT: the external 8259A supplies the vector (LINT0, IO-APIC). */
export const DM_EXTINT = 7;

// Spurious Interrupt Vector Register (SDM figure 10-23).
/** Spurious vector, bits 0-7 (all writable on the Pentium 4 and later). */
export const SVR_VECTOR = 0xff;
/** APIC Software Enable/Disable, bit 8. */
export const SVR_APIC_ENABLED = 1 << 8;
/** Focus Processor Checking, bit 9 (1 = disabled); stored, meaningless with one core. */
export const SVR_FOCUS_DISABLED = 1 << 9;
/** Writable bits of the SVR (bit 12, EOI-broadcast suppression, is reserved: version bit 24 = 0). */
export const SVR_WRITABLE = SVR_VECTOR | SVR_APIC_ENABLED | SVR_FOCUS_DISABLED;
/** SVR after power-up or reset: vector 0xFF, software disabled. */
export const SVR_RESET = 0xff;

// Error Status Register (SDM figure 10-9; Pentium 4 and later bits).
/** Send Illegal Vector, bit 5: an IPI with a vector 0-15 was not sent. */
export const ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
/** Receive Illegal Vector, bit 6: an interrupt with a vector 0-15 was not accepted. */
export const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;

// Destination Format Register (SDM figure 10-14).
/** Model, bits 28-31: 1111 flat, 0000 cluster. The other bits read as 1. */
export const DFR_MODEL = 0xf0000000;
/** The flat model. */
export const DFR_FLAT = 0xf0000000;
/** The cluster model. */
export const DFR_CLUSTER = 0x00000000;
/** DFR after reset: flat model. */
export const DFR_RESET = 0xffffffff;

// Interrupt Command Register (SDM figure 10-12).
/** Vector, bits 0-7. */
export const ICR_VECTOR = 0xff;
/** Delivery Mode, bits 8-10. */
export const ICR_DELIVERY_MODE = 0x700;
/** Destination Mode, bit 11: 1 = logical. */
export const ICR_DEST_LOGICAL = 1 << 11;
/** Delivery Status, bit 12 (read only; 1 = send pending, never so here). */
export const ICR_DELIVERY_STATUS = 1 << 12;
/** Level, bit 14: 0 = de-assert (only meaningful for INIT). */
export const ICR_LEVEL_ASSERT = 1 << 14;
/** Trigger Mode, bit 15: 1 = level. */
export const ICR_TRIGGER_LEVEL = 1 << 15;
/** Destination Shorthand, bits 18-19. */
export const ICR_SHORTHAND = 3 << 18;
/** Shorthand: none, use the destination field. */
export const SH_NONE = 0;
/** Shorthand: self. */
export const SH_SELF = 1;
/** Shorthand: all including self. */
export const SH_ALL_INCLUDING_SELF = 2;
/** Shorthand: all excluding self. */
export const SH_ALL_EXCLUDING_SELF = 3;
/** Writable bits of ICR low. */
export const ICR_LOW_WRITABLE = ICR_VECTOR | ICR_DELIVERY_MODE | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL | ICR_SHORTHAND;
/** Writable bits of ICR high: Destination Field, bits 56-63. */
export const ICR_HIGH_WRITABLE = 0xff000000;

/** Writable bits of the ID register (xAPIC: bits 24-31). */
export const ID_WRITABLE = 0xff000000;
/** Writable bits of the LDR (Logical APIC ID, bits 24-31). */
export const LDR_WRITABLE = 0xff000000;
/** Writable bits of the TPR (Task Priority, bits 0-7). */
export const TPR_WRITABLE = 0xff;
/** Writable bits of the Divide Configuration Register: bits 0, 1 and 3. */
export const DCR_WRITABLE = 0xb;

/** The destination that addresses every local APIC, in physical and in logical mode (xAPIC). */
export const DEST_BROADCAST = 0xff;

/**
 * The simulated APIC bus/core crystal clock: 100 MHz, so one timer tick before division is
 * exactly 10 ns of guest time. Linux measures it against the PIT at boot and uses what it finds.
 */
export const APIC_BUS_HZ = 100_000_000;
/** Nanoseconds per bus clock. */
export const NS_PER_BUS_CLOCK = 1_000_000_000 / APIC_BUS_HZ;

/** The divide value of a Divide Configuration Register (SDM figure 10-10). */
export function divideBy(dcr: number): number {
  const code = ((dcr >> 1) & 4) | (dcr & 3);
  // Codes 000-110 divide by 2, 4, ..., 128; 111 divides by 1.
  return code === 7 ? 1 : 2 << code;
}
