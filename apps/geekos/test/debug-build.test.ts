import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildBundle, buildDir, cleanEnv, geekos } from './helpers.js';

const bundle = inject('bundle');
/** The PIC's debug prefix (the device's PrintDebug lines). */
const PIC_PREFIX = '8259A:';

let debugBundle = '';
let dir = '';
beforeAll(async () => {
  dir = buildDir('debug-pic-');
  debugBundle = await buildBundle(dir, { DEBUG_PIC: '1' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DEBUG_PIC: debug output compiled in at build time, switched at run time', () => {
  it('a DEBUG_PIC=1 build carries the PIC debug code; a normal build does not', () => {
    expect(readFileSync(debugBundle, 'utf8')).toContain(PIC_PREFIX);
    expect(readFileSync(bundle, 'utf8')).not.toContain(PIC_PREFIX);
  });

  it('the DEBUG_PIC build prints PIC debug lines while the guest runs', async () => {
    const r = await geekos(debugBundle, ['-clock', 'virtual', '-serial', 'null', '-debug', 'PIC']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes(PIC_PREFIX));
    expect(lines.length).toBeGreaterThan(5);
  });

  it('a normal build refuses -debug PIC and DEBUG_PIC=1, telling how to rebuild', async () => {
    for (const r of [
      await geekos(bundle, ['-serial', 'null', '-debug', 'pic']),
      await geekos(bundle, ['-serial', 'null'], { env: cleanEnv({ DEBUG_PIC: '1' }) }),
    ]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/PIC is not compiled into this build; rebuild with DEBUG_PIC=1/);
    }
  });

  it('-debug ALL on a build without debug code is refused; on the DEBUG_PIC build it means the PIC', async () => {
    const refused = await geekos(bundle, ['-serial', 'null', '-debug', 'ALL']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no debug output is compiled into this build/);
    const r = await geekos(debugBundle, ['-clock', 'virtual', '-serial', 'null', '-debug', 'ALL']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(PIC_PREFIX);
  });

  it('-debug takes only known components', async () => {
    const r = await geekos(bundle, ['-debug', 'PIC,NOPE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-debug: unknown component 'NOPE'/);
  });
});
