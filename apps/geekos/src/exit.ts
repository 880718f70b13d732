import type { V3VmExit } from '@v3/vmm';

/** The exit status of the `geekos` command, by why the run ended. */
export const EXIT = {
  /** The guest powered off (APM / port 0x8900 `Shutdown`, or a device's power-off request). */
  POWEROFF: 0,
  /** Fail stop: the VMM, a device, the CPU or the host hit an error or an unimplemented case. */
  ERROR: 1,
  /** Bad options or a VM configuration the VMM refused; nothing ran. */
  USAGE: 2,
  /** The guest shut the machine down (triple fault). */
  SHUTDOWN: 3,
  /** The guest reset the machine and `-no-reboot` was given. */
  RESET: 4,
  /**
   * The guest halted with interrupts disabled: nothing can ever wake it. Without ACPI or APM this
   * is how a guest powers itself off (Linux's `poweroff -f` ends in `reboot: System halted` and
   * `cli; hlt`), so the run ended normally; the closing line still says it was a halt.
   */
  HALTED: 0,
  /** The run was stopped from the host (Ctrl-A x); a signal gives 128 + its number instead. */
  STOPPED: 6,
  /** A bug in the app or host outside the VM (EX_SOFTWARE). */
  INTERNAL: 70,
} as const;

/** The exit status for a VM's end. */
export function exitStatus(exit: V3VmExit): number {
  switch (exit.reason) {
    case 'poweroff':
      return EXIT.POWEROFF;
    case 'error':
      return EXIT.ERROR;
    case 'shutdown':
      return EXIT.SHUTDOWN;
    case 'reset':
      return EXIT.RESET;
    case 'halted':
      return EXIT.HALTED;
    case 'stopped':
      return EXIT.STOPPED;
    default:
      return EXIT.INTERNAL;
  }
}

/** What to say when the VMM gave no message. */
const DEFAULT_WHY: Record<V3VmExit['reason'], string> = {
  poweroff: 'the guest powered off',
  error: 'the VM failed',
  shutdown: 'the guest shut the machine down (triple fault)',
  reset: 'the guest reset the machine (-no-reboot)',
  halted: 'the guest halted and nothing can wake it',
  stopped: 'stopped',
};

/**
 * The one line that says why the run ended: the VMM's own sentence. A fail stop's message was
 * printed by the VMM already, with the guest state under it; the line points there instead of
 * repeating it.
 */
export function exitLine(exit: V3VmExit): string {
  if (exit.reason === 'error') {
    if (exit.error) return `geekos: fail stop in ${exit.error.detail.component} (the message and the guest state are above)`;
    return `geekos: fail stop: ${exit.message || DEFAULT_WHY.error}`;
  }
  return `geekos: ${exit.message || (DEFAULT_WHY[exit.reason] ?? `the run ended (${String(exit.reason)})`)}`;
}
