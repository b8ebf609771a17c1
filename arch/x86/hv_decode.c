// SPDX-License-Identifier: GPL-2.0
/*
 * hv: an instruction decoder for the MMIO instructions (hv_decode.h).
 *
 * Encodings are from the Intel SDM volume 2: prefixes (2.1.1), REX (2.2.1),
 * ModR/M and SIB with their displacements (2.1.5, tables 2-1 to 2-3), and
 * the opcode table (appendix A).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "hv_decode.h"

struct hv_decoder {
	const u8 *code;
	unsigned int n;
	unsigned int pos;
	bool fail;
};

static u8 next_byte(struct hv_decoder *d)
{
	if (d->pos >= d->n || d->pos >= HV_INSN_MAX) {
		d->fail = true;
		return 0;
	}
	return d->code[d->pos++];
}

static u64 next_imm(struct hv_decoder *d, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (u64)next_byte(d) << (8 * i);
	return v;
}

/* Skip the memory operand's SIB and displacement; false for a register. */
static bool skip_modrm_mem(struct hv_decoder *d, u8 modrm,
			   unsigned int addr_bytes)
{
	u8 mod = modrm >> 6, rm = modrm & 7;

	if (mod == 3)
		return false;
	if (addr_bytes == 2) {
		if (mod == 1)
			next_imm(d, 1);
		else if (mod == 2 || (mod == 0 && rm == 6))
			next_imm(d, 2);
		return true;
	}
	if (rm == 4) {
		u8 sib = next_byte(d);

		if (mod == 0 && (sib & 7) == 5)
			next_imm(d, 4);
	}
	if (mod == 1)
		next_imm(d, 1);
	else if (mod == 2 || (mod == 0 && rm == 5))
		next_imm(d, 4);
	return true;
}

/*
 * Legacy prefixes in any order, then REX (last, 64-bit mode only).  Sets
 * the operand and address sizes they select, REX, and whether LOCK was
 * among them.
 */
static int skip_prefixes(struct hv_decoder *d, unsigned int mode_bytes,
			 unsigned int *op_bytes, unsigned int *addr_bytes,
			 u8 *rex, bool *lock)
{
	for (;;) {
		u8 b = next_byte(d);

		if (d->fail)
			return -EINVAL;
		switch (b) {
		case 0x66:
			*op_bytes = *op_bytes == 2 ? 4 : 2;
			continue;
		case 0x67:
			if (mode_bytes == 8)
				*addr_bytes = 4;
			else
				*addr_bytes = mode_bytes == 2 ? 4 : 2;
			continue;
		case 0xf0:
			if (lock)
				*lock = true;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64:
		case 0x65: case 0xf2: case 0xf3:
			/* Segment (the hardware gave us the address), REP. */
			continue;
		}
		d->pos--;
		break;
	}
	if (mode_bytes == 8 && d->pos < d->n && (d->code[d->pos] & 0xf0) == 0x40) {
		*rex = next_byte(d);
		if (*rex & 8)
			*op_bytes = 8;
	}
	return 0;
}

int hv_decode(const u8 *code, unsigned int n, unsigned int mode_bytes,
	      struct hv_insn *insn)
{
	struct hv_decoder d = { .code = code, .n = n };
	unsigned int op_bytes = mode_bytes == 8 ? 4 : mode_bytes;
	unsigned int addr_bytes = mode_bytes;
	u8 rex = 0, opcode, modrm;
	bool byte_op = false;

	memset(insn, 0, sizeof(*insn));

	if (skip_prefixes(&d, mode_bytes, &op_bytes, &addr_bytes, &rex, NULL))
		return -EINVAL;
	opcode = next_byte(&d);
	switch (opcode) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x8a:	/* MOV r8, r/m8 */
		byte_op = true;
		fallthrough;
	case 0x89:	/* MOV r/m, r */
	case 0x8b:	/* MOV r, r/m */
		modrm = next_byte(&d);
		if (!skip_modrm_mem(&d, modrm, addr_bytes))
			return -EINVAL;
		insn->op = (opcode & 2) ? HV_INSN_LOAD : HV_INSN_STORE_REG;
		insn->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
		insn->mem_size = byte_op ? 1 : op_bytes;
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m, imm16/32 (sign-extended to 64) */
		modrm = next_byte(&d);
		if (((modrm >> 3) & 7) || !skip_modrm_mem(&d, modrm, addr_bytes))
			return -EINVAL;
		insn->op = HV_INSN_STORE_IMM;
		byte_op = opcode == 0xc6;
		insn->mem_size = byte_op ? 1 : op_bytes;
		if (byte_op) {
			insn->imm = next_imm(&d, 1);
		} else if (op_bytes == 2) {
			insn->imm = next_imm(&d, 2);
		} else {
			insn->imm = next_imm(&d, 4);
			if (op_bytes == 8)
				insn->imm = (u64)(s64)(s32)insn->imm;
		}
		break;
	case 0xa0:	/* MOV AL, moffs8 */
	case 0xa1:	/* MOV rAX, moffs */
	case 0xa2:	/* MOV moffs8, AL */
	case 0xa3:	/* MOV moffs, rAX */
		byte_op = !(opcode & 1);
		next_imm(&d, addr_bytes);
		insn->op = (opcode & 2) ? HV_INSN_STORE_REG : HV_INSN_LOAD;
		insn->reg = 0;
		insn->mem_size = byte_op ? 1 : op_bytes;
		break;
	case 0x0f:
		opcode = next_byte(&d);
		switch (opcode) {
		case 0xb6: case 0xb7:	/* MOVZX r, r/m8 or r/m16 */
		case 0xbe: case 0xbf:	/* MOVSX r, r/m8 or r/m16 */
			modrm = next_byte(&d);
			if (!skip_modrm_mem(&d, modrm, addr_bytes))
				return -EINVAL;
			insn->op = HV_INSN_LOAD;
			insn->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
			insn->mem_size = (opcode & 1) ? 2 : 1;
			insn->reg_size = op_bytes;
			insn->extend = opcode >= 0xbe ? 2 : 1;
			break;
		default:
			return -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}
	if (d.fail)
		return -EINVAL;

	if (!insn->extend)
		insn->reg_size = insn->mem_size;
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	if (byte_op && !rex && insn->reg >= 4 && insn->op != HV_INSN_STORE_IMM) {
		insn->reg -= 4;
		insn->high_byte = true;
	}
	insn->len = d.pos;
	return 0;
}

/*
 * The instructions that exit on SVM without decode assists or next-RIP
 * (AMD APM vol 3 for the encodings; MOV to/from CR8 may also be written
 * LOCK MOV CR0 on AMD).  The register of MOV CR/DR is always ModR/M.rm,
 * whatever ModR/M.mod says (Intel SDM vol 2, MOV--Move to/from Control
 * Registers).
 */
int hv_decode_sys(const u8 *code, unsigned int n, unsigned int mode_bytes,
		  struct hv_sys_insn *insn)
{
	struct hv_decoder d = { .code = code, .n = n };
	unsigned int op_bytes = mode_bytes == 8 ? 4 : mode_bytes;
	unsigned int addr_bytes = mode_bytes;
	u8 rex = 0, opcode, modrm;
	bool lock = false;

	memset(insn, 0, sizeof(*insn));
	if (skip_prefixes(&d, mode_bytes, &op_bytes, &addr_bytes, &rex, &lock))
		return -EINVAL;
	opcode = next_byte(&d);
	if (opcode == 0xf4) {
		insn->kind = HV_SYS_HLT;
		goto done;
	}
	if (opcode != 0x0f)
		return -EINVAL;
	opcode = next_byte(&d);
	switch (opcode) {
	case 0x06:
		insn->kind = HV_SYS_CLTS;
		break;
	case 0x08:
	case 0x09:
		insn->kind = HV_SYS_INVD;
		break;
	case 0x30:
	case 0x32:
		insn->kind = opcode == 0x30 ? HV_SYS_WRMSR : HV_SYS_RDMSR;
		break;
	case 0xa2:
		insn->kind = HV_SYS_CPUID;
		break;
	case 0x20: case 0x21: case 0x22: case 0x23:
		modrm = next_byte(&d);
		insn->kind = opcode & 1 ? HV_SYS_MOV_DR : HV_SYS_MOV_CR;
		insn->write = opcode & 2;
		insn->gpr = (modrm & 7) | ((rex & 1) << 3);
		insn->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
		if (lock && opcode <= 0x22 && !(opcode & 1) && insn->reg == 0)
			insn->reg = 8;
		break;
	case 0x01:
		modrm = next_byte(&d);
		switch (modrm) {
		case 0xd1:
			insn->kind = HV_SYS_XSETBV;
			goto done;
		case 0xc1:
		case 0xd9:
			insn->kind = HV_SYS_VMCALL;
			goto done;
		}
		/* SMSW (/4) and LMSW (/6), register forms only. */
		if ((modrm >> 6) != 3)
			return -EINVAL;
		if (((modrm >> 3) & 7) == 4)
			insn->kind = HV_SYS_SMSW;
		else if (((modrm >> 3) & 7) == 6)
			insn->kind = HV_SYS_LMSW;
		else
			return -EINVAL;
		insn->gpr = (modrm & 7) | ((rex & 1) << 3);
		insn->op_bytes = op_bytes;
		break;
	default:
		return -EINVAL;
	}
done:
	if (d.fail)
		return -EINVAL;
	insn->len = d.pos;
	return 0;
}
