// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the run loop and the exit handlers both backends share.
 *
 * HV_RUN first completes what the previous exit to userspace left open
 * (the data of an IN or an MMIO read, moving RIP past an OUT), then enters
 * the guest again and again until an exit needs userspace, a signal is
 * pending, or an error occurs.  Each backend's run op enters the guest once
 * and calls the handlers below from its table of exit reasons.
 *
 * The guest-visible rules (when RIP moves, how many items a string I/O
 * exit carries) follow KVM's x86 code, since clients were written against
 * it: OUT and IN move RIP on the next HV_RUN; an MMIO write moves it before
 * the exit, an MMIO read after; OUTS moves one item per exit, INS up to a
 * page or 1024 bytes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/kvm_para.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../../module/hv_internal.h"
#include "hv_decode.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/* ------------------------------------------------------------------ */
/* Registers */

u64 hv_gpr_read(struct hv_vcpu *vcpu, unsigned int reg)
{
	u64 rsp, rip, rflags;

	if (reg != HV_RSP)
		return vcpu->regs[reg];
	hv_arch->get_rsp_rip_rflags(vcpu, &rsp, &rip, &rflags);
	return rsp;
}

void hv_gpr_write(struct hv_vcpu *vcpu, unsigned int reg, u64 val)
{
	u64 rsp, rip, rflags;

	if (reg != HV_RSP) {
		vcpu->regs[reg] = val;
		return;
	}
	hv_arch->get_rsp_rip_rflags(vcpu, &rsp, &rip, &rflags);
	hv_arch->set_rsp_rip_rflags(vcpu, val, rip, rflags);
}

/*
 * Write the low @bytes of a register as an instruction of that operand
 * size does: 8- and 16-bit writes keep the other bits, 32-bit writes clear
 * bits 63:32 (SDM vol 1, 3.4.1.1).
 */
static void hv_gpr_write_sized(struct hv_vcpu *vcpu, unsigned int reg,
			       u64 val, unsigned int bytes, bool high_byte)
{
	u64 old = hv_gpr_read(vcpu, reg);

	switch (bytes) {
	case 1:
		if (high_byte)
			val = (old & ~0xff00ULL) | ((val & 0xff) << 8);
		else
			val = (old & ~0xffULL) | (val & 0xff);
		break;
	case 2:
		val = (old & ~0xffffULL) | (val & 0xffff);
		break;
	case 4:
		val = (u32)val;
		break;
	}
	hv_gpr_write(vcpu, reg, val);
}

/*
 * Past an instruction the shared code emulated: the STI or MOV SS shadow
 * it was in ends with it, as KVM's skip_emulated_instruction() does.
 */
void hv_skip_insn(struct hv_vcpu *vcpu, unsigned int len)
{
	hv_arch->set_rip(vcpu, hv_arch->get_rip(vcpu) + len);
	if (hv_arch->get_interrupt_shadow(vcpu))
		hv_arch->set_interrupt_shadow(vcpu, 0);
}

/* Registers used as addresses wrap at the address size. */
static u64 addr_mask(u64 val, unsigned int addr_bytes)
{
	return addr_bytes == 8 ? val : val & GENMASK_ULL(addr_bytes * 8 - 1, 0);
}

/* Update an address register (RSI, RDI, RCX) at the address size. */
static void addr_reg_add(struct hv_vcpu *vcpu, unsigned int reg, s64 delta,
			 unsigned int addr_bytes)
{
	u64 old = hv_gpr_read(vcpu, reg);
	u64 mask = addr_bytes == 8 ? ~0ULL : GENMASK_ULL(addr_bytes * 8 - 1, 0);
	u64 val = (old & ~mask) | ((old + delta) & mask);

	/* A 32-bit result clears bits 63:32, as for any 32-bit write. */
	if (addr_bytes == 4)
		val = (u32)val;
	hv_gpr_write(vcpu, reg, val);
}

/* Default operand size of the code the guest runs: 2, 4 or 8 bytes. */
unsigned int hv_code_bytes(struct hv_vcpu *vcpu)
{
	struct hv_segment cs;
	struct hv_sregs s;

	hv_arch->get_segment(vcpu, &cs, HV_CS);
	hv_arch->get_sys(vcpu, &s);
	if ((s.efer & EFER_LMA) && cs.l)
		return 8;
	if (!(s.cr0 & X86_CR0_PE))
		return 2;
	return cs.db ? 4 : 2;
}

/* ------------------------------------------------------------------ */
/* Guest linear addresses (SDM vol 3, chapter 4) */

#define PT_P		BIT_ULL(0)
#define PT_PS		BIT_ULL(7)
#define PT_ADDR		GENMASK_ULL(51, 12)

/*
 * Translate a guest linear address through the guest's own page tables.
 * Only presence is checked: hv reaches guest memory for the instruction
 * the guest is executing, whose access the CPU has already allowed.
 */
int hv_gva_to_gpa(struct hv_vcpu *vcpu, u64 gva, u64 *gpa)
{
	struct hv_sregs s;
	u64 table, pte = 0;
	int level, r;

	hv_arch->get_sys(vcpu, &s);
	if (!(s.cr0 & X86_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}
	if (!(s.cr4 & X86_CR4_PAE)) {
		u32 pde, pte32;

		/* 32-bit paging: 4-byte entries, 4-MiB pages with PSE. */
		r = hv_guest_read(vcpu->vm, (s.cr3 & 0xfffff000) +
				  ((gva >> 22) & 0x3ff) * 4, &pde, 4);
		if (r || !(pde & PT_P))
			return -EFAULT;
		if ((pde & PT_PS) && (s.cr4 & X86_CR4_PSE)) {
			*gpa = (pde & 0xffc00000) | (gva & 0x3fffff);
			return 0;
		}
		r = hv_guest_read(vcpu->vm, (pde & 0xfffff000) +
				  ((gva >> 12) & 0x3ff) * 4, &pte32, 4);
		if (r || !(pte32 & PT_P))
			return -EFAULT;
		*gpa = (pte32 & 0xfffff000) | (gva & 0xfff);
		return 0;
	}
	if (s.efer & EFER_LMA) {
		level = s.cr4 & X86_CR4_LA57 ? 5 : 4;
		table = s.cr3 & PT_ADDR;
	} else {
		/* PAE: the PDPTE comes from the 32-byte table at CR3. */
		r = hv_guest_read(vcpu->vm, (s.cr3 & 0xffffffe0) +
				  ((gva >> 30) & 3) * 8, &pte, 8);
		if (r || !(pte & PT_P))
			return -EFAULT;
		level = 2;
		table = pte & PT_ADDR;
		gva = (u32)gva;
	}
	for (; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		r = hv_guest_read(vcpu->vm, table + ((gva >> shift) & 511) * 8,
				  &pte, 8);
		if (r || !(pte & PT_P))
			return -EFAULT;
		if (level == 1 || ((level == 2 || level == 3) && (pte & PT_PS))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = ((pte & PT_ADDR) & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & PT_ADDR;
	}
	return -EFAULT;
}

/* Copy to or from guest linear memory, page by page. */
static int hv_gva_copy(struct hv_vcpu *vcpu, u64 gva, void *buf,
		       unsigned int len, bool write)
{
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa;
		int r;

		r = hv_gva_to_gpa(vcpu, gva, &gpa);
		if (!r)
			r = write ? hv_guest_write(vcpu->vm, gpa, buf, n) :
				    hv_guest_read(vcpu->vm, gpa, buf, n);
		if (r)
			return r;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* The linear address of seg:offset (bases other than FS/GS are 0 in 64-bit). */
static u64 hv_seg_linear(struct hv_vcpu *vcpu, unsigned int seg, u64 offset,
			 unsigned int addr_bytes)
{
	struct hv_segment var;

	if (addr_bytes == 8 && seg != HV_FS && seg != HV_GS)
		return offset;
	hv_arch->get_segment(vcpu, &var, seg);
	offset += var.base;
	return addr_bytes == 8 ? offset : (u32)offset;
}

/* ------------------------------------------------------------------ */
/* Exits to userspace */

static int hv_exit_internal(struct hv_vcpu *vcpu, u32 suberror,
			    unsigned int ndata, const u64 *data)
{
	struct hv_run *run = vcpu->run;
	unsigned int i;

	run->exit_reason = HV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	for (i = 0; i < ndata; i++)
		run->internal.data[i] = data[i];
	return 0;
}

int hv_x86_handle_unexpected(struct hv_vcpu *vcpu, u64 reason)
{
	u64 data[2] = { reason, raw_smp_processor_id() };

	return hv_exit_internal(vcpu, HV_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				2, data);
}

int hv_x86_emulation_failed(struct hv_vcpu *vcpu)
{
	return hv_exit_internal(vcpu, HV_INTERNAL_ERROR_EMULATION, 0, NULL);
}

int hv_x86_handle_shutdown(struct hv_vcpu *vcpu)
{
	vcpu->run->exit_reason = HV_EXIT_SHUTDOWN;
	return 0;
}

int hv_x86_handle_fail_entry(struct hv_vcpu *vcpu, u64 reason)
{
	vcpu->run->exit_reason = HV_EXIT_FAIL_ENTRY;
	vcpu->run->fail_entry.hardware_entry_failure_reason = reason;
	vcpu->run->fail_entry.cpu = raw_smp_processor_id();
	return 0;
}

/*
 * HLT: without an in-kernel local APIC it goes to userspace
 * (KVM_EXIT_HLT); with one the vCPU halts in the kernel until something
 * wakes it (hv_x86_vcpu_block()).
 */
int hv_x86_handle_hlt(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	hv_skip_insn(vcpu, insn_len);
	if (vcpu->x86.apic) {
		vcpu->x86.mp_state = HV_MP_STATE_HALTED;
		return 1;
	}
	vcpu->run->exit_reason = HV_EXIT_HLT;
	return 0;
}

int hv_x86_inject_ud(struct hv_vcpu *vcpu)
{
	hv_x86_queue_exception(vcpu, HV_UD_VECTOR, false, 0);
	return 1;
}

int hv_x86_inject_gp(struct hv_vcpu *vcpu)
{
	hv_x86_queue_exception(vcpu, HV_GP_VECTOR, true, 0);
	return 1;
}

/*
 * VMCALL/VMMCALL, answered as KVM's kvm_emulate_hypercall() answers a VM
 * without Xen or Hyper-V hypercalls, a local APIC or kvmclock: -KVM_EPERM
 * above CPL 0; 0 for VAPIC_POLL_IRQ, KICK_CPU and SCHED_YIELD (nothing to
 * kick or yield to here); SEND_IPI is -KVM_EINVAL with a destination or
 * shorthand in its ICR (RSI), else -EOPNOTSUPP (no APIC map); CLOCK_PAIRING
 * -KVM_EOPNOTSUPP (KVM's answer for a clock type other than 0, and for
 * type 0 on a host whose clocksource is not the TSC; on one that is, KVM
 * writes the time at RBX and returns 0); anything else -KVM_ENOSYS.  Outside 64-bit mode the number and the result are 32
 * bits, RAX's upper half cleared.  Numbers and errors: KVM's uapi
 * kvm_para.h.
 */
#define HV_HC_VAPIC_POLL_IRQ	1
#define HV_HC_KICK_CPU		5
#define HV_HC_CLOCK_PAIRING	9
#define HV_HC_SEND_IPI		10
#define HV_HC_SCHED_YIELD	11
#define HV_HC_EPERM		1
#define HV_HC_EINVAL		22
#define HV_HC_EOPNOTSUPP	95
#define HV_HC_ENOSYS		1000
/* The ICR's destination shorthand and destination mode (SDM vol 3, 11.6.1). */
#define HV_ICR_SHORTHAND_DEST	0xc0800

static u64 hv_hypercall(struct hv_vcpu *vcpu, u64 nr)
{
	struct hv_segment ss;

	hv_arch->get_segment(vcpu, &ss, HV_SS);
	if (ss.dpl)
		return -HV_HC_EPERM;
	switch (nr) {
	case HV_HC_VAPIC_POLL_IRQ:
		return 0;
	case HV_HC_KICK_CPU:
		return hv_x86_pv_has(vcpu, KVM_FEATURE_PV_UNHALT) ?
		       0 : -HV_HC_ENOSYS;
	case HV_HC_SCHED_YIELD:
		return hv_x86_pv_has(vcpu, KVM_FEATURE_PV_SCHED_YIELD) ?
		       0 : -HV_HC_ENOSYS;
	case HV_HC_CLOCK_PAIRING:
		return -HV_HC_EOPNOTSUPP;
	case HV_HC_SEND_IPI:
		if (!hv_x86_pv_has(vcpu, KVM_FEATURE_PV_SEND_IPI))
			return -HV_HC_ENOSYS;
		if (vcpu->regs[HV_RSI] & HV_ICR_SHORTHAND_DEST)
			return -HV_HC_EINVAL;
		return -HV_HC_EOPNOTSUPP;
	}
	return -HV_HC_ENOSYS;
}

int hv_x86_handle_vmcall(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	bool long64 = hv_code_bytes(vcpu) == 8;
	u64 nr = vcpu->regs[HV_RAX], ret;

	ret = hv_hypercall(vcpu, long64 ? nr : (u32)nr);
	vcpu->regs[HV_RAX] = long64 ? ret : (u32)ret;
	hv_skip_insn(vcpu, insn_len);
	return 1;
}

/*
 * #UD, intercepted for one case: the other vendor's hypercall.  KVM
 * emulates VMCALL and VMMCALL on #UD (EmulateOnUD in its emulator): it
 * writes the native instruction over the guest's
 * (KVM_X86_QUIRK_FIX_HYPERCALL_INSN, on by default) and lets the guest
 * run that.  VMMCALL only in protected mode (the emulator's Prot flag:
 * not real mode, not virtual-8086), VMCALL in any.  The bytes are written
 * through the guest's page tables as hv walks them (presence only; KVM
 * would raise #PF for a read-only page).  Every other #UD is the guest's:
 * it gets it back.
 */
#define HV_OPCODE_VMCALL	0xc1	/* 0f 01 c1 */
#define HV_OPCODE_VMMCALL	0xd9	/* 0f 01 d9 */

int hv_x86_handle_ud(struct hv_vcpu *vcpu)
{
	u8 native[3] = { 0x0f, 0x01, hv_arch->hypercall_modrm }, code[3];
	u64 gva = hv_seg_linear(vcpu, HV_CS, hv_arch->get_rip(vcpu),
				hv_code_bytes(vcpu));
	struct hv_sregs s;

	if (hv_gva_copy(vcpu, gva, code, sizeof(code), false) ||
	    code[0] != 0x0f || code[1] != 0x01 || code[2] == native[2] ||
	    (code[2] != HV_OPCODE_VMCALL && code[2] != HV_OPCODE_VMMCALL))
		return hv_x86_inject_ud(vcpu);
	/* The quirk turned off: the guest's #UD is its own (KVM: the same). */
	if (READ_ONCE(vcpu->vm->x86.disabled_quirks) &
	    HV_X86_QUIRK_FIX_HYPERCALL_INSN)
		return hv_x86_inject_ud(vcpu);
	if (code[2] == HV_OPCODE_VMMCALL) {
		hv_arch->get_sys(vcpu, &s);
		if (!(s.cr0 & X86_CR0_PE) ||
		    (hv_arch->get_rflags(vcpu) & X86_EFLAGS_VM))
			return hv_x86_inject_ud(vcpu);
	}
	if (hv_gva_copy(vcpu, gva, native, sizeof(native), true))
		return hv_x86_inject_ud(vcpu);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Port I/O */

#define HV_PIO_DATA_OFFSET	(HV_PIO_PAGE_OFFSET * PAGE_SIZE)
/* KVM reads at most this many bytes ahead for one INS exit. */
#define HV_INS_MAX_BYTES	1024

/*
 * KVM moves RIP past "OUT 0x7e" before the exit, not at the next HV_RUN,
 * for userspace written against its old behaviour (its default quirk
 * KVM_X86_QUIRK_OUT_7E_INC_RIP).
 */
#define HV_PORT_OUT_RIP_FIRST	0x7e

/*
 * CS base + RIP, truncated to 32 bits outside 64-bit mode; in 64-bit mode
 * the base is ignored (SDM 3.4.4).  Reads CS once, and the system
 * registers only when CS.L says 64-bit mode is possible.
 */
static u64 hv_linear_rip(struct hv_vcpu *vcpu)
{
	u64 rip = hv_arch->get_rip(vcpu);
	struct hv_segment cs;
	struct hv_sregs s;

	hv_arch->get_segment(vcpu, &cs, HV_CS);
	if (cs.l) {
		hv_arch->get_sys(vcpu, &s);
		if (s.efer & EFER_LMA)
			return rip;
	}
	return (u32)(cs.base + rip);
}

/*
 * Ports of the in-kernel devices (the PIC pair, ELCR): IN and OUT, not
 * the string forms, which go to userspace.  True if done.
 */
static bool hv_x86_pio_kernel(struct hv_vcpu *vcpu, const struct hv_io_exit *io)
{
	u32 val = vcpu->regs[HV_RAX];

	if (io->string)
		return false;
	/*
	 * The PIT's ports (and 0x61) are its only if HV_CREATE_PIT2 was
	 * (the acquire pairs with hv_pit_create()'s release store).
	 */
	if (!(smp_load_acquire(&vcpu->vm->x86.pit) &&
	      hv_pit_pio(vcpu->vm, io->port, io->in, &val)) &&
	    !(hv_irqchip_full(vcpu->vm) &&
	      hv_pic_pio(vcpu->vm, io->port, io->size, io->in, &val)))
		return false;
	if (io->in)
		hv_gpr_write_sized(vcpu, HV_RAX, val, io->size, false);
	hv_skip_insn(vcpu, io->insn_len);
	return true;
}

int hv_x86_handle_io(struct hv_vcpu *vcpu, const struct hv_io_exit *io)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	struct hv_run *run = vcpu->run;
	u64 count = 1;
	bool df;

	if (hv_x86_pio_kernel(vcpu, io))
		return 1;

	run->exit_reason = HV_EXIT_IO;
	run->io.direction = io->in ? HV_EXIT_IO_IN : HV_EXIT_IO_OUT;
	run->io.size = io->size;
	run->io.port = io->port;
	run->io.count = 1;
	run->io.data_offset = HV_PIO_DATA_OFFSET;
	x->insn_len = io->insn_len;
	x->io_size = io->size;
	x->io_count = 1;
	x->io_rep = io->rep;
	x->io_addr_bytes = io->addr_bytes;

	if (!io->string) {
		x->io_rip = hv_linear_rip(vcpu);
		if (io->in) {
			x->pending = HV_PENDING_PIO_IN;
		} else if (io->port == HV_PORT_OUT_RIP_FIRST) {
			memcpy(vcpu->pio_data, &vcpu->regs[HV_RAX], io->size);
			hv_skip_insn(vcpu, io->insn_len);
		} else {
			memcpy(vcpu->pio_data, &vcpu->regs[HV_RAX], io->size);
			x->pending = HV_PENDING_PIO_OUT;
		}
		return 0;
	}

	df = hv_arch->get_rflags(vcpu) & X86_EFLAGS_DF;
	if (io->rep) {
		count = addr_mask(vcpu->regs[HV_RCX], io->addr_bytes);
		if (!count) {
			hv_skip_insn(vcpu, io->insn_len);
			return 1;
		}
	}

	if (!io->in) {
		/* OUTS: one item per exit; RIP stays until RCX runs out. */
		u64 rsi = addr_mask(vcpu->regs[HV_RSI], io->addr_bytes);
		u64 gva = hv_seg_linear(vcpu, io->seg, rsi, io->addr_bytes);

		if (hv_gva_copy(vcpu, gva, vcpu->pio_data, io->size, false))
			return hv_x86_emulation_failed(vcpu);
		addr_reg_add(vcpu, HV_RSI, df ? -io->size : io->size,
			     io->addr_bytes);
		if (io->rep)
			addr_reg_add(vcpu, HV_RCX, -1, io->addr_bytes);
		if (!io->rep || count == 1)
			hv_skip_insn(vcpu, io->insn_len);
		x->pending = HV_PENDING_NONE;
		return 0;
	}

	/* INS: as many items as fit before the page ends, up to 1024 bytes. */
	if (io->rep) {
		u64 rdi = vcpu->regs[HV_RDI];
		u64 in_page = df ? offset_in_page(rdi) :
				   PAGE_SIZE - offset_in_page(rdi);

		count = min3(in_page, (u64)HV_INS_MAX_BYTES / io->size, count);
		if (!count)
			count = 1;
	}
	run->io.count = count;
	x->io_count = count;
	x->pending = HV_PENDING_INS;
	return 0;
}

/* INS completes: the items userspace wrote go to ES:RDI. */
static int hv_complete_ins(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	bool df = hv_arch->get_rflags(vcpu) & X86_EFLAGS_DF;
	unsigned int addr_bytes = x->io_addr_bytes;
	unsigned int size = x->io_size, i, n = x->io_count;

	/*
	 * Userspace may have changed RCX meanwhile: as on KVM, the
	 * instruction goes on from the count RCX has now, and only as many
	 * items as that count asks for are taken from the data.
	 */
	if (x->io_rep)
		n = min_t(u64, n, addr_mask(vcpu->regs[HV_RCX], addr_bytes));
	for (i = 0; i < n; i++) {
		u64 rdi = addr_mask(vcpu->regs[HV_RDI], addr_bytes);
		u64 gva = hv_seg_linear(vcpu, HV_ES, rdi, addr_bytes);

		if (hv_gva_copy(vcpu, gva, vcpu->pio_data + i * size, size,
				true))
			return hv_x86_emulation_failed(vcpu);
		addr_reg_add(vcpu, HV_RDI, df ? -(s64)size : size, addr_bytes);
		if (x->io_rep)
			addr_reg_add(vcpu, HV_RCX, -1, addr_bytes);
	}
	if (!x->io_rep || !addr_mask(vcpu->regs[HV_RCX], addr_bytes))
		hv_skip_insn(vcpu, x->insn_len);
	return 1;
}

/* ------------------------------------------------------------------ */
/* MMIO */

static int hv_fetch_insn(struct hv_vcpu *vcpu, unsigned int bytes, u8 *code,
			 unsigned int *n)
{
	u64 gva = hv_seg_linear(vcpu, HV_CS, hv_arch->get_rip(vcpu), bytes);
	unsigned int first = min_t(u64, HV_INSN_MAX,
				   PAGE_SIZE - (gva & ~PAGE_MASK));

	if (hv_gva_copy(vcpu, gva, code, first, false))
		return -EFAULT;
	*n = first;
	/* The rest may be on the next page, which may not exist. */
	if (first < HV_INSN_MAX &&
	    !hv_gva_copy(vcpu, gva + first, code + first, HV_INSN_MAX - first,
			 false))
		*n = HV_INSN_MAX;
	return 0;
}

/* Where a decoded MMIO load puts its data (hv_mmio_load()). */
static void hv_mmio_prepare_load(struct hv_vcpu *vcpu,
				 const struct hv_insn *insn)
{
	struct hv_x86_vcpu *x = &vcpu->x86;

	x->mmio_gpr = insn->reg;
	x->mmio_extend = insn->extend;
	x->mmio_dst_size = insn->reg_size;
	x->io_size = insn->mem_size;
	/* A byte load into AH..BH: remembered as register + 16. */
	if (insn->high_byte)
		x->mmio_gpr += 16;
}

static void hv_mmio_load(struct hv_vcpu *vcpu, const void *data);

/* The value a decoded MMIO store writes. */
static u64 hv_mmio_store_value(struct hv_vcpu *vcpu,
			       const struct hv_insn *insn)
{
	u64 val;

	if (insn->op == HV_INSN_STORE_IMM)
		return insn->imm;
	val = hv_gpr_read(vcpu, insn->reg);
	if (insn->high_byte)
		val >>= 8;
	return val;
}

/*
 * A decoded MMIO access: with an in-kernel local APIC, its page is
 * handled here, without an exit; anything else goes to userspace.  KVM
 * has finished a write before it exits; a read completes at the next
 * HV_RUN.
 */
static int hv_x86_mmio(struct hv_vcpu *vcpu, u64 gpa,
		       const struct hv_insn *insn)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	struct hv_run *run = vcpu->run;
	bool write = insn->op != HV_INSN_LOAD;
	u8 data[8] = { 0 };
	u64 val;

	if (write) {
		val = hv_mmio_store_value(vcpu, insn);
		memcpy(data, &val, insn->mem_size);
	}
	if (vcpu->x86.apic &&
	    (hv_lapic_mmio(vcpu, gpa, insn->mem_size, write, data) ||
	     hv_ioapic_mmio(vcpu->vm, gpa, insn->mem_size, write, data))) {
		if (write) {
			hv_skip_insn(vcpu, insn->len);
		} else {
			hv_mmio_prepare_load(vcpu, insn);
			x->insn_len = insn->len;
			hv_mmio_load(vcpu, data);
		}
		return 1;
	}

	run->exit_reason = HV_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn->mem_size;
	run->mmio.is_write = write;
	memcpy(run->mmio.data, data, sizeof(run->mmio.data));
	x->insn_len = insn->len;
	if (write) {
		hv_skip_insn(vcpu, insn->len);
		x->pending = HV_PENDING_NONE;
	} else {
		hv_mmio_prepare_load(vcpu, insn);
		x->pending = HV_PENDING_MMIO_READ;
	}
	return 0;
}

/*
 * The guest touched @gpa and the second-level tables do not map it: map
 * it if a slot backs it, else emulate the access as MMIO.
 */
int hv_x86_handle_gpa_fault(struct hv_vcpu *vcpu, u64 gpa, bool write)
{
	u8 code[HV_INSN_MAX];
	struct hv_insn insn;
	unsigned int n, bytes;
	int r;

	r = hv_mmu_map(vcpu, gpa, write);
	if (r <= 0)
		return r ? r : 1;

	bytes = hv_code_bytes(vcpu);
	if (hv_fetch_insn(vcpu, bytes, code, &n) ||
	    hv_decode(code, n, bytes, &insn))
		return hv_x86_emulation_failed(vcpu);

	return hv_x86_mmio(vcpu, gpa, &insn);
}

static void hv_mmio_load(struct hv_vcpu *vcpu, const void *data)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	bool high = x->mmio_gpr >= 16;
	u64 val = 0;

	memcpy(&val, data, x->io_size);
	if (x->mmio_extend == 2)
		val = x->io_size == 1 ? (u64)(s64)(s8)val : (u64)(s64)(s16)val;
	hv_gpr_write_sized(vcpu, x->mmio_gpr & 15, val, x->mmio_dst_size, high);
	hv_skip_insn(vcpu, x->insn_len);
}

/* Finish what the last exit to userspace left open. */
static int hv_complete_userspace(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	enum hv_pending pending = x->pending;
	u64 val;

	x->pending = HV_PENDING_NONE;
	switch (pending) {
	case HV_PENDING_NONE:
		return 1;
	case HV_PENDING_PIO_OUT:
		/* Userspace moved RIP meanwhile: it chose where to go on. */
		if (hv_linear_rip(vcpu) == x->io_rip)
			hv_skip_insn(vcpu, x->insn_len);
		return 1;
	case HV_PENDING_PIO_IN:
		/* The same, and then the data is not the guest's either. */
		if (hv_linear_rip(vcpu) != x->io_rip)
			return 1;
		val = 0;
		memcpy(&val, vcpu->pio_data, x->io_size);
		hv_gpr_write_sized(vcpu, HV_RAX, val, x->io_size, false);
		hv_skip_insn(vcpu, x->insn_len);
		return 1;
	case HV_PENDING_INS:
		return hv_complete_ins(vcpu);
	case HV_PENDING_MMIO_READ:
		hv_mmio_load(vcpu, vcpu->run->mmio.data);
		return 1;
	case HV_PENDING_RDMSR:
	case HV_PENDING_WRMSR:
		return hv_x86_complete_user_msr(vcpu,
						pending == HV_PENDING_RDMSR);
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Control and debug registers, XSETBV */

/* Reload the PAE PDPTEs after CR0/CR3/CR4 changed (if the backend needs). */
static int hv_load_pdptrs(struct hv_vcpu *vcpu, u64 cr3)
{
	u64 pdptrs[4];
	int i;

	if (!hv_arch->load_pdptrs)
		return 0;
	if (hv_guest_read(vcpu->vm, cr3 & 0xffffffe0, pdptrs, sizeof(pdptrs)))
		return -EINVAL;
	/* Reserved bits of a present PDPTE (SDM 4.4.1). */
	for (i = 0; i < 4; i++)
		if ((pdptrs[i] & PT_P) && (pdptrs[i] & 0x1e6))
			return -EINVAL;
	hv_arch->load_pdptrs(vcpu, pdptrs);
	return 0;
}

/* MOV to CR0 with the checks of SDM vol 3, 2.5 and 9.8.5. */
static int hv_set_cr0(struct hv_vcpu *vcpu, u64 cr0)
{
	struct hv_segment cs;
	struct hv_sregs s;

	hv_arch->get_sys(vcpu, &s);
	cr0 |= X86_CR0_ET;
	if (cr0 >> 32)
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if (!(s.cr0 & X86_CR0_PG) && (cr0 & X86_CR0_PG)) {
		if (s.efer & EFER_LME) {
			hv_arch->get_segment(vcpu, &cs, HV_CS);
			if (!(s.cr4 & X86_CR4_PAE) || cs.l)
				return -EINVAL;
		} else if (s.cr4 & X86_CR4_PAE) {
			if (hv_load_pdptrs(vcpu, s.cr3))
				return -EINVAL;
		}
	}
	if ((s.cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PG) &&
	    (s.efer & EFER_LMA)) {
		hv_arch->get_segment(vcpu, &cs, HV_CS);
		if (cs.l)
			return -EINVAL;
	}
	hv_arch->set_cr0(vcpu, cr0);
	return 0;
}

static int hv_set_cr4(struct hv_vcpu *vcpu, u64 cr4)
{
	struct hv_sregs s;

	hv_arch->get_sys(vcpu, &s);
	if (!hv_x86_cr4_valid(vcpu, cr4))
		return -EINVAL;
	if (s.efer & EFER_LMA) {
		if (!(cr4 & X86_CR4_PAE) ||
		    ((cr4 ^ s.cr4) & X86_CR4_LA57))
			return -EINVAL;
	} else if ((s.cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) &&
		   ((cr4 ^ s.cr4) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE))) {
		if (hv_load_pdptrs(vcpu, s.cr3))
			return -EINVAL;
	}
	/* PCIDE may only be set in long mode with CR3[11:0] = 0. */
	if ((cr4 & X86_CR4_PCIDE) && !(s.cr4 & X86_CR4_PCIDE) &&
	    (!(s.efer & EFER_LMA) || (s.cr3 & 0xfff)))
		return -EINVAL;
	hv_arch->set_cr4(vcpu, cr4);
	return 0;
}

int hv_x86_handle_mov_to_cr(struct hv_vcpu *vcpu, int cr, u64 val,
			    unsigned int insn_len)
{
	int r;

	switch (cr) {
	case 0:
		r = hv_set_cr0(vcpu, val);
		break;
	case 4:
		r = hv_set_cr4(vcpu, val);
		break;
	case 8:
		r = (val & ~0xfULL) ? -EINVAL : 0;
		if (!r)
			hv_x86_set_cr8(vcpu, val);
		break;
	default:
		return hv_x86_handle_unexpected(vcpu, cr);
	}
	if (r)
		return hv_x86_inject_gp(vcpu);
	hv_skip_insn(vcpu, insn_len);
	return 1;
}

/*
 * MOV to CR from a general-purpose register: outside 64-bit mode the
 * operand is 32 bits and the register's upper half is ignored (SDM vol 2,
 * MOV--Move to/from Control Registers).
 */
int hv_x86_handle_mov_to_cr_gpr(struct hv_vcpu *vcpu, int cr, int gpr,
				unsigned int insn_len)
{
	u64 val = hv_gpr_read(vcpu, gpr);

	if (hv_code_bytes(vcpu) != 8)
		val = (u32)val;
	return hv_x86_handle_mov_to_cr(vcpu, cr, val, insn_len);
}

int hv_x86_handle_mov_from_cr(struct hv_vcpu *vcpu, int cr, int gpr,
			      unsigned int insn_len)
{
	struct hv_sregs s;
	u64 val;

	if (cr == 8) {
		val = vcpu->cr8;
	} else if (cr == 0 || cr == 3 || cr == 4) {
		hv_arch->get_sys(vcpu, &s);
		val = cr == 0 ? s.cr0 : cr == 3 ? s.cr3 : s.cr4;
	} else {
		return hv_x86_handle_unexpected(vcpu, cr);
	}
	/* Outside 64-bit mode the operand is 32 bits (SDM vol 2, MOV CR). */
	if (hv_code_bytes(vcpu) != 8)
		val = (u32)val;
	hv_gpr_write(vcpu, gpr, val);
	hv_skip_insn(vcpu, insn_len);
	return 1;
}

/*
 * MOV DR: as KVM does, the first access hands the debug registers to the
 * guest: MOV DR stops exiting, the instruction runs again, now in the
 * guest, and the guest's DR0-DR3 and DR6 are in the CPU while it runs
 * (hv_x86_load_guest_dr()).  At the next exit hv takes them back and
 * MOV DR exits again.  So the CPU checks every rule of MOV DR (DR4/DR5
 * and CR4.DE, reserved bits, DR7.GD) and a guest's breakpoints behave as
 * on hardware; DR7 lives in the VMCS/VMCB.  Returns 1: run the guest.
 */
int hv_x86_handle_dr_access(struct hv_vcpu *vcpu)
{
	vcpu->x86.dr_direct = true;
	hv_arch->intercept_dr(vcpu, false);
	return 1;
}

/* DR7's L0-L3 and G0-G3 (SDM vol 3, 18.2.4). */
#define HV_DR7_ENABLES	0xffUL

/*
 * Interrupts off, just before entry: the guest's DR0-DR3 go into the CPU
 * when it accesses them directly or its DR7 arms a breakpoint.  The
 * host's DR7 is cleared first: a host breakpoint (ptrace, perf) must not
 * fire on a guest's address meanwhile.  Returns whether they are loaded;
 * the caller then loads DR6 its own way (VMX does not switch it, SVM
 * keeps it in the VMCB) and calls hv_x86_put_guest_dr() after the exit.
 */
bool hv_x86_load_guest_dr(struct hv_vcpu *vcpu)
{
	if (!vcpu->x86.dr_direct &&
	    !(hv_arch->get_dr7(vcpu) & HV_DR7_ENABLES))
		return false;
	set_debugreg(0UL, 7);
	set_debugreg(vcpu->x86.dr[0], 0);
	set_debugreg(vcpu->x86.dr[1], 1);
	set_debugreg(vcpu->x86.dr[2], 2);
	set_debugreg(vcpu->x86.dr[3], 3);
	return true;
}

/*
 * Interrupts off, after the exit (which left DR7 at 0x400): take back
 * what the guest may have written without exiting, make MOV DR exit
 * again, and restore the host's breakpoints if it has any.  Without,
 * DR0-DR3 may keep the guest's values: nothing enables them.
 */
void hv_x86_put_guest_dr(struct hv_vcpu *vcpu)
{
	if (vcpu->x86.dr_direct) {
		get_debugreg(vcpu->x86.dr[0], 0);
		get_debugreg(vcpu->x86.dr[1], 1);
		get_debugreg(vcpu->x86.dr[2], 2);
		get_debugreg(vcpu->x86.dr[3], 3);
		vcpu->x86.dr_direct = false;
		hv_arch->intercept_dr(vcpu, true);
	}
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/* ------------------------------------------------------------------ */
/* Exits that say which instruction, not its length or operands */

int hv_x86_decode_sys(struct hv_vcpu *vcpu, struct hv_sys_insn *insn)
{
	unsigned int n, bytes = hv_code_bytes(vcpu);
	u8 code[HV_INSN_MAX];

	if (hv_fetch_insn(vcpu, bytes, code, &n) ||
	    hv_decode_sys(code, n, bytes, insn))
		return -EINVAL;
	return 0;
}

/*
 * A control or debug register access, CLTS, LMSW or SMSW, decoded from
 * the guest's code (SVM without decode assists).
 */
int hv_x86_emulate_cr_dr(struct hv_vcpu *vcpu)
{
	struct hv_sys_insn insn;
	struct hv_sregs s;
	u64 val;

	if (hv_x86_decode_sys(vcpu, &insn))
		return hv_x86_emulation_failed(vcpu);
	hv_arch->get_sys(vcpu, &s);
	switch (insn.kind) {
	case HV_SYS_MOV_CR:
		if (!insn.write)
			return hv_x86_handle_mov_from_cr(vcpu, insn.reg,
							 insn.gpr, insn.len);
		return hv_x86_handle_mov_to_cr_gpr(vcpu, insn.reg, insn.gpr,
						   insn.len);
	case HV_SYS_MOV_DR:
		return hv_x86_handle_dr_access(vcpu);
	case HV_SYS_CLTS:
		return hv_x86_handle_mov_to_cr(vcpu, 0, s.cr0 & ~X86_CR0_TS,
					       insn.len);
	case HV_SYS_LMSW:
		/* Bits 3:0 of CR0; LMSW cannot clear PE (SDM vol 2, LMSW). */
		val = hv_gpr_read(vcpu, insn.gpr) & 0xf;
		val |= s.cr0 & X86_CR0_PE;
		return hv_x86_handle_mov_to_cr(vcpu, 0, (s.cr0 & ~0xfULL) | val,
					       insn.len);
	case HV_SYS_SMSW:
		hv_gpr_write_sized(vcpu, insn.gpr, s.cr0,
				   insn.op_bytes == 2 ? 2 : 8, false);
		hv_skip_insn(vcpu, insn.len);
		return 1;
	default:
		return hv_x86_emulation_failed(vcpu);
	}
}

/* The length of the instruction that exited, or 0 if it cannot be read. */
unsigned int hv_x86_insn_len(struct hv_vcpu *vcpu)
{
	struct hv_sys_insn insn;

	return hv_x86_decode_sys(vcpu, &insn) ? 0 : insn.len;
}

/*
 * Whether XCR0 may hold VAL (SDM vol 1, 13.3): x87 always on, AVX needs
 * SSE, MPX's two components together, AVX-512's three together and with
 * AVX, AMX's two together.  A value the CPU refuses would fault in hv's
 * own XSETBV at the next entry, in the host.  hv offers only x87, SSE and
 * AVX today (hv_cpuid_xcr0_allowed()), so only the first two rules can
 * be reached; the others keep any wider offer safe.
 */
static bool hv_xcr0_valid(u64 val)
{
	const u64 mpx = XFEATURE_MASK_BNDREGS | XFEATURE_MASK_BNDCSR;
	const u64 amx = XFEATURE_MASK_XTILE_CFG | XFEATURE_MASK_XTILE_DATA;

	if (!(val & XFEATURE_MASK_FP))
		return false;
	if ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))
		return false;
	if ((val & mpx) && (val & mpx) != mpx)
		return false;
	if ((val & XFEATURE_MASK_AVX512) &&
	    ((val & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
	     !(val & XFEATURE_MASK_YMM)))
		return false;
	return !(val & amx) || (val & amx) == amx;
}

/* An XCR0 with bits the guest's CPUID and the host allow, and valid. */
bool hv_x86_xcr0_settable(struct hv_vcpu *vcpu, u64 val)
{
	return !(val & ~hv_cpuid_xcr0_allowed(vcpu)) && hv_xcr0_valid(val);
}

/* XSETBV: only XCR0 (hv_x86_xcr0_settable()), else #GP. */
int hv_x86_handle_xsetbv(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	u64 val = (vcpu->regs[HV_RDX] << 32) | (u32)vcpu->regs[HV_RAX];

	if ((u32)vcpu->regs[HV_RCX] != 0 || !hv_x86_xcr0_settable(vcpu, val))
		return hv_x86_inject_gp(vcpu);
	vcpu->x86.xcr0 = val;
	hv_skip_insn(vcpu, insn_len);
	return 1;
}

/*
 * Interrupts off, right before an entry: the guest's x87/SSE/AVX state must
 * be in the registers.  fpu_swap_kvm_fpstate() put it there when HV_RUN
 * began, but if the thread was scheduled out since (preemption, or
 * cond_resched() between two entries) another task's state may be in them
 * now and still counted as that task's.  Without this reload the guest
 * would read and change that task's registers, and its own changes would
 * be lost (KVM's vcpu_enter_guest() does the same).
 */
void hv_x86_load_guest_fpu(void)
{
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

/*
 * Called with interrupts off around the guest's run.  @entry_xcr0 is
 * what XCR0 holds while the guest runs: the guest's with CR4.OSXSAVE
 * set, else the host's.
 */
void hv_x86_load_guest_xcr0(struct hv_vcpu *vcpu)
{
	struct hv_sregs s;

	vcpu->x86.host_xcr0 = 0;
	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	vcpu->x86.host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	vcpu->x86.entry_xcr0 = vcpu->x86.host_xcr0;
	hv_arch->get_sys(vcpu, &s);
	if (!(s.cr4 & X86_CR4_OSXSAVE))
		return;
	vcpu->x86.entry_xcr0 = vcpu->x86.xcr0;
	if (vcpu->x86.xcr0 != vcpu->x86.host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->x86.xcr0);
}

/*
 * After the run.  The host gets its XCR0 back whenever XCR0 is not the
 * host's, not only when the value hv holds for the guest is not.  On
 * hardware XCR0 is still @entry_xcr0 here (XSETBV always exits: VMX
 * unconditionally, SVM by hv's intercept), but an emulator may run the
 * guest's XSETBV itself (QEMU 7.2's SVM, Documentation/testing.rst): then
 * XCR0 holds what the guest wrote, the host's FPU state must never be
 * saved or restored under it, and hv takes it as the guest's XCR0 (if
 * the guest's CPUID allows it), so that the next entry does not undo
 * the guest's write and CPUID 0xD reports its size, as after an XSETBV
 * exit.  One XGETBV per exit.
 */
void hv_x86_load_host_xcr0(struct hv_vcpu *vcpu)
{
	u64 xcr0;

	if (!vcpu->x86.host_xcr0)
		return;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (xcr0 == vcpu->x86.entry_xcr0 && xcr0 == vcpu->x86.host_xcr0)
		return;
	if (xcr0 != vcpu->x86.host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->x86.host_xcr0);
	/* hv_x86_xcr0_settable() reads the host's XCR0: after the restore. */
	if (xcr0 != vcpu->x86.entry_xcr0 && hv_x86_xcr0_settable(vcpu, xcr0))
		vcpu->x86.xcr0 = xcr0;
}

/* ------------------------------------------------------------------ */
/* The run loop */

static void hv_x86_post_run(struct hv_vcpu *vcpu)
{
	struct hv_run *run = vcpu->run;
	bool if_flag = hv_arch->get_rflags(vcpu) & X86_EFLAGS_IF;

	run->if_flag = if_flag;
	run->cr8 = vcpu->cr8;
	run->apic_base = vcpu->apic_base;
	run->ready_for_interrupt_injection = hv_x86_ready_for_interrupt(vcpu);
}

/*
 * The backend calls this with interrupts disabled right before it enters
 * the guest; false: do not enter (a signal or a reschedule is due, or new
 * routes of a split irqchip must be scanned), back to the run loop.  From
 * the store of the mode on, a kick interrupts this CPU, which makes the
 * guest exit at once; so an interrupt delivered after
 * hv_x86_inject_events() looked is never left waiting in IRR while the
 * guest runs (hv_vcpu_kick()).
 */
bool hv_x86_enter_guest(struct hv_vcpu *vcpu)
{
	/* Off on this CPU: a reboot began (the loop ends with EIO). */
	if (unlikely(!hv_cpu_virt_enabled())) {
		vcpu->x86.virt_off = true;
		return false;
	}
	/* The mode before IRR is read: pairs with the senders' barrier. */
	smp_store_mb(vcpu->mode, HV_IN_GUEST);
	if (need_resched() || signal_pending(current) ||
	    (vcpu->x86.apic && hv_lapic_rescan_due(vcpu))) {
		WRITE_ONCE(vcpu->mode, HV_OUTSIDE_GUEST);
		return false;
	}
	hv_x86_inject_events(vcpu);
	return true;
}

/* After the exit, interrupts still disabled. */
void hv_x86_exit_guest(struct hv_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->mode, HV_OUTSIDE_GUEST);
}

/*
 * A halted vCPU (or one waiting for INIT or SIPI) sleeps until one of
 * the events that end its wait comes, or a signal.  While it waits
 * nothing changes its RFLAGS or NMI blocking, so whether it could take
 * an interrupt or an NMI is looked at once.
 */
static bool hv_x86_wake_event(struct hv_vcpu *vcpu, bool irq_ok, bool nmi_ok)
{
	if (vcpu->x86.mp_state != HV_MP_STATE_HALTED)
		return hv_lapic_has_init_sipi(vcpu);
	if (nmi_ok && hv_x86_nmi_waiting(vcpu))
		return true;
	if (irq_ok && hv_x86_extint_pending(vcpu))
		return true;
	return hv_lapic_has_wake_event(vcpu, irq_ok);
}

static void hv_x86_vcpu_block(struct hv_vcpu *vcpu)
{
	bool halted = vcpu->x86.mp_state == HV_MP_STATE_HALTED;
	bool irq_ok = halted && hv_arch->interrupt_allowed(vcpu);
	bool nmi_ok = halted && hv_arch->nmi_allowed(vcpu);

	wait_event_interruptible(vcpu->wq,
				 hv_x86_wake_event(vcpu, irq_ok, nmi_ok));
	hv_lapic_sync(vcpu);
	hv_lapic_accept_init_sipi(vcpu);
	if (vcpu->x86.mp_state != HV_MP_STATE_HALTED)
		return;
	/* A timer whose LVT entry is masked does not end the halt. */
	if ((nmi_ok && hv_x86_nmi_waiting(vcpu)) ||
	    (irq_ok && (hv_x86_extint_pending(vcpu) ||
			hv_lapic_pending_vector(vcpu) >= 0)))
		vcpu->x86.mp_state = HV_MP_STATE_RUNNABLE;
}

/*
 * HV_RUN on an application processor that has not had INIT yet: as on
 * KVM, wait for INIT or SIPI, take it, and return EAGAIN (EINTR if a
 * signal came) without entering the guest.
 */
static int hv_x86_run_uninitialized(struct hv_vcpu *vcpu)
{
	if (READ_ONCE(vcpu->run->immediate_exit))
		return -EINTR;
	wait_event_interruptible(vcpu->wq, hv_lapic_has_init_sipi(vcpu));
	hv_lapic_accept_init_sipi(vcpu);
	if (signal_pending(current)) {
		vcpu->run->exit_reason = HV_EXIT_INTR;
		return -EINTR;
	}
	return -EAGAIN;
}

int hv_x86_run(struct hv_vcpu *vcpu)
{
	struct hv_run *run = vcpu->run;
	int r;

	run->flags = 0;
	if (vcpu->x86.apic &&
	    vcpu->x86.mp_state == HV_MP_STATE_UNINITIALIZED) {
		r = hv_x86_run_uninitialized(vcpu);
		goto done;
	}
	/* Register sharing (HV_CAP_SYNC_REGS), in KVM's order. */
	if ((READ_ONCE(run->kvm_valid_regs) | READ_ONCE(run->kvm_dirty_regs)) &
	    ~HV_SYNC_X86_VALID_FIELDS) {
		r = -EINVAL;
		goto done;
	}
	if (READ_ONCE(run->kvm_dirty_regs)) {
		r = hv_x86_sync_regs_in(vcpu);
		if (r)
			goto done;
	}
	/* Without an in-kernel APIC, userspace owns the TPR (CR8). */
	if (!vcpu->x86.apic) {
		if (run->cr8 & ~0xfULL)
			return -EINVAL;
		vcpu->cr8 = run->cr8;
	}

	fpu_swap_kvm_fpstate(&vcpu->x86.guest_fpu, true);
	r = hv_complete_userspace(vcpu);
	if (r <= 0)
		goto out;
	/* Userspace asked only to complete the last exit. */
	if (READ_ONCE(run->immediate_exit)) {
		r = -EINTR;
		goto out;
	}

	for (;;) {
		/* Before anything else, as KVM's KVM_REQ_TRIPLE_FAULT. */
		if (vcpu->x86.ev.triple_fault) {
			vcpu->x86.ev.triple_fault = false;
			r = hv_x86_handle_shutdown(vcpu);
			break;
		}
		if (signal_pending(current)) {
			run->exit_reason = HV_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();
		/*
		 * The EOI exit of a split irqchip, then its new routes, as
		 * KVM's requests before it takes INIT and SIPI.
		 */
		if (vcpu->x86.apic &&
		    vcpu->x86.mp_state == HV_MP_STATE_RUNNABLE) {
			r = hv_lapic_ioapic_requests(vcpu);
			if (r <= 0)
				break;
		}
		/* INIT and SIPI from another vCPU (KVM: accept_events). */
		if (vcpu->x86.apic && hv_lapic_has_init_sipi(vcpu))
			hv_lapic_accept_init_sipi(vcpu);
		if (vcpu->x86.mp_state != HV_MP_STATE_RUNNABLE) {
			hv_x86_vcpu_block(vcpu);
			r = hv_x86_irq_window_exit(vcpu);
			if (r <= 0)
				break;
			continue;
		}
		if (vcpu->x86.tsc_catchup)
			hv_tsc_catch_up(vcpu);
		if (READ_ONCE(vcpu->x86.kvmclock_dirty))
			hv_kvmclock_update(vcpu);
		r = hv_arch->run(vcpu);
		if (unlikely(vcpu->x86.virt_off)) {
			vcpu->x86.virt_off = false;
			r = -EIO;
			break;
		}
		vcpu->x86.ran = true;
		if (r > 0)
			r = hv_x86_irq_window_exit(vcpu);
		if (r <= 0)
			break;
	}
out:
	fpu_swap_kvm_fpstate(&vcpu->x86.guest_fpu, false);
done:
	if (READ_ONCE(run->kvm_valid_regs))
		hv_x86_sync_regs_out(vcpu);
	hv_x86_post_run(vcpu);
	return r;
}
