import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bochsDebug } from '@v3/dev-bochs-debug';
import { i8259a } from '@v3/dev-i8259a';
import {
  v3_create_vm,
  v3_free_vm,
  v3_get_telemetry,
  v3_init,
  v3_shutdown,
  v3_start_vm,
  v3_stop_vm,
  v3_wait_vm,
  type V3OsHooks,
  type V3Telemetry,
  type V3StreamHooks,
  type V3VmConfig,
  type V3VmExit,
  type V3VmInfo,
} from '@v3/vmm';

/**
 * Boots every `bin/<name>.bin` (assembled from `asm/<name>.asm`, see build.sh and README) as a
 * flat image through @v3/vmm with only the Bochs debug device, and reads its verdict from port
 * 0xE9: each program prints `ok`/`not ok` lines, then `PASS <name>` or `FAIL <name>`, and powers
 * off by writing `Shutdown` to port 0x8900.
 */

const here = dirname(fileURLToPath(import.meta.url));
const binDir = join(here, '..', 'bin');
const MiB = 1024 * 1024;
const MEMORY_MIB = 16;
/** Wall-clock guard: a program that loops forever is stopped and reported. */
const GUARD_MS = 20_000;
const E9_STREAM = 'e9';

/**
 * Programs that pass on QEMU (the oracle) but not on v3. Each entry names what differs; the test
 * is marked `it.fails` so CI stays green and flips to a failure once the CPU is fixed (then drop
 * the entry).
 */
const KNOWN_V3_BUGS: Record<string, string> = {
};

/**
 * The paging modes every program runs under: the CPU walking the guest's tables (nested) and the
 * VMM's shadow page tables (shadow). Both must give the guest the same results.
 */
const PAGING_MODES: NonNullable<V3VmConfig['paging']>[] = ['nested', 'shadow'];

function hostHooks(log: string[]): V3OsHooks {
  return {
    print: (m) => void log.push(m),
    allocate_pages: (n) => ({ paddr: 0x100000, bytes: new Uint8Array(n * 4096) }),
    free_pages: () => {},
    create_thread_on_cpu: (_cpu, fn, arg) => ({ fn, arg }),
    start_thread: (t) => {
      const { fn, arg } = t as { fn: (a: unknown) => Promise<void>; arg: unknown };
      void fn(arg);
    },
    yield_cpu: () => new Promise((r) => setImmediate(r)),
    sleep_cpu: (us) => new Promise((r) => setTimeout(r, us / 1000)),
  };
}

/** Collects what the guest writes to port 0xE9 (the device's `stream`). */
function e9Streams(out: number[]): V3StreamHooks {
  return {
    open: () => ({
      write: (bytes) => {
        for (const b of bytes) out.push(b);
      },
      close: () => {},
    }),
  };
}

interface GuestRun {
  exit: V3VmExit;
  output: string;
  log: string[];
  /** The CPU's architectural state when the run ended. */
  state: ReturnType<V3VmInfo['cores'][number]['engine']['getState']>;
  /** Guest RAM when the run ended. */
  ram: Uint8Array;
  telemetry: V3Telemetry;
}

async function runGuest(image: Uint8Array, paging: NonNullable<V3VmConfig['paging']>): Promise<GuestRun> {
  const log: string[] = [];
  const e9: number[] = [];
  v3_init(hostHooks(log), 1, { devices: [bochsDebug, i8259a], streams: e9Streams(e9) });
  const vm = v3_create_vm(
    {
      memory: MEMORY_MIB,
      paging,
      clock: 'virtual',
      onReset: 'stop',
      files: { image },
      boot: { kind: 'flat', file: 'image' },
      devices: [
        // lib.inc masks the 8259As a BIOS may have left running (QEMU): give it the real pair,
        // so every other port still fails stop.
        { class: '8259A', id: 'PIC' },
        { class: 'BOCHS_DEBUG', id: 'debug', stream: E9_STREAM },
      ],
    },
    null,
    'guest-test',
  );
  v3_start_vm(vm, 1);
  let guard: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    guard = setTimeout(() => {
      log.push(`guest-tests: stopped after ${GUARD_MS} ms of wall-clock time`);
      v3_stop_vm(vm);
      resolve();
    }, GUARD_MS);
  });
  const exit = await Promise.race([v3_wait_vm(vm), timedOut.then(() => v3_wait_vm(vm))]);
  clearTimeout(guard);
  const state = vm.cores[0].engine.getState();
  const ram = vm.mem.ram.slice();
  const telemetry = v3_get_telemetry(vm);
  v3_free_vm(vm);
  return { exit, output: String.fromCharCode(...e9), log, state, ram, telemetry };
}

const programs = readdirSync(binDir)
  .filter((f) => f.endsWith('.bin'))
  .map((f) => f.slice(0, -'.bin'.length))
  .sort();

afterEach(() => {
  v3_shutdown();
});

describe.each(PAGING_MODES)('guest programs (paging: %s)', (paging) => {
  it('finds the programs', () => {
    expect(programs.length).toBeGreaterThan(0);
  });

  for (const name of programs) {
    const bug = KNOWN_V3_BUGS[name];
    const test = bug === undefined ? it : it.fails;
    test(`${name}${bug === undefined ? '' : ` (known v3 bug: ${bug})`}`, async () => {
      const image = new Uint8Array(readFileSync(join(binDir, `${name}.bin`)));
      expect(image.length).toBeLessThanOrEqual(64 * 1024);
      expect(MEMORY_MIB * MiB).toBeGreaterThan(image.length);
      const { exit, output, log } = await runGuest(image, paging);
      const report = `exit: ${exit.reason} (${exit.message})\n--- port 0xE9 ---\n${output}--- host log ---\n${log.join('\n')}`;
      // GUEST_TESTS_SHOW=<name>|all prints the whole report, also for programs run as it.fails.
      const show = process.env['GUEST_TESTS_SHOW'];
      if (show === 'all' || show === name) process.stdout.write(`=== ${name} (paging: ${paging})\n${report}\n`);
      expect(exit.reason, report).toBe('poweroff');
      expect(output.includes(`PASS ${name}\n`), report).toBe(true);
      expect(/^not ok /m.test(output), report).toBe(false);
    });
  }
});

/**
 * Differential check of the two paging modes: the same program must end with the same CPU state
 * (registers, segments, CR0-CR4, retired instructions), byte-identical guest RAM (page tables with
 * their accessed and dirty bits included) and the same debug-port output. The programs that turn
 * paging on must have gone through the shadow pager.
 */
describe('nested and shadow paging give identical guests', () => {
  const pagingPrograms = new Set(['paging', 'pse', 'pge', 'pae', 'tss']);
  for (const name of programs) {
    it(name, async () => {
      const image = new Uint8Array(readFileSync(join(binDir, `${name}.bin`)));
      const nested = await runGuest(image, 'nested');
      v3_shutdown();
      const shadow = await runGuest(image, 'shadow');
      expect(shadow.exit).toEqual(nested.exit);
      expect(shadow.output).toBe(nested.output);
      expect(shadow.state).toEqual(nested.state);
      let firstDiff = -1;
      for (let i = 0; i < nested.ram.length && firstDiff < 0; i++) if (nested.ram[i] !== shadow.ram[i]) firstDiff = i;
      expect(firstDiff, `guest RAM differs first at 0x${firstDiff.toString(16)}`).toBe(-1);
      const n = nested.telemetry.exits;
      expect(n.shadowPageFault + n.cr3 + n.cr + n.invlpg).toBe(0);
      if (pagingPrograms.has(name)) {
        const s = shadow.telemetry;
        expect(s.exits.shadowPageFault).toBeGreaterThan(0);
        expect(s.shadow.fills + s.shadow.injectedPageFaults).toBe(s.exits.shadowPageFault);
        expect(s.exits.cr).toBeGreaterThan(0);
      }
    });
  }
});
