// Constants of the generic device (after Palacios palacios/src/devices/generic.c).

/**
 * What each byte of a read from an ignored port returns: 0xFF, what an ISA port that nothing
 * drives reads on a PC (the data lines float high through pull-ups), so a guest probing for
 * absent hardware sees "nothing there". Palacios returns 0 instead.
 */
export const FLOATING_BUS_BYTE = 0xff;
/** Highest I/O port number. */
export const MAX_PORT = 0xffff;
/** The range modes a configuration may ask for. */
export const GENERIC_MODES = ['ignore', 'print'] as const;
/** One range mode: drop accesses silently, or print each one and then drop it. */
export type GenericMode = (typeof GENERIC_MODES)[number];
/** Palacios modes that pass accesses through to the host machine's ports. */
export const PASSTHROUGH_MODES = ['passthrough', 'print_and_passthrough'] as const;
