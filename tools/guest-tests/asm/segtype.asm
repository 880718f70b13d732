; segtype: segment type checks (SDM Vol. 3 5.4-5.5): writes to code and
; read-only data segments, reads of execute-only code, which descriptor types
; DS, SS and CS accept (#GP(selector) on a load), VERR/VERW.
; QEMU's TCG checks access rights on segment loads but not on each access
; (writes to code or read-only data, reads of execute-only code go through): a
; known deviation from the SDM, so checks 1-2, 5-8, 10-11 and 14-15 can only be
; verified on hardware.
%include "lib.inc"
TEST_NAME "segtype"
RODATA  equ 0x30        ; data read-only, flat
XCODE   equ 0x38        ; code execute-only, flat
RCODE   equ 0x40        ; code execute/read, flat (like 0x08)
LDTD    equ 0x48        ; an LDT descriptor (system)
test_main:
        MKDESC gdt+RODATA, 0, 0xFFFFF, 0x90, 0xC
        MKDESC gdt+XCODE,  0, 0xFFFFF, 0x98, 0xC
        MKDESC gdt+RCODE,  0, 0xFFFFF, 0x9A, 0xC
        MKDESC gdt+LDTD,   0x1800, 0xF, 0x82, 0x0

        TRY
        mov [cs:scratch], eax
        ENDTRY
        EXPECT_FAULT 13, 0, "write through CS (a code segment): #GP(0)"
        TRY
        mov eax, [cs:scratch]
        ENDTRY
        EXPECT_NOFAULT "read through CS (readable code)"

        TRY
        mov ax, RODATA
        mov es, ax
        mov eax, [es:scratch]
        ENDTRY
        EXPECT_NOFAULT "read-only data: load and read"
        TRY
        mov ax, RODATA
        mov es, ax
        mov dword [es:scratch], 1
        ENDTRY
        EXPECT_FAULT 13, 0, "read-only data: write: #GP(0)"
        TRY
        mov ax, RODATA
        mov es, ax
        mov edi, scratch
        stosd
        ENDTRY
        EXPECT_FAULT 13, 0, "read-only data: STOSD: #GP(0)"

        TRY
        mov ax, RCODE
        mov ds, ax
        mov eax, [scratch]
        ENDTRY
        EXPECT_NOFAULT "readable code in DS: load and read"
        TRY
        mov ax, RCODE
        mov ds, ax
        mov dword [scratch], 1
        ENDTRY
        EXPECT_FAULT 13, 0, "readable code in DS: write: #GP(0)"
        TRY
        mov ax, XCODE
        mov ds, ax
        ENDTRY
        EXPECT_FAULT 13, XCODE, "execute-only code into DS: #GP(selector)"
        TRY
        jmp XCODE:.xcode
.xcode: mov eax, [cs:scratch]
        ENDTRY
        EXPECT_FAULT 13, 0, "read through CS of execute-only code: #GP(0)"

        TRY
        mov ax, RODATA
        mov ss, ax
        ENDTRY
        EXPECT_FAULT 13, RODATA, "read-only data into SS: #GP(selector)"
        TRY
        mov ax, RCODE
        mov ss, ax
        ENDTRY
        EXPECT_FAULT 13, RCODE, "code into SS: #GP(selector)"
        TRY
        mov ax, LDTD
        mov ds, ax
        ENDTRY
        EXPECT_FAULT 13, LDTD, "system descriptor (LDT) into DS: #GP(selector)"
        TRY
        jmp DATA0:0
        ENDTRY
        EXPECT_FAULT 13, DATA0, "far jump to a data segment: #GP(selector)"
        TRY
        lss esp, [far_code]
        ENDTRY
        EXPECT_FAULT 13, CODE0, "LSS with a code selector: #GP(selector)"
        TRY
        les eax, [far_ro]
        mov eax, es
        mov [les_es], eax
        ENDTRY
        EXPECT_NOFAULT "LES with a read-only data selector"
        CHECK [les_es], RODATA, "LES loaded ES"
        TRY
        jmp 0:.never
.never:
        ENDTRY
        EXPECT_FAULT 13, 0, "far jump to a null selector: #GP(0)"
        TRY
        mov ax, TSS0
        mov es, ax
        ENDTRY
        EXPECT_FAULT 13, TSS0, "TSS into ES: #GP(selector)"
        TRY
        mov ax, 0xF8 + 8
        mov es, ax
        ENDTRY
        EXPECT_FAULT 13, 0x100, "selector beyond the GDT limit: #GP(selector)"

        ; VERR / VERW set ZF when the segment is readable / writable
        mov ebx, 0
        mov ax, RODATA
        verr ax
        setz bl
        CHECK ebx, 1, "VERR read-only data: ZF=1"
        verw ax
        setz bl
        CHECK ebx, 0, "VERW read-only data: ZF=0"
        mov ax, XCODE
        verr ax
        setz bl
        CHECK ebx, 0, "VERR execute-only code: ZF=0"
        mov ax, RCODE
        verr ax
        setz bl
        CHECK ebx, 1, "VERR readable code: ZF=1"
        mov ax, DATA0
        verw ax
        setz bl
        CHECK ebx, 1, "VERW writable data: ZF=1"
        ; LAR: access rights of a read-only data segment
        mov eax, RODATA
        lar eax, eax
        CHECKM eax, 0x00F0FF00, 0x00C09100, "LAR read-only data: type 1 (accessed) S P, G D"
        ret
        section .data
scratch: dd 0
les_es: dd 0
far_code: dd 0x1000
        dw CODE0
far_ro: dd 0x1000
        dw RODATA
