import { describe, expect, it } from 'vitest';
import { ExitReason } from './bus.js';
import type { CpuOptions } from './cpu.js';
import { machine, protectedMode, setGate, type Machine } from './test-machine.js';

// PAE paging (SDM Vol. 3 §4.4, §4.6, §4.7, §4.10.4.1): PDPTE registers, 64-bit entries, 2 MiB
// pages, A/D bits, the XD bit with and without IA32_EFER.NXE, reserved bits, INVLPG.

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const PDPT = 0x20000, PD0 = 0x21000, PD1 = 0x23000, PT1 = 0x24000;
const EFER = 0xc0000080;

/** mov eax, cr4/cr3/cr0 values that turn PAE paging on with CR3 = PDPT. */
const ENABLE = [
  0xb8, ...le32(0x20), 0x0f, 0x22, 0xe0, // mov cr4, 0x20
  0xb8, ...le32(PDPT), 0x0f, 0x22, 0xd8, // mov cr3, PDPT
  0x0f, 0x20, 0xc0, 0x0d, ...le32(0x80000000), 0x0f, 0x22, 0xc0, // cr0 |= PG
];
const WRMSR_NXE = [0xb9, ...le32(EFER), 0xb8, ...le32(0x800), 0x31, 0xd2, 0x0f, 0x30];

function paeRig(opts: CpuOptions = {}): Machine {
  const m = machine(4 << 20, opts);
  protectedMode(m, 0x5000);
  const q = (a: number, lo: number, hi = 0) => { m.dv.setUint32(a, lo >>> 0, true); m.dv.setUint32(a + 4, hi >>> 0, true); };
  q(PDPT, PD0 | 1);
  q(PDPT + 8, PD1 | 1);
  q(PD0, 0x83); // 0-2 MiB: identity 2 MiB page
  q(PD0 + 8, 0x200083); // 2-4 MiB
  q(PD1, PT1 | 7); // 0x40000000: 4 KiB pages
  q(PD1 + 8, 0x87); // 0x40200000: 2 MiB user page -> 0
  q(PT1, 0x30000 | 7);
  q(PT1 + 8, 0x31000 | 7, 0x80000000); // XD
  m.dv.setUint32(0x30000, 0xaaaa0000, true);
  m.ram[0x31000] = 0xc3; // ret
  // #PF handler: pop ebx (error code); mov ecx, cr2; hlt.  #GP handler: pop ebx; hlt.
  m.ram.set([0x5b, 0x0f, 0x20, 0xd1, 0xf4], 0x6000);
  m.ram.set([0x5b, 0xf4], 0x6100);
  setGate(m, 14, 0x6000);
  setGate(m, 13, 0x6100);
  return m;
}

function run(m: Machine, code: number[]) {
  m.ram.set([...ENABLE, ...code, 0xf4], 0x5000);
  expect(m.cpu.run(200)).toBe(ExitReason.Halt);
  return m.cpu.getState();
}

describe('PAE paging', () => {
  it('a P6 advertises PAE (CPUID.1:EDX bit 6) but not NX: no extended leaf, no IA32_EFER', () => {
    const m = paeRig();
    m.ram.set([
      0xb8, ...le32(1), 0x0f, 0xa2, 0x89, 0xd6, // cpuid 1; mov esi, edx
      0xb8, ...le32(0x80000000), 0x0f, 0xa2, 0x89, 0xc7, // cpuid 0x80000000; mov edi, eax
      0xb9, ...le32(EFER), 0x0f, 0x32, // rdmsr EFER -> #GP(0)
    ], 0x5000);
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.esi & 0x40).toBe(0x40);
    expect(st.edi).toBe(0);
    expect(st.eip).toBe(0x6102); // #GP
  });

  it('CR4.PAE is reserved (#GP(0)) on a CPU that does not report PAE', () => {
    const m = paeRig({ cpuid: { features: 0xa13d } });
    m.ram.set([...ENABLE.slice(0, 8), 0xf4], 0x5000);
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    expect(m.cpu.getState().eip).toBe(0x6102);
    expect(m.cpu.getState().cr4 & 0x20).toBe(0);
  });

  it('translates 4 KiB pages and 2 MiB pages through the PDPTE, setting A and D in 64-bit entries', () => {
    const m = paeRig();
    const st = run(m, [
      0xa1, ...le32(0x40000000), 0x89, 0xc6, // mov eax, [0x40000000]; mov esi, eax
      0xc7, 0x05, ...le32(0x40000004), ...le32(5), // mov dword [0x40000004], 5
      0xa1, ...le32(0x40230000), 0x89, 0xc7, // mov eax, [0x40230000]; mov edi, eax
    ]);
    expect(st.esi).toBe(0xaaaa0000);
    expect(st.edi).toBe(0xaaaa0000);
    expect(m.dv.getUint32(0x30004, true)).toBe(5);
    expect(m.dv.getUint32(PT1, true) & 0x60).toBe(0x60);
    expect(m.dv.getUint32(PD1, true) & 0x20).toBe(0x20);
    expect(m.dv.getUint32(PD1 + 8, true) & 0x60).toBe(0x20);
    expect(m.dv.getUint32(PT1 + 4, true)).toBe(0); // the high dword is left alone
  });

  it('with EFER.NXE = 0 the XD bit is reserved: #PF with P|RSVD and CR2', () => {
    const m = paeRig();
    const st = run(m, [0xa1, ...le32(0x40001000)]);
    expect(st.ebx).toBe(9);
    expect(st.ecx).toBe(0x40001000);
  });

  it('reserved bits 20:13 of a 2 MiB PDE and 62:36 of an entry raise #PF(P|RSVD); a write reports W too', () => {
    const m = paeRig();
    m.dv.setUint32(PD1 + 8, 0x2087, true);
    let st = run(m, [0xc7, 0x05, ...le32(0x40200000), ...le32(1)]);
    expect(st.ebx).toBe(0xb);
    const m2 = paeRig();
    m2.dv.setUint32(PT1 + 4, 0x10, true); // bit 36
    st = run(m2, [0xa1, ...le32(0x40000000)]);
    expect(st.ebx).toBe(9);
  });

  it('a not-present PDPTE faults with P = 0; MOV CR3 with a reserved PDPTE bit is #GP(0) and keeps CR3', () => {
    const m = paeRig();
    let st = run(m, [0xa1, ...le32(0x80000000)]);
    expect(st.ebx).toBe(0);
    expect(st.ecx).toBe(0x80000000);
    const m2 = paeRig();
    m2.dv.setUint32(0x28000, 0x21000 | 1 | 2, true); // R/W is reserved in a PDPTE
    st = run(m2, [0xb8, ...le32(0x28000), 0x0f, 0x22, 0xd8]);
    expect(st.eip).toBe(0x6102);
    expect(st.ebx).toBe(0);
    expect(st.cr3).toBe(PDPT);
  });

  it('the PDPTEs are registers: a changed PDPT takes effect at the next MOV CR3', () => {
    const m = paeRig();
    m.dv.setUint32(0x30000 + 0x1000, 0xbbbb0000, true);
    const st = run(m, [
      0xc7, 0x05, ...le32(PDPT + 8), ...le32(0), // PDPTE 1 not present (in memory only)
      0xa1, ...le32(0x40000000), 0x89, 0xc6, // still translates
      0xc7, 0x05, ...le32(PT1), ...le32(0x31007), // remap 0x40000000 -> 0x31000
      0x0f, 0x01, 0x3d, ...le32(0x40000000), // invlpg
      0xc7, 0x05, ...le32(PDPT + 8), ...le32(PD1 | 1),
      0xa1, ...le32(0x40000000), 0x89, 0xc7,
    ]);
    expect(st.esi).toBe(0xaaaa0000);
    expect(st.edi).toBe(0xbbbb0000);
  });

  it('INVLPG of any address in a 2 MiB page drops the whole page from the TLB', () => {
    const m = paeRig();
    const st = run(m, [
      0xa1, ...le32(0x40230000), 0x89, 0xc6, // fill the TLB for 0x40230000
      0xc7, 0x05, ...le32(PD1 + 8), ...le32(0x200087), // remap the 2 MiB page to 2 MiB
      0x0f, 0x01, 0x3d, ...le32(0x40200000), // invlpg of its first 4 KiB
      0xa1, ...le32(0x40230000), 0x89, 0xc7,
    ]);
    expect(st.esi).toBe(0xaaaa0000);
    expect(st.edi).toBe(0); // physical 0x230000
  });

  it('with NX configured: CPUID.80000001H:EDX.NX, EFER.NXE; XD pages read but do not execute', () => {
    const m = paeRig({ cpuid: { nx: true } });
    const st = run(m, [
      0xb8, ...le32(0x80000001), 0x0f, 0xa2, 0x89, 0xd5, // ebp = CPUID.80000001H:EDX
      ...WRMSR_NXE,
      0xa1, ...le32(0x40001000), 0x89, 0xc6, // a read of the XD page is fine
      0xb8, ...le32(0x40001000), 0xff, 0xd0, // call eax -> fetch #PF
    ]);
    expect(st.ebp).toBe(1 << 20);
    expect(st.esi).toBe(0xc3);
    expect(st.ebx).toBe(0x11); // I/D | P
    expect(st.ecx).toBe(0x40001000);
  });

  it('with NX configured but EFER.NXE = 0, XD stays reserved; EFER rejects other bits', () => {
    const m = paeRig({ cpuid: { nx: true } });
    let st = run(m, [0xa1, ...le32(0x40001000)]);
    expect(st.ebx).toBe(9);
    const m2 = paeRig({ cpuid: { nx: true } });
    st = run(m2, [0xb9, ...le32(EFER), 0xb8, ...le32(1), 0x31, 0xd2, 0x0f, 0x30]); // SCE: #GP
    expect(st.eip).toBe(0x6102);
  });

  it('XD in the PDE covers the pages below it; a fetch from a user page at CPL 0 is fine otherwise', () => {
    const m = paeRig({ cpuid: { nx: true } });
    m.dv.setUint32(PT1 + 12, 0, true); // PTE not XD
    m.dv.setUint32(PD1 + 4, 0x80000000, true); // PDE XD
    const st = run(m, [...WRMSR_NXE, 0xb8, ...le32(0x40001000), 0xff, 0xd0]);
    expect(st.ebx).toBe(0x11);
    const m2 = paeRig({ cpuid: { nx: true } });
    m2.dv.setUint32(PT1 + 12, 0, true);
    const st2 = run(m2, [...WRMSR_NXE, 0xb8, ...le32(0x40001000), 0xff, 0xd0, 0xbe, ...le32(0x1234)]);
    expect(st2.esi).toBe(0x1234); // called the RET and came back
  });
});
