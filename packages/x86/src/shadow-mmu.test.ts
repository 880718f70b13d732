import { describe, expect, it } from 'vitest';
import { ExitReason, type ShadowMmu } from './bus.js';
import { identityPaging, machine, protectedMode, setGate, type Machine } from './test-machine.js';

// The shadow-paging intercepts: with a ShadowMmu installed and CR0.PG=1 the CPU walks the VMM's
// tables (real x86 entry formats, 4 KiB leaves), calls the VMM on a shadow miss or permission
// fault, and reports CR0/CR3/CR4 writes, INVLPG and full flushes.

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const PD = 0x10000;

/** A scripted VMM: its shadow tables live in their own array, not in guest RAM. */
class FakeMmu implements ShadowMmu {
  readonly tables = new Int32Array(4 * 1024 * 4);
  readonly root = 0;
  readonly faults: [number, number][] = [];
  readonly events: string[] = [];
  /** What pageFault does: fill the shadow (return -1) or inject (return an error code). */
  onFault: (lin: number, err: number) => number = () => -1;

  pageFault(lin: number, err: number): number {
    this.faults.push([lin >>> 0, err]);
    return this.onFault(lin, err);
  }
  controlWrite(cr: 0 | 3 | 4, old: number): void {
    this.events.push(`cr${cr}:${(old >>> 0).toString(16)}`);
  }
  invlpg(lin: number): void {
    this.events.push(`invlpg:${(lin >>> 0).toString(16)}`);
  }
  flush(): void {
    this.events.push('flush');
  }
  /** 32-bit format: PD at 0, the PT for directory slot `d` at page 1 + d (slots 0..2). */
  map32(lin: number, frame: number, flags: number): void {
    const d = lin >>> 22;
    this.tables[d] = ((1 + d) << 12) | 7;
    this.tables[((1 + d) << 10) + ((lin >>> 12) & 0x3ff)] = (frame & ~0xfff) | flags;
  }
  /** PAE format: PDPT at 0, PD for PDPT slot `i` at page 1 + i, one PT per PD at page 8 + i. */
  mapPae(lin: number, frame: number, flags: number, xd = false): void {
    const i = lin >>> 30;
    const t = this.tables;
    t[i << 1] = ((1 + i) << 12) | 1;
    t[((1 + i) << 10) + (((lin >>> 21) & 0x1ff) << 1)] = ((8 + i) << 12) | 7;
    const pti = ((8 + i) << 10) + (((lin >>> 12) & 0x1ff) << 1);
    t[pti] = (frame & ~0xfff) | flags;
    t[pti + 1] = xd ? 0x80000000 | 0 : 0;
  }
}

/** Paging on over identity-mapped guest tables; #PF handler: pop ebx; mov ecx, cr2; hlt. */
function rig(): { m: Machine; mmu: FakeMmu } {
  const m = machine(4 << 20);
  protectedMode(m, 0x5000);
  identityPaging(m, PD, 4);
  m.ram.set([0x5b, 0x0f, 0x20, 0xd1, 0xf4], 0x6000);
  setGate(m, 14, 0x6000);
  const mmu = new FakeMmu();
  m.cpu.setState({ cr3: PD, cr0: 0x80000011 | 0 });
  m.cpu.setShadowMmu(mmu);
  // The code and stack pages as the guest maps them (identity, supervisor, writable).
  for (const page of [0x5000, 0x6000, 0x8f000, 0x1000, 0x2000, 0x3000]) mmu.map32(page, page, 3);
  return { m, mmu };
}

function run(m: Machine, code: number[], budget = 50): ReturnType<Machine['cpu']['getState']> {
  m.ram.set([...code, 0xf4], 0x5000);
  expect(m.cpu.run(budget)).toBe(ExitReason.Halt);
  return m.cpu.getState();
}

describe('shadow MMU hook', () => {
  it('translates through the shadow tables, not the guest tables, and fills on a miss', () => {
    const { m, mmu } = rig();
    m.dv.setUint32(0x200000, 0x11111111, true); // what the guest tables map at 0x200000
    m.dv.setUint32(0x300000, 0x22222222, true); // what the shadow will map there
    mmu.onFault = (lin) => {
      mmu.map32(lin, 0x300000, 1);
      return -1;
    };
    const st = run(m, [0xa1, ...le32(0x200000)]); // mov eax, [0x200000]
    expect(st.eax).toBe(0x22222222);
    expect(mmu.faults).toEqual([[0x200000, 0]]); // not present, read, supervisor
    expect(st.cr2).toBe(0); // a fill is invisible to the guest
  });

  it('a write to a read-only shadow entry calls the VMM with P|W, even at CPL 0 with CR0.WP=0', () => {
    const { m, mmu } = rig();
    mmu.map32(0x200000, 0x200000, 1);
    mmu.onFault = (lin) => {
      mmu.map32(lin, 0x200000, 3);
      return -1;
    };
    const st = run(m, [0xc7, 0x05, ...le32(0x200000), ...le32(0xdeadbeef)]); // mov dword [0x200000], imm
    expect(mmu.faults).toEqual([[0x200000, 3]]);
    expect(m.dv.getUint32(0x200000, true)).toBe(0xdeadbeef);
    expect(st.cr2).toBe(0);
  });

  it('injects a #PF with the error code the VMM names and CR2 = the linear address', () => {
    const { m, mmu } = rig();
    mmu.onFault = () => 0x6; // the guest's own walk: user write to a not-present page
    const st = run(m, [0xa3, ...le32(0x234567)]); // mov [0x234567], eax
    expect(mmu.faults).toEqual([[0x234567, 2]]);
    expect(st.ebx).toBe(6);
    expect(st.ecx).toBe(0x234567);
    expect(st.cr2).toBe(0x234567);
  });

  it('reports CR3, CR4 and CR0 writes and INVLPG; the guest reads back its own values', () => {
    const { m, mmu } = rig();
    mmu.events.length = 0;
    const st = run(m, [
      0xb8, ...le32(PD + 0x1000), 0x0f, 0x22, 0xd8, // mov cr3, PD+0x1000 (garbage tables: never walked)
      0xb8, ...le32(PD), 0x0f, 0x22, 0xd8, // mov cr3, PD
      0x0f, 0x01, 0x3d, ...le32(0x123456), // invlpg [0x123456]
      0xb8, ...le32(0x10), 0x0f, 0x22, 0xe0, // mov cr4, PSE
      0x0f, 0x20, 0xc0, 0x0d, ...le32(0x10000), 0x0f, 0x22, 0xc0, // cr0 |= WP
      0x0f, 0x20, 0xdb, // mov ebx, cr3
    ]);
    expect(mmu.events).toEqual([
      'flush', `cr3:${PD.toString(16)}`, 'flush', `cr3:${(PD + 0x1000).toString(16)}`, 'invlpg:123456',
      'flush', 'cr4:0', 'flush', 'cr0:80000011',
    ]);
    expect(st.ebx).toBe(PD);
    expect(st.cr4).toBe(0x10);
    expect(st.cr0 & 0x10000).toBe(0x10000);
  });

  it('user accesses need U/S in the shadow; supervisor ones do not', () => {
    const { m, mmu } = rig();
    mmu.map32(0x200000, 0x200000, 1); // supervisor, read-only
    m.dv.setUint32(0x200000, 0x5a5a5a5a, true);
    expect(run(m, [0xa1, ...le32(0x200000)]).eax).toBe(0x5a5a5a5a);
    expect(mmu.faults).toEqual([]);
    // The same read at CPL 3: fill-loops are cut, so the VMM here injects.
    mmu.onFault = () => 0x5;
    m.cpu.setState({
      halted: false, eip: 0x5000, cs: { selector: 0x1b, base: 0, limit: 0xffffffff, access: 0xc0fb },
      ss: { selector: 0x23, base: 0, limit: 0xffffffff, access: 0xc0f3 }, esp: 0x8f000,
    });
    m.dv.setUint32(0x3004, 0x8f800, true); // TSS.ESP0
    m.dv.setUint32(0x3008, 0x10, true); // TSS.SS0
    for (const page of [0x5000, 0x6000, 0x8f000]) mmu.map32(page, page, 7);
    m.ram.set([0xa1, ...le32(0x200000)], 0x5000);
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    expect(mmu.faults).toEqual([[0x200000, 5]]);
    expect(m.cpu.getState().ebx).toBe(5);
  });

  it('stops with an error when the VMM says "filled" but the walk still faults', () => {
    const { m } = rig();
    m.ram.set([0xa1, ...le32(0x200000), 0xf4], 0x5000);
    expect(() => m.cpu.run(5)).toThrow(/still faults/);
  });

  it('PAE format: 8-byte entries, the XD bit faults a fetch with I/D when EFER.NXE', () => {
    const m = machine(4 << 20, { cpuid: { nx: true } });
    protectedMode(m, 0x5000);
    const q = (a: number, lo: number, hi = 0) => { m.dv.setUint32(a, lo >>> 0, true); m.dv.setUint32(a + 4, hi >>> 0, true); };
    q(0x20000, 0x21000 | 1); // the guest PDPT (loaded into the PDPTE registers)
    q(0x21000, 0x83); // 0-2 MiB identity
    q(0x21008, 0x200083);
    m.ram.set([0x5b, 0x0f, 0x20, 0xd1, 0xf4], 0x6000);
    setGate(m, 14, 0x6000);
    m.cpu.setState({ cr3: 0x20000, cr4: 0x20, cr0: 0x80000011 | 0, msr: { sysenterCs: 0, sysenterEsp: 0, sysenterEip: 0, biosSignId: 0, perf: [0, 0, 0, 0], efer: 0x800 } });
    const mmu = new FakeMmu();
    m.cpu.setShadowMmu(mmu);
    for (const page of [0x5000, 0x6000, 0x8f000, 0x1000, 0x2000, 0x3000]) mmu.mapPae(page, page, 3);
    mmu.mapPae(0x300000, 0x200000, 3, true); // data here, but no execution
    m.dv.setUint32(0x200000, 0x77665544, true);
    mmu.onFault = (_lin, err) => err | 0x100; // inject, marked so the test sees the VMM's code
    m.ram.set([0xa1, ...le32(0x300000), 0xb9, ...le32(0x300000), 0xff, 0xd1, 0xf4], 0x5000); // mov eax,[..]; call ecx
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.eax).toBe(0x77665544);
    expect(mmu.faults).toEqual([[0x300000, 0x11]]);
    expect(st.ebx).toBe(0x11 | 0x100);
    expect(st.ecx).toBe(0x300000);
  });

  it('removing the hook goes back to walking the guest tables', () => {
    const { m, mmu } = rig();
    m.dv.setUint32(0x200000, 0x11111111, true);
    mmu.map32(0x200000, 0x300000, 1);
    m.cpu.setShadowMmu(null);
    expect(run(m, [0xa1, ...le32(0x200000)]).eax).toBe(0x11111111);
    expect(mmu.faults).toEqual([]);
  });
});
