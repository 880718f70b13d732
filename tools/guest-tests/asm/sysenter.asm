; sysenter: SYSENTER/SYSEXIT (SDM Vol. 2B, Vol. 3 5.8.7): if CPUID.1:EDX.SEP is
; clear (or the family-6 model < 3 stepping < 3 quirk applies), SYSENTER is #UD.
; Otherwise: SYSENTER from CPL3 loads CS = IA32_SYSENTER_CS, SS = CS + 8,
; ESP/EIP from the MSRs and clears IF and VM; SYSEXIT returns to CPL3 with
; CS = SYSENTER_CS + 16 | 3, SS = + 24 | 3, EIP = EDX, ESP = ECX;
; SYSENTER with SYSENTER_CS = 0 and SYSEXIT at CPL3 are #GP(0). QEMU's TCG
; does not check SEP: with -cpu pentium (no SEP) it raises #GP(0) (the MSRs
; are 0) instead of #UD, a known deviation; the SEP path is verified with
; -cpu pentium2.
%include "lib.inc"
TEST_NAME "sysenter"
MSR_CS  equ 0x174
MSR_ESP equ 0x175
MSR_EIP equ 0x176
test_main:
        mov eax, 1
        cpuid
        NOTE "CPUID.1:EAX = ", eax
        NOTE "CPUID.1:EDX = ", edx
        test edx, 1 << 11
        jz .no_sep
        mov ebx, eax            ; family 6, model < 3, stepping < 3: SEP is not real
        shr ebx, 8
        and ebx, 0xF
        cmp ebx, 6
        jne .sep
        mov ebx, eax
        and ebx, 0xFF
        cmp ebx, 0x30           ; model (bits 7:4) < 3
        jae .sep
        test eax, 0xC           ; stepping (bits 3:0) < 3 <=> stepping in 0..2
        jnz .sep_or_not
        jmp .no_sep
.sep_or_not:
        mov ebx, eax
        and ebx, 0xF
        cmp ebx, 3
        jb .no_sep
.sep:
        mov ecx, MSR_CS
        mov eax, CODE0
        xor edx, edx
        wrmsr
        mov ecx, MSR_ESP
        mov eax, 0x4800
        wrmsr
        mov ecx, MSR_EIP
        mov eax, kernel_entry
        wrmsr
        TRY
        CALL_RING3 .r3_sysenter, 0x0202
        ENDTRY
        EXPECT_NOFAULT "SYSENTER from CPL3 and SYSEXIT back"
        CHECK [k_cs], CODE0, "after SYSENTER: CS = SYSENTER_CS"
        CHECK [k_ss], DATA0, "after SYSENTER: SS = SYSENTER_CS + 8"
        CHECK [k_esp], 0x4800, "after SYSENTER: ESP = SYSENTER_ESP"
        CHECKM [k_flags], 0x200, 0, "after SYSENTER: IF = 0"
        CHECK [u_cs], CODE3, "after SYSEXIT: CS = SYSENTER_CS + 16 | 3"
        CHECK [u_ss], DATA3, "after SYSEXIT: SS = SYSENTER_CS + 24 | 3"
        CHECK [u_esp], 0x3700, "after SYSEXIT: ESP = ECX"
        TRY
        CALL_RING3 .r3_sysexit
        ENDTRY
        EXPECT_FAULT 13, 0, "SYSEXIT at CPL3: #GP(0)"
        mov ecx, MSR_CS
        xor eax, eax
        xor edx, edx
        wrmsr
        TRY
        CALL_RING3 .r3_sysenter
        ENDTRY
        EXPECT_FAULT 13, 0, "SYSENTER with SYSENTER_CS = 0: #GP(0)"
        ret
.no_sep:
        TRY
        sysenter
        ENDTRY
        EXPECT_FAULT 6, 0, "no SEP: SYSENTER is #UD"
        TRY
        sysexit
        ENDTRY
        EXPECT_FAULT 6, 0, "no SEP: SYSEXIT is #UD"
        ret

.r3_sysenter:
        sysenter
.r3_back:
        mov eax, cs
        mov [u_cs], eax
        mov eax, ss
        mov [u_ss], eax
        mov [u_esp], esp
        int 0x7F
.r3_sysexit:
        sysexit

kernel_entry:
        mov eax, cs
        mov [ss:k_cs], eax
        mov eax, ss
        mov [ss:k_ss], eax
        mov [ss:k_esp], esp
        pushfd
        pop eax
        mov [ss:k_flags], eax
        mov edx, test_main.r3_back
        mov ecx, 0x3700
        sysexit
        section .data
k_cs:   dd 0
k_ss:   dd 0
k_esp:  dd 0
k_flags: dd 0xFFFFFFFF
u_cs:   dd 0
u_ss:   dd 0
u_esp:  dd 0
        section .text
