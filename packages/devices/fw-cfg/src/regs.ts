// Ports, selector keys and bits of QEMU's firmware configuration device (fw_cfg), as QEMU's
// docs/specs/fw_cfg.rst names them, with the x86 I/O port placement.

/** Selector (control) register: 16-bit, write only, little-endian on the I/O port. */
export const FW_CFG_PORT_SEL = 0x510;
/** Data register: 8-bit on the I/O port, one byte of the selected item per read. */
export const FW_CFG_PORT_DATA = 0x511;
/** DMA address register: 64-bit big-endian at 0x514-0x51B, written as two 32-bit halves. */
export const FW_CFG_PORT_DMA = 0x514;
/** Width of the DMA address register in ports. */
export const FW_CFG_DMA_PORTS = 8;
/** Every port the device hooks, for tests and fuzzing. */
export const FW_CFG_PORTS: readonly number[] = [
  FW_CFG_PORT_SEL,
  FW_CFG_PORT_DATA,
  ...Array.from({ length: FW_CFG_DMA_PORTS }, (_, i) => FW_CFG_PORT_DMA + i),
];

/** Selector bit 14: the write channel (item writes through the data port; no-ops since QEMU 2.4). */
export const FW_CFG_WRITE_CHANNEL = 0x4000;
/** Selector bit 15: an architecture-specific item (x86's table below). */
export const FW_CFG_ARCH_LOCAL = 0x8000;
/** Selector bits 0-13: the item's index within its (generic or arch) range. */
export const FW_CFG_ENTRY_MASK = 0x3fff;

/** "QEMU": the presence check. */
export const FW_CFG_SIGNATURE = 0x0000;
/** Revision / feature bitmap, 32-bit LE. */
export const FW_CFG_ID = 0x0001;
/** The VM's UUID, 16 bytes. */
export const FW_CFG_UUID = 0x0002;
/** Guest RAM in bytes, 64-bit LE. */
export const FW_CFG_RAM_SIZE = 0x0003;
/** Whether the VM has no graphical display, 16-bit LE. */
export const FW_CFG_NOGRAPHIC = 0x0004;
/** CPUs present at boot, 16-bit LE. */
export const FW_CFG_NB_CPUS = 0x0005;
/** Machine identifier (board type), 32-bit LE. */
export const FW_CFG_MACHINE_ID = 0x0006;
/** Direct kernel boot: load address of the kernel, 32-bit LE. */
export const FW_CFG_KERNEL_ADDR = 0x0007;
/** Direct kernel boot: kernel size, 32-bit LE. */
export const FW_CFG_KERNEL_SIZE = 0x0008;
/** Direct kernel boot: command line address (legacy), 32-bit LE. */
export const FW_CFG_KERNEL_CMDLINE = 0x0009;
/** Direct kernel boot: initrd load address, 32-bit LE. */
export const FW_CFG_INITRD_ADDR = 0x000a;
/** Direct kernel boot: initrd size, 32-bit LE. */
export const FW_CFG_INITRD_SIZE = 0x000b;
/** First boot device letter, 16-bit LE. */
export const FW_CFG_BOOT_DEVICE = 0x000c;
/** NUMA: node count (64-bit LE), then one 64-bit node number per possible CPU, then node sizes. */
export const FW_CFG_NUMA = 0x000d;
/** Whether the firmware shows its boot menu, 16-bit LE. */
export const FW_CFG_BOOT_MENU = 0x000e;
/** Possible CPUs (hot-pluggable ones included), 16-bit LE. */
export const FW_CFG_MAX_CPUS = 0x000f;
/** Direct kernel boot: kernel entry point, 32-bit LE. */
export const FW_CFG_KERNEL_ENTRY = 0x0010;
/** Direct kernel boot: the kernel image. */
export const FW_CFG_KERNEL_DATA = 0x0011;
/** Direct kernel boot: the initrd image. */
export const FW_CFG_INITRD_DATA = 0x0012;
/** Direct kernel boot: command line address, 32-bit LE. */
export const FW_CFG_CMDLINE_ADDR = 0x0013;
/** Direct kernel boot: command line size (with its NUL), 32-bit LE. */
export const FW_CFG_CMDLINE_SIZE = 0x0014;
/** Direct kernel boot: the command line. */
export const FW_CFG_CMDLINE_DATA = 0x0015;
/** Directory of named files: BE32 count, then 64-byte {BE32 size, BE16 select, reserved, name[56]}. */
export const FW_CFG_FILE_DIR = 0x0019;
/** Selector of the first named file. */
export const FW_CFG_FILE_FIRST = 0x0020;

/** x86: legacy ACPI tables (LE16 count, none here). */
export const FW_CFG_ACPI_TABLES = FW_CFG_ARCH_LOCAL + 0;
/** x86: legacy SMBIOS entries (LE16 count, none here). */
export const FW_CFG_SMBIOS_ENTRIES = FW_CFG_ARCH_LOCAL + 1;
/** x86: whether ISA IRQ 0 is routed to I/O APIC pin 2, 32-bit LE. */
export const FW_CFG_IRQ0_OVERRIDE = FW_CFG_ARCH_LOCAL + 2;
/** x86: legacy e820 reservations (LE32 count, none here; etc/e820 supersedes it). */
export const FW_CFG_E820_TABLE = FW_CFG_ARCH_LOCAL + 3;

/** FW_CFG_ID bit 0: the traditional selector/data interface (always set). */
export const FW_CFG_VERSION = 0x01;
/** FW_CFG_ID bit 1: the DMA interface (clear: not implemented, see the README). */
export const FW_CFG_VERSION_DMA = 0x02;

/** Bytes of one file directory entry. */
export const FILE_ENTRY_SIZE = 64;
/** Bytes of a file name field, NUL terminator included. */
export const FILE_NAME_SIZE = 56;
/** Bytes of one etc/e820 entry: LE64 address, LE64 length, LE32 type. */
export const E820_ENTRY_SIZE = 20;
/** e820 type 1: usable RAM. */
export const E820_RAM = 1;
/** Start of the PCI hole: above this, QEMU's i440fx moves RAM past 4 GiB (3.5 GiB). */
export const LOWMEM_LIMIT = 0xe000_0000;
/** 4 GiB, where RAM above the PCI hole resumes. */
export const FOUR_GIB = 0x1_0000_0000;
