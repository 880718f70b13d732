import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildBundle, buildDir, geekos } from './helpers.js';

const bundle = inject('bundle');
/** A phrase only the shadow pager's PrintDebug lines carry. */
const SHADOW_LINE = 'pages in use)';

let debugBundle = '';
let dir = '';
beforeAll(async () => {
  dir = buildDir('debug-shadow-');
  debugBundle = await buildBundle(dir, { DEBUG_SHADOW_PAGING: '1' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('-paging shadow and DEBUG_SHADOW_PAGING', () => {
  it('the default guest runs to power off under shadow paging, and -telemetry counts the shadow exits', async () => {
    const r = await geekos(bundle, ['-clock', 'virtual', '-serial', 'null', '-paging', 'shadow', '-telemetry']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/telemetry: shadow paging: page-fault=[1-9]\d* \(fills=[1-9]\d* injected=0\) cr3=1 /);
  });

  it('the pager debug lines are compiled in only with DEBUG_SHADOW_PAGING=1, and print with -debug SHADOW_PAGING', async () => {
    expect(readFileSync(debugBundle, 'utf8')).toContain(SHADOW_LINE);
    expect(readFileSync(bundle, 'utf8')).not.toContain(SHADOW_LINE);
    const r = await geekos(debugBundle, ['-clock', 'virtual', '-serial', 'null', '-paging', 'shadow', '-debug', 'SHADOW_PAGING']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes('SHADOW_PAGING: core 0: #PF at 0x'));
    expect(lines.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/SHADOW_PAGING: core 0: MOV CR3: /);
  });
});
