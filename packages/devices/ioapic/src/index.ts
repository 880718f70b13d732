/**
 * The Intel 82093AA I/O APIC: 24 interrupt input pins at 0xFEC00000 (IOREGSEL/IOWIN), each with a
 * redirection entry that turns the pin's edges or levels into interrupt messages for the local
 * APIC (`@v3/dev-lapic`). The device registers as an interrupt controller to see the VMM's IRQ
 * lines; it never reports a vector itself. Create it from a VM configuration entry
 * `{ class: 'IOAPIC', id: 'ioapic', apic: 'apic' }`, after the `LAPIC` it names.
 * @packageDocumentation
 */
export { ioapic } from './device.js';
export type { IoApicConfig, IoApicDevice } from './device.js';
export type { IoApic, IoApicState } from './ioapic.js';
export { IOAPIC_DEFAULT_BASE, IOAPIC_PINS, IOAPIC_VERSION_VALUE } from './regs.js';
