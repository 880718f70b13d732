; doublefault: exception classes during delivery (SDM Vol. 3 6.15, Table 6-5):
; a contributory fault (#GP, #DE) whose IDT gate is not present raises #NP
; while delivering it -> #DF with error code 0; a benign fault (#UD, #BP) whose
; gate is not present gets the #NP delivered normally, error code with IDT=1
; and EXT=1 (vector*8+3). QEMU's TCG leaves EXT clear for an exception
; raised while delivering an earlier exception (it sets EXT only for external
; interrupts), so check 6 fails there; the SDM (6.13, "EXT") says EXT = 1.
%include "lib.inc"
TEST_NAME "doublefault"
%macro GATE_ABSENT 1
        and byte [IDT_BASE + (%1)*8 + 5], 0x7F
%endmacro
%macro GATE_PRESENT 1
        or byte [IDT_BASE + (%1)*8 + 5], 0x80
%endmacro
test_main:
        GATE_ABSENT 13
        TRY
        mov ax, 0x58            ; empty GDT slot: #GP(0x58)
        mov ds, ax
        ENDTRY
        GATE_PRESENT 13
        EXPECT_FAULT 8, 0, "#GP through a not-present gate: #DF(0)"

        GATE_ABSENT 0
        TRY
        xor ecx, ecx
        div ecx
        ENDTRY
        GATE_PRESENT 0
        EXPECT_FAULT 8, 0, "#DE through a not-present gate: #DF(0)"

        GATE_ABSENT 6
        TRY
        ud2
        ENDTRY
        GATE_PRESENT 6
        EXPECT_FAULT 11, 6*8+3, "#UD through a not-present gate: #NP(6*8 + IDT + EXT)"

        ; software INT n is not an external event: EXT = 0
        GATE_ABSENT 0x60
        TRY
        int 0x60
        ENDTRY
        GATE_PRESENT 0x60
        EXPECT_FAULT 11, 0x60*8+2, "INT 0x60 through a not-present gate: #NP(0x60*8 + IDT)"

        ; #GP while delivering a #GP: the #GP gate points at a not-present code segment
        MKDESC gdt+0x30, 0, 0xFFFFF, 0x1A, 0xC          ; code, P=0
        mov ax, [IDT_BASE + 13*8 + 2]
        mov word [IDT_BASE + 13*8 + 2], 0x30
        TRY
        mov bx, 0x58
        mov ds, bx
        ENDTRY
        mov [IDT_BASE + 13*8 + 2], ax
        EXPECT_FAULT 8, 0, "#GP whose handler segment is not present (#NP): #DF(0)"
        ret
