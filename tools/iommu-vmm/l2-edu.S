/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l2-edu: the whole firmware of the L2 machine of the vmm lane, given to
 * QEMU as -bios (64 KiB, mapped below 4 GiB and below 1 MiB). It finds
 * QEMU's edu device on bus 0 through port I/O config space, gives it a
 * BAR and bus mastering, and has it copy bytes from one RAM address to
 * another through its buffer; with the device assigned to L2 by a VMM,
 * that DMA goes through the L1 IOMMU and the VMM's IOAS. Then it has the
 * device write to an address past the end of RAM, which no VMM maps.
 * Everything it has to say goes to COM1 as lines of text, and it ends
 * by writing a status to QEMU's isa-debug-exit port (iobase 0xf4): 0 if
 * the copy came back intact, 1 if not, 2 if there was no edu.
 *
 *   L2-EDU found 00:NN.0
 *   L2-EDU copy ok | L2-EDU copy BAD
 *   L2-EDU wild write done
 *   L2-EDU ejected		(on i440fx, after a hot-unplug request)
 *
 * Build: gcc -m32 -nostdlib -Wl,--oformat=binary -Wl,-Ttext=0 (see the
 * Makefile); the image is position independent of where QEMU puts it,
 * since the 16-bit part only uses its own segment and the 32-bit part
 * runs from the copy below 1 MiB.
 */

#define COM1		0x3f8
#define EXIT_PORT	0xf4
#define EDU_BAR		0xfe000000	/* where BAR0 is put: in the PCI hole */
#define SRC		0x00100000	/* RAM the copy starts from */
#define DST		0x00200000	/* RAM the copy ends in */
#define EDU_BUF		0x40000		/* the device's buffer, in its space */
#define LEN		256
#define WILD		0x03f00000	/* past the end of 48 MiB of L2 RAM */
#define LOW		0xf0000		/* the image's copy below 1 MiB */
#define PCIHP_DOWN	0xae04		/* i440fx ACPI PCI hotplug: removal */
#define PCIHP_EJECT	0xae08		/* ... and eject */

	.code16
	.text
	.globl	_start
_start:
	cli
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	gdt_desc
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $(LOW + start32)

	.code32
start32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x80000, %esp

	/* Find edu (1234:11e8) on bus 0. */
	xor	%ebx, %ebx			/* device number */
1:	mov	%ebx, %eax
	shl	$11, %eax
	or	$0x80000000, %eax
	mov	$0xcf8, %dx
	out	%eax, %dx
	mov	$0xcfc, %dx
	in	%dx, %eax
	cmp	$0x11e81234, %eax
	je	found
	inc	%ebx
	cmp	$32, %ebx
	jne	1b
	mov	$(LOW + msg_none), %esi
	call	puts
	mov	$2, %al
	jmp	leave

found:
	mov	$(LOW + msg_found), %esi
	call	puts
	mov	%ebx, %eax
	call	puthex2
	mov	$(LOW + msg_fn), %esi
	call	puts

	/* BAR0 = EDU_BAR, then memory space and bus master on. */
	mov	%ebx, %eax
	shl	$11, %eax
	or	$0x80000010, %eax
	mov	$0xcf8, %dx
	out	%eax, %dx
	mov	$0xcfc, %dx
	mov	$EDU_BAR, %eax
	out	%eax, %dx
	mov	%ebx, %eax
	shl	$11, %eax
	or	$0x80000004, %eax
	mov	$0xcf8, %dx
	out	%eax, %dx
	mov	$0xcfc, %dx
	mov	$0x0006, %ax
	out	%ax, %dx

	/* A pattern at SRC, something else at DST. */
	mov	$SRC, %edi
	xor	%ecx, %ecx
2:	mov	%cl, %al
	xor	$0x5a, %al
	add	%cl, %al
	mov	%al, (%edi, %ecx)
	movb	$0xee, DST(%ecx)
	inc	%ecx
	cmp	$LEN, %ecx
	jne	2b

	/* RAM -> device, then device -> RAM. */
	mov	$SRC, %eax
	mov	$EDU_BUF, %edx
	mov	$1, %ecx
	call	dma
	mov	$EDU_BUF, %eax
	mov	$DST, %edx
	mov	$3, %ecx
	call	dma

	mov	$SRC, %esi
	mov	$DST, %edi
	mov	$LEN, %ecx
	repe	cmpsb
	jne	bad
	mov	$(LOW + msg_ok), %esi
	call	puts

	/* A device write where no RAM is and nobody mapped anything. */
	mov	$EDU_BUF, %eax
	mov	$WILD, %edx
	mov	$3, %ecx
	call	dma
	mov	$(LOW + msg_wild), %esi
	call	puts
	xor	%al, %al
	jmp	leave

bad:
	mov	$(LOW + msg_bad), %esi
	call	puts
	mov	$1, %al

leave:
	mov	$EXIT_PORT, %dx
	out	%al, %dx
	/*
	 * Still here (no isa-debug-exit): answer hot-unplug requests of an
	 * i440fx machine's ACPI PCI hotplug, whose slots pending removal
	 * read as bits at PCIHP_DOWN and go when written to PCIHP_EJECT.
	 * Elsewhere the port reads as all ones.
	 */
3:	mov	$PCIHP_DOWN, %dx
	in	%dx, %eax
	test	%eax, %eax
	jz	8f
	cmp	$0xffffffff, %eax
	je	8f
	mov	$PCIHP_EJECT, %dx
	out	%eax, %dx
	mov	$(LOW + msg_eject), %esi
	call	puts
8:	pause
	jmp	3b

/* One edu transfer of LEN bytes from %eax to %edx, command %ecx. */
dma:
	mov	%eax, EDU_BAR + 0x80
	movl	$0, EDU_BAR + 0x84
	mov	%edx, EDU_BAR + 0x88
	movl	$0, EDU_BAR + 0x8c
	movl	$LEN, EDU_BAR + 0x90
	movl	$0, EDU_BAR + 0x94
	mov	%ecx, EDU_BAR + 0x98
	movl	$0, EDU_BAR + 0x9c
4:	testl	$1, EDU_BAR + 0x98
	jnz	4b
	ret

/* Write the NUL-terminated string at %esi to COM1. */
puts:
	push	%eax
	push	%edx
5:	lodsb
	test	%al, %al
	jz	6f
	mov	$COM1, %dx
	out	%al, %dx
	jmp	5b
6:	pop	%edx
	pop	%eax
	ret

/* Write %al as two hex digits. */
puthex2:
	push	%eax
	push	%edx
	mov	%al, %ah
	shr	$4, %al
	call	hexdigit
	mov	%ah, %al
	and	$0xf, %al
	call	hexdigit
	pop	%edx
	pop	%eax
	ret

hexdigit:
	add	$'0', %al
	cmp	$'9', %al
	jbe	7f
	add	$('a' - '9' - 1), %al
7:	mov	$COM1, %dx
	out	%al, %dx
	ret

msg_none:	.asciz	"L2-EDU no edu device\n"
msg_found:	.asciz	"L2-EDU found 00:"
msg_fn:		.asciz	".0\n"
msg_ok:		.asciz	"L2-EDU copy ok\n"
msg_bad:	.asciz	"L2-EDU copy BAD\n"
msg_wild:	.asciz	"L2-EDU wild write done\n"
msg_eject:	.asciz	"L2-EDU ejected\n"

	.p2align 3
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: flat 32-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: flat 32-bit data */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	LOW + gdt

	/* The reset vector: the last 16 bytes of the 64 KiB image. */
	.code16
	.org	0xfff0
	jmp	_start
	.org	0x10000
