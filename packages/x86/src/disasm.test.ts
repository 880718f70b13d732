import { describe, expect, it } from 'vitest';
import { disassemble } from './disasm.js';
import { OPCODE_ROWS, OPS } from './decode/table.js';

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
