import { describe, expect, inject, it } from 'vitest';
import { parseCli } from '../src/cli.js';
import { EXIT, exitLine, exitStatus } from '../src/exit.js';
import { callerDir } from '../src/run.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { geekos, tempDir } from './helpers.js';

const bundle = inject('bundle');

describe('the command line', () => {
  it('takes QEMU-style options with one dash', () => {
    const r = parseCli(['-m', '64', '-serial', 'file:out.txt', '-kernel', 'k.bin', '-initrd', 'rd.gz', '-append', 'console=ttyS0 panic=-1', '-clock', 'virtual', '-paging', 'shadow', '-debug', 'pic,Pit', '-telemetry', '-no-reboot']);
    expect(r).toEqual({
      kind: 'run',
      options: {
        memory: 64,
        serial: { kind: 'file', path: 'out.txt' },
        kernel: 'k.bin',
        initrd: 'rd.gz',
        append: 'console=ttyS0 panic=-1',
        clock: 'virtual',
        paging: 'shadow',
        debug: ['PIC', 'PIT'],
        telemetry: true,
        noReboot: true,
        unhookedIo: 'fail',
        bios: null,
        vgaBios: null,
        cdrom: null,
        hda: null,
        boot: null,
        nographic: false,
        biosLog: null,
        vgaText: null,
      },
    });
  });

  it('has defaults: 128 MiB, COM1 on stdio, the built-in guest, the host clock', () => {
    expect(parseCli([])).toEqual({
      kind: 'run',
      options: { memory: 128, serial: { kind: 'stdio' }, kernel: null, initrd: null, append: null, clock: 'host', paging: 'nested', debug: [], telemetry: false, noReboot: false, unhookedIo: 'fail', bios: null, vgaBios: null, cdrom: null, hda: null, boot: null, nographic: false, biosLog: null, vgaText: null },
    });
  });

  it('reads sizes with M and G suffixes, and hands anything else to the VMM as typed', () => {
    const mem = (m: string) => {
      const r = parseCli(['-m', m]);
      return r.kind === 'run' ? r.options.memory : r.kind;
    };
    expect(mem('256M')).toBe(256);
    expect(mem('1G')).toBe(1024);
    expect(mem('abc')).toBe('abc');
  });

  it('adds DEBUG_<COMP>=1 from the environment', () => {
    const r = parseCli(['-debug', 'PIT'], { DEBUG_PIC: '1', DEBUG_IO: '0' });
    expect(r.kind === 'run' && r.options.debug).toEqual(['PIT', 'PIC']);
  });

  it('refuses unknown options, stray arguments, bad values, with the usage', () => {
    for (const argv of [['-bogus'], ['stray'], ['-clock', 'wall'], ['-paging', 'npt'], ['-serial', 'tcp:1234'], ['-m'], ['-debug', 'FOO'], ['-append', 'x'], ['-initrd', 'rd']]) {
      const r = parseCli(argv);
      expect(r.kind, argv.join(' ')).toBe('usage-error');
      if (r.kind === 'usage-error') expect(r.usage).toMatch(/^Usage: geekos \[options\]/);
    }
  });

  it('takes the firmware options: -bios, -vga-bios, -cdrom, -hda, -boot, -nographic, -bios-log, -vga-text', () => {
    const r = parseCli(['-bios', 'bios.bin', '-vga-bios', 'vga.bin', '-cdrom', 'boot.iso', '-hda', 'disk.img', '-boot', 'd', '-nographic', '-bios-log', 'b.log', '-vga-text', 's.txt']);
    expect(r.kind).toBe('run');
    if (r.kind === 'run') {
      expect(r.options).toMatchObject({ bios: 'bios.bin', vgaBios: 'vga.bin', cdrom: 'boot.iso', hda: 'disk.img', boot: 'd', nographic: true, biosLog: 'b.log', vgaText: 's.txt', kernel: null });
    }
    // -hda and -cdrom also go with -kernel (a Linux kernel drives the IDE disk itself).
    expect(parseCli(['-kernel', 'k', '-hda', 'disk.img']).kind).toBe('run');
  });

  it('refuses firmware options that do not fit together', () => {
    const msg = (argv: string[]): string => {
      const r = parseCli(argv);
      return r.kind === 'usage-error' ? r.message : r.kind;
    };
    expect(msg(['-bios', 'b', '-kernel', 'k'])).toMatch(/-bios and -kernel exclude each other/);
    expect(msg(['-vga-bios', 'v'])).toBe('-vga-bios needs -bios');
    expect(msg(['-nographic'])).toBe('-nographic needs -bios');
    expect(msg(['-boot', 'd'])).toBe('-boot needs -bios');
    expect(msg(['-bios', 'b', '-boot', 'a'])).toBe("-boot: expected c (disk) or d (CD-ROM), got 'a'");
  });

  it('-h and -help give the usage with one-dash options', () => {
    for (const argv of [['-h'], ['-help']]) {
      const r = parseCli(argv);
      expect(r.kind).toBe('help');
      if (r.kind === 'help') {
        expect(r.text).toMatch(/^ {2}-serial /m);
        expect(r.text).toMatch(/^ {2}-no-reboot /m);
        expect(r.text).not.toMatch(/--serial/);
      }
    }
  });

  it('resolves paths against INIT_CWD only when run by a package script in its package directory', () => {
    expect(callerDir('/repo', { INIT_CWD: '/home/me', npm_package_json: '/repo/package.json' })).toBe('/home/me');
    expect(callerDir('/elsewhere', { INIT_CWD: '/home/me', npm_package_json: '/repo/package.json' })).toBe('/elsewhere');
    expect(callerDir('/repo', {})).toBe('/repo');
  });

  it('maps each way a run ends to its exit status and one line', () => {
    expect(exitStatus({ reason: 'poweroff', message: '' })).toBe(EXIT.POWEROFF);
    expect(exitStatus({ reason: 'error', message: 'x' })).toBe(EXIT.ERROR);
    expect(exitStatus({ reason: 'shutdown', message: '' })).toBe(EXIT.SHUTDOWN);
    expect(exitStatus({ reason: 'reset', message: '' })).toBe(EXIT.RESET);
    expect(exitStatus({ reason: 'halted', message: '' })).toBe(EXIT.HALTED);
    expect(exitStatus({ reason: 'stopped', message: '' })).toBe(EXIT.STOPPED);
    expect(exitLine({ reason: 'poweroff', message: '' })).toBe('geekos: the guest powered off');
    expect(exitLine({ reason: 'halted', message: 'the CPU halted' })).toBe('geekos: the CPU halted');
  });
});

describe('the geekos command refuses bad input before anything runs', () => {
  it('an unknown option: the usage on stderr, exit 2', async () => {
    const r = await geekos(bundle, ['-bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^geekos: Unknown argument: bogus/m);
    expect(r.stderr).toContain('Usage: geekos [options]');
    expect(r.stdout).toBe('');
  });

  it('-h: the usage on stdout, exit 0', async () => {
    const r = await geekos(bundle, ['-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: geekos [options]');
  });

  it('-m abc: the VMM\'s configuration error, exit 2', async () => {
    const r = await geekos(bundle, ['-m', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('memory: expected a number of MiB ≥ 1, got "abc"');
  });

  it('-m 0: refused by the VMM\'s schema', async () => {
    const r = await geekos(bundle, ['-m', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/memory: expected a number of MiB ≥ 1/);
  });

  it('a -kernel that does not exist: exit 2 naming the file', async () => {
    const r = await geekos(bundle, ['-kernel', '/nonexistent/v3/kernel.bin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-kernel \/nonexistent\/v3\/kernel\.bin: cannot read it \(ENOENT\)/);
  });

  it('-append with a flat image: exit 2, the options apply to Linux and Multiboot kernels', async () => {
    const dir = tempDir();
    const flat = join(dir, 'flat.bin');
    writeFileSync(flat, Uint8Array.of(0xfa, 0xf4));
    const r = await geekos(bundle, ['-kernel', flat, '-append', 'console=ttyS0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flat\.bin is a flat image: -initrd and -append apply to Linux and Multiboot kernels/);
  });

  it('a -bios that does not exist, a BIOS of the wrong size, a VGA BIOS without a ROM signature, a missing -cdrom: exit 2', async () => {
    const dir = tempDir();
    const small = join(dir, 'small.bin');
    writeFileSync(small, new Uint8Array(1000));
    const bios = join(dir, 'bios.bin');
    writeFileSync(bios, new Uint8Array(0x10000));
    let r = await geekos(bundle, ['-bios', join(dir, 'none.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-bios .*none\.bin: cannot read it \(ENOENT\)/);
    r = await geekos(bundle, ['-bios', small]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/boot\.bios: expected a BIOS image of a whole number of 64 KiB blocks, at most 16 MiB; 'bios' has 1000 bytes/);
    r = await geekos(bundle, ['-bios', bios, '-vga-bios', small]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/boot\.vgaBios: expected an option ROM \(it starts with 55 AA\)/);
    r = await geekos(bundle, ['-bios', bios, '-cdrom', join(dir, 'none.iso')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-cdrom: image '.*none\.iso': no such file/);
  });

  it('a -serial file that cannot be created: exit 2', async () => {
    const r = await geekos(bundle, ['-serial', 'file:/nonexistent/dir/serial.out']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot create it \(ENOENT\)/);
  });
});
