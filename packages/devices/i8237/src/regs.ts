// Ports and bit names of the PC/AT's two cascaded Intel 8237A DMA controllers and its 74LS612
// page registers. Names follow the 8237A datasheet (command, mode, request, mask, status) and the
// IBM PC/AT technical reference (I/O address map, page register assignment).

/** DMA1 (8-bit channels 0-3): first port; registers on consecutive ports 0x00-0x0F. */
export const DMA1_BASE = 0x00;
/** DMA2 (16-bit channels 4-7): first port; register n at 0xC0 + 2n, 0xC0-0xDF. */
export const DMA2_BASE = 0xc0;
/** Ports DMA2 spans (16 registers, two ports each: A0 is not decoded, so odd ports alias). */
export const DMA2_SPAN = 0x20;
/** The 16 page register bytes of the 74LS612 live at 0x80-0x8F. */
export const PAGE_BASE = 0x80;
/** Page register bytes. */
export const PAGE_COUNT = 16;
/** The POST code port: a page register byte on the AT, hooked only with `hookPort80`. */
export const PORT_POST = 0x80;

/** Page register port of each channel 0-7 (channel 4's is the refresh page on the AT). */
export const PAGE_PORT_OF_CHANNEL: readonly number[] = [0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a];

// Register numbers inside one 8237A (A3-A0). DMA1 decodes them at port n, DMA2 at 0xC0 + 2n.
/** Registers 0-7: channel (n >> 1)'s address (even) and word count (odd). */
export const REG_CH_LAST = 7;
/** Read: status register. Write: command register. */
export const REG_STATUS_COMMAND = 8;
/** Write: request register (read is illegal). */
export const REG_REQUEST = 9;
/** Write: single mask register bit (read is illegal). */
export const REG_SINGLE_MASK = 10;
/** Write: mode register (read is illegal). */
export const REG_MODE = 11;
/** Write: clear byte pointer flip-flop (read is illegal). */
export const REG_CLEAR_FF = 12;
/** Read: temporary register. Write: master clear. */
export const REG_TEMP_MASTER_CLEAR = 13;
/** Write: clear mask register (read is illegal). */
export const REG_CLEAR_MASK = 14;
/** Write: write all mask register bits. Read (PIIX and later): the mask bits. */
export const REG_ALL_MASK = 15;

/** Command bit 0: memory-to-memory enable (channels 0 and 1). */
export const CMD_MEM_TO_MEM = 0x01;
/** Command bit 1: channel 0 address hold (memory-to-memory only). */
export const CMD_CH0_ADDR_HOLD = 0x02;
/** Command bit 2: controller disable. */
export const CMD_DISABLE = 0x04;
/** Command bit 3: compressed timing. */
export const CMD_COMPRESSED = 0x08;
/** Command bit 4: rotating priority (0 = fixed). */
export const CMD_ROTATING = 0x10;
/** Command bit 5: extended write selection. */
export const CMD_EXTENDED_WRITE = 0x20;
/** Command bit 6: DREQ sense active low. */
export const CMD_DREQ_LOW = 0x40;
/** Command bit 7: DACK sense active high. */
export const CMD_DACK_HIGH = 0x80;

/** Mode bits 1-0, request bits 1-0, single mask bits 1-0: channel select. */
export const SEL_CHANNEL = 0x03;
/** Mode bits 3-2: transfer type (00 verify, 01 write, 10 read, 11 illegal). */
export const MODE_TYPE_SHIFT = 2;
/** Mode transfer type 00: verify (addresses generated, no memory cycle). */
export const TYPE_VERIFY = 0;
/** Mode transfer type 01: write transfer (I/O to memory). */
export const TYPE_WRITE = 1;
/** Mode transfer type 10: read transfer (memory to I/O). */
export const TYPE_READ = 2;
/** Mode transfer type 11: illegal. */
export const TYPE_ILLEGAL = 3;
/** Mode bit 4: autoinitialisation enable. */
export const MODE_AUTOINIT = 0x10;
/** Mode bit 5: address decrement select. */
export const MODE_DECREMENT = 0x20;
/** Mode bits 7-6: mode select (00 demand, 01 single, 10 block, 11 cascade). */
export const MODE_MODE_SHIFT = 6;
/** Mode select 00: demand mode. */
export const MODE_DEMAND = 0;
/** Mode select 01: single mode. */
export const MODE_SINGLE = 1;
/** Mode select 10: block mode. */
export const MODE_BLOCK = 2;
/** Mode select 11: cascade mode. */
export const MODE_CASCADE = 3;

/** Request register bit 2: set (1) or reset (0) the selected channel's request bit. */
export const REQ_SET = 0x04;
/** Single mask bit 2: set (1) or clear (0) the selected channel's mask bit. */
export const MASK_SET = 0x04;
/** Status bits 3-0: channel 0-3 has reached terminal count. */
export const ST_TC_MASK = 0x0f;
/** Status bits 7-4: channel 0-3 request. */
export const ST_REQ_SHIFT = 4;

/** Names of the transfer types, by mode bits 3-2. */
export const TYPE_NAMES: readonly string[] = ['verify', 'write', 'read', 'illegal'];
/** Names of the modes, by mode bits 7-6. */
export const MODE_NAMES: readonly string[] = ['demand', 'single', 'block', 'cascade'];

/** Every port the device hooks by default (0x80 only with `hookPort80`), for tests and fuzzing. */
export const DMA_PORTS: readonly number[] = [
  ...Array.from({ length: 16 }, (_, i) => DMA1_BASE + i),
  ...Array.from({ length: PAGE_COUNT - 1 }, (_, i) => PAGE_BASE + 1 + i),
  ...Array.from({ length: DMA2_SPAN }, (_, i) => DMA2_BASE + i),
];
