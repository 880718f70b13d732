; tss: hardware task switching (SDM Vol. 3 7.3-7.4): JMP to a TSS (busy bits,
; TR, registers loaded from and saved to the TSSs), CALL to a TSS (NT set, back
; link, the caller's TSS stays busy) and IRET back through the back link, CALL
; through a task gate in the GDT, INT through a task gate in the IDT, LDTR
; and CR3 switched with the task, #GP on a
; busy TSS, #TS on a TSS whose limit is below 0x67 and on a bad SS selector
; in the new TSS (raised after the switch, in the new task).
%include "lib.inc"
TEST_NAME "tss"
TSSB    equ 0x30        ; TSS B at 0x1800
TGATE   equ 0x38        ; task gate -> TSSB (DPL0)
SMALLT  equ 0x40        ; TSS with limit 0x50
TSSB_ADDR equ 0x1800
LDTS    equ 0x48        ; LDT of task B (one entry at 0x1A00)
%macro TYPE_OF 1        ; EAX = type nibble of GDT descriptor %1
        movzx eax, byte [gdt + (%1) + 5]
        and eax, 0x0F
%endmacro
test_main:
        MKDESC gdt+SMALLT, 0x1900, 0x50, 0x89, 0x0
        MKGATE gdt+TGATE, 0, TSSB, 0x85, 0
        MKGATE IDT_BASE+0x44*8, 0, TSSB, 0x85, 0

        ; ---- JMP to a TSS and back
        mov dword [task_eip], task_jmp
        call prep_b
        mov ebx, 0xB0B0B0B0
        mov ebp, 0x12345678
        jmp TSSB:0
.jmp_back:
        CHECK ebp, 0x12345678, "registers restored from the old TSS after the switch back"
        CHECK [b_ebx], 0x5A5A5A5A, "task B started with EBX from its TSS"
        CHECK [b_tr], TSSB, "task B: STR = its TSS selector"
        CHECK [b_old_type], 9, "JMP: the old TSS is no longer busy"
        CHECK [b_new_type], 0xB, "JMP: the new TSS is busy"
        CHECKM [b_flags], 0x4000, 0, "JMP: NT clear in task B"
        CHECK [TSSB_ADDR+0], 0, "JMP: no back link written"
        CHECK [tss0 + 0x34], 0xB0B0B0B0, "the old TSS saved EBX"
        CHECK [tss0 + 0x20], .jmp_back, "the old TSS saved EIP after the JMP"
        TYPE_OF TSSB
        CHECK eax, 9, "after JMP back: task B not busy"
        str ax
        movzx eax, ax
        CHECK eax, TSS0, "after JMP back: TR = 0x28"

        ; ---- CALL to a TSS, IRET back
        mov dword [task_eip], task_call
        call prep_b
        call TSSB:0
        pushfd
        pop eax
        CHECKM eax, 0x4000, 0, "after IRET: NT clear in the caller"
        CHECK [b_flags_nt], 0x4000, "CALL: NT set in the called task"
        CHECK [b_link], TSS0, "CALL: back link = the caller's TSS"
        CHECK [b_old_type], 0xB, "CALL: the caller's TSS stays busy"
        TYPE_OF TSSB
        CHECK eax, 9, "IRET: the called task's TSS is no longer busy"
        TYPE_OF TSS0
        CHECK eax, 0xB, "IRET: the caller's TSS is still busy"

        ; ---- CALL through a task gate in the GDT
        mov dword [task_eip], task_call
        call prep_b
        mov dword [b_link], 0
        call TGATE:0
        CHECK [b_tr], TSSB, "task gate (GDT): task B ran"
        CHECK [b_link], TSS0, "task gate (GDT): back link = the caller's TSS"

        ; ---- INT through a task gate in the IDT
        mov dword [task_eip], task_call
        call prep_b
        mov dword [b_tr], 0
        int 0x44
        CHECK [b_tr], TSSB, "task gate (IDT): task B ran"
        CHECK [b_flags_nt], 0x4000, "task gate (IDT): NT set in the handler task"

        ; ---- the new task's LDTR comes from its TSS, and the old one's comes back
        MKDESC 0x1A00, 0x20000, 0xFFFF, 0x92, 0x4       ; LDT[0]: data, base 0x20000
        MKDESC gdt+LDTS, 0x1A00, 7, 0x82, 0x0
        mov dword [task_eip], task_ldt
        call prep_b
        mov dword [TSSB_ADDR + 0x60], LDTS
        call TSSB:0
        CHECK [b_ldtr], LDTS, "task B: LDTR loaded from its TSS"
        CHECK [0x20050], 0x1D71D7, "task B: a TI=1 selector used its LDT"
        sldt ax
        movzx eax, ax
        CHECK eax, 0, "back in the caller: LDTR = 0 again (from its TSS)"

        ; ---- CR3 comes from the new TSS (paging on): task B has its own page
        ; directory mapping 0x400000; the caller's does not map it
        mov edi, 0x20000
        mov esi, 0x21000
        call identity_4m
        mov edi, 0x22000
        mov esi, 0x21000
        call identity_4m
        mov edi, 0x23000
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [0x22000 + 4], 0x23000 | 3
        mov dword [0x23000], 0x30000 | 3
        mov dword [0x30000], 0xC3C3C3C3
        mov dword [tss0 + 0x1C], 0x20000        ; CR3 is a static field: set it ourselves
        mov eax, 0x20000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [task_eip], task_cr3
        call prep_b
        mov dword [TSSB_ADDR + 0x1C], 0x22000
        call TSSB:0
        CHECK [b_cr3], 0x22000, "task B: CR3 loaded from its TSS"
        CHECK [b_probe], 0xC3C3C3C3, "task B: its page directory maps 0x400000"
        mov eax, cr3
        CHECK eax, 0x20000, "back in the caller: CR3 from the caller's TSS"
        TRY
        mov eax, [0x400000]
        ENDTRY
        EXPECT_FAULT 14, 0, "the caller's page directory does not map 0x400000"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        mov dword [tss0 + 0x1C], 0

        ; ---- faults
        TRY
        jmp TSS0:0
        ENDTRY
        EXPECT_FAULT 13, TSS0, "JMP to the busy current TSS: #GP(selector)"
        TRY
        call SMALLT:0
        ENDTRY
        EXPECT_FAULT 10, SMALLT, "CALL to a TSS with limit 0x50: #TS(selector)"
        TYPE_OF TSS0
        CHECK eax, 0xB, "the failed switch left the current TSS busy"

        ; a code selector in the new TSS's SS field: #TS(SS selector), raised in
        ; the new task (the switch is done: TR and busy bits are the new task's)
        mov dword [task_eip], task_jmp
        call prep_b
        mov dword [TSSB_ADDR + 0x50], CODE0
        TRY
        jmp TSSB:0
        ENDTRY
        EXPECT_FAULT 10, CODE0, "new TSS with a code selector for SS: #TS(selector)"
        ; (QEMU reports the JMP's EIP here; which EIP the SDM wants after the commit
        ; point is left as a note)
        NOTE "#TS after the commit point: saved EIP = ", [exc_eip]
        str ax
        movzx eax, ax
        CHECK eax, TSSB, "TR is the new task's TSS"
        ; undo: task B idle, back on the main TSS
        and byte [gdt + TSSB + 5], ~2
        mov ax, TSS0
        ltr ax
        ret

; prep_b: a fresh TSS B (32-bit, flat ring 0, stack 0x2FF0, EIP = task_eip)
prep_b:
        pushad
        mov edi, TSSB_ADDR
        xor eax, eax
        mov ecx, 26
        rep stosd
        mov eax, [task_eip]
        mov [TSSB_ADDR + 0x20], eax                 ; EIP
        mov dword [TSSB_ADDR + 0x24], 2             ; EFLAGS
        mov dword [TSSB_ADDR + 0x34], 0x5A5A5A5A    ; EBX
        mov dword [TSSB_ADDR + 0x38], 0x2FF0        ; ESP
        mov dword [TSSB_ADDR + 0x04], 0x2F00        ; ESP0
        mov dword [TSSB_ADDR + 0x08], DATA0         ; SS0
        mov eax, cr3
        mov [TSSB_ADDR + 0x1C], eax
        mov dword [TSSB_ADDR + 0x48], DATA0         ; ES
        mov dword [TSSB_ADDR + 0x4C], CODE0         ; CS
        mov dword [TSSB_ADDR + 0x50], DATA0         ; SS
        mov dword [TSSB_ADDR + 0x54], DATA0         ; DS
        mov dword [TSSB_ADDR + 0x58], DATA0         ; FS
        mov dword [TSSB_ADDR + 0x5C], DATA0         ; GS
        mov word [TSSB_ADDR + 0x66], 104
        MKDESC gdt+TSSB, TSSB_ADDR, 103, 0x89, 0x0
        popad
        ret

record_b:
        mov [b_ebx], ebx
        str ax
        movzx eax, ax
        mov [b_tr], eax
        TYPE_OF TSS0
        mov [b_old_type], eax
        TYPE_OF TSSB
        mov [b_new_type], eax
        pushfd
        pop eax
        mov [b_flags], eax
        and eax, 0x4000
        mov [b_flags_nt], eax
        movzx eax, word [TSSB_ADDR]
        mov [b_link], eax
        ret

task_jmp:
        call record_b
        jmp TSS0:0
task_call:
        call record_b
        iretd
task_cr3:
        mov eax, cr3
        mov [b_cr3], eax
        mov eax, [0x400000]
        mov [b_probe], eax
        iretd
task_ldt:
        sldt ax
        movzx eax, ax
        mov [b_ldtr], eax
        mov ax, 0x04
        mov es, ax
        mov dword [es:0x50], 0x1D71D7
        iretd

        section .data
task_eip: dd 0
b_ebx:  dd 0
b_tr:   dd 0
b_old_type: dd 0
b_new_type: dd 0
b_flags: dd 0
b_flags_nt: dd 0
b_link: dd 0
b_ldtr: dd 0
b_cr3:  dd 0
b_probe: dd 0
        section .text
