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

int hv_decode(const u8 *code, unsigned int n, unsigned int mode_bytes,
	      struct hv_insn *insn)
{
	struct hv_decoder d = { .code = code, .n = n };
	unsigned int op_bytes = mode_bytes == 8 ? 4 : mode_bytes;
	unsigned int addr_bytes = mode_bytes;
	u8 rex = 0, opcode, modrm;
	bool byte_op = false;

	memset(insn, 0, sizeof(*insn));

	/* Legacy prefixes, in any order. */
	for (;;) {
		u8 b = next_byte(&d);

		if (d.fail)
			return -EINVAL;
		switch (b) {
		case 0x66:
			op_bytes = op_bytes == 2 ? 4 : 2;
			continue;
		case 0x67:
			if (mode_bytes == 8)
				addr_bytes = 4;
			else
				addr_bytes = mode_bytes == 2 ? 4 : 2;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64:
		case 0x65: case 0xf0: case 0xf2: case 0xf3:
			/* Segment (the hardware gave us the address), LOCK, REP. */
			continue;
		}
		d.pos--;
		break;
	}
	/* REX must come last, and only in 64-bit mode. */
	if (mode_bytes == 8 && d.pos < d.n && (d.code[d.pos] & 0xf0) == 0x40) {
		rex = next_byte(&d);
		if (rex & 8)
			op_bytes = 8;
	}

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
