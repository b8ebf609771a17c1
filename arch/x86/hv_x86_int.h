/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: helpers private to the shared x86 code (arch/x86/hv_*.c).
 */
#ifndef HV_X86_INT_H
#define HV_X86_INT_H

#include <linux/types.h>

struct hv_vcpu;
struct hv_vm;
struct hv_cpuid2;
struct hv_vcpu_events;

/* hv_x86_run.c */
u64 hv_gpr_read(struct hv_vcpu *vcpu, unsigned int reg);
void hv_gpr_write(struct hv_vcpu *vcpu, unsigned int reg, u64 val);
void hv_skip_insn(struct hv_vcpu *vcpu, unsigned int len);
unsigned int hv_code_bytes(struct hv_vcpu *vcpu);
int hv_gva_to_gpa(struct hv_vcpu *vcpu, u64 gva, u64 *gpa);
bool hv_x86_xcr0_settable(struct hv_vcpu *vcpu, u64 val);

/* hv_x86.c */
void hv_x86_vcpu_init_signal(struct hv_vcpu *vcpu);
void hv_x86_deliver_sipi(struct hv_vcpu *vcpu, u8 vector);

/* hv_vcpu_state.c: the state ioctls beyond the registers */
long hv_x86_state_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			void __user *argp);

/* hv_events.c */
void hv_x86_events_reset(struct hv_vcpu *vcpu);
int hv_x86_ioctl_interrupt(struct hv_vcpu *vcpu, u32 irq);
void hv_x86_ioctl_nmi(struct hv_vcpu *vcpu);
bool hv_x86_ready_for_interrupt(struct hv_vcpu *vcpu);
bool hv_x86_accepts_user_irq(struct hv_vcpu *vcpu);
bool hv_x86_nmi_waiting(struct hv_vcpu *vcpu);
bool hv_x86_extint_pending(struct hv_vcpu *vcpu);
int hv_x86_irq_window_exit(struct hv_vcpu *vcpu);
void hv_x86_get_vcpu_events(struct hv_vcpu *vcpu,
			    struct hv_vcpu_events *events);
int hv_x86_set_vcpu_events(struct hv_vcpu *vcpu,
			   struct hv_vcpu_events *events);

/* hv_cpuid.c */
long hv_cpuid_get_supported(struct hv_cpuid2 __user *argp);
long hv_cpuid_set(struct hv_vcpu *vcpu, struct hv_cpuid2 __user *argp);
long hv_cpuid_get(struct hv_vcpu *vcpu, struct hv_cpuid2 __user *argp);
const struct hv_cpuid_entry2 *hv_cpuid_find(struct hv_vcpu *vcpu,
					    u32 function, u32 index);
bool hv_cpuid_has(struct hv_vcpu *vcpu, u32 function, int reg, int bit);
bool hv_cpuid_offered(u32 function, int reg, int bit);
unsigned int hv_cpuid_maxphyaddr(struct hv_vcpu *vcpu);
u64 hv_cpuid_xcr0_allowed(struct hv_vcpu *vcpu);
u64 hv_xcr0_offered(void);
u32 hv_xstate_size(u64 xcr0);

/* hv_msr.c: HV_GET/SET_MSRS and the MSR lists */
long hv_x86_msr_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp);
long hv_x86_msr_dev_ioctl(unsigned int ioctl, void __user *argp);
/* The next HV_RUN after an HV_EXIT_X86_RDMSR or _WRMSR */
int hv_x86_complete_user_msr(struct hv_vcpu *vcpu, bool read);

/* hv_msr_filter.c: HV_X86_SET_MSR_FILTER */
bool hv_msr_allowed(struct hv_vcpu *vcpu, u32 index, u32 type);
long hv_msr_filter_set(struct hv_vm *vm, void __user *argp);
void hv_msr_filter_free(struct hv_vm *vm);

/* hv_tsc.c */
u64 hv_tsc_read(struct hv_vcpu *vcpu);
void hv_tsc_host_write(struct hv_vcpu *vcpu, u64 data);
void hv_tsc_guest_write(struct hv_vcpu *vcpu, u64 data);
void hv_tsc_adjust_write(struct hv_vcpu *vcpu, u64 data, bool host);
void hv_tsc_catch_up(struct hv_vcpu *vcpu);
void hv_tsc_vcpu_init(struct hv_vcpu *vcpu);
void hv_tsc_vm_init(struct hv_vm *vm);
void hv_kvmclock_vm_init(struct hv_vm *vm);
bool hv_x86_pv_has(struct hv_vcpu *vcpu, unsigned int bit);
int hv_x86_sync_regs_in(struct hv_vcpu *vcpu);
void hv_x86_sync_regs_out(struct hv_vcpu *vcpu);
long hv_kvmclock_get_clock(struct hv_vm *vm, struct hv_clock_data __user *p);
long hv_kvmclock_set_clock(struct hv_vm *vm, struct hv_clock_data __user *p);
void hv_kvmclock_update(struct hv_vcpu *vcpu);
int hv_kvmclock_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val);
int hv_kvmclock_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val);
long hv_x86_tsc_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg);
long hv_x86_tsc_vm_ioctl(struct hv_vm *vm, unsigned int ioctl,
			 unsigned long arg);

/* hv_mtrr.c: 0, -EINVAL, or 1 for an index that is not an MTRR */
int hv_mtrr_get(struct hv_vcpu *vcpu, u32 index, u64 *val);
int hv_mtrr_set(struct hv_vcpu *vcpu, u32 index, u64 val);

/* hv_mce.c: the MSRs as hv_mtrr_get/set; the ioctls */
void hv_mce_reset(struct hv_vcpu *vcpu);
int hv_mce_get(struct hv_vcpu *vcpu, u32 index, u64 *val, bool host);
int hv_mce_set(struct hv_vcpu *vcpu, u32 index, u64 val, bool host);
long hv_x86_mce_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp);
long hv_x86_mce_get_cap_supported(void __user *argp);

/* Registers of a CPUID entry, for hv_cpuid_has(). */
enum { HV_EAX, HV_EBX, HV_ECX, HV_EDX };

#endif /* HV_X86_INT_H */
