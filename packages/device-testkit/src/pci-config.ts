import type { TestHost } from './test-host.js';

/** A PCI function's address on configuration mechanism #1. */
export interface PciFunctionAddress {
  bus?: number;
  slot: number;
  fn: number;
}

const CONFIG_ADDRESS = 0xcf8;
const CONFIG_DATA = 0xcfc;

/** Select `reg` of a function through CONFIG_ADDRESS (enable bit, dword-aligned register). */
function select(vm: TestHost, at: PciFunctionAddress, reg: number): number {
  vm.outl(CONFIG_ADDRESS, (0x8000_0000 | ((at.bus ?? 0) << 16) | (at.slot << 11) | (at.fn << 8) | (reg & 0xfc)) >>> 0);
  return CONFIG_DATA + (reg & 3);
}

/** A configuration read as a guest makes it: CONFIG_ADDRESS, then CONFIG_DATA at the byte offset. */
export function pciConfigRead(vm: TestHost, at: PciFunctionAddress, reg: number, size: 1 | 2 | 4): number {
  const port = select(vm, at, reg);
  return size === 4 ? vm.inl(port) : size === 2 ? vm.inw(port) : vm.inb(port);
}

/** A configuration write as a guest makes it. */
export function pciConfigWrite(vm: TestHost, at: PciFunctionAddress, reg: number, value: number, size: 1 | 2 | 4): void {
  const port = select(vm, at, reg);
  if (size === 4) vm.outl(port, value);
  else if (size === 2) vm.outw(port, value);
  else vm.outb(port, value);
}
