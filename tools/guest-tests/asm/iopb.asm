; iopb: I/O permission checks (SDM Vol. 3 19.5 / Vol. 1 19.5.1-2): at CPL0 and at
; CPL <= IOPL no bitmap is consulted; at CPL3 with IOPL0 the TSS I/O bitmap
; decides (a set bit, any bit of a word access, or a port beyond the TSS limit
; -> #GP(0)); CLI/STI follow IOPL. Reads port 0xE9 (the debug console reads
; back 0xE9 on Bochs and QEMU).
%include "lib.inc"
TEST_NAME "iopb"
IOTSS   equ 0x30
IOTSS_ADDR equ 0x1800
MAP     equ IOTSS_ADDR + 104        ; bitmap for ports 0-255, then 0xFF
%macro SETBIT 1         ; (register bit offsets address the whole bit string)
        mov eax, %1
        bts [MAP], eax
%endmacro
%macro CLRBIT 1
        mov eax, %1
        btr [MAP], eax
%endmacro
test_main:
        mov edi, IOTSS_ADDR
        xor eax, eax
        mov ecx, 26 + 8
        rep stosd
        mov byte [MAP + 32], 0xFF
        mov dword [IOTSS_ADDR + 4], ESP0
        mov dword [IOTSS_ADDR + 8], DATA0
        mov word [IOTSS_ADDR + 102], 104
        MKDESC gdt+IOTSS, IOTSS_ADDR, 104 + 32, 0x89, 0x0
        mov ax, IOTSS
        ltr ax

        TRY
        CALL_RING3 .r3_in
        ENDTRY
        EXPECT_NOFAULT "CPL3 IOPL0: IN from a port whose bitmap bit is clear"
        CHECK [r3_al], 0xE9, "the IN read the port"
        SETBIT 0xE9
        TRY
        CALL_RING3 .r3_in
        ENDTRY
        EXPECT_FAULT 13, 0, "CPL3 IOPL0: IN from a port whose bit is set: #GP(0)"
        TRY
        CALL_RING3 .r3_in_dx
        ENDTRY
        EXPECT_FAULT 13, 0, "CPL3 IOPL0: IN AL, DX with the bit set: #GP(0)"
        CLRBIT 0xE9
        SETBIT 0xEA
        TRY
        CALL_RING3 .r3_in_word
        ENDTRY
        EXPECT_FAULT 13, 0, "CPL3 IOPL0: word IN at 0xE9 with 0xEA's bit set: #GP(0)"
        CLRBIT 0xEA
        TRY
        CALL_RING3 .r3_in_high
        ENDTRY
        EXPECT_FAULT 13, 0, "CPL3 IOPL0: port beyond the TSS limit: #GP(0)"
        TRY
        CALL_RING3 .r3_out_high
        ENDTRY
        EXPECT_FAULT 13, 0, "CPL3 IOPL0: OUT to a port beyond the TSS limit: #GP(0)"
        SETBIT 0xE9
        TRY
        CALL_RING3 .r3_in, 0x3002
        ENDTRY
        EXPECT_NOFAULT "CPL3 IOPL3: IN ignores the bitmap"
        TRY
        in al, 0xE9
        ENDTRY
        EXPECT_NOFAULT "CPL0: IN ignores the bitmap"
        TRY
        CALL_RING3 .r3_cli
        ENDTRY
        EXPECT_FAULT 13, 0, "CPL3 IOPL0: CLI: #GP(0)"
        TRY
        CALL_RING3 .r3_cli, 0x3002
        ENDTRY
        EXPECT_NOFAULT "CPL3 IOPL3: CLI"
        TRY
        CALL_RING3 .r3_popf, 0x0202
        ENDTRY
        EXPECT_NOFAULT "CPL3 IOPL0: POPF (no fault)"
        CHECKM [r3_flags], 0x3200, 0x0200, "CPL3 IOPL0: POPF changes neither IOPL nor IF"
        ; back to the main TSS (mark it available first: LTR wants a non-busy TSS)
        and byte [gdt + TSS0 + 5], ~2
        mov ax, TSS0
        ltr ax
        ret

.r3_in: mov al, 0
        in al, 0xE9
        movzx eax, al
        mov [r3_al], eax
        int 0x7F
.r3_in_dx:
        mov dx, 0xE9
        in al, dx
        int 0x7F
.r3_in_word:
        mov dx, 0xE9
        in ax, dx
        int 0x7F
.r3_in_high:
        mov dx, 0x8900
        in al, dx
        int 0x7F
.r3_out_high:
        mov dx, 0x8900
        out dx, al
        int 0x7F
.r3_cli:
        cli
        int 0x7F
.r3_popf:
        push dword 0x3002       ; IF=0 IOPL=3 requested; the current IF is 1
        popfd
        pushfd
        pop eax
        mov [r3_flags], eax
        int 0x7F
        section .data
r3_al:  dd 0
r3_flags: dd 0
        section .text
