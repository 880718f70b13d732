; pae: PAE paging (SDM Vol. 3 4.4, 4.6, 4.7): if CPUID.1:EDX.PAE is clear, CR4.PAE
; is a reserved bit and setting it is #GP(0). Otherwise: the PDPT, 64-bit PDEs
; and PTEs, a 2 MiB page, A/D bits, and the XD bit (63): with IA32_EFER.NXE = 0
; it is reserved (#PF with P|RSVD); if CPUID.80000001H:EDX.NX is set, NXE=1
; makes it a no-execute bit (a fetch is #PF with I/D|P, a read is fine).
; QEMU's TCG deviates twice: it reports a reserved-bit #PF with P=0 (error code
; 8; SDM 4.7: RSVD "can be set only if bit 0 is also set"), and it lets CR4.PAE
; be set on a CPU model without PAE (-cpu pentium). Verified on QEMU with
; -cpu pentium2 (PAE, no NX) and -cpu qemu32,+nx (PAE and NX) apart from those.
%include "lib.inc"
TEST_NAME "pae"
PDPT    equ 0x20000
PD0     equ 0x21000
PT0     equ 0x22000
PD1     equ 0x23000
PT1     equ 0x24000
EFER    equ 0xC0000080
test_main:
        mov eax, 1
        cpuid
        NOTE "CPUID.1:EDX = ", edx
        test edx, 1 << 6
        jnz .pae
        TRY
        mov eax, cr4
        or eax, 0x20
        mov cr4, eax
        ENDTRY
        EXPECT_FAULT 13, 0, "no PAE in CPUID: setting CR4.PAE is #GP(0)"
        mov eax, cr4
        CHECKM eax, 0x20, 0, "CR4.PAE still clear"
        ret
.pae:
        mov edi, PDPT
        xor eax, eax
        mov ecx, 0x5000 / 4
        rep stosd
        mov dword [PDPT + 0], PD0 | 1
        mov dword [PDPT + 8], PD1 | 1
        mov dword [PD0], PT0 | 7
        mov edi, PT0
        mov eax, 7
        mov ecx, 512
.fill:  mov [edi], eax
        add edi, 8
        add eax, 0x1000
        loop .fill
        mov dword [PD1 + 0], PT1 | 7                    ; 0x40000000: 4 KiB pages
        mov dword [PD1 + 8], 0x00000000 | 0x87          ; 0x40200000: 2 MiB page -> 0
        mov dword [PT1 + 0], 0x30000 | 7
        mov dword [PT1 + 8], 0x31000 | 7
        mov dword [PT1 + 12], 0x80000000                ; XD
        mov dword [0x30000], 0xAAAA0000
        mov byte [0x31000], 0xC3                        ; ret
        mov eax, cr4
        or eax, 0x20
        mov cr4, eax
        mov eax, PDPT
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .on
.on:    CHECK 1, 1, "PAE paging on"
        mov eax, [0x40000000]
        CHECK eax, 0xAAAA0000, "4 KiB PAE page: 0x40000000 reads physical 0x30000"
        CHECKM [PT1], 0x60, 0x20, "read: A set in the 64-bit PTE"
        mov dword [0x40000004], 5
        CHECKM [PT1], 0x60, 0x60, "write: D set in the 64-bit PTE"
        mov eax, [0x40200000 + 0x30000]
        CHECK eax, 0xAAAA0000, "2 MiB page: 0x40230000 reads physical 0x30000"
        CHECKM [PD1 + 8], 0x20, 0x20, "A set in the 2 MiB PDE"
        TRY
        mov eax, [0x40001000]
        ENDTRY
        EXPECT_FAULT 14, 9, "XD bit with EFER.NXE=0 is reserved: #PF(P|RSVD)"
        CHECK [exc_cr2], 0x40001000, "CR2 of the reserved-bit fault"

        mov eax, 0x80000000
        cpuid
        cmp eax, 0x80000001
        jb .no_nx
        mov eax, 0x80000001
        cpuid
        test edx, 1 << 20
        jz .no_nx
        mov ecx, EFER
        rdmsr
        or eax, 1 << 11
        wrmsr
        invlpg [0x40001000]
        TRY
        mov eax, [0x40001000]
        ENDTRY
        EXPECT_NOFAULT "NX, EFER.NXE=1: reading an XD page"
        TRY
        call 0x40001000
        ENDTRY
        EXPECT_FAULT 14, 0x11, "NX, EFER.NXE=1: fetch from an XD page: #PF(I/D|P)"
        CHECK [exc_eip], 0x40001000, "the fetch fault reports the XD page"
        mov ecx, EFER
        rdmsr
        and eax, ~(1 << 11)
        wrmsr
        jmp .off
.no_nx: NOTE "no NX in CPUID.80000001H:EDX: XD only checked as reserved ", 0
.off:   mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        mov eax, cr4
        and eax, ~0x20
        mov cr4, eax
        ret
