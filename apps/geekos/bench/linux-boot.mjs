// bench linux-boot: wall time from start to V3-GUEST-BOOTED for the stock Debian i386 kernel with
// the busybox initramfs (virtual clock, so every run executes the same instructions), and the
// MIPS of the whole run to power off. Prints numbers; asserts nothing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('..', import.meta.url));
const guests = resolve(process.env.V3_GUESTS ?? join(app, '..', '..', '.cache', 'guests'));
const bundle = join(app, 'dist', 'geekos.js');
for (const f of [bundle, join(guests, 'bzImage'), join(guests, 'initrd.gz')]) {
  if (!existsSync(f)) {
    console.error(`bench linux-boot: ${f} is missing (build the app, and the guests with tools/guests.sh)`);
    process.exit(1);
  }
}

const args = [
  bundle, '-m', '256', '-kernel', join(guests, 'bzImage'), '-initrd', join(guests, 'initrd.gz'),
  '-append', 'console=ttyS0 panic=-1', '-clock', 'virtual', '-serial', 'stdio', '-telemetry', '-no-reboot',
];
const started = process.hrtime.bigint();
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
let err = '';
let bootedS = NaN;
child.stdout.on('data', (b) => {
  out += b.toString('latin1');
  if (Number.isNaN(bootedS) && out.includes('V3-GUEST-BOOTED')) bootedS = Number(process.hrtime.bigint() - started) / 1e9;
});
child.stderr.on('data', (b) => (err += b.toString('latin1')));
child.on('close', (code) => {
  const mips = /telemetry: \d+ interrupts injected, (\d+) instructions in (\d+) ms, ([\d.]+) MIPS/.exec(err);
  if (code !== 0 || Number.isNaN(bootedS) || !mips) {
    console.error(`bench linux-boot: the boot did not complete (exit ${code})\n${err.slice(-2000)}`);
    process.exit(1);
  }
  console.log(`bench linux-boot: ${bootedS.toFixed(1)} s to V3-GUEST-BOOTED`);
  console.log(`bench linux-boot: ${Number(mips[3]).toFixed(1)} MIPS (${(Number(mips[1]) / 1e9).toFixed(2)} G instructions to power off)`);
});
