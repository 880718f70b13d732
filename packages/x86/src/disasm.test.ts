import { describe, expect, it } from 'vitest';
import { disassemble } from './disasm.js';
import { OPCODE_ROWS, OPS } from './decode/table.js';
import { X86Unimplemented } from './errors.js';
import { machine, protectedMode, realMode } from './test-machine.js';

const dis = (bytes: number[], mode: 16 | 32 = 32) => disassemble(new Uint8Array(bytes), 0, mode);

describe('disassemble', () => {
  it('decodes 16-bit forms with their lengths', () => {
    expect(dis([0x00, 0x5f, 0x0e], 16)).toEqual({ text: 'add [bx+0xe], bl', length: 3 });
    expect(dis([0x0f, 0x01, 0x16, 0x00, 0x7d], 16)).toEqual({ text: 'lgdt [0x7d00]', length: 5 });
    expect(dis([0x66, 0xea, 0x40, 0x7c, 0, 0, 8, 0], 16)).toEqual({ text: 'jmp 0x8:0x7c40', length: 8 });
    expect(dis([0xf3, 0xa5], 16)).toEqual({ text: 'rep movsw', length: 2 });
  });

  it('decodes 32-bit SIB and displacement forms', () => {
    expect(dis([0x8b, 0x44, 0x24, 0x0c])).toEqual({ text: 'mov eax, [esp+0xc]', length: 4 });
    expect(dis([0x01, 0x84, 0x8b, 0x10, 0, 0, 0])).toEqual({ text: 'add [ebx+ecx*4+0x10], eax', length: 7 });
    expect(dis([0x83, 0xeb, 0x03])).toEqual({ text: 'sub ebx, 0x3', length: 3 });
    expect(dis([0x83, 0xc0, 0xff])).toEqual({ text: 'add eax, -0x1', length: 3 });
    expect(dis([0x0f, 0x22, 0xd8])).toEqual({ text: 'mov cr3, eax', length: 3 });
    expect(dis([0x2e, 0x8b, 0x05, 0x10, 0, 0, 0])).toEqual({ text: 'mov eax, cs:[0x10]', length: 7 });
    expect(dis([0x75, 0xfe])).toEqual({ text: 'jne $+0x0', length: 2 });
  });

  it('marks invalid and unimplemented opcodes', () => {
    expect(dis([0x0f, 0x0b]).text).toBe('(bad)');
    expect(dis([0x0f, 0x77]).text).toBe('(unimplemented)');
    expect(dis([0xfe, 0xd0]).text).toBe('(bad)'); // FE /2 is invalid
    expect(dis([0x66]).text).toBe('(truncated)');
  });

  it('is driven by the same table as the dispatcher', () => {
    for (const r of OPCODE_ROWS) expect(OPS[r.op]).toBe(r.exec);
  });
});

describe('disassembler and interpreter agree on instruction lengths', () => {
  it('for random byte strings in 16- and 32-bit code (no transfer, no fault)', () => {
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >> 8) & 0xff; };
    const bad: string[] = [];
    for (const mode of [16, 32] as const) {
      const m = machine();
      for (let n = 0; n < 4000; n++) {
        const bytes = Array.from({ length: 15 }, rnd);
        m.cpu.reset();
        if (mode === 32) protectedMode(m, 0x5000); else realMode(m, 0x500, 0);
        m.ram.set(bytes, 0x5000);
        m.cpu.setState({ ecx: 0, ebx: 0x100, esi: 0x100, edi: 0x100, ebp: 0x100, eax: 0, edx: 0 });
        m.cpu.lastVector = -1;
        const d = disassemble(new Uint8Array(bytes), 0, mode);
        try {
          m.cpu.run(1);
        } catch (e) {
          // Only the fail-stop error may leave the CPU; anything else is a bug.
          if (!(e instanceof X86Unimplemented)) bad.push(`${bytes.join(',')}: ${(e as Error).message}`);
          continue;
        }
        const st = m.cpu.getState();
        if (m.cpu.lastVector !== -1 || st.cs.selector !== (mode === 32 ? 8 : 0x500)) continue;
        if (/^(j|call|ret|loop|int|iret|rep|hlt|enter|leave)/.test(d.text)) continue;
        const len = mode === 32 ? st.eip - 0x5000 : st.eip;
        if (len !== d.length) bad.push(`${mode}: ${d.text} disassembler ${d.length}, cpu ${len}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
