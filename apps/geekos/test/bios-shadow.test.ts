import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { geekos, tempDir } from './helpers.js';

const bundle = inject('bundle');

/**
 * A 64 KiB "BIOS" of our own, hand-assembled (16-bit real mode), that walks the 82441FX PAM0
 * settings of the 0xF0000-0xFFFFF segment through the PCI configuration ports and reports what a
 * byte of the segment reads after each step on the Bochs console (port 0xE9), then writes
 * `Shutdown` to port 0x8900. The segment's first byte is 'R' in the ROM.
 *
 * Datasheet (82441FX PAM registers, RE = bit 4, WE = bit 5 for PAM0): 00 = reads and writes go to
 * PCI (the ROM); 01 = read only (reads DRAM, writes go to PCI); 10 = write only (writes DRAM, reads
 * PCI); 11 = reads and writes DRAM.
 */
function shadowBios(): Uint8Array {
  const rom = new Uint8Array(0x10000).fill(0xf4);
  rom[0] = 0x52; // 'R'
  const setPam0 = (v: number): number[] => [
    0xba, 0xf8, 0x0c, //                   mov dx, 0xCF8
    0x66, 0xb8, 0x58, 0x00, 0x00, 0x80, // mov eax, 0x80000058 (00:00.0, register 0x58)
    0x66, 0xef, //                         out dx, eax
    0xba, 0xfd, 0x0c, //                   mov dx, 0xCFD (register 0x59: PAM0)
    0xb0, v, //                            mov al, v
    0xee, //                               out dx, al
  ];
  const report = [0xa0, 0x00, 0x00, 0xe6, 0xe9]; // mov al, [0]; out 0xE9, al
  const store = (c: number): number[] => [0xc6, 0x06, 0x00, 0x00, c]; // mov byte [0], c
  const shutdown = [0xb0, 0x0a, 0xe6, 0xe9, 0xba, 0x00, 0x89, ...[...'Shutdown'].flatMap((c) => [0xb0, c.charCodeAt(0), 0xee]), 0xf4, 0xeb, 0xfd];
  // Runs from RAM at 0000:0600 with DS = F000, so changing the segment's routing cannot pull
  // the code from under the CPU.
  const routine = [
    ...report, //                                  ROM:        R
    ...setPam0(0x20), ...store(0x57), ...report, // write only: W went to DRAM, reads still R
    ...setPam0(0x10), ...report, //                 read only:  W (DRAM)
    ...store(0x58), ...report, //                   X dropped:  W
    ...setPam0(0x30), ...store(0x59), ...report, // DRAM:       Y
    ...setPam0(0x00), ...report, //                 ROM again:  R
    ...shutdown,
  ];
  rom.set(routine, 0xe100);
  rom.set(
    [
      0xfc, //                   cld
      0xb8, 0x00, 0xf0, //       mov ax, 0xF000
      0x8e, 0xd8, //             mov ds, ax
      0x31, 0xc0, //             xor ax, ax
      0x8e, 0xc0, //             mov es, ax
      0x8e, 0xd0, //             mov ss, ax
      0xbc, 0x00, 0x70, //       mov sp, 0x7000
      0xbe, 0x00, 0xe1, //       mov si, 0xE100
      0xbf, 0x00, 0x06, //       mov di, 0x0600
      0xb9, 0x00, 0x01, //       mov cx, 0x100
      0xf3, 0xa4, //             rep movsb
      0xea, 0x00, 0x06, 0x00, 0x00, // jmp 0000:0600
    ],
    0xe000,
  );
  rom.set([0xea, 0x00, 0xe0, 0x00, 0xf0], 0xfff0); // the reset vector: jmp F000:E000
  return rom;
}

describe('-bios: the reset vector, the low BIOS alias and PAM shadowing through the i440FX', () => {
  it('routes 0xF0000-0xFFFFF as each PAM0 setting says, and powers off', async () => {
    const dir = tempDir('v3-bios-');
    const bios = join(dir, 'bios.bin');
    writeFileSync(bios, shadowBios());
    const r = await geekos(bundle, ['-m', '16', '-bios', bios, '-nographic', '-clock', 'virtual', '-serial', 'null']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('BOCHS_CONSOLE> RRWWYR');
    expect(r.stderr).toMatch(/^geekos: the guest powered off/m);
  });
});
