import { SHUTDOWN_SEQUENCE } from './regs.js';

/**
 * Watches bytes written to the Bochs shutdown port for the sequence `Shutdown`. A byte that
 * does not continue the sequence resets it (as Bochs does); if that byte is an `S` it starts
 * the sequence again, so `SShutdown` still counts.
 */
export class ShutdownMatcher {
  /** How many bytes of the sequence have been seen in a row. */
  matched = 0;

  /** One byte from the guest; true when it completes the sequence. */
  push(byte: number): boolean {
    if (byte === SHUTDOWN_SEQUENCE.charCodeAt(this.matched)) {
      this.matched++;
      if (this.matched === SHUTDOWN_SEQUENCE.length) {
        this.matched = 0;
        return true;
      }
      return false;
    }
    this.matched = byte === SHUTDOWN_SEQUENCE.charCodeAt(0) ? 1 : 0;
    return false;
  }
}
