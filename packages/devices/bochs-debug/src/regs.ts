// Ports and conventions of the Bochs debug ports (Bochs iodev/biosdev.cc and unmapped.cc, the
// rombios sources, Palacios palacios/src/devices/bochs_debug.c, QEMU's isa-debugcon).

/** The "port E9 hack": a byte written here is a character on the emulator's console. */
export const PORT_E9 = 0xe9;
/** What a read of the E9 port returns, so a guest can detect the hack (and QEMU debugcon's readback). */
export const E9_READBACK = 0xe9;
/** rombios panic port 1: a write of a nonzero line number means "BIOS panic at line N". */
export const PORT_PANIC = 0x400;
/** rombios panic port 2: 0 arms a panic on the next info/debug line; nonzero panics now. */
export const PORT_PANIC2 = 0x401;
/** rombios info message port: bytes of text (SeaBIOS's debug port under QEMU too). */
export const PORT_INFO = 0x402;
/** rombios debug message port: bytes of text. */
export const PORT_DEBUG = 0x403;
/** Bochs APM shutdown port: writing the bytes of "Shutdown" powers the machine off. */
export const PORT_SHUTDOWN = 0x8900;
/** The byte sequence that powers off through {@link PORT_SHUTDOWN}. */
export const SHUTDOWN_SEQUENCE = 'Shutdown';

/** Characters buffered before a line is printed without its newline (Palacios' 1024-byte buffers less the terminator). */
export const LINE_LIMIT = 1023;
/** Prefix of port E9 console lines. */
export const CONSOLE_PREFIX = 'BOCHS_CONSOLE> ';
/** Prefix of port 0x402 info lines. */
export const INFO_PREFIX = 'BOCHS_INFO> ';
/** Prefix of port 0x403 debug lines. */
export const DEBUG_PREFIX = 'BOCHS_DEBUG> ';

/** Names of the ports a configuration can select, as in `ports: ['e9', '402']`. */
export const PORT_NAMES = ['e9', '400', '401', '402', '403', '8900'] as const;
/** One selectable port. */
export type BochsPortName = (typeof PORT_NAMES)[number];
