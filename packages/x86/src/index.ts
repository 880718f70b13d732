/**
 * An x86 CPU: decoder, interpreter, MMU and x87. It imports nothing from the rest of v3 and
 * reaches the machine only through an {@link X86Bus} and a {@link GuestPhysicalMemory}.
 * @packageDocumentation
 */
export { FrameFlag, ExitReason } from './bus.js';
export type { X86Bus, GuestPhysicalMemory } from './bus.js';
