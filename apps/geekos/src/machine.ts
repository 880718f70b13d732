import { bochsDebug } from '@v3/dev-bochs-debug';
import { generic } from '@v3/dev-generic';
import { i8254 } from '@v3/dev-i8254';
import { i8259a } from '@v3/dev-i8259a';
import { ns16550 } from '@v3/dev-ns16550';
import { osDebug } from '@v3/dev-os-debug';
import { nvram } from '@v3/dev-nvram';
import { i8042 } from '@v3/dev-i8042';
import { pci } from '@v3/dev-pci';
import { i440fx } from '@v3/dev-i440fx';
import { piix3 } from '@v3/dev-piix3';
import { i8237 } from '@v3/dev-i8237';
import { lapic } from '@v3/dev-lapic';
import { ioapic } from '@v3/dev-ioapic';
import { ide, type BlockBackend } from '@v3/dev-ide';
import { vga } from '@v3/dev-vga';
import { fwCfg } from '@v3/dev-fw-cfg';
import { detectKernelKind, type DeviceClass, type V3VmConfig } from '@v3/vmm';

/** The device classes linked into the GeekOS image (registered with `v3_init`). */
export const DEVICE_CLASSES: readonly DeviceClass[] = [
  i8259a, i8254, ns16550, bochsDebug, osDebug, generic, nvram, i8042, pci, i440fx, piix3, i8237,
  lapic, ioapic, ide, vga, fwCfg,
] as readonly DeviceClass[];

/** The id of the i440FX, whose PAM registers the app connects to the VMM's shadow routing. */
export const NORTHBRIDGE = 'northbridge';
/** The id of the VGA (firmware boots), whose text screen the app shows. */
export const VGA_ID = 'vga';
/**
 * Firmware log ports the app hooks itself (to the -bios-log file, or nowhere): 0x402, SeaBIOS'
 * debug console (QEMU's isa-debugcon there; also the Bochs BIOS's info port), and 0x500, the LGPL
 * VGA BIOS's info port (Bochs' biosdev).
 */
export const BIOS_LOG_PORTS: readonly number[] = [0x402, 0x500];

/** fw_cfg `etc/irq0-override`: a little-endian 64-bit 1 (SeaBIOS reads it with romfile_loadint). */
const IRQ0_OVERRIDE = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);

/** fw_cfg `etc/sercon-port`: COM1's base port 0x3F8, little-endian 16-bit. */
const COM1_PORT = new Uint8Array([0xf8, 0x03]);

/** The stream the guest's COM1 is connected to; the app maps it to stdio, a file or nothing. */
export const SERIAL_STREAM = 'com1';

/**
 * The machine: the device list of every GeekOS VM, in the order Palacios' guest XML would list
 * them: a PC with its interrupt controllers (the 8259A pair, the local APIC and the IO-APIC, which
 * the loaders describe in an MP table), timer, CMOS clock, keyboard controller, COM1, the
 * i440FX/PIIX3 PCI chipset and the debug ports. Every other port fails stop.
 */
export function machineDevices(memoryMiB: number | undefined, extra: MachineExtras = {}): V3VmConfig['devices'] {
  const fw = extra.firmware ?? null;
  const memory = memoryMiB ?? 1;
  const devices: V3VmConfig['devices'] = [
    ...(fw ? FIRMWARE_PC_DEVICES : PC_DEVICES),
    // because: the CMOS reports the RAM size; an unusable -m is refused by the VMM's own check.
    { class: 'NVRAM', id: 'nvram', memory, boot: extra.bootOrder ?? 'cd' }, // 0x70-0x71, IRQ 8
    { class: 'KEYBOARD', id: 'i8042' },                                     // 0x60, 0x64, 0x92, IRQ 1/12
    { class: 'DMA', id: 'DMA' },                                            // 0x00-0x0F, 0xC0-0xDF, 0x81-0x8F
    { class: 'PCI', id: 'pci0' },                                           // 0xCF8-0xCFF
    { class: 'i440FX', id: NORTHBRIDGE, bus: 'pci0' },                      // 00:00.0
    { class: 'PIIX3', id: 'southbridge', bus: 'pci0' },                     // 00:01.0, 0xCF9
  ];
  const drives = extra.drives ?? {};
  if (fw || drives.hda || drives.cdrom) {
    const backends: Record<string, BlockBackend> = {};
    const list: { channel: 0 | 1; unit: 0 | 1; kind: 'disk' | 'cdrom'; backend?: string }[] = [];
    if (drives.hda) {
      backends.hda = drives.hda;
      list.push({ channel: 0, unit: 0, kind: 'disk', backend: 'hda' });
    }
    if (drives.cdrom) {
      backends.cdrom = drives.cdrom;
      list.push({ channel: 1, unit: 0, kind: 'cdrom', backend: 'cdrom' });
    }
    // 00:01.1; 0x1F0-0x1F7, 0x3F6 (IRQ 14), 0x170-0x177, 0x376 (IRQ 15), bus master at BAR4
    devices.push({ class: 'IDE', id: 'ide0', bus: 'pci0', backends, drives: list });
  }
  if (fw) {
    devices.push(
      { class: 'VGA', id: VGA_ID },                                         // 0x3B4-0x3DA, 0x1CE-0x1CF, 0xA0000-0xBFFFF
      {
        class: 'FW_CFG',                                                    // 0x510-0x511 (SeaBIOS reads it)
        id: 'fw_cfg',
        memory,
        cpus: 1,
        bootOrder: extra.bootOrder ?? 'cd',
        nographic: extra.nographic ?? false,
        // SeaBIOS (built for QEMU) takes the VGA BIOS from fw_cfg's vgaroms/ and copies it to
        // 0xC0000 itself; the Bochs BIOS finds the copy the VMM maps there.
        files: [
          ...(fw.vgaBios ? [{ name: `vgaroms/${fw.vgaBios.name}`, data: fw.vgaBios.bytes }] : []),
          // The IO-APIC has ISA IRQ 0 on pin 2, as on a PC: SeaBIOS then writes that
          // override into its MP table (otherwise it says pin 0 and Linux finds no timer there).
          { name: 'etc/irq0-override', data: IRQ0_OVERRIDE },
          // No VGA BIOS: SeaBIOS' serial console mirrors what it (and the boot loader, through
          // INT 10h) would show on the screen to COM1, as QEMU arranges for a machine without VGA.
          ...(fw.vgaBios ? [] : [{ name: 'etc/sercon-port', data: COM1_PORT }]),
        ],
      },
      {
        class: 'GENERIC',
        id: 'firmware-probes',
        ranges: [
          // Parallel ports: SeaBIOS' lpt_setup (and the Bochs BIOS's POST) write 0xAA to the data
          // port and read it back at LPT1-3; the bus floats, so they find none.
          { start: 0x378, end: 0x37a, mode: 'ignore' },
          { start: 0x278, end: 0x278, mode: 'ignore' }, // (0x279, its status port, is ISA PnP's ADDRESS: above)
          { start: 0x27a, end: 0x27a, mode: 'ignore' },
          { start: 0x3bc, end: 0x3be, mode: 'ignore' },
          // The 80x87 error latch: Linux's real-mode setup code (run only when a boot loader
          // starts it) resets the coprocessor with one write to 0xF0 and one to 0xF1.
          { start: 0xf0, end: 0xf1, mode: 'ignore' },
          // The third and fourth ISA IDE channels: the Bochs BIOS's ata_detect probes four
          // interfaces (0x1E8/0x3E6 and 0x168/0x366); floating registers mean no drive there.
          { start: 0x1e8, end: 0x1ef, mode: 'ignore' },
          { start: 0x3e6, end: 0x3e6, mode: 'ignore' },
          { start: 0x168, end: 0x16f, mode: 'ignore' },
          { start: 0x366, end: 0x366, mode: 'ignore' },
        ],
      },
    );
  }
  return devices;
}

/** Devices beyond the fixed PC: drives, and the firmware's (IDE, VGA, fw_cfg). */
export interface MachineExtras {
  firmware?: Firmware | null;
  drives?: { hda?: BlockBackend; cdrom?: BlockBackend };
  /** Boot order letters for the CMOS and fw_cfg (`'dc'`: CD-ROM, then disk). */
  bootOrder?: string;
  nographic?: boolean;
}

/** The firmware images of a `-bios` run. */
export interface Firmware {
  bios: { name: string; bytes: Uint8Array<ArrayBuffer> };
  vgaBios: { name: string; bytes: Uint8Array<ArrayBuffer> } | null;
}

const PC_DEVICES: V3VmConfig['devices'] = [
  { class: '8259A', id: 'PIC' },                                        // 0x20-0x21, 0xA0-0xA1
  { class: 'LAPIC', id: 'apic' },                                       // 0xFEE00000, MSR 0x1B, CPUID.01H:EDX[9]
  { class: 'IOAPIC', id: 'ioapic', apic: 'apic' },                      // 0xFEC00000, ISA IRQ 0 on pin 2
  { class: '8254_PIT', id: 'PIT' },                                     // 0x40-0x43, IRQ 0
  { class: 'SERIAL', id: 'com1', port: 'COM1', stream: SERIAL_STREAM }, // 0x3F8-0x3FF, IRQ 4
  { class: 'BOCHS_DEBUG', id: 'bochs-debug' },                          // 0xE9 console, 0x8900 shutdown
  { class: 'OS_DEBUG', id: 'os-debug' },                                // Palacios' guest debug port
  // POST codes and Linux's I/O delay (outb_p writes 0x80 thousands of times): ignored, not printed.
  { class: 'GENERIC', id: 'post', ranges: [{ start: 0x80, end: 0x80, mode: 'ignore' }] },
  // ISA ports this PC has nothing behind; the bus floats them (reads 0xFF, writes vanish). Each is
  // listed because a real guest probes it: Linux looks for Super I/O chips, ISA Plug and Play
  // cards and more UARTs, and finds none.
  {
    class: 'GENERIC',
    id: 'isa-empty',
    ranges: [
      { start: 0x2e, end: 0x2f, mode: 'ignore' },   // Super I/O configuration (Winbond/SMSC index/data)
      { start: 0x4e, end: 0x4f, mode: 'ignore' },   // Super I/O configuration, second address
      { start: 0x279, end: 0x279, mode: 'ignore' }, // ISA PnP ADDRESS
      { start: 0xa79, end: 0xa79, mode: 'ignore' }, // ISA PnP WRITE_DATA
      ...[0x213, 0x233, 0x253, 0x273, 0x393, 0x3b3, 0x3d3, 0x3f3].map((p) => ({ start: p, end: p, mode: 'ignore' as const })), // ISA PnP READ_DATA candidates
      { start: 0x2f8, end: 0x2ff, mode: 'ignore' }, // COM2: no UART
      { start: 0x3e8, end: 0x3ef, mode: 'ignore' }, // COM3: no UART
      { start: 0x2e8, end: 0x2ef, mode: 'ignore' }, // COM4: no UART
    ],
  },
];

/**
 * With firmware, port 0x402 is SeaBIOS' debug console, which the app hooks (to a log file or
 * nowhere): the Bochs debug device keeps its other ports.
 */
const FIRMWARE_PC_DEVICES: V3VmConfig['devices'] = PC_DEVICES.map((d) =>
  d.class === 'BOCHS_DEBUG' ? { ...d, ports: ['e9', '400', '401', '403', '8900'] } : d,
);

/** The run's choices that shape the VM (see the CLI). */
export interface MachineOptions {
  /** MiB of guest RAM, or what the user typed when it is not a number (the VMM refuses it). */
  memory: number | string;
  /** The kernel or flat image and its name (unused when `firmware` is given). */
  kernel: { name: string; bytes: Uint8Array<ArrayBuffer> };
  /** A Linux initrd (or a Multiboot module). */
  initrd: { name: string; bytes: Uint8Array<ArrayBuffer> } | null;
  /** The kernel command line. */
  append: string | null;
  clock: 'host' | 'virtual';
  /** Paging mode (default nested). */
  paging?: 'nested' | 'shadow';
  /** Run-time DEBUG_ switches. */
  debug: string[];
  /** `-no-reboot`: a guest reset ends the run instead of restarting the VM. */
  noReboot: boolean;
  /** `-unhooked-io`. */
  unhookedIo?: 'fail' | 'float';
  /** `-bios` (and `-vga-bios`): boot through firmware instead of loading the kernel. */
  firmware?: Firmware | null;
  /** `-hda`, `-cdrom`. */
  drives?: MachineExtras['drives'];
  /** `-boot`. */
  bootOrder?: string;
  /** `-nographic`. */
  nographic?: boolean;
}

/** The VM configuration of a GeekOS run. */
export function machineConfig(o: MachineOptions): V3VmConfig {
  return {
    name: 'geekos',
    // because: a non-number is passed on as typed so the VMM's schema names it in its refusal.
    memory: o.memory as number,
    clock: o.clock,
    paging: o.paging ?? 'nested',
    files: filesOf(o),
    boot: o.firmware ? { kind: 'bios', bios: 'bios', ...(o.firmware.vgaBios ? { vgaBios: 'vgabios' } : {}) } : bootOf(o),
    devices: machineDevices(typeof o.memory === 'number' ? o.memory : undefined, o),
    debug: o.debug as V3VmConfig['debug'],
    onReset: o.noReboot ? 'stop' : 'reset',
    unhookedIo: o.unhookedIo ?? 'fail',
  };
}

function filesOf(o: MachineOptions): Record<string, Uint8Array<ArrayBuffer>> {
  if (o.firmware) return o.firmware.vgaBios ? { bios: o.firmware.bios.bytes, vgabios: o.firmware.vgaBios.bytes } : { bios: o.firmware.bios.bytes };
  return o.initrd ? { kernel: o.kernel.bytes, initrd: o.initrd.bytes } : { kernel: o.kernel.bytes };
}

/** The boot protocol the image asks for: a bzImage, a Multiboot kernel, or a flat image. */
export function bootOf(o: MachineOptions): V3VmConfig['boot'] {
  const cmdline = o.append ?? '';
  switch (detectKernelKind(o.kernel.bytes)) {
    case 'linux':
      return { kind: 'linux', kernel: 'kernel', cmdline, ...(o.initrd ? { initrd: 'initrd' } : {}) };
    case 'multiboot':
      return { kind: 'multiboot', kernel: 'kernel', cmdline, modules: o.initrd ? [{ file: 'initrd', string: o.initrd.name }] : [] };
    case 'flat':
      if (o.initrd || o.append !== null) throw new Error(`${o.kernel.name} is a flat image: -initrd and -append apply to Linux and Multiboot kernels`);
      return { kind: 'flat', file: 'kernel', address: 0x7c00 };
  }
}
