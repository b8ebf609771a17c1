// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-time check that uapi/linux/hv.h declares KVM's ABI: every ioctl
 * number, constant and structure layout must equal <linux/kvm.h>'s.  The
 * build fails on the first difference.
 */
#include <stddef.h>
#include <linux/kvm.h>

#include "../uapi/linux/hv.h"

#define SAME(hv, kvm) _Static_assert((hv) == (kvm), #hv " != " #kvm)
/* The same size, and each named field at the same offset. */
#define SAME_SIZE(s) SAME(sizeof(struct hv_##s), sizeof(struct kvm_##s))
#define SAME_FIELD(s, f) \
	SAME(offsetof(struct hv_##s, f), offsetof(struct kvm_##s, f))

SAME(HVIO, KVMIO);
SAME(HV_API_VERSION, KVM_API_VERSION);
SAME(HV_GET_API_VERSION, KVM_GET_API_VERSION);
SAME(HV_CREATE_VM, KVM_CREATE_VM);
SAME(HV_CHECK_EXTENSION, KVM_CHECK_EXTENSION);
SAME(HV_GET_VCPU_MMAP_SIZE, KVM_GET_VCPU_MMAP_SIZE);

SAME(HV_CAP_IRQCHIP, KVM_CAP_IRQCHIP);
SAME(HV_CAP_HLT, KVM_CAP_HLT);
SAME(HV_CAP_USER_MEMORY, KVM_CAP_USER_MEMORY);
SAME(HV_CAP_SET_TSS_ADDR, KVM_CAP_SET_TSS_ADDR);
SAME(HV_CAP_EXT_CPUID, KVM_CAP_EXT_CPUID);
SAME(HV_CAP_NR_VCPUS, KVM_CAP_NR_VCPUS);
SAME(HV_CAP_NR_MEMSLOTS, KVM_CAP_NR_MEMSLOTS);
SAME(HV_CAP_COALESCED_MMIO, KVM_CAP_COALESCED_MMIO);
SAME(HV_CAP_IRQ_ROUTING, KVM_CAP_IRQ_ROUTING);
SAME(HV_CAP_IRQ_INJECT_STATUS, KVM_CAP_IRQ_INJECT_STATUS);
SAME(HV_CAP_PIT2, KVM_CAP_PIT2);
SAME(HV_CAP_IMMEDIATE_EXIT, KVM_CAP_IMMEDIATE_EXIT);
SAME(HV_CAP_SYNC_MMU, KVM_CAP_SYNC_MMU);
SAME(HV_CAP_MAX_VCPUS, KVM_CAP_MAX_VCPUS);
SAME(HV_CAP_READONLY_MEM, KVM_CAP_READONLY_MEM);
SAME(HV_CAP_MAX_VCPU_ID, KVM_CAP_MAX_VCPU_ID);

SAME(HV_CREATE_VCPU, KVM_CREATE_VCPU);
SAME(HV_SET_USER_MEMORY_REGION, KVM_SET_USER_MEMORY_REGION);
SAME(HV_SET_TSS_ADDR, KVM_SET_TSS_ADDR);
SAME(HV_RUN, KVM_RUN);
SAME(HV_GET_REGS, KVM_GET_REGS);
SAME(HV_SET_REGS, KVM_SET_REGS);
SAME(HV_GET_SREGS, KVM_GET_SREGS);
SAME(HV_SET_SREGS, KVM_SET_SREGS);

SAME(HV_MEM_LOG_DIRTY_PAGES, KVM_MEM_LOG_DIRTY_PAGES);
SAME(HV_MEM_READONLY, KVM_MEM_READONLY);
SAME_SIZE(userspace_memory_region);
SAME_FIELD(userspace_memory_region, slot);
SAME_FIELD(userspace_memory_region, flags);
SAME_FIELD(userspace_memory_region, guest_phys_addr);
SAME_FIELD(userspace_memory_region, memory_size);
SAME_FIELD(userspace_memory_region, userspace_addr);

SAME_SIZE(regs);
SAME_FIELD(regs, rax);
SAME_FIELD(regs, rsp);
SAME_FIELD(regs, r15);
SAME_FIELD(regs, rip);
SAME_FIELD(regs, rflags);

SAME_SIZE(segment);
SAME_FIELD(segment, base);
SAME_FIELD(segment, limit);
SAME_FIELD(segment, selector);
SAME_FIELD(segment, type);
SAME_FIELD(segment, present);
SAME_FIELD(segment, dpl);
SAME_FIELD(segment, db);
SAME_FIELD(segment, s);
SAME_FIELD(segment, l);
SAME_FIELD(segment, g);
SAME_FIELD(segment, avl);
SAME_FIELD(segment, unusable);
SAME_SIZE(dtable);
SAME_FIELD(dtable, limit);

SAME_SIZE(sregs);
SAME_FIELD(sregs, cs);
SAME_FIELD(sregs, ds);
SAME_FIELD(sregs, es);
SAME_FIELD(sregs, fs);
SAME_FIELD(sregs, gs);
SAME_FIELD(sregs, ss);
SAME_FIELD(sregs, tr);
SAME_FIELD(sregs, ldt);
SAME_FIELD(sregs, gdt);
SAME_FIELD(sregs, idt);
SAME_FIELD(sregs, cr0);
SAME_FIELD(sregs, cr2);
SAME_FIELD(sregs, cr3);
SAME_FIELD(sregs, cr4);
SAME_FIELD(sregs, cr8);
SAME_FIELD(sregs, efer);
SAME_FIELD(sregs, apic_base);
SAME_FIELD(sregs, interrupt_bitmap);

SAME(HV_EXIT_UNKNOWN, KVM_EXIT_UNKNOWN);
SAME(HV_EXIT_EXCEPTION, KVM_EXIT_EXCEPTION);
SAME(HV_EXIT_IO, KVM_EXIT_IO);
SAME(HV_EXIT_HYPERCALL, KVM_EXIT_HYPERCALL);
SAME(HV_EXIT_DEBUG, KVM_EXIT_DEBUG);
SAME(HV_EXIT_HLT, KVM_EXIT_HLT);
SAME(HV_EXIT_MMIO, KVM_EXIT_MMIO);
SAME(HV_EXIT_IRQ_WINDOW_OPEN, KVM_EXIT_IRQ_WINDOW_OPEN);
SAME(HV_EXIT_SHUTDOWN, KVM_EXIT_SHUTDOWN);
SAME(HV_EXIT_FAIL_ENTRY, KVM_EXIT_FAIL_ENTRY);
SAME(HV_EXIT_INTR, KVM_EXIT_INTR);
SAME(HV_EXIT_INTERNAL_ERROR, KVM_EXIT_INTERNAL_ERROR);
SAME(HV_INTERNAL_ERROR_EMULATION, KVM_INTERNAL_ERROR_EMULATION);
SAME(HV_INTERNAL_ERROR_SIMUL_EX, KVM_INTERNAL_ERROR_SIMUL_EX);
SAME(HV_INTERNAL_ERROR_DELIVERY_EV, KVM_INTERNAL_ERROR_DELIVERY_EV);
SAME(HV_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
	KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
SAME(HV_EXIT_IO_IN, KVM_EXIT_IO_IN);
SAME(HV_EXIT_IO_OUT, KVM_EXIT_IO_OUT);
SAME(HV_PIO_PAGE_OFFSET, KVM_PIO_PAGE_OFFSET);
SAME(HV_COALESCED_MMIO_PAGE_OFFSET, KVM_COALESCED_MMIO_PAGE_OFFSET);

SAME_SIZE(run);
SAME_FIELD(run, request_interrupt_window);
SAME_FIELD(run, immediate_exit);
SAME_FIELD(run, exit_reason);
SAME_FIELD(run, ready_for_interrupt_injection);
SAME_FIELD(run, if_flag);
SAME_FIELD(run, flags);
SAME_FIELD(run, cr8);
SAME_FIELD(run, apic_base);
SAME_FIELD(run, hw.hardware_exit_reason);
SAME_FIELD(run, fail_entry.hardware_entry_failure_reason);
SAME_FIELD(run, fail_entry.cpu);
SAME_FIELD(run, ex.exception);
SAME_FIELD(run, ex.error_code);
SAME_FIELD(run, io.direction);
SAME_FIELD(run, io.size);
SAME_FIELD(run, io.port);
SAME_FIELD(run, io.count);
SAME_FIELD(run, io.data_offset);
SAME_FIELD(run, mmio.phys_addr);
SAME_FIELD(run, mmio.data);
SAME_FIELD(run, mmio.len);
SAME_FIELD(run, mmio.is_write);
SAME_FIELD(run, internal.suberror);
SAME_FIELD(run, internal.ndata);
SAME_FIELD(run, internal.data);
SAME_FIELD(run, kvm_valid_regs);
SAME_FIELD(run, kvm_dirty_regs);
SAME_FIELD(run, s);

SAME(HV_GET_SUPPORTED_CPUID, KVM_GET_SUPPORTED_CPUID);
SAME(HV_SET_CPUID2, KVM_SET_CPUID2);
SAME(HV_GET_CPUID2, KVM_GET_CPUID2);
SAME(HV_CPUID_FLAG_SIGNIFCANT_INDEX, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
SAME_SIZE(cpuid_entry2);
SAME_FIELD(cpuid_entry2, function);
SAME_FIELD(cpuid_entry2, index);
SAME_FIELD(cpuid_entry2, flags);
SAME_FIELD(cpuid_entry2, eax);
SAME_FIELD(cpuid_entry2, ebx);
SAME_FIELD(cpuid_entry2, ecx);
SAME_FIELD(cpuid_entry2, edx);
SAME_SIZE(cpuid2);
SAME_FIELD(cpuid2, nent);
SAME_FIELD(cpuid2, entries);
