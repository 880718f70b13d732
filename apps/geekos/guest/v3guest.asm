; =============================================================================
; v3guest.asm -- the default guest of v3 (a Palacios-style VMM in TypeScript)
; =============================================================================
;
; A tiny guest OS of our own. It walks a virtual PC through the things every
; real kernel does first -- real mode, GDT, IDT, protected mode, paging, the
; 8259A pair, the 8254, the 16550 -- and reports on COM1 what it saw, so a
; test can read the serial output and know which step the VMM got wrong.
;
; Build:  nasm -f bin -Ox -o v3guest.bin v3guest.asm   (see build.sh)
;
; -----------------------------------------------------------------------------
; Load contract (what the VMM must do -- it is what a PC BIOS does with a boot
; sector, minus the BIOS and minus the 512-byte limit)
; -----------------------------------------------------------------------------
;   * The flat image (this file assembled with -f bin) is copied to guest
;     physical 0x7C00. It may be larger than 512 bytes (limit ~32 KiB here so
;     that it stays below 64 KiB and every label fits in a 16-bit offset).
;   * The CPU starts in real mode with CS=DS=ES=SS=0, IP=0x7C00, SP=0x7C00,
;     DL=0x80, EFLAGS.IF=0. Nothing is assumed about other registers.
;   * There is no BIOS: the IVT is empty and the guest calls no BIOS service.
;   * RAM needed: 0x0000-0xFFFF (64 KiB). The guest uses, besides its image:
;       0x0800-0x0FFF  IDT (256 gates x 8 bytes), built at run time
;       0x1000-0x1FFF  page directory
;       0x2000-0x2FFF  page table: 0-4 MiB identity
;       0x3000-0x3FFF  page table: 0xC0000000-0xC03FFFFF (one page mapped)
;       0x4000-0x7BFF  stack (ESP starts at 0x7C00 and grows down)
;     A20 is never needed: every physical address used is below 1 MiB.
;
; -----------------------------------------------------------------------------
; Ports touched (and nothing else)
; -----------------------------------------------------------------------------
;   0x20, 0x21    8259A master: ICW1-4, OCW1 mask, OCW2 EOI, OCW3 read ISR
;   0xA0, 0xA1    8259A slave:  ICW1-4, OCW1 mask, OCW2 EOI, OCW3 read ISR
;   0x40, 0x43    8254 PIT: channel 0 data, mode/command register
;   0x3F8-0x3FD   COM1 16550: RBR/THR/DLL, IER/DLM, FCR, LCR, MCR, LSR
;   0xE9          Bochs debug console (write only): one line at boot, one at
;                 power off
;   0x8900        Bochs/QEMU APM shutdown port (write only): "Shutdown"
;
; -----------------------------------------------------------------------------
; Behaviour
; -----------------------------------------------------------------------------
;   1. Real mode: program COM1 for 115200 8N1 with FIFOs (polled), print
;      "v3guest: real mode", write "v3guest: boot" to port 0xE9.
;   2. Load a flat GDT (0x08 code, 0x10 data, base 0, limit 4 GiB), set
;      CR0.PE, far jump to 32-bit code, reload DS/ES/FS/GS/SS, set ESP.
;      Build the IDT (256 interrupt gates, one 16-byte stub per vector) and
;      load it. Print "v3guest: protected mode".
;   3. Paging: identity-map 0-4 MiB with 4 KiB pages, map the page holding
;      the variable paging_probe a second time at 0xC0000000, set CR3 and
;      CR0.PG, then write through each mapping and read through the other.
;      Print "v3guest: paging ok".
;   4. Program the 8259A pair (vectors 0x20/0x28, cascade on IR2, 8086 mode,
;      everything masked but IRQ0 and IRQ4), the 8254 channel 0 (mode 2,
;      100 Hz), and COM1's receive interrupt (IER.ERBFI and MCR.OUT2).
;      Print the banner "v3guest 1.0: ...".
;   5. Main loop: sti; hlt. The IRQ0 handler counts ticks; the main loop
;      prints "tick N" for N = 25, 50, ... on its own line. The IRQ4 handler
;      echoes every received byte (CR, LF and CR LF are echoed as CR LF).
;      Receiving 'q', or reaching 200 ticks, prints
;      "v3guest: power off (ticks=N)" and powers off.
;      Receiving '!' makes the main loop read from 0x00400000, which is not
;      mapped: a deliberate page fault, to exercise the failure path.
;   6. Any exception (vectors 0-31) prints
;      "v3guest: EXCEPTION vector=0xVV err=0xEEEEEEEE eip=0xIIIIIIII"
;      (plus " cr2=0x........" for #PF) and powers off with failure. A
;      vector the guest never enabled (0x30-0xFF, or a masked PIC line that
;      is not a spurious IRQ7/IRQ15) prints
;      "v3guest: UNEXPECTED interrupt vector=0xVV eip=0xIIIIIIII" and powers
;      off with failure. Spurious IRQ7/IRQ15 (ISR bit clear) are counted and
;      ignored, as the 8259A datasheet prescribes.
;
; -----------------------------------------------------------------------------
; Power-off protocol
; -----------------------------------------------------------------------------
;   Success: COM1 "v3guest: power off (ticks=N)", then port 0xE9
;            "v3guest: power off ok\n".
;   Failure: COM1 the EXCEPTION / UNEXPECTED / PAGING FAILED line, then port
;            0xE9 "v3guest: power off FAIL\n".
;   Then, in both cases, the eight bytes "Shutdown" are written one at a time
;   to port 0x8900 -- exactly what the Bochs BIOS's APM code does to power
;   off, and what the VMM's BOCHS_DEBUG device implements. If the write
;   returns, the guest does cli; hlt forever and touches no port again, so a
;   VMM that acts on the shutdown only at its next control exit (the HLT)
;   sees nothing further. The success/failure status is carried by the COM1
;   and 0xE9 lines, not by the shutdown port, which has no status.
;
; Instruction set: plain i386 (no CPUID, no INVLPG, no UD2, no SSE, no CMOV).
; =============================================================================

        bits 16
        org 0x7C00

; ----------------------------------------------------------------------------
; Constants
; ----------------------------------------------------------------------------

LOAD_ADDR       equ 0x7C00

; 8259A programmable interrupt controllers (Intel 8259A datasheet)
PIC1_CMD        equ 0x20
PIC1_DATA       equ 0x21
PIC2_CMD        equ 0xA0
PIC2_DATA       equ 0xA1
PIC_ICW1        equ 0x11            ; ICW1: edge triggered, cascade, ICW4 follows
PIC_ICW4_8086   equ 0x01            ; ICW4: 8086/88 mode, normal EOI, not buffered
PIC_OCW2_EOI    equ 0x20            ; OCW2: non-specific end of interrupt
PIC_OCW3_ISR    equ 0x0B            ; OCW3: next read of the command port returns ISR
%define PIC1_VECTOR 0x20            ; IRQ0-7  -> vectors 0x20-0x27 (%define: the stub macro tests it)
%define PIC2_VECTOR 0x28            ; IRQ8-15 -> vectors 0x28-0x2F
PIC1_MASK       equ 0xEE            ; unmask IR0 (PIT) and IR4 (COM1) only
PIC2_MASK       equ 0xFF            ; slave fully masked

; 8254 programmable interval timer (Intel 8254 datasheet); input clock 1.193182 MHz
PIT_CH0         equ 0x40
PIT_CMD         equ 0x43
PIT_CH0_MODE2   equ 0x34            ; SC=00 channel 0, RW=11 lo then hi, M=010 rate generator, BCD=0
PIT_DIVISOR     equ 11932           ; 1193182 / 11932 = 100.0 Hz

; 16550 UART at COM1 (NS16550A datasheet)
COM1            equ 0x3F8
COM1_RBR        equ COM1+0          ; receive buffer (read, DLAB=0)
COM1_THR        equ COM1+0          ; transmit holding (write, DLAB=0)
COM1_DLL        equ COM1+0          ; divisor latch low (DLAB=1)
COM1_IER        equ COM1+1          ; interrupt enable (DLAB=0)
COM1_DLM        equ COM1+1          ; divisor latch high (DLAB=1)
COM1_FCR        equ COM1+2          ; FIFO control (write)
COM1_LCR        equ COM1+3          ; line control
COM1_MCR        equ COM1+4          ; modem control
COM1_LSR        equ COM1+5          ; line status
LCR_DLAB        equ 0x80
LCR_8N1         equ 0x03            ; 8 data bits, no parity, 1 stop bit
FCR_ENABLE      equ 0x07            ; enable FIFOs, clear RX and TX FIFO, RX trigger 1 byte
MCR_DTR_RTS     equ 0x03
MCR_OUT2        equ 0x08            ; on a PC, OUT2 gates the UART's INTR onto IRQ4
IER_ERBFI       equ 0x01            ; received data available interrupt
LSR_DR          equ 0x01            ; data ready
LSR_THRE        equ 0x20            ; transmit holding register empty
UART_DIVISOR    equ 1               ; 115200 = 1.8432 MHz / 16 / 1

; Bochs ports
DEBUG_PORT      equ 0xE9            ; Bochs/QEMU debug console
APM_SHUTDOWN    equ 0x8900          ; Bochs BIOS APM power-off port

; Memory layout (see the header)
IDT_BASE        equ 0x0800
%define IDT_ENTRIES 256
PAGE_DIR        equ 0x1000
PT_LOW          equ 0x2000
PT_HIGH         equ 0x3000
STACK_TOP       equ 0x7C00
HIGH_VIRT       equ 0xC0000000      ; where paging_probe's page is mapped a second time
UNMAPPED_ADDR   equ 0x00400000      ; first byte past the identity map

; Paging bits (Intel SDM vol. 3, 4.3)
PTE_P           equ 0x001
PTE_RW          equ 0x002
CR0_PE          equ 0x00000001
CR0_PG          equ 0x80000000

; Selectors in our GDT
CODE_SEL        equ 0x08
DATA_SEL        equ 0x10

; Interrupt gate attributes: P=1, DPL=0, type 0xE (32-bit interrupt gate,
; so IF is cleared on entry and handlers never nest)
GATE_INT32      equ 0x8E00

STUB_SIZE       equ 16              ; bytes per IDT stub; gate N points at stubs + N*16

TICKS_PER_LINE  equ 25
TICK_LIMIT      equ 200
QUIT_KEY        equ 'q'
FAULT_KEY       equ '!'

; ============================================================================
; Real mode
; ============================================================================

start:
        cli                             ; contract says IF=0 already; make sure
        jmp     0x0000:real_start       ; normalise CS:IP to 0000:7Cxx
real_start:
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, STACK_TOP
        cld                             ; string ops go up; the contract does not fix DF

        ; COM1: 115200 8N1, FIFOs on, interrupts off for now (polled output).
        ; IER is cleared first so nothing fires while the divisor is changed.
        mov     dx, COM1_IER
        xor     al, al
        out     dx, al
        mov     dx, COM1_LCR
        mov     al, LCR_DLAB            ; DLAB=1: ports +0/+1 become the divisor latch
        out     dx, al
        mov     dx, COM1_DLL
        mov     al, UART_DIVISOR & 0xFF
        out     dx, al
        mov     dx, COM1_DLM
        mov     al, UART_DIVISOR >> 8
        out     dx, al
        mov     dx, COM1_LCR
        mov     al, LCR_8N1             ; DLAB=0 again
        out     dx, al
        mov     dx, COM1_FCR
        mov     al, FCR_ENABLE
        out     dx, al
        mov     dx, COM1_MCR
        mov     al, MCR_DTR_RTS         ; OUT2 stays off until the PIC is programmed
        out     dx, al

        mov     si, msg_real
        call    rm_puts
        mov     si, dbg_boot
        call    rm_debug_puts

        ; Enter protected mode: GDT, CR0.PE, far jump to load CS with a
        ; 32-bit code selector (the jump also flushes the prefetch queue).
        lgdt    [gdt_desc]
        mov     eax, cr0
        or      al, CR0_PE
        mov     cr0, eax
        jmp     CODE_SEL:pm_start

; rm_putc: write AL to COM1, polling LSR.THRE. Preserves all registers.
rm_putc:
        push    dx
        push    ax
        mov     dx, COM1_LSR
.wait:  in      al, dx
        test    al, LSR_THRE
        jz      .wait
        pop     ax
        mov     dx, COM1_THR
        out     dx, al
        pop     dx
        ret

; rm_puts: write the NUL-terminated string at DS:SI to COM1.
rm_puts:
        lodsb
        test    al, al
        jz      .done
        call    rm_putc
        jmp     rm_puts
.done:  ret

; rm_debug_puts: write the NUL-terminated string at DS:SI to port 0xE9.
rm_debug_puts:
        mov     dx, DEBUG_PORT
.next:  lodsb
        test    al, al
        jz      .done
        out     dx, al
        jmp     .next
.done:  ret

; ============================================================================
; Protected mode
; ============================================================================

        bits 32

pm_start:
        mov     ax, DATA_SEL
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax                  ; SS load inhibits interrupts for one insn,
        mov     esp, STACK_TOP          ; and IF=0 anyway

        ; --- IDT: gate N -> isr_stubs + N*STUB_SIZE, selector CODE_SEL -----
        mov     edi, IDT_BASE
        mov     eax, isr_stubs
        xor     ecx, ecx
.idt_gate:
        mov     edx, eax
        and     edx, 0x0000FFFF         ; offset 15:0
        or      edx, CODE_SEL << 16     ; segment selector
        mov     [edi], edx
        mov     edx, eax
        and     edx, 0xFFFF0000         ; offset 31:16
        or      edx, GATE_INT32
        mov     [edi+4], edx
        add     eax, STUB_SIZE
        add     edi, 8
        inc     ecx
        cmp     ecx, IDT_ENTRIES
        jb      .idt_gate
        lidt    [idt_desc]

        mov     esi, msg_pmode
        call    puts

        ; --- Paging ---------------------------------------------------------
        ; Clear the directory and both tables (three consecutive pages).
        mov     edi, PAGE_DIR
        xor     eax, eax
        mov     ecx, 3 * 1024
        rep     stosd
        ; PT_LOW[i] = i * 4 KiB | P | RW  -> identity map of 0-4 MiB
        mov     edi, PT_LOW
        mov     eax, PTE_P | PTE_RW
        mov     ecx, 1024
.fill_pt:
        stosd
        add     eax, 0x1000
        loop    .fill_pt
        mov     dword [PAGE_DIR + (0 >> 22) * 4], PT_LOW | PTE_P | PTE_RW
        mov     dword [PAGE_DIR + (HIGH_VIRT >> 22) * 4], PT_HIGH | PTE_P | PTE_RW
        ; PT_HIGH[0] -> the physical page that holds paging_probe
        mov     eax, paging_probe
        and     eax, 0xFFFFF000
        or      eax, PTE_P | PTE_RW
        mov     [PT_HIGH + ((HIGH_VIRT >> 12) & 0x3FF) * 4], eax
        mov     eax, PAGE_DIR
        mov     cr3, eax
        mov     eax, cr0
        or      eax, CR0_PG
        mov     cr0, eax                ; identity map: the next fetch is at the same address

        ; Alias check: write low, read high; write high, read low.
        mov     ebx, paging_probe
        and     ebx, 0x00000FFF
        add     ebx, HIGH_VIRT          ; EBX = high alias of paging_probe
        mov     dword [paging_probe], 0x1234ABCD
        cmp     dword [ebx], 0x1234ABCD
        jne     paging_failed
        mov     dword [ebx], 0x5AA5C33C
        cmp     dword [paging_probe], 0x5AA5C33C
        jne     paging_failed
        mov     esi, msg_paging_ok
        call    puts

        ; --- 8259A pair -----------------------------------------------------
        mov     al, PIC_ICW1
        out     PIC1_CMD, al
        out     PIC2_CMD, al
        mov     al, PIC1_VECTOR         ; ICW2: vector base
        out     PIC1_DATA, al
        mov     al, PIC2_VECTOR
        out     PIC2_DATA, al
        mov     al, 0x04                ; ICW3 master: a slave hangs on IR2
        out     PIC1_DATA, al
        mov     al, 0x02                ; ICW3 slave: its cascade identity is 2
        out     PIC2_DATA, al
        mov     al, PIC_ICW4_8086
        out     PIC1_DATA, al
        out     PIC2_DATA, al
        mov     al, PIC1_MASK           ; OCW1
        out     PIC1_DATA, al
        mov     al, PIC2_MASK
        out     PIC2_DATA, al

        ; --- 8254 channel 0: mode 2 at 100 Hz -------------------------------
        mov     al, PIT_CH0_MODE2
        out     PIT_CMD, al
        mov     al, PIT_DIVISOR & 0xFF
        out     PIT_CH0, al
        mov     al, PIT_DIVISOR >> 8
        out     PIT_CH0, al

        ; --- COM1 receive interrupt -----------------------------------------
        ; Bytes that arrived before this point stay in the RX FIFO; enabling
        ; ERBFI with data present raises the interrupt at once, so input
        ; typed early is echoed, not lost.
        mov     dx, COM1_MCR
        mov     al, MCR_DTR_RTS | MCR_OUT2
        out     dx, al
        mov     dx, COM1_IER
        mov     al, IER_ERBFI
        out     dx, al

        mov     esi, msg_banner
        call    puts

%ifdef V3GUEST_TEST_INT
        int     V3GUEST_TEST_INT        ; self-test builds only; never in v3guest.bin
%endif

; ----------------------------------------------------------------------------
; Main loop. "sti; hlt": STI's one-instruction interrupt shadow guarantees no
; interrupt is taken between them, so a wake-up is never lost. All output
; below runs with IF=0, so the echo in the IRQ4 handler cannot split a line.
; ----------------------------------------------------------------------------
main_loop:
        sti
        hlt
        cli
        cmp     byte [fault_requested], 0
        jne     deliberate_fault
        cmp     byte [quit_requested], 0
        jne     power_off_ok
.report:
        mov     eax, [next_report]
        cmp     [ticks], eax
        jb      .check_limit
        call    begin_line
        mov     esi, msg_tick
        call    puts
        call    put_dec                 ; EAX = next_report: prints 25, 50, ...
        call    put_crlf
        add     dword [next_report], TICKS_PER_LINE
        jmp     .report                 ; catch up if several lines are due
.check_limit:
        cmp     dword [ticks], TICK_LIMIT
        jae     power_off_ok
        jmp     main_loop

deliberate_fault:
        mov     eax, [UNMAPPED_ADDR]    ; not present: #PF, err=0, cr2=0x00400000
        jmp     main_loop               ; not reached

paging_failed:
        call    begin_line
        mov     esi, msg_paging_failed
        call    puts
        jmp     power_off_failure

; ----------------------------------------------------------------------------
; Power off
; ----------------------------------------------------------------------------
power_off_ok:
        cli
        call    begin_line
        mov     esi, msg_off
        call    puts
        mov     eax, [ticks]
        call    put_dec
        mov     al, ')'
        call    putc
        call    put_crlf
        mov     esi, dbg_off_ok
        call    debug_puts
        jmp     apm_shutdown

power_off_failure:
        cli
        mov     esi, dbg_off_fail
        call    debug_puts
        ; fall through

; Bochs BIOS APM power off: "Shutdown" byte by byte to port 0x8900.
apm_shutdown:
        mov     esi, str_shutdown
        mov     dx, APM_SHUTDOWN
.next:  lodsb
        test    al, al
        jz      .halt
        out     dx, al
        jmp     .next
.halt:  cli                             ; the power off did not take: stop here
        hlt
        jmp     .halt                   ; an NMI would resume after HLT

; ----------------------------------------------------------------------------
; Output helpers (32-bit)
; ----------------------------------------------------------------------------

; putc: write AL to COM1, polling LSR.THRE; track whether the cursor is at
; the start of a line. Preserves all registers and AL.
putc:
        push    edx
        push    eax
        mov     dx, COM1_LSR
.wait:  in      al, dx
        test    al, LSR_THRE
        jz      .wait
        pop     eax
        mov     dx, COM1_THR
        out     dx, al
        cmp     al, 10
        sete    [at_line_start]
        pop     edx
        ret

; puts: write the NUL-terminated string at ESI to COM1. Preserves registers.
puts:
        push    eax
        push    esi
.next:  lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     .next
.done:  pop     esi
        pop     eax
        ret

put_crlf:
        push    eax
        mov     al, 13
        call    putc
        mov     al, 10
        call    putc
        pop     eax
        ret

; begin_line: end a partial line (e.g. echoed input) so the next line is whole.
begin_line:
        cmp     byte [at_line_start], 0
        jne     .done
        call    put_crlf
.done:  ret

; put_hex: write the low ECX hex digits of EAX (ECX = 1..8). Preserves registers.
put_hex:
        pushad
        mov     edx, eax
.next:  dec     ecx
        mov     eax, edx
        push    ecx
        shl     ecx, 2
        shr     eax, cl                 ; digit ECX to bits 3:0
        pop     ecx
        and     eax, 0x0F
        mov     al, [hex_digits + eax]
        call    putc
        test    ecx, ecx
        jnz     .next
        popad
        ret

; put_dec: write EAX as an unsigned decimal number. Preserves registers.
put_dec:
        pushad
        mov     ebx, 10
        xor     ecx, ecx
.divide:
        xor     edx, edx
        div     ebx
        push    edx                     ; digits come out least significant first
        inc     ecx
        test    eax, eax
        jnz     .divide
.emit:  pop     eax
        add     al, '0'
        call    putc
        loop    .emit
        popad
        ret

; debug_puts: write the NUL-terminated string at ESI to port 0xE9.
debug_puts:
        push    eax
        push    edx
        push    esi
        mov     dx, DEBUG_PORT
.next:  lodsb
        test    al, al
        jz      .done
        out     dx, al
        jmp     .next
.done:  pop     esi
        pop     edx
        pop     eax
        ret

; ----------------------------------------------------------------------------
; Interrupt and exception handlers
; ----------------------------------------------------------------------------

; IRQ0, 8254 channel 0: count, then EOI to the master.
irq_timer:
        push    eax
        inc     dword [ticks]
        mov     al, PIC_OCW2_EOI
        out     PIC1_CMD, al
        pop     eax
        iretd

; IRQ4, COM1: echo every byte in the receive FIFO (read RBR while LSR.DR),
; note the quit and fault keys for the main loop, then EOI to the master.
; Reading RBR until the FIFO is empty is what clears the UART's interrupt.
irq_com1:
        pushad
.next:  mov     dx, COM1_LSR
        in      al, dx
        test    al, LSR_DR
        jz      .done
        mov     dx, COM1_RBR
        in      al, dx
        cmp     al, 13
        je      .cr
        cmp     al, 10
        je      .lf
        mov     byte [last_was_cr], 0
        call    putc
        cmp     al, QUIT_KEY
        jne     .not_quit
        mov     byte [quit_requested], 1
.not_quit:
        cmp     al, FAULT_KEY
        jne     .next
        mov     byte [fault_requested], 1
        jmp     .next
.cr:    mov     byte [last_was_cr], 1
        call    put_crlf
        jmp     .next
.lf:    cmp     byte [last_was_cr], 0   ; LF right after CR: already echoed
        mov     byte [last_was_cr], 0   ; (MOV leaves the flags alone)
        jne     .next
        call    put_crlf
        jmp     .next
.done:  mov     al, PIC_OCW2_EOI
        out     PIC1_CMD, al
        popad
        iretd

; IRQ7 / IRQ15 while masked: the 8259A raises these vectors for an interrupt
; request that went away before INTA ("spurious"); then the ISR bit is clear
; and no EOI may be sent to that PIC -- but a spurious IRQ15 was a real IRQ2
; for the master, which does need its EOI. A set ISR bit means the line was
; really delivered although masked: a VMM bug, reported as unexpected.
; Stack on entry: [esp] = vector, then the CPU's EIP, CS, EFLAGS.
irq_maybe_spurious:
        push    eax
        cmp     byte [esp+4], PIC1_VECTOR + 7
        jne     .slave
        mov     al, PIC_OCW3_ISR
        out     PIC1_CMD, al
        in      al, PIC1_CMD
        test    al, 0x80
        jnz     .real
        jmp     .spurious
.slave: mov     al, PIC_OCW3_ISR
        out     PIC2_CMD, al
        in      al, PIC2_CMD
        test    al, 0x80
        jnz     .real
        mov     al, PIC_OCW2_EOI        ; the master's IR2 was real
        out     PIC1_CMD, al
.spurious:
        inc     dword [spurious_irqs]
        pop     eax
        add     esp, 4                  ; drop the vector number
        iretd
.real:  pop     eax
        ; fall through

; A vector nothing should raise. Stack: [esp] = vector, [esp+4] = EIP.
unexpected_vector:
        call    begin_line
        mov     esi, msg_unexpected
        call    puts
        mov     eax, [esp]
        mov     ecx, 2
        call    put_hex
        mov     esi, msg_eip
        call    puts
        mov     eax, [esp+4]
        mov     ecx, 8
        call    put_hex
        call    put_crlf
        jmp     power_off_failure

; CPU exception. Stack: [esp] = vector, [esp+4] = error code (0 pushed by
; the stub when the CPU pushes none), [esp+8] = EIP, CS, EFLAGS.
exception_common:
        call    begin_line
        mov     esi, msg_exception
        call    puts
        mov     eax, [esp]
        mov     ecx, 2
        call    put_hex
        mov     esi, msg_err
        call    puts
        mov     eax, [esp+4]
        mov     ecx, 8
        call    put_hex
        mov     esi, msg_eip
        call    puts
        mov     eax, [esp+8]
        mov     ecx, 8
        call    put_hex
        cmp     dword [esp], 14         ; #PF: CR2 holds the faulting address
        jne     .no_cr2
        mov     esi, msg_cr2
        call    puts
        mov     eax, cr2
        mov     ecx, 8
        call    put_hex
.no_cr2:
        call    put_crlf
        jmp     power_off_failure

; ----------------------------------------------------------------------------
; IDT stubs: one STUB_SIZE-byte slot per vector, so the gate of vector N
; points at isr_stubs + N * STUB_SIZE. Every slot ends in a jump; the NOP
; padding is never executed.
; ----------------------------------------------------------------------------

; Exceptions for which the CPU pushes an error code (Intel SDM vol. 3, 6.15):
; #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21, #VC 29, #SX 30.
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro isr_stub 1
%%slot:
%if %1 < 32
  %if !HAS_ERROR_CODE(%1)
        push    strict dword 0          ; uniform frame: fake error code
  %endif
        push    strict dword %1
        jmp     strict near exception_common
%elif %1 == PIC1_VECTOR + 0
        jmp     strict near irq_timer
%elif %1 == PIC1_VECTOR + 4
        jmp     strict near irq_com1
%elif %1 == PIC1_VECTOR + 7 || %1 == PIC2_VECTOR + 7
        push    strict dword %1
        jmp     strict near irq_maybe_spurious
%else
        push    strict dword %1         ; masked PIC line or vector 0x30-0xFF
        jmp     strict near unexpected_vector
%endif
        times   STUB_SIZE - ($ - %%slot) nop    ; assembly fails if a stub outgrows its slot
%endmacro

        align   STUB_SIZE, nop
isr_stubs:
%assign vec 0
%rep IDT_ENTRIES
        isr_stub vec
%assign vec vec + 1
%endrep

; ============================================================================
; Data
; ============================================================================

        align   8
gdt:
        dq      0                       ; 0x00: null descriptor
        ; 0x08: code, base 0, limit 0xFFFFF x 4 KiB, P=1 DPL=0 execute/read, D=1 G=1
        dw      0xFFFF, 0x0000
        db      0x00, 0x9A, 0xCF, 0x00
        ; 0x10: data, base 0, limit 0xFFFFF x 4 KiB, P=1 DPL=0 read/write, B=1 G=1
        dw      0xFFFF, 0x0000
        db      0x00, 0x92, 0xCF, 0x00
gdt_end:

gdt_desc:
        dw      gdt_end - gdt - 1
        dd      gdt

idt_desc:
        dw      IDT_ENTRIES * 8 - 1
        dd      IDT_BASE

        align   4
ticks           dd 0                    ; incremented by IRQ0
next_report     dd TICKS_PER_LINE       ; tick count of the next "tick N" line
spurious_irqs   dd 0
paging_probe    dd 0                    ; read and written through two mappings
at_line_start   db 1                    ; COM1 cursor is at column 0
last_was_cr     db 0                    ; last received byte was CR
quit_requested  db 0
fault_requested db 0

hex_digits      db "0123456789ABCDEF"

msg_real        db "v3guest: real mode", 13, 10, 0
msg_pmode       db "v3guest: protected mode", 13, 10, 0
msg_paging_ok   db "v3guest: paging ok", 13, 10, 0
msg_paging_failed db "v3guest: PAGING FAILED", 13, 10, 0
msg_banner      db "v3guest 1.0: protected mode, paging on, PIT at 100 Hz, COM1 115200 8N1", 13, 10, 0
msg_tick        db "tick ", 0
msg_off         db "v3guest: power off (ticks=", 0
msg_exception   db "v3guest: EXCEPTION vector=0x", 0
msg_unexpected  db "v3guest: UNEXPECTED interrupt vector=0x", 0
msg_err         db " err=0x", 0
msg_eip         db " eip=0x", 0
msg_cr2         db " cr2=0x", 0

dbg_boot        db "v3guest: boot", 10, 0
dbg_off_ok      db "v3guest: power off ok", 10, 0
dbg_off_fail    db "v3guest: power off FAIL", 10, 0

str_shutdown    db "Shutdown", 0

image_end:

; The image must stay below the 64 KiB line (16-bit offsets in real mode) and
; must not overlap the page tables, IDT or stack, which all lie below 0x7C00.
; (A negative TIMES count is an assembly error.)
        times   -((image_end - $$) > 0x8000) db 0
