import { spawn, type SpawnOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** apps/geekos */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A fresh temporary directory. */
export function tempDir(prefix = 'v3-geekos-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A fresh directory for a test build of the image. It sits under the app's node_modules (git
 * ignores it) because the bundle keeps yargs external: Node must find it from there.
 */
export function buildDir(prefix: string): string {
  const base = join(APP_DIR, 'node_modules', '.cache', 'v3-geekos-test');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}

/**
 * The environment of a child run: ours without DEBUG_ switches and without the variables pnpm
 * sets for scripts (INIT_CWD...), so a run sees only what a test gives it.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('DEBUG_') || k === 'INIT_CWD' || k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Build the unified image with tsup into `outDir`; returns the bundle's path. */
export async function buildBundle(outDir: string, env: Record<string, string> = {}): Promise<string> {
  const tsup = createRequire(import.meta.url).resolve('tsup/package.json').replace(/package\.json$/, 'dist/cli-default.js');
  const r = await run(process.execPath, [tsup, '--out-dir', outDir, '--no-sourcemap'], { cwd: APP_DIR, env: cleanEnv(env) }, 180_000);
  if (r.code !== 0) throw new Error(`tsup failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return join(outDir, 'geekos.js');
}

/** What a finished child process left. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a command to its end (killed after `timeoutMs`), feeding `input` once `when(stdout)` holds. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: SpawnOptions & { input?: { when: (stdout: string) => boolean; bytes?: string; signal?: NodeJS.Signals } } = {},
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    let fed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (opts.input && !fed && opts.input.when(stdout)) {
        fed = true;
        if (opts.input.bytes !== undefined) child.stdin?.write(opts.input.bytes);
        if (opts.input.signal) child.kill(opts.input.signal);
      }
    });
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (!opts.input) child.stdin?.end();
  });
}

/** Run the built `geekos` bundle with `args`. */
export function geekos(bundle: string, args: readonly string[], opts: Parameters<typeof run>[2] = {}, timeoutMs?: number): Promise<RunResult> {
  return run(process.execPath, [bundle, ...args], { env: cleanEnv(), ...opts }, timeoutMs);
}
