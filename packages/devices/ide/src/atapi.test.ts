import { describe, expect, it } from 'vitest';
import { cdPowerOn, runPacket, type PacketResult } from './atapi.js';
import { RamBackend } from './backend.js';

const ids = { vendor: 'V3', product: 'V3 ATAPI CD-ROM', revision: '1.0' };
const cd = (): RamBackend => new RamBackend(new Uint8Array(2048 * 300), 2048, true);
const cdb = (...b: number[]): Uint8Array => Uint8Array.from([...b, ...new Array(12 - b.length).fill(0)]);
const bytes = (r: PacketResult): number[] => (r.kind === 'data' ? Array.from(r.data) : []);

function ready(): ReturnType<typeof cdPowerOn> {
  const st = cdPowerOn(true);
  st.unitAttention = 0;
  st.mediaEvent = 0;
  return st;
}

describe('packet commands without a host', () => {
  it('READ TOC from the lead-out track gives only the lead-out; tracks past it are refused', () => {
    const st = ready();
    expect(bytes(runPacket(cdb(0x43, 0, 0, 0, 0, 0, 0xaa, 0, 100), st, cd(), ids))).toEqual([0, 10, 1, 1, 0, 0x14, 0xaa, 0, 0, 0, 1, 44]);
    expect(runPacket(cdb(0x43, 0, 0, 0, 0, 0, 2, 0, 100), st, cd(), ids)).toEqual({ kind: 'check', key: 5, asc: 0x24, ascq: 0 });
    // MSF of the lead-out: 300 + 150 = 450 frames = 00:06:00.
    expect(bytes(runPacket(cdb(0x43, 2, 0, 0, 0, 0, 0xaa, 0, 100), st, cd(), ids)).slice(8)).toEqual([0, 0, 6, 0]);
  });

  it('MODE SENSE reports changeable values as zeros and honours the allocation length', () => {
    const st = ready();
    const ch = bytes(runPacket(cdb(0x5a, 0, 0x41, 0, 0, 0, 0, 0, 255), st, cd(), ids));
    expect(ch.slice(8)).toEqual([0x01, 6, 0, 0, 0, 0, 0, 0]);
    expect(bytes(runPacket(cdb(0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 10), st, cd(), ids)).length).toBe(10);
    const none = runPacket(cdb(0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 0), st, cd(), ids);
    expect(none.kind).toBe('none');
  });

  it('GET CONFIGURATION with RT=2 returns the one feature asked for', () => {
    const st = ready();
    const core = bytes(runPacket(cdb(0x46, 2, 0, 1, 0, 0, 0, 0, 64), st, cd(), ids));
    expect(core.slice(0, 4)).toEqual([0, 0, 0, 16]);
    expect(core.slice(8, 12)).toEqual([0, 1, 3, 8]);
    expect(core.slice(12, 16)).toEqual([0, 0, 0, 2]);
    expect(runPacket(cdb(0x46, 3), st, cd(), ids).kind).toBe('check');
  });

  it('keeps the unit attention for INQUIRY and REQUEST SENSE, reports it once otherwise', () => {
    const st = cdPowerOn(true);
    expect(runPacket(cdb(0x12, 0, 0, 0, 36), st, cd(), ids).kind).toBe('data');
    expect(runPacket(cdb(0x25), st, cd(), ids)).toEqual({ kind: 'check', key: 6, asc: 0x29, ascq: 0 });
    expect(runPacket(cdb(0x25), st, cd(), ids).kind).toBe('data');
  });

  it('without a backend: NOT READY, no medium; GET CONFIGURATION shows no current profile', () => {
    const st = ready();
    st.loaded = false;
    expect(runPacket(cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1), st, null, ids)).toEqual({ kind: 'check', key: 2, asc: 0x3a, ascq: 0 });
    expect(bytes(runPacket(cdb(0x46, 0, 0, 0, 0, 0, 0, 0, 8), st, null, ids)).slice(6, 8)).toEqual([0, 0]);
    expect(bytes(runPacket(cdb(0x5a, 0, 0x01, 0, 0, 0, 0, 0, 8), st, null, ids))[2]).toBe(0x70);
  });

  it('READ(12) of many blocks is described, not copied', () => {
    const st = ready();
    expect(runPacket(cdb(0xa8, 0, 0, 0, 0, 10, 0, 0, 1, 0), st, cd(), ids)).toEqual({ kind: 'read', lba: 10, blocks: 256 });
    expect(runPacket(cdb(0xa8, 0, 0, 0, 1, 0, 0, 0, 0, 45), st, cd(), ids)).toEqual({ kind: 'check', key: 5, asc: 0x21, ascq: 0 });
  });
});
