// Instruction semantics checked against SDM Vol. 2 definitions (one instruction, then HLT).
import { describe, expect, it } from 'vitest';
import { machine, protectedMode } from '../test-machine.js';
import type { CpuState } from '../cpu.js';
import { REP_CHUNK } from './string.js';

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

function exec32(code: number[], regs: Partial<CpuState>): CpuState {
  const m = machine();
  protectedMode(m, 0x5000);
  m.ram.set([...code, 0xf4], 0x5000);
  m.cpu.setState(regs);
  m.cpu.run(10);
  return m.cpu.getState();
}

describe('arithmetic flags', () => {
  it('ADD sets CF, OF, AF, ZF, PF as the SDM defines', () => {
    const s = exec32([0x01, 0xd8], { eax: 0xffffffff, ebx: 1 }); // add eax, ebx
    expect(s.eax).toBe(0);
    expect(s.eflags & (CF | ZF | AF | PF | SF | OF)).toBe(CF | ZF | AF | PF);
    const o = exec32([0x01, 0xd8], { eax: 0x7fffffff, ebx: 1 });
    expect(o.eflags & (OF | SF | CF)).toBe(OF | SF);
  });

  it('ADC and SBB use the incoming carry', () => {
    const a = exec32([0xf9, 0x11, 0xd8], { eax: 0xffffffff, ebx: 0 }); // stc; adc eax, ebx
    expect(a.eax).toBe(0);
    expect(a.eflags & (CF | ZF)).toBe(CF | ZF);
    const b = exec32([0xf9, 0x19, 0xd8], { eax: 0, ebx: 0xffffffff }); // stc; sbb eax, ebx
    expect(b.eax).toBe(0);
    expect(b.eflags & (CF | ZF)).toBe(CF | ZF);
  });

  it('INC and DEC leave CF alone', () => {
    const s = exec32([0xf9, 0x40], { eax: 0x7fffffff }); // stc; inc eax
    expect(s.eflags & (CF | OF | SF)).toBe(CF | OF | SF);
  });

  it('NEG sets CF unless the operand is zero', () => {
    expect(exec32([0xf7, 0xd8], { eax: 0 }).eflags & CF).toBe(0);
    expect(exec32([0xf7, 0xd8], { eax: 5 }).eax).toBe(0xfffffffb);
  });
});

describe('multiply and divide', () => {
  it('MUL r32 produces a 64-bit product in EDX:EAX with CF=OF when EDX != 0', () => {
    const s = exec32([0xf7, 0xe3], { eax: 0xffffffff, ebx: 0xffffffff }); // mul ebx
    expect(s.eax).toBe(1);
    expect(s.edx).toBe(0xfffffffe);
    expect(s.eflags & (CF | OF)).toBe(CF | OF);
  });

  it('IMUL r32 signed high half', () => {
    const s = exec32([0xf7, 0xeb], { eax: 0xfffffffe, ebx: 3 }); // imul ebx: -2 * 3
    expect(s.eax).toBe(0xfffffffa);
    expect(s.edx).toBe(0xffffffff);
    expect(s.eflags & (CF | OF)).toBe(0);
  });

  it('DIV r32 with a 64-bit dividend; IDIV truncates toward zero', () => {
    const s = exec32([0xf7, 0xf3], { edx: 1, eax: 5, ebx: 2 }); // div ebx: 0x1_00000005 / 2
    expect(s.eax).toBe(0x80000002);
    expect(s.edx).toBe(1);
    const t = exec32([0xf7, 0xfb], { edx: 0xffffffff, eax: 0xfffffff9, ebx: 2 }); // idiv ebx: -7 / 2
    expect(t.eax).toBe(0xfffffffd);
    expect(t.edx).toBe(0xffffffff);
  });
});

describe('shifts and bit instructions', () => {
  it('SHL by CL masks the count to 5 bits', () => {
    expect(exec32([0xd3, 0xe0], { eax: 1, ecx: 33 }).eax).toBe(2);
  });

  it('SHRD shifts in bits from the source', () => {
    expect(exec32([0x0f, 0xac, 0xd8, 0x04], { eax: 0x12345678, ebx: 0xabcdef01 }).eax).toBe(0x11234567);
  });

  it('RCR through carry', () => {
    const s = exec32([0xf9, 0xd1, 0xd8], { eax: 2 }); // stc; rcr eax, 1
    expect(s.eax).toBe(0x80000001);
    expect(s.eflags & CF).toBe(0);
  });

  it('BT with a negative register offset addresses memory below the operand', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram[0x7ffff] = 0x80; // bit 7 of the byte before 0x80000 = bit offset -1
    m.ram.set([0x0f, 0xa3, 0x03, 0xf4], 0x5000); // bt [ebx], eax
    m.cpu.setState({ ebx: 0x80000, eax: 0xffffffff });
    m.cpu.run(5);
    expect(m.cpu.getState().eflags & CF).toBe(CF);
  });

  it('BSF/BSR find the lowest/highest set bit; a zero source sets ZF', () => {
    expect(exec32([0x0f, 0xbc, 0xc3], { ebx: 0x100 }).eax).toBe(8);
    expect(exec32([0x0f, 0xbd, 0xc3], { ebx: 0x80000100 }).eax).toBe(31);
    expect(exec32([0x0f, 0xbc, 0xc3], { ebx: 0, eax: 7 }).eflags & ZF).toBe(ZF);
  });

  it('BSWAP and CMPXCHG8B', () => {
    expect(exec32([0x0f, 0xc8], { eax: 0x11223344 }).eax).toBe(0x44332211);
    const m = machine();
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x8000, 1, true); m.dv.setUint32(0x8004, 2, true);
    m.ram.set([0x0f, 0xc7, 0x0e, 0xf4], 0x5000); // cmpxchg8b [esi]
    m.cpu.setState({ esi: 0x8000, eax: 1, edx: 2, ebx: 0xaa, ecx: 0xbb });
    m.cpu.run(5);
    expect(m.dv.getUint32(0x8000, true)).toBe(0xaa);
    expect(m.dv.getUint32(0x8004, true)).toBe(0xbb);
    expect(m.cpu.getState().eflags & ZF).toBe(ZF);
  });
});

describe('effective addresses above 2 GiB', () => {
  // A 32-bit offset is unsigned (SDM Vol. 3 §3.4.4): with a segment base of 0x80000000 the
  // linear address wraps modulo 2^32, and the limit check compares the unsigned offset.
  const hiSeg = { selector: 0x10, base: 0x80000000, limit: 0xffffffff, access: 0xc093 };

  it('MOV through [reg+disp8], [base+index*4] and moffs reaches base + offset mod 2^32', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x1008, 0x11223344, true);
    m.dv.setUint32(0x2010, 0x55667788, true);
    m.ram.set([
      0x8b, 0x43, 0x08, // mov eax, [ebx+8]
      0x89, 0x44, 0x8b, 0x10, // mov [ebx+ecx*4+0x10], eax
      0x8b, 0x14, 0x8d, 0x10, 0x20, 0x00, 0x80, // mov edx, [ecx*4+0x80002010]
      0xa1, 0x10, 0x20, 0x00, 0x80, // mov eax, [0x80002010]
      0xf4,
    ], 0x5000);
    m.cpu.setState({ ds: hiSeg, ebx: 0x80001000, ecx: 0 });
    m.cpu.run(10);
    const s = m.cpu.getState();
    expect(m.dv.getUint32(0x1010, true)).toBe(0x11223344);
    expect(s.edx >>> 0).toBe(0x55667788);
    expect(s.eax >>> 0).toBe(0x55667788);
  });

  it('an offset above the limit of a 2 GiB segment raises #GP(0)', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([0x8b, 0x03, 0xf4], 0x5000); // mov eax, [ebx]
    m.cpu.setState({ ds: { ...hiSeg, base: 0, limit: 0x7fffffff }, ebx: 0x80000000 });
    m.cpu.lastVector = -1;
    m.cpu.run(1);
    expect(m.cpu.lastVector).toBe(13);
  });
});

describe('BCD', () => {
  it('DAA after adding packed BCD 79 + 35 gives 14 with CF (SDM DAA example)', () => {
    const s = exec32([0x04, 0x35, 0x27], { eax: 0x79 }); // add al, 0x35; daa
    expect(s.eax & 0xff).toBe(0x14);
    expect(s.eflags & CF).toBe(CF);
  });

  it('AAM splits AL into unpacked digits; AAD joins them', () => {
    expect(exec32([0xd4, 0x0a], { eax: 63 }).eax & 0xffff).toBe(0x0603);
    expect(exec32([0xd5, 0x0a], { eax: 0x0603 }).eax & 0xffff).toBe(63);
  });
});

describe('stack and strings', () => {
  it('PUSH ESP pushes the value before the push; ENTER/LEAVE build and drop a frame', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([0x54, 0xc8, 0x10, 0x00, 0x00, 0xc9, 0xf4], 0x5000); // push esp; enter 16,0; leave
    m.cpu.run(10);
    expect(m.dv.getUint32(0x90000 - 4, true)).toBe(0x90000);
    expect(m.cpu.getState().esp).toBe(0x90000 - 4);
  });

  it('ENTER with nesting level 2 copies the outer frame pointer and pushes the new one (SDM ENTER)', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.dv.setUint32(0x7fffc, 0x1111, true);
    m.ram.set([0xc8, 0x08, 0x00, 0x02, 0xf4], 0x5000); // enter 8, 2
    m.cpu.setState({ esp: 0x90000, ebp: 0x80000 });
    m.cpu.run(5);
    const st = m.cpu.getState();
    expect(m.dv.getUint32(0x8fffc, true)).toBe(0x80000);
    expect(m.dv.getUint32(0x8fff8, true)).toBe(0x1111);
    expect(m.dv.getUint32(0x8fff4, true)).toBe(0x8fffc);
    expect(st.ebp).toBe(0x8fffc);
    expect(st.esp).toBe(0x8ffec);
  });

  it('REP MOVSB copies forwards, element by element, even when overlapping', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([1, 2, 3], 0x8000);
    m.ram.set([0xf3, 0xa4, 0xf4], 0x5000);
    m.cpu.setState({ esi: 0x8000, edi: 0x8001, ecx: 4 });
    m.cpu.run(5);
    expect(Array.from(m.ram.slice(0x8000, 0x8005))).toEqual([1, 1, 1, 1, 1]);
    expect(m.cpu.getState().ecx).toBe(0);
  });

  it('REPNE SCASB stops at the match', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([5, 6, 7, 8], 0x8000);
    m.ram.set([0xf2, 0xae, 0xf4], 0x5000);
    m.cpu.setState({ edi: 0x8000, ecx: 10, eax: 7 });
    m.cpu.run(5);
    const s = m.cpu.getState();
    expect(s.edi).toBe(0x8003);
    expect(s.ecx).toBe(7);
    expect(s.eflags & ZF).toBe(ZF);
  });

  it('OUTSB and INSB go through the bus', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([0x41, 0x42], 0x8000);
    m.bus.reads.set(0x60, 0x99);
    m.ram.set([0xf3, 0x6e, 0x6c, 0xf4], 0x5000); // rep outsb; insb
    m.cpu.setState({ esi: 0x8000, edi: 0x9000, ecx: 2, edx: 0x60 });
    m.cpu.run(5);
    expect(m.bus.writes).toEqual([[0x60, 1, 0x41], [0x60, 1, 0x42]]);
    expect(m.ram[0x9000]).toBe(0x99);
  });
});

describe('long REP', () => {
  it('runs in chunks: EIP stays on the instruction until ECX reaches 0', () => {
    const m = machine();
    protectedMode(m, 0x5000);
    m.ram.set([0xf3, 0xaa, 0xf4], 0x5000); // rep stosb; hlt
    m.cpu.setState({ edi: 0x100000, ecx: 40000, eax: 0xab });
    m.cpu.run(1);
    expect(m.cpu.getState().ecx).toBe(40000 - REP_CHUNK);
    expect(m.cpu.getState().eip).toBe(0x5000);
    m.cpu.run(10);
    expect(m.cpu.getState().ecx).toBe(0);
    expect(m.ram[0x100000 + 39999]).toBe(0xab);
    expect(m.ram[0x100000 + 40000]).toBe(0);
  });
});
