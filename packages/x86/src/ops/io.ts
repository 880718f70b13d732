// IN and OUT (SDM Vol. 2): synchronous bus calls, after the I/O permission check.
import type { Cpu } from '../cpu.js';

export function inAlIb(c: Cpu): void { const p = c.fetch8(); c.ioCheck(p, 1); c.r8[0] = c.bus.ioRead(p, 1); }
export function inEaxIb(c: Cpu): void {
  const p = c.fetch8();
  if (c.os32) { c.ioCheck(p, 4); c.r32[0] = c.bus.ioRead(p, 4); } else { c.ioCheck(p, 2); c.r16[0] = c.bus.ioRead(p, 2); }
}
export function outIbAl(c: Cpu): void { const p = c.fetch8(); c.ioCheck(p, 1); c.bus.ioWrite(p, 1, c.r8[0]); }
export function outIbEax(c: Cpu): void {
  const p = c.fetch8();
  if (c.os32) { c.ioCheck(p, 4); c.bus.ioWrite(p, 4, c.r32[0] >>> 0); } else { c.ioCheck(p, 2); c.bus.ioWrite(p, 2, c.r16[0]); }
}
export function inAlDx(c: Cpu): void { const p = c.r16[8]; c.ioCheck(p, 1); c.r8[0] = c.bus.ioRead(p, 1); }
export function inEaxDx(c: Cpu): void {
  const p = c.r16[8];
  if (c.os32) { c.ioCheck(p, 4); c.r32[0] = c.bus.ioRead(p, 4); } else { c.ioCheck(p, 2); c.r16[0] = c.bus.ioRead(p, 2); }
}
export function outDxAl(c: Cpu): void { const p = c.r16[8]; c.ioCheck(p, 1); c.bus.ioWrite(p, 1, c.r8[0]); }
export function outDxEax(c: Cpu): void {
  const p = c.r16[8];
  if (c.os32) { c.ioCheck(p, 4); c.bus.ioWrite(p, 4, c.r32[0] >>> 0); } else { c.ioCheck(p, 2); c.bus.ioWrite(p, 2, c.r16[0]); }
}
