/**
 * Thrown when the guest executes an opcode or reaches a mode this CPU does not implement. This is
 * the fail-stop rule: an architecturally invalid opcode raises #UD inside the guest instead.
 */
export class X86Unimplemented extends Error {
  /** Linear address of the instruction. */
  readonly linear: number;
  /** The instruction bytes (up to 15, best effort). */
  readonly bytes: Uint8Array;
  /** What is missing, in words. */
  readonly what: string;

  constructor(linear: number, bytes: Uint8Array, what: string) {
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
    super(`x86: unimplemented ${what} at linear 0x${(linear >>> 0).toString(16)} (bytes ${hex})`);
    this.name = 'X86Unimplemented';
    this.linear = linear >>> 0;
    this.bytes = bytes;
    this.what = what;
  }
}

/**
 * The one object a core throws to abandon an instruction that raised a guest exception. It never
 * leaves `Cpu.run`: the run loop catches it and delivers the exception through the IVT/IDT.
 */
export class GuestException extends Error {
  constructor() {
    super('guest exception (internal control flow)');
    this.name = 'GuestException';
  }
}
