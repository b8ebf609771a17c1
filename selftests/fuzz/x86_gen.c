// SPDX-License-Identifier: GPL-2.0
/*
 * hv_fuzz: random x86 instruction sequences aimed at what a hypervisor
 * intercepts or emulates (fuzz_code_random() in fuzz.h).
 *
 * Each chunk first loads the registers it needs with MOV immediates, then
 * emits one instruction with random prefixes: port I/O of every form,
 * loads, stores and read-modify-writes on MMIO (outside any slot),
 * string instructions, CPUID, MSRs, control and debug registers, XSETBV,
 * VMX and SVM instructions, exceptions, and plain random bytes.  The
 * encodings are computed so that the stream stays in step; a random
 * ModRM or a random byte may still throw it off, which is fine too.
 */
#include <string.h>

#include "fuzz.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

static void emit(struct fuzz_code *c, const void *p, size_t n)
{
	if (c->len + n > c->cap)
		return;
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static void e1(struct fuzz_code *c, uint8_t b)
{
	emit(c, &b, 1);
}

/*
 * With --if-at-entry (Bochs), the generated code does not clear IF itself
 * either (fuzz_if_at_entry in fuzz.h): the flags it loads keep IF
 * (fuzz_rflags()), CLI becomes STI, SYSENTER a NOP.
 */
static uint8_t no_cli(uint8_t b)
{
	return fuzz_if_at_entry && b == 0xfa ? 0xfb : b;
}

static const char *keep_if_insn(const char *insn)
{
	if (!fuzz_if_at_entry)
		return insn;
	if (!strcmp(insn, "\xfa"))
		return "\xfb";
	return strcmp(insn, "\x0f\x34") ? insn : "\x90";
}

static void e2(struct fuzz_code *c, uint16_t v)
{
	emit(c, &v, 2);
}

static void e4(struct fuzz_code *c, uint32_t v)
{
	emit(c, &v, 4);
}

static void e8(struct fuzz_code *c, uint64_t v)
{
	emit(c, &v, 8);
}

/* MOV $V, REG at the mode's natural width (32 bits in real mode). */
static void mov_imm(struct fuzz_code *c, int reg, uint64_t v)
{
	switch (c->mode) {
	case HV_MODE_REAL:
		e1(c, 0x66);
		/* fall through */
	case HV_MODE_PROT32:
		e1(c, 0xb8 + reg);
		e4(c, v);
		break;
	case HV_MODE_LONG:
		e1(c, 0x48);
		e1(c, 0xb8 + reg);
		e8(c, v);
		break;
	}
}

/* ---- Prefixes ---- */

#define P_66	1	/* operand size */
#define P_67	2	/* address size */
#define P_W	4	/* REX.W */

static const uint8_t seg_prefixes[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };

/*
 * Legacy prefixes in random order, each with the chance given (percent),
 * then in long mode perhaps a REX (W, R; never B or X, so the base and
 * index registers stay the ones the chunk loaded).  Returns P_* flags.
 */
static int prefixes(struct fuzz_code *c, int p66, int p67, int pseg, int prep,
		    int plock)
{
	struct fuzz_rng *r = c->rng;
	int flags = 0, n = rng_below(r, 4), rex;

	while (n--) {
		switch (rng_below(r, 5)) {
		case 0:
			if (rng_chance(r, p66)) {
				e1(c, 0x66);
				flags |= P_66;
			}
			break;
		case 1:
			if (rng_chance(r, p67)) {
				e1(c, 0x67);
				flags |= P_67;
			}
			break;
		case 2:
			if (rng_chance(r, pseg))
				e1(c, rng_pick(r, seg_prefixes));
			break;
		case 3:
			if (rng_chance(r, prep))
				e1(c, rng_chance(r, 80) ? 0xf3 : 0xf2);
			break;
		case 4:
			if (rng_chance(r, plock))
				e1(c, 0xf0);
			break;
		}
	}
	if (c->mode == HV_MODE_LONG && rng_chance(r, 30)) {
		rex = 0x40 | (rng_chance(r, 60) ? 8 : 0) |
		      (rng_chance(r, 10) ? 4 : 0);
		e1(c, rex);
		if (rex & 8)
			flags |= P_W;
	}
	return flags;
}

/* Operand size in bytes for the prefixes in FLAGS. */
static int opsize(struct fuzz_code *c, int flags)
{
	if (c->mode == HV_MODE_REAL)
		return flags & P_66 ? 4 : 2;
	if (flags & P_W)
		return 8;
	return flags & P_66 ? 2 : 4;
}

/* Whether the address size is 16 bits. */
static int addr16(struct fuzz_code *c, int flags)
{
	if (c->mode == HV_MODE_REAL)
		return !(flags & P_67);
	return c->mode == HV_MODE_PROT32 && (flags & P_67);
}

/* ---- Addresses ---- */

/*
 * An address for a data access: mostly MMIO (no slot backs it), some RAM,
 * accesses that straddle the end of RAM, and wild ones.  In real mode
 * with 16-bit addressing it is an offset in the data segment (whose base
 * the guest setup may have moved onto MMIO).
 */
static uint64_t data_addr(struct fuzz_code *c, int a16)
{
	static const uint64_t high[] = {
		0xfee00000, 0xfee00300, 0xfec00000, 0xfed00000, 0xe0000000,
		0xc0000000, 0xfffff000, 0xffffffc0, 0x100000000ULL - 8,
		0xa0000, 0xb8000,
	};
	struct fuzz_rng *r = c->rng;

	if (a16) {
		switch (rng_below(r, 4)) {
		case 0:
			return 0xfff0 + rng_below(r, 16);
		case 1:
			return rng_next(r) & 0xffff;
		default:
			return 0x9000 + rng_below(r, 0x6000);
		}
	}
	switch (rng_below(r, 16)) {
	case 0:
	case 1:
		return rng_pick(r, high) + rng_below(r, 0x100);
	case 2:
		return GUEST_MEM_SIZE - rng_below(r, 8) - 1;	/* RAM into MMIO */
	case 3:
		return MMIO_GPA + HV_PAGE - rng_below(r, 8) - 1; /* two pages */
	case 4:
		return DATA_GPA + rng_below(r, 4 * HV_PAGE);
	case 5:
		if (c->mode == HV_MODE_LONG)
			return rng_chance(r, 50) ? rng_next(r) :
			       0x123456789000ULL + rng_below(r, HV_PAGE);
		return rng32(r);
	case 6:
		return rng32(r) | 0x80000000;
	default:
		return MMIO_GPA + rng_below(r, 0x2000);
	}
}

/* ModRM (and SIB, displacement) for REG and [RBX], or a random form. */
static void modrm(struct fuzz_code *c, int reg, int a16, int wild)
{
	struct fuzz_rng *r = c->rng;
	int mod, rm, sib;

	reg &= 7;
	if (!wild) {
		e1(c, reg << 3 | (a16 ? 7 : 3));	/* [bx] or [ebx]/[rbx] */
		return;
	}
	mod = rng_below(r, 4);
	rm = rng_below(r, 8);
	e1(c, mod << 6 | reg << 3 | rm);
	if (mod == 3)
		return;
	if (a16) {
		if (mod == 2 || (mod == 0 && rm == 6))
			e2(c, rng32(r));
		else if (mod == 1)
			e1(c, rng32(r));
		return;
	}
	if (rm == 4) {
		sib = rng32(r) & 0xff;
		e1(c, sib);
		if ((sib & 7) == 5 && mod == 0)
			e4(c, rng32(r));
	}
	if (mod == 0 && rm == 5) {
		/* disp32, RIP-relative in long mode: aim at MMIO sometimes. */
		e4(c, rng_chance(r, 50) ? MMIO_GPA - CODE_GPA - c->len :
		   rng32(r));
	} else if (mod == 1) {
		e1(c, rng32(r));
	} else if (mod == 2) {
		e4(c, rng32(r));
	}
}

/* ---- Memory operand instructions ---- */

#define IB	1	/* imm8 */
#define IZ	2	/* imm16/32 by operand size */
#define NOT64	1	/* invalid in long mode */
#define ONLY64	2

struct memop {
	uint8_t op[3], nop;
	int8_t reg;	/* the ModRM reg field; -1: any, -2: 4..7, -3: sreg */
	uint8_t imm, flags;
};

/* REG, the immediate, FLAGS, then the opcode bytes. */
#define M(reg, imm, flags, ...)						\
	{ { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), reg, imm, flags }

static const struct memop memops[] = {
	M(-1, 0, 0, 0x88), M(-1, 0, 0, 0x89),	/* MOV r/m, r */
	M(-1, 0, 0, 0x8a), M(-1, 0, 0, 0x8b),	/* MOV r, r/m */
	M(0, IB, 0, 0xc6), M(0, IZ, 0, 0xc7),	/* MOV r/m, imm */
	M(-1, 0, 0, 0x0f, 0xb6), M(-1, 0, 0, 0x0f, 0xb7),	/* MOVZX */
	M(-1, 0, 0, 0x0f, 0xbe), M(-1, 0, 0, 0x0f, 0xbf),	/* MOVSX */
	M(-1, 0, ONLY64, 0x63),			/* MOVSXD */
	M(-1, 0, 0, 0x00), M(-1, 0, 0, 0x01), M(-1, 0, 0, 0x03),
	M(-1, 0, 0, 0x09), M(-1, 0, 0, 0x0b), M(-1, 0, 0, 0x11),
	M(-1, 0, 0, 0x19), M(-1, 0, 0, 0x21), M(-1, 0, 0, 0x23),
	M(-1, 0, 0, 0x29), M(-1, 0, 0, 0x31), M(-1, 0, 0, 0x33),
	M(-1, 0, 0, 0x38), M(-1, 0, 0, 0x39), M(-1, 0, 0, 0x3b),
	M(-1, IB, 0, 0x80), M(-1, IZ, 0, 0x81),
	M(-1, IB, 0, 0x83),
	M(-1, 0, 0, 0x84), M(-1, 0, 0, 0x85),	/* TEST */
	M(-1, 0, 0, 0x86), M(-1, 0, 0, 0x87),	/* XCHG */
	M(-1, 0, 0, 0x0f, 0xb0), M(-1, 0, 0, 0x0f, 0xb1),	/* CMPXCHG */
	M(-1, 0, 0, 0x0f, 0xc0), M(-1, 0, 0, 0x0f, 0xc1),	/* XADD */
	M(1, 0, 0, 0x0f, 0xc7),			/* CMPXCHG8B/16B */
	M(0, IB, 0, 0xf6), M(2, 0, 0, 0xf6), M(3, 0, 0, 0xf6),
	M(4, 0, 0, 0xf6), M(6, 0, 0, 0xf6),
	M(0, IZ, 0, 0xf7), M(2, 0, 0, 0xf7), M(3, 0, 0, 0xf7),
	M(5, 0, 0, 0xf7), M(7, 0, 0, 0xf7),
	M(0, 0, 0, 0xfe), M(1, 0, 0, 0xfe),		/* INC/DEC */
	M(0, 0, 0, 0xff), M(1, 0, 0, 0xff),
	M(6, 0, 0, 0xff), M(0, 0, 0, 0x8f),		/* PUSH/POP m */
	M(2, 0, 0, 0xff), M(3, 0, 0, 0xff),		/* CALL near, far */
	M(4, 0, 0, 0xff), M(5, 0, 0, 0xff),		/* JMP near, far */
	M(-1, 0, 0, 0x0f, 0xa3), M(-1, 0, 0, 0x0f, 0xab),	/* BT, BTS */
	M(-1, 0, 0, 0x0f, 0xb3), M(-1, 0, 0, 0x0f, 0xbb),	/* BTR, BTC */
	M(-2, IB, 0, 0x0f, 0xba),
	M(0, 0, 0, 0x0f, 0x94), M(-1, 0, 0, 0x0f, 0x4f),	/* SETE, CMOVG */
	M(-1, 0, 0, 0x0f, 0xc3),			/* MOVNTI */
	M(-1, 0, 0, 0xd0), M(-1, 0, 0, 0xd1), M(-1, 0, 0, 0xd3),
	M(-1, IB, 0, 0xc1),			/* shifts */
	M(0, 0, 0, 0x0f, 0xae), M(1, 0, 0, 0x0f, 0xae),	/* FXSAVE */
	M(2, 0, 0, 0x0f, 0xae), M(3, 0, 0, 0x0f, 0xae),	/* MXCSR */
	M(4, 0, 0, 0x0f, 0xae), M(5, 0, 0, 0x0f, 0xae),	/* XSAVE */
	M(7, 0, 0, 0x0f, 0xae),			/* CLFLUSH */
	M(1, 0, 0, 0x0f, 0x18), M(1, 0, 0, 0x0f, 0x0d),	/* PREFETCH */
	M(0, 0, 0, 0xd9), M(2, 0, 0, 0xd9), M(0, 0, 0, 0xdd),
	M(5, 0, 0, 0xdf),				/* x87 */
	M(-1, 0, 0, 0x0f, 0x10), M(-1, 0, 0, 0x0f, 0x11),	/* MOVUPS */
	M(-1, 0, 0, 0x0f, 0x28), M(-1, 0, 0, 0x0f, 0x2b),
	M(-1, 0, 0, 0x0f, 0x6e), M(-1, 0, 0, 0x0f, 0x7e),	/* MOVD */
	M(-1, 0, 0, 0x0f, 0x6f), M(-1, 0, 0, 0x0f, 0x7f),	/* MOVQ */
	M(-1, 0, 0, 0x0f, 0x38, 0xf0), M(-1, 0, 0, 0x0f, 0x38, 0xf1),
	M(0, 0, 0, 0x0f, 0x01), M(1, 0, 0, 0x0f, 0x01),	/* SGDT, SIDT */
	M(2, 0, 0, 0x0f, 0x01), M(3, 0, 0, 0x0f, 0x01),	/* LGDT, LIDT */
	M(4, 0, 0, 0x0f, 0x01), M(6, 0, 0, 0x0f, 0x01),	/* SMSW, LMSW */
	M(7, 0, 0, 0x0f, 0x01),			/* INVLPG */
	M(0, 0, 0, 0x0f, 0x00), M(1, 0, 0, 0x0f, 0x00),	/* SLDT, STR */
	M(2, 0, 0, 0x0f, 0x00), M(3, 0, 0, 0x0f, 0x00),	/* LLDT, LTR */
	M(4, 0, 0, 0x0f, 0x00), M(5, 0, 0, 0x0f, 0x00),	/* VERR, VERW */
	M(-1, 0, 0, 0x0f, 0x02), M(-1, 0, 0, 0x0f, 0x03),	/* LAR, LSL */
	M(-3, 0, 0, 0x8c), M(-3, 0, 0, 0x8e),	/* MOV sreg */
	M(-1, 0, NOT64, 0xc4), M(-1, 0, NOT64, 0xc5),
	M(-1, 0, NOT64, 0x62),			/* LES, LDS, BOUND */
	M(-1, 0, 0, 0x0f, 0xb2), M(-1, 0, 0, 0x0f, 0xb4),	/* LSS, LFS */
	M(6, 0, 0, 0x0f, 0xc7), M(7, 0, 0, 0x0f, 0xc7),	/* VMPTRLD/ST */
	M(-1, 0, 0, 0x0f, 0x78), M(-1, 0, 0, 0x0f, 0x79),	/* VMREAD/WRITE */
};

/* A random immediate of N bytes. */
static void imm(struct fuzz_code *c, int n)
{
	uint64_t v = rng_value(c->rng);

	emit(c, &v, n);
}

/* One instruction with a memory operand at a data address (usually MMIO). */
static void gen_mem(struct fuzz_code *c)
{
	struct fuzz_rng *r = c->rng;
	const struct memop *m;
	int flags, a16, reg, wild = rng_chance(r, 20);

	do {
		m = &memops[rng_below(r, ARRAY_SIZE(memops))];
	} while ((m->flags & NOT64 && c->mode == HV_MODE_LONG) ||
		 (m->flags & ONLY64 && c->mode != HV_MODE_LONG));
	/* Decide the address size first: the address depends on it. */
	a16 = c->mode == HV_MODE_REAL ? !rng_chance(r, 15) : 0;
	mov_imm(c, RBX, data_addr(c, a16));
	if (rng_chance(r, 50))
		mov_imm(c, RAX, rng_value(r));
	if (rng_chance(r, 20))
		mov_imm(c, RDX, rng_value(r));
	flags = prefixes(c, 25, 0, 15, 5, 5);
	if (c->mode == HV_MODE_REAL ? !a16 : rng_chance(r, 5)) {
		e1(c, 0x67);	/* after REX is wrong, which is fine too */
		flags |= P_67;
	}
	a16 = addr16(c, flags);
	emit(c, m->op, m->nop);
	reg = m->reg;
	if (reg == -1)
		reg = rng_below(r, 8);
	else if (reg == -2)
		reg = 4 + rng_below(r, 4);
	else if (reg == -3)
		reg = rng_below(r, 6);
	modrm(c, reg, a16, wild);
	if (m->imm == IB)
		imm(c, 1);
	else if (m->imm == IZ)
		imm(c, opsize(c, flags) == 2 ? 2 : 4);
}

/* MOV AL/AX/EAX/RAX to or from a memory offset (A0-A3). */
static void gen_moffs(struct fuzz_code *c)
{
	struct fuzz_rng *r = c->rng;
	int flags = prefixes(c, 25, 0, 15, 0, 0);

	e1(c, 0xa0 + rng_below(r, 4));
	if (c->mode == HV_MODE_LONG)
		e8(c, data_addr(c, 0));
	else if (c->mode == HV_MODE_REAL && !(flags & P_67))
		e2(c, data_addr(c, 1));
	else if (c->mode == HV_MODE_PROT32 && (flags & P_67))
		e2(c, rng32(r));
	else
		e4(c, data_addr(c, 0));
}

/* A string instruction (MOVS, STOS, LODS, CMPS, SCAS) over MMIO or RAM. */
static void gen_string(struct fuzz_code *c)
{
	static const uint64_t counts[] = { 0, 1, 2, 3, 4, 7, 16, 33, 255,
					   0x1000, 0xffffffff };
	/* MOVS, CMPS, STOS, LODS, SCAS (A8/A9 are TEST imm) */
	static const uint8_t ops[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab,
				       0xac, 0xad, 0xae, 0xaf };
	struct fuzz_rng *r = c->rng;
	int a16 = c->mode == HV_MODE_REAL;

	mov_imm(c, RSI, data_addr(c, a16));
	mov_imm(c, RDI, rng_chance(r, 50) ? data_addr(c, a16) :
		(a16 ? 0xa000 : DATA_GPA) + rng_below(r, HV_PAGE));
	mov_imm(c, RCX, rng_pick(r, counts));
	mov_imm(c, RAX, rng_value(r));
	if (rng_chance(r, 20))
		e1(c, rng_chance(r, 50) ? 0xfd : 0xfc);	/* STD, CLD */
	prefixes(c, 30, 10, 20, 60, 2);
	e1(c, rng_pick(r, ops));
	if (rng_chance(r, 50))
		e1(c, 0xfc);
}

/* ---- Port I/O ---- */

static uint16_t pick_port(struct fuzz_rng *r)
{
	static const uint16_t ports[] = {
		0x10, 0x11, 0x20, 0x21, 0x40, 0x43, 0x60, 0x64, 0x70, 0x71,
		0x7e, 0x80, 0x92, 0xa0, 0x3f8, 0x3fd, 0xcf8, 0xcfc, 0xcf9,
		0xe9, 0x402, 0x510, 0xfffe, 0xffff,
	};

	return rng_chance(r, 60) ? rng_pick(r, ports) : rng32(r);
}

static void gen_pio(struct fuzz_code *c)
{
	static const uint8_t ops[] = {
		0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef,
		0x6c, 0x6d, 0x6e, 0x6f, 0x6c, 0x6d, 0x6e, 0x6f,
	};
	static const uint64_t counts[] = { 0, 1, 2, 3, 5, 64, 1000, 4097,
					   0x10000, 0xffffffff };
	struct fuzz_rng *r = c->rng;
	uint8_t op = rng_pick(r, ops);
	uint16_t port = pick_port(r);
	int a16 = c->mode == HV_MODE_REAL;

	if (op >= 0x6c && op <= 0x6f) {
		mov_imm(c, RSI, rng_chance(r, 50) ? data_addr(c, a16) :
			(a16 ? 0x9000 : DATA_GPA) + rng_below(r, HV_PAGE));
		mov_imm(c, RDI, rng_chance(r, 50) ? data_addr(c, a16) :
			(a16 ? 0xa000 : DATA_GPA) + rng_below(r, HV_PAGE));
		mov_imm(c, RCX, rng_pick(r, counts));
		if (rng_chance(r, 15))
			e1(c, rng_chance(r, 50) ? 0xfd : 0xfc);
	}
	mov_imm(c, RDX, port);
	mov_imm(c, RAX, rng_value(r));
	prefixes(c, 30, 15, 15, op >= 0x6c && op <= 0x6f ? 60 : 10, 2);
	e1(c, op);
	if (op >= 0xe4 && op <= 0xe7)
		e1(c, port);
	if (op >= 0x6c && op <= 0x6f && rng_chance(r, 50))
		e1(c, 0xfc);
}

/* ---- Instructions the hypervisor handles in the kernel ---- */

static void gen_cpuid(struct fuzz_code *c)
{
	static const uint32_t leaves[] = {
		0, 1, 2, 4, 6, 7, 0xa, 0xb, 0xd, 0xf, 0x10, 0x12, 0x14, 0x19,
		0x1f, 0x20, 0x40000000, 0x40000001, 0x40000010, 0x80000000,
		0x80000001, 0x80000007, 0x80000008, 0x8000000a, 0x8000001f,
		0x80000021, 0x80000100, 0xc0000000, 0xffffffff,
	};
	struct fuzz_rng *r = c->rng;

	mov_imm(c, RAX, rng_chance(r, 70) ? rng_pick(r, leaves) : rng32(r));
	mov_imm(c, RCX, rng_chance(r, 70) ? rng_below(r, 66) : rng32(r));
	e1(c, 0x0f);
	e1(c, 0xa2);
}

/* An MSR index: the ranges KVM and hardware define, and named ones. */
static uint32_t pick_msr(struct fuzz_rng *r)
{
	static const uint32_t named[] = {
		0x10, 0x1b, 0x3a, 0x3b, 0x48, 0x49, 0x8b, 0xc1, 0xe7, 0xe8,
		0xfe, 0x10a, 0x140, 0x174, 0x175, 0x176, 0x179, 0x17a, 0x1a0,
		0x1d9, 0x1dd, 0x277, 0x2ff, 0x38d, 0x38f, 0x480, 0x48d, 0x491,
		0x4d0, 0x6e0, 0x800, 0x802, 0x80f, 0x830, 0x838, 0xda0,
		0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
		0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0000104,
		0xc0010010, 0xc0010015, 0xc0010114, 0xc0010117, 0xc0010131,
		0xc001011e, 0x4b564d00, 0x4b564d01, 0x4b564d02, 0x4b564d03,
		0x4b564d04, 0x40000000, 0x40000001, 0x40000070,
	};

	switch (rng_below(r, 6)) {
	case 0:
		return rng_below(r, 0x2000);
	case 1:
		return 0xc0000000 + rng_below(r, 0x2000);
	case 2:
		return 0xc0010000 + rng_below(r, 0x2000);
	case 3:
		return rng32(r);
	default:
		return rng_pick(r, named);
	}
}

static void gen_msr(struct fuzz_code *c)
{
	struct fuzz_rng *r = c->rng;
	uint64_t v = rng_value(r);
	uint32_t msr = pick_msr(r);

	if (rng_chance(r, 20))	/* EFER, with its bits toggled */
		v = 0x500 ^ (1ULL << rng_below(r, 16));
	/* See fuzz.h: LME without PAE brings QEMU down. */
	if (fuzz_on_qemu && msr == FUZZ_MSR_EFER && c->mode != HV_MODE_LONG)
		v &= ~FUZZ_EFER_LME;
	mov_imm(c, RCX, msr);
	mov_imm(c, RAX, (uint32_t)v);
	mov_imm(c, RDX, v >> 32);
	e1(c, 0x0f);
	switch (rng_below(r, 6)) {
	case 0:
	case 1:
		e1(c, 0x32);	/* RDMSR */
		break;
	case 5:
		e1(c, rng_chance(r, 50) ? 0x31 : 0x33);	/* RDTSC, RDPMC */
		break;
	default:
		e1(c, 0x30);	/* WRMSR */
		break;
	}
}

/* A control register value: the mode's own with a bit flipped, or any. */
static uint64_t cr_value(struct fuzz_code *c, int cr)
{
	struct fuzz_rng *r = c->rng;
	uint64_t base;

	if (rng_chance(r, 30))
		return rng_value(r);
	switch (cr) {
	case 0:
		base = c->mode == HV_MODE_REAL ? 0x10 :
		       c->mode == HV_MODE_PROT32 ? 0x11 : 0x80000011;
		return base ^ (1ULL << rng_pick(r, ((const int[]){
			0, 1, 2, 3, 5, 16, 18, 29, 30, 31, 32 })));
	case 3:
		return rng_chance(r, 50) ? PML4_GPA | rng_below(r, 0x1000) :
		       rng_next(r) & 0xfffffffff000ULL;
	case 4:
		base = c->mode == HV_MODE_LONG ? 0x20 : 0;
		return base ^ (1ULL << rng_below(r, 26));
	case 8:
		return rng_below(r, 17);
	}
	return rng_value(r);
}

/* MOV to or from CR0/2/3/4/8 (and invalid CRs), CLTS, LMSW, SMSW. */
static void gen_cr(struct fuzz_code *c)
{
	static const int crs[] = { 0, 0, 2, 3, 3, 4, 4, 4, 8, 8, 1, 5, 9 };
	struct fuzz_rng *r = c->rng;
	int cr = rng_pick(r, crs), write = rng_chance(r, 60);

	switch (rng_below(r, 10)) {
	case 0:
		e1(c, 0x0f);
		e1(c, 0x06);		/* CLTS */
		return;
	case 1:
		mov_imm(c, RAX, cr_value(c, 0));
		emit(c, "\x0f\x01\xf0", 3);	/* LMSW %ax */
		return;
	case 2:
		emit(c, "\x0f\x01\xe0", 3);	/* SMSW %eax */
		return;
	case 3:
		/* LOCK MOV CR0: CR8 on AMD (CPUID AltMovCr8). */
		mov_imm(c, RAX, rng_below(r, 17));
		emit(c, write ? "\xf0\x0f\x22\xc0" : "\xf0\x0f\x20\xc0", 4);
		return;
	}
	if (write)
		mov_imm(c, RAX, cr_value(c, cr));
	if (cr >= 8) {
		if (c->mode == HV_MODE_LONG)
			e1(c, 0x44);	/* REX.R */
		else
			cr &= 7;
	}
	e1(c, 0x0f);
	e1(c, write ? 0x22 : 0x20);
	e1(c, 0xc0 | (cr & 7) << 3);	/* %rax */
}

/* MOV to or from DR0-DR7 (DR8+ with REX.R: #UD). */
static void gen_dr(struct fuzz_code *c)
{
	struct fuzz_rng *r = c->rng;
	int dr = rng_below(r, 8), write = rng_chance(r, 60);
	uint64_t v = rng_value(r);

	if (dr == 7 && rng_chance(r, 50))	/* breakpoints on our code */
		v = 0x400 | rng_below(r, 0x100) | (rng32(r) & 0xffff0000);
	if (dr < 4 && rng_chance(r, 50))
		v = CODE_GPA + rng_below(r, c->len + 16);
	if ((dr == 7 || dr == 5) && fuzz_on_qemu)
		v &= ~0xffULL;	/* no breakpoint (DR5 is DR7): see fuzz.h */
	if (write)
		mov_imm(c, RAX, v);
	if (c->mode == HV_MODE_LONG && rng_chance(r, 5))
		e1(c, 0x44);
	e1(c, 0x0f);
	e1(c, write ? 0x23 : 0x21);
	e1(c, 0xc0 | dr << 3 |
	   (rng_chance(r, 80) || fuzz_on_qemu ? RAX : rng_below(r, 8)));
}

/* XSETBV / XGETBV, after setting CR4.OSXSAVE now and then. */
static void gen_xsetbv(struct fuzz_code *c)
{
	static const uint32_t xcr0[] = { 0, 1, 2, 3, 5, 7, 0xe7, 0x207,
					 0x2e7, 0x2ff, 0x60000, 0xffffffff };
	struct fuzz_rng *r = c->rng;

	if (rng_chance(r, 60)) {
		emit(c, "\x0f\x20\xe0", 3);		/* MOV %cr4, %eax */
		if (c->mode == HV_MODE_REAL)
			e1(c, 0x66);
		e1(c, 0x0d);				/* OR $OSXSAVE, %eax */
		e4(c, 1 << 18);
		emit(c, "\x0f\x22\xe0", 3);		/* MOV %eax, %cr4 */
	}
	mov_imm(c, RCX, rng_chance(r, 80) ? 0 : rng_value(r));
	mov_imm(c, RAX, rng_chance(r, 80) ? rng_pick(r, xcr0) : rng32(r));
	mov_imm(c, RDX, rng_chance(r, 80) ? 0 : rng32(r));
	emit(c, rng_chance(r, 75) ? "\x0f\x01\xd1" : "\x0f\x01\xd0", 3);
}

/* VMX and SVM instructions, with RAX and [RBX] at data or random. */
static void gen_virt(struct fuzz_code *c)
{
	static const char *const insns[] = {
		"\xf3\x0f\xc7\x33",	/* VMXON (%rbx) */
		"\x0f\x01\xc4",		/* VMXOFF */
		"\x0f\x01\xc1",		/* VMCALL */
		"\x0f\x01\xc2",		/* VMLAUNCH */
		"\x0f\x01\xc3",		/* VMRESUME */
		"\x0f\x78\xc8",		/* VMREAD %rcx, %rax */
		"\x0f\x79\xc1",		/* VMWRITE %rcx, %rax */
		"\x0f\xc7\x33",		/* VMPTRLD (%rbx) */
		"\x0f\xc7\x3b",		/* VMPTRST (%rbx) */
		"\x66\x0f\xc7\x33",	/* VMCLEAR (%rbx) */
		"\x66\x0f\x38\x80\x03",	/* INVEPT (%rbx), %rax */
		"\x66\x0f\x38\x81\x03",	/* INVVPID (%rbx), %rax */
		"\x0f\x01\xd4",		/* VMFUNC */
		"\x0f\x01\xd8",		/* VMRUN */
		"\x0f\x01\xd9",		/* VMMCALL */
		"\x0f\x01\xda",		/* VMLOAD */
		"\x0f\x01\xdb",		/* VMSAVE */
		"\x0f\x01\xdc",		/* STGI */
		"\x0f\x01\xdd",		/* CLGI */
		"\x0f\x01\xde",		/* SKINIT */
		"\x0f\x01\xdf",		/* INVLPGA */
		"\x0f\x37",		/* GETSEC */
		"\x0f\x01\xcf",		/* ENCLS */
		"\x0f\x01\xd7",		/* ENCLU */
		"\x0f\xaa",		/* RSM */
	};
	struct fuzz_rng *r = c->rng;
	const char *insn = rng_pick(r, insns);
	int a16 = c->mode == HV_MODE_REAL;

	mov_imm(c, RAX, rng_chance(r, 60) ?
		(a16 ? 0x9000 : DATA_GPA) + HV_PAGE * rng_below(r, 4) :
		rng_value(r));
	mov_imm(c, RBX, a16 ? 0x9000 : DATA_GPA + 8 * rng_below(r, 16));
	mov_imm(c, RCX, rng_value(r));
	if (a16 && strchr(insn, '\xc7'))
		e1(c, 0x67);	/* [ebx], not [bp+di] */
	emit(c, insn, strlen(insn));
}

/* Exceptions of every kind, and things that triple-fault. */
static void gen_exception(struct fuzz_code *c)
{
	struct fuzz_rng *r = c->rng;
	int a16 = c->mode == HV_MODE_REAL;
	uint64_t flags;

	switch (rng_below(r, 14)) {
	case 0:
		e1(c, 0xcc);			/* INT3 */
		break;
	case 1:
		e1(c, 0xcd);			/* INT n */
		e1(c, rng32(r));
		break;
	case 2:
		e1(c, rng_chance(r, 50) ? 0xce : 0xf1);	/* INTO, ICEBP */
		break;
	case 3:
		emit(c, "\x0f\x0b", 2);		/* UD2 */
		break;
	case 4:
		mov_imm(c, RCX, 0);
		emit(c, "\xf7\xf1", 2);		/* DIV %ecx: #DE */
		break;
	case 5:
		mov_imm(c, RAX, 0x80000000);
		mov_imm(c, RDX, ~0ULL);
		mov_imm(c, RCX, ~0ULL);
		emit(c, "\xf7\xf9", 2);		/* IDIV overflow: #DE */
		break;
	case 6:
		/* #PF (long mode), #GP (non-canonical) or MMIO. */
		mov_imm(c, RBX, c->mode == HV_MODE_LONG ?
			(rng_chance(r, 50) ? 0x8000000000000000ULL :
			 0x7f0000000000ULL) : rng32(r));
		if (a16)
			e1(c, 0x67);
		emit(c, "\x8b\x03", 2);		/* MOV (%rbx), %eax */
		break;
	case 7:
		mov_imm(c, RAX, rng_below(r, 0x10000));
		e1(c, 0x8e);			/* MOV %eax, %ds/%es/%ss/... */
		e1(c, 0xc0 | rng_pick(r, ((const int[]){ 0, 2, 3, 4, 5 })) << 3);
		break;
	case 8:
		/* No IDT, then an exception: a triple fault. */
		mov_imm(c, RBX, a16 ? 0xe000 : DATA_GPA + 0x8000);
		if (a16)
			e1(c, 0x67);
		emit(c, "\x0f\x01\x1b", 3);	/* LIDT (%rbx): zeros */
		emit(c, "\x0f\x0b", 2);
		break;
	case 9:
		/* A random return frame. */
		mov_imm(c, RAX, fuzz_rflags(rng_value(r)));
		e1(c, 0x50);
		e1(c, 0x50);
		e1(c, 0x50);
		if (c->mode == HV_MODE_LONG)
			e1(c, 0x48);
		e1(c, 0xcf);			/* IRET */
		break;
	case 10:
		/* Random flags: TF single-steps, AC, NT, VM, IOPL... */
		flags = rng_chance(r, 50) ? 0x102 | rng32(r) : rng32(r);
		mov_imm(c, RAX, fuzz_rflags(flags));
		e1(c, 0x50);
		e1(c, 0x9d);			/* POPF */
		break;
	case 11:
		/* A stack pointer that faults: #SS, or a wrap. */
		mov_imm(c, RSP, rng_chance(r, 50) ? rng_value(r) : 0);
		e1(c, 0x50);
		break;
	case 12:
		/* #NM: CR0.TS then an FPU instruction. */
		emit(c, "\x0f\x20\xc0", 3);
		if (a16)
			e1(c, 0x66);
		e1(c, 0x0d);
		e4(c, 8);
		emit(c, "\x0f\x22\xc0", 3);
		emit(c, "\xd9\xe8", 2);		/* FLD1 */
		break;
	default:
		e1(c, 0xf4);			/* HLT */
		break;
	}
}

/* Everything else a hypervisor may see, and random bytes. */
static void gen_misc(struct fuzz_code *c)
{
	static const char *const insns[] = {
		"\x0f\x31", "\x0f\x01\xf9", "\x0f\x33", "\xf3\x90", "\x90",
		"\xfb", "\xfa", "\x0f\x09", "\x0f\x08", "\x0f\x01\xc8",
		"\x0f\x01\xc9", "\x0f\x05", "\x0f\x07", "\x0f\x34", "\x0f\x35",
		"\x0f\x01\xf8", "\xf3\x0f\xae\xc0", "\xf3\x0f\xae\xd0",
		"\x0f\xae\xe8", "\x0f\xae\xf0", "\x0f\xae\xf8", "\x0f\x01\xca",
		"\x0f\x01\xcb", "\x0f\x01\xee", "\x0f\x01\xef", "\xdb\xe3",
		"\x9b", "\x0f\xc7\xf0", "\x0f\xc7\xf8", "\xf3\x0f\xc7\xf8",
		"\x0f\x01\xd0", "\x0f\x0d\x00", "\xd7", "\x9e", "\x9f",
		"\x0f\x01\xfa", "\x0f\x01\xfb", "\x0f\xff", "\x0f\xb9\xc0",
		"\xeb\xfe",	/* JMP .: only the timer ends it */
	};
	struct fuzz_rng *r = c->rng;
	const char *insn;
	int n;

	if (rng_chance(r, 15)) {
		for (n = 1 + rng_below(r, 6); n; n--)
			e1(c, no_cli(rng32(r)));
		return;
	}
	insn = rng_pick(r, insns);
	if (insn[0] == '\xeb' && rng_chance(r, 80))
		insn = "\x90";
	insn = keep_if_insn(insn);
	mov_imm(c, RCX, rng_value(r));
	mov_imm(c, RAX, rng_value(r));
	emit(c, insn, strlen(insn));
}

struct gen {
	void (*fn)(struct fuzz_code *c);
	int weight;
};

static const struct gen gens[] = {
	{ gen_mem, 30 },
	{ gen_moffs, 4 },
	{ gen_string, 8 },
	{ gen_pio, 18 },
	{ gen_cpuid, 5 },
	{ gen_msr, 8 },
	{ gen_cr, 6 },
	{ gen_dr, 4 },
	{ gen_xsetbv, 3 },
	{ gen_virt, 4 },
	{ gen_exception, 5 },
	{ gen_misc, 5 },
};

void fuzz_code_random(struct fuzz_code *c, int nchunks)
{
	int total = 0, i, w;

	for (i = 0; i < (int)ARRAY_SIZE(gens); i++)
		total += gens[i].weight;
	while (nchunks-- > 0) {
		w = rng_below(c->rng, total);
		for (i = 0; w >= gens[i].weight; i++)
			w -= gens[i].weight;
		gens[i].fn(c);
	}
}

void fuzz_code_jump_to(struct fuzz_code *c, size_t target)
{
	long rel;

	if (c->mode == HV_MODE_REAL) {
		rel = (long)target - (long)(c->len + 3);
		e1(c, 0xe9);
		e2(c, rel);
	} else {
		rel = (long)target - (long)(c->len + 5);
		e1(c, 0xe9);
		e4(c, rel);
	}
}

void fuzz_code_byte(struct fuzz_code *c, uint8_t b)
{
	e1(c, b);
}
