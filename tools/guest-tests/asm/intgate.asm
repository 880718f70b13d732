; intgate: interrupt vs trap gates (SDM Vol. 3 6.12.1.3): an interrupt gate
; clears IF, a trap gate leaves it, NT is cleared; INT n from CPL3
; checks the gate DPL (#GP(vector*8+2)), a vector beyond the IDT limit; INT3/INTO through DPL3 gates; the
; inner-level frame (SS, ESP pushed) of an INT from CPL3.
%include "lib.inc"
TEST_NAME "intgate"
test_main:
        MKGATE IDT_BASE+0x40*8, h_record, CODE0, 0x8E, 0      ; interrupt gate DPL0
        MKGATE IDT_BASE+0x41*8, h_record, CODE0, 0x8F, 0      ; trap gate DPL0
        MKGATE IDT_BASE+0x42*8, h_record, CODE0, 0xEF, 0      ; trap gate DPL3
        MKGATE IDT_BASE+3*8, h_record, CODE0, 0xEE, 0         ; #BP: interrupt gate DPL3
        MKGATE IDT_BASE+4*8, h_record, CODE0, 0xEE, 0         ; #OF: interrupt gate DPL3

        ; interrupts stay masked at the 8259As (lib.inc): IF=1 only lets the gates show
        push dword 0x202 | 0x4000       ; IF, NT
        popfd
        int 0x40
        push dword 2
        popfd
        CHECKM [h_flags], 0x4200, 0, "interrupt gate: IF and NT clear in the handler"
        CHECKM [h_pushed], 0x4200, 0x4200, "interrupt gate: the pushed EFLAGS keep IF and NT"
        push dword 0x202
        popfd
        int 0x41
.after41:
        push dword 2
        popfd
        CHECKM [h_flags], 0x200, 0x200, "trap gate: IF stays set in the handler"
        CHECK [h_pushed_eip], .after41, "INT n pushes the address of the next instruction"

        lidt [short_idt]
        TRY
        int 0x90
        ENDTRY
        lidt [idt_ptr]
        EXPECT_FAULT 13, 0x90*8+2, "INT 0x90 beyond the IDT limit: #GP(0x90*8+2)"
        TRY
        CALL_RING3 .r3_int40
        ENDTRY
        EXPECT_FAULT 13, 0x40*8+2, "INT 0x40 at CPL3 through a DPL0 gate: #GP(0x40*8+2)"
        TRY
        CALL_RING3 .r3_int42
        ENDTRY
        EXPECT_NOFAULT "INT 0x42 at CPL3 through a DPL3 trap gate"
        CHECK [h_cs], CODE0, "handler entered at CPL0"
        CHECK [h_frame+4], CODE3, "inner-level frame: pushed CS = 0x1B"
        CHECK [h_frame+12], USER_ESP, "inner-level frame: pushed ESP"
        CHECK [h_frame+16], DATA3, "inner-level frame: pushed SS"
        CHECK [h_esp], ESP0 - 20, "handler ESP = TSS.ESP0 - 20"
        CHECK [r3_back], 1, "IRET returned to CPL3 after the INT"
        TRY
        CALL_RING3 .r3_int3
        ENDTRY
        EXPECT_NOFAULT "INT3 at CPL3 through a DPL3 gate"
        CHECK [h_frame], .after_int3, "#BP is a trap: EIP after the INT3"
        TRY
        CALL_RING3 .r3_into
        ENDTRY
        EXPECT_NOFAULT "INTO at CPL3 with OF=1 through a DPL3 gate"
        CHECK [h_frame], .after_into, "#OF is a trap: EIP after the INTO"
        ret

.r3_int40:
        int 0x40
        int 0x7F
.r3_int42:
        mov dword [r3_back], 0
        int 0x42
        mov dword [r3_back], 1
        int 0x7F
.r3_int3:
        int3
.after_int3:
        int 0x7F
.r3_into:
        mov al, 0x7F
        add al, 1               ; OF=1
        into
.after_into:
        int 0x7F

h_record:
        push eax
        pushfd
        pop eax
        mov [h_flags], eax
        mov eax, [esp + 12]
        mov [h_pushed], eax
        mov eax, [esp + 4]
        mov [h_pushed_eip], eax
        mov eax, cs
        mov [h_cs], eax
        lea eax, [esp + 4]
        mov [h_esp], eax
        push esi
        push edi
        push ecx
        lea esi, [esp + 16]
        mov edi, h_frame
        mov ecx, 5
        rep movsd
        pop ecx
        pop edi
        pop esi
        pop eax
        iretd
        section .data
        dw 0
short_idt: dw 0x80*8 - 1
        dd IDT_BASE
h_flags: dd 0
h_pushed: dd 0
h_pushed_eip: dd 0
h_cs:   dd 0
h_esp:  dd 0
h_frame: times 5 dd 0
r3_back: dd 0
        section .text
