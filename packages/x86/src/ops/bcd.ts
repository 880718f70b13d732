// DAA DAS AAA AAS AAM AAD (SDM Vol. 2 pseudo-code).
import type { Cpu } from '../cpu.js';
import { AF, CF, X_DE } from '../consts.js';
import { M8, S8 } from './alu.js';

export function daa(c: Cpu): void {
  const al = c.r8[0], cf = c.getCF(), af = c.getAF();
  let r = al, ncf = 0, naf = 0;
  if ((al & 0xf) > 9 || af !== 0) { r = al + 6; ncf = cf | (r > 0xff ? 1 : 0); naf = 1; }
  if (al > 0x99 || cf !== 0) { r += 0x60; ncf = 1; }
  r &= 0xff;
  c.r8[0] = r;
  c.setResult(r, M8, S8, (ncf !== 0 ? CF : 0) | (naf !== 0 ? AF : 0));
}

export function das(c: Cpu): void {
  const al = c.r8[0], cf = c.getCF(), af = c.getAF();
  let r = al, ncf = 0, naf = 0;
  if ((al & 0xf) > 9 || af !== 0) { r = al - 6; ncf = cf | (r < 0 ? 1 : 0); naf = 1; }
  if (al > 0x99 || cf !== 0) { r -= 0x60; ncf = 1; }
  r &= 0xff;
  c.r8[0] = r;
  c.setResult(r, M8, S8, (ncf !== 0 ? CF : 0) | (naf !== 0 ? AF : 0));
}

export function aaa(c: Cpu): void {
  const al = c.r8[0];
  if ((al & 0xf) > 9 || c.getAF() !== 0) {
    c.r16[0] = c.r16[0] + 0x106;
    c.r8[0] &= 0xf;
    c.setResult(c.r8[0], M8, S8, AF | CF);
  } else {
    c.r8[0] &= 0xf;
    c.setResult(c.r8[0], M8, S8, 0);
  }
}

export function aas(c: Cpu): void {
  const al = c.r8[0];
  if ((al & 0xf) > 9 || c.getAF() !== 0) {
    c.r16[0] = c.r16[0] - 6;
    c.r8[1] = c.r8[1] - 1;
    c.r8[0] &= 0xf;
    c.setResult(c.r8[0], M8, S8, AF | CF);
  } else {
    c.r8[0] &= 0xf;
    c.setResult(c.r8[0], M8, S8, 0);
  }
}

export function aam(c: Cpu): void {
  const b = c.fetch8();
  if (b === 0) c.fault(X_DE, -1);
  const al = c.r8[0];
  c.r8[1] = Math.floor(al / b);
  c.r8[0] = al % b;
  c.setLogic(c.r8[0], M8, S8);
}

export function aad(c: Cpu): void {
  const b = c.fetch8();
  const al = c.r8[0], ah = c.r8[1];
  const t = ah * b;
  const r = (al + t) & 0xff;
  c.r16[0] = r;
  // SF/ZF/PF from the result; OF/AF/CF are undefined: we report those of the byte addition.
  c.setAdd(al, t & 0xff, al + (t & 0xff), M8, S8, 0);
}
