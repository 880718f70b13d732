; privilege: CPL/DPL/RPL checks on data and stack segment loads (SDM Vol. 3 5.6-5.7),
; privileged instructions at CPL 3 (#GP(0)), conforming code, and data segment
; registers nulled on a return to an outer level, IRET inward from CPL3.
%include "lib.inc"
TEST_NAME "privilege"
CONF0   equ 0x30        ; conforming code DPL0, flat
DATA1   equ 0x38        ; data DPL1, flat
test_main:
        MKDESC gdt+CONF0, 0, 0xFFFFF, 0x9E, 0xC
        MKDESC gdt+DATA1, 0, 0xFFFFF, 0xB2, 0xC

        TRY
        mov ax, DATA0 | 3
        mov ds, ax
        ENDTRY
        EXPECT_FAULT 13, DATA0, "CPL0, RPL3 selector of a DPL0 data segment: #GP(selector)"
        TRY
        mov ax, DATA1 | 1
        mov ds, ax
        ENDTRY
        EXPECT_NOFAULT "CPL0, RPL1 selector of a DPL1 data segment"
        TRY
        mov ax, DATA1 | 2
        mov es, ax
        ENDTRY
        EXPECT_FAULT 13, DATA1, "CPL0, RPL2 selector of a DPL1 data segment: #GP(selector)"
        TRY
        mov ax, DATA3
        mov fs, ax
        ENDTRY
        EXPECT_NOFAULT "CPL0 loads a DPL3 data segment"
        TRY
        mov ax, DATA3
        mov ss, ax
        ENDTRY
        EXPECT_FAULT 13, DATA3 & ~3, "CPL0 loads SS with DPL3 data: #GP(selector)"
        TRY
        mov ax, DATA0 | 1
        mov ss, ax
        ENDTRY
        EXPECT_FAULT 13, DATA0, "CPL0 loads SS with RPL1: #GP(selector)"

        TRY
        CALL_RING3 .r3_ds0
        ENDTRY
        EXPECT_FAULT 13, DATA0, "CPL3 loads DS with a DPL0 data segment: #GP(selector)"
        TRY
        CALL_RING3 .r3_ds3
        ENDTRY
        EXPECT_FAULT NO_FAULT, NO_FAULT, "CPL3 loads DS with a DPL3 data segment"
        TRY
        CALL_RING3 .r3_ss
        ENDTRY
        EXPECT_FAULT 13, DATA3 & ~3, "CPL3 loads SS with RPL0 of a DPL3 segment: #GP(selector)"
        TRY
        CALL_RING3 .r3_cli
        ENDTRY
        EXPECT_FAULT 13, 0, "CLI at CPL3 with IOPL0: #GP(0)"
        TRY
        CALL_RING3 .r3_hlt
        ENDTRY
        EXPECT_FAULT 13, 0, "HLT at CPL3: #GP(0)"
        TRY
        CALL_RING3 .r3_cr0
        ENDTRY
        EXPECT_FAULT 13, 0, "MOV to CR0 at CPL3: #GP(0)"
        TRY
        CALL_RING3 .r3_lidt
        ENDTRY
        EXPECT_FAULT 13, 0, "LIDT at CPL3: #GP(0)"
        TRY
        CALL_RING3 .r3_jmp0
        ENDTRY
        EXPECT_FAULT 13, CODE0, "CPL3 far jump to nonconforming DPL0 code: #GP(selector)"
        TRY
        CALL_RING3 .r3_iret0
        ENDTRY
        EXPECT_FAULT 13, CODE0, "IRET at CPL3 to CPL0 code: #GP(return CS selector)"
        TRY
        CALL_RING3 .r3_conf
        ENDTRY
        EXPECT_FAULT NO_FAULT, NO_FAULT, "CPL3 far call to conforming DPL0 code"
        CHECK [conf_cs], CONF0 | 3, "conforming code runs at the caller's CPL (CS.RPL = 3)"
        ; IRET to CPL3 with FS holding a DPL0 data segment: FS is nulled
        mov dword [r3_fs], 0xFFFF
        mov [r3_esp], esp
        mov dword [r3_resume], .back
        push dword DATA3
        push dword USER_ESP
        push dword 2
        push dword CODE3
        push dword .r3_fs
        mov ax, DATA3
        mov ds, ax
        mov ax, DATA0
        mov fs, ax
        mov ax, DATA3
        mov gs, ax
        iretd
.back:  CHECK [r3_fs], 0, "IRET to CPL3 nulls FS holding a DPL0 data segment"
        CHECK [r3_gs], DATA3, "IRET to CPL3 keeps GS holding a DPL3 data segment"
        ret

.r3_ds0: mov ax, DATA0
        mov ds, ax
        int 0x7F
.r3_ds3: mov ax, DATA3
        mov ds, ax
        int 0x7F
.r3_ss: mov ax, DATA3 & ~3
        mov ss, ax
        int 0x7F
.r3_cli: cli
        int 0x7F
.r3_hlt: hlt
        int 0x7F
.r3_cr0: mov eax, cr0
        mov cr0, eax
        int 0x7F
.r3_lidt: lidt [idt_ptr]
        int 0x7F
.r3_jmp0: jmp CODE0:.never
.never: int 0x7F
.r3_iret0:
        push dword 2
        push dword CODE0
        push dword .never
        iretd
.r3_conf: call CONF0:.conf
        int 0x7F
.conf:  mov eax, cs
        mov [conf_cs], eax
        retf
.r3_fs: mov eax, fs
        mov [r3_fs], eax
        mov eax, gs
        mov [r3_gs], eax
        int 0x7F
        section .data
conf_cs: dd 0
r3_fs:  dd 0
r3_gs:  dd 0
