import { describe, expect, it } from 'vitest';
import { assertNever, V3Error, v3Fail } from './index.js';

describe('V3Error', () => {
  it('names the component, then the reason, then every detail it has, in hex', () => {
    const e = new V3Error({ component: 'PIC', vm: 'g', core: 0, port: 0x21, rip: 0x7c00, bytes: [0xe6, 0x21] }, 'unsupported OCW');
    expect(e.message).toBe('[PIC] unsupported OCW (vm=g, core=0, port=0x0021, rip=0x00007c00, bytes=e6 21)');
    expect(e.reason).toBe('unsupported OCW');
    expect(e).toBeInstanceOf(Error);
  });

  it('fills in detail it lacked without overwriting what it had', () => {
    const e = new V3Error({ component: 'com1', port: 0x3f8 }, 'bad');
    const more = e.withDetail({ vm: 'g', port: 0x2f8, addr: 0x1000, bytes: Uint8Array.of(0xee) });
    expect(more.detail).toEqual({ component: 'com1', port: 0x3f8, vm: 'g', addr: 0x1000, bytes: Uint8Array.of(0xee) });
    expect(more.message).toBe('[com1] bad (vm=g, port=0x03f8, addr=0x00001000, bytes=ee)');
    expect(e.detail.vm).toBeUndefined();
  });

  it('v3Fail throws and assertNever names the unexpected value', () => {
    expect(() => v3Fail('x86', 'no', { addr: 5 })).toThrow('[x86] no (addr=0x00000005)');
    expect(() => assertNever('boom' as never)).toThrow(/\[vmm\] internal: unexpected value boom/);
  });
});
