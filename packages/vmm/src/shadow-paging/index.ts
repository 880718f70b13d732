import type { Cpu } from '@v3/x86';
import type { V3VmInfo } from '../vm.js';
import { ShadowPager, type ShadowPagerEvents } from './pager.js';

export { ShadowPager, type ShadowPagerEvents } from './pager.js';

/**
 * Shadow table pages per core (4 MiB of host memory). When they run out the pager drops every
 * shadow entry and starts over, as a full TLB flush would.
 */
export const SHADOW_POOL_PAGES = 1024;

/** Give core `coreId`'s CPU a shadow pager whose tables live in host pages the VMM allocates. */
export function attachShadowPager(vm: V3VmInfo, cpu: Cpu, coreId: number): ShadowPager {
  const bytes = vm.allocateVmmPages(SHADOW_POOL_PAGES, `core ${coreId}'s shadow page tables`);
  const tables = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  const t = vm.telemetry;
  const debugOn = __DEBUG_SHADOW_PAGING__ && vm.debugOn('SHADOW_PAGING');
  const events: ShadowPagerEvents = {
    fault: (_lin, _err, injected) => {
      t.shadowPageFaults++;
      if (injected < 0) t.shadowFills++;
      else t.shadowInjectedPfs++;
    },
    controlWrite: (cr) => {
      if (cr === 3) t.cr3Writes++;
      else t.crWrites++;
    },
    invlpg: () => {
      t.invlpgs++;
    },
    flush: () => {},
    debug: debugOn ? (line) => vm.debug('SHADOW_PAGING', `core ${coreId}: ${line}`) : null,
  };
  const pager = new ShadowPager(cpu, tables, events);
  cpu.setShadowMmu(pager);
  return pager;
}
