import { bochsDebug } from '@v3/dev-bochs-debug';
import { generic } from '@v3/dev-generic';
import { i8254 } from '@v3/dev-i8254';
import { i8259a } from '@v3/dev-i8259a';
import { ns16550 } from '@v3/dev-ns16550';
import { osDebug } from '@v3/dev-os-debug';
import type { DeviceClass, V3VmConfig } from '@v3/vmm';

/** The device classes linked into the GeekOS image (registered with `v3_init`). */
export const DEVICE_CLASSES: readonly DeviceClass[] = [i8259a, i8254, ns16550, bochsDebug, osDebug, generic] as readonly DeviceClass[];

/** The stream the guest's COM1 is connected to; the app maps it to stdio, a file or nothing. */
export const SERIAL_STREAM = 'com1';

/**
 * The machine: the device list of every GeekOS VM, in the order Palacios' guest XML would list
 * them. Ports the default guest touches and nothing else is hooked, so any other port fails stop.
 */
export const DEVICES: V3VmConfig['devices'] = [
  { class: '8259A', id: 'PIC' },                                        // 0x20-0x21, 0xA0-0xA1
  { class: '8254_PIT', id: 'PIT' },                                     // 0x40-0x43, IRQ 0
  { class: 'SERIAL', id: 'com1', port: 'COM1', stream: SERIAL_STREAM }, // 0x3F8-0x3FF, IRQ 4
  { class: 'BOCHS_DEBUG', id: 'bochs-debug' },                          // 0xE9 console, 0x8900 shutdown
  { class: 'OS_DEBUG', id: 'os-debug' },                                // Palacios' guest debug port
  { class: 'GENERIC', id: 'post', ranges: [{ start: 0x80, end: 0x80, mode: 'print' }] }, // POST codes
];

/** The run's choices that shape the VM (see the CLI). */
export interface MachineOptions {
  /** MiB of guest RAM, or what the user typed when it is not a number (the VMM refuses it). */
  memory: number | string;
  /** The flat image and its name. */
  kernel: { name: string; bytes: Uint8Array<ArrayBuffer> };
  clock: 'host' | 'virtual';
  /** Run-time DEBUG_ switches. */
  debug: string[];
  /** `-no-reboot`: a guest reset ends the run instead of restarting the VM. */
  noReboot: boolean;
}

/** The VM configuration of a GeekOS run. */
export function machineConfig(o: MachineOptions): V3VmConfig {
  return {
    name: 'geekos',
    // because: a non-number is passed on as typed so the VMM's schema names it in its refusal.
    memory: o.memory as number,
    clock: o.clock,
    files: { [o.kernel.name]: o.kernel.bytes },
    boot: { kind: 'flat', file: o.kernel.name, address: 0x7c00 },
    devices: DEVICES,
    debug: o.debug as V3VmConfig['debug'],
    onReset: o.noReboot ? 'stop' : 'reset',
  };
}
