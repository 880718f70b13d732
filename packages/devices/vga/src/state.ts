/** The whole VGA (the device's checkpoint): plain data, typed arrays for the big parts. */
export interface VgaState {
  /** Miscellaneous Output. */
  misc: number;
  /** Video Subsystem Enable (port 0x3C3). */
  videoEnable: number;
  /** Feature Control. */
  featureControl: number;
  seqIndex: number;
  /** Sequencer registers 0-4. */
  seq: number[];
  crtcIndex: number;
  /** CRTC registers 0x00-0x18. */
  crtc: number[];
  gcIndex: number;
  /** Graphics Controller registers 0-8. */
  gc: number[];
  /** Attribute Controller address byte: index in bits 4-0, PAS in bit 5. */
  acIndex: number;
  /** The attribute flip-flop: true when the next 0x3C0 write is data. */
  acData: boolean;
  /** Attribute Controller registers 0x00-0x14. */
  ac: number[];
  dacMask: number;
  dacReadIndex: number;
  dacWriteIndex: number;
  /** Which of R, G, B the next 0x3C9 access is (0-2). */
  dacComponent: number;
  /** Last DAC address written: 'write' (0x3C8) or 'read' (0x3C7); 0x3C7 reads it back. */
  dacMode: 'read' | 'write';
  /** Components of the entry being written, until its third byte. */
  dacPending: number[];
  /** 256 entries of R, G, B (6 bits each). */
  palette: number[];
  /** The four data latches. */
  latches: number[];
  /** DISPI index register (the interface itself is absent). */
  dispiIndex: number;
  /** The four 64 KiB planes, plane p at offset p * 0x10000. */
  planes: Uint8Array;
}
