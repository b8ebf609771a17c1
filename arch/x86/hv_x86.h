/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: what the shared x86 code and the two vendor backends tell each other.
 *
 * The run loop, the handling of each kind of exit (port I/O, MMIO with
 * instruction decode, CPUID, MSRs, XSETBV, control registers) and guest
 * memory access are shared.  A backend enters the guest, turns its
 * hardware's exit information into calls of the hv_x86_handle_* functions
 * below, and gives them access to the state that lives in its VMCS or
 * VMCB through struct hv_arch_ops.
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <linux/bits.h>
#include <linux/types.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../../uapi/linux/hv.h"

struct hv_arch_ops;
struct hv_vcpu;
struct hv_vm;

/* CPUID answers straight from the CPU, whatever the kernel has masked. */
bool vmx_cpu_has_vmx(void);
bool svm_cpu_has_svm(void);

/*
 * Check that this CPU has everything the backend needs, naming the missing
 * feature in a message otherwise.  Return the backend's ops or an ERR_PTR.
 */
const struct hv_arch_ops *vmx_probe(void);
const struct hv_arch_ops *svm_probe(void);

/*
 * An address is canonical when bits 63 down to the most significant one
 * the CPU implements are all equal (SDM vol 1, 3.3.7.1).  A CPU with
 * 5-level paging implements 57 whatever CR4.LA57 says, and WRMSR checks
 * the MSRs that hold an address (FS/GS base, KERNEL_GS_BASE, LSTAR, CSTAR)
 * against that width: a 5-level kernel's GS_BASE is above the 48-bit
 * range.  KVM lets the guest write these straight to the CPU; its own
 * checks (KVM_SET_MSRS, SYSENTER below) use the host's width too in 6.12,
 * the guest's CR4.LA57 in 6.1.
 */
static inline unsigned int hv_va_bits(void)
{
	return boot_cpu_has(X86_FEATURE_LA57) ? 57 : 48;
}

static inline bool hv_is_canonical(u64 addr)
{
	unsigned int shift = 64 - hv_va_bits();

	return (u64)((s64)(addr << shift) >> shift) == addr;
}

/* hv_cpuid.c: the guest's CPUID vendor is AMD's or Hygon's */
bool hv_cpuid_is_amd_compatible(struct hv_vcpu *vcpu);

/*
 * SYSENTER_ESP and SYSENTER_EIP are made canonical rather than refused,
 * as KVM does: AMD ignores their upper half (SYSENTER is legacy-mode only
 * there), and a canonical value keeps VM entry valid on Intel.
 */
static inline u64 hv_canonical(u64 addr)
{
	unsigned int shift = 64 - hv_va_bits();

	return (u64)((s64)(addr << shift) >> shift);
}

/* A valid PAT: every byte a memory type 0, 1, 4, 5, 6 or 7 (SDM 13.12.2). */
static inline bool hv_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (8 * i);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/*
 * EFER after a guest's MOV to CR0 from @old_cr0 to @cr0: turning paging on
 * with EFER.LME enters long mode (LMA), turning it off leaves it (SDM vol
 * 3, 9.8.5; APM vol 2, 14.6.1).  The backends intercept CR0 writes, so
 * they do what the CPU would.
 */
static inline u64 hv_efer_after_cr0(u64 efer, u64 old_cr0, u64 cr0)
{
	if (!(efer & EFER_LME))
		return efer;
	if (!(old_cr0 & X86_CR0_PG) && (cr0 & X86_CR0_PG))
		return efer | EFER_LMA;
	if ((old_cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PG))
		return efer & ~EFER_LMA;
	return efer;
}

/* Vectors the shared code knows (SDM vol 3, table 6-1). */
#define HV_DB_VECTOR	1
#define HV_NMI_VECTOR	2
#define HV_UD_VECTOR	6
#define HV_GP_VECTOR	13
#define HV_PF_VECTOR	14

/*
 * A port I/O exit as the hardware reports it.  @insn_len is the length of
 * the IN/OUT/INS/OUTS instruction; @addr_bytes (2, 4, 8) and @seg (enum
 * hv_seg of the source of OUTS) matter for string instructions only.
 */
struct hv_io_exit {
	u16 port;
	u8 size;
	bool in;
	bool string;
	bool rep;
	u8 addr_bytes;
	u8 seg;
	u8 insn_len;
};

/*
 * Exit handlers return 1 to go back into the guest, 0 to return to
 * userspace with hv_run filled in, or a negative errno for HV_RUN.
 */
int hv_x86_handle_io(struct hv_vcpu *vcpu, const struct hv_io_exit *io);
int hv_x86_handle_gpa_fault(struct hv_vcpu *vcpu, u64 gpa, bool write);
int hv_x86_handle_cpuid(struct hv_vcpu *vcpu, unsigned int insn_len);
int hv_x86_handle_rdmsr(struct hv_vcpu *vcpu, unsigned int insn_len);
int hv_x86_handle_wrmsr(struct hv_vcpu *vcpu, unsigned int insn_len);
int hv_x86_handle_xsetbv(struct hv_vcpu *vcpu, unsigned int insn_len);
int hv_x86_handle_hlt(struct hv_vcpu *vcpu, unsigned int insn_len);
int hv_x86_handle_vmcall(struct hv_vcpu *vcpu, unsigned int insn_len);
/* A #UD the backend intercepted (the exception bitmap has only #UD). */
int hv_x86_handle_ud(struct hv_vcpu *vcpu);
int hv_x86_handle_mov_to_cr(struct hv_vcpu *vcpu, int cr, u64 val,
			    unsigned int insn_len);
int hv_x86_handle_mov_to_cr_gpr(struct hv_vcpu *vcpu, int cr, int gpr,
				unsigned int insn_len);
int hv_x86_handle_mov_from_cr(struct hv_vcpu *vcpu, int cr, int gpr,
			      unsigned int insn_len);
int hv_x86_handle_dr_access(struct hv_vcpu *vcpu);
int hv_x86_handle_shutdown(struct hv_vcpu *vcpu);
/* INIT the vCPU's registers (the backend resets its own state). */
void hv_x86_vcpu_init_event(struct hv_vcpu *vcpu);
int hv_x86_handle_fail_entry(struct hv_vcpu *vcpu, u64 reason);
int hv_x86_handle_unexpected(struct hv_vcpu *vcpu, u64 reason);
int hv_x86_inject_ud(struct hv_vcpu *vcpu);

/*
 * Events (hv_events.c).  The backend calls hv_x86_inject_events() right
 * before each entry, interrupts disabled, and after each exit reports an
 * event whose delivery the exit cut off, to be delivered again.
 */
enum hv_event_kind {
	HV_EVENT_EXCEPTION,	/* a hardware exception */
	HV_EVENT_NMI,
	HV_EVENT_IRQ,		/* an external interrupt */
	HV_EVENT_SOFT,		/* INT n, INT3, INTO: the backend redelivers */
};
void hv_x86_inject_events(struct hv_vcpu *vcpu);
/*
 * Around each entry, interrupts disabled: hv_x86_enter_guest() injects
 * the events, or returns false when the entry must not happen (then back
 * to the run loop with 1); hv_x86_exit_guest() right after the exit.
 */
bool hv_x86_enter_guest(struct hv_vcpu *vcpu);
void hv_x86_exit_guest(struct hv_vcpu *vcpu);
void hv_x86_event_cut_off(struct hv_vcpu *vcpu, enum hv_event_kind kind,
			  unsigned int vector, bool has_error, u32 error);
void hv_x86_queue_exception(struct hv_vcpu *vcpu, unsigned int vector,
			    bool has_error, u32 error);

/* Interrupt shadows, as HV_GET_VCPU_EVENTS reports them (uapi). */
#define HV_X86_SHADOW_MOV_SS	HV_X86_SHADOW_INT_MOV_SS
#define HV_X86_SHADOW_STI	HV_X86_SHADOW_INT_STI

/*
 * For exits that name the instruction but not its length or operands
 * (SVM without next-RIP or decode assists): the shared code fetches and
 * decodes it.  hv_x86_insn_len() returns 0 if it cannot.
 */
struct hv_sys_insn;
int hv_x86_decode_sys(struct hv_vcpu *vcpu, struct hv_sys_insn *insn);
int hv_x86_emulate_cr_dr(struct hv_vcpu *vcpu);
unsigned int hv_x86_insn_len(struct hv_vcpu *vcpu);
int hv_x86_emulation_failed(struct hv_vcpu *vcpu);
int hv_x86_inject_gp(struct hv_vcpu *vcpu);

/* CR8 from the guest or userspace: the APIC's task priority if it has one. */
void hv_x86_set_cr8(struct hv_vcpu *vcpu, u64 cr8);

/* The guest's CR4 and APIC base rules, shared by SET_SREGS and the guest. */
bool hv_x86_cr4_valid(struct hv_vcpu *vcpu, u64 cr4);
bool hv_x86_apic_base_valid(struct hv_vcpu *vcpu, u64 apic_base);

/*
 * The SYSCALL MSRs and KERNEL_GS_BASE (hv_msr.c): the backend loads the
 * guest's before entering the guest, preemption disabled, and puts the
 * host's back in its vcpu_put.
 */
void hv_x86_load_guest_msrs(struct hv_vcpu *vcpu);
void hv_x86_put_guest_msrs(struct hv_vcpu *vcpu);
void hv_x86_msr_reset(struct hv_vcpu *vcpu);

/* The guest's breakpoints, around an entry (hv_x86_run.c). */
bool hv_x86_load_guest_dr(struct hv_vcpu *vcpu);
void hv_x86_put_guest_dr(struct hv_vcpu *vcpu);

/* The guest's FPU registers and XCR0 must be live while it runs. */
void hv_x86_load_guest_fpu(void);
void hv_x86_load_guest_xcr0(struct hv_vcpu *vcpu);
void hv_x86_load_host_xcr0(struct hv_vcpu *vcpu);

/* Guest memory (hv_mmu.c).  0, -ENOENT (not RAM) or -EFAULT. */
int hv_guest_read(struct hv_vm *vm, u64 gpa, void *buf, unsigned int len);
int hv_guest_write(struct hv_vm *vm, u64 gpa, const void *buf,
		   unsigned int len);

/* Second-level page tables (EPT or NPT) built from the memory slots. */
int hv_mmu_init(struct hv_vm *vm);
void hv_mmu_destroy(struct hv_vm *vm);
int hv_mmu_map(struct hv_vcpu *vcpu, u64 gpa, bool write);
void hv_mmu_cache_free(struct hv_vcpu *vcpu);
void hv_mmu_unmap(struct hv_vm *vm, u64 gpa, u64 npages);

#endif /* HV_X86_H */
