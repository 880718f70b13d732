// Port and limits of Palacios' OS debug device (palacios/src/devices/os_debug.c).

/** The guest's debug console port (Palacios `DEBUG_PORT1`). */
export const OS_DEBUG_PORT = 0xc0c0;
/** Characters buffered before a line is printed without its newline (Palacios: BUF_SIZE - 1). */
export const LINE_LIMIT = 1023;
/** What each printed line starts with (Palacios prints `VM_CONSOLE>`). */
export const CONSOLE_PREFIX = 'VM_CONSOLE> ';
