// Register offsets, bits and PC wiring of the NS16550A / TI TL16C550 UART. Names follow the
// datasheets (NS PC16550D "Table II, Summary of Registers"; TI TL16C550C "Register Summary").

// ---- Register offsets from the base port (DLAB = LCR bit 7) ----

/** Receiver Buffer (read, DLAB=0). */
export const REG_RBR = 0;
/** Transmitter Holding (write, DLAB=0). */
export const REG_THR = 0;
/** Divisor Latch LSB (DLAB=1). */
export const REG_DLL = 0;
/** Interrupt Enable (DLAB=0). */
export const REG_IER = 1;
/** Divisor Latch MSB (DLAB=1). */
export const REG_DLM = 1;
/** Interrupt Identification (read). */
export const REG_IIR = 2;
/** FIFO Control (write). */
export const REG_FCR = 2;
/** Line Control. */
export const REG_LCR = 3;
/** Modem Control. */
export const REG_MCR = 4;
/** Line Status (read; writes are a factory test mode). */
export const REG_LSR = 5;
/** Modem Status (read; writes are a factory test mode). */
export const REG_MSR = 6;
/** Scratch. */
export const REG_SCR = 7;
/** Number of ports one UART decodes. */
export const UART_PORT_COUNT = 8;

// ---- IER ----

/** ERBFI: enable received data available (and, with FIFOs, character timeout) interrupt. */
export const IER_ERBFI = 0x01;
/** ETBEI: enable transmitter holding register empty interrupt. */
export const IER_ETBEI = 0x02;
/** ELSI: enable receiver line status interrupt. */
export const IER_ELSI = 0x04;
/** EDSSI: enable modem status interrupt. */
export const IER_EDSSI = 0x08;
/** Bits 4-7 do not exist on the 16550A: they read 0 and writes to them have no effect. */
export const IER_WRITABLE = 0x0f;

// ---- IIR ----

/** Bit 0 is 0 while an interrupt is pending ("interrupt pending" is active low). */
export const IIR_NO_INT = 0x01;
/** Interrupt ID 011: receiver line status (priority 1, highest). */
export const IIR_RLS = 0x06;
/** Interrupt ID 010: received data available (priority 2). */
export const IIR_RDA = 0x04;
/** Interrupt ID 110: character timeout indication (priority 2, FIFO mode only). */
export const IIR_CTI = 0x0c;
/** Interrupt ID 001: transmitter holding register empty (priority 3). */
export const IIR_THRE = 0x02;
/** Interrupt ID 000: modem status (priority 4, lowest). */
export const IIR_MSI = 0x00;
/** Bits 6-7: both set when FCR0 (FIFO enable) is set. */
export const IIR_FIFOS_ENABLED = 0xc0;

// ---- FCR ----

/** FCR0: enable the transmit and receive FIFOs; changing it clears both. */
export const FCR_FIFO_ENABLE = 0x01;
/** FCR1: clear the receive FIFO and reset its logic (self-clearing). */
export const FCR_RX_RESET = 0x02;
/** FCR2: clear the transmit FIFO and reset its logic (self-clearing). */
export const FCR_TX_RESET = 0x04;
/** FCR3: DMA mode select (changes only the RXRDY/TXRDY pins, which the PC leaves unconnected). */
export const FCR_DMA_MODE = 0x08;
/** FCR6-7: receiver FIFO trigger level. */
export const FCR_TRIGGER_MASK = 0xc0;
/** FCR4-5 are reserved on the 16550A; writes have no effect. */
export const FCR_RESERVED = 0x30;
/** Receive FIFO trigger levels for FCR bits 7:6 = 00, 01, 10, 11. */
export const RX_TRIGGER_LEVELS: readonly number[] = [1, 4, 8, 14];

// ---- LCR ----

/** WLS0-1: word length 5 + n bits. */
export const LCR_WLS_MASK = 0x03;
/** STB: 2 stop bits (1.5 with 5-bit words) instead of 1. */
export const LCR_STB = 0x04;
/** PEN: parity enable. */
export const LCR_PEN = 0x08;
/** EPS: even parity select. */
export const LCR_EPS = 0x10;
/** Stick parity. */
export const LCR_STICK = 0x20;
/** Set break: forces the serial output to the spacing state. */
export const LCR_SBC = 0x40;
/** DLAB: divisor latch access (offsets 0 and 1 become DLL/DLM). */
export const LCR_DLAB = 0x80;

// ---- MCR ----

/** DTR: data terminal ready output. */
export const MCR_DTR = 0x01;
/** RTS: request to send output. */
export const MCR_RTS = 0x02;
/** OUT1: user output 1 (unused on the PC). */
export const MCR_OUT1 = 0x04;
/** OUT2: user output 2; on the PC it enables the UART's interrupt onto the ISA IRQ line. */
export const MCR_OUT2 = 0x08;
/** LOOP: local loopback diagnostic mode. */
export const MCR_LOOP = 0x10;
/** Bits 5-7 are always 0 on the 16550A (bit 5 is autoflow only on later parts). */
export const MCR_WRITABLE = 0x1f;

// ---- LSR ----

/** DR: at least one character in the RBR or the receive FIFO. */
export const LSR_DR = 0x01;
/** OE: overrun error, a character was lost (cleared by reading LSR). */
export const LSR_OE = 0x02;
/** PE: parity error of the character at the top of the FIFO. */
export const LSR_PE = 0x04;
/** FE: framing error of the character at the top of the FIFO. */
export const LSR_FE = 0x08;
/** BI: break interrupt of the character at the top of the FIFO. */
export const LSR_BI = 0x10;
/** THRE: the transmitter holding register (or transmit FIFO) is empty. */
export const LSR_THRE = 0x20;
/** TEMT: both THR (or transmit FIFO) and the transmit shift register are empty. */
export const LSR_TEMT = 0x40;
/** Error in receiver FIFO: at least one PE/FE/BI character is in the FIFO. */
export const LSR_RX_FIFO_ERROR = 0x80;
/** The bits an LSR read clears (the error bits). */
export const LSR_ERROR_BITS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

// ---- MSR ----

/** DCTS: CTS changed since the last MSR read. */
export const MSR_DCTS = 0x01;
/** DDSR: DSR changed since the last MSR read. */
export const MSR_DDSR = 0x02;
/** TERI: RI went from on to off since the last MSR read (trailing edge). */
export const MSR_TERI = 0x04;
/** DDCD: DCD changed since the last MSR read. */
export const MSR_DDCD = 0x08;
/** CTS: clear to send input (RTS in loopback). */
export const MSR_CTS = 0x10;
/** DSR: data set ready input (DTR in loopback). */
export const MSR_DSR = 0x20;
/** RI: ring indicator input (OUT1 in loopback). */
export const MSR_RI = 0x40;
/** DCD: data carrier detect input (OUT2 in loopback). */
export const MSR_DCD = 0x80;
/** The four delta bits, cleared by an MSR read. */
export const MSR_DELTAS = 0x0f;
/**
 * Modem inputs with a host stream attached and no loopback: the far end is a connected
 * terminal, so CTS, DSR and DCD are on and nobody rings.
 */
export const MSR_HOST_LINES = MSR_CTS | MSR_DSR | MSR_DCD;

// ---- Sizes and clocks ----

/** Depth of the receive and transmit FIFOs. */
export const FIFO_DEPTH = 16;
/** The PC's UART crystal: 1.8432 MHz, so divisor 1 is 115200 baud. */
export const UART_CLOCK_HZ = 1_843_200;
/** A character timeout is raised after this many character times of silence (datasheet). */
export const CTI_CHAR_TIMES = 4;
/** Divisor the device starts with (the datasheet leaves it undefined): 12, 9600 baud. */
export const DEFAULT_DIVISOR = 12;

// ---- PC wiring ----

/** The PC's four standard serial ports: base I/O port and ISA IRQ. */
export const COM_PORTS = {
  COM1: { base: 0x3f8, irq: 4 },
  COM2: { base: 0x2f8, irq: 3 },
  COM3: { base: 0x3e8, irq: 4 },
  COM4: { base: 0x2e8, irq: 3 },
} as const;
