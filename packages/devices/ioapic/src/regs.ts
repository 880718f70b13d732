/*
 * Intel 82093AA I/O Advanced Programmable Interrupt Controller (IOAPIC) registers, with the
 * datasheet's names (order number 290566-001, section 3).
 */

/** The usual base, 0xFEC00000 (the 82093AA decodes 0xFEC0xy00 per its APICSEL pins). */
export const IOAPIC_DEFAULT_BASE = 0xfec00000;
/** The size we hook: one 4 KiB page (the VMM hooks memory by pages). */
export const IOAPIC_MMIO_SIZE = 0x1000;

// Memory-mapped registers (datasheet 3.0, table 1).
/** I/O Register Select: bits 7:0 name the register IOWIN reaches. */
export const IOREGSEL = 0x00;
/** I/O Window: reads and writes the register IOREGSEL names. */
export const IOWIN = 0x10;
/** Writable bits of IOREGSEL (31:8 reserved). */
export const IOREGSEL_WRITABLE = 0xff;

// Indirect registers (datasheet 3.2, table 2).
/** IOAPICID, IOAPIC identification (bits 27:24). */
export const IOAPICID = 0x00;
/** IOAPICVER, version and maximum redirection entry (read only). */
export const IOAPICVER = 0x01;
/** IOAPICARB, arbitration ID (bits 27:24, read only). */
export const IOAPICARB = 0x02;
/** IOREDTBL0, the first redirection table entry's low dword; entry n is at 0x10 + 2n (low), 0x11 + 2n (high). */
export const IOREDTBL = 0x10;

/** Number of redirection entries (interrupt input pins INTIN0-23). */
export const IOAPIC_PINS = 24;
/** IOAPICVER: version 0x11 (the 82093AA), Maximum Redirection Entry 0x17 (24 entries). */
export const IOAPIC_VERSION_VALUE = 0x00170011;
/** Writable bits of IOAPICID (bits 27:24, the APIC ID). */
export const IOAPICID_WRITABLE = 0x0f000000;

// Redirection table entry, low dword (datasheet 3.2.4).
/** INTVEC, bits 7:0: the vector, 0x10-0xFE. */
export const RTE_VECTOR = 0xff;
/** DELMOD, bits 10:8: delivery mode. */
export const RTE_DELMOD = 0x700;
/** DESTMOD, bit 11: 0 physical, 1 logical. */
export const RTE_DESTMOD_LOGICAL = 1 << 11;
/** DELIVS, bit 12 (read only): 1 = send pending; always 0 here, delivery is immediate. */
export const RTE_DELIVS = 1 << 12;
/** INTPOL, bit 13: 0 high active, 1 low active. */
export const RTE_INTPOL_LOW = 1 << 13;
/** Remote IRR, bit 14 (read only): a level interrupt was accepted and awaits its EOI. */
export const RTE_REMOTE_IRR = 1 << 14;
/** Trigger Mode, bit 15: 1 level, 0 edge. */
export const RTE_TRIGGER_LEVEL = 1 << 15;
/** Interrupt Mask, bit 16: 1 masked. */
export const RTE_MASK = 1 << 16;
/** The bits of the low dword software may write. */
export const RTE_LOW_WRITABLE = RTE_VECTOR | RTE_DELMOD | RTE_DESTMOD_LOGICAL | RTE_INTPOL_LOW | RTE_TRIGGER_LEVEL | RTE_MASK;
/** The bits of the high dword software may write: the Destination Field, bits 63:56. */
export const RTE_HIGH_WRITABLE = 0xff000000;
/** Low dword of an entry after reset: masked (the other fields are undefined; we use 0). */
export const RTE_LOW_RESET = RTE_MASK;

// Delivery modes (datasheet 3.2.4, DELMOD).
/** Fixed: to every processor the destination names. */
export const DELMOD_FIXED = 0;
/** Lowest Priority: to the lowest-priority processor among those named. */
export const DELMOD_LOWEST = 1;
/** SMI (edge; the vector is ignored). */
export const DELMOD_SMI = 2;
/** NMI (edge; the vector is ignored). */
export const DELMOD_NMI = 4;
/** INIT. */
export const DELMOD_INIT = 5;
/** ExtINT: an 8259A-compatible controller supplies the vector. */
export const DELMOD_EXTINT = 7;

/** Names of the delivery modes, for messages. */
export const DELMOD_NAMES = ['fixed', 'lowest priority', 'SMI', 'reserved (011)', 'NMI', 'INIT', 'reserved (110)', 'ExtINT'] as const;
