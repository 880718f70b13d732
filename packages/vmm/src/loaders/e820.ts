/** One entry of the BIOS INT 15h/E820 memory map. */
export interface E820Entry {
  addr: number;
  size: number;
  /** 1 usable RAM, 2 reserved. */
  type: 1 | 2;
}

/**
 * The PC memory map a BIOS would report for `ramBytes` of RAM: conventional memory below the
 * EBDA, the EBDA/VGA/BIOS hole as reserved, and extended memory from 1 MiB to the top of RAM.
 */
export function pcMemoryMap(ramBytes: number): E820Entry[] {
  const map: E820Entry[] = [
    { addr: 0, size: 0x9fc00, type: 1 },
    { addr: 0x9fc00, size: 0x400, type: 2 }, // extended BIOS data area (the MP table lives here)
    { addr: 0xe0000, size: 0x20000, type: 2 }, // system BIOS area
  ];
  if (ramBytes > 0x100000) map.push({ addr: 0x100000, size: ramBytes - 0x100000, type: 1 });
  return map;
}
