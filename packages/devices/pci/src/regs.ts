// Ports, configuration header offsets and bits of PCI bus 0. Names follow the PCI Local Bus
// Specification 2.x (section 3.2.2.3.2 "Configuration Mechanism #1", chapter 6 "Configuration
// Space") and the register names Linux and SeaBIOS use for them (include/uapi/linux/pci_regs.h).

// ---- Configuration mechanism #1 (spec 3.2.2.3.2) ----

/** CONFIG_ADDRESS: a 32-bit register; only dword accesses reach it. */
export const CONFIG_ADDRESS = 0xcf8;
/** CONFIG_DATA: the dword window onto the register CONFIG_ADDRESS selects (byte lanes 0xCFC-0xCFF). */
export const CONFIG_DATA = 0xcfc;
/** Mechanism #2's Configuration Space Enable byte; Linux's mechanism #1 probe writes 0x01 here first. */
export const CSE_PORT = 0xcfb;
/** The value Linux writes to 0xCFB before probing mechanism #1 (pci_check_type1). */
export const CSE_SELECT_MECH1 = 0x01;

/** CONFIG_ADDRESS bit 31: the next CONFIG_DATA access is a configuration cycle. */
export const CA_ENABLE = 0x8000_0000;
/** CONFIG_ADDRESS bits 30-24 are reserved (read 0), bits 1-0 are 00 for type 0 (read 0). */
export const CA_WRITABLE = 0x80ff_fffc;
/** Bus number field (bits 23-16). */
export const CA_BUS_SHIFT = 16;
/** Device (slot) number field (bits 15-11). */
export const CA_DEV_SHIFT = 11;
/** Function number field (bits 10-8). */
export const CA_FN_SHIFT = 8;
/** Register number field (bits 7-2), a dword index. */
export const CA_REG_MASK = 0xfc;

/** Devices (slots) on one bus. */
export const PCI_SLOTS = 32;
/** Functions per device. */
export const PCI_FUNCTIONS = 8;
/** Bytes of one function's configuration space. */
export const PCI_CONFIG_SIZE = 256;
/** First device-specific register: the type 0 header is 0x00-0x3F (spec 6.1). */
export const PCI_DEVICE_SPECIFIC = 0x40;

// ---- Type 0 configuration header (spec 6.1, figure 6-1) ----

/** Vendor ID (16 bits, read-only). */
export const PCI_VENDOR_ID = 0x00;
/** Device ID (16 bits, read-only). */
export const PCI_DEVICE_ID = 0x02;
/** Command (16 bits). */
export const PCI_COMMAND = 0x04;
/** Status (16 bits; error bits are write-one-to-clear). */
export const PCI_STATUS = 0x06;
/** Revision ID (8 bits, read-only). */
export const PCI_REVISION_ID = 0x08;
/** Class code: programming interface (8 bits, read-only). */
export const PCI_CLASS_PROG = 0x09;
/** Class code: sub-class and base class (16 bits, read-only). */
export const PCI_CLASS_DEVICE = 0x0a;
/** Cache Line Size (8 bits). */
export const PCI_CACHE_LINE_SIZE = 0x0c;
/** Latency Timer (8 bits; bus masters only). */
export const PCI_LATENCY_TIMER = 0x0d;
/** Header Type (8 bits; bit 7 = multi-function device). */
export const PCI_HEADER_TYPE = 0x0e;
/** BIST (8 bits; 0 = not BIST capable). */
export const PCI_BIST = 0x0f;
/** Base Address Register 0; BARs 0-5 are six dwords from here. */
export const PCI_BASE_ADDRESS_0 = 0x10;
/** Number of BARs in a type 0 header. */
export const PCI_NUM_BARS = 6;
/** CardBus CIS Pointer (32 bits, read-only 0 here). */
export const PCI_CARDBUS_CIS = 0x28;
/** Subsystem Vendor ID (16 bits, read-only). */
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
/** Subsystem ID (16 bits, read-only). */
export const PCI_SUBSYSTEM_ID = 0x2e;
/** Expansion ROM Base Address (32 bits). */
export const PCI_ROM_ADDRESS = 0x30;
/** Capabilities Pointer (8 bits, valid when Status.CAP_LIST is set). */
export const PCI_CAPABILITY_LIST = 0x34;
/** Interrupt Line (8 bits, read/write scratch for the IRQ the BIOS/OS assigned). */
export const PCI_INTERRUPT_LINE = 0x3c;
/** Interrupt Pin (8 bits, read-only; 0 none, 1-4 INTA#-INTD#). */
export const PCI_INTERRUPT_PIN = 0x3d;
/** Min_Gnt (8 bits, read-only). */
export const PCI_MIN_GNT = 0x3e;
/** Max_Lat (8 bits, read-only). */
export const PCI_MAX_LAT = 0x3f;

/** Header Type bit 7: the device has more than one function. */
export const PCI_HEADER_TYPE_MULTI_FUNCTION = 0x80;
/** Header layout 00h: a general device (the only layout this bus models). */
export const PCI_HEADER_TYPE_NORMAL = 0x00;

// ---- Command register (spec 6.2.2) ----

/** I/O Space: respond to I/O accesses (enables I/O BARs). */
export const PCI_COMMAND_IO = 0x0001;
/** Memory Space: respond to memory accesses (enables memory BARs). */
export const PCI_COMMAND_MEMORY = 0x0002;
/** Bus Master. */
export const PCI_COMMAND_MASTER = 0x0004;
/** Special Cycles. */
export const PCI_COMMAND_SPECIAL = 0x0008;
/** Memory Write and Invalidate Enable. */
export const PCI_COMMAND_INVALIDATE = 0x0010;
/** VGA Palette Snoop. */
export const PCI_COMMAND_VGA_PALETTE = 0x0020;
/** Parity Error Response. */
export const PCI_COMMAND_PARITY = 0x0040;
/** SERR# Enable. */
export const PCI_COMMAND_SERR = 0x0100;
/** Fast Back-to-Back Enable. */
export const PCI_COMMAND_FAST_BACK = 0x0200;
/** Interrupt Disable (PCI 2.3): the function may not assert INTx#. */
export const PCI_COMMAND_INTX_DISABLE = 0x0400;

// ---- Status register (spec 6.2.3) ----

/** Interrupt Status (PCI 2.3, read-only): the function's INTx# request, before Interrupt Disable. */
export const PCI_STATUS_INTERRUPT = 0x0008;
/** Capabilities List: the Capabilities Pointer at 0x34 is valid. */
export const PCI_STATUS_CAP_LIST = 0x0010;
/** Fast Back-to-Back Capable. */
export const PCI_STATUS_FAST_BACK = 0x0080;
/** Master Data Parity Error (write 1 to clear). */
export const PCI_STATUS_PARITY = 0x0100;
/** DEVSEL timing: medium (bits 10-9 = 01). */
export const PCI_STATUS_DEVSEL_MEDIUM = 0x0200;
/** Signaled Target Abort (write 1 to clear). */
export const PCI_STATUS_SIG_TARGET_ABORT = 0x0800;
/** Received Target Abort (write 1 to clear). */
export const PCI_STATUS_REC_TARGET_ABORT = 0x1000;
/** Received Master Abort (write 1 to clear). */
export const PCI_STATUS_REC_MASTER_ABORT = 0x2000;
/** Signaled System Error (write 1 to clear). */
export const PCI_STATUS_SIG_SYSTEM_ERROR = 0x4000;
/** Detected Parity Error (write 1 to clear). */
export const PCI_STATUS_DETECTED_PARITY = 0x8000;
/** All the error bits a status write of 1 clears. */
export const PCI_STATUS_ERROR_BITS = 0xf900;

// ---- Base Address Registers (spec 6.2.5.1) ----

/** Bit 0: 1 = I/O space BAR, 0 = memory space BAR. */
export const PCI_BASE_ADDRESS_SPACE_IO = 0x01;
/** Memory BAR type bits 2-1: 00 = anywhere in 32-bit space. */
export const PCI_BASE_ADDRESS_MEM_TYPE_32 = 0x00;
/** Memory BAR bit 3: prefetchable. */
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
/** Low bits of an I/O BAR that are not address (bit 0 type, bit 1 reserved). */
export const PCI_BASE_ADDRESS_IO_FLAGS = 0x03;
/** Low bits of a memory BAR that are not address (type, prefetchable). */
export const PCI_BASE_ADDRESS_MEM_FLAGS = 0x0f;
/** Smallest I/O BAR (spec: at least 4 bytes; the upper limit is 256 bytes per BAR). */
export const PCI_IO_BAR_MIN = 4;
/** Largest I/O BAR the spec allows (6.2.5.1: "may not consume more than 256 bytes"). */
export const PCI_IO_BAR_MAX = 256;
/** Smallest memory BAR (16 bytes: bits 3-0 are flags). */
export const PCI_MEM_BAR_MIN = 16;
/** I/O space an x86 IN/OUT reaches: an I/O BAR placed above it decodes nothing. */
export const X86_IO_SPACE = 0x1_0000;

// ---- INTx (spec 2.2.6) ----

/** Interrupt Pin values: 0 none, 1 INTA# ... 4 INTD#. */
export const PCI_INTERRUPT_PIN_MAX = 4;
/** PIRQ lines the south bridge routes (PIRQA#-PIRQD#). */
export const PCI_PIRQ_COUNT = 4;
