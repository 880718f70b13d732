// Ports, register counts and bits of the IBM VGA (IBM VGA technical reference; FreeVGA names).

/** Attribute Controller address / data write (flip-flop). */
export const AC_INDEX = 0x3c0;
/** Attribute Controller data read. */
export const AC_DATA_READ = 0x3c1;
/** Write: Miscellaneous Output. Read: Input Status 0. */
export const MISC_WRITE = 0x3c2;
/** Video Subsystem Enable (motherboard VGA). */
export const VIDEO_ENABLE = 0x3c3;
/** Sequencer address. */
export const SEQ_INDEX = 0x3c4;
/** Sequencer data. */
export const SEQ_DATA = 0x3c5;
/** DAC pixel mask. */
export const DAC_MASK = 0x3c6;
/** Write: DAC read address. Read: DAC state. */
export const DAC_READ_INDEX = 0x3c7;
/** DAC write address. */
export const DAC_WRITE_INDEX = 0x3c8;
/** DAC data (R, G, B in turn). */
export const DAC_DATA = 0x3c9;
/** Feature Control read. */
export const FEATURE_READ = 0x3ca;
/** Miscellaneous Output read. */
export const MISC_READ = 0x3cc;
/** Graphics Controller address. */
export const GC_INDEX = 0x3ce;
/** Graphics Controller data. */
export const GC_DATA = 0x3cf;
/** CRTC address / data and Input Status 1 (read) / Feature Control (write), colour set. */
export const CRTC_INDEX_COLOR = 0x3d4;
export const CRTC_DATA_COLOR = 0x3d5;
export const STATUS1_COLOR = 0x3da;
/** The same in the monochrome set (Miscellaneous Output bit 0 clear). */
export const CRTC_INDEX_MONO = 0x3b4;
export const CRTC_DATA_MONO = 0x3b5;
export const STATUS1_MONO = 0x3ba;
/** Bochs VBE DISPI interface: index and data. */
export const DISPI_INDEX = 0x1ce;
export const DISPI_DATA = 0x1cf;

/** Every port the device hooks. */
export const VGA_PORTS: readonly number[] = [
  CRTC_INDEX_MONO, CRTC_DATA_MONO, STATUS1_MONO,
  0x3c0, 0x3c1, 0x3c2, 0x3c3, 0x3c4, 0x3c5, 0x3c6, 0x3c7, 0x3c8, 0x3c9, 0x3ca, 0x3cc, 0x3ce, 0x3cf,
  CRTC_INDEX_COLOR, CRTC_DATA_COLOR, STATUS1_COLOR,
  DISPI_INDEX, DISPI_DATA,
];

/** Guest-physical base and size of the legacy video window. */
export const VGA_WINDOW_BASE = 0xa0000;
export const VGA_WINDOW_SIZE = 0x20000;
/** Bytes per plane (four planes: 256 KiB). */
export const PLANE_SIZE = 0x10000;

/** Register counts of each block. */
export const SEQ_COUNT = 5;
export const CRTC_COUNT = 25;
export const GC_COUNT = 9;
export const AC_COUNT = 21;

/** Width masks of the index registers: the bits the hardware decodes and reads back. */
export const SEQ_INDEX_MASK = 0x07;
export const CRTC_INDEX_MASK = 0x1f;
export const GC_INDEX_MASK = 0x0f;
export const AC_INDEX_MASK = 0x1f;

/** Miscellaneous Output bits. */
export const MISC_IOA = 0x01; // I/O address select: 1 = 0x3Dx (colour), 0 = 0x3Bx
export const MISC_ERAM = 0x02; // enable CPU access to video RAM
export const MISC_CS = 0x0c; // clock select: 0 = 25.175 MHz, 1 = 28.322 MHz

/** Sequencer registers. */
export const SR_RESET = 0;
export const SR_CLOCKING = 1; // bit 0: 8-dot characters; bit 3: dot clock / 2; bit 5: screen off
export const SR_MAP_MASK = 2;
export const SR_CHAR_MAP = 3;
export const SR_MEMORY_MODE = 4; // bit 1: extended memory; bit 2: odd/even disable; bit 3: chain 4
export const SR04_OE_DISABLE = 0x04;
export const SR04_CHAIN4 = 0x08;

/** CRTC registers. */
export const CR_HTOTAL = 0x00;
export const CR_HDISP_END = 0x01;
export const CR_VTOTAL = 0x06;
export const CR_OVERFLOW = 0x07;
export const CR_MAX_SCAN = 0x09; // bits 4-0: max scan line; bit 7: double scan
export const CR_CURSOR_START = 0x0a; // bit 5: cursor off
export const CR_CURSOR_END = 0x0b;
export const CR_START_HI = 0x0c;
export const CR_START_LO = 0x0d;
export const CR_CURSOR_HI = 0x0e;
export const CR_CURSOR_LO = 0x0f;
export const CR_VRETRACE_START = 0x10;
export const CR_VRETRACE_END = 0x11; // bits 3-0: end; bit 7: protect CR00-CR07
export const CR_VDISP_END = 0x12;
export const CR_OFFSET = 0x13;
export const CR_UNDERLINE = 0x14; // bit 6: double-word addressing
export const CR_MODE = 0x17; // bit 6: byte mode (0 = word mode); bit 5: address wrap (MA13 or MA15)
export const CR11_PROTECT = 0x80;
export const CR07_LINE_COMPARE_8 = 0x10;

/** Graphics Controller registers. */
export const GR_SET_RESET = 0;
export const GR_ENABLE_SET_RESET = 1;
export const GR_COLOR_COMPARE = 2;
export const GR_DATA_ROTATE = 3; // bits 2-0: rotate count; bits 4-3: logical op
export const GR_READ_MAP = 4;
export const GR_MODE = 5; // bits 1-0: write mode; bit 3: read mode; bit 4: host odd/even
export const GR_MISC = 6; // bit 0: graphics; bit 1: chain odd/even; bits 3-2: memory map
export const GR_COLOR_DONT_CARE = 7;
export const GR_BIT_MASK = 8;

/** Attribute Controller. */
export const AC_PAS = 0x20; // palette address source: 1 = the display owns the palette
export const AR_MODE = 0x10; // bit 0: graphics
export const AR_PALETTE_LAST = 0x0f;

/** Bochs DISPI register numbers and values the device knows about. */
export const DISPI_INDEX_ID = 0;
export const DISPI_INDEX_ENABLE = 4;
export const DISPI_ENABLED = 0x01;
