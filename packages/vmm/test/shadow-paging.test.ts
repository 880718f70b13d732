import { afterEach, describe, expect, it } from 'vitest';
import type { Cpu } from '@v3/x86';
import { v3_create_vm, v3_format_telemetry, v3_free_vm, v3_init, v3_shutdown, type V3OsHooks } from '../src/index.js';
import { SHADOW_POOL_PAGES } from '../src/shadow-paging/index.js';

/** Host pages handed out and given back, by host-physical address. */
function countingHooks(live: Map<number, number>): V3OsHooks {
  let next = 0x100000;
  return {
    print: () => {},
    allocate_pages: (n) => {
      const paddr = next;
      next += n * 4096;
      live.set(paddr, n);
      return { paddr, bytes: new Uint8Array(n * 4096) };
    },
    free_pages: (paddr, n) => {
      expect(live.get(paddr)).toBe(n);
      live.delete(paddr);
    },
  };
}

afterEach(() => v3_shutdown());

describe("paging: 'shadow'", () => {
  const config = (paging: 'nested' | 'shadow') => ({
    memory: 1, paging, files: { image: new Uint8Array([0xf4]) }, boot: { kind: 'flat' as const, file: 'image' }, devices: [],
  });

  it('gives each core a shadow pager whose tables are host pages of their own, given back by v3_free_vm', () => {
    const live = new Map<number, number>();
    v3_init(countingHooks(live), 1);
    const vm = v3_create_vm(config('shadow'), null, 'shadow');
    const sizes = [...live.values()].sort((a, b) => a - b);
    expect(sizes).toEqual([256, SHADOW_POOL_PAGES]); // 1 MiB of guest RAM, the shadow pool
    const cpu = vm.cores[0].engine as unknown as Cpu;
    expect(cpu.shadowMmu).not.toBeNull();
    v3_free_vm(vm);
    expect(live.size).toBe(0);
  });

  it('nested paging installs no pager and takes no extra pages', () => {
    const live = new Map<number, number>();
    v3_init(countingHooks(live), 1);
    const vm = v3_create_vm(config('nested'), null, 'nested');
    expect([...live.values()]).toEqual([256]);
    expect((vm.cores[0].engine as unknown as Cpu).shadowMmu).toBeNull();
    expect(v3_format_telemetry(vm)).not.toMatch(/shadow paging/);
    v3_free_vm(vm);
  });
});
