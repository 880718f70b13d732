/**
 * The OS-independent v3 VMM core: the v3_ API, os_hooks, exits, memory, interrupts, time, devices.
 * @packageDocumentation
 */
export {};
