// Ports and bit names of the PC's 8259A pair and its edge/level control registers (ELCR).
// Bit names follow the Intel 8259A datasheet (ICW1-ICW4, OCW1-OCW3) and the PIIX ELCR.

/** Master 8259A, A0=0: ICW1, OCW2, OCW3; reads IRR, ISR or the poll word. */
export const PIC_MASTER_CMD = 0x20;
/** Master 8259A, A0=1: ICW2-ICW4, OCW1 (IMR). */
export const PIC_MASTER_DATA = 0x21;
/** Slave 8259A, A0=0. */
export const PIC_SLAVE_CMD = 0xa0;
/** Slave 8259A, A0=1. */
export const PIC_SLAVE_DATA = 0xa1;
/** ELCR1: edge/level control for IRQ0-7 (1 = level). */
export const PIC_ELCR1 = 0x4d0;
/** ELCR2: edge/level control for IRQ8-15 (1 = level). */
export const PIC_ELCR2 = 0x4d1;

/** Every port the device hooks, for tests and fuzzing. */
export const PIC_PORTS: readonly number[] = [PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD, PIC_SLAVE_DATA, PIC_ELCR1, PIC_ELCR2];

/** The master input the slave's INT output is wired to on the PC. */
export const CASCADE_IR = 2;
/** The ISA line an "IRQ2" device really lands on (AT wiring: IRQ2 is redirected to IRQ9). */
export const IRQ2_REDIRECT = 9;
/** ELCR1 bits that are forced to edge (IRQ0 timer, IRQ1 keyboard, IRQ2 cascade). */
export const ELCR1_FORCED_EDGE = 0x07;
/** ELCR2 bits that are forced to edge (IRQ8 RTC, IRQ13 FPU error). */
export const ELCR2_FORCED_EDGE = 0x21;

/** ICW1/OCW selector on A0=0: D4=1 means ICW1. */
export const ICW1_SELECT = 0x10;
/** ICW1 IC4: an ICW4 follows. */
export const ICW1_IC4 = 0x01;
/** ICW1 SNGL: single 8259A, no ICW3. */
export const ICW1_SNGL = 0x02;
/** ICW1 ADI: call address interval 4 (MCS-80/85 only). */
export const ICW1_ADI = 0x04;
/** ICW1 LTIM: level-triggered inputs. */
export const ICW1_LTIM = 0x08;

/** ICW2 T7-T3: the vector base in 8086 mode (low three bits come from the IR level). */
export const ICW2_VECTOR_MASK = 0xf8;
/** ICW3 on a slave: ID2-ID0, its cascade address. */
export const ICW3_SLAVE_ID = 0x07;

/** ICW4 uPM: 1 = 8086/8088 mode, 0 = MCS-80/85 mode. */
export const ICW4_UPM = 0x01;
/** ICW4 AEOI: automatic end of interrupt. */
export const ICW4_AEOI = 0x02;
/** ICW4 M/S: master (1) or slave (0), meaningful in buffered mode only. */
export const ICW4_MS = 0x04;
/** ICW4 BUF: buffered mode (SP/EN becomes a buffer enable output). */
export const ICW4_BUF = 0x08;
/** ICW4 SFNM: special fully nested mode. */
export const ICW4_SFNM = 0x10;
/** ICW4 D7-D5: must be zero. */
export const ICW4_RESERVED = 0xe0;

/** OCW3 selector on A0=0: D4=0, D3=1 means OCW3 (D4=0, D3=0 is OCW2). */
export const OCW3_SELECT = 0x08;
/** OCW2 R SL EOI: the command field (D7-D5). */
export const OCW2_CMD_MASK = 0xe0;
/** OCW2 L2-L0: the IR level a specific command acts on. */
export const OCW2_LEVEL_MASK = 0x07;
/** OCW2 001: non-specific EOI. */
export const OCW2_EOI = 0x20;
/** OCW2 011: specific EOI. */
export const OCW2_SPECIFIC_EOI = 0x60;
/** OCW2 101: rotate on non-specific EOI. */
export const OCW2_ROTATE_EOI = 0xa0;
/** OCW2 100: rotate in automatic EOI mode (set). */
export const OCW2_ROTATE_AEOI_SET = 0x80;
/** OCW2 000: rotate in automatic EOI mode (clear). */
export const OCW2_ROTATE_AEOI_CLEAR = 0x00;
/** OCW2 111: rotate on specific EOI. */
export const OCW2_ROTATE_SPECIFIC_EOI = 0xe0;
/** OCW2 110: set priority (L2-L0 becomes the lowest priority). */
export const OCW2_SET_PRIORITY = 0xc0;
/** OCW2 010: no operation. */
export const OCW2_NOP = 0x40;

/** OCW3 RIS: read ISR (1) or IRR (0) on the next A0=0 read, when RR is set. */
export const OCW3_RIS = 0x01;
/** OCW3 RR: act on RIS. */
export const OCW3_RR = 0x02;
/** OCW3 P: poll command. */
export const OCW3_P = 0x04;
/** OCW3 SMM: special mask mode on (1) or off (0), when ESMM is set. */
export const OCW3_SMM = 0x20;
/** OCW3 ESMM: act on SMM. */
export const OCW3_ESMM = 0x40;
/** OCW3 D7: must be zero. */
export const OCW3_RESERVED = 0x80;

/** Poll word I: an interrupt was pending (W2-W0 hold its level). */
export const POLL_INT = 0x80;
/** The IR level the chip answers with when a request vanished before INTA. */
export const SPURIOUS_IR = 7;
