import { GENERIC_MODES, MAX_PORT, PASSTHROUGH_MODES, type GenericMode } from './regs.js';

/** One port range as written in a configuration; `start`/`end` may be hex strings (`'0x80'`). */
export interface GenericRangeConfig {
  /** First port. */
  start: number | string;
  /** Last port, inclusive. */
  end: number | string;
  /** `'ignore'`: reads float (0xFF per byte), writes are dropped. `'print'`: the same, printed. */
  mode: GenericMode;
}

/** A checked range. */
export interface GenericRange {
  /** First port. */
  start: number;
  /** Last port, inclusive. */
  end: number;
  /** What the range does with accesses. */
  mode: GenericMode;
}

const RANGE_KEYS = new Set(['start', 'end', 'mode']);
const MODES_EXPECTED = GENERIC_MODES.map((m) => `'${m}'`).join(' | ');

/** A port number from a number or a `0x…` string, or undefined when it is neither. */
export function parsePort(v: unknown): number | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^0x[0-9a-f]{1,4}$/i.test(v)) n = parseInt(v.slice(2), 16);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_PORT ? n : undefined;
}

const hex = (n: number): string => '0x' + n.toString(16).padStart(4, '0');

/**
 * Check `ranges` from a configuration. Returns the ranges and the problems found, each as
 * `key: expected …` with its path (`ranges[2].mode`).
 */
export function checkRanges(ranges: unknown): { ranges: GenericRange[]; problems: string[] } {
  const problems: string[] = [];
  const good: { range: GenericRange; index: number }[] = [];
  if (!Array.isArray(ranges)) {
    problems.push(`ranges: expected an array of { start, end, mode }, got ${JSON.stringify(ranges) ?? 'nothing'}`);
    return { ranges: [], problems };
  }
  if (ranges.length === 0) problems.push('ranges: expected at least one range, got []');
  ranges.forEach((r: unknown, i) => {
    const at = `ranges[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      problems.push(`${at}: expected { start, end, mode }, got ${JSON.stringify(r)}`);
      return;
    }
    const o = r as Record<string, unknown>;
    let ok = true;
    for (const k of Object.keys(o)) {
      if (!RANGE_KEYS.has(k)) {
        problems.push(`${at}.${k}: unknown key (expected start, end, mode)`);
        ok = false;
      }
    }
    const start = parsePort(o.start);
    const end = parsePort(o.end);
    if (start === undefined) problems.push(`${at}.start: expected a port 0x0-0xffff (number or '0x…' string), got ${JSON.stringify(o.start) ?? 'nothing'}`);
    if (end === undefined) problems.push(`${at}.end: expected a port 0x0-0xffff (number or '0x…' string), got ${JSON.stringify(o.end) ?? 'nothing'}`);
    if (start !== undefined && end !== undefined && end < start) {
      problems.push(`${at}.end: expected a port >= start (${hex(start)}), got ${hex(end)}`);
      ok = false;
    }
    const mode = o.mode;
    if ((PASSTHROUGH_MODES as readonly unknown[]).includes(mode)) {
      problems.push(`${at}.mode: '${String(mode)}' (real hardware ports) does not exist in a TypeScript VMM; expected ${MODES_EXPECTED}`);
      ok = false;
    } else if (!(GENERIC_MODES as readonly unknown[]).includes(mode)) {
      problems.push(`${at}.mode: expected ${MODES_EXPECTED}, got ${JSON.stringify(mode) ?? 'nothing'}`);
      ok = false;
    }
    if (ok && start !== undefined && end !== undefined) good.push({ range: { start, end, mode: mode as GenericMode }, index: i });
  });
  // Two ranges of one device claiming a port: refused here, before the VMM would refuse the hook.
  for (let a = 0; a < good.length; a++) {
    for (let b = a + 1; b < good.length; b++) {
      const x = good[a] as (typeof good)[number];
      const y = good[b] as (typeof good)[number];
      if (x.range.start <= y.range.end && y.range.start <= x.range.end) {
        problems.push(`ranges[${y.index}]: expected no overlap, but ${hex(y.range.start)}-${hex(y.range.end)} overlaps ranges[${x.index}] (${hex(x.range.start)}-${hex(x.range.end)})`);
      }
    }
  }
  return { ranges: good.map((g) => g.range), problems };
}
