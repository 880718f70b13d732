// Architectural constants shared by the CPU core and the instruction handlers.

/** Segment register numbers, in the encoding order of the ModRM reg field (SDM Vol. 2 §3.1.1.1). */
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;

/** General register numbers (encoding order). */
export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;

/** EFLAGS bits (SDM Vol. 1 §3.4.3). */
export const CF = 0x1; // carry
export const PF = 0x4; // parity of the low result byte
export const AF = 0x10; // auxiliary carry out of bit 3
export const ZF = 0x40; // zero
export const SF = 0x80; // sign
export const TF = 0x100; // single-step trap
export const IF = 0x200; // interrupt enable
export const DF = 0x400; // string direction
export const OF = 0x800; // signed overflow
export const IOPL = 0x3000; // I/O privilege level
export const NT = 0x4000; // nested task
export const RF = 0x10000; // resume
export const VM = 0x20000; // virtual-8086 mode
export const AC = 0x40000; // alignment check
export const ID = 0x200000; // CPUID available (toggleable)
/** The six arithmetic flags. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Bits software can change through POPF/IRET at CPL 0 (VIF/VIP stay 0: no VME). */
export const FLAGS_WRITABLE = ARITH | TF | IF | DF | IOPL | NT | RF | VM | AC | ID;

/** CR0 bits (SDM Vol. 3 §2.5). */
export const CR0_PE = 0x1;
export const CR0_MP = 0x2;
export const CR0_EM = 0x4;
export const CR0_TS = 0x8;
export const CR0_ET = 0x10;
export const CR0_NE = 0x20;
export const CR0_WP = 0x10000;
export const CR0_AM = 0x40000;
export const CR0_NW = 0x20000000;
export const CR0_CD = 0x40000000;
export const CR0_PG = 0x80000000 | 0;

/** CR4 bits we honour. */
export const CR4_TSD = 0x4; // RDTSC privileged
export const CR4_DE = 0x8;
export const CR4_PSE = 0x10; // 4 MiB pages
export const CR4_PAE = 0x20; // PAE paging (3 levels, 64-bit entries)
export const CR4_PGE = 0x80; // global pages (the TLB may flush them anyway)

/** Exception vectors (SDM Vol. 3 §6.3.1). */
export const X_DE = 0;
export const X_DB = 1;
export const X_BP = 3;
export const X_OF = 4;
export const X_BR = 5;
export const X_UD = 6;
export const X_NM = 7;
export const X_DF = 8;
export const X_TS = 10;
export const X_NP = 11;
export const X_SS = 12;
export const X_GP = 13;
export const X_PF = 14;
export const X_MF = 16;
export const X_AC = 17;

/** CPUID.1:EDX bits. */
export const FEAT_PAE = 0x40;
export const FEAT_SEP = 0x800;
/** Leaf 1 EDX bits this CPU implements: DE PSE TSC MSR PAE CX8 PGE CMOV. */
export const DEFAULT_FEATURES = 0x4 | 0x8 | 0x10 | 0x20 | FEAT_PAE | 0x100 | 0x2000 | 0x8000;
/** IA32_EFER (MSR 0xC0000080, present only with NX) and its NXE bit. */
export const MSR_EFER = 0xc0000080;
export const EFER_NXE = 0x800;
