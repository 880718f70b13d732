// A disassembler driven by the opcode table (the role XED plays in Palacios). It reads the same
// rows as the dispatcher, so what it prints is what the interpreter decodes.
import { ROW_BY_OP } from './decode/table.js';

const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const M16 = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'];
const PREFIX_SEG: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };

/** Result of {@link disassemble}. */
export interface Disassembly {
  /** Intel-syntax text, e.g. `add [bx+si+0x4], al`. */
  text: string;
  /** Instruction length in bytes (0 if the bytes ran out). */
  length: number;
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

/** Disassemble one instruction at `bytes[offset]` for a 16- or 32-bit code segment. */
export function disassemble(bytes: Uint8Array, offset: number, mode: 16 | 32): Disassembly {
  let p = offset;
  const byte = (): number => {
    if (p >= bytes.length) throw new RangeError('truncated');
    return bytes[p++];
  };
  try {
    let os32 = mode === 32, as32 = mode === 32, seg = -1;
    const pre: string[] = [];
    let op = byte();
    for (;;) {
      if (op in PREFIX_SEG) seg = PREFIX_SEG[op];
      else if (op === 0x66) os32 = mode !== 32;
      else if (op === 0x67) as32 = mode !== 32;
      else if (op === 0xf0) pre.push('lock');
      else if (op === 0xf2) pre.push('repne');
      else if (op === 0xf3) pre.push('rep');
      else break;
      if (p - offset >= 15) return { text: '(bad: too long)', length: p - offset };
      op = byte();
    }
    if (op === 0x0f) op = 0x100 | byte();
    const r = ROW_BY_OP[op];
    if (!r || r.kind === 'invalid') return { text: '(bad)', length: p - offset };
    if (r.kind === 'unimplemented') return { text: '(unimplemented)', length: p - offset };
    let modrm = -1;
    if (r.modrm) modrm = byte();
    const reg = modrm >= 0 ? (modrm >> 3) & 7 : 0;
    const name = typeof r.name === 'string' ? r.name : r.name[reg];
    const operands = typeof r.operands === 'string' ? r.operands : r.operands[reg];
    if (name === '') return { text: '(bad)', length: p - offset };
    const vsz = (code: string) => (code.endsWith('b') ? 8 : code.endsWith('w') ? 16 : code.endsWith('d') ? 32 : os32 ? 32 : 16);
    const regName = (n: number, sz: number) => (sz === 8 ? R8[n] : sz === 16 ? R16[n] : R32[n]);
    const imm = (sz: number): number => {
      if (sz === 8) return byte();
      if (sz === 16) return byte() | (byte() << 8);
      return (byte() | (byte() << 8) | (byte() << 16) | (byte() << 24)) >>> 0;
    };
    let memText = '';
    const mem = (): string => {
      if (memText) return memText;
      const mod = modrm >> 6, rm = modrm & 7;
      let t = '';
      if (!as32) {
        if (mod === 0 && rm === 6) t = hex(imm(16));
        else {
          t = M16[rm];
          if (mod === 1) { const d = (byte() << 24) >> 24; t += d < 0 ? '-' + hex(-d) : '+' + hex(d); }
          else if (mod === 2) t += '+' + hex(imm(16));
        }
      } else {
        let base = rm, parts: string[] = [];
        if (rm === 4) {
          const sib = byte();
          base = sib & 7;
          const idx = (sib >> 3) & 7;
          if (!(base === 5 && mod === 0)) parts.push(R32[base]);
          if (idx !== 4) parts.push(R32[idx] + (sib >> 6 ? '*' + (1 << (sib >> 6)) : ''));
          if (base === 5 && mod === 0) parts.push(hex(imm(32)));
        } else if (rm === 5 && mod === 0) {
          parts.push(hex(imm(32)));
        } else parts.push(R32[rm]);
        if (mod === 1) { const d = (byte() << 24) >> 24; parts.push(d < 0 ? '-' + hex(-d) : hex(d)); }
        else if (mod === 2) parts.push(hex(imm(32)));
        t = parts.join('+').replace('+-', '-');
        parts = [];
      }
      memText = (seg >= 0 ? SEG[seg] + ':' : '') + '[' + t + ']';
      return memText;
    };
    const out: string[] = [];
    const next = p; void next;
    for (const code of operands ? operands.split(',') : []) {
      switch (code[0]) {
        case 'E': case 'M':
          out.push(modrm >= 0xc0 ? regName(modrm & 7, vsz(code)) : mem()); break;
        case 'R': out.push(R32[modrm & 7]); break;
        case 'G': out.push(regName(reg, vsz(code))); break;
        case 'S': out.push(SEG[reg] ?? '?'); break;
        case 'C': out.push('cr' + reg); break;
        case 'D': out.push('dr' + reg); break;
        case 'Z': out.push(regName(op & 7, vsz(code))); break;
        case 'I':
          if (code === 'Ibs') { const v = (byte() << 24) >> 24; out.push(v < 0 ? '-' + hex(-v) : hex(v)); }
          else out.push(hex(imm(vsz(code))));
          break;
        case 'J': {
          const sz = code === 'Jb' ? 8 : os32 ? 32 : 16;
          let d = imm(sz);
          d = sz === 8 ? (d << 24) >> 24 : sz === 16 ? (d << 16) >> 16 : d | 0;
          const target = (p - offset) + d;
          out.push('$' + (target < 0 ? '-' + hex(-target) : '+' + hex(target)));
          break;
        }
        case 'A': { const o = imm(os32 ? 32 : 16); const s = imm(16); out.push(hex(s) + ':' + hex(o)); break; }
        case 'O': {
          const o = imm(as32 ? 32 : 16);
          out.push((seg >= 0 ? SEG[seg] + ':' : '') + '[' + hex(o) + ']');
          break;
        }
        default:
          out.push(code === 'eAX' ? (os32 ? 'eax' : 'ax') : code);
      }
    }
    const mn = name.includes('/') ? name.split('/')[os32 ? 1 : 0] : name.endsWith('v') && /^(movs|cmps|stos|lods|scas|ins|outs)v$/.test(name) ? name.slice(0, -1) + (os32 ? 'd' : 'w') : name;
    const text = [...pre, mn].join(' ') + (out.length ? ' ' + out.join(', ') : '');
    return { text, length: p - offset };
  } catch (e) {
    if (e instanceof RangeError) return { text: '(truncated)', length: 0 };
    throw e;
  }
}
