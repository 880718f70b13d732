/**
 * A fake VMM for device tests, after QEMU's qtest: attach a device to a {@link TestHost}, drive
 * its ports with `outb`/`inb`, step a deterministic virtual clock, watch IRQ lines, type into and
 * read from its streams, and fuzz its registers with {@link fuzzPorts}.
 * @packageDocumentation
 */
export { TestHost, createTestHost, fuzzPorts, seededRandom, v3ErrorFrom } from './test-host.js';
export { pciConfigRead, pciConfigWrite } from './pci-config.js';
export type { PciFunctionAddress } from './pci-config.js';
export type { IrqProbe, TestStream } from './test-host.js';
