; pse: 4 MiB pages (SDM Vol. 3 4.3, CR4.PSE, PDE.PS): CPUID.1:EDX.PSE, a 4 MiB
; page maps a whole 4 MiB range, A and D land in the PDE, U/S and R/W of the
; PDE apply, and PDE bit 21 (which is reserved whatever the
; physical-address width up to 40 bits) give #PF with RSVD. SDM 4.7: "bit 3
; of the error code can be set only if bit 0 is also set" -- QEMU's TCG reports
; RSVD with P=0 (error code 8), a known deviation, so the last check fails there.
%include "lib.inc"
TEST_NAME "pse"
PD      equ 0x20000
PT0     equ 0x21000
test_main:
        mov eax, 1
        cpuid
        test edx, 1 << 3
        jnz .has
        NOTE "CPUID.1:EDX.PSE is clear: nothing to test; EDX = ", edx
        ret
.has:
        mov edi, PD
        mov esi, PT0
        call identity_4m
        mov dword [PD + 8], 0x00000000 | 0x87           ; 8 MiB: 4 MiB page -> physical 0, user RW
        mov dword [PD + 12], 0x00000000 | 0x81          ; 12 MiB: 4 MiB page -> physical 0, supervisor RO
        mov dword [PD + 16], 0x00200000 | 0x81          ; 16 MiB: bit 21 set: reserved
        mov dword [0x30000], 0x600DF00D
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80010000              ; PG, WP
        mov cr0, eax
        mov eax, [0x800000 + 0x30000]
        CHECK eax, 0x600DF00D, "4 MiB page: 0x830000 reads physical 0x30000"
        mov eax, [0x800000 + 0x3FFFFC]
        CHECKM [PD + 8], 0x60, 0x20, "a read sets A in the 4 MiB PDE, not D"
        mov dword [0x800000 + 0x30004], 7
        CHECKM [PD + 8], 0x60, 0x60, "a write sets D in the 4 MiB PDE"
        CHECK [0x30004], 7, "the write reached physical 0x30004"
        TRY
        mov dword [0xC00000 + 0x30004], 8
        ENDTRY
        EXPECT_FAULT 14, 3, "read-only 4 MiB page: supervisor write with WP: #PF(P|W)"
        TRY
        CALL_RING3 .r3
        ENDTRY
        EXPECT_FAULT 14, 5, "supervisor 4 MiB page: user read: #PF(P|U)"
        CHECK [exc_cr2], 0xC00010, "CR2 of the user read"
        TRY
        mov eax, [0x1000000]
        ENDTRY
        EXPECT_FAULT 14, 9, "4 MiB PDE with reserved bit 21: #PF(P|RSVD)"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
.done:  ret
.r3:    mov eax, [0xC00010]
        int 0x7F
