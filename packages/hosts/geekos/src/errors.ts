import { V3Error } from '@v3/vmm';

/** The component name every error of this host carries. */
export const HOST = 'host-geekos';

/**
 * Stop loudly: misuse of a host service (a double free, a recursive lock, a thread for a CPU the
 * host does not have) is a bug in the caller, and fail stop says bugs end the run with a message.
 * The VMM's run loop catches the {@link V3Error} like any other and ends the VM in `error`.
 */
export function hostFail(reason: string): never {
  throw new V3Error({ component: HOST }, reason);
}

/** `0x` hex for messages. */
export const hex = (n: number): string => '0x' + (n >>> 0).toString(16);
