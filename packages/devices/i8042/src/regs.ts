// Ports, registers, commands and replies of the Intel 8042 keyboard controller as the PC/AT and
// PS/2 use it, of the PS/2 keyboard behind it, and of System Control Port A. Names follow the
// IBM PS/2 Hardware Interface Technical Reference ("Keyboard/Auxiliary Device Controller",
// "Keyboard") and the IBM PC/AT Technical Reference.

// ---- Ports and IRQs ----

/** Data port: output buffer (read), input buffer as data (write). */
export const PORT_DATA = 0x60;
/** Status register (read), input buffer as a command (write). */
export const PORT_STATUS = 0x64;
/** System Control Port A (PS/2): fast reset and fast A20. */
export const PORT_SYSCTL_A = 0x92;
/** IRQ of keyboard data in the output buffer. */
export const KBD_IRQ = 1;
/** IRQ of auxiliary-device data in the output buffer. */
export const AUX_IRQ = 12;

// ---- Status register (port 0x64, read) ----

/** OBF: the output buffer holds a byte for the system. */
export const STS_OBF = 0x01;
/** IBF: the input buffer holds a byte for the controller (never seen: writes complete at once). */
export const STS_IBF = 0x02;
/** SYS: system flag, 0 after power-on, 1 after a self test or as the command byte sets it. */
export const STS_SYS = 0x04;
/** A2: the last input-buffer write was a command (port 0x64), not data (port 0x60). */
export const STS_A2 = 0x08;
/** INH: 1 = the keyboard is not inhibited by the keylock switch. */
export const STS_INH = 0x10;
/** AUXB: the output buffer holds auxiliary-device data. */
export const STS_AUXB = 0x20;
/** TO: general time-out (a byte sent to a device was not clocked in). */
export const STS_TO = 0x40;
/** PERR: parity error on the last byte from a device. */
export const STS_PERR = 0x80;

// ---- Command byte (controller RAM byte 0) ----

/** INT: interrupt (IRQ 1) when keyboard data lands in the output buffer. */
export const CB_INT = 0x01;
/** INT2: interrupt (IRQ 12) when auxiliary data lands in the output buffer. */
export const CB_INT2 = 0x02;
/** SYS: the system flag the status register shows. */
export const CB_SYS = 0x04;
/** EN: 1 = keyboard interface disabled (clock held low). */
export const CB_DISABLE_KBD = 0x10;
/** EN2: 1 = auxiliary interface disabled (clock held low). */
export const CB_DISABLE_AUX = 0x20;
/** XLAT: translate keyboard bytes from scan code set 2 to set 1. */
export const CB_XLAT = 0x40;
/** Command byte at power-on: keyboard interrupt on, translation on, both interfaces enabled. */
export const CB_POWER_ON = CB_INT | CB_XLAT;

// ---- Controller commands (port 0x64, write) ----

/** 0x20-0x3F: read controller RAM byte n (0x20 = the command byte). */
export const CMD_READ_RAM = 0x20;
/** 0x60-0x7F: write controller RAM byte n (0x60 = the command byte); the byte follows at 0x60. */
export const CMD_WRITE_RAM = 0x60;
/** Password installed test: 0xFA installed, 0xF1 not. */
export const CMD_PASSWORD_TEST = 0xa4;
/** Disable the auxiliary interface (sets EN2). */
export const CMD_AUX_DISABLE = 0xa7;
/** Enable the auxiliary interface (clears EN2). */
export const CMD_AUX_ENABLE = 0xa8;
/** Auxiliary interface test: 0x00 = no error. */
export const CMD_AUX_TEST = 0xa9;
/** Controller self test: 0x55 = passed. */
export const CMD_SELF_TEST = 0xaa;
/** Keyboard interface test: 0x00 = no error. */
export const CMD_KBD_TEST = 0xab;
/** Disable the keyboard interface (sets EN). */
export const CMD_KBD_DISABLE = 0xad;
/** Enable the keyboard interface (clears EN). */
export const CMD_KBD_ENABLE = 0xae;
/** Read the input port. */
export const CMD_READ_INPUT = 0xc0;
/** Read the output port. */
export const CMD_READ_OUTPUT = 0xd0;
/** Write the output port; the byte follows at 0x60. */
export const CMD_WRITE_OUTPUT = 0xd1;
/** Write the keyboard output buffer (as if the keyboard sent it); the byte follows. */
export const CMD_WRITE_KBD_OB = 0xd2;
/** Write the auxiliary output buffer (as if the device sent it); the byte follows. */
export const CMD_WRITE_AUX_OB = 0xd3;
/** Write the next byte at 0x60 to the auxiliary device. */
export const CMD_WRITE_AUX = 0xd4;
/** Some controllers: gate A20 off. */
export const CMD_A20_OFF = 0xdd;
/** Some controllers: gate A20 on. */
export const CMD_A20_ON = 0xdf;
/** Read the test inputs T0 (keyboard clock) and T1 (auxiliary clock). */
export const CMD_READ_TEST = 0xe0;
/** 0xF0-0xFF: pulse the output port bits whose mask bit is 0 low for 6 µs. */
export const CMD_PULSE = 0xf0;

// ---- Controller replies ----

/** Self test passed. */
export const RET_SELF_TEST_OK = 0x55;
/** Interface test: no error. */
export const RET_INTERFACE_OK = 0x00;
/** Password test: no password installed. */
export const RET_NO_PASSWORD = 0xf1;

// ---- Output port (0xD0/0xD1) ----

/** Bit 0: system reset, active low. */
export const OUT_RESET = 0x01;
/** Bit 1: gate A20 (1 = address line 20 passes). */
export const OUT_A20 = 0x02;
/** Bits 2-3 (auxiliary data/clock) and 6-7 (keyboard clock/data): idle high. */
export const OUT_LINES_IDLE = 0xcc;
/** Bit 4: output buffer full with keyboard data (wired to IRQ 1). */
export const OUT_IRQ1 = 0x10;
/** Bit 5: output buffer full with auxiliary data (wired to IRQ 12). */
export const OUT_IRQ12 = 0x20;

// ---- Input port (0xC0) ----

/**
 * Input port: bit 7 keyboard not inhibited, bit 5 manufacturing jumper not installed, bit 4
 * second 256 KiB of planar RAM present, bit 6 = 0 colour display.
 */
export const INPUT_PORT = 0xb0;

// ---- System Control Port A (0x92) ----

/** Bit 0: fast reset (a 0 -> 1 write resets the CPU); reads 0. */
export const SCA_RESET = 0x01;
/** Bit 1: alternate A20 gate (1 = A20 passes). */
export const SCA_A20 = 0x02;

// ---- PS/2 keyboard commands (port 0x60 with no controller command pending) ----

/** Set/reset the mode indicators (LEDs); the LED byte follows. */
export const KBD_SET_LEDS = 0xed;
/** Echo: the keyboard answers 0xEE. */
export const KBD_ECHO = 0xee;
/** Select alternate scan codes; the set (0 = report) follows. */
export const KBD_SCAN_SET = 0xf0;
/** Read ID: ACK, 0xAB, 0x83. */
export const KBD_READ_ID = 0xf2;
/** Set typematic rate/delay; the rate byte follows. */
export const KBD_TYPEMATIC = 0xf3;
/** Enable: clear the buffer, start scanning. */
export const KBD_ENABLE = 0xf4;
/** Default disable: defaults, clear the buffer, stop scanning. */
export const KBD_DEFAULT_DISABLE = 0xf5;
/** Set default: defaults, clear the buffer, keep scanning. */
export const KBD_SET_DEFAULT = 0xf6;
/** Resend the last byte. */
export const KBD_RESEND = 0xfe;
/** Reset: ACK, basic assurance test, 0xAA. */
export const KBD_RESET = 0xff;

// ---- PS/2 keyboard replies ----

/** Acknowledge. */
export const KBD_ACK = 0xfa;
/** Basic assurance test passed. */
export const KBD_BAT_OK = 0xaa;
/** Echo reply. */
export const KBD_ECHO_REPLY = 0xee;
/** Resend request (also what the controller reports for a device that timed out). */
export const KBD_RESEND_REPLY = 0xfe;
/** First ID byte of an MF2 keyboard. */
export const KBD_ID_1 = 0xab;
/** Second ID byte of an MF2 keyboard (0x41 after translation). */
export const KBD_ID_2 = 0x83;
/** The keyboard's buffer: 16 bytes, then an overrun code. */
export const KBD_BUFFER_SIZE = 16;
/** Overrun code in scan code set 2 (and 3). */
export const KBD_OVERRUN_SET2 = 0x00;
/** Overrun code in scan code set 1 (and set 2 translated). */
export const KBD_OVERRUN_SET1 = 0xff;
/** Typematic default: 10.9 characters/s, 500 ms delay. */
export const KBD_TYPEMATIC_DEFAULT = 0x2b;

// ---- Scan codes ----

/** Prefix of extended keys (both sets). */
export const SC_E0 = 0xe0;
/** Prefix of the Pause key (both sets). */
export const SC_E1 = 0xe1;
/** Set 2 break prefix. */
export const SC2_BREAK = 0xf0;
/** Set 1: bit 7 marks a break code. */
export const SC1_BREAK = 0x80;
