// SPDX-License-Identifier: GPL-2.0
/*
 * hv: running an SVM guest and handling its #VMEXITs.
 *
 * svm_run() enters the guest once, with interrupts disabled and GIF clear
 * from just before VMRUN until the host's state is back (vmrun.S), then
 * hands the exit to one handler per exit code (svm_exit_handlers[]).
 * Handlers turn the VMCB's exit information into the shared x86 handlers'
 * terms (arch/x86/hv_x86.h).
 *
 * Physical interrupts and NMIs are intercepted: the #VMEXIT leaves them
 * pending (GIF is clear), and the host takes them through its own IDT as
 * soon as STGI and the enabling of interrupts allow.
 *
 * Without next-RIP saving (QEMU's emulated SVM has none) an exit does not
 * say how long the instruction was, and without decode assists a CR or DR
 * access does not say which register it used: the shared code then reads
 * and decodes the instruction (hv_x86_insn_len(), hv_x86_emulate_cr_dr()).
 * Port I/O always reports the next RIP (APM vol 2, 15.10.2).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>

#include "../hv_x86.h"
#include "../hv_x86_int.h"
#include "svm.h"

/*
 * The length of the instruction that exited: from next_rip when the CPU
 * saves it, else decoded from guest memory (0 if it cannot be read).
 */
static unsigned int svm_insn_len(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	if (svm_config.nrips && svm->vmcb->control.next_rip)
		return svm->vmcb->control.next_rip - svm->vmcb->save.rip;
	return hv_x86_insn_len(vcpu);
}

/* Hand an instruction exit to a shared handler that wants its length. */
static int svm_with_len(struct hv_vcpu *vcpu, struct svm_vcpu *svm,
			int (*handle)(struct hv_vcpu *vcpu, unsigned int len))
{
	unsigned int len = svm_insn_len(vcpu, svm);

	return len ? handle(vcpu, len) : hv_x86_emulation_failed(vcpu);
}

static int svm_exit_nothing(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return 1;
}

/*
 * After a shutdown intercept the VMCB's state is undefined (APM vol 2,
 * 15.12 "Shutdown").  KVM puts the vCPU through INIT before it reports
 * KVM_EXIT_SHUTDOWN, so userspace then reads RIP 0xfff0 and the reset
 * segments; hv does the same, so both answer alike.
 */
static int svm_exit_shutdown(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	svm_vcpu_init(vcpu);
	hv_x86_vcpu_init_event(vcpu);
	return hv_x86_handle_shutdown(vcpu);
}

static int svm_exit_cpuid(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return svm_with_len(vcpu, svm, hv_x86_handle_cpuid);
}

static int svm_exit_hlt(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return svm_with_len(vcpu, svm, hv_x86_handle_hlt);
}

static int svm_exit_msr(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	unsigned int len = svm_insn_len(vcpu, svm);

	if (!len)
		return hv_x86_emulation_failed(vcpu);
	if (svm->vmcb->control.exit_info_1)
		return hv_x86_handle_wrmsr(vcpu, len);
	return hv_x86_handle_rdmsr(vcpu, len);
}

static int svm_exit_xsetbv(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return svm_with_len(vcpu, svm, hv_x86_handle_xsetbv);
}

static int svm_exit_vmmcall(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return svm_with_len(vcpu, svm, hv_x86_handle_vmcall);
}

/* INVD: the guest's caches are the host's; nothing to do but skip it. */
static int svm_exit_skip(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	unsigned int len = svm_insn_len(vcpu, svm);

	if (!len)
		return hv_x86_emulation_failed(vcpu);
	svm->vmcb->save.rip += len;
	return 1;
}

static int svm_exit_gp(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return hv_x86_inject_gp(vcpu);
}

/* SVM instructions, RDTSCP, MONITOR/MWAIT: hv offers none (#UD, as KVM). */
static int svm_exit_ud(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return hv_x86_inject_ud(vcpu);
}

/* An intercepted #UD: the only exception intercepted. */
static int svm_exit_excp_ud(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return hv_x86_handle_ud(vcpu);
}

/*
 * CR0/CR4 and DR accesses.  With decode assists (and next-RIP) a MOV's
 * register is in exit_info_1 bits 3:0, and for CRs bit 63 says it was a
 * MOV (APM vol 2, "Decode Assists"); CLTS, LMSW, SMSW, and every access
 * on a CPU without them, are decoded from the guest's code.
 */
#define SVM_CR_INFO_MOV		BIT_ULL(63)
#define SVM_CR_DR_INFO_GPR(i)	((i) & 0xf)

static int svm_exit_cr_dr(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	u64 code = svm->vmcb->control.exit_code;
	u64 info = svm->vmcb->control.exit_info_1;
	int gpr = SVM_CR_DR_INFO_GPR(info), reg = code & 0xf;
	unsigned int len;

	if (code >= SVM_EXIT_READ_DR0)
		return hv_x86_handle_dr_access(vcpu);
	if (!svm_config.decode_assists || !svm_config.nrips)
		return hv_x86_emulate_cr_dr(vcpu);
	len = svm_insn_len(vcpu, svm);
	if (!(info & SVM_CR_INFO_MOV))
		return hv_x86_emulate_cr_dr(vcpu);
	if (code >= SVM_EXIT_WRITE_CR0)
		return hv_x86_handle_mov_to_cr_gpr(vcpu, reg, gpr, len);
	return hv_x86_handle_mov_from_cr(vcpu, reg, gpr, len);
}

/*
 * The address size of an IN/OUT: EXITINFO1 has exactly one of A16, A32
 * and A64 set (APM vol 2, 15.10.2).  QEMU's TCG SVM was seen to report
 * none for a string I/O; then the code segment's default address size is
 * the one left to use.
 */
static unsigned int svm_io_addr_bytes(struct hv_vcpu *vcpu, u64 info)
{
	switch ((info >> SVM_IOIO_ADDR_SHIFT) & 7) {
	case 1:
		return 2;
	case 2:
		return 4;
	case 4:
		return 8;
	}
	return hv_code_bytes(vcpu);
}

static int svm_exit_io(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	u64 info = svm->vmcb->control.exit_info_1;
	struct hv_io_exit io = {
		.port = info >> SVM_IOIO_PORT_SHIFT,
		.size = (info >> SVM_IOIO_SIZE_SHIFT) & 7,
		.in = info & SVM_IOIO_IN,
		.string = info & SVM_IOIO_STR,
		.rep = info & SVM_IOIO_REP,
		.addr_bytes = svm_io_addr_bytes(vcpu, info),
		.seg = HV_DS,
		/* exit_info_2 is the next RIP, with or without NRIPS. */
		.insn_len = svm->vmcb->control.exit_info_2 -
			    svm->vmcb->save.rip,
	};

	/* The segment of OUTS is reported with decode assists only. */
	if (io.string && svm_config.decode_assists)
		io.seg = (info >> SVM_IOIO_SEG_SHIFT) & 7;
	return hv_x86_handle_io(vcpu, &io);
}

static int svm_exit_npf(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	return hv_x86_handle_gpa_fault(vcpu, svm->vmcb->control.exit_info_2,
				       svm->vmcb->control.exit_info_1 &
				       SVM_NPF_WRITE);
}

static const svm_exit_handler svm_exit_handlers[SVM_NR_EXIT_CODES] = {
	[SVM_EXIT_READ_CR0 ... SVM_EXIT_WRITE_DR15] = svm_exit_cr_dr,
	[SVM_EXIT_EXCP_DB]	= svm_exit_excp_db,
	[SVM_EXIT_EXCP_UD]	= svm_exit_excp_ud,
	[SVM_EXIT_INTR]		= svm_exit_nothing,
	[SVM_EXIT_NMI]		= svm_exit_nothing,
	/* The interrupt window opened (svm_events_after_exit() closed it). */
	[SVM_EXIT_VINTR]	= svm_exit_nothing,
	[SVM_EXIT_RDPMC]	= svm_exit_gp,
	[SVM_EXIT_CPUID]	= svm_exit_cpuid,
	[SVM_EXIT_IRET]		= svm_exit_iret,
	[SVM_EXIT_INVD]		= svm_exit_skip,
	[SVM_EXIT_HLT]		= svm_exit_hlt,
	[SVM_EXIT_INVLPGA]	= svm_exit_ud,
	[SVM_EXIT_IOIO]		= svm_exit_io,
	[SVM_EXIT_MSR]		= svm_exit_msr,
	[SVM_EXIT_SHUTDOWN]	= svm_exit_shutdown,
	[SVM_EXIT_VMRUN]	= svm_exit_ud,
	[SVM_EXIT_VMMCALL]	= svm_exit_vmmcall,
	[SVM_EXIT_VMLOAD]	= svm_exit_ud,
	[SVM_EXIT_VMSAVE]	= svm_exit_ud,
	[SVM_EXIT_STGI]		= svm_exit_ud,
	[SVM_EXIT_CLGI]		= svm_exit_ud,
	[SVM_EXIT_SKINIT]	= svm_exit_ud,
	[SVM_EXIT_RDTSCP]	= svm_exit_ud,
	[SVM_EXIT_MONITOR]	= svm_exit_ud,
	[SVM_EXIT_MWAIT]	= svm_exit_ud,
	[SVM_EXIT_MWAIT_COND]	= svm_exit_ud,
	[SVM_EXIT_XSETBV]	= svm_exit_xsetbv,
};

/* ------------------------------------------------------------------ */
/* The run */

int svm_run(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	svm_exit_handler handler;
	u64 code;

	preempt_disable();
	local_irq_disable();
	/* A signal or a reschedule that came meanwhile: not into the guest. */
	if (!hv_x86_enter_guest(vcpu)) {
		local_irq_enable();
		preempt_enable();
		return 1;
	}
	hv_x86_load_guest_fpu();
	if (!svm_asid_current(svm))
		svm_new_asid(svm);
	svm->vmcb->save.rax = vcpu->regs[HV_RAX];
	c->int_ctl = (c->int_ctl & ~SVM_INT_CTL_V_TPR) |
		     (vcpu->cr8 & SVM_INT_CTL_V_TPR);

	/* VMRUN loads DR6 and DR7 from the VMCB, #VMEXIT saves them. */
	svm->vmcb->save.dr6 = vcpu->x86.dr[6];

	asm volatile("clgi" : : : "memory");
	hv_x86_load_guest_dr(vcpu);
	hv_x86_load_guest_xcr0(vcpu);
	svm_enter_guest(svm->vmcb_pa, vcpu->regs, svm_host_save_pa());
	hv_x86_load_host_xcr0(vcpu);
	/* #VMEXIT leaves DR7 at its reset value (APM 15.5.1). */
	hv_x86_put_guest_dr(vcpu);
	asm volatile("stgi" : : : "memory");

	hv_x86_exit_guest(vcpu);
	vcpu->regs[HV_RAX] = svm->vmcb->save.rax;
	vcpu->x86.dr[6] = svm->vmcb->save.dr6;
	/* Changed by the guest only where its CR8 writes do not exit. */
	if ((c->int_ctl & SVM_INT_CTL_V_TPR) != vcpu->cr8)
		hv_x86_set_cr8(vcpu, c->int_ctl & SVM_INT_CTL_V_TPR);
	c->tlb_ctl = SVM_TLB_FLUSH_NONE;
	c->event_inj = 0;
	local_irq_enable();
	preempt_enable();

	code = c->exit_code;
	/*
	 * VMEXIT_INVALID is -1; QEMU stores only its low 32 bits.  KVM
	 * reports those 32 bits, and so does hv.
	 */
	if (lower_32_bits(code) == lower_32_bits(SVM_EXIT_INVALID))
		return hv_x86_handle_fail_entry(vcpu, lower_32_bits(code));
	svm_events_after_exit(vcpu, svm);
	if (code == SVM_EXIT_NPF)
		return svm_exit_npf(vcpu, svm);
	handler = code < SVM_NR_EXIT_CODES ? svm_exit_handlers[code] : NULL;
	if (!handler)
		return hv_x86_handle_unexpected(vcpu, code);
	return handler(vcpu, svm);
}

/*
 * Nested page table entries were removed: no CPU may keep translations
 * cached under any ASID it gave out.  Each CPU starts a new ASID
 * generation (its next VMRUN flushes its TLB); the IPI makes a CPU that
 * runs a vCPU of this VM exit first.
 */
void svm_flush_guest_tlbs(struct hv_vm *vm)
{
	on_each_cpu(svm_retire_asids, NULL, 1);
}
