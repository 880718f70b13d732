import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cleanEnv, geekos, tempDir } from './helpers.js';

const bundle = inject('bundle');

describe('geekos boots the default guest', () => {
  it('runs to power off on the virtual clock, COM1 to a file, exit 0', async () => {
    const dir = tempDir();
    const out = join(dir, 'serial.out');
    const r = await geekos(bundle, ['-clock', 'virtual', '-serial', `file:${out}`, '-telemetry']);
    const serial = readFileSync(out, 'latin1');
    expect(serial).toContain('v3guest: real mode');
    expect(serial).toContain('v3guest: protected mode');
    expect(serial).toContain('v3guest: paging ok');
    expect(serial).toMatch(/v3guest 1\.0/);
    expect(serial).toMatch(/tick 25\r?\n/);
    expect(serial).toMatch(/tick 200\r?\n|power off \(ticks=200\)/);
    expect(serial).toContain('v3guest: power off (ticks=200)');
    expect(r.stdout).toBe(''); // COM1 went to the file
    expect(r.stderr).toContain('v3guest: boot'); // the Bochs debug port, on stderr
    expect(r.stderr).toMatch(/^geekos: the guest powered off/m);
    expect(r.stderr).toMatch(/instructions/i); // -telemetry
    expect(r.code).toBe(0);
  });

  it('is reproducible to the byte on the virtual clock', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.out');
    const b = join(dir, 'b.out');
    await geekos(bundle, ['-clock', 'virtual', '-serial', `file:${a}`]);
    await geekos(bundle, ['-clock', 'virtual', '-serial', `file:${b}`]);
    expect(readFileSync(a)).toEqual(readFileSync(b));
  });

  it('writes -serial file: relative to the directory it runs in', async () => {
    const dir = tempDir();
    const r = await geekos(bundle, ['-clock', 'virtual', '-serial', 'file:./serial.out'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'serial.out'), 'latin1')).toContain('v3guest: power off');
  });

  it("under `pnpm geekos` (cwd = the script's package, INIT_CWD = the caller), relative to the caller", async () => {
    const caller = tempDir();
    const repoRoot = join(import.meta.dirname, '../../..');
    const env = cleanEnv({ INIT_CWD: caller, npm_package_json: join(repoRoot, 'package.json') });
    const r = await geekos(bundle, ['-clock', 'virtual', '-serial', 'file:./serial.out'], { cwd: repoRoot, env });
    expect(r.code).toBe(0);
    expect(readFileSync(join(caller, 'serial.out'), 'latin1')).toContain('v3guest: power off');
  });

  it('-serial stdio: guest output on stdout, piped stdin to the guest (q powers off early)', async () => {
    const r = await geekos(bundle, ['-serial', 'stdio'], {
      input: { when: (out) => out.includes('v3guest 1.0'), bytes: 'q' },
    });
    expect(r.stdout).toContain('v3guest: real mode');
    expect(r.stdout).toMatch(/v3guest: power off \(ticks=(\d+)\)/);
    const ticks = Number(/ticks=(\d+)/.exec(r.stdout)?.[1]);
    expect(ticks).toBeLessThan(200);
    expect(r.code).toBe(0);
  });

  it("the guest's deliberate page fault ('!') is the guest's business: it reports it and powers off", async () => {
    const r = await geekos(bundle, ['-serial', 'stdio'], {
      input: { when: (out) => out.includes('v3guest 1.0'), bytes: '!' },
    });
    expect(r.stdout).toMatch(/v3guest: EXCEPTION vector=0x0e err=0x00000000 eip=0x[0-9a-f]{8} cr2=0x00400000/i);
    expect(r.stderr).toContain('v3guest: power off FAIL');
    expect(r.code).toBe(0); // the machine powered off; what the guest thought of its run is on its console
  });

  it('SIGINT stops the VM: one line, exit 130', async () => {
    const r = await geekos(bundle, ['-serial', 'stdio'], {
      input: { when: (out) => out.includes('tick 25'), signal: 'SIGINT' },
    });
    expect(r.stderr).toMatch(/^geekos: SIGINT, stopping the VM$/m);
    expect(r.stderr).toMatch(/^geekos: stopped by the host$/m);
    expect(r.stdout).not.toContain('power off');
    expect(r.code).toBe(130);
  });

  it('-serial null: the guest still runs to power off', async () => {
    const r = await geekos(bundle, ['-clock', 'virtual', '-serial', 'null']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
