import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** Lint `code` as if it were the file at `path` (relative to the repo root). */
async function importErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('eslint enforces the arrows of the design', () => {
  it('rejects @v3/x86 importing any @v3 package', async () => {
    const errs = await importErrors('packages/x86/src/probe.ts', "import { V3Error } from '@v3/device-api';\nexport const x = V3Error;\n");
    expect(errs.join()).toMatch(/CPU library on its own/);
  });

  it('rejects @v3/vmm importing a device or a host', async () => {
    expect((await importErrors('packages/vmm/src/probe.ts', "import { i8254 } from '@v3/dev-i8254';\nexport const x = i8254;\n")).length).toBe(1);
    expect((await importErrors('packages/vmm/src/probe.ts', "import * as h from '@v3/host-geekos';\nexport const x = h;\n")).length).toBe(1);
  });

  it('rejects a device importing the VMM, and allows another device only as a type', async () => {
    expect((await importErrors('packages/devices/i8254/src/probe.ts', "import { v3_init } from '@v3/vmm';\nexport const x = v3_init;\n")).length).toBe(1);
    expect((await importErrors('packages/devices/ide/src/probe.ts', "import { pci } from '@v3/dev-pci';\nexport const x = pci;\n")).length).toBe(1);
    expect(await importErrors('packages/devices/ide/src/probe.ts', "import type { PciBus } from '@v3/dev-pci';\nexport type X = PciBus;\n")).toEqual([]);
    expect(await importErrors('packages/devices/ide/src/probe.ts', "import { V3Error } from '@v3/device-api';\nexport const x = V3Error;\n")).toEqual([]);
  });

  it('rejects a host reaching a device or the CPU, and accepts the allowed arrows', async () => {
    expect((await importErrors('packages/hosts/geekos/src/probe.ts', "import { Cpu } from '@v3/x86';\nexport const x = Cpu;\n")).length).toBe(1);
    expect(await importErrors('packages/hosts/geekos/src/probe.ts', "import { v3_init } from '@v3/vmm';\nexport const x = v3_init;\n")).toEqual([]);
    expect(await importErrors('packages/vmm/src/probe.ts', "import { Cpu } from '@v3/x86';\nexport const x = Cpu;\n")).toEqual([]);
    expect(await importErrors('apps/geekos/src/probe.ts', "import { i8254 } from '@v3/dev-i8254';\nexport const x = i8254;\n")).toEqual([]);
  });
});

/** Every workspace package.json under `dir`. */
function packagesUnder(dir: string): { dir: string; json: { name: string; dependencies?: Record<string, string>; private?: boolean } }[] {
  const out: { dir: string; json: { name: string; dependencies?: Record<string, string> } }[] = [];
  const abs = join(root, dir);
  if (!existsSync(abs)) return out;
  for (const entry of readdirSync(abs)) {
    const pj = join(abs, entry, 'package.json');
    if (existsSync(pj)) out.push({ dir: relative(root, join(abs, entry)), json: JSON.parse(readFileSync(pj, 'utf8')) });
  }
  return out;
}

describe('package.json dependencies draw the same arrows', () => {
  const deps = (p: { json: { dependencies?: Record<string, string> } }) => Object.keys(p.json.dependencies ?? {}).filter((d) => d.startsWith('@v3/'));

  it('@v3/x86 depends on no @v3 package and @v3/vmm on no device or host', () => {
    const [x86] = packagesUnder('packages').filter((p) => p.json.name === '@v3/x86');
    const [vmm] = packagesUnder('packages').filter((p) => p.json.name === '@v3/vmm');
    expect(deps(x86!)).toEqual([]);
    expect(deps(vmm!).sort()).toEqual(['@v3/device-api', '@v3/x86']);
  });

  it('devices depend on @v3/device-api only', () => {
    const devices = packagesUnder('packages/devices');
    for (const d of devices) expect(deps(d), d.dir).toEqual(['@v3/device-api']);
  });
});
