; doublefault: exception classes during delivery (SDM Vol. 3 6.15, Table 6-5):
; a contributory fault (#GP, #DE) whose IDT gate is not present raises #NP
; while delivering it -> #DF with error code 0; a benign fault (#UD, #BP) whose
; gate is not present gets the #NP delivered normally, error code with IDT=1
; and EXT=1 (vector*8+3); #DF through a task gate in the IDT. QEMU's TCG leaves EXT clear for an exception
; raised while delivering an earlier exception (it sets EXT only for external
; interrupts), so check 6 fails there; the SDM (6.13, "EXT") says EXT = 1.
%include "lib.inc"
TEST_NAME "doublefault"
DFTSS   equ 0x38
DFTSS_ADDR equ 0x1800
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

        ; #DF through a task gate (as Linux does): the double-fault task gets the
        ; error code on its own stack, NT set and a back link to the faulting task.
        call prep_df_task
        mov eax, [IDT_BASE + 8*8]
        mov edx, [IDT_BASE + 8*8 + 4]
        MKGATE IDT_BASE+8*8, 0, DFTSS, 0x85, 0
        GATE_ABSENT 13
        TRY
        mov bx, 0x58
        mov ds, bx
        ENDTRY
        GATE_PRESENT 13
        mov [IDT_BASE + 8*8], eax
        mov [IDT_BASE + 8*8 + 4], edx
        EXPECT_FAULT 8, 0, "#DF through a task gate: the task ran, error code 0 on its stack"
        CHECK [df_tr], DFTSS, "#DF task: TR = its TSS"
        CHECK [df_link], TSS0, "#DF task: back link = the faulting task's TSS"
        CHECKM [df_flags], 0x4000, 0x4000, "#DF task: NT set"
        CHECK [df_esp], 0x2F00 - 4, "#DF task: the error code is the only thing pushed"
        ret

; the double-fault task: 32-bit TSS at 0x1800, flat ring 0, stack top 0x2F00
prep_df_task:
        pushad
        mov edi, DFTSS_ADDR
        xor eax, eax
        mov ecx, 26
        rep stosd
        mov dword [DFTSS_ADDR + 0x20], df_task
        mov dword [DFTSS_ADDR + 0x24], 2
        mov dword [DFTSS_ADDR + 0x38], 0x2F00
        mov eax, cr3
        mov [DFTSS_ADDR + 0x1C], eax
        mov dword [DFTSS_ADDR + 0x48], DATA0
        mov dword [DFTSS_ADDR + 0x4C], CODE0
        mov dword [DFTSS_ADDR + 0x50], DATA0
        mov dword [DFTSS_ADDR + 0x54], DATA0
        mov dword [DFTSS_ADDR + 0x58], DATA0
        mov dword [DFTSS_ADDR + 0x5C], DATA0
        mov word [DFTSS_ADDR + 0x66], 104
        MKDESC gdt+DFTSS, DFTSS_ADDR, 103, 0x89, 0x0
        popad
        ret

df_task:
        mov [df_esp], esp
        pop dword [exc_err]
        mov dword [exc_vec], 8
        str ax
        movzx eax, ax
        mov [df_tr], eax
        movzx eax, word [DFTSS_ADDR]
        mov [df_link], eax
        pushfd
        pop eax
        mov [df_flags], eax
        ; back on the main TSS without returning to the faulting instruction:
        ; both TSSs available, LTR the main one, then the usual recovery
        and byte [gdt + DFTSS + 5], ~2
        and byte [gdt + TSS0 + 5], ~2
        mov ax, TSS0
        ltr ax
        jmp _recover

        section .data
df_esp: dd 0
df_tr:  dd 0
df_link: dd 0
df_flags: dd 0
        section .text
