import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_DIR, geekos, tempDir, type RunResult } from './helpers.js';

/**
 * Real PC firmware and the IDE drives, on the guests built from Debian packages by
 * tools/guests.sh into .cache/guests (or where V3_GUESTS points): SeaBIOS and the Bochs BIOS
 * with the LGPL VGA BIOS boot the isolinux ISO from the ATAPI CD-ROM to Linux, which mounts the
 * CD through ata_piix; and a Linux guest writes a disk image given with -hda. Every boot here is
 * a few minutes of interpreted guest time and runs once per test run; the three run side by side.
 */
const GUESTS = resolve(process.env.V3_GUESTS ?? join(APP_DIR, '..', '..', '.cache', 'guests'));
const bundle = inject('bundle');

/**
 * Three boots share the host's cores (and other test files may run beside them): on a busy
 * two-core machine each took 24 minutes of wall time, so allow for worse.
 */
const BOOT_MS = 45 * 60_000;

function guest(name: string): string {
  return join(GUESTS, name);
}

/** Kernel log lines that mean something went wrong. */
const TROUBLE = /Kernel panic|Oops|\bBUG:|WARNING:|Call Trace|general protection fault|invalid opcode:|timed out|spurious 8259A interrupt|Clocksource \S+ unstable|APIC error|MP-BIOS bug|[Ss]purious|APIC timer disabled|ExtINT not setup|Local APIC disabled|Fast TSC calibration failed/;

interface FirmwareRun extends RunResult {
  serial: string;
  /** The -vga-text file: every distinct text screen, each after a form feed line. */
  screens: string[];
  biosLog: string;
}

async function firmwareBoot(bios: string, vgaBios: string | null): Promise<FirmwareRun> {
  const dir = tempDir('v3-firmware-');
  const out = join(dir, 'serial.out');
  const screen = join(dir, 'screen.txt');
  const log = join(dir, 'bios.log');
  const args = [
    '-m', '256',
    '-bios', guest(`firmware/${bios}`),
    ...(vgaBios ? ['-vga-bios', guest(`firmware/${vgaBios}`)] : []),
    '-cdrom', guest('boot.iso'),
    '-clock', 'virtual',
    '-no-reboot',
    '-serial', `file:${out}`,
    '-bios-log', log,
    '-vga-text', screen,
  ];
  const r = await geekos(bundle, args, {}, BOOT_MS);
  return {
    ...r,
    serial: readFileSync(out, 'latin1'),
    screens: readFileSync(screen, 'utf8').split('\f\n').filter((s) => s !== ''),
    biosLog: readFileSync(log, 'latin1'),
  };
}

/** What every firmware boot of boot.iso must show on COM1: isolinux, then Linux with the CD mounted. */
function expectCdBoot(r: FirmwareRun): void {
  expect(r.code, r.stderr.slice(-3000)).toBe(0);
  expect(r.serial).toMatch(/ISOLINUX \d+\.\d+/);
  // isolinux writes to COM1 itself; with SeaBIOS' serial console its INT 10h output arrives there
  // too, interleaved ("...  ook"), so only the start of the line is matched.
  expect(r.serial).toMatch(/Loading \/isolinux\/vmlinuz\.\.\./);
  expect(r.serial).toMatch(/Linux version \d+\.\d+/);
  expect(r.serial).toMatch(/^V3-GUEST-CDROM V3-CDROM-CONTENT-OK\r?$/m);
  expect(r.serial).toMatch(/V3-GUEST-POWEROFF uptime=/);
  expect(r.serial.split('\n').filter((l) => TROUBLE.test(l))).toEqual([]);
  // The firmware's MP table routes the 8254 through IO-APIC pin 2, where the IO-APIC has it.
  expect(r.serial).toMatch(/\.\.TIMER: vector=0x[0-9A-Fa-f]+ apic1=0 pin1=2 /);
  expect(r.stderr).toMatch(/^geekos: the CPU halted with interrupts disabled/m);
}

/** The first screen that matches every pattern (the BIOS and isolinux share one screen). */
function screenWith(r: FirmwareRun, ...patterns: RegExp[]): string | undefined {
  return r.screens.find((s) => patterns.every((p) => p.test(s)));
}

describe('real PC firmware boots the isolinux ISO from the IDE CD-ROM', () => {
  beforeAll(() => {
    for (const f of ['boot.iso', 'bzImage', 'initrd.gz', 'firmware/bios.bin', 'firmware/BIOS-bochs-latest', 'firmware/vgabios.bin']) {
      if (!existsSync(guest(f))) throw new Error(`${guest(f)} is missing: build the guests with tools/guests.sh (or set V3_GUESTS)`);
    }
  });

  it.concurrent('SeaBIOS as the issue runs it (no VGA BIOS): banner on COM1, isolinux, Linux mounts the CD, power off', async () => {
    const r = await firmwareBoot('bios.bin', null);
    expectCdBoot(r);
    // Without a VGA BIOS, SeaBIOS' serial console (fw_cfg etc/sercon-port) puts its screen on COM1.
    expect(r.serial).toMatch(/SeaBIOS \(version [^)]+\)\r?\n/);
    expect(r.serial).toMatch(/Booting from DVD\/CD\.\.\./);
    // Its debug console (port 0x402) went to the -bios-log file, banner first.
    expect(r.biosLog).toMatch(/^SeaBIOS \(version [^)]+\)/m);
    expect(r.biosLog).toMatch(/Found QEMU fw_cfg/);
  }, BOOT_MS);

  it.concurrent('the Bochs BIOS with the LGPL VGA BIOS: banner, isolinux, Linux mounts the CD, power off', async () => {
    const r = await firmwareBoot('BIOS-bochs-latest', 'vgabios.bin');
    expectCdBoot(r);
    // The BIOS's info port (0x402) and the VGA BIOS's (0x500) went to the log.
    expect(r.biosLog).toMatch(/Starting rombios32/);
    expect(r.biosLog).toMatch(/VGABios \$Id: vgabios\.c/);
    const screen = screenWith(r, /^Bochs [\d.]+ BIOS - build: /m, /^ata1 master: V3 ATAPI CD-ROM ATAPI-6 CD-Rom\/DVD-Rom$/m, /^Booting from CD-Rom\.\.\.$/m, /^ISOLINUX \d+\.\d+ /m, /^Loading \/isolinux\/initrd\.gz\.\.\. ?ok$/m);
    expect(screen, r.screens.join('\n----\n')).toBeDefined();
  }, BOOT_MS);

  it.concurrent('Linux reads and writes a -hda image, and the write is in the file after the run', async () => {
    const dir = tempDir('v3-disk-');
    const img = join(dir, 'disk.img');
    const marker = 'V3-SECTOR-ONE-0123456789';
    const bytes = new Uint8Array(1024 * 1024);
    bytes.set(Buffer.from(marker, 'latin1'), 512);
    writeFileSync(img, bytes);
    const out = join(dir, 'serial.out');
    const r = await geekos(
      bundle,
      ['-m', '256', '-kernel', guest('bzImage'), '-initrd', guest('initrd.gz'), '-append', 'console=ttyS0 panic=-1 v3.disk=1', '-hda', img, '-clock', 'virtual', '-no-reboot', '-serial', `file:${out}`],
      {},
      BOOT_MS,
    );
    const serial = readFileSync(out, 'latin1');
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(serial).toMatch(new RegExp(`^V3-GUEST-DISK read=${marker}\\r?$`, 'm'));
    expect(serial).toMatch(/^V3-GUEST-DISK wrote\r?$/m);
    expect(serial).toMatch(/V3-GUEST-POWEROFF uptime=/);
    const after = readFileSync(img);
    expect(after.length).toBe(bytes.length);
    // dd conv=sync: the line, then zeros to the end of sector 0; sector 1 is untouched.
    expect(after.subarray(0, 25).toString('latin1')).toBe('V3-DISK-WRITTEN-BY-GUEST\n');
    expect(after.subarray(25, 512).every((b) => b === 0)).toBe(true);
    expect(after.subarray(512, 512 + marker.length).toString('latin1')).toBe(marker);
  }, BOOT_MS);
});
