import {
  E820_ENTRY_SIZE,
  E820_RAM,
  FILE_ENTRY_SIZE,
  FILE_NAME_SIZE,
  FOUR_GIB,
  FW_CFG_ACPI_TABLES,
  FW_CFG_BOOT_DEVICE,
  FW_CFG_BOOT_MENU,
  FW_CFG_CMDLINE_ADDR,
  FW_CFG_CMDLINE_DATA,
  FW_CFG_CMDLINE_SIZE,
  FW_CFG_E820_TABLE,
  FW_CFG_FILE_DIR,
  FW_CFG_FILE_FIRST,
  FW_CFG_ID,
  FW_CFG_INITRD_ADDR,
  FW_CFG_INITRD_DATA,
  FW_CFG_INITRD_SIZE,
  FW_CFG_IRQ0_OVERRIDE,
  FW_CFG_KERNEL_ADDR,
  FW_CFG_KERNEL_CMDLINE,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_ENTRY,
  FW_CFG_KERNEL_SIZE,
  FW_CFG_MACHINE_ID,
  FW_CFG_MAX_CPUS,
  FW_CFG_NB_CPUS,
  FW_CFG_NOGRAPHIC,
  FW_CFG_NUMA,
  FW_CFG_RAM_SIZE,
  FW_CFG_SIGNATURE,
  FW_CFG_SMBIOS_ENTRIES,
  FW_CFG_UUID,
  FW_CFG_VERSION,
  LOWMEM_LIMIT,
} from './regs.js';

/** A named fw_cfg file: listed in the directory (FW_CFG_FILE_DIR) and read by its selector. */
export interface FwCfgFile {
  /** Up to 55 printable ASCII characters (`etc/boot-fail-wait`, `bootorder`, `opt/...`). */
  name: string;
  data: Uint8Array;
}

/** What the item table is built from (the validated configuration). */
export interface ItemSources {
  /** Guest RAM in MiB. */
  memoryMiB: number;
  /** CPUs present at boot (also the maximum). */
  cpus: number;
  /** Boot device letters; the first goes to FW_CFG_BOOT_DEVICE. */
  bootOrder: string;
  /** FW_CFG_NOGRAPHIC. */
  nographic: boolean;
  /** FW_CFG_BOOT_MENU. */
  bootMenu: boolean;
  /** Extra named files from the configuration. */
  files: readonly FwCfgFile[];
}

/** The built items: selector key (arch bit kept, write bit dropped) to contents. */
export interface ItemTable {
  readonly items: ReadonlyMap<number, Uint8Array>;
  /** The named files in directory order, with their selectors. */
  readonly files: readonly { name: string; select: number; size: number }[];
}

const le = (bytes: number, value: number | bigint): Uint8Array => {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
};

/** Names of the files the device makes itself. */
export const GENERATED_FILES: readonly string[] = ['etc/boot-cpus', 'etc/e820'];

/** The files the device makes itself, as QEMU does for SeaBIOS. */
export function generatedFiles(src: ItemSources): FwCfgFile[] {
  const bytes = src.memoryMiB * 1024 * 1024;
  const below = Math.min(bytes, LOWMEM_LIMIT);
  const ranges: [number, number][] = [[0, below]];
  if (bytes > below) ranges.push([FOUR_GIB, bytes - below]);
  const e820 = new Uint8Array(ranges.length * E820_ENTRY_SIZE);
  ranges.forEach(([addr, len], i) => {
    e820.set(le(8, addr), i * E820_ENTRY_SIZE);
    e820.set(le(8, len), i * E820_ENTRY_SIZE + 8);
    e820.set(le(4, E820_RAM), i * E820_ENTRY_SIZE + 16);
  });
  return [
    { name: 'etc/e820', data: e820 },
    { name: 'etc/boot-cpus', data: le(2, src.cpus) },
  ];
}

/** Whether `name` fits a directory entry: 1-55 printable ASCII characters. */
export function isFileName(name: string): boolean {
  return name.length >= 1 && name.length < FILE_NAME_SIZE && /^[\x21-\x7e]+$/.test(name);
}

/**
 * Build every item. Named files are sorted by name and numbered from FW_CFG_FILE_FIRST in that
 * order (QEMU sorts its directory too); a configured file replaces a generated one of the same
 * name. Callers validate names and sizes first.
 */
export function buildItems(src: ItemSources): ItemTable {
  const items = new Map<number, Uint8Array>();
  items.set(FW_CFG_SIGNATURE, Uint8Array.from('QEMU', (c) => c.charCodeAt(0)));
  items.set(FW_CFG_ID, le(4, FW_CFG_VERSION));
  items.set(FW_CFG_UUID, new Uint8Array(16));
  items.set(FW_CFG_RAM_SIZE, le(8, BigInt(src.memoryMiB) * 1024n * 1024n));
  items.set(FW_CFG_NOGRAPHIC, le(2, src.nographic ? 1 : 0));
  items.set(FW_CFG_NB_CPUS, le(2, src.cpus));
  items.set(FW_CFG_MACHINE_ID, le(4, 0));
  // No direct kernel boot: the addresses and sizes read as zero, the images are empty.
  for (const k of [FW_CFG_KERNEL_ADDR, FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_CMDLINE, FW_CFG_INITRD_ADDR, FW_CFG_INITRD_SIZE,
    FW_CFG_KERNEL_ENTRY, FW_CFG_CMDLINE_ADDR, FW_CFG_CMDLINE_SIZE]) {
    items.set(k, le(4, 0));
  }
  for (const k of [FW_CFG_KERNEL_DATA, FW_CFG_INITRD_DATA, FW_CFG_CMDLINE_DATA]) items.set(k, new Uint8Array(0));
  items.set(FW_CFG_BOOT_DEVICE, le(2, src.bootOrder.charCodeAt(0)));
  // No NUMA nodes: the node count (0), then a zero node number per possible CPU.
  items.set(FW_CFG_NUMA, new Uint8Array(8 * (1 + src.cpus)));
  items.set(FW_CFG_BOOT_MENU, le(2, src.bootMenu ? 1 : 0));
  items.set(FW_CFG_MAX_CPUS, le(2, src.cpus));
  items.set(FW_CFG_ACPI_TABLES, le(2, 0));
  items.set(FW_CFG_SMBIOS_ENTRIES, le(2, 0));
  items.set(FW_CFG_IRQ0_OVERRIDE, le(4, 0));
  items.set(FW_CFG_E820_TABLE, le(4, 0));

  const byName = new Map<string, Uint8Array>();
  for (const f of generatedFiles(src)) byName.set(f.name, f.data);
  for (const f of src.files) byName.set(f.name, f.data);
  const names = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files = names.map((name, i) => ({ name, select: FW_CFG_FILE_FIRST + i, size: (byName.get(name) as Uint8Array).length }));
  const dir = new Uint8Array(4 + files.length * FILE_ENTRY_SIZE);
  const view = new DataView(dir.buffer);
  view.setUint32(0, files.length, false);
  files.forEach((f, i) => {
    const at = 4 + i * FILE_ENTRY_SIZE;
    view.setUint32(at, f.size, false);
    view.setUint16(at + 4, f.select, false);
    for (let c = 0; c < f.name.length; c++) dir[at + 8 + c] = f.name.charCodeAt(c);
    items.set(f.select, byName.get(f.name) as Uint8Array);
  });
  items.set(FW_CFG_FILE_DIR, dir);
  return { items, files };
}
