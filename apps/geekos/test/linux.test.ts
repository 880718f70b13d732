import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_DIR, geekos, tempDir, type RunResult } from './helpers.js';

/**
 * A stock Debian i386 kernel with a busybox initramfs, built from Debian packages by
 * tools/guests.sh (the shared guest builder) into .cache/guests, or where V3_GUESTS points.
 * These are the slow boots of the suite: every boot here runs once per test run.
 */
const GUESTS = resolve(process.env.V3_GUESTS ?? join(APP_DIR, '..', '..', '.cache', 'guests'));
const bundle = inject('bundle');

/** A boot takes a few minutes of interpreted guest time. */
const BOOT_MS = 15 * 60_000;

function guest(name: string): string {
  return join(GUESTS, name);
}

async function boot(initrd: string, extra: string[] = [], input?: Parameters<typeof geekos>[2]): Promise<RunResult & { serial: Buffer }> {
  const out = join(tempDir('v3-linux-'), 'serial.out');
  const args = [
    '-m', '256',
    '-kernel', guest('bzImage'),
    '-initrd', guest(initrd),
    '-append', 'console=ttyS0 panic=-1',
    '-clock', 'virtual',
    '-no-reboot',
    ...(input ? ['-serial', 'stdio'] : ['-serial', `file:${out}`]),
    ...extra,
  ];
  const r = await geekos(bundle, args, input ?? {}, BOOT_MS);
  return { ...r, serial: input ? Buffer.from(r.stdout, 'latin1') : readFileSync(out) };
}

/** Kernel log lines that mean something went wrong. */
const TROUBLE = /Kernel panic|Oops|\bBUG:|WARNING:|Call Trace|general protection fault|invalid opcode:|timed out|spurious 8259A interrupt|Clocksource \S+ unstable/;

describe('Linux: a stock Debian i386 kernel boots to userspace', () => {
  beforeAll(() => {
    for (const f of ['bzImage', 'initrd.gz', 'initrd-shell.gz']) {
      if (!existsSync(guest(f))) throw new Error(`${guest(f)} is missing: build the guests with tools/guests.sh (or set V3_GUESTS)`);
    }
  });

  it('reaches V3-GUEST-POWEROFF and exits 0, twice (nested and shadow paging), with byte-identical serial output', async () => {
    // The two boots run side by side (one per host core); the first is also the marker check.
    // The second runs under shadow paging: the virtual clock makes a boot reproducible to the
    // byte, and the paging mode must not change a byte of what the guest does.
    const [a, b] = await Promise.all([boot('initrd.gz', ['-telemetry']), boot('initrd.gz', ['-paging', 'shadow', '-telemetry'])]);
    const log = a.serial.toString('latin1');
    expect(a.code, a.stderr.slice(-2000)).toBe(0);
    expect(log).toMatch(/Linux version \d+\.\d+/);
    expect(log).toMatch(/V3-GUEST-BOOTED uptime=/);
    expect(log).toMatch(/V3-GUEST-POWEROFF uptime=/);
    expect(log.split('\n').filter((l) => TROUBLE.test(l))).toEqual([]);
    expect(a.stderr).toMatch(/^geekos: the CPU halted with interrupts disabled/m);
    expect(a.stderr).toMatch(/telemetry: .* MIPS/);
    expect(b.code, b.stderr.slice(-2000)).toBe(0);
    expect(b.stderr).toMatch(/telemetry: shadow paging: page-fault=[1-9]\d* \(fills=[1-9]\d* injected=[1-9]\d*\) cr3=[1-9]\d* /);
    expect(b.serial.equals(a.serial), 'the nested and shadow virtual-clock boots differ').toBe(true);
  }, BOOT_MS);

  it('answers uname -a at the busybox prompt and ends with exit 0 on poweroff -f', async () => {
    // The prompt is busybox ash's `# `; it may be followed by a cursor-position query (ESC [6n)
    // a terminal would answer, so look for it anywhere after the marker.
    const atPrompt = (out: string): boolean => {
      const booted = out.indexOf('V3-GUEST-BOOTED');
      return booted >= 0 && out.indexOf('# ', booted) >= 0;
    };
    const r = await boot('initrd-shell.gz', [], { input: { when: atPrompt, bytes: 'uname -a\npoweroff -f\n' } });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/uname -a\r?\n(\r?\n)?Linux \S+ \d+\.\d+\.\d+-\S+ #1 SMP PREEMPT_DYNAMIC Debian .* i686 GNU\/Linux/);
    expect(r.stdout).toMatch(/reboot: (System halted|Power down)/);
  }, BOOT_MS);
});
