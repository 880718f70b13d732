; notpresent: segments and gates with P=0 (SDM Vol. 3 6.15 "#NP", "#SS"):
; #NP(selector) for data and code segments, call gates and TSSs, #SS(selector)
; for SS, #NP(vector*8+2) for a not-present IDT gate reached by INT n.
%include "lib.inc"
TEST_NAME "notpresent"
NPDATA  equ 0x30        ; data RW, P=0
NPCODE  equ 0x38        ; code, P=0
NPGATE  equ 0x40        ; call gate, P=0
NPTSS   equ 0x48        ; available 32-bit TSS, P=0
test_main:
        MKDESC gdt+NPDATA, 0, 0xFFFFF, 0x12, 0xC
        MKDESC gdt+NPCODE, 0, 0xFFFFF, 0x1A, 0xC
        MKGATE gdt+NPGATE, test_main, CODE0, 0x0C, 0
        MKDESC gdt+NPTSS, 0x1800, 103, 0x09, 0x0
        MKGATE IDT_BASE+0x50*8, test_main, CODE0, 0x0E, 0     ; interrupt gate, P=0

        TRY
        mov ax, NPDATA
        mov ds, ax
        ENDTRY
        EXPECT_FAULT 11, NPDATA, "not-present data segment into DS: #NP(selector)"
        TRY
        mov ax, NPDATA | 0
        mov gs, ax
        ENDTRY
        EXPECT_FAULT 11, NPDATA, "not-present data segment into GS: #NP(selector)"
        TRY
        mov ax, NPDATA
        mov ss, ax
        ENDTRY
        EXPECT_FAULT 12, NPDATA, "not-present data segment into SS: #SS(selector)"
        TRY
        jmp NPCODE:0
        ENDTRY
        EXPECT_FAULT 11, NPCODE, "far jump to a not-present code segment: #NP(selector)"
        TRY
        call NPGATE:0
        ENDTRY
        EXPECT_FAULT 11, NPGATE, "far call through a not-present call gate: #NP(selector)"
        TRY
        mov ax, NPTSS
        ltr ax
        ENDTRY
        EXPECT_FAULT 11, NPTSS, "LTR of a not-present TSS: #NP(selector)"
        TRY
        int 0x50
        ENDTRY
        EXPECT_FAULT 11, 0x50*8+2, "INT 0x50 through a not-present gate: #NP(0x50*8+2, IDT bit)"
        TRY
        xor eax, eax
        mov ss, ax
        ENDTRY
        EXPECT_FAULT 13, 0, "null selector into SS at CPL0: #GP(0)"
        ; a not-present segment leaves the register unchanged: the fault comes first
        TRY
        mov ax, DATA3
        mov es, ax
        mov ax, NPDATA
        mov es, ax
        ENDTRY
        CHECK [exc_eflags], 2, "EFLAGS pushed by the #NP are the ones before the load"
        ret
