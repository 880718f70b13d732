import type { BlockBackend } from './backend.js';

// SCSI/MMC operation codes the CD-ROM implements (MMC-2, SPC, SFF-8020i).
export const TEST_UNIT_READY = 0x00;
export const REQUEST_SENSE = 0x03;
export const INQUIRY = 0x12;
export const START_STOP_UNIT = 0x1b;
export const PREVENT_ALLOW = 0x1e;
export const READ_CAPACITY = 0x25;
export const READ_10 = 0x28;
export const SEEK_10 = 0x2b;
export const READ_TOC = 0x43;
export const GET_CONFIGURATION = 0x46;
export const GET_EVENT_STATUS = 0x4a;
export const MODE_SENSE_10 = 0x5a;
export const READ_12 = 0xa8;

// Sense keys.
export const NO_SENSE = 0x0;
export const NOT_READY = 0x2;
export const ILLEGAL_REQUEST = 0x5;
export const UNIT_ATTENTION = 0x6;

// Additional sense codes.
export const ASC_INVALID_OPCODE = 0x20;
export const ASC_LBA_OUT_OF_RANGE = 0x21;
export const ASC_INVALID_FIELD = 0x24;
export const ASC_MEDIUM_CHANGED = 0x28;
export const ASC_POWER_ON_RESET = 0x29;
export const ASC_SAVING_NOT_SUPPORTED = 0x39;
export const ASC_NO_MEDIUM = 0x3a;
export const ASC_REMOVAL_PREVENTED = 0x53;

/** Media event codes of GET EVENT STATUS NOTIFICATION (MMC-3 5.6.4.4). */
export const EV_NONE = 0;
export const EV_NEW_MEDIA = 2;
export const EV_REMOVAL = 3;

/** The CD-ROM's own state (plain, saved with the drive). */
export interface CdState {
  /** Sense key, ASC, ASCQ of the last command (REQUEST SENSE returns them). */
  sense: [number, number, number];
  /** A pending unit attention's ASC (0 = none): 0x29 after power-on/reset, 0x28 after a medium change. */
  unitAttention: number;
  /** PREVENT ALLOW MEDIUM REMOVAL's prevent bit. */
  prevent: boolean;
  /** Whether a medium is in the tray (the backend may be there while ejected). */
  loaded: boolean;
  /** A media event not yet reported by GET EVENT STATUS NOTIFICATION. */
  mediaEvent: number;
}

/** A fresh CD-ROM state at power-on. */
export function cdPowerOn(hasMedium: boolean): CdState {
  return { sense: [NO_SENSE, 0, 0], unitAttention: ASC_POWER_ON_RESET, prevent: false, loaded: hasMedium, mediaEvent: hasMedium ? EV_NEW_MEDIA : EV_NONE };
}

/** What a packet command produced. */
export type PacketResult =
  | { kind: 'none' }
  | { kind: 'data'; data: Uint8Array }
  | { kind: 'read'; lba: number; blocks: number }
  | { kind: 'check'; key: number; asc: number; ascq: number };

const NONE: PacketResult = { kind: 'none' };

function check(key: number, asc: number, ascq = 0): PacketResult {
  return { kind: 'check', key, asc, ascq };
}

const be16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

function put16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 8) & 0xff;
  b[i + 1] = v & 0xff;
}
function put32(b: Uint8Array, i: number, v: number): void {
  put16(b, i, v >>> 16);
  put16(b, i + 2, v & 0xffff);
}

/** Data trimmed to the CDB's allocation length. */
function data(d: Uint8Array, alloc: number): PacketResult {
  return alloc === 0 ? NONE : { kind: 'data', data: d.subarray(0, Math.min(d.length, alloc)) };
}

function ascii(b: Uint8Array, at: number, len: number, s: string): void {
  const p = s.padEnd(len, ' ');
  for (let i = 0; i < len; i++) b[at + i] = p.charCodeAt(i);
}

/** LBA to MSF bytes (the 2-second pre-gap: LBA 0 is 00:02:00). */
function putMsf(b: Uint8Array, i: number, lba: number): void {
  const f = lba + 150;
  b[i] = 0;
  b[i + 1] = Math.floor(f / (75 * 60));
  b[i + 2] = Math.floor(f / 75) % 60;
  b[i + 3] = f % 75;
}

/** Identity strings of the INQUIRY data. */
export interface InquiryStrings {
  vendor: string;
  product: string;
  revision: string;
}

/** Commands that neither report nor clear a unit attention (MMC-3 4.1.6.1, SPC-2 7.23). */
const UA_EXEMPT = new Set([INQUIRY, REQUEST_SENSE, GET_CONFIGURATION, GET_EVENT_STATUS]);

/**
 * Execute one 12-byte packet on a CD-ROM. `backend` is the medium (null: none configured).
 * Sense data is updated in `st`; the caller turns the result into a PIO/DMA data phase or a
 * CHECK CONDITION status.
 */
export function runPacket(cdb: Uint8Array, st: CdState, backend: BlockBackend | null, ids: InquiryStrings): PacketResult {
  const op = cdb[0]!;
  const r = exec(op, cdb, st, backend, ids);
  if (op !== REQUEST_SENSE) st.sense = r.kind === 'check' ? [r.key, r.asc, r.ascq] : [NO_SENSE, 0, 0];
  return r;
}

function exec(op: number, cdb: Uint8Array, st: CdState, backend: BlockBackend | null, ids: InquiryStrings): PacketResult {
  if (st.unitAttention !== 0 && !UA_EXEMPT.has(op)) {
    const asc = st.unitAttention;
    st.unitAttention = 0;
    return check(UNIT_ATTENTION, asc);
  }
  const medium = st.loaded && backend !== null ? backend : null;
  const blocks = medium ? medium.sectors : 0;
  switch (op) {
    case TEST_UNIT_READY:
      return medium ? NONE : check(NOT_READY, ASC_NO_MEDIUM);

    case REQUEST_SENSE: {
      const d = new Uint8Array(18);
      d[0] = 0x70; // current error, fixed format
      d[2] = st.sense[0];
      d[7] = 10; // additional sense length
      d[12] = st.sense[1];
      d[13] = st.sense[2];
      st.sense = [NO_SENSE, 0, 0];
      return data(d, cdb[4]!);
    }

    case INQUIRY: {
      if (cdb[1]! & 0x01) return check(ILLEGAL_REQUEST, ASC_INVALID_FIELD); // EVPD pages: none
      const d = new Uint8Array(36);
      d[0] = 0x05; // CD/DVD device
      d[1] = 0x80; // removable
      d[2] = 0x00; // no SCSI version claimed (ATAPI)
      d[3] = 0x21; // ATAPI version 2, response data format 1
      d[4] = 31; // additional length
      ascii(d, 8, 8, ids.vendor);
      ascii(d, 16, 16, ids.product);
      ascii(d, 32, 4, ids.revision);
      return data(d, be16(cdb, 3));
    }

    case START_STOP_UNIT: {
      const loej = (cdb[4]! & 0x02) !== 0;
      const start = (cdb[4]! & 0x01) !== 0;
      if (!loej) return NONE; // spin up/down: nothing to do
      if (!start) {
        if (st.prevent) return check(ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 0x02);
        if (st.loaded) {
          st.loaded = false;
          st.mediaEvent = EV_REMOVAL;
        }
        return NONE;
      }
      if (!st.loaded && backend !== null) {
        st.loaded = true;
        st.mediaEvent = EV_NEW_MEDIA;
        st.unitAttention = ASC_MEDIUM_CHANGED;
      }
      return NONE;
    }

    case PREVENT_ALLOW:
      st.prevent = (cdb[4]! & 0x01) !== 0;
      return NONE;

    case READ_CAPACITY: {
      if (!medium) return check(NOT_READY, ASC_NO_MEDIUM);
      const d = new Uint8Array(8);
      put32(d, 0, blocks - 1);
      put32(d, 4, medium.sectorSize);
      return { kind: 'data', data: d };
    }

    case READ_10:
    case READ_12: {
      if (!medium) return check(NOT_READY, ASC_NO_MEDIUM);
      const lba = be32(cdb, 2);
      const n = op === READ_10 ? be16(cdb, 7) : be32(cdb, 6);
      if (lba + n > blocks) return check(ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
      return n === 0 ? NONE : { kind: 'read', lba, blocks: n };
    }

    case SEEK_10:
      if (!medium) return check(NOT_READY, ASC_NO_MEDIUM);
      return be32(cdb, 2) >= blocks ? check(ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE) : NONE;

    case READ_TOC:
      if (!medium) return check(NOT_READY, ASC_NO_MEDIUM);
      return readToc(cdb, blocks);

    case MODE_SENSE_10:
      return modeSense(cdb, medium !== null);

    case GET_CONFIGURATION:
      return getConfiguration(cdb, medium !== null);

    case GET_EVENT_STATUS:
      return getEventStatus(cdb, st, medium !== null);

    default:
      return check(ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
  }
}

/** READ TOC/PMA/ATIP formats 0 (TOC) and 1 (session information) of a one-track data disc. */
function readToc(cdb: Uint8Array, blocks: number): PacketResult {
  const msf = (cdb[1]! & 0x02) !== 0;
  let format = cdb[2]! & 0x0f;
  if (format === 0) format = cdb[9]! >> 6; // SFF-8020i's format field in the control byte
  const track = cdb[6]!;
  const alloc = be16(cdb, 7);
  const addr = (b: Uint8Array, i: number, lba: number): void => (msf ? putMsf(b, i, lba) : put32(b, i, lba));
  if (format === 0) {
    if (track > 1 && track !== 0xaa) return check(ILLEGAL_REQUEST, ASC_INVALID_FIELD);
    const withTrack1 = track <= 1;
    const d = new Uint8Array(4 + (withTrack1 ? 8 : 0) + 8);
    put16(d, 0, d.length - 2);
    d[2] = 1; // first track
    d[3] = 1; // last track
    let i = 4;
    if (withTrack1) {
      d[i + 1] = 0x14; // ADR 1 (Q mode 1), control: data track, copy permitted
      d[i + 2] = 1;
      addr(d, i + 4, 0);
      i += 8;
    }
    d[i + 1] = 0x14;
    d[i + 2] = 0xaa; // lead-out
    addr(d, i + 4, blocks);
    return data(d, alloc);
  }
  if (format === 1) {
    const d = new Uint8Array(12);
    put16(d, 0, 10);
    d[2] = 1; // first session
    d[3] = 1; // last session
    d[5] = 0x14;
    d[6] = 1; // first track in the last session
    addr(d, 8, 0);
    return data(d, alloc);
  }
  return check(ILLEGAL_REQUEST, ASC_INVALID_FIELD);
}

/** Mode pages: 01h read error recovery, 0Dh CD device parameters, 2Ah capabilities (MMC-2). */
function modePage(page: number, changeable: boolean): Uint8Array | null {
  switch (page) {
    case 0x01: {
      const p = new Uint8Array(8);
      p[0] = 0x01;
      p[1] = 6;
      if (!changeable) p[3] = 5; // read retry count
      return p;
    }
    case 0x0d: {
      const p = new Uint8Array(8);
      p[0] = 0x0d;
      p[1] = 6;
      if (!changeable) {
        put16(p, 4, 60); // S units per M unit
        put16(p, 6, 75); // F units per S unit
      }
      return p;
    }
    case 0x2a: {
      const p = new Uint8Array(20);
      p[0] = 0x2a;
      p[1] = 18;
      if (changeable) return p;
      p[2] = 0x00; // reads CD-R/RW: no
      p[4] = 0x71; // multi-session, mode 2 form 1/2, audio play
      p[5] = 0x00;
      p[6] = 0x29; // tray loader (001b), eject, lock
      p[7] = 0x00;
      put16(p, 8, 706 * 4); // maximum read speed (obsolete), kB/s
      put16(p, 10, 0); // volume levels
      put16(p, 12, 512); // buffer size, KiB
      put16(p, 14, 706 * 4); // current read speed (obsolete)
      return p;
    }
    default:
      return null;
  }
}

function modeSense(cdb: Uint8Array, medium: boolean): PacketResult {
  const pc = cdb[2]! >> 6;
  const page = cdb[2]! & 0x3f;
  const alloc = be16(cdb, 7);
  if (pc === 3) return check(ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED);
  const pages: Uint8Array[] = [];
  for (const p of page === 0x3f ? [0x01, 0x0d, 0x2a] : [page]) {
    const b = modePage(p, pc === 1);
    if (!b) return check(ILLEGAL_REQUEST, ASC_INVALID_FIELD);
    pages.push(b);
  }
  const len = 8 + pages.reduce((n, p) => n + p.length, 0);
  const d = new Uint8Array(len);
  put16(d, 0, len - 2);
  d[2] = medium ? 0x01 : 0x70; // 120 mm CD-ROM data only; 70h: door closed, no disc
  let i = 8;
  for (const p of pages) {
    d.set(p, i);
    i += p.length;
  }
  return data(d, alloc);
}

/** GET CONFIGURATION: profile CD-ROM (0008h); features 0000h (profile list) and 0001h (core, ATAPI). */
function getConfiguration(cdb: Uint8Array, medium: boolean): PacketResult {
  const rt = cdb[1]! & 0x03;
  const start = be16(cdb, 2);
  const alloc = be16(cdb, 7);
  if (rt === 3) return check(ILLEGAL_REQUEST, ASC_INVALID_FIELD);
  const features: { code: number; bytes: Uint8Array }[] = [];
  const profileList = new Uint8Array(8);
  put16(profileList, 0, 0x0000);
  profileList[2] = 0x03; // persistent, current
  profileList[3] = 4;
  put16(profileList, 4, 0x0008);
  profileList[6] = medium ? 0x01 : 0x00; // current profile
  features.push({ code: 0x0000, bytes: profileList });
  const core = new Uint8Array(12);
  put16(core, 0, 0x0001);
  core[2] = 0x03;
  core[3] = 8;
  put32(core, 4, 0x00000002); // physical interface: ATAPI
  features.push({ code: 0x0001, bytes: core });
  const chosen = features.filter((f) => (rt === 2 ? f.code === start : f.code >= start));
  const len = 8 + chosen.reduce((n, f) => n + f.bytes.length, 0);
  const d = new Uint8Array(len);
  put32(d, 0, len - 4);
  put16(d, 6, medium ? 0x0008 : 0x0000);
  let i = 8;
  for (const f of chosen) {
    d.set(f.bytes, i);
    i += f.bytes.length;
  }
  return data(d, alloc);
}

/** GET EVENT STATUS NOTIFICATION, polled, media class only (MMC-3 5.6). */
function getEventStatus(cdb: Uint8Array, st: CdState, medium: boolean): PacketResult {
  if ((cdb[1]! & 0x01) === 0) return check(ILLEGAL_REQUEST, ASC_INVALID_FIELD); // asynchronous operation
  const classes = cdb[4]!;
  const alloc = be16(cdb, 7);
  if ((classes & 0x10) === 0) {
    const d = new Uint8Array(4);
    put16(d, 0, 2);
    d[2] = 0x80; // no event available
    d[3] = 0x10; // supported: media
    return data(d, alloc);
  }
  const d = new Uint8Array(8);
  put16(d, 0, 6);
  d[2] = 0x04; // media class
  d[3] = 0x10;
  d[4] = st.mediaEvent;
  d[5] = medium ? 0x02 : 0x00; // media present; door closed
  st.mediaEvent = EV_NONE;
  return data(d, alloc);
}
