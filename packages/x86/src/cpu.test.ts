import { describe, expect, it } from 'vitest';
import { ExitReason } from './bus.js';
import { X86Unimplemented } from './errors.js';
import {
  IDT_BASE, identityPaging, machine, protectedMode, pteAddress, realMode, setGate, descriptor, gate,
} from './test-machine.js';

describe('reset', () => {
  it('loads the power-on state of SDM Vol. 3 Table 9-1', () => {
    const { cpu } = machine();
    const st = cpu.getState();
    expect(st.cs.selector).toBe(0xf000);
    expect(st.cs.base).toBe(0xffff0000);
    expect(st.eip).toBe(0xfff0);
    expect(st.edx).toBe(0x633);
    expect(st.cr0).toBe(0x60000010);
    expect(st.eflags).toBe(2);
    expect(st.ds.base).toBe(0);
    expect(st.ds.limit).toBe(0xffff);
    expect(st.idtr).toEqual({ base: 0, limit: 0xffff });
    expect(cpu.retired).toBe(0);
  });
});

describe('boot flow of the default guest: real mode -> protected mode -> paging -> IRQ', () => {
  it('runs the far jump, enables paging, halts, takes an IDT interrupt and IRETs', () => {
    const m = machine();
    const { cpu, ram, bus, dv } = m;
    const code16 = [
      0xfa, // cli
      0x0f, 0x01, 0x16, 0x00, 0x7d, // lgdt [0x7d00]
      0x0f, 0x20, 0xc0, // mov eax, cr0
      0x66, 0x83, 0xc8, 0x01, // or eax, 1
      0x0f, 0x22, 0xc0, // mov cr0, eax
      0x66, 0xea, 0x40, 0x7c, 0x00, 0x00, 0x08, 0x00, // jmp dword 0x08:0x7c40
    ];
    ram.set(code16, 0x7c00);
    const code32 = [
      0x66, 0xb8, 0x10, 0x00, // mov ax, 0x10
      0x8e, 0xd8, // mov ds, ax
      0x8e, 0xd0, // mov ss, ax
      0x8e, 0xc0, // mov es, ax
      0xbc, 0x00, 0x90, 0x00, 0x00, // mov esp, 0x9000
      0xb8, 0x00, 0x00, 0x01, 0x00, // mov eax, 0x10000
      0x0f, 0x22, 0xd8, // mov cr3, eax
      0x0f, 0x20, 0xc0, // mov eax, cr0
      0x0d, 0x00, 0x00, 0x00, 0x80, // or eax, 0x80000000
      0x0f, 0x22, 0xc0, // mov cr0, eax
      0x0f, 0x01, 0x1d, 0x10, 0x7d, 0x00, 0x00, // lidt [0x7d10]
      0xfb, // sti
      0xf4, // hlt
      0xb0, 0x42, // mov al, 'B'
      0xe6, 0xe9, // out 0xe9, al
      0xf4, // hlt
    ];
    ram.set(code32, 0x7c40);
    const isr = [
      0x50, // push eax
      0xb0, 0x41, // mov al, 'A'
      0xba, 0xf8, 0x03, 0x00, 0x00, // mov edx, 0x3f8
      0xee, // out dx, al
      0xb0, 0x20, // mov al, 0x20
      0xe6, 0x20, // out 0x20, al
      0x58, // pop eax
      0xcf, // iret
    ];
    ram.set(isr, 0x7e00);
    ram.set([...descriptor(0, 0, 0, 0), ...descriptor(0, 0xfffff, 0x9a, 0xc), ...descriptor(0, 0xfffff, 0x92, 0xc)], 0x7d20);
    dv.setUint16(0x7d00, 23, true); dv.setUint32(0x7d02, 0x7d20, true);
    dv.setUint16(0x7d10, 0x7ff, true); dv.setUint32(0x7d12, 0x8000, true);
    ram.set(gate(0x7e00, 0x08, 0x8e), 0x8000 + 0x20 * 8);
    identityPaging(m, 0x10000, 4);
    realMode(m, 0, 0x7c00);

    expect(cpu.run(1000)).toBe(ExitReason.Halt);
    const st = cpu.getState();
    expect((st.cr0 & 0x80000001) >>> 0).toBe(0x80000001);
    expect(st.cs.selector).toBe(8);
    expect(st.ss.selector).toBe(0x10);
    expect(cpu.halted).toBe(true);
    expect(cpu.interruptsDeliverable()).toBe(true);
    // A halted CPU does not execute.
    const r = cpu.retired;
    expect(cpu.run(10)).toBe(ExitReason.Halt);
    expect(cpu.retired).toBe(r);

    cpu.injectInterrupt(0x20);
    expect(cpu.halted).toBe(false);
    // IF is cleared by the interrupt gate.
    expect(cpu.getState().eflags & 0x200).toBe(0);
    expect(cpu.run(1000)).toBe(ExitReason.Halt);
    expect(bus.writes).toEqual([[0x3f8, 1, 0x41], [0x20, 1, 0x20], [0xe9, 1, 0x42]]);
    expect(cpu.getState().esp).toBe(0x9000);
    // The page-table walk set the accessed bit of the PDE and of the code page's PTE.
    expect(dv.getUint32(0x10000, true) & 0x20).toBe(0x20);
    expect(dv.getUint32(pteAddress(0x10000, 0x7c40), true) & 0x20).toBe(0x20);
  });
});

describe('exceptions', () => {
  it('#UD for an architecturally invalid opcode is delivered through the IVT with the faulting IP', () => {
    const m = machine();
    realMode(m, 0x100, 0x10);
    m.ram.set([0x0f, 0x0b], 0x1010); // ud2
    m.dv.setUint16(6 * 4, 0x0200, true); // IVT[6] = 0000:0200
    m.dv.setUint16(6 * 4 + 2, 0, true);
    m.ram[0x200] = 0xf4;
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.cs.selector).toBe(0);
    expect(st.eip).toBe(0x201);
    // Frame: IP, CS, FLAGS at SS:SP.
    const sp = st.esp;
    expect(m.dv.getUint16(0x1000 + sp, true)).toBe(0x10);
    expect(m.dv.getUint16(0x1000 + sp + 2, true)).toBe(0x100);
  });

  it('#UD for LOCK on an instruction that is not lockable', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0xf0, 0x89, 0x07], 0x500); // lock mov [bx], ax
    m.dv.setUint16(6 * 4, 0x600, true);
    m.ram[0x600] = 0xf4;
    m.cpu.run(10);
    expect(m.cpu.getState().eip).toBe(0x601);
    expect(m.dv.getUint16(0xfffe - 6, true)).toBe(0x500);
  });

  it('LOCK ADD to memory executes', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.cpu.setState({ ebx: 0x800, eax: 5 });
    m.ram.set([0xf0, 0x01, 0x07, 0xf4], 0x500); // lock add [bx], ax
    m.dv.setUint16(0x800, 7, true);
    m.cpu.run(10);
    expect(m.dv.getUint16(0x800, true)).toBe(12);
  });

  it('an unimplemented opcode fails stop with X86Unimplemented naming x86, the address and the bytes', () => {
    const m = machine();
    realMode(m, 0x100, 0x20);
    m.ram.set([0x0f, 0x77, 0x90], 0x1020); // emms (MMX, not implemented)
    let err: unknown;
    try { m.cpu.run(10); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(X86Unimplemented);
    const u = err as X86Unimplemented;
    expect(u.linear).toBe(0x1020);
    expect(Array.from(u.bytes.slice(0, 3))).toEqual([0x0f, 0x77, 0x90]);
    expect(u.message).toContain('x86');
    expect(u.message).toContain('0x1020');
    expect(u.message).toContain('0f 77 90');
  });

  it('without an x87 unit, x87 escapes raise #NM when CR0.EM is set, and fail stop otherwise', () => {
    const m = machine(4 << 20, { x87: null });
    realMode(m, 0, 0x500);
    m.ram.set([0xd9, 0xe8], 0x500); // fld1
    expect(() => m.cpu.run(5)).toThrow(X86Unimplemented);
    realMode(m, 0, 0x500);
    m.cpu.setState({ cr0: 0x60000014 });
    m.dv.setUint16(7 * 4, 0x700, true);
    m.ram[0x700] = 0xf4;
    expect(m.cpu.run(5)).toBe(ExitReason.Halt);
    expect(m.cpu.getState().eip).toBe(0x701);
  });

  it('#DE pushes the address of the DIV itself', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0xf6, 0xf3], 0x500); // div bl (bl = 0)
    m.dv.setUint16(0, 0x700, true);
    m.ram[0x700] = 0xf4;
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x701);
    expect(m.dv.getUint16(0xfffe - 6, true)).toBe(0x500);
  });

  it('#PF reports CR2 and the error code, and the handler can map the page and IRET to retry', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    identityPaging(m, 0x100000, 4);
    const target = 0x345000;
    m.dv.setUint32(pteAddress(0x100000, target), 0, true); // not present
    m.cpu.setState({ cr3: 0x100000, cr0: 0x80000011 | 0, eax: 0x1234 });
    m.ram.set([0xa3, ...[0x10, 0x50, 0x34, 0x00], 0xf4], 0x5000); // mov [0x345010], eax; hlt
    // Handler: pop error code into ebx, mov ecx, cr2, map the page, iret.
    m.ram.set([
      0x5b, // pop ebx
      0x0f, 0x20, 0xd1, // mov ecx, cr2
      0xc7, 0x05, ...le32(pteAddress(0x100000, target)), ...le32(target | 7), // mov dword [pte], target|7
      0xcf, // iret
    ], 0x6000);
    setGate(m, 14, 0x6000);
    expect(m.cpu.run(50)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.ebx).toBe(0x2); // not present, write, supervisor
    expect(st.ecx).toBe(0x345010);
    expect(st.cr2).toBe(0x345010);
    expect(m.dv.getUint32(0x345010, true)).toBe(0x1234);
    // The retried write set the dirty bit.
    expect(m.dv.getUint32(pteAddress(0x100000, target), true) & 0x60).toBe(0x60);
  });

  it('a write to a read-only page faults at CPL 0 only when CR0.WP is set', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    identityPaging(m, 0x100000, 4);
    m.dv.setUint32(pteAddress(0x100000, 0x200000), 0x200000 | 5, true); // present, user, read-only
    m.ram.set([0x89, 0x05, ...le32(0x200000), 0xf4], 0x5000); // mov [0x200000], eax
    m.cpu.setState({ cr3: 0x100000, cr0: 0x80000011 | 0, eax: 0x55 });
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    expect(m.ram[0x200000]).toBe(0x55);
    setGate(m, 14, 0x6000);
    m.ram.set([0x5b, 0xf4], 0x6000); // pop ebx; hlt
    m.cpu.setState({ eip: 0x5000, eax: 0x66, cr0: (0x80010011 | 0) });
    m.cpu.halted = false;
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    expect(m.cpu.getState().ebx).toBe(3); // protection violation, write, supervisor
    expect(m.ram[0x200000]).toBe(0x55);
  });

  it('PSE maps 4 MiB pages', () => {
    const m = machine(12 << 20);
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x100000, 0x83, true); // 0-4 MiB -> 0
    m.dv.setUint32(0x100000 + 4 * 2, 0x400083, true); // 8-12 MiB -> 4-8 MiB
    m.ram.set([0x8b, 0x05, ...le32(0x800010), 0xf4], 0x5000); // mov eax, [0x800010]
    m.dv.setUint32(0x400010, 0xcafe, true);
    m.cpu.setState({ cr3: 0x100000, cr4: 0x10, cr0: 0x80000011 | 0 });
    m.cpu.run(10);
    expect(m.cpu.getState().eax).toBe(0xcafe);
  });

  it('INVLPG of any address in a 4 MiB page drops the translations of the whole page', () => {
    const m = machine(12 << 20);
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x100000, 0x83, true); // 0-4 MiB -> 0
    m.dv.setUint32(0x100000 + 4 * 2, 0x400083, true); // 8-12 MiB -> 4-8 MiB
    m.dv.setUint32(0x400010, 0xaaaa, true);
    m.dv.setUint32(0x800010, 0xbbbb, true);
    m.ram.set([
      0x8b, 0x35, ...le32(0x800010), // mov esi, [0x800010] (TLB filled for the first 2 MiB half)
      0xc7, 0x05, ...le32(0x100008), ...le32(0x800083), // remap 8-12 MiB -> 8-12 MiB
      0x0f, 0x01, 0x3d, ...le32(0xa00000), // invlpg in the other half
      0x8b, 0x3d, ...le32(0x800010), 0xf4, // mov edi, [0x800010]
    ], 0x5000);
    m.cpu.setState({ cr3: 0x100000, cr4: 0x10, cr0: 0x80000011 | 0 });
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    expect(m.cpu.getState().esi).toBe(0xaaaa);
    expect(m.cpu.getState().edi).toBe(0xbbbb);
  });

  it('a 4 MiB PDE with a reserved bit (21:13, no PSE-36) raises #PF with P|RSVD', () => {
    const m = machine(12 << 20);
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x100000, 0x83, true); // 0-4 MiB -> 0
    m.dv.setUint32(0x100000 + 4 * 2, 0x600083, true); // 8-12 MiB: bit 21 set (reserved)
    m.ram.set([0x8b, 0x05, ...le32(0x800010), 0xf4], 0x5000); // mov eax, [0x800010]
    m.ram.set([0x5b, 0x0f, 0x20, 0xd1, 0xf4], 0x6000); // pop ebx; mov ecx, cr2; hlt
    setGate(m, 14, 0x6000);
    m.cpu.setState({ cr3: 0x100000, cr4: 0x10, cr0: 0x80000011 | 0 });
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.ebx).toBe(0x9); // P | RSVD, read, supervisor
    expect(st.ecx).toBe(0x800010);
    expect(m.dv.getUint32(0x100000 + 8, true) & 0x20).toBe(0); // no accessed bit
  });

  it('a fault while delivering a contributory fault becomes #DF with error code 0', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    setGate(m, 8, 0x6000);
    // #GP gate present but pointing at a null selector: delivering #GP raises #GP -> #DF.
    m.ram.set(gate(0x7000, 0x00, 0x8e), IDT_BASE + 13 * 8);
    m.ram.set([0x8e, 0xd8], 0x5000); // mov ds, ax with ax = 0x1234 -> #GP
    m.ram.set([0x5b, 0xf4], 0x6000); // pop ebx; hlt
    m.cpu.setState({ eax: 0x1234, ebx: 0xffff });
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    expect(m.cpu.getState().ebx).toBe(0);
    expect(m.cpu.lastVector).toBe(13);
  });

  it('a triple fault returns Shutdown', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.cpu.setState({ idtr: { base: IDT_BASE, limit: 0 } });
    m.ram.set([0xcc], 0x5000); // int3 with an empty IDT
    expect(m.cpu.run(10)).toBe(ExitReason.Shutdown);
    expect(m.cpu.run(10)).toBe(ExitReason.Shutdown);
    m.cpu.reset();
    expect(m.cpu.getState().eip).toBe(0xfff0);
  });
});

describe('interrupt control', () => {
  it('STI opens the interrupt window only after the next instruction', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0xfb, 0x90, 0x90, 0xf4], 0x500); // sti; nop; nop; hlt
    m.cpu.run(1);
    expect(m.cpu.getState().eflags & 0x200).toBe(0x200);
    expect(m.cpu.interruptsDeliverable()).toBe(false);
    m.cpu.run(1);
    expect(m.cpu.interruptsDeliverable()).toBe(true);
  });

  it('interruptWindowExit returns InterruptWindow as soon as interrupts are deliverable', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0x90, 0xfb, 0x90, 0x90, 0xf4], 0x500); // nop; sti; nop; nop; hlt
    m.cpu.interruptWindowExit = true;
    expect(m.cpu.run(100)).toBe(ExitReason.InterruptWindow);
    expect(m.cpu.retired).toBe(3);
    expect(m.cpu.getState().eip).toBe(0x503);
    m.cpu.interruptWindowExit = false;
    expect(m.cpu.run(100)).toBe(ExitReason.Halt);
  });

  it('MOV SS holds off interrupts for one instruction', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.cpu.setState({ eflags: 0x202 });
    m.ram.set([0x8e, 0xd0, 0x90], 0x500); // mov ss, ax; nop
    m.cpu.run(1);
    expect(m.cpu.interruptsDeliverable()).toBe(false);
    m.cpu.run(1);
    expect(m.cpu.interruptsDeliverable()).toBe(true);
  });

  it('requestExit from inside a port write ends the slice after that instruction', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0x90, 0xe6, 0x80, 0x90, 0x90, 0xf4], 0x500); // nop; out 0x80, al; nop; nop; hlt
    m.bus.onWrite = () => m.cpu.requestExit();
    expect(m.cpu.run(100)).toBe(ExitReason.Requested);
    expect(m.cpu.retired).toBe(2);
    expect(m.cpu.lastRetired).toBe(2);
    expect(m.cpu.run(100)).toBe(ExitReason.Halt);
    expect(m.cpu.retired).toBe(5);
  });

  it('HLT counts as one retired instruction and the budget is honoured', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0xeb, 0xfe], 0x500); // jmp $
    expect(m.cpu.run(1000)).toBe(ExitReason.Budget);
    expect(m.cpu.retired).toBe(1000);
    m.ram.set([0xf4], 0x600);
    m.cpu.setState({ eip: 0x600 });
    expect(m.cpu.run(1000)).toBe(ExitReason.Halt);
    expect(m.cpu.retired).toBe(1001);
  });

  it('injectInterrupt in real mode uses the IVT and IRET returns', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0xfb, 0xf4, 0xf4], 0x500); // sti; hlt; hlt
    m.dv.setUint16(0x08 * 4, 0x700, true);
    m.ram.set([0xe6, 0x20, 0xcf], 0x700); // out 0x20, al; iret
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    m.cpu.injectInterrupt(8);
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    expect(m.cpu.getState().eip).toBe(0x503);
    expect(m.bus.writes.length).toBe(1);
    expect(m.cpu.getState().eflags & 0x200).toBe(0x200);
  });

  it('an interrupt from CPL 3 switches to the TSS ring-0 stack and IRET returns to ring 3', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x3000 + 4, 0x80000, true); // TSS ESP0
    m.dv.setUint16(0x3000 + 8, 0x10, true); // TSS SS0
    setGate(m, 0x80, 0x6000, 0xee); // DPL 3 interrupt gate
    m.ram.set([0xcd, 0x80, 0xf4], 0x5000); // int 0x80 (from ring 3); hlt (ring 3 -> #GP)
    m.ram.set([0x8b, 0x44, 0x24, 0x0c, 0xcf], 0x6000); // mov eax, [esp+12] (user ESP); iret
    const user = (sel: number, acc: number) => ({ selector: sel, base: 0, limit: 0xffffffff, access: acc });
    m.cpu.setState({
      cs: user(0x1b, 0xc0fb), ss: user(0x23, 0xc0f3), ds: user(0x23, 0xc0f3), es: user(0x23, 0xc0f3),
      esp: 0x70000, eflags: 0x202,
    });
    setGate(m, 13, 0x6100);
    m.ram.set([0xf4], 0x6100);
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.eax).toBe(0x70000);
    // HLT at CPL 3 raised #GP(0), delivered on the ring-0 stack with SS:ESP of ring 3 pushed.
    expect(st.cs.selector).toBe(0x08);
    expect(m.dv.getUint32(0x80000 - 4, true)).toBe(0x23); // old SS
    expect(m.dv.getUint32(0x80000 - 8, true)).toBe(0x70000); // old ESP
    expect(m.dv.getUint32(0x80000 - 16, true)).toBe(0x1b); // old CS
    expect(m.dv.getUint32(0x80000 - 20, true)).toBe(0x5002); // EIP of the HLT
    expect(m.dv.getUint32(0x80000 - 24, true)).toBe(0); // error code
  });
});

describe('real mode with 32-bit addressing', () => {
  it('an offset above 0xFFFF faults (#GP through IVT vector 13) in plain real mode', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0x67, 0x8b, 0x03], 0x500); // mov ax, [ebx]
    m.cpu.setState({ ebx: 0x10000 });
    m.dv.setUint16(13 * 4, 0x700, true);
    m.ram[0x700] = 0xf4;
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x701);
  });

  it('unreal mode: a 4 GiB DS limit loaded in protected mode survives the return to real mode', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([...descriptor(0, 0, 0, 0), ...descriptor(0, 0xfffff, 0x92, 0xc)], 0x600);
    m.dv.setUint16(0x680, 15, true); m.dv.setUint32(0x682, 0x600, true);
    m.ram.set([
      0x0f, 0x01, 0x16, 0x80, 0x06, // lgdt [0x680]
      0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, // mov eax,cr0; or al,1; mov cr0,eax
      0xbb, 0x08, 0x00, 0x8e, 0xdb, // mov bx, 8; mov ds, bx
      0x24, 0xfe, 0x0f, 0x22, 0xc0, // and al,0xfe; mov cr0,eax
      0x31, 0xdb, 0x8e, 0xdb, // xor bx,bx; mov ds,bx (real mode: base 0, limit kept)
      0x66, 0xbb, 0x00, 0x00, 0x20, 0x00, // mov ebx, 0x200000
      0x67, 0x66, 0x8b, 0x03, // mov eax, [ebx]
      0xf4,
    ], 0x500);
    m.dv.setUint32(0x200000, 0xfeedbeef, true);
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.eax).toBe(0xfeedbeef);
    expect(st.ds.limit).toBe(0xffffffff);
    expect(st.cr0 & 1).toBe(0);
  });
});

describe('virtual-8086 mode', () => {
  function vm86Rig(eflags: number) {
    const m = machine();
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x3000 + 4, 0x80000, true); // ESP0
    m.dv.setUint16(0x3000 + 8, 0x10, true); // SS0
    // Ring-0 code: push the V86 frame (GS FS DS ES SS ESP EFLAGS CS EIP) and IRET into it.
    const push32 = (v: number) => [0x68, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
    m.ram.set([
      ...push32(0x2000), ...push32(0x3000), ...push32(0x4000), ...push32(0x5000), // GS FS DS ES
      ...push32(0x2000), ...push32(0xfffe), ...push32(eflags), ...push32(0x1000), ...push32(0x0000),
      0xcf,
    ], 0x5000);
    setGate(m, 13, 0x6000);
    m.ram.set([0xf4], 0x6000);
    return m;
  }

  it('IRET enters V86; INT n with IOPL < 3 raises #GP delivered on the ring-0 stack with the V86 segments', () => {
    const m = vm86Rig(0x20202); // VM, IF, IOPL 0
    m.ram.set([0xb8, 0x34, 0x12, 0x8c, 0xdb, 0xcd, 0x21], 0x10000); // mov ax,0x1234; mov bx,ds; int 0x21
    expect(m.cpu.run(30)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.eax & 0xffff).toBe(0x1234);
    expect(st.ebx & 0xffff).toBe(0x4000); // DS in V86 was the real-mode style selector
    expect(st.cs.selector).toBe(0x08);
    expect(st.ds.selector).toBe(0); // data segments are nulled on the way out of V86
    expect(st.eflags & 0x20000).toBe(0);
    const f = (i: number) => m.dv.getUint32(0x80000 - 40 + i * 4, true);
    expect([f(0), f(1), f(2), f(4), f(5), f(6), f(7), f(8), f(9)]).toEqual([0, 5, 0x1000, 0xfffe, 0x2000, 0x5000, 0x4000, 0x3000, 0x2000]);
    expect(f(3) & 0x20000).toBe(0x20000);
  });

  it('the ring-0 handler of a fault out of V86 runs with its 32-bit code segment defaults', () => {
    const m = vm86Rig(0x20202); // VM, IF, IOPL 0
    m.ram.set([0x6a, 0x0d, 0xf4], 0x6000); // push dword 13; hlt
    m.ram.set([0xcd, 0x21], 0x10000); // int 0x21 -> #GP(0)
    expect(m.cpu.run(30)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.esp).toBe(0x80000 - 40 - 4); // a dword push after the 10-dword frame
    expect(m.dv.getUint32(0x80000 - 44, true)).toBe(13);
    expect(m.dv.getUint32(0x80000 - 40, true)).toBe(0); // error code
  });

  it('with IOPL 3, CLI/STI/PUSHF/POPF run in V86 and IN/OUT still consult the I/O bitmap', () => {
    const m = vm86Rig(0x23202); // VM, IOPL 3, IF
    m.dv.setUint16(0x3000 + 0x66, 0x68, true); // I/O bitmap at TSS+0x68, beyond the 0x67 limit
    m.ram.set([0xfa, 0x9c, 0x58, 0xfb, 0xe6, 0x80], 0x10000); // cli; pushf; pop ax; sti; out 0x80, al
    expect(m.cpu.run(30)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.eax & 0x3200).toBe(0x3000); // IOPL 3 and IF = 0 in the pushed image
    expect(m.bus.writes.length).toBe(0); // OUT faulted: the bitmap is outside the TSS limit
    expect(m.dv.getUint32(0x80000 - 40 + 4, true)).toBe(4); // #GP at the OUT
  });
});

describe('more protected-mode rules', () => {
  it('an expand-down data segment allows offsets above the limit only', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set(descriptor(0x100000, 0x0fff, 0x96, 0x4), 0x1000 + 0x30); // expand-down, B=1, limit 0xFFF
    m.cpu.setState({ gdtr: { base: 0x1000, limit: 0x37 } });
    setGate(m, 13, 0x6000);
    m.ram[0x6000] = 0xf4;
    m.ram.set([0x66, 0xb8, 0x30, 0x00, 0x8e, 0xd8, 0x8b, 0x03, 0x8b, 0x01, 0xf4], 0x5000); // mov ds,0x30; mov eax,[ebx]; mov eax,[ecx]
    m.dv.setUint32(0x100000 + 0x2000, 0xabcd, true);
    m.cpu.setState({ ebx: 0x2000, ecx: 0x10 });
    m.cpu.run(10);
    const st = m.cpu.getState();
    expect(st.eax).toBe(0xabcd);
    expect(st.eip).toBe(0x6001); // [ecx] = offset 0x10 is below the limit: #GP
    expect(m.dv.getUint32(0x90000 - 12, true)).toBe(0x5008);
  });

  it('LLDT and a selector with TI=1 load a segment from the LDT', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set(descriptor(0x7000, 0x17, 0x82, 0), 0x1000 + 0x30); // LDT descriptor
    m.ram.set(descriptor(0x200000, 0xffff, 0x92, 0x4), 0x7000 + 8); // LDT entry 1: data at 2 MiB
    m.cpu.setState({ gdtr: { base: 0x1000, limit: 0x37 } });
    m.ram.set([0x66, 0xb8, 0x30, 0x00, 0x0f, 0x00, 0xd0, 0x66, 0xb8, 0x0c, 0x00, 0x8e, 0xe0, 0x64, 0xa1, 0x04, 0, 0, 0, 0xf4], 0x5000);
    // mov ax,0x30; lldt ax; mov ax,0x0c; mov fs,ax; mov eax, fs:[4]
    m.dv.setUint32(0x200004, 0x600d, true);
    m.cpu.run(10);
    const st = m.cpu.getState();
    expect(st.ldtr.selector).toBe(0x30);
    expect(st.fs.base).toBe(0x200000);
    expect(st.eax).toBe(0x600d);
    expect(m.ram[0x7000 + 8 + 5] & 1).toBe(1); // accessed bit set in the LDT entry
  });

  it('IRET to ring 3 nulls data segments the new CPL may not use', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    // iret frame for ring 3: EIP, CS, EFLAGS, ESP, SS
    for (const [i, v] of [[0, 0x5100], [1, 0x1b], [2, 0x202], [3, 0x70000], [4, 0x23]]) m.dv.setUint32(0x90000 + i * 4, v, true);
    m.ram.set([0xcf], 0x5000);
    m.ram.set([0xeb, 0xfe], 0x5100);
    m.cpu.setState({ fs: { selector: 0x23, base: 0, limit: 0xffffffff, access: 0xc0f3 } });
    m.cpu.run(3);
    const st = m.cpu.getState();
    expect(st.cs.selector).toBe(0x1b);
    expect(st.ds.selector).toBe(0); // DPL 0 data: nulled
    expect(st.fs.selector).toBe(0x23); // DPL 3 data: kept
    expect(st.esp).toBe(0x70000);
  });

  it('the I/O bitmap lets CPL 3 use the ports whose bits are clear', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set(descriptor(0x3000, 0x68 + 0x20, 0x8b, 0), 0x1000 + 0x28);
    m.cpu.setState({ tr: { selector: 0x28, base: 0x3000, limit: 0x88, access: 0x8b } });
    m.dv.setUint16(0x3000 + 0x66, 0x68, true);
    m.ram.fill(0xff, 0x3068, 0x3088);
    m.ram[0x3068 + (0x80 >> 3)] = 0xfe; // port 0x80 allowed
    const user = (sel: number, acc: number) => ({ selector: sel, base: 0, limit: 0xffffffff, access: acc });
    m.cpu.setState({ cs: user(0x1b, 0xc0fb), ss: user(0x23, 0xc0f3), esp: 0x70000 });
    m.dv.setUint32(0x3004, 0x80000, true); m.dv.setUint16(0x3008, 0x10, true);
    setGate(m, 13, 0x6000);
    m.ram[0x6000] = 0xf4;
    m.ram.set([0xe6, 0x80, 0xe6, 0x81], 0x5000); // out 0x80, al (allowed); out 0x81, al (#GP)
    m.cpu.run(10);
    expect(m.bus.writes).toEqual([[0x80, 1, 0]]);
    expect(m.dv.getUint32(0x80000 - 20, true)).toBe(0x5002);
  });

  it('TF raises #DB after each instruction, with the next EIP pushed', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.cpu.setState({ eflags: 0x102 });
    m.dv.setUint16(1 * 4, 0x700, true);
    m.ram[0x700] = 0xf4;
    m.ram.set([0x90, 0x90], 0x500);
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x701);
    expect(m.dv.getUint16(0xfffe - 6, true)).toBe(0x501); // after the first NOP
    expect(m.cpu.getState().eflags & 0x100).toBe(0); // TF cleared in the handler
  });

  it('BOUND raises #BR for an index outside the bounds', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.dv.setUint16(0x800, 10, true); m.dv.setUint16(0x802, 20, true);
    m.dv.setUint16(5 * 4, 0x700, true);
    m.ram[0x700] = 0xf4;
    m.ram.set([0x62, 0x06, 0x00, 0x08, 0xf4], 0x500); // bound ax, [0x800]
    m.cpu.setState({ eax: 15 });
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x505);
    realMode(m, 0, 0x500);
    m.cpu.halted = false;
    m.cpu.setState({ eax: 21 });
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x701);
  });
});

describe('A20', () => {
  it('with A20M# asserted, FFFF:0010 wraps to physical 0', () => {
    const m = machine();
    realMode(m, 0, 0x500);
    m.ram.set([0xa1, 0x10, 0x00, 0xf4], 0x500); // mov ax, [0x10] with DS = FFFF
    m.cpu.setState({ ds: { selector: 0xffff, base: 0xffff0, limit: 0xffff, access: 0x93 } });
    m.dv.setUint16(0x100000, 0x1111, true);
    m.dv.setUint16(0, 0x2222, true);
    m.cpu.run(5);
    expect(m.cpu.getState().eax & 0xffff).toBe(0x1111);
    m.cpu.setA20(false);
    m.cpu.setState({ eip: 0x500 }); m.cpu.halted = false;
    m.cpu.run(5);
    expect(m.cpu.getState().eax & 0xffff).toBe(0x2222);
  });
});

describe('checkpoint', () => {
  it('a state saved mid-run (through JSON) and loaded into a fresh CPU continues identically', () => {
    const prog = [
      0xdb, 0xe3, 0xd9, 0xe8, // fninit; fld1
      0xb9, 0x00, 0x01, 0x00, 0x00, // mov ecx, 256
      0x01, 0xc8, 0xd1, 0xc0, 0xd8, 0xc0, 0x0f, 0x31, 0x31, 0xc3, 0xe2, 0xf4, // loop: add eax,ecx; rol eax,1; fadd st0,st0; rdtsc; xor ebx,eax; loop
      0xdd, 0x1d, 0x00, 0x80, 0x00, 0x00, 0xf4, // fstp qword [0x8000]; hlt
    ];
    const a = machine();
    protectedMode(a, 0x5000);
    a.ram.set(prog, 0x5000);
    a.cpu.setState({ cr0: 0x60000031 });
    a.cpu.run(300);
    const snap = JSON.parse(JSON.stringify(a.cpu.getState()));
    const ramCopy = a.ram.slice();
    a.cpu.run(10_000);
    const b = machine();
    b.ram.set(ramCopy);
    b.cpu.setState(snap);
    b.cpu.run(10_000);
    expect(b.cpu.getState()).toEqual(a.cpu.getState());
    expect(b.dv.getFloat64(0x8000, true)).toBe(a.dv.getFloat64(0x8000, true));
    expect(a.dv.getFloat64(0x8000, true)).toBe(2 ** 256);
  });
});

describe('far transfers in protected mode', () => {
  it('CALL through a call gate to ring 0 copies parameters; RETF imm returns to ring 3', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x3000 + 4, 0x80000, true);
    m.dv.setUint16(0x3000 + 8, 0x10, true);
    const g = gate(0x6000, 0x08, 0xec); // 32-bit call gate, DPL 3
    g[4] = 1; // one parameter
    m.ram.set(g, 0x1000 + 0x30);
    m.cpu.setState({ gdtr: { base: 0x1000, limit: 0x37 } });
    const user = (sel: number, acc: number) => ({ selector: sel, base: 0, limit: 0xffffffff, access: acc });
    m.cpu.setState({ cs: user(0x1b, 0xc0fb), ss: user(0x23, 0xc0f3), ds: user(0x23, 0xc0f3), es: user(0x23, 0xc0f3), esp: 0x70000 });
    m.ram.set([0x6a, 0x77, 0x9a, 0, 0, 0, 0, 0x33, 0x00, 0xeb, 0xfe], 0x5000); // push 0x77; call 0x33:0; jmp $
    m.ram.set([0x8b, 0x44, 0x24, 0x08, 0x8c, 0xd3, 0xca, 0x04, 0x00], 0x6000); // mov eax,[esp+8]; mov bx,ss; retf 4
    expect(m.cpu.run(20)).toBe(ExitReason.Budget);
    const st = m.cpu.getState();
    expect(st.eax).toBe(0x77);
    expect(st.ebx & 0xffff).toBe(0x10);
    expect(st.cs.selector).toBe(0x1b);
    expect(st.ss.selector).toBe(0x23);
    expect(st.esp).toBe(0x70000);
    expect(st.eip).toBe(0x5009);
    expect(m.dv.getUint32(0x80000 - 8, true)).toBe(0x70000 - 4); // caller ESP on the ring-0 stack
  });

  it('a far JMP in 16-bit protected mode and a far CALL/RETF at the same privilege', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set(descriptor(0, 0xffff, 0x9a, 0), 0x1000 + 0x30); // 16-bit code segment
    m.cpu.setState({ gdtr: { base: 0x1000, limit: 0x37 } });
    // jmp far 0x30:0x5100 (32-bit), then in 16-bit code: call far 0x08:0x5200 (66-prefixed), hlt
    m.ram.set([0xea, 0x00, 0x51, 0, 0, 0x30, 0x00], 0x5000);
    m.ram.set([0x66, 0x9a, 0x00, 0x52, 0, 0, 0x08, 0x00, 0xf4], 0x5100);
    m.ram.set([0xcb], 0x5200); // retf (32-bit)
    expect(m.cpu.run(10)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.cs.selector).toBe(0x30);
    expect(st.eip).toBe(0x5109);
    expect(st.esp).toBe(0x90000);
  });
});

describe('SYSENTER / SYSEXIT', () => {
  it('enter ring 0 at SYSENTER_EIP with flat segments and leave to ring 3 at EDX with ESP = ECX', () => {
    const m = machine(4 << 20, { cpuid: { features: 0xa13d | 0x800 } });
    protectedMode(m, 0x5000);
    // wrmsr 0x174 = 0x08; 0x175 = 0x80000; 0x176 = 0x6000; then drop to ring 3 with sysexit.
    m.ram.set([
      0xb9, 0x74, 1, 0, 0, 0xb8, 0x08, 0, 0, 0, 0x31, 0xd2, 0x0f, 0x30,
      0xb9, 0x75, 1, 0, 0, 0xb8, 0, 0, 8, 0, 0x0f, 0x30,
      0xb9, 0x76, 1, 0, 0, 0xb8, 0, 0x60, 0, 0, 0x0f, 0x30,
      0xb9, 0x00, 0, 7, 0, 0xba, 0x40, 0x50, 0, 0, 0x0f, 0x35, // ecx = 0x70000, edx = 0x5040, sysexit
    ], 0x5000);
    m.ram.set([0x0f, 0x34], 0x5040); // ring 3: sysenter
    m.ram.set([0xf4], 0x6000);
    expect(m.cpu.run(30)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.cs.selector).toBe(0x08);
    expect(st.ss.selector).toBe(0x10);
    expect(st.esp).toBe(0x80000);
    expect(st.eip).toBe(0x6001);
  });

  it('without SEP in CPUID (the default), SYSENTER and SYSEXIT raise #UD', () => {
    for (const op of [0x34, 0x35]) {
      const m = machine();
      protectedMode(m, 0x5000);
      m.ram.set([0x0f, op, 0xf4], 0x5000);
      m.ram.set([0xf4], 0x6000);
      setGate(m, 6, 0x6000);
      setGate(m, 13, 0x6000);
      expect(m.cpu.run(10)).toBe(ExitReason.Halt);
      expect(m.cpu.getState().eip).toBe(0x6001);
      expect(m.dv.getUint32(m.cpu.getState().esp, true)).toBe(0x5000); // #UD: no error code, EIP
    }
  });
});

describe('hardware task switches', () => {
  function taskRig() {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set(descriptor(0x3100, 0x67, 0x89, 0), 0x1000 + 0x30); // TSS B, available
    m.ram[0x1000 + 0x28 + 5] = 0x8b; // TSS A (current) busy
    m.cpu.setState({ gdtr: { base: 0x1000, limit: 0x37 } });
    const t = 0x3100;
    m.dv.setUint32(t + 0x20, 0x6000, true); // EIP
    m.dv.setUint32(t + 0x24, 2, true); // EFLAGS
    m.dv.setUint32(t + 0x38, 0x70000, true); // ESP
    for (const [o, v] of [[0x48, 0x10], [0x4c, 0x08], [0x50, 0x10], [0x54, 0x10], [0x58, 0x10], [0x5c, 0x10]]) m.dv.setUint16(t + o, v, true);
    return m;
  }

  it('CALL to a TSS runs the task with NT and a back link; IRET returns to the caller', () => {
    const m = taskRig();
    m.ram.set([0x9a, 0, 0, 0, 0, 0x30, 0x00, 0xf4], 0x5000); // call 0x30:0; hlt
    m.ram.set([0x89, 0x25, 0x00, 0x80, 0x00, 0x00, 0x9c, 0x58, 0xa3, 0x04, 0x80, 0x00, 0x00, 0xcf], 0x6000); // mov [0x8000],esp; pushf; pop eax; mov [0x8004],eax; iret
    m.cpu.setState({ eax: 0x1234 });
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.eip).toBe(0x5008);
    expect(st.eax).toBe(0x1234); // the caller's registers came back from its TSS
    expect(st.tr.selector).toBe(0x28);
    expect(st.cr0 & 8).toBe(8); // CR0.TS
    expect(m.dv.getUint32(0x8000, true)).toBe(0x70000);
    expect(m.dv.getUint32(0x8004, true) & 0x4000).toBe(0x4000); // NT inside the called task
    expect(m.dv.getUint16(0x3100, true)).toBe(0x28); // back link
    expect(m.ram[0x1000 + 0x30 + 5] & 2).toBe(0); // B no longer busy
    expect(m.ram[0x1000 + 0x28 + 5] & 2).toBe(2); // A busy
  });

  it('a double fault through a task gate runs the #DF task with error code 0 on its stack', () => {
    const m = taskRig();
    m.ram.set([0, 0, 0x30, 0, 0, 0x85, 0, 0], IDT_BASE + 8 * 8); // task gate -> TSS B
    m.ram.set(gate(0x7000, 0x00, 0x8e), IDT_BASE + 13 * 8); // broken #GP gate
    m.ram.set([0x8e, 0xd8], 0x5000); // mov ds, ax -> #GP -> #DF
    m.ram.set([0x58, 0xf4], 0x6000); // pop eax; hlt
    m.cpu.setState({ eax: 0x1234 });
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    const st = m.cpu.getState();
    expect(st.tr.selector).toBe(0x30);
    expect(st.eax).toBe(0);
    expect(m.dv.getUint32(0x3000 + 0x20, true)).toBe(0x5000); // the faulting EIP saved in TSS A
  });
});

describe('system instructions', () => {
  it('CPUID reports the vendor and only implemented features; RDTSC follows retired', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([0x31, 0xc0, 0x0f, 0xa2, 0xf4], 0x5000); // xor eax,eax; cpuid; hlt
    m.cpu.run(10);
    const st = m.cpu.getState();
    const s = String.fromCharCode(...[st.ebx, st.edx, st.ecx].flatMap((v) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24]));
    expect(s).toBe('GenuineIntel');
    m.ram.set([0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0xf4, 0x0f, 0x31, 0xf4], 0x5100);
    m.cpu.setState({ eip: 0x5100 }); m.cpu.halted = false;
    m.cpu.run(10);
    const s2 = m.cpu.getState();
    expect(s2.edx & 1).toBe(1); // the built-in x87 unit
    expect(s2.edx & 0x10).toBe(0x10); // TSC
    expect(s2.edx & 0x8).toBe(0x8); // PSE
    m.cpu.halted = false;
    m.cpu.run(10);
    // RDTSC counts retired instructions: six retired before it.
    expect(m.cpu.getState().eax).toBe(6);
    expect(m.cpu.getState().edx).toBe(0);
  });

  it('the built-in x87 unit computes: fld1; fld1; faddp; fistp dword [0x8000]', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xe8, 0xde, 0xc1, 0xdb, 0x1d, 0x00, 0x80, 0x00, 0x00, 0xf4], 0x5000);
    m.cpu.setState({ cr0: 0x60000031 });
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    expect(m.dv.getInt32(0x8000, true)).toBe(2);
  });

  it('CPUID leaves FPU out for a CPU built without an x87 unit', () => {
    const m = machine(4 << 20, { x87: null });
    protectedMode(m, 0x5000);
    m.ram.set([0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0xf4], 0x5000);
    m.cpu.run(10);
    expect(m.cpu.getState().edx & 1).toBe(0);
  });

  it('the CPUID hook sees the built-in answer and may keep it (undefined) or replace it', () => {
    const seen: [number, number, readonly number[]][] = [];
    const m = machine(4 << 20, {
      cpuid: {
        hook: (leaf, sub, native) => {
          seen.push([leaf, sub, native]);
          // Set CPUID.01H:EDX bit 9 (APIC) on top of the CPU's own features; keep every other leaf.
          return leaf === 1 ? [native[0], native[1], native[2], native[3] | 0x200] : undefined;
        },
      },
    });
    protectedMode(m, 0x5000);
    // mov eax,1; mov ecx,7; cpuid; hlt
    m.ram.set([0xb8, 1, 0, 0, 0, 0xb9, 7, 0, 0, 0, 0x0f, 0xa2, 0xf4], 0x5000);
    m.cpu.run(10);
    const st = m.cpu.getState();
    expect(st.eax).toBe(0x633);
    expect(st.edx & 0x200).toBe(0x200);
    expect(st.edx & 0x11).toBe(0x11); // FPU and TSC, the CPU's own bits, kept
    const [leaf, sub, native] = seen[0] ?? [-1, -1, [0, 0, 0, 0x200]];
    expect(leaf).toBe(1);
    expect(sub).toBe(7);
    expect((native[3] ?? 0x200) & 0x200).toBe(0); // the built-in answer has no APIC
    // The query a loader makes goes through the same hook, registers untouched.
    expect(m.cpu.cpuid(1, 0)[3] & 0x200).toBe(0x200);
    expect(m.cpu.cpuid(0, 0)[0]).toBe(1);
    expect(m.cpu.getState().eax).toBe(0x633);
  });

  it('RDMSR of a nonexistent MSR raises #GP; of a P6 MSR we do not model fails stop', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    setGate(m, 13, 0x6000);
    m.ram[0x6000] = 0xf4;
    m.ram.set([0x0f, 0x32], 0x5000);
    m.cpu.setState({ ecx: 0x12345 });
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x6001);
    protectedMode(m, 0x5000);
    m.cpu.halted = false;
    m.cpu.setState({ ecx: 0x1b });
    expect(() => m.cpu.run(5)).toThrow(X86Unimplemented);
  });

  it('IA32_BIOS_SIGN_ID reads back revision 0 (no microcode loaded); TSC is writable', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([
      0xb9, 0x8b, 0, 0, 0, 0x31, 0xc0, 0x31, 0xd2, 0x0f, 0x30, // mov ecx,0x8b; xor eax,eax; xor edx,edx; wrmsr
      0x0f, 0x32, 0x89, 0xd3, // rdmsr; mov ebx, edx
      0xb9, 0x10, 0, 0, 0, 0xb8, 0, 0, 0, 0x10, 0x0f, 0x30, // mov ecx,0x10; mov eax,0x10000000; wrmsr
      0x0f, 0x31, 0xf4, // rdtsc; hlt
    ], 0x5000);
    m.cpu.setState({ ebx: 0xffff });
    m.cpu.run(20);
    const st = m.cpu.getState();
    expect(st.ebx).toBe(0);
    expect(st.eax).toBe(0x10000001); // one instruction (RDTSC itself) after the write
  });

  it('the bus may intercept RDMSR/WRMSR (v3_hook_msr); unhandled MSRs fall back to the CPU', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    const writes: [number, bigint][] = [];
    m.bus.msrRead = (n) => (n === 0x1b ? 0xfee00900n : undefined);
    m.bus.msrWrite = (n, v) => { if (n !== 0x1b) return false; writes.push([n, v]); return true; };
    m.ram.set([
      0xb9, 0x1b, 0, 0, 0, 0x0f, 0x32, 0x89, 0xc3, // mov ecx, 0x1b; rdmsr; mov ebx, eax
      0xba, 1, 0, 0, 0, 0x0f, 0x30, // mov edx, 1; wrmsr
      0xb9, 0x10, 0, 0, 0, 0x0f, 0x32, 0xf4, // mov ecx, 0x10; rdmsr (the CPU's TSC); hlt
    ], 0x5000);
    expect(m.cpu.run(20)).toBe(ExitReason.Halt);
    expect(m.cpu.getState().ebx).toBe(0xfee00900);
    expect(writes).toEqual([[0x1b, 0x1fee00900n]]);
    expect(m.cpu.getState().eax).toBe(6); // six instructions retired before the RDMSR
  });

  it('machine-check architecture with zero banks: MCG_CAP reads 0, MCG_CTL raises #GP', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    setGate(m, 13, 0x6000);
    m.ram[0x6000] = 0xf4;
    m.ram.set([0xb9, 0x79, 1, 0, 0, 0x0f, 0x32, 0x89, 0xc3, 0xb9, 0x7b, 1, 0, 0, 0x0f, 0x32, 0xf4], 0x5000);
    m.cpu.setState({ eax: 0x55, ebx: 0x66 });
    m.cpu.run(10);
    const st = m.cpu.getState();
    expect(st.ebx).toBe(0);
    expect(st.eip).toBe(0x6001);
    expect(m.dv.getUint32(0x90000 - 12, true)).toBe(0x500e); // #GP at the second RDMSR
  });

  it('P6 PERFCTR0 keeps a written 40-bit value (the probe Linux runs at boot)', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([0xb9, 0xc1, 0, 0, 0, 0x0f, 0x30, 0x31, 0xc0, 0x31, 0xd2, 0x0f, 0x32, 0xf4], 0x5000); // wrmsr; clear; rdmsr
    m.cpu.setState({ eax: 0xffff5432, edx: 0x12345 });
    m.cpu.run(10);
    const st = m.cpu.getState();
    expect(st.eax).toBe(0xffff5432);
    expect(st.edx).toBe(0x45);
    // RDPMC reads the same counter.
    m.ram.set([0x31, 0xc0, 0x31, 0xd2, 0x31, 0xc9, 0x0f, 0x33, 0xf4], 0x6000);
    m.cpu.setState({ eip: 0x6000 }); m.cpu.halted = false;
    m.cpu.run(10);
    expect(m.cpu.getState().eax).toBe(0xffff5432);
    expect(m.cpu.getState().edx).toBe(0x45);
  });

  it('POPF at CPL 3 leaves IF and IOPL unchanged', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    const user = (sel: number, acc: number) => ({ selector: sel, base: 0, limit: 0xffffffff, access: acc });
    m.cpu.setState({ cs: user(0x1b, 0xc0fb), ss: user(0x23, 0xc0f3), esp: 0x70000, eflags: 0x202 });
    m.dv.setUint32(0x70000, 0x3001, true); // IOPL 3, IF 0, CF 1
    m.ram.set([0x9d, 0xeb, 0xfe], 0x5000); // popf; jmp $
    m.cpu.run(1);
    const f = m.cpu.getState().eflags;
    expect(f & 0x3201).toBe(0x201);
  });

  it('LGDT, far JMP and segment loads check descriptors (#GP with the selector as error code)', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    setGate(m, 13, 0x6000);
    m.ram.set([0x5b, 0xf4], 0x6000); // pop ebx; hlt
    m.ram.set([0x66, 0xb8, 0x08, 0x00, 0x8e, 0xd8], 0x5000); // mov ax, 0x08; mov ds, ax (code, not readable)
    m.ram.set(descriptor(0, 0xfffff, 0x9a & ~2, 0xc), 0x1000 + 8); // execute-only code at 0x08
    m.cpu.run(10);
    expect(m.cpu.getState().ebx).toBe(0x08);
  });
});

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
