; exceptions: faults and traps with and without error codes (SDM Vol. 3 6.15):
; #DE (divide by zero, quotient overflow), #UD (UD2, LOCK on a register
; operation, invalid opcode), #BR (BOUND), #GP(selector), the TF single-step
; trap (#DB, DR6.BS), and that a fault reports
; the faulting instruction with its registers unchanged.
%include "lib.inc"
TEST_NAME "exceptions"
test_main:
        TRY
        mov eax, 5
        xor edx, edx
        xor ecx, ecx
.div0:  div ecx
        ENDTRY
        EXPECT_FAULT 0, 0, "DIV by zero: #DE"
        CHECK [exc_eip], .div0, "#DE is a fault: EIP of the DIV"
        TRY
        mov eax, 0x80000000
        cdq
        mov ecx, -1
        idiv ecx
        ENDTRY
        EXPECT_FAULT 0, 0, "IDIV 0x80000000 / -1 overflows: #DE"
        TRY
        mov eax, 0
        mov edx, 2
        mov ecx, 2
        div ecx
        ENDTRY
        EXPECT_FAULT 0, 0, "DIV with quotient > 32 bits: #DE"
        TRY
        mov ax, 0x1000
        mov cl, 0x10
        div cl
        ENDTRY
        EXPECT_FAULT 0, 0, "8-bit DIV 0x1000 / 0x10 overflows AL: #DE"

        TRY
.ud:    ud2
        ENDTRY
        EXPECT_FAULT 6, 0, "UD2: #UD"
        CHECK [exc_eip], .ud, "#UD is a fault: EIP of the UD2"
        TRY
        db 0xF0                 ; lock
        add eax, ebx            ; register destination
        ENDTRY
        EXPECT_FAULT 6, 0, "LOCK ADD reg, reg: #UD"
        TRY
        db 0x0F, 0xFF           ; UD0 (no ModRM needed to fault)
        ENDTRY
        EXPECT_FAULT 6, 0, "0F FF: #UD"
        TRY
        lea eax, [ebx]          ; fine
        db 0x8D, 0xC0           ; LEA with a register operand
        ENDTRY
        EXPECT_FAULT 6, 0, "LEA with a register source: #UD"

        TRY
        mov eax, 20
.bound: bound eax, [bounds]
        ENDTRY
        EXPECT_FAULT 5, 0, "BOUND out of range: #BR"
        CHECK [exc_eip], .bound, "#BR is a fault: EIP of the BOUND"
        TRY
        mov eax, 7
        bound eax, [bounds]
        ENDTRY
        EXPECT_NOFAULT "BOUND in range"

        TRY
        mov ebx, 0x12345678
        mov ax, 0x58            ; an empty (all-zero) GDT slot
        mov ds, ax
        ENDTRY
        EXPECT_FAULT 13, 0x58, "load of an empty GDT slot: #GP(selector)"
        ; single step: POPF setting TF traps after the instruction that follows it
        xor eax, eax
        mov dr6, eax
        TRY
        pushfd
        or dword [esp], 0x100
        popfd
        nop
.stepped:
        nop
        ENDTRY
        EXPECT_FAULT 1, 0, "TF set by POPF: #DB after the next instruction"
        CHECK [exc_eip], .stepped, "single-step #DB is a trap: EIP after the stepped NOP"
        mov eax, dr6
        CHECKM eax, 0x4000, 0x4000, "DR6.BS set by the single step"

        ; a fault leaves the registers as they were before the instruction
        TRY
        mov esi, 0x1000
        mov edi, 0x2000
        mov ecx, 4
        rep movsb               ; fine
        mov ax, 0x58
        mov es, ax              ; #GP before anything changes
        ENDTRY
        CHECK [exc_count], 4 + 4 + 1 + 1 + 2, "exceptions delivered, one each"
        ret
        section .data
        align 4
bounds: dd 0, 10
dummy:  dd 0
        section .text
