; v86: virtual-8086 mode (SDM Vol. 3 20.2-20.4): entered by IRETD from CPL0 with
; EFLAGS.VM=1, real-mode address formation, INT n from V86 with IOPL3 to a
; ring-0 handler (stack from TSS.ESP0, the 9-dword frame with ES DS FS GS, data
; segment registers nulled), IOPL-sensitive CLI/PUSHF/POPF/INT n at IOPL0
; (#GP(0)) while INT3 is not (only the gate DPL), a 16-bit IRET at IOPL3,
; IN/OUT always checked against the I/O bitmap (none here: #GP(0) even at
; IOPL3), and faults in V86 reporting VM=1 and the real-mode CS:IP.
%include "lib.inc"
TEST_NAME "v86"
%macro ENTER_V86 2      ; ip, eflags (VM is added)
        mov [r3_esp], esp
        mov dword [r3_resume], %%back
        push dword 0            ; GS
        push dword 0            ; FS
        push dword 0            ; DS
        push dword 0x2000       ; ES
        push dword 0            ; SS
        push dword 0x3800       ; ESP
        push dword (%2) | 0x20000
        push dword 0            ; CS
        push dword %1
        iretd
%%back:
%endmacro
test_main:
        MKGATE IDT_BASE+0x40*8, h40, CODE0, 0xEE, 0
        TRY
        ENTER_V86 v86_int, 0x3002
        ENDTRY
        EXPECT_NOFAULT "IOPL3: V86 code runs, INT 0x40 and INT 0x7F leave it"
        CHECK [v86_flag], 1, "V86 code ran to the end after the handler's IRETD"
        CHECK [0x20010], 0x1234, "ES=0x2000: [ES:0x10] is linear 0x20010"
        CHECK [h_cs], CODE0, "handler: CS = 0x08"
        CHECK [h_ss], DATA0, "handler: SS from TSS.SS0"
        CHECK [h_esp], ESP0 - 36, "handler: ESP = TSS.ESP0 - 36"
        CHECK [h_ds], 0, "handler: DS nulled"
        CHECK [h_es], 0, "handler: ES nulled"
        CHECK [h_fs], 0, "handler: FS nulled"
        CHECK [h_gs], 0, "handler: GS nulled"
        CHECK [h_frame+0], v86_int.after, "frame: EIP after the INT"
        CHECK [h_frame+4], 0, "frame: CS"
        CHECKM [h_frame+8], 0x23000, 0x23000, "frame: EFLAGS with VM and IOPL3"
        CHECK [h_frame+12], 0x3800, "frame: ESP"
        CHECK [h_frame+16], 0, "frame: SS"
        CHECK [h_frame+20], 0x2000, "frame: ES"
        CHECK [h_frame+24], 0, "frame: DS"
        CHECK [h_frame+28], 0, "frame: FS"
        CHECK [h_frame+32], 0, "frame: GS"
        CHECKM [h_flags], 0x20200, 0, "handler runs with VM=0 and IF=0 (interrupt gate)"

        TRY
        ENTER_V86 v86_cli, 0x0002
        ENDTRY
        EXPECT_FAULT 13, 0, "IOPL0: CLI in V86: #GP(0)"
        CHECK [exc_eip], v86_cli, "the #GP reports the V86 IP"
        CHECK [exc_cs], 0, "the #GP reports the V86 CS"
        CHECKM [exc_eflags], 0x20000, 0x20000, "the #GP's EFLAGS have VM=1"
        TRY
        ENTER_V86 v86_pushf, 0x0002
        ENDTRY
        EXPECT_FAULT 13, 0, "IOPL0: PUSHF in V86: #GP(0)"
        TRY
        ENTER_V86 v86_popf, 0x0002
        ENDTRY
        EXPECT_FAULT 13, 0, "IOPL0: POPF in V86: #GP(0)"
        TRY
        ENTER_V86 v86_int, 0x0002
        ENDTRY
        EXPECT_FAULT 13, 0, "IOPL0: INT n in V86: #GP(0)"
        TRY
        ENTER_V86 v86_in, 0x0002
        ENDTRY
        EXPECT_FAULT 13, 0, "IOPL0, no I/O bitmap: IN in V86: #GP(0)"
        TRY
        ENTER_V86 v86_in, 0x3002
        ENDTRY
        EXPECT_FAULT 13, 0, "IOPL3, no I/O bitmap: IN in V86 still #GP(0)"
        TRY
        ENTER_V86 v86_cli_ok, 0x3202
        ENDTRY
        EXPECT_NOFAULT "IOPL3: CLI, PUSHF, POPF in V86"
        CHECKM [v86_flags16], 0xFFFF, 0x3002, "IOPL3: PUSHF after CLI pushes IF=0 IOPL=3"
        TRY
        ENTER_V86 v86_iret, 0x3002
        ENDTRY
        EXPECT_NOFAULT "IOPL3: a 16-bit IRET inside V86"
        CHECK [v86_flag], 2, "the IRET went to the popped CS:IP"
        TRY
        ENTER_V86 v86_int3, 0x0002
        ENDTRY
        EXPECT_FAULT 13, 3*8+2, "IOPL0: INT3 is not IOPL-sensitive but the gate DPL is 0: #GP(3*8+2)"
        MKGATE IDT_BASE+3*8, _stubs + 3*16, CODE0, 0xEE, 0
        TRY
        ENTER_V86 v86_int3, 0x0002
        ENDTRY
        EXPECT_FAULT 3, 0, "IOPL0: INT3 through a DPL3 gate is delivered"
        CHECK [exc_eip], v86_int3.after, "the #BP frame holds the IP after INT3"
        TRY
        ENTER_V86 v86_lmsw, 0x3002
        ENDTRY
        EXPECT_FAULT 13, 0, "V86 runs at CPL3: LMSW: #GP(0)"
        ret

h40:    mov [ss:h_esp], esp
        push eax
        mov eax, cs
        mov [ss:h_cs], eax
        mov eax, ss
        mov [ss:h_ss], eax
        mov eax, ds
        mov [ss:h_ds], eax
        mov eax, es
        mov [ss:h_es], eax
        mov eax, fs
        mov [ss:h_fs], eax
        mov eax, gs
        mov [ss:h_gs], eax
        pushfd
        pop eax
        mov [ss:h_flags], eax
        mov ax, DATA0
        mov ds, ax
        mov es, ax
        push esi
        push edi
        push ecx
        lea esi, [esp + 16]
        mov edi, h_frame
        mov ecx, 9
        rep movsd
        pop ecx
        pop edi
        pop esi
        pop eax
        iretd

        bits 16
v86_int:
        int 0x40
.after: mov word [es:0x10], 0x1234
        mov byte [v86_flag], 1
        int 0x7F
v86_cli:
        cli
        int 0x7F
v86_pushf:
        pushf
        int 0x7F
v86_popf:
        push word 0
        popf
        int 0x7F
v86_in: in al, 0xE9
        int 0x7F
v86_cli_ok:
        cli
        pushf
        pop ax
        mov [v86_flags16], ax
        push ax
        popf
        int 0x7F
v86_iret:
        pushf
        push cs
        push word .target
        iret
        int 0x7F
.target:
        mov byte [v86_flag], 2
        int 0x7F
v86_int3:
        int3
.after: int 0x7F
v86_lmsw:
        smsw ax
        lmsw ax
        int 0x7F
        bits 32

        section .data
v86_flag: dd 0
v86_flags16: dd 0
h_esp:  dd 0
h_cs:   dd 0
h_ss:   dd 0
h_ds:   dd 0xFFFF
h_es:   dd 0xFFFF
h_fs:   dd 0xFFFF
h_gs:   dd 0xFFFF
h_flags: dd 0
h_frame: times 9 dd 0
        section .text
