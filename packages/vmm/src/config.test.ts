import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { parseVmConfig } from './config.js';

const image = new Uint8Array([0xf4]);
const good = { memory: 16, files: { kernel: image }, boot: { kind: 'flat', file: 'kernel' }, devices: [] };

function problems(cfg: unknown): string {
  try {
    parseVmConfig(cfg);
  } catch (e) {
    expect(e).toBeInstanceOf(V3Error);
    expect((e as V3Error).detail.component).toBe('config');
    return (e as Error).message;
  }
  throw new Error('configuration was accepted');
}

describe('VM configuration', () => {
  it('fills in defaults', () => {
    const cfg = parseVmConfig(good);
    expect(cfg).toMatchObject({ memory: 16, cores: 1, paging: 'nested', clock: 'host', onReset: 'reset' });
    expect(cfg.boot).toEqual({ kind: 'flat', file: 'kernel', address: 0x7c00 });
  });

  it('names the key path and what was expected', () => {
    expect(problems({ ...good, memory: 'abc' })).toMatch(/memory: expected a number of MiB ≥ 1, got "abc"/);
    expect(problems({ ...good, memory: 0 })).toMatch(/memory: expected a number of MiB ≥ 1/);
    expect(problems({ ...good, clock: 'wall' })).toMatch(/clock: expected 'host' \| 'virtual'/);
    expect(problems({ ...good, paging: 'npt' })).toMatch(/paging: expected 'nested' \| 'shadow'/);
    expect(problems({ ...good, devices: [{ class: 'PIC' }] })).toMatch(/devices\[0\]\.id: /);
    expect(problems({ ...good, boot: { kind: 'flat', file: 'kernel', address: 0x10 } })).toMatch(/boot\.address: expected an address ≥ 0x500/);
    expect(problems({ ...good, colour: 'red' })).toMatch(/unknown key\(s\) 'colour'/);
    expect(problems({ ...good, debug: ['PICS'] })).toMatch(/debug\[0\]: expected one of/);
  });

  it('accepts both paging modes', () => {
    expect(parseVmConfig({ ...good, paging: 'shadow' }).paging).toBe('shadow');
    expect(parseVmConfig({ ...good, paging: 'nested' }).paging).toBe('nested');
  });

  it('refuses duplicate device ids and a boot file that is not given', () => {
    const dup = { ...good, devices: [{ class: 'A', id: 'x' }, { class: 'B', id: 'x' }] };
    expect(problems(dup)).toMatch(/devices\[1\]\.id: expected a unique id, 'x' is used twice/);
    expect(problems({ ...good, boot: { kind: 'flat', file: 'nope' } })).toMatch(/boot\.file: expected a key of files, got 'nope'/);
  });

  it('lists every problem, not just the first', () => {
    const msg = problems({ memory: -1, boot: { kind: 'flat', file: 'k' }, devices: 'x', files: {} });
    expect(msg).toMatch(/memory:/);
    expect(msg).toMatch(/devices:/);
  });
});

describe('bios boot configuration', () => {
  const base = { memory: 16, devices: [] };
  const rom = (n: number): Uint8Array => {
    const b = new Uint8Array(n);
    b[0] = 0x55;
    b[1] = 0xaa;
    return b;
  };
  it('accepts a 128 KiB BIOS with a VGA BIOS and an option ROM', () => {
    const cfg = parseVmConfig({ ...base, files: { bios: new Uint8Array(0x20000), vga: rom(38400), nic: rom(0x800) }, boot: { kind: 'bios', bios: 'bios', vgaBios: 'vga', optionRoms: [{ file: 'nic', address: 0xc9800 }] } });
    expect(cfg.boot.kind).toBe('bios');
  });
  it('refuses a BIOS that is not whole 64 KiB blocks, a ROM without 55 AA, a misplaced option ROM', () => {
    expect(() => parseVmConfig({ ...base, files: { bios: new Uint8Array(1000) }, boot: { kind: 'bios', bios: 'bios' } })).toThrow(
      /boot\.bios: expected a BIOS image of a whole number of 64 KiB blocks, at most 16 MiB; 'bios' has 1000 bytes/,
    );
    expect(() => parseVmConfig({ ...base, files: { bios: new Uint8Array(0x10000), vga: new Uint8Array(0x1000) }, boot: { kind: 'bios', bios: 'bios', vgaBios: 'vga' } })).toThrow(
      /boot\.vgaBios: expected an option ROM \(it starts with 55 AA\)/,
    );
    expect(() => parseVmConfig({ ...base, files: { bios: new Uint8Array(0x10000), r: rom(0x800) }, boot: { kind: 'bios', bios: 'bios', optionRoms: [{ file: 'r', address: 0xc8100 }] } })).toThrow(
      /boot\.optionRoms\[0\]\.address: expected a 2 KiB aligned address/,
    );
    expect(() => parseVmConfig({ ...base, files: {}, boot: { kind: 'bios', bios: 'bios' } })).toThrow(/boot\.bios: expected a key of files, got 'bios'/);
  });
});
