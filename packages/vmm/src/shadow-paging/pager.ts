import type { Cpu, ShadowMmu } from '@v3/x86';

/**
 * Shadow paging, as Palacios does it without nested paging (`vmm_shadow_paging.c`,
 * `vmm_shadow_paging_32.c`, `vmm_shadow_paging_32pae.c`): the VMM keeps page tables of its own
 * that map guest-linear addresses straight to guest-physical frames, fills them from the guest's
 * tables on the page faults they take, and drops them when the guest changes its tables' root
 * (CR3), its paging mode (CR0, CR4, EFER.NXE) or one mapping (INVLPG).
 *
 * The pager walks the guest's tables itself with the same rules the CPU's nested walk uses
 * (present, reserved bits, U/S, R/W with CR0.WP, XD with EFER.NXE) and decides fault-or-fill:
 * a walk the guest's own tables would fault is a #PF for the guest with the guest's error code;
 * otherwise it sets the guest's accessed bits (and the dirty bit for a write) exactly as the CPU
 * would, and writes one 4 KiB shadow PTE. A page that is not dirty yet is mapped read-only, so the
 * first write comes back here to set the dirty bit (Palacios' rule). Guest 4 MiB and 2 MiB pages
 * are split into 4 KiB shadow PTEs.
 */

const CR0_WP = 0x10000;
const CR4_PSE = 0x10;
const CR4_PAE = 0x20;
const EFER_NXE = 0x800;
/** Reserved bits of a 4 MiB PDE without PSE-36: 21:13 (SDM Vol. 3 Table 4-5). */
const PDE4M_RSVD = 0x003fe000;
/** Shadow PDE available bit 9: its table was split from a guest large page (INVLPG drops the PDE). */
const SPLIT = 0x200;
const WORDS_PER_PAGE = 1024;

/** What the pager reports: counts (telemetry) and a debug line printer (null: compiled out or off). */
export interface ShadowPagerEvents {
  /** A shadow page fault was handled: `filled` or the guest #PF error code injected. */
  fault(lin: number, err: number, injected: number): void;
  controlWrite(cr: 0 | 3 | 4, old: number, now: number): void;
  invlpg(lin: number): void;
  flush(pagesDropped: number): void;
  /** PrintDebug for DEBUG_SHADOW_PAGING, or null when that output is off. */
  readonly debug: ((line: string) => void) | null;
}

/** A shadow pager for one core. `tables` is VMM-owned memory (not guest RAM), `pages` 4 KiB pages. */
export class ShadowPager implements ShadowMmu {
  readonly tables: Int32Array;
  /** The shadow root always sits in page 0 of `tables`. */
  readonly root = 0;
  /** Pages of `tables` in use (page 0 is the root). */
  private used = 1;
  /** Pool pages, including the root. */
  readonly pages: number;

  constructor(
    private readonly cpu: Cpu,
    tables: Int32Array,
    private readonly events: ShadowPagerEvents | null = null,
  ) {
    this.pages = Math.floor(tables.length / WORDS_PER_PAGE);
    if (this.pages < 4) throw new Error('shadow paging: the table pool needs at least 4 pages');
    this.tables = tables;
    this.tables.fill(0, 0, WORDS_PER_PAGE);
  }

  /** Shadow table pages in use (the root included). */
  get pagesInUse(): number {
    return this.used;
  }

  // ---- ShadowMmu: the intercepts ----

  pageFault(lin: number, err: number): number {
    const cpu = this.cpu;
    const write = (err >> 1) & 1;
    const user = (err & 4) !== 0;
    const fetch = (err & 0x10) !== 0;
    const injected = (cpu.cr4 & CR4_PAE) !== 0 ? this.walkPae(lin, write, user, fetch) : this.walk32(lin, write, user);
    this.events?.fault(lin, err, injected);
    const dbg = this.events?.debug;
    if (__DEBUG_SHADOW_PAGING__ && dbg) {
      dbg(`#PF at 0x${hex(lin)} err 0x${err.toString(16)} (${(cpu.cr4 & CR4_PAE) !== 0 ? 'PAE' : '32-bit'}): ` +
        (injected < 0 ? `filled (${this.used} pages in use)` : `inject #PF err 0x${injected.toString(16)}`));
    }
    return injected;
  }

  controlWrite(cr: 0 | 3 | 4, old: number): void {
    const cpu = this.cpu;
    const now = cr === 0 ? cpu.cr0 : cr === 3 ? cpu.cr3 : cpu.cr4;
    this.events?.controlWrite(cr, old, now);
    const dbg = this.events?.debug;
    if (__DEBUG_SHADOW_PAGING__ && dbg) dbg(`MOV CR${cr}: 0x${hex(old)} -> 0x${hex(now)}`);
    // The CPU flushed its TLB before reporting, and a flush already dropped every shadow entry
    // (`flush`); dropping here again keeps this correct should that ever change.
    this.dropAll();
  }

  invlpg(lin: number): void {
    this.events?.invlpg(lin);
    const dbg = this.events?.debug;
    if (__DEBUG_SHADOW_PAGING__ && dbg) dbg(`INVLPG 0x${hex(lin)}`);
    const t = this.tables;
    if ((this.cpu.cr4 & CR4_PAE) === 0) {
      const d = lin >>> 22;
      const spde = t[d];
      if ((spde & 1) === 0) return;
      // A guest 4 MiB page: every shadow PTE split from it goes (INVLPG anywhere in a large
      // page invalidates the whole page, SDM Vol. 3 §4.10.4.1).
      if ((spde & SPLIT) !== 0) t[d] = 0;
      else t[((spde & ~0xfff) >>> 2) + ((lin >>> 12) & 0x3ff)] = 0;
      return;
    }
    const spdp = t[(lin >>> 30) << 1];
    if ((spdp & 1) === 0) return;
    const pdi = ((spdp & ~0xfff) >>> 2) + (((lin >>> 21) & 0x1ff) << 1);
    const spde = t[pdi];
    if ((spde & 1) === 0) return;
    if ((spde & SPLIT) !== 0) {
      t[pdi] = 0;
      t[pdi + 1] = 0;
    } else {
      const pti = ((spde & ~0xfff) >>> 2) + (((lin >>> 12) & 0x1ff) << 1);
      t[pti] = 0;
      t[pti + 1] = 0;
    }
  }

  flush(): void {
    if (this.used === 1 && !this.rootDirty) return;
    const dropped = this.used;
    this.dropAll();
    this.events?.flush(dropped);
  }

  // ---- the guest walks (the CPU's nested-walk rules, SDM Vol. 3 §4.3, §4.4, §4.6, §4.7) ----

  /** 32-bit paging. Returns -1 after a fill, or the guest #PF error code. */
  private walk32(lin: number, write: number, user: boolean): number {
    const cpu = this.cpu;
    const uerr = user ? 4 : 0;
    const wp = (cpu.cr0 & CR0_WP) !== 0;
    const pdeAddr = (((cpu.cr3 & ~0xfff) >>> 0) + ((lin >>> 22) << 2)) >>> 0;
    const pde = cpu.physRd32(pdeAddr);
    if ((pde & 1) === 0) return write << 1 | uerr;
    if ((pde & 0x80) !== 0 && (cpu.cr4 & CR4_PSE) !== 0) {
      if ((pde & PDE4M_RSVD) !== 0) return 1 | 8 | write << 1 | uerr;
      if (user && (pde & 4) === 0) return 1 | write << 1 | uerr;
      if (write !== 0 && (pde & 2) === 0 && (user || wp)) return 1 | 2 | uerr;
      const nv = pde | 0x20 | (write !== 0 ? 0x40 : 0);
      if (nv !== pde) cpu.physWr32(pdeAddr, nv);
      const frame = ((((pde & 0xffc00000) >>> 0) + (lin & 0x3ff000)) & cpu.a20Mask) >>> 0;
      return this.fill(lin, 0, frame, pde & 4, pde & 2, nv & 0x40, write, user, wp, true, false);
    }
    const pteAddr = (((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
    const pte = cpu.physRd32(pteAddr);
    if ((pte & 1) === 0) return write << 1 | uerr;
    const u = pde & pte & 4;
    const w = pde & pte & 2;
    if (user && u === 0) return 1 | write << 1 | uerr;
    if (write !== 0 && w === 0 && (user || wp)) return 1 | 2 | uerr;
    if ((pde & 0x20) === 0) cpu.physWr32(pdeAddr, pde | 0x20);
    const nv = pte | 0x20 | (write !== 0 ? 0x40 : 0);
    if (nv !== pte) cpu.physWr32(pteAddr, nv);
    const frame = (((pte & ~0xfff) >>> 0) & cpu.a20Mask) >>> 0;
    return this.fill(lin, 0, frame, u, w, nv & 0x40, write, user, wp, false, false);
  }

  /** PAE paging through the CPU's PDPTE registers (as loaded by the guest's last CR3/CR0/CR4 write). */
  private walkPae(lin: number, write: number, user: boolean, fetch: boolean): number {
    const cpu = this.cpu;
    const nxe = (cpu.efer & EFER_NXE) !== 0;
    const base = write << 1 | (user ? 4 : 0) | (fetch && nxe ? 0x10 : 0);
    const rsvHi = nxe ? 0x7ffffff0 : 0xfffffff0 | 0;
    const wp = (cpu.cr0 & CR0_WP) !== 0;
    const i = lin >>> 30;
    const pdp = cpu.pdpteLo[i];
    if ((pdp & 1) === 0) return base;
    const pdeAddr = (cpu.pdpteHi[i] & 0xf) * 0x100000000 + ((pdp & ~0xfff) >>> 0) + (((lin >>> 21) & 0x1ff) << 3);
    const pde = cpu.physRd32(pdeAddr);
    if ((pde & 1) === 0) return base;
    const pdeHi = cpu.physRd32(pdeAddr + 4);
    if ((pdeHi & rsvHi) !== 0 || ((pde & 0x80) !== 0 && (pde & 0x1fe000) !== 0)) return base | 9;
    if ((pde & 0x80) !== 0) {
      if (user && (pde & 4) === 0) return base | 1;
      if (write !== 0 && (pde & 2) === 0 && (user || wp)) return base | 1;
      if (fetch && nxe && pdeHi < 0) return base | 1;
      const nv = pde | 0x20 | (write !== 0 ? 0x40 : 0);
      if (nv !== pde) cpu.physWr32(pdeAddr, nv);
      const lo = ((((pde & 0xffe00000) >>> 0) + (lin & 0x1ff000)) & cpu.a20Mask) >>> 0;
      return this.fill(lin, pdeHi & 0xf, lo, pde & 4, pde & 2, nv & 0x40, write, user, wp, true, nxe && pdeHi < 0);
    }
    const pteAddr = (pdeHi & 0xf) * 0x100000000 + ((pde & ~0xfff) >>> 0) + (((lin >>> 12) & 0x1ff) << 3);
    const pte = cpu.physRd32(pteAddr);
    if ((pte & 1) === 0) return base;
    const pteHi = cpu.physRd32(pteAddr + 4);
    if ((pteHi & rsvHi) !== 0) return base | 9;
    const u = pde & pte & 4;
    const w = pde & pte & 2;
    if (user && u === 0) return base | 1;
    if (write !== 0 && w === 0 && (user || wp)) return base | 1;
    if (fetch && nxe && (pdeHi | pteHi) < 0) return base | 1;
    if ((pde & 0x20) === 0) cpu.physWr32(pdeAddr, pde | 0x20);
    const nv = pte | 0x20 | (write !== 0 ? 0x40 : 0);
    if (nv !== pte) cpu.physWr32(pteAddr, nv);
    const lo = (((pte & ~0xfff) >>> 0) & cpu.a20Mask) >>> 0;
    return this.fill(lin, pteHi & 0xf, lo, u, w, nv & 0x40, write, user, wp, false, nxe && (pdeHi | pteHi) < 0);
  }

  // ---- the shadow tables ----

  /** Whether the root page holds any entry (flush of an otherwise empty pool). */
  private rootDirty = false;

  /**
   * Write the 4 KiB shadow PTE for `lin` → guest-physical frame `hi:lo`. Rights: user if the
   * guest grants it; writable only once the guest entry is dirty and the guest grants writes.
   * With CR0.WP=0 a supervisor write to a page the guest maps read-only is allowed: that fill
   * maps the page writable for the supervisor only (U/S clear); a later user access faults back
   * here and gets the user, read-only mapping again.
   */
  private fill(
    lin: number, hi: number, lo: number, gu: number, gw: number, dirty: number, write: number,
    user: boolean, wp: boolean, large: boolean, xd: boolean,
  ): number {
    let flags = 1 | gu;
    if (dirty !== 0) {
      if (gw !== 0) flags |= 2;
      else if (!wp && write !== 0 && !user) flags = 1 | 2;
    }
    const pae = (this.cpu.cr4 & CR4_PAE) !== 0;
    // Room for a page directory and a page table; when the pool is spent, start over.
    if (this.used + 2 > this.pages) this.dropAll();
    const t = this.tables;
    this.rootDirty = true;
    if (!pae) {
      const d = lin >>> 22;
      let spde = t[d];
      if ((spde & 1) === 0) spde = t[d] = (this.alloc() << 12) | 7;
      if (large && (spde & SPLIT) === 0) spde = t[d] = spde | SPLIT;
      t[((spde & ~0xfff) >>> 2) + ((lin >>> 12) & 0x3ff)] = (lo & ~0xfff) | flags;
      return -1;
    }
    const pdpi = (lin >>> 30) << 1;
    let spdp = t[pdpi];
    if ((spdp & 1) === 0) spdp = t[pdpi] = (this.alloc() << 12) | 1;
    const pdi = ((spdp & ~0xfff) >>> 2) + (((lin >>> 21) & 0x1ff) << 1);
    let spde = t[pdi];
    if ((spde & 1) === 0) {
      spde = t[pdi] = (this.alloc() << 12) | 7;
      t[pdi + 1] = 0;
    }
    if (large && (spde & SPLIT) === 0) spde = t[pdi] = spde | SPLIT;
    const pti = ((spde & ~0xfff) >>> 2) + (((lin >>> 12) & 0x1ff) << 1);
    t[pti] = (lo & ~0xfff) | flags;
    t[pti + 1] = hi | (xd ? 0x80000000 : 0);
    return -1;
  }

  /** A zeroed pool page; returns its page number (its byte offset >> 12). */
  private alloc(): number {
    const p = this.used++;
    this.tables.fill(0, p * WORDS_PER_PAGE, (p + 1) * WORDS_PER_PAGE);
    return p;
  }

  /** Drop every shadow entry: an empty root, every other page free. */
  private dropAll(): void {
    this.tables.fill(0, 0, WORDS_PER_PAGE);
    this.used = 1;
    this.rootDirty = false;
  }
}

function hex(v: number): string {
  return (v >>> 0).toString(16);
}
