/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: decoding the instructions that touch MMIO.
 *
 * When the guest touches memory no slot backs, the hardware reports the
 * guest physical address and whether it was a write, but not the data, the
 * size or the register (EPT violations and nested page faults carry no
 * instruction information; AMD decode assists are optional).  hv decodes
 * the instruction itself.  It knows the instructions compilers and Linux's
 * readb/readw/readl/readq and writeb..writeq use: MOV in all its memory
 * forms, MOVZX and MOVSX.  Anything else ends in an internal error exit.
 */
#ifndef HV_DECODE_H
#define HV_DECODE_H

#include <linux/types.h>

#define HV_INSN_MAX	15

enum hv_insn_op {
	HV_INSN_STORE_REG,	/* memory <- register */
	HV_INSN_STORE_IMM,	/* memory <- immediate */
	HV_INSN_LOAD,		/* register <- memory */
};

/**
 * struct hv_insn - a decoded memory-access instruction
 * @len:	instruction length in bytes
 * @op:		what it does
 * @mem_size:	bytes of memory accessed (1, 2, 4, 8)
 * @reg:	the register operand (enum hv_gpr); for byte registers
 *		without REX, 4-7 mean AH, CH, DH, BH: see @high_byte
 * @high_byte:	@reg names bits 15:8 of register @reg
 * @reg_size:	bytes of the register written by a load (1, 2, 4, 8)
 * @extend:	0 none, 1 zero-extend, 2 sign-extend (MOVZX, MOVSX)
 * @imm:	the immediate of a store
 */
struct hv_insn {
	u8 len;
	enum hv_insn_op op;
	u8 mem_size;
	u8 reg;
	bool high_byte;
	u8 reg_size;
	u8 extend;
	u64 imm;
};

/*
 * Decode the @n bytes at @code, executed with default operand and address
 * size @mode_bytes (2: real or 16-bit code, 4: 32-bit, 8: long mode).
 * Returns 0 or -EINVAL for an instruction hv does not emulate.
 */
int hv_decode(const u8 *code, unsigned int n, unsigned int mode_bytes,
	      struct hv_insn *insn);

enum hv_sys_kind {
	HV_SYS_OTHER,
	HV_SYS_HLT,
	HV_SYS_CPUID,
	HV_SYS_RDMSR,
	HV_SYS_WRMSR,
	HV_SYS_XSETBV,
	HV_SYS_VMCALL,		/* VMCALL or VMMCALL */
	HV_SYS_INVD,		/* INVD or WBINVD */
	HV_SYS_MOV_CR,
	HV_SYS_MOV_DR,
	HV_SYS_CLTS,
	HV_SYS_LMSW,
	HV_SYS_SMSW,
};

/**
 * struct hv_sys_insn - a decoded system instruction (SVM without decode
 *			assists: the exit says which instruction, not how long
 *			it is or which register it used)
 * @len:	length in bytes
 * @kind:	which instruction
 * @write:	MOV to CR/DR (else from)
 * @reg:	the CR or DR number (LOCK MOV CR0 is CR8)
 * @gpr:	the general-purpose register operand (enum hv_gpr)
 * @op_bytes:	operand size of SMSW to a register
 */
struct hv_sys_insn {
	u8 len;
	enum hv_sys_kind kind;
	bool write;
	u8 reg;
	u8 gpr;
	u8 op_bytes;
};

int hv_decode_sys(const u8 *code, unsigned int n, unsigned int mode_bytes,
		  struct hv_sys_insn *insn);

#endif /* HV_DECODE_H */
