/**
 * The local APIC (xAPIC) of each core, after the Intel SDM Vol. 3A, chapter 10: memory-mapped
 * registers at IA32_APIC_BASE (default 0xFEE00000), task and processor priority, EOI, logical
 * destinations, IPIs to self, the local vector table and the APIC timer. The device registers as
 * an interrupt controller and offers the APIC bus ({@link ApicBusPort}) an IO-APIC delivers
 * through. Create it from a VM configuration entry `{ class: 'LAPIC', id: 'apic' }`.
 * @packageDocumentation
 */
export { lapic } from './device.js';
export type { Lapic, LapicConfig } from './device.js';
export type { ApicBusPort, ApicMessage } from './bus.js';
export type { LocalApic } from './apic.js';
export type { LapicState, LocalApicState } from './state.js';
export { APIC_DEFAULT_BASE, APIC_BUS_HZ, APIC_VERSION_VALUE, MSR_IA32_APIC_BASE } from './regs.js';
