; ldt: the local descriptor table (SDM Vol. 3 3.5.1, 5.3): LLDT/SLDT, data and
; code selectors with TI=1, the LDT limit, LLDT of a non-LDT descriptor, and a
; null LDTR.
%include "lib.inc"
TEST_NAME "ldt"
LDT_ADDR equ 0x1800
LDTSEL  equ 0x30        ; LDT descriptor: 4 entries at 0x1800
L_DATA  equ 0x04        ; LDT[0]: data RW, base 0x20000, limit 0xFFFF   (TI=1, RPL0)
L_CODE  equ 0x0C        ; LDT[1]: code 32 DPL0, flat
L_DATA3 equ 0x17        ; LDT[2]: data RW DPL3, base 0x20000, limit 0xFFFF (TI=1, RPL3)
test_main:
        MKDESC LDT_ADDR+0,  0x20000, 0xFFFF, 0x92, 0x4
        MKDESC LDT_ADDR+8,  0, 0xFFFFF, 0x9A, 0xC
        MKDESC LDT_ADDR+16, 0x20000, 0xFFFF, 0xF2, 0x4
        mov dword [LDT_ADDR+24], 0
        mov dword [LDT_ADDR+28], 0
        MKDESC gdt+LDTSEL, LDT_ADDR, 4*8-1, 0x82, 0x0

        mov ax, LDTSEL
        lldt ax
        sldt ax
        movzx eax, ax
        CHECK eax, LDTSEL, "SLDT returns the selector given to LLDT"

        TRY
        mov ax, L_DATA
        mov es, ax
        mov dword [es:0x40], 0xA5A5F00D
        ENDTRY
        EXPECT_NOFAULT "data segment through a TI=1 selector"
        CHECK [0x20040], 0xA5A5F00D, "the write used the LDT descriptor's base"
        TRY
        jmp L_CODE:.in_ldt_code
.in_ldt_code:
        mov eax, cs
        mov [ldt_cs], eax
        jmp CODE0:.out
.out:
        ENDTRY
        EXPECT_NOFAULT "far jump to a code segment in the LDT"
        CHECK [ldt_cs], L_CODE, "CS held the LDT selector"
        TRY
        CALL_RING3 .r3
        ENDTRY
        EXPECT_NOFAULT "CPL3 loads a DPL3 LDT data segment"
        CHECK [0x20044], 0x33, "the CPL3 write went through the LDT descriptor"
        TRY
        mov ax, 0x1C            ; LDT[3]: all zeros (a null descriptor, not a null selector)
        mov es, ax
        ENDTRY
        EXPECT_FAULT 13, 0x1C, "TI=1 selector of an empty LDT entry: #GP(selector)"
        TRY
        mov ax, 0x24            ; LDT[4]: beyond the LDT limit
        mov es, ax
        ENDTRY
        EXPECT_FAULT 13, 0x24, "TI=1 selector beyond the LDT limit: #GP(selector)"
        TRY
        mov ax, DATA0
        lldt ax
        ENDTRY
        EXPECT_FAULT 13, DATA0, "LLDT of a data segment descriptor: #GP(selector)"
        TRY
        mov ax, L_DATA
        lldt ax
        ENDTRY
        EXPECT_FAULT 13, L_DATA, "LLDT of a TI=1 selector: #GP(selector)"
        TRY
        xor eax, eax
        lldt ax
        mov ax, L_DATA
        mov es, ax
        ENDTRY
        EXPECT_FAULT 13, L_DATA, "LDTR null: a TI=1 selector: #GP(selector)"
        ret
.r3:    mov ax, L_DATA3
        mov es, ax
        mov dword [es:0x44], 0x33
        int 0x7F
        section .data
ldt_cs: dd 0
