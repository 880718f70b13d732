// Ports, clock and bit names of the PC's 8254 and its port 0x61 (NMI status and control).
// Names follow the Intel 8254 datasheet (control word, read-back command, status byte).

/** Counter 0 data port (IRQ 0 on the PC). */
export const PIT_CH0 = 0x40;
/** Counter 1 data port (DRAM refresh on the original PC). */
export const PIT_CH1 = 0x41;
/** Counter 2 data port (speaker; gate and OUT visible at port 0x61). */
export const PIT_CH2 = 0x42;
/** Control word register (write only). */
export const PIT_CTRL = 0x43;
/** NMI status and control (the AT's port B). */
export const PIT_PORT_B = 0x61;
/** Every port the device hooks, for tests and fuzzing. */
export const PIT_PORTS: readonly number[] = [PIT_CH0, PIT_CH1, PIT_CH2, PIT_CTRL, PIT_PORT_B];

/** CLK input of all three counters: 1.193182 MHz (the PC's 14.31818 MHz crystal / 12). */
export const PIT_HZ = 1_193_182;
/** Port 0x61 bit 4 toggles once per DRAM refresh request: every 15.085 us. */
export const REFRESH_PERIOD_NS = 15_085;

/** Control word SC1-SC0: the counter selected (3 = read-back command). */
export const CW_SC_SHIFT = 6;
/** SC = 11: read-back command. */
export const CW_SC_READBACK = 3;
/** Control word RW1-RW0: access mode (00 = counter latch command). */
export const CW_RW_SHIFT = 4;
/** RW = 00: counter latch command. */
export const RW_LATCH = 0;
/** RW = 01: read/write the least significant byte only. */
export const RW_LSB = 1;
/** RW = 10: read/write the most significant byte only. */
export const RW_MSB = 2;
/** RW = 11: least significant byte first, then most significant byte. */
export const RW_LSB_MSB = 3;
/** Control word M2-M1-M0: the counter mode. */
export const CW_MODE_SHIFT = 1;
/** Control word BCD: binary-coded decimal counting (4 decades). */
export const CW_BCD = 0x01;

/** Read-back COUNT (active low): latch the count of the selected counters. */
export const RB_COUNT_N = 0x20;
/** Read-back STATUS (active low): latch the status of the selected counters. */
export const RB_STATUS_N = 0x10;
/** Read-back CNT2/CNT1/CNT0: counter select bits D3-D1. */
export const RB_CNT_SHIFT = 1;
/** Read-back D0: reserved, must be zero. */
export const RB_RESERVED = 0x01;

/** Status byte OUTPUT: the level of the OUT pin. */
export const ST_OUTPUT = 0x80;
/** Status byte NULL COUNT: the last count written has not reached the counting element yet. */
export const ST_NULL_COUNT = 0x40;

/** Port 0x61 bit 0: GATE2, the gate input of counter 2 (read/write). */
export const PB_GATE2 = 0x01;
/** Port 0x61 bit 1: SPKR DATA, speaker data enable (read/write). */
export const PB_SPKR_DATA = 0x02;
/** Port 0x61 bit 2: parity check (PCK) NMI disable, active high (read/write). */
export const PB_PCK_DIS = 0x04;
/** Port 0x61 bit 3: I/O channel check (IOCHK) NMI disable (read/write). */
export const PB_IOCHK_DIS = 0x08;
/** Port 0x61 bit 4: REFRESH toggle (read only). */
export const PB_REFRESH = 0x10;
/** Port 0x61 bit 5: OUT2, counter 2's output (read only). */
export const PB_OUT2 = 0x20;
/** Port 0x61 bits 0-3: the writable part. */
export const PB_WRITABLE = 0x0f;
