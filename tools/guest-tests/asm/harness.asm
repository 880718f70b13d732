; harness: the library itself -- checks, fault catching, the trip to ring 3 and back.
%include "lib.inc"
TEST_NAME "harness"
test_main:
        CHECK 1, 1, "a check that holds prints ok"
        TRY
ud_here: ud2
        ENDTRY
        EXPECT_FAULT 6, 0, "ud2 is caught as #UD (vector 6, no error code)"
        CHECK [exc_eip], ud_here, "the saved EIP is the faulting ud2"
        CHECK [exc_cs], CODE0, "the saved CS is the ring-0 code selector"
        CALL_RING3 .r3
        CHECK [r3cs], CODE3, "ring-3 code ran with CS = 0x1B"
        CHECK [r3ss], DATA3, "ring-3 code ran with SS = 0x23"
        mov eax, cs
        CHECK eax, CODE0, "back at CPL 0 after int 0x7F"
        ret
.r3:    mov eax, cs
        mov [r3cs], eax
        mov eax, ss
        mov [r3ss], eax
        int 0x7F
        section .data
r3cs:   dd 0
r3ss:   dd 0
