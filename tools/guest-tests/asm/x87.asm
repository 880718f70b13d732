; x87: the floating-point unit (SDM Vol. 1 8, Vol. 3 2.5, 6.15 #NM/#MF): if
; CPUID.1:EDX.FPU is set: FNINIT state, FLD1/FADD/FSTP, FNSTSW, a masked zero
; divide (ZE set, +inf stored), the FNSAVE image and FRSTOR, FCOMIP; with CR0.NE=1 an unmasked zero divide is
; reported as #MF at the next waiting x87 instruction (FWAIT); CR0.EM=1 makes
; x87 instructions #NM; CR0.TS=1 with MP=1 makes FWAIT #NM.
%include "lib.inc"
TEST_NAME "x87"
test_main:
        mov eax, 1
        cpuid
        mov [cpuid_edx], edx
        test edx, 1
        jnz .fpu
        NOTE "no FPU in CPUID.1:EDX: nothing to test ", edx
        ret
.fpu:
        mov eax, cr0
        and eax, ~(0x4 | 0x8)   ; EM=0, TS=0
        or eax, 0x20 | 0x2      ; NE=1, MP=1
        mov cr0, eax
        fninit
        fnstsw ax
        movzx eax, ax
        CHECK eax, 0, "FNINIT: status word 0"
        fnstcw [cw]
        movzx eax, word [cw]
        CHECK eax, 0x037F, "FNINIT: control word 0x037F"
        fld1
        fld1
        faddp st1, st0
        fstp dword [f32]
        CHECK [f32], 0x40000000, "1.0 + 1.0 stored as float32 2.0"
        fild dword [i3]
        fld1
        fdivrp st1, st0         ; st1 = st0 / st1 = 1/3
        fstp dword [f32]
        CHECK [f32], 0x3EAAAAAB, "1 / 3 rounded to nearest float32"
        fld1
        fldz
        fdivp st1, st0          ; 1 / 0, ZM masked
        fstp dword [f32]
        CHECK [f32], 0x7F800000, "masked 1/0 = +inf"
        fnstsw ax
        CHECKM eax, 0x04, 0x04, "masked 1/0 sets ZE"
        fnclex
        ; FNSAVE image (32-bit protected mode, 108 bytes) with one value pushed
        fninit
        fld1
        fnsave [save]
        movzx eax, word [save]
        CHECK eax, 0x037F, "FNSAVE: control word at offset 0"
        movzx eax, word [save + 4]
        CHECKM eax, 0x3800, 0x3800, "FNSAVE: status word TOP = 7 after one push"
        movzx eax, word [save + 8]
        CHECK eax, 0x3FFF, "FNSAVE: tag word (register 7 valid, the rest empty)"
        CHECK [save + 28 + 4], 0x80000000, "FNSAVE: ST0 = 1.0 (significand high)"
        movzx eax, word [save + 28 + 8]
        CHECK eax, 0x3FFF, "FNSAVE: ST0 = 1.0 (sign and exponent)"
        fnstsw ax
        movzx eax, ax
        CHECK eax, 0, "FNSAVE reinitializes the FPU (TOP = 0)"
        frstor [save]
        fstp dword [f32]
        CHECK [f32], 0x3F800000, "FRSTOR brings back ST0 = 1.0"
        ; FCOMIP sets EFLAGS (P6: present when CPUID reports CMOV and FPU)
        test dword [cpuid_edx], 1 << 15
        jz .no_fcomi
        fld1
        fldz
        fcomip st0, st1
        fstp st0
        pushfd
        pop eax
        CHECKM eax, 0x45, 0x01, "FCOMIP 0 vs 1: CF=1 ZF=0 PF=0"
.no_fcomi:
        fnclex
        mov word [cw], 0x037B   ; unmask ZM
        fldcw [cw]
        TRY
        fld1
        fldz
        fdivp st1, st0
.wait:  fwait
        ENDTRY
        EXPECT_FAULT 16, 0, "CR0.NE=1, unmasked 1/0: #MF at the next waiting instruction"
        CHECK [exc_eip], .wait, "the #MF reports the FWAIT"
        fnstsw ax
        CHECKM eax, 0x84, 0x84, "status word: ZE and ES set"
        fninit
        mov eax, cr0
        or eax, 0x4             ; EM
        mov cr0, eax
        TRY
        fld1
        ENDTRY
        EXPECT_FAULT 7, 0, "CR0.EM=1: FLD1 is #NM"
        mov eax, cr0
        and eax, ~0x4
        or eax, 0x8 | 0x2       ; TS, MP
        mov cr0, eax
        TRY
        fwait
        ENDTRY
        EXPECT_FAULT 7, 0, "CR0.TS=1 MP=1: FWAIT is #NM"
        TRY
        fld1
        ENDTRY
        EXPECT_FAULT 7, 0, "CR0.TS=1: FLD1 is #NM"
        clts
        fninit
        ret
        section .data
cw:     dw 0
        align 4
f32:    dd 0
i3:     dd 3
cpuid_edx: dd 0
save:   times 108 db 0
        section .text
