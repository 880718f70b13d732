// The default guest, embedded in the image at build time (tsup's binary loader).
import v3guest from '../guest/v3guest.bin';

/** `apps/geekos/guest/v3guest.bin`: the image `-kernel` replaces. */
export const DEFAULT_GUEST = { name: 'v3guest.bin', bytes: v3guest };
