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

#endif /* HV_DECODE_H */
