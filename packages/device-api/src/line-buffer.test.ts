import { describe, expect, it } from 'vitest';
import { LineBuffer } from './index.js';

describe('LineBuffer', () => {
  it('emits a line at LF, dropping a CR before it, and keeps blank lines', () => {
    const lines: string[] = [];
    const b = new LineBuffer(80, (l) => lines.push(l));
    for (const c of 'hi\r\n\nthere') b.push(c.charCodeAt(0));
    expect(lines).toEqual(['hi', '']);
    expect(b.length).toBe(5);
    b.flush();
    expect(lines).toEqual(['hi', '', 'there']);
  });

  it('emits at the limit without waiting for LF, and round-trips its state', () => {
    const lines: string[] = [];
    const b = new LineBuffer(3, (l) => lines.push(l));
    for (const c of 'abcde') b.push(c.charCodeAt(0));
    expect(lines).toEqual(['abc']);
    const saved = b.save();
    b.clear();
    expect(b.length).toBe(0);
    b.load(saved);
    b.push(0x0a);
    expect(lines).toEqual(['abc', 'de']);
  });
});
