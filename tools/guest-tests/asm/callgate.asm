; callgate: far CALL/JMP/RET through call gates (SDM Vol. 3 5.8): a CPL3 call
; to CPL0 with the stack switch through the TSS and two parameters copied, the
; far return to the outer level (ESP adjusted, DPL0 data segments nulled), gate
; DPL checks, JMP through a gate to an inner level, a same-level call gate,
; #TS for a TSS.SS0 that is not a writable data segment.
%include "lib.inc"
TEST_NAME "callgate"
GATE3   equ 0x30        ; call gate DPL3 -> CODE0:inner, 2 dwords
GATE0   equ 0x38        ; call gate DPL0 -> CODE0:inner, 2 dwords
GATE3S  equ 0x40        ; call gate DPL3 -> CODE0:same (used from CPL0)
CONF    equ 0x48        ; conforming code DPL0, flat (the #TS handler)
test_main:
        MKGATE gdt+GATE3, inner, CODE0, 0xEC, 2
        MKGATE gdt+GATE0, inner, CODE0, 0x8C, 2
        MKGATE gdt+GATE3S, same, CODE0, 0xEC, 0

        TRY
        CALL_RING3 .r3_call
        ENDTRY
        EXPECT_NOFAULT "CPL3 far call through a DPL3 call gate to CPL0 and back"
        CHECK [in_cs], CODE0, "inner procedure: CS = 0x08"
        CHECK [in_ss], DATA0, "inner procedure: SS from TSS.SS0"
        CHECK [in_esp], ESP0 - 6*4, "inner procedure: ESP = TSS.ESP0 - 24 (SS ESP 2 params CS EIP)"
        CHECK [in_frame+0], .ret_here, "new stack: return EIP"
        CHECK [in_frame+4], CODE3, "new stack: caller CS"
        CHECK [in_frame+8], 0x22222222, "new stack: parameter pushed last"
        CHECK [in_frame+12], 0x11111111, "new stack: parameter pushed first"
        CHECK [in_frame+16], USER_ESP - 8, "new stack: caller ESP"
        CHECK [in_frame+20], DATA3, "new stack: caller SS"
        CHECK [r3_after_esp], USER_ESP, "RETF 8 back at CPL3 pops the parameters off the outer stack"
        CHECK [r3_after_cs], CODE3, "back at CPL3: CS = 0x1B"
        CHECK [r3_after_es], 0, "RETF to CPL3 nulls ES loaded with a DPL0 segment"

        ; TSS.SS0 not a writable data segment. Delivering the #TS must not switch
        ; stacks too (that would fault again: #DF, then a triple fault), so the #TS
        ; gate points at a conforming code segment: the handler runs at CPL3 on
        ; the user stack, repairs TSS.SS0 and leaves through INT 0x7F.
        mov eax, [IDT_BASE + 10*8]
        mov edx, [IDT_BASE + 10*8 + 4]
        MKDESC gdt+CONF, 0, 0xFFFFF, 0x9E, 0xC
        MKGATE IDT_BASE+10*8, ts_handler, CONF, 0x8E, 0
        mov dword [tss0 + 8], CODE0
        TRY
        CALL_RING3 .r3_call
        ENDTRY
        mov [IDT_BASE + 10*8], eax
        mov [IDT_BASE + 10*8 + 4], edx
        EXPECT_FAULT 10, CODE0, "TSS.SS0 is a code segment: #TS(SS0 selector)"
        TRY
        CALL_RING3 .r3_gate0
        ENDTRY
        EXPECT_FAULT 13, GATE0, "CPL3 call through a DPL0 gate: #GP(gate selector)"
        TRY
        CALL_RING3 .r3_jmp
        ENDTRY
        EXPECT_FAULT 13, CODE0, "CPL3 JMP through a gate to CPL0 code: #GP(code selector)"
        TRY
        mov [saved_esp], esp
        call GATE3S:0
        ENDTRY
        EXPECT_NOFAULT "CPL0 call through a gate to CPL0 code"
        CHECK [same_esp_delta], 8, "same-level gate: no stack switch, CS and EIP pushed"
        ret

.r3_call:
        push dword 0x11111111
        push dword 0x22222222
        call GATE3:0xDEAD       ; the offset is ignored
.ret_here:
        mov [r3_after_esp], esp
        mov eax, cs
        mov [r3_after_cs], eax
        mov eax, es
        mov [r3_after_es], eax
        int 0x7F
.r3_gate0:
        call GATE0:0
        int 0x7F
.r3_jmp:
        jmp GATE3:0
        int 0x7F

inner:  mov eax, cs
        mov [in_cs], eax
        mov eax, ss
        mov [in_ss], eax
        mov [in_esp], esp
        mov esi, esp
        mov edi, in_frame
        mov ecx, 6
        rep movsd
        mov ax, DATA0
        mov es, ax
        retf 8

ts_handler:                     ; at CPL3 (conforming), DS = 0x23 flat
        mov dword [exc_vec], 10
        pop dword [exc_err]
        mov dword [tss0 + 8], DATA0
        int 0x7F

same:   mov eax, [in_esp_same]
        mov [in_esp_same], esp
        pop edx                 ; EIP
        pop ecx                 ; CS
        push ecx
        push edx
        mov ebx, [saved_esp]
        sub ebx, esp
        mov [same_esp_delta], ebx
        retf
        section .data
in_cs:  dd 0
in_ss:  dd 0
in_esp: dd 0
in_frame: times 6 dd 0
r3_after_esp: dd 0
r3_after_cs: dd 0
r3_after_es: dd 0xFFFF
in_esp_same: dd 0
saved_esp: dd 0
same_esp_delta: dd 0
        section .text
