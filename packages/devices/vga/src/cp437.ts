// Code page 437, the character set of the VGA's ROM font, as Unicode.
// 0x00 and 0x20 show as spaces; 0x01-0x1F and 0x7F are the PC's graphic characters; 0xFF is a
// no-break space.

const TABLE =
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼' + // 0x00
  '►◄↕‼¶§▬↨↑↓→←∟↔▲▼' + // 0x10
  ' !"#$%&\'()*+,-./' + // 0x20
  '0123456789:;<=>?' + // 0x30
  '@ABCDEFGHIJKLMNO' + // 0x40
  'PQRSTUVWXYZ[\\]^_' + // 0x50
  '`abcdefghijklmno' + // 0x60
  'pqrstuvwxyz{|}~⌂' + // 0x70
  'ÇüéâäàåçêëèïîìÄÅ' + // 0x80
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ' + // 0x90
  'áíóúñÑªº¿⌐¬½¼¡«»' + // 0xA0
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' + // 0xB0
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧' + // 0xC0
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' + // 0xD0
  'αßΓπΣσµτΦΘΩδ∞φε∩' + // 0xE0
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ '; // 0xF0

/** The Unicode character the VGA's font draws for CP437 byte `code`. */
export function cp437(code: number): string {
  return TABLE.charAt(code & 0xff);
}

/** The whole table, index = byte. */
export const CP437: readonly string[] = Array.from(TABLE);
