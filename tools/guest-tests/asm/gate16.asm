; gate16: 16-bit protected-mode pieces (SDM Vol. 3 6.12.1, 5.8.3, 21.1): a
; 16-bit code segment (D=0: 16-bit pushes and operands by default), a 16-bit
; stack segment (B=0: PUSH/POP use SP, ESP 31:16 untouched), a 16-bit
; interrupt gate (FLAGS, CS, IP pushed as words, IRET with a 16-bit operand),
; and a CPL3 -> CPL0 call through a 16-bit call gate (SS, SP, word parameters,
; CS, IP pushed as words; 16-bit RETF n back to CPL3).
%include "lib.inc"
TEST_NAME "gate16"
CODE16  equ 0x30        ; code, D=0, DPL0, base 0, limit 0xFFFF
GATE16  equ 0x38        ; 16-bit call gate DPL3 -> CODE0:inner16, 2 words
STACK16 equ 0x40        ; data RW, B=0, base 0x20000, limit 0xFFFF
test_main:
        MKDESC gdt+CODE16, 0, 0xFFFF, 0x9A, 0x0
        MKGATE gdt+GATE16, inner16, CODE0, 0xE4, 2
        MKGATE IDT_BASE+0x40*8, h16, CODE0, 0x86, 0

        ; a 16-bit code segment: PUSH imm pushes a word
        mov [saved_esp], esp
        jmp CODE16:.in16
        bits 16
.in16:  push 0x1234
        mov [o16_delta], esp            ; (32-bit addressing via a0 prefix below)
        pop ax
        mov [o16_ax], ax
        mov eax, cs
        mov [o16_cs], eax
        jmp dword CODE0:.back32
        bits 32
.back32:
        mov eax, [saved_esp]
        sub eax, [o16_delta]
        CHECK eax, 2, "16-bit code segment: PUSH imm pushes 2 bytes"
        CHECK [o16_cs], CODE16, "CS held the 16-bit segment"
        movzx eax, word [o16_ax]
        CHECK eax, 0x1234, "16-bit POP read the word back"

        ; a 16-bit stack segment (B=0): PUSH and POP use and update SP only
        MKDESC gdt+STACK16, 0x20000, 0xFFFF, 0x92, 0x0
        mov dword [0x20000], 0
        mov [saved_esp], esp
        mov ax, STACK16
        mov ss, ax
        mov esp, 0x12340004
        push dword 0xAABBCCDD
        mov ebx, esp
        pop ecx
        mov edx, esp
        mov ax, DATA0
        mov ss, ax
        mov esp, [saved_esp]
        CHECK ebx, 0x12340000, "16-bit SS: PUSH changed SP only (ESP 31:16 kept)"
        CHECK [0x20000], 0xAABBCCDD, "16-bit SS: PUSH wrote at base + SP - 4"
        CHECK ecx, 0xAABBCCDD, "16-bit SS: POP read it back"
        CHECK edx, 0x12340004, "16-bit SS: POP restored SP"

        ; 16-bit interrupt gate from 32-bit code
        mov [saved_esp], esp
        push dword 0x202
        popfd
        int 0x40
.after_int:
        push dword 2
        popfd
        CHECK [h16_delta], 6, "16-bit interrupt gate: 6 bytes pushed"
        CHECK [h16_ip], .after_int, "16-bit frame: IP of the next instruction"
        CHECK [h16_cs], CODE0, "16-bit frame: CS"
        CHECKM [h16_flags], 0x200, 0x200, "16-bit frame: FLAGS with IF"
        CHECKM [h16_hflags], 0x200, 0, "16-bit interrupt gate clears IF"
        mov eax, esp
        CHECK eax, [saved_esp], "16-bit IRET popped 6 bytes"

        ; 16-bit call gate from CPL3
        TRY
        CALL_RING3 .r3
        ENDTRY
        EXPECT_NOFAULT "CPL3 call through a 16-bit call gate and back"
        CHECK [g_esp], ESP0 - 12, "16-bit gate: SS SP 2 words CS IP = 12 bytes on the inner stack"
        CHECKM [g_frame+0], 0xFFFF, .r3_ret, "16-bit gate frame: IP"
        CHECKM [g_frame+2], 0xFFFF, CODE3, "16-bit gate frame: CS"
        CHECKM [g_frame+4], 0xFFFF, 0xBBBB, "16-bit gate frame: the word pushed last"
        CHECKM [g_frame+6], 0xFFFF, 0xAAAA, "16-bit gate frame: the word pushed first"
        CHECKM [g_frame+8], 0xFFFF, USER_ESP - 4, "16-bit gate frame: SP"
        CHECKM [g_frame+10], 0xFFFF, DATA3, "16-bit gate frame: SS"
        CHECK [r3_esp_after], USER_ESP, "16-bit RETF 4 at CPL3 popped the parameters"
        ret

.r3:    push word 0xAAAA
        push word 0xBBBB
        call GATE16:0
.r3_ret:
        mov [r3_esp_after], esp
        int 0x7F

inner16:                        ; 32-bit code segment entered through a 16-bit gate
        mov [g_esp], esp
        mov eax, [esp]
        mov [g_frame], eax
        mov eax, [esp + 4]
        mov [g_frame + 4], eax
        mov eax, [esp + 8]
        mov [g_frame + 8], eax
        o16 retf 4

h16:    push eax
        mov eax, [saved_esp]
        sub eax, esp
        sub eax, 4
        mov [h16_delta], eax
        movzx eax, word [esp + 4]
        mov [h16_ip], eax
        movzx eax, word [esp + 6]
        mov [h16_cs], eax
        movzx eax, word [esp + 8]
        mov [h16_flags], eax
        pushfd
        pop eax
        mov [h16_hflags], eax
        pop eax
        o16 iret

        section .data
saved_esp: dd 0
o16_delta: dd 0
o16_ax: dd 0
o16_cs: dd 0
h16_delta: dd 0
h16_ip: dd 0
h16_cs: dd 0
h16_flags: dd 0
h16_hflags: dd 0
g_esp:  dd 0
g_frame: times 3 dd 0
r3_esp_after: dd 0
        section .text
