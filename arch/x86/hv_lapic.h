/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: the in-kernel local APIC (hv_lapic.c), as the rest of the shared x86
 * code sees it.
 */
#ifndef HV_LAPIC_H
#define HV_LAPIC_H

#include <linux/types.h>

struct hv_vcpu;
struct hv_vm;
struct hv_lapic_state;
struct hv_msi;

/* The APIC base MSR (SDM vol 3, 11.4.4). */
#define HV_APIC_BASE_DEFAULT	0xfee00000ULL
#define HV_APIC_BASE_BSP	BIT_ULL(8)
#define HV_APIC_BASE_X2APIC	BIT_ULL(10)
#define HV_APIC_BASE_ENABLE	BIT_ULL(11)
#define HV_APIC_BASE_ADDR	(~0xfffULL)

/* The x2APIC MSRs: 0x800 + (xAPIC register offset >> 4). */
#define HV_X2APIC_MSR_FIRST	0x800
#define HV_X2APIC_MSR_LAST	0x8ff

int hv_lapic_create(struct hv_vcpu *vcpu);
void hv_lapic_free(struct hv_vcpu *vcpu);
void hv_lapic_reset(struct hv_vcpu *vcpu, bool init);
void hv_lapic_cpuid_changed(struct hv_vcpu *vcpu);

/* The APIC base MSR: EINVAL for a value or a change the rules refuse. */
int hv_lapic_set_base(struct hv_vcpu *vcpu, u64 val, bool host);

/* CR8 and the task priority. */
u64 hv_lapic_get_cr8(struct hv_vcpu *vcpu);
void hv_lapic_set_cr8(struct hv_vcpu *vcpu, u64 cr8);

/*
 * The xAPIC page: true if @gpa is in the vCPU's APIC page, in which case
 * the access is done (@data read or written, @len bytes).
 */
bool hv_lapic_mmio(struct hv_vcpu *vcpu, u64 gpa, unsigned int len,
		   bool write, void *data);

/* x2APIC MSRs: 0, or -EINVAL for a #GP. */
int hv_lapic_x2apic_read(struct hv_vcpu *vcpu, u32 msr, u64 *val);
int hv_lapic_x2apic_write(struct hv_vcpu *vcpu, u32 msr, u64 val);
u64 hv_lapic_get_tscdeadline(struct hv_vcpu *vcpu);
void hv_lapic_set_tscdeadline(struct hv_vcpu *vcpu, u64 val);

/*
 * Interrupts for the guest, in the vCPU's own context.
 * hv_lapic_pending_vector(): the vector the APIC would give the CPU now,
 * or -1.  hv_lapic_accept(): the CPU takes it (IRR to ISR).
 */
void hv_lapic_sync(struct hv_vcpu *vcpu);
int hv_lapic_pending_vector(struct hv_vcpu *vcpu);
void hv_lapic_accept(struct hv_vcpu *vcpu, int vector);
bool hv_lapic_accepts_extint(struct hv_vcpu *vcpu);
bool hv_lapic_has_wake_event(struct hv_vcpu *vcpu, bool irq_allowed);
bool hv_lapic_has_init_sipi(struct hv_vcpu *vcpu);
void hv_lapic_accept_init_sipi(struct hv_vcpu *vcpu);
void hv_lapic_set_sipi_pending(struct hv_vcpu *vcpu);
void hv_lapic_set_sipi_vector(struct hv_vcpu *vcpu, u8 vector);

/* HV_GET_LAPIC / HV_SET_LAPIC */
void hv_lapic_get_state(struct hv_vcpu *vcpu, struct hv_lapic_state *s);
int hv_lapic_set_state(struct hv_vcpu *vcpu, struct hv_lapic_state *s);

/* The I/O APIC's messages (hv_ioapic.c). */
int hv_lapic_deliver_ioapic(struct hv_vm *vm, u32 dest, bool logical,
			    int mode, int vector, bool level,
			    unsigned long *taken);
bool hv_lapic_pending_eoi(struct hv_vcpu *vcpu, u32 dest, bool logical,
			  int vector);
bool hv_lapic_is_dest(struct hv_vcpu *vcpu, u32 dest, bool logical);

/* The PIT's ticks to every LVT0 while one is in NMI mode (hv_pit.c). */
void hv_lapic_nmi_watchdog(struct hv_vm *vm);

/* HV_SIGNAL_MSI: as KVM's kvm_send_userspace_msi(). */
int hv_lapic_signal_msi(struct hv_vm *vm, const struct hv_msi *msi);

/*
 * The split irqchip's HV_EXIT_IOAPIC_EOI.  hv_lapic_routes_changed():
 * HV_SET_GSI_ROUTING replaced the table.  hv_lapic_msi_level_vector():
 * for the scan of the routes, the vector of a level-triggered MSI that
 * names the vCPU's APIC, else -1.  hv_lapic_ioapic_requests(): before an
 * entry, 0 for the exit (run structure filled), else 1.
 * hv_lapic_rescan_due(): an entry must wait for the scan.
 */
void hv_lapic_routes_changed(struct hv_vm *vm);
int hv_lapic_msi_level_vector(struct hv_vcpu *vcpu, const struct hv_msi *msi);
int hv_lapic_ioapic_requests(struct hv_vcpu *vcpu);
bool hv_lapic_rescan_due(struct hv_vcpu *vcpu);

#endif /* HV_LAPIC_H */
