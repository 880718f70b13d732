import { describe, expect, it } from 'vitest';
import { Cpu, type X86Bus } from '@v3/x86';
import { ShadowPager, type ShadowPagerEvents } from './pager.js';

// The shadow pager against the Intel SDM Vol. 3 chapter 4 rules, driven through the CPU's own
// linear accesses (a TLB miss walks the shadow, a shadow fault calls the pager), so every check
// is what a guest instruction would see: data, #PF error code and CR2, and the guest's A/D bits.

const PD = 0x10000;
const PT = 0x11000;
const PF = 14;
const A = 0x20, D = 0x40;

const bus: X86Bus = {
  ioRead: () => 0xff, ioWrite: () => {}, memRead: () => 0xffffffff, memWrite: () => {},
};

interface Rig {
  cpu: Cpu;
  pager: ShadowPager;
  dv: DataView;
  ram: Uint8Array;
  log: { faults: [number, number, number][]; cr: string[]; invlpg: number[]; flushes: number };
}

function rig(opts: { nx?: boolean } = {}): Rig {
  const ram = new Uint8Array(8 << 20);
  const cpu = new Cpu({ ram, frameFlags: new Uint8Array(1 << 20) }, bus, { cpuid: { nx: opts.nx === true } });
  const log: Rig['log'] = { faults: [], cr: [], invlpg: [], flushes: 0 };
  const events: ShadowPagerEvents = {
    fault: (lin, err, injected) => void log.faults.push([lin >>> 0, err, injected]),
    controlWrite: (cr, old, now) => void log.cr.push(`cr${cr} ${(old >>> 0).toString(16)}->${(now >>> 0).toString(16)}`),
    invlpg: (lin) => void log.invlpg.push(lin >>> 0),
    flush: () => void log.flushes++,
    debug: null,
  };
  const pager = new ShadowPager(cpu, new Int32Array(64 * 1024), events);
  cpu.setShadowMmu(pager);
  // Flat 32-bit protected mode, CPL 0, paging on with CR3 = PD (32-bit paging).
  const flat = { selector: 0x10, base: 0, limit: 0xffffffff, access: 0xc093 };
  cpu.setState({
    cr0: 0x80000011 | 0, cr3: PD, eip: 0,
    cs: { selector: 0x08, base: 0, limit: 0xffffffff, access: 0xc09b },
    ds: flat, es: flat, ss: flat, fs: flat, gs: flat,
  });
  return { cpu, pager, dv: new DataView(ram.buffer), ram, log };
}

const rd = (r: Rig, a: number) => r.dv.getUint32(a, true);
const wr = (r: Rig, a: number, v: number) => r.dv.setUint32(a, v >>> 0, true);

/** A guest access at privilege `cpl`; returns the value read, or the #PF as { err, cr2 }. */
function access(r: Rig, kind: 'read' | 'write' | 'fetch', lin: number, cpl = 0, value = 0): number | { vector: number; err: number; cr2: number } {
  const cpu = r.cpu;
  cpu.setCpl(cpl);
  try {
    if (kind === 'read') return cpu.rd32(lin) >>> 0;
    if (kind === 'write') { cpu.wr32(lin, value); return 0; }
    cpu.setState({ eip: lin, cs: { selector: cpl === 3 ? 0x1b : 0x08, base: 0, limit: 0xffffffff, access: cpl === 3 ? 0xc0fb : 0xc09b } });
    return cpu.fetch8();
  } catch (e) {
    if (e !== cpu.exc) throw e;
    return { vector: cpu.excVector, err: cpu.excError, cr2: cpu.cr2 >>> 0 };
  } finally {
    cpu.setCpl(0);
  }
}

/** The shadow PTE for `lin` (32-bit format), or 0. */
function shadow32(r: Rig, lin: number): number {
  const t = r.pager.tables;
  const pde = t[(r.pager.root >>> 2) + (lin >>> 22)];
  if ((pde & 1) === 0) return 0;
  return t[((pde & ~0xfff) >>> 2) + ((lin >>> 12) & 0x3ff)] >>> 0;
}

describe('shadow pager, 32-bit paging', () => {
  it('fills a shadow PTE on first use and sets the guest accessed bits (PDE and PTE), not dirty on a read', () => {
    const r = rig();
    wr(r, PD, PT | 7);
    wr(r, PT + 5 * 4, 0x300000 | 7);
    wr(r, 0x300010, 0x12345678);
    expect(access(r, 'read', 0x5010)).toBe(0x12345678);
    expect(rd(r, PD) & (A | D)).toBe(A);
    expect(rd(r, PT + 5 * 4) & (A | D)).toBe(A);
    // Not dirty yet: the shadow maps the page read-only although the guest allows writes.
    expect(shadow32(r, 0x5000)).toBe(0x300000 | 5);
    expect(r.log.faults).toEqual([[0x5010, 0, -1]]);
  });

  it('maps a clean page read-only: the first write comes back to set the dirty bit, then the page is writable', () => {
    const r = rig();
    wr(r, PD, PT | 7);
    wr(r, PT + 5 * 4, 0x300000 | 7);
    access(r, 'read', 0x5000);
    expect(access(r, 'write', 0x5004, 0, 0xcafe)).toBe(0);
    expect(rd(r, PT + 5 * 4) & (A | D)).toBe(A | D);
    expect(rd(r, 0x300004)).toBe(0xcafe);
    expect(shadow32(r, 0x5000)).toBe(0x300000 | 7);
    expect(r.log.faults.map((f) => f[1])).toEqual([0, 3]); // miss, then P|W on the read-only entry
    // A dirty page read first is mapped writable at once.
    wr(r, PT + 6 * 4, 0x301000 | 7 | D);
    access(r, 'read', 0x6000);
    expect(shadow32(r, 0x6000)).toBe(0x301000 | 7 | 0);
  });

  it('injects #PF with the guest error code and CR2 for a not-present page, and sets no A bit', () => {
    const r = rig();
    wr(r, PD, PT | 7);
    wr(r, PT + 5 * 4, 0x300000 | 6); // not present
    expect(access(r, 'write', 0x5abc, 3)).toEqual({ vector: PF, err: 6, cr2: 0x5abc });
    expect(access(r, 'read', 0x400000)).toEqual({ vector: PF, err: 0, cr2: 0x400000 }); // PDE not present
    expect(rd(r, PD) & A).toBe(0);
    expect(shadow32(r, 0x5000)).toBe(0);
  });

  it('U/S: a user access to a supervisor page is #PF(P|U), the supervisor may use it; U/S and R/W combine PDE and PTE', () => {
    const r = rig();
    wr(r, PD, PT | 3); // PDE supervisor
    wr(r, PT + 5 * 4, 0x300000 | 7 | D);
    expect(access(r, 'read', 0x5000, 3)).toEqual({ vector: PF, err: 5, cr2: 0x5000 });
    expect(access(r, 'read', 0x5000, 0)).toBe(0);
    wr(r, PD, PT | 5); // PDE user, read-only
    r.cpu.flushTlb();
    expect(access(r, 'read', 0x5000, 3)).toBe(0);
    expect(access(r, 'write', 0x5000, 3)).toEqual({ vector: PF, err: 7, cr2: 0x5000 });
  });

  it('CR0.WP: supervisor writes to a read-only page fault with WP=1 and succeed with WP=0 (without opening it to user writes)', () => {
    const r = rig();
    wr(r, PD, PT | 7);
    wr(r, PT + 5 * 4, 0x300000 | 5); // user, read-only
    r.cpu.setState({ cr0: 0x80010011 | 0 });
    expect(access(r, 'write', 0x5000, 0, 1)).toEqual({ vector: PF, err: 3, cr2: 0x5000 });
    r.cpu.writeCr0(0x80000011 | 0);
    expect(access(r, 'write', 0x5000, 0, 0x77)).toBe(0);
    expect(rd(r, 0x300000)).toBe(0x77);
    expect(rd(r, PT + 5 * 4) & (A | D)).toBe(A | D);
    // The supervisor-writable shadow entry is supervisor-only: a user read refills it, a user write faults.
    expect(shadow32(r, 0x5000)).toBe(0x300000 | 3);
    expect(access(r, 'read', 0x5000, 3)).toBe(0x77);
    expect(shadow32(r, 0x5000)).toBe(0x300000 | 5);
    expect(access(r, 'write', 0x5000, 3)).toEqual({ vector: PF, err: 7, cr2: 0x5000 });
  });

  it('PSE: a 4 MiB guest page is split into 4 KiB shadow PTEs; A/D land in the PDE; a reserved bit is #PF(P|RSVD)', () => {
    const r = rig();
    r.cpu.writeCr4(0x10);
    wr(r, PD + 4, 0x400000 | 0x87); // 0x400000 -> 4 MiB page at 0x400000
    wr(r, 0x523450, 0xabcdef01);
    expect(access(r, 'read', 0x523450)).toBe(0xabcdef01);
    expect(shadow32(r, 0x523000)).toBe(0x523000 | 5);
    expect(shadow32(r, 0x524000)).toBe(0);
    expect(rd(r, PD + 4) & (A | D)).toBe(A);
    access(r, 'write', 0x7ff000, 0, 5);
    expect(rd(r, PD + 4) & (A | D)).toBe(A | D);
    expect(shadow32(r, 0x7ff000)).toBe(0x7ff000 | 7);
    wr(r, PD + 8, 0x800000 | 0x87 | 0x200000); // bit 21 reserved without PSE-36
    expect(access(r, 'read', 0x800000, 3)).toEqual({ vector: PF, err: 1 | 4 | 8, cr2: 0x800000 });
    // INVLPG anywhere in the large page drops every shadow PTE split from it.
    r.cpu.invlpg(0x400000);
    expect(shadow32(r, 0x523000)).toBe(0);
    expect(shadow32(r, 0x7ff000)).toBe(0);
  });

  it('INVLPG drops one shadow PTE (the guest sees its new mapping); a stale one stays until then', () => {
    const r = rig();
    wr(r, PD, PT | 7);
    wr(r, PT + 5 * 4, 0x300000 | 7);
    wr(r, PT + 6 * 4, 0x302000 | 7);
    wr(r, 0x300000, 1); wr(r, 0x301000, 2); wr(r, 0x302000, 3);
    expect(access(r, 'read', 0x5000)).toBe(1);
    expect(access(r, 'read', 0x6000)).toBe(3);
    wr(r, PT + 5 * 4, 0x301000 | 7);
    expect(access(r, 'read', 0x5000)).toBe(1); // cached, as a TLB would be
    r.cpu.invlpg(0x5000);
    expect(r.log.invlpg).toEqual([0x5000]);
    expect(shadow32(r, 0x5000)).toBe(0);
    expect(shadow32(r, 0x6000)).toBe(0x302000 | 5);
    expect(access(r, 'read', 0x5000)).toBe(2);
  });

  it('MOV CR3 drops the whole shadow and the next walk uses the new guest tables; the guest reads its own CR3', () => {
    const r = rig();
    wr(r, PD, PT | 7);
    wr(r, PT + 5 * 4, 0x300000 | 7);
    const PD2 = 0x20000, PT2 = 0x21000;
    wr(r, PD2, PT2 | 7);
    wr(r, PT2 + 5 * 4, 0x301000 | 7);
    wr(r, 0x300000, 1); wr(r, 0x301000, 2);
    expect(access(r, 'read', 0x5000)).toBe(1);
    const inUse = r.pager.pagesInUse;
    expect(inUse).toBeGreaterThan(1);
    r.cpu.writeCr3(PD2);
    expect(r.pager.pagesInUse).toBe(1);
    expect(r.log.cr).toEqual([`cr3 ${PD.toString(16)}->${PD2.toString(16)}`]);
    expect(r.cpu.getState().cr3).toBe(PD2);
    expect(access(r, 'read', 0x5000)).toBe(2);
  });

  it('CR0.PG=0 bypasses the shadow (no faults); CR0 and CR4 writes drop it', () => {
    const r = rig();
    wr(r, PD, PT | 7);
    wr(r, PT + 5 * 4, 0x300000 | 7);
    access(r, 'read', 0x5000);
    r.cpu.writeCr0(0x11);
    expect(r.pager.pagesInUse).toBe(1);
    wr(r, 0x5000, 0x99);
    expect(access(r, 'read', 0x5000)).toBe(0x99);
    expect(r.log.faults.length).toBe(1);
    r.cpu.writeCr0(0x80000011 | 0);
    access(r, 'read', 0x5000);
    r.cpu.writeCr4(0x10);
    expect(r.pager.pagesInUse).toBe(1);
    expect(r.log.cr).toEqual(['cr0 80000011->11', 'cr0 11->80000011', 'cr4 0->10']);
  });

  it('a full pool starts over instead of failing', () => {
    const r = rig();
    for (let d = 0; d < 80; d++) {
      wr(r, PD + d * 4, (0x100000 + d * 0x1000) | 7);
      wr(r, 0x100000 + d * 0x1000, 0x200000 | 7);
    }
    for (let d = 0; d < 80; d++) expect(access(r, 'read', d << 22)).toBe(rd(r, 0x200000));
    expect(r.pager.pagesInUse).toBeLessThanOrEqual(r.pager.pages);
  });
});

describe('shadow pager, PAE paging', () => {
  const PDPT = 0x20000, PD0 = 0x21000, PT0 = 0x22000;
  const q = (r: Rig, a: number, lo: number, hi = 0) => { wr(r, a, lo); wr(r, a + 4, hi); };
  function pae(nx: boolean): Rig {
    const r = rig({ nx });
    q(r, PDPT, PD0 | 1);
    q(r, PD0, PT0 | 7);
    q(r, PD0 + 8, 0x200000 | 0x87); // 2 MiB page
    q(r, PT0 + 5 * 8, 0x300000 | 7);
    q(r, PT0 + 6 * 8, 0x301000 | 7, 0x80000000); // XD
    r.cpu.writeCr4(0x20);
    r.cpu.writeCr3(PDPT);
    if (nx) r.cpu.setState({ msr: { sysenterCs: 0, sysenterEsp: 0, sysenterEip: 0, biosSignId: 0, perf: [0, 0, 0, 0], efer: 0x800 } });
    return r;
  }
  /** The shadow PTE for `lin` in PAE format as [lo, hi], or null. */
  function shadowPae(r: Rig, lin: number): [number, number] | null {
    const t = r.pager.tables;
    const pdp = t[(lin >>> 30) << 1];
    if ((pdp & 1) === 0) return null;
    const pdi = ((pdp & ~0xfff) >>> 2) + (((lin >>> 21) & 0x1ff) << 1);
    if ((t[pdi] & 1) === 0) return null;
    const pti = ((t[pdi] & ~0xfff) >>> 2) + (((lin >>> 12) & 0x1ff) << 1);
    return [t[pti] >>> 0, t[pti + 1] >>> 0];
  }

  it('walks 64-bit entries, splits a 2 MiB page, sets A/D as the CPU does', () => {
    const r = pae(false);
    wr(r, 0x300008, 0x1111);
    wr(r, 0x2ab00c, 0x2222);
    expect(access(r, 'read', 0x5008)).toBe(0x1111);
    expect(access(r, 'read', 0x2ab00c)).toBe(0x2222);
    expect(shadowPae(r, 0x5000)).toEqual([0x300000 | 5, 0]);
    expect(shadowPae(r, 0x2ab000)).toEqual([0x2ab000 | 5, 0]);
    expect(rd(r, PD0 + 8) & (A | D)).toBe(A);
    access(r, 'write', 0x2ab000, 0, 1);
    expect(rd(r, PD0 + 8) & (A | D)).toBe(A | D);
    expect(rd(r, PT0 + 5 * 8) & (A | D)).toBe(A);
    expect(rd(r, PD0) & A).toBe(A);
  });

  it('without EFER.NXE the XD bit is reserved: #PF(P|RSVD)', () => {
    const r = pae(false);
    expect(access(r, 'read', 0x6000)).toEqual({ vector: PF, err: 9, cr2: 0x6000 });
  });

  it('with EFER.NXE: reads of an XD page work, a fetch is #PF(I/D|P); the shadow PTE carries XD', () => {
    const r = pae(true);
    wr(r, 0x301000, 0xc3c3c3c3);
    expect(access(r, 'read', 0x6000)).toBe(0xc3c3c3c3);
    expect(shadowPae(r, 0x6000)).toEqual([0x301000 | 5, 0x80000000]);
    expect(access(r, 'fetch', 0x6000)).toEqual({ vector: PF, err: 0x11, cr2: 0x6000 });
    expect(access(r, 'fetch', 0x5000)).toBe(0);
  });

  it('a not-present PDPTE register entry is #PF with the guest error code', () => {
    const r = pae(false);
    expect(access(r, 'write', 0x40000000, 3)).toEqual({ vector: PF, err: 6, cr2: 0x40000000 });
  });
});
