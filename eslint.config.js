// One flat config for the whole monorepo. Its first job is to enforce the arrows of the design:
//   apps/* -> packages/hosts/* -> @v3/vmm -> @v3/x86
//   apps/* -> packages/devices/* -> @v3/device-api <- @v3/vmm
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

/** Import rules per room of the house; exported so the arrows can be tested. */
export const arrows = [
  {
    files: ['packages/x86/**/*.ts'],
    rules: restrict(['@v3/*'], '@v3/x86 is a CPU library on its own: it imports no @v3 package.'),
  },
  {
    files: ['packages/device-api/**/*.ts'],
    rules: restrict(['@v3/*', '!@v3/device-api'], '@v3/device-api is the bottom of the device arrows: no @v3 imports.'),
  },
  {
    files: ['packages/vmm/**/*.ts'],
    rules: restrict(
      ['@v3/dev-*', '@v3/host-*', '@v3/app-*', '@v3/device-testkit'],
      '@v3/vmm never imports a device or a host: devices are registered with it, hosts call it.',
    ),
  },
  {
    files: ['packages/devices/**/*.ts'],
    ignores: ['packages/devices/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@v3/*', '!@v3/device-api', '!@v3/dev-*'], message: 'A device depends on @v3/device-api only.' }],
      }],
      // Another device may be named for its interface only (IDE asking for a PCI bus by id).
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['@v3/dev-*'], allowTypeImports: true, message: 'Only type imports of another device are allowed.' }],
      }],
    },
  },
  {
    files: ['packages/devices/**/*.test.ts'],
    rules: restrict(['@v3/vmm', '@v3/host-*', '@v3/x86'], 'Device tests use the fake VMM of @v3/device-testkit.'),
  },
  {
    files: ['packages/hosts/**/*.ts'],
    rules: restrict(['@v3/dev-*', '@v3/app-*', '@v3/x86'], 'A host implements os_hooks for @v3/vmm; it does not reach devices or the CPU.'),
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', '**/*.config.ts', '**/*.mjs', '**/*.js', '**/guest/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['packages/hosts/**/*.ts', 'apps/**/*.ts', 'tools/**/*.ts', '**/*.test.ts', '**/test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  ...arrows,
);
