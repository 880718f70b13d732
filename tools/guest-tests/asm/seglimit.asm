; seglimit: segment limit checks (SDM Vol. 3 5.3): expand-up and expand-down data
; segments, byte and page granularity, the B flag of expand-down segments, SS
; references (#SS(0)), null selectors, the CS limit on a far jump, and LSL.
; QEMU's TCG does not check data-segment limits (a known deviation from the
; SDM), so the limit checks here can only be verified on hardware; the far
; jump, LSL and the expand-down push pass on QEMU.
%include "lib.inc"
TEST_NAME "seglimit"
UP      equ 0x30        ; data RW expand-up, base 0x20000, limit 0xFFF, byte granular
DOWN    equ 0x38        ; data RW expand-down, limit 0xFFF, B=1 (upper bound 4 GiB - 1)
DOWN16  equ 0x40        ; data RW expand-down, limit 0xFFF, B=0 (upper bound 0xFFFF)
PAGEG   equ 0x48        ; data RW expand-up, limit 1 with G=1 -> 0x1FFF
SMALLCS equ 0x50        ; code 32 DPL0, base 0, limit 0xFFFF
test_main:
        MKDESC gdt+UP,     0x20000, 0xFFF, 0x92, 0x4
        MKDESC gdt+DOWN,   0x20000, 0xFFF, 0x96, 0x4
        MKDESC gdt+DOWN16, 0x20000, 0xFFF, 0x96, 0x0
        MKDESC gdt+PAGEG,  0x20000, 0x1,   0x92, 0xC
        MKDESC gdt+SMALLCS, 0,      0xFFFF, 0x9A, 0x4

        TRY
        mov ax, UP
        mov fs, ax
        mov eax, [fs:0xFFC]
        ENDTRY
        EXPECT_NOFAULT "expand-up: dword at limit-3 is inside"
        TRY
        mov ax, UP
        mov fs, ax
        mov eax, [fs:0xFFD]
        ENDTRY
        EXPECT_FAULT 13, 0, "expand-up: dword at limit-2 crosses the limit: #GP(0)"
        TRY
        mov ax, UP
        mov fs, ax
        mov al, [fs:0x1000]
        ENDTRY
        EXPECT_FAULT 13, 0, "expand-up: byte at limit+1: #GP(0)"
        TRY
        mov ax, UP
        mov fs, ax
        mov word [fs:0xFFF], ax
        ENDTRY
        EXPECT_FAULT 13, 0, "expand-up: word write at the limit: #GP(0)"
        mov ax, UP
        mov fs, ax
        mov dword [fs:0x10], 0x12345678
        CHECK [0x20010], 0x12345678, "expand-up: writes land at base + offset"

        TRY
        mov ax, PAGEG
        mov fs, ax
        mov eax, [fs:0x1FFC]
        ENDTRY
        EXPECT_NOFAULT "G=1: limit 1 covers offsets up to 0x1FFF"
        TRY
        mov ax, PAGEG
        mov fs, ax
        mov eax, [fs:0x1FFD]
        ENDTRY
        EXPECT_FAULT 13, 0, "G=1: dword at 0x1FFD crosses 0x1FFF: #GP(0)"

        TRY
        mov ax, DOWN
        mov fs, ax
        mov eax, [fs:0x1000]
        ENDTRY
        EXPECT_NOFAULT "expand-down: offset limit+1 is the lowest valid one"
        TRY
        mov ax, DOWN
        mov fs, ax
        mov al, [fs:0xFFF]
        ENDTRY
        EXPECT_FAULT 13, 0, "expand-down: offset at the limit: #GP(0)"
        TRY
        mov ax, DOWN
        mov fs, ax
        mov eax, [fs:0xFFE]
        ENDTRY
        EXPECT_FAULT 13, 0, "expand-down: dword starting below limit+1: #GP(0)"
        TRY
        mov ax, DOWN
        mov fs, ax
        mov eax, [fs:0x00FFFFFC]
        ENDTRY
        EXPECT_NOFAULT "expand-down B=1: offsets above 0xFFFF are valid"

        TRY
        mov ax, DOWN16
        mov fs, ax
        mov eax, [fs:0xFFFC]
        ENDTRY
        EXPECT_NOFAULT "expand-down B=0: dword ending at 0xFFFF is inside"
        TRY
        mov ax, DOWN16
        mov fs, ax
        mov eax, [fs:0xFFFE]
        ENDTRY
        EXPECT_FAULT 13, 0, "expand-down B=0: dword crossing 0xFFFF: #GP(0)"
        TRY
        mov ax, DOWN16
        mov fs, ax
        mov al, [fs:0x10000]
        ENDTRY
        EXPECT_FAULT 13, 0, "expand-down B=0: offset 0x10000: #GP(0)"

        ; SS-relative references raise #SS(0). ESP stays valid for delivery.
        TRY
        mov ax, UP
        mov ss, ax
        mov esp, 0x800
        mov eax, [ss:0x1000]
        ENDTRY
        EXPECT_FAULT 12, 0, "SS limit: explicit SS reference beyond the limit: #SS(0)"
        TRY
        mov ax, UP
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0xFFE
        mov eax, [ebp]
        ENDTRY
        EXPECT_FAULT 12, 0, "SS limit: EBP-based reference beyond the limit: #SS(0)"
        TRY
        mov ax, DOWN
        mov ss, ax
        mov esp, 0x2000
        mov eax, [ss:0xFFE]
        ENDTRY
        EXPECT_FAULT 12, 0, "SS expand-down: reference below limit+1: #SS(0)"
        TRY
        mov ax, DOWN
        mov ss, ax
        mov esp, 0x2000
        push dword 0xCAFEBABE
        pop ebx
        ENDTRY
        EXPECT_NOFAULT "SS expand-down: push/pop inside the segment"
        CHECK [0x21FFC], 0xCAFEBABE, "SS expand-down: push wrote base + ESP - 4"

        ; a null selector in DS: loading is fine, using it is #GP(0)
        TRY
        xor eax, eax
        mov gs, ax
        mov eax, [gs:0]
        ENDTRY
        EXPECT_FAULT 13, 0, "null selector: memory reference: #GP(0)"

        ; the CS limit
        TRY
        jmp SMALLCS:.in_small
        ENDTRY
        ; (not reached)
.in_small:
        EXPECT_NOFAULT "far jump into a code segment inside its limit"
        mov eax, cs
        CHECK eax, SMALLCS, "CS now holds the small code segment"
        TRY
.farjmp: jmp SMALLCS:0x10000
        ENDTRY
        EXPECT_FAULT 13, 0, "far jump beyond the CS limit: #GP(0)"
        CHECK [exc_eip], .farjmp, "the #GP points at the far jump"
        jmp CODE0:.back
.back:
        ; LSL
        mov eax, 0
        lsl eax, [.sel_up]
        CHECK eax, 0xFFF, "LSL: byte-granular limit"
        mov eax, PAGEG
        lsl eax, eax
        CHECK eax, 0x1FFF, "LSL: page-granular limit is scaled"
        ret
.sel_up: dw UP
