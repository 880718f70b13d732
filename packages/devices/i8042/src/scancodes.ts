// Scan code sets 1 and 2. The 8042 translates what a PS/2 keyboard sends (set 2) into set 1
// with a fixed table (IBM PS/2 Technical Reference, "Scan Code Translation"); host key events
// arrive in set 1, so the keyboard model needs the table both ways. Only the codes of real keys
// (and the few non-key entries the keyboard's own replies need) are listed; a set-1 code outside
// the table has no set-2 form here and is refused.

/** [set 2 code, set 1 code] pairs of the 8042 translation table, by key. */
const PAIRS: readonly (readonly [number, number])[] = [
  [0x00, 0xff], // overrun / error
  [0x01, 0x43], // F9
  [0x02, 0x41], // (no key; the table maps it like F7)
  [0x03, 0x3f], // F5
  [0x04, 0x3d], // F3
  [0x05, 0x3b], // F1
  [0x06, 0x3c], // F2
  [0x07, 0x58], // F12
  [0x09, 0x44], // F10
  [0x0a, 0x42], // F8
  [0x0b, 0x40], // F6
  [0x0c, 0x3e], // F4
  [0x0d, 0x0f], // Tab
  [0x0e, 0x29], // ` ~
  [0x0f, 0x59], // keypad = (some keyboards)
  [0x10, 0x65], // E0: WWW search
  [0x11, 0x38], // left Alt (E0: right Alt)
  [0x12, 0x2a], // left Shift (E0: fake shift)
  [0x13, 0x70], // Katakana/Hiragana
  [0x14, 0x1d], // left Ctrl (E0: right Ctrl)
  [0x15, 0x10], // Q (E0: previous track)
  [0x16, 0x02], // 1
  [0x18, 0x66], // E0: WWW favourites
  [0x1a, 0x2c], // Z
  [0x1b, 0x1f], // S
  [0x1c, 0x1e], // A
  [0x1d, 0x11], // W
  [0x1e, 0x03], // 2
  [0x1f, 0x5b], // E0: left GUI
  [0x20, 0x67], // E0: WWW refresh
  [0x21, 0x2e], // C (E0: volume down)
  [0x22, 0x2d], // X
  [0x23, 0x20], // D (E0: mute)
  [0x24, 0x12], // E
  [0x25, 0x05], // 4
  [0x26, 0x04], // 3
  [0x27, 0x5c], // E0: right GUI
  [0x28, 0x68], // E0: WWW stop
  [0x29, 0x39], // Space
  [0x2a, 0x2f], // V
  [0x2b, 0x21], // F (E0: calculator)
  [0x2c, 0x14], // T
  [0x2d, 0x13], // R
  [0x2e, 0x06], // 5
  [0x2f, 0x5d], // E0: Apps
  [0x30, 0x69], // E0: WWW forward
  [0x31, 0x31], // N
  [0x32, 0x30], // B (E0: volume up)
  [0x33, 0x23], // H
  [0x34, 0x22], // G (E0: play/pause)
  [0x35, 0x15], // Y
  [0x36, 0x07], // 6
  [0x37, 0x5e], // E0: Power
  [0x38, 0x6a], // E0: WWW back
  [0x3a, 0x32], // M
  [0x3b, 0x24], // J (E0: stop)
  [0x3c, 0x16], // U
  [0x3d, 0x08], // 7
  [0x3e, 0x09], // 8
  [0x3f, 0x5f], // E0: Sleep
  [0x40, 0x6b], // E0: My Computer
  [0x41, 0x33], // , <
  [0x42, 0x25], // K
  [0x43, 0x17], // I
  [0x44, 0x18], // O
  [0x45, 0x0b], // 0
  [0x46, 0x0a], // 9
  [0x48, 0x6c], // E0: e-mail
  [0x49, 0x34], // . >
  [0x4a, 0x35], // / ? (E0: keypad /)
  [0x4b, 0x26], // L
  [0x4c, 0x27], // ; :
  [0x4d, 0x19], // P (E0: next track)
  [0x4e, 0x0c], // - _
  [0x50, 0x6d], // E0: media select
  [0x51, 0x73], // Ro (Japanese)
  [0x52, 0x28], // ' "
  [0x54, 0x1a], // [ {
  [0x55, 0x0d], // = +
  [0x58, 0x3a], // Caps Lock
  [0x59, 0x36], // right Shift
  [0x5a, 0x1c], // Enter (E0: keypad Enter)
  [0x5b, 0x1b], // ] }
  [0x5d, 0x2b], // \ |
  [0x5e, 0x63], // E0: Wake
  [0x61, 0x56], // the 102nd key (< > \ on ISO keyboards)
  [0x64, 0x79], // Henkan (Japanese)
  [0x66, 0x0e], // Backspace
  [0x67, 0x7b], // Muhenkan (Japanese)
  [0x69, 0x4f], // keypad 1 (E0: End)
  [0x6a, 0x7d], // Yen (Japanese)
  [0x6b, 0x4b], // keypad 4 (E0: Left)
  [0x6c, 0x47], // keypad 7 (E0: Home)
  [0x70, 0x52], // keypad 0 (E0: Insert)
  [0x71, 0x53], // keypad . (E0: Delete)
  [0x72, 0x50], // keypad 2 (E0: Down)
  [0x73, 0x4c], // keypad 5
  [0x74, 0x4d], // keypad 6 (E0: Right)
  [0x75, 0x48], // keypad 8 (E0: Up)
  [0x76, 0x01], // Esc
  [0x77, 0x45], // Num Lock (also in the Pause sequence)
  [0x78, 0x57], // F11
  [0x79, 0x4e], // keypad +
  [0x7a, 0x51], // keypad 3 (E0: Page Down)
  [0x7b, 0x4a], // keypad -
  [0x7c, 0x37], // keypad * (E0: Print Screen)
  [0x7d, 0x49], // keypad 9 (E0: Page Up)
  [0x7e, 0x46], // Scroll Lock (E0: Ctrl+Break)
  [0x83, 0x41], // F7
  [0x84, 0x54], // Alt+SysRq
];

/** Set 2 -> set 1, as the 8042's translation does it; -1 where this table has no entry. */
const SET2_TO_SET1 = new Int16Array(256).fill(-1);
/** Set 1 make code -> set 2; -1 where there is none. */
const SET1_TO_SET2 = new Int16Array(128).fill(-1);
for (const [s2, s1] of PAIRS) {
  SET2_TO_SET1[s2] = s1;
  // 0x02 is no key and 0x00/0xFF is the overrun code, not a make code.
  if (s2 !== 0x02 && s2 !== 0x00) SET1_TO_SET2[s1] = s2;
}
// Bytes from 0x85 up that the keyboard sends (replies, prefixes) pass the table unchanged.
for (let b = 0x85; b < 0x100; b++) SET2_TO_SET1[b] = b;

/**
 * A byte the keyboard sends in set 2 as the 8042 hands it on with translation on (the break
 * prefix 0xF0 is handled by the caller); -1 if the table has no entry here.
 */
export function translateSet2(byte: number): number {
  return SET2_TO_SET1[byte & 0xff] ?? -1;
}

/**
 * The set-2 bytes of one set-1 byte: prefixes pass, a make code maps through the table, a
 * break code (bit 7) becomes 0xF0 and the make code. Undefined for a code without a set-2 form.
 */
export function set1ToSet2(byte: number): number[] | undefined {
  if (byte === 0xe0 || byte === 0xe1) return [byte];
  const make = SET1_TO_SET2[byte & 0x7f] ?? -1;
  if (make < 0) return undefined;
  return byte & 0x80 ? [0xf0, make] : [make];
}
