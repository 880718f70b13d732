; pge: global pages (SDM Vol. 3 4.10.2.4, 4.10.4.1): CPUID.1:EDX.PGE, CR4.PGE
; settable; INVLPG invalidates a global translation; toggling CR4.PGE
; invalidates all of them; MOV CR3 invalidates non-global translations.
; Whether a global translation survives MOV CR3 is reported as a note only:
; the TLB may drop any entry at any time, so nothing can be required of it.
%include "lib.inc"
TEST_NAME "pge"
PD      equ 0x20000
PT0     equ 0x21000
PT1     equ 0x22000
test_main:
        mov eax, 1
        cpuid
        test edx, 1 << 13
        jnz .has
        NOTE "CPUID.1:EDX.PGE is clear: nothing to test; EDX = ", edx
        ret
.has:
        mov edi, PD
        mov esi, PT0
        call identity_4m
        mov edi, PT1
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PD + 4], PT1 | 7
        mov dword [PT1 + 0], 0x30000 | 0x103    ; 0x400000 global
        mov dword [PT1 + 4], 0x30000 | 0x003    ; 0x401000 not global
        mov dword [0x30000], 0x11111111
        mov dword [0x31000], 0x22222222
        mov dword [0x32000], 0x33333333
        mov eax, cr4
        or eax, 0x80
        mov cr4, eax
        mov eax, cr4
        CHECKM eax, 0x80, 0x80, "CR4.PGE reads back set"
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov eax, [0x400000]
        CHECK eax, 0x11111111, "global page: first read"
        mov eax, [0x401000]
        mov dword [PT1 + 0], 0x31000 | 0x103
        mov dword [PT1 + 4], 0x31000 | 0x003
        mov eax, cr3
        mov cr3, eax
        mov eax, [0x401000]
        CHECK eax, 0x22222222, "MOV CR3 invalidates a non-global translation"
        mov eax, [0x400000]
        NOTE "global translation after MOV CR3 (0x11111111 = kept, 0x22222222 = dropped): ", eax
        invlpg [0x400000]
        mov eax, [0x400000]
        CHECK eax, 0x22222222, "INVLPG invalidates a global translation"
        mov dword [PT1 + 0], 0x32000 | 0x103
        mov eax, cr4
        and eax, ~0x80
        mov cr4, eax
        or eax, 0x80
        mov cr4, eax
        mov eax, [0x400000]
        CHECK eax, 0x33333333, "clearing and setting CR4.PGE invalidates global translations"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
.done:  ret
