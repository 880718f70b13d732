// The run loop, the prefixes and the 0F escape dispatch through a switch with one call site per opcode; every
// case must call its own entry of the opcode table and nothing else.
import { afterEach, describe, expect, it } from 'vitest';
import { machine, protectedMode } from '../test-machine.js';
import { OPS } from './table.js';
import type { Handler } from './table.js';

const saved = OPS.slice();
afterEach(() => {
  for (let i = 0; i < saved.length; i++) OPS[i] = saved[i];
});

/** Run one instruction whose bytes are `code` and report which table entries were called. */
function called(code: number[], spied: number[]): number[] {
  const hits: number[] = [];
  for (const i of spied) {
    const spy: Handler = () => { hits.push(i); };
    OPS[i] = spy;
  }
  const m = machine();
  protectedMode(m, 0x5000);
  m.ram.set(code, 0x5000);
  m.cpu.run(1);
  for (const i of spied) OPS[i] = saved[i];
  return hits;
}

describe('dispatch', () => {
  it('calls OPS[op] for every one-byte opcode', () => {
    for (let op = 0; op < 0x100; op++) {
      if (op === 0x0f) continue;
      expect(called([op, 0, 0, 0, 0, 0, 0], [op]), `opcode ${op.toString(16)}`).toEqual([op]);
    }
  });

  it('calls OPS[0x100 | op] for every 0F opcode', () => {
    for (let op = 0; op < 0x100; op++) {
      expect(called([0x0f, op, 0, 0, 0, 0, 0], [0x100 | op]), `opcode 0f ${op.toString(16)}`).toEqual([0x100 | op]);
    }
  });

  it('calls OPS[op] for every opcode after a prefix', () => {
    for (let op = 0; op < 0x100; op++) {
      expect(called([0x66, op, 0, 0, 0, 0, 0], [op]), `opcode 66 ${op.toString(16)}`).toEqual([op]);
    }
  });

  it('reaches OPS[0x0F] through the one-byte switch', () => {
    expect(called([0x0f, 0x90, 0xc0], [0x0f])).toEqual([0x0f]);
  });
});
