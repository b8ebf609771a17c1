/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: the in-kernel irqchip of HV_CREATE_IRQCHIP: the PIC pair
 * (hv_pic.c), the I/O APIC (hv_ioapic.c) and the GSI routing that
 * drives them (hv_irq.c).  The local APICs are hv_lapic.c's.
 */
#ifndef HV_IRQ_H
#define HV_IRQ_H

#include <linux/types.h>

struct hv_vcpu;
struct hv_vm;
struct hv_pic_state;
struct hv_ioapic_state;

#define HV_IOAPIC_BASE		0xfec00000ULL
#define HV_IOAPIC_MEM_LENGTH	0x100

/* hv_pic.c */
int hv_pic_create(struct hv_vm *vm);
void hv_pic_free(struct hv_vm *vm);
int hv_pic_set_irq(struct hv_vm *vm, int pin, int level);
bool hv_pic_pio(struct hv_vm *vm, u16 port, unsigned int size, bool in,
		u32 *val);
bool hv_pic_output(struct hv_vm *vm);
int hv_pic_ack(struct hv_vm *vm);
void hv_pic_get_state(struct hv_vm *vm, int chip, struct hv_pic_state *s);
void hv_pic_set_state(struct hv_vm *vm, int chip,
		      const struct hv_pic_state *s);

/* hv_ioapic.c */
int hv_ioapic_create(struct hv_vm *vm);
void hv_ioapic_free(struct hv_vm *vm);
int hv_ioapic_set_irq(struct hv_vm *vm, int pin, int level,
		      bool line_status);
bool hv_ioapic_mmio(struct hv_vm *vm, u64 gpa, unsigned int len, bool write,
		    void *data);
void hv_ioapic_eoi(struct hv_vcpu *vcpu, int vector, bool level);
void hv_ioapic_rtc_eoi(struct hv_vcpu *vcpu, int vector);
void hv_ioapic_rtc_restore(struct hv_vcpu *vcpu);
void hv_ioapic_get_state(struct hv_vm *vm, struct hv_ioapic_state *s);
void hv_ioapic_set_state(struct hv_vm *vm, const struct hv_ioapic_state *s);

/* hv_pit.c */
bool hv_pit_pio(struct hv_vm *vm, u16 port, bool in, u32 *val);
long hv_pit_vm_ioctl(struct hv_vm *vm, unsigned int ioctl, void __user *argp);
void hv_pit_free(struct hv_vm *vm);
bool hv_pit_reinjects(struct hv_vm *vm);
void hv_pit_acked(struct hv_vm *vm);
void hv_pit_mask_changed(struct hv_vm *vm, bool masked);

/*
 * hv_irq.c: the VM ioctls, a GSI's level from the kernel, the chips'
 * EOIs and mask changes back to the GSIs, and teardown
 */
int hv_irq_set_gsi(struct hv_vm *vm, u32 gsi, int level, bool line_status);
bool hv_irq_has_ack_listener(struct hv_vm *vm, u32 chip, u32 pin);
void hv_irq_acked(struct hv_vm *vm, u32 chip, u32 pin);
void hv_irq_mask_changed(struct hv_vm *vm, u32 chip, u32 pin, bool masked);
/*
 * With a split irqchip: the vectors of the level-triggered MSI routes of
 * userspace's I/O APIC pins that name @vcpu's APIC, into @vectors (256
 * bits).  Takes irq_lock: called by the vCPU's thread, not atomic.
 */
void hv_irq_scan_ioapic_routes(struct hv_vcpu *vcpu, unsigned long *vectors);
long hv_x86_irq_vm_ioctl(struct hv_vm *vm, unsigned int ioctl,
			 void __user *argp);
void hv_x86_irq_vm_free(struct hv_vm *vm);

/* Whether the PIC is in the kernel (HV_CREATE_IRQCHIP). */
bool hv_irqchip_full(struct hv_vm *vm);

#endif /* HV_IRQ_H */
