; paging: 32-bit paging with 4 KiB pages (SDM Vol. 3 4.3, 4.6, 4.7, 4.8,
; 4.10): accessed and dirty bits, #PF error codes (P, W/R, U/S) and CR2,
; CR0.WP for supervisor writes, U/S combined from PDE and PTE, INVLPG and MOV
; CR3 flushing a changed translation, a fetch from a not-present page, a user
; fetch from a supervisor page, REP STOSD stopping at a #PF mid-way, and a
; #PF whose gate is not present (#NP while delivering #PF -> #DF).
%include "lib.inc"
TEST_NAME "paging"
PD      equ 0x20000
PT0     equ 0x21000     ; 0-4 MiB identity, user RW
PT1     equ 0x22000     ; 4-8 MiB test pages
PTE     equ PT1         ; PTE of linear 0x400000 + n*0x1000 at PTE + n*4
test_main:
        mov edi, PD
        mov esi, PT0
        call identity_4m
        mov edi, PT1
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PD + 4], PT1 | 7
        mov dword [PTE + 0], 0x30000 | 7        ; 0x400000 user RW
        mov dword [PTE + 4], 0x31000 | 1        ; 0x401000 supervisor read-only
        mov dword [PTE + 8], 0                  ; 0x402000 not present
        mov dword [PTE + 12], 0x33000 | 3       ; 0x403000 supervisor RW
        mov dword [PTE + 16], 0x34000 | 5       ; 0x404000 user read-only
        mov dword [0x30000], 0xAAAA0000
        mov dword [0x31000], 0xBBBB1111
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        and eax, ~0x10000               ; WP=0
        mov cr0, eax
        jmp .pg_on
.pg_on: CHECK 1, 1, "paging on with an identity map"

        mov eax, [0x400000]
        CHECK eax, 0xAAAA0000, "linear 0x400000 reads physical 0x30000"
        CHECKM [PTE + 0], 0x60, 0x20, "a read sets A in the PTE, not D"
        CHECKM [PD + 4], 0x20, 0x20, "a read sets A in the PDE"
        mov dword [0x400004], 1
        CHECKM [PTE + 0], 0x60, 0x60, "a write sets D in the PTE"

        TRY
        mov eax, [0x402010]
        ENDTRY
        EXPECT_FAULT 14, 0, "supervisor read of a not-present page: #PF(0)"
        CHECK [exc_cr2], 0x402010, "CR2 holds the faulting linear address"
        TRY
        mov dword [0x402ffe], 0         ; crosses into 0x403000 (present): the first page faults
        ENDTRY
        EXPECT_FAULT 14, 2, "supervisor write to a not-present page: #PF(W)"
        CHECK [exc_cr2], 0x402ffe, "CR2 = the first byte of the access"
        TRY
        mov dword [0x401000], 0x1234
        ENDTRY
        EXPECT_NOFAULT "CR0.WP=0: supervisor write to a read-only page"
        mov eax, cr0
        or eax, 0x10000
        mov cr0, eax
        TRY
        mov dword [0x401000], 0x5678
        ENDTRY
        EXPECT_FAULT 14, 3, "CR0.WP=1: supervisor write to a read-only page: #PF(P|W)"
        CHECK [0x31000], 0x1234, "the faulting write changed nothing"

        TRY
        CALL_RING3 .r3_read_sup
        ENDTRY
        EXPECT_FAULT 14, 5, "user read of a supervisor page: #PF(P|U)"
        TRY
        CALL_RING3 .r3_write_sup
        ENDTRY
        EXPECT_FAULT 14, 7, "user write to a supervisor page: #PF(P|W|U)"
        TRY
        CALL_RING3 .r3_write_ro
        ENDTRY
        EXPECT_FAULT 14, 7, "user write to a user read-only page: #PF(P|W|U)"
        CHECK [exc_cr2], 0x404008, "CR2 of the user write"
        TRY
        CALL_RING3 .r3_read_ro
        ENDTRY
        EXPECT_NOFAULT "user read of a user read-only page"
        TRY
        CALL_RING3 0x403000
        ENDTRY
        EXPECT_FAULT 14, 5, "user fetch from a supervisor page: #PF(P|U)"
        CHECK [exc_eip], 0x403000, "the fetch #PF reports EIP = the supervisor page"
        TRY
        CALL_RING3 .r3_read_np
        ENDTRY
        EXPECT_FAULT 14, 4, "user read of a not-present page: #PF(U)"

        mov dword [PD + 4], PT1 | 3     ; the PDE is supervisor, the PTE user
        invlpg [0x400000]
        TRY
        CALL_RING3 .r3_read_user
        ENDTRY
        EXPECT_FAULT 14, 5, "PDE supervisor + PTE user: user read: #PF(P|U)"
        mov dword [PD + 4], PT1 | 5     ; PDE user read-only, PTE user RW
        mov eax, cr3
        mov cr3, eax
        TRY
        CALL_RING3 .r3_write_user
        ENDTRY
        EXPECT_FAULT 14, 7, "PDE read-only + PTE RW: user write: #PF(P|W|U)"
        mov dword [PD + 4], PT1 | 7
        mov eax, cr3
        mov cr3, eax

        mov eax, [0x400000]
        mov dword [PTE + 0], 0x31000 | 7
        invlpg [0x400000]
        mov eax, [0x400000]
        CHECK eax, 0x1234, "INVLPG: the new translation is used"
        mov dword [PTE + 0], 0x30000 | 7
        mov eax, cr3
        mov cr3, eax
        mov eax, [0x400000]
        CHECK eax, 0xAAAA0000, "MOV CR3: the new translation is used"

        ; REP STOSD running into a read-only page: the completed iterations stay
        mov dword [0x400FF8], 0
        mov dword [0x400FFC], 0
        TRY
        mov eax, 0x77777777
        mov edi, 0x400FF8
        mov ecx, 4
        cld
        rep stosd
        ENDTRY
        EXPECT_FAULT 14, 3, "REP STOSD into a read-only page: #PF(P|W)"
        CHECK ecx, 2, "REP STOSD: ECX counts the two stores not done"
        CHECK edi, 0x401000, "REP STOSD: EDI points at the faulting element"
        CHECK [0x400FFC], 0x77777777, "REP STOSD: the stores before the fault happened"
        CHECK [exc_cr2], 0x401000, "REP STOSD: CR2 = the faulting element"

        TRY
.fetch: call 0x402000
        ENDTRY
        EXPECT_FAULT 14, 0, "fetch from a not-present page: #PF(0)"
        CHECK [exc_eip], 0x402000, "the fetch fault reports EIP = the target"
        CHECK [exc_cr2], 0x402000, "CR2 = the target"

        and byte [IDT_BASE + 14*8 + 5], 0x7F
        TRY
        mov eax, [0x402000]
        ENDTRY
        or byte [IDT_BASE + 14*8 + 5], 0x80
        EXPECT_FAULT 8, 0, "#PF through a not-present gate (#NP): #DF(0)"

        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        ret

.r3_read_sup:  mov eax, [0x403000]
        int 0x7F
.r3_write_sup: mov dword [0x403000], 1
        int 0x7F
.r3_write_ro:  mov dword [0x404008], 1
        int 0x7F
.r3_read_ro:   mov eax, [0x404008]
        int 0x7F
.r3_read_np:   mov eax, [0x402000]
        int 0x7F
.r3_read_user: mov eax, [0x400000]
        int 0x7F
.r3_write_user: mov dword [0x400000], 2
        int 0x7F
