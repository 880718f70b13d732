// The checkpoint of the two 8237As and the page registers: plain, JSON-able numbers.

/** One channel's registers (16-bit values; the mode byte as written, channel bits dropped). */
export interface ChannelRegs {
  /** Base address register (reloaded into the current address on autoinit). */
  baseAddr: number;
  /** Current address register. */
  curAddr: number;
  /** Base word count register. */
  baseCount: number;
  /** Current word count register (N means N + 1 transfers left). */
  curCount: number;
  /** Mode register bits 7-2 (bits 1-0, the channel select, are stored as 0). */
  mode: number;
}

/** One 8237A. Bit n of `mask`, `request` and `tc` is the controller's channel n. */
export interface ControllerState {
  channels: ChannelRegs[];
  /** Command register. */
  command: number;
  /** Mask register bits 3-0 (1 = masked). */
  mask: number;
  /** Request register bits 3-0 (software requests). */
  request: number;
  /** Status bits 3-0: terminal count reached since the last status read. */
  tc: number;
  /** Byte pointer flip-flop: true when the next address/count access is the high byte. */
  flipFlop: boolean;
  /** Temporary register (memory-to-memory data; 0 here, as that is refused). */
  temp: number;
}

/** The whole device: DMA1, DMA2 and the 16 page register bytes at 0x80-0x8F. */
export interface DmaState {
  controllers: [ControllerState, ControllerState];
  /** Bytes at 0x80-0x8F (index = port - 0x80). */
  pages: number[];
}

const isByte = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xff;
const isWord = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
const isNibble = (v: unknown): v is number => isByte(v) && v <= 0x0f;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function channelProblem(c: unknown): string | null {
  if (!isObject(c)) return 'a channel is not an object';
  for (const k of ['baseAddr', 'curAddr', 'baseCount', 'curCount'] as const) {
    if (!isWord(c[k])) return `channel ${k} is not a 16-bit value`;
  }
  if (!isByte(c.mode) || (c.mode & 0x03) !== 0) return 'channel mode is not a mode byte without channel bits';
  return null;
}

function controllerProblem(c: unknown): string | null {
  if (!isObject(c)) return 'a controller is not an object';
  if (!Array.isArray(c.channels) || c.channels.length !== 4) return 'a controller does not have 4 channels';
  for (const ch of c.channels as unknown[]) {
    const p = channelProblem(ch);
    if (p !== null) return p;
  }
  if (!isByte(c.command) || !isByte(c.temp)) return 'command or temporary register is not a byte';
  if (!isNibble(c.mask) || !isNibble(c.request) || !isNibble(c.tc)) return 'mask, request or tc is not 4 bits';
  if (typeof c.flipFlop !== 'boolean') return 'flipFlop is not a boolean';
  return null;
}

/** Why `s` is not a {@link DmaState}, or null when it is one. */
export function dmaStateProblem(s: unknown): string | null {
  if (!isObject(s)) return 'state is not an object';
  if (!Array.isArray(s.controllers) || s.controllers.length !== 2) return 'state does not have 2 controllers';
  for (const c of s.controllers as unknown[]) {
    const p = controllerProblem(c);
    if (p !== null) return p;
  }
  if (!Array.isArray(s.pages) || s.pages.length !== 16 || !(s.pages as unknown[]).every(isByte)) return 'pages is not 16 bytes';
  return null;
}

/** A deep copy of a controller's state. */
export function copyController(c: ControllerState): ControllerState {
  return { ...c, channels: c.channels.map((ch) => ({ ...ch })) };
}
