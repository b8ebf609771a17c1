/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_fuzz: every ioctl number KVM defines.
 *
 * The list is include/uapi/linux/kvm.h of Linux 6.1 (Debian's
 * linux-source-6.1), whole and in its order: every architecture, the
 * deprecated numbers too, since the fuzzer throws each of them at every
 * kind of fd.  Those that uapi/linux/hv.h declares keep its HV_ names;
 * the others are declared here with KVM's names and numbers.  The size in
 * each number is that of the structure named beside it on x86-64 (for the
 * powerpc and arm64 ones, from those architectures' asm/kvm.h), spelled as
 * a __u8 array so that the fuzzer needs none of KVM's structures.  When
 * written, every number was checked against <linux/kvm.h> of Debian's
 * linux-libc-dev 6.1.
 */
#ifndef HV_FUZZ_KVM_IOCTLS_H
#define HV_FUZZ_KVM_IOCTLS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "../../uapi/linux/hv.h"

#define KVMIO	HVIO

#define __KVM_DEPRECATED_MAIN_W_0x06	_IOW(KVMIO, 0x06, __u8[8])	/* struct kvm_user_trace_setup */
#define __KVM_DEPRECATED_MAIN_0x07	_IO(KVMIO, 0x07)
#define __KVM_DEPRECATED_MAIN_0x08	_IO(KVMIO, 0x08)
#define __KVM_DEPRECATED_VM_R_0x70	_IOR(KVMIO, 0x70, __u8[64])	/* struct kvm_assigned_irq */
#define __KVM_DEPRECATED_VCPU_W_0x87	_IOW(KVMIO, 0x87, __u8[80])	/* struct kvm_debug_guest */
#define KVM_GET_MSR_INDEX_LIST		_IOWR(KVMIO, 0x02, __u8[4])	/* struct kvm_msr_list */
#define KVM_S390_ENABLE_SIE		_IO(KVMIO, 0x06)
#define KVM_GET_EMULATED_CPUID		_IOWR(KVMIO, 0x09, __u8[8])	/* struct kvm_cpuid2 */
#define KVM_GET_MSR_FEATURE_INDEX_LIST	_IOWR(KVMIO, 0x0a, __u8[4])	/* struct kvm_msr_list */
#define KVM_SET_MEMORY_REGION		_IOW(KVMIO, 0x40, __u8[24])	/* struct kvm_memory_region */
#define KVM_GET_DIRTY_LOG		_IOW(KVMIO, 0x42, __u8[16])	/* struct kvm_dirty_log */
#define KVM_SET_MEMORY_ALIAS		_IOW(KVMIO, 0x43, __u8[32])	/* struct kvm_memory_alias */
#define KVM_SET_NR_MMU_PAGES		_IO(KVMIO, 0x44)
#define KVM_GET_NR_MMU_PAGES		_IO(KVMIO, 0x45)
#define KVM_SET_IDENTITY_MAP_ADDR	_IOW(KVMIO, 0x48, __u8[8])	/* __u64 */
#define KVM_S390_UCAS_MAP		_IOW(KVMIO, 0x50, __u8[24])	/* struct kvm_s390_ucas_mapping */
#define KVM_S390_UCAS_UNMAP		_IOW(KVMIO, 0x51, __u8[24])	/* struct kvm_s390_ucas_mapping */
#define KVM_S390_VCPU_FAULT		_IOW(KVMIO, 0x52, __u8[8])	/* unsigned long */
#define KVM_CREATE_IRQCHIP		_IO(KVMIO, 0x60)
#define KVM_IRQ_LINE			_IOW(KVMIO, 0x61, __u8[8])	/* struct kvm_irq_level */
#define KVM_GET_IRQCHIP			_IOWR(KVMIO, 0x62, __u8[520])	/* struct kvm_irqchip */
#define KVM_SET_IRQCHIP			_IOR(KVMIO, 0x63, __u8[520])	/* struct kvm_irqchip */
#define KVM_CREATE_PIT			_IO(KVMIO, 0x64)
#define KVM_GET_PIT			_IOWR(KVMIO, 0x65, __u8[72])	/* struct kvm_pit_state */
#define KVM_SET_PIT			_IOR(KVMIO, 0x66, __u8[72])	/* struct kvm_pit_state */
#define KVM_IRQ_LINE_STATUS		_IOWR(KVMIO, 0x67, __u8[8])	/* struct kvm_irq_level */
#define KVM_REGISTER_COALESCED_MMIO	_IOW(KVMIO, 0x67, __u8[16])	/* struct kvm_coalesced_mmio_zone */
#define KVM_UNREGISTER_COALESCED_MMIO	_IOW(KVMIO, 0x68, __u8[16])	/* struct kvm_coalesced_mmio_zone */
#define KVM_ASSIGN_PCI_DEVICE		_IOR(KVMIO, 0x69, __u8[64])	/* struct kvm_assigned_pci_dev */
#define KVM_SET_GSI_ROUTING		_IOW(KVMIO, 0x6a, __u8[8])	/* struct kvm_irq_routing */
#define KVM_ASSIGN_DEV_IRQ		_IOW(KVMIO, 0x70, __u8[64])	/* struct kvm_assigned_irq */
#define KVM_REINJECT_CONTROL		_IO(KVMIO, 0x71)
#define KVM_DEASSIGN_PCI_DEVICE		_IOW(KVMIO, 0x72, __u8[64])	/* struct kvm_assigned_pci_dev */
#define KVM_ASSIGN_SET_MSIX_NR		_IOW(KVMIO, 0x73, __u8[8])	/* struct kvm_assigned_msix_nr */
#define KVM_ASSIGN_SET_MSIX_ENTRY	_IOW(KVMIO, 0x74, __u8[16])	/* struct kvm_assigned_msix_entry */
#define KVM_DEASSIGN_DEV_IRQ		_IOW(KVMIO, 0x75, __u8[64])	/* struct kvm_assigned_irq */
#define KVM_IRQFD			_IOW(KVMIO, 0x76, __u8[32])	/* struct kvm_irqfd */
#define KVM_CREATE_PIT2			_IOW(KVMIO, 0x77, __u8[64])	/* struct kvm_pit_config */
#define KVM_SET_BOOT_CPU_ID		_IO(KVMIO, 0x78)
#define KVM_IOEVENTFD			_IOW(KVMIO, 0x79, __u8[64])	/* struct kvm_ioeventfd */
#define KVM_XEN_HVM_CONFIG		_IOW(KVMIO, 0x7a, __u8[56])	/* struct kvm_xen_hvm_config */
#define KVM_SET_CLOCK			_IOW(KVMIO, 0x7b, __u8[48])	/* struct kvm_clock_data */
#define KVM_GET_CLOCK			_IOR(KVMIO, 0x7c, __u8[48])	/* struct kvm_clock_data */
#define KVM_GET_PIT2			_IOR(KVMIO, 0x9f, __u8[112])	/* struct kvm_pit_state2 */
#define KVM_SET_PIT2			_IOW(KVMIO, 0xa0, __u8[112])	/* struct kvm_pit_state2 */
#define KVM_PPC_GET_PVINFO		_IOW(KVMIO, 0xa1, __u8[128])	/* struct kvm_ppc_pvinfo */
#define KVM_SET_TSC_KHZ			_IO(KVMIO, 0xa2)
#define KVM_GET_TSC_KHZ			_IO(KVMIO, 0xa3)
#define KVM_ASSIGN_SET_INTX_MASK	_IOW(KVMIO, 0xa4, __u8[64])	/* struct kvm_assigned_pci_dev */
#define KVM_SIGNAL_MSI			_IOW(KVMIO, 0xa5, __u8[32])	/* struct kvm_msi */
#define KVM_PPC_GET_SMMU_INFO		_IOR(KVMIO, 0xa6, __u8[592])	/* struct kvm_ppc_smmu_info */
#define KVM_PPC_ALLOCATE_HTAB		_IOWR(KVMIO, 0xa7, __u8[4])	/* __u32 */
#define KVM_CREATE_SPAPR_TCE		_IOW(KVMIO, 0xa8, __u8[16])	/* struct kvm_create_spapr_tce */
#define KVM_CREATE_SPAPR_TCE_64		_IOW(KVMIO, 0xa8, __u8[32])	/* struct kvm_create_spapr_tce_64 */
#define KVM_ALLOCATE_RMA		_IOR(KVMIO, 0xa9, __u8[8])	/* struct kvm_allocate_rma */
#define KVM_PPC_GET_HTAB_FD		_IOW(KVMIO, 0xaa, __u8[32])	/* struct kvm_get_htab_fd */
#define KVM_ARM_SET_DEVICE_ADDR		_IOW(KVMIO, 0xab, __u8[16])	/* struct kvm_arm_device_addr */
#define KVM_PPC_RTAS_DEFINE_TOKEN	_IOW(KVMIO, 0xac, __u8[128])	/* struct kvm_rtas_token_args */
#define KVM_PPC_RESIZE_HPT_PREPARE	_IOR(KVMIO, 0xad, __u8[16])	/* struct kvm_ppc_resize_hpt */
#define KVM_PPC_RESIZE_HPT_COMMIT	_IOR(KVMIO, 0xae, __u8[16])	/* struct kvm_ppc_resize_hpt */
#define KVM_PPC_CONFIGURE_V3_MMU	_IOW(KVMIO, 0xaf, __u8[16])	/* struct kvm_ppc_mmuv3_cfg */
#define KVM_PPC_GET_RMMU_INFO		_IOW(KVMIO, 0xb0, __u8[96])	/* struct kvm_ppc_rmmu_info */
#define KVM_PPC_GET_CPU_CHAR		_IOR(KVMIO, 0xb1, __u8[32])	/* struct kvm_ppc_cpu_char */
#define KVM_SET_PMU_EVENT_FILTER	_IOW(KVMIO, 0xb2, __u8[32])	/* struct kvm_pmu_event_filter */
#define KVM_PPC_SVM_OFF			_IO(KVMIO, 0xb3)
#define KVM_ARM_MTE_COPY_TAGS		_IOR(KVMIO, 0xb4, __u8[48])	/* struct kvm_arm_copy_mte_tags */
#define KVM_CREATE_DEVICE		_IOWR(KVMIO, 0xe0, __u8[12])	/* struct kvm_create_device */
#define KVM_SET_DEVICE_ATTR		_IOW(KVMIO, 0xe1, __u8[24])	/* struct kvm_device_attr */
#define KVM_GET_DEVICE_ATTR		_IOW(KVMIO, 0xe2, __u8[24])	/* struct kvm_device_attr */
#define KVM_HAS_DEVICE_ATTR		_IOW(KVMIO, 0xe3, __u8[24])	/* struct kvm_device_attr */
#define KVM_TRANSLATE			_IOWR(KVMIO, 0x85, __u8[24])	/* struct kvm_translation */
#define KVM_INTERRUPT			_IOW(KVMIO, 0x86, __u8[4])	/* struct kvm_interrupt */
#define KVM_GET_MSRS			_IOWR(KVMIO, 0x88, __u8[8])	/* struct kvm_msrs */
#define KVM_SET_MSRS			_IOW(KVMIO, 0x89, __u8[8])	/* struct kvm_msrs */
#define KVM_SET_CPUID			_IOW(KVMIO, 0x8a, __u8[8])	/* struct kvm_cpuid */
#define KVM_SET_SIGNAL_MASK		_IOW(KVMIO, 0x8b, __u8[4])	/* struct kvm_signal_mask */
#define KVM_GET_FPU			_IOR(KVMIO, 0x8c, __u8[416])	/* struct kvm_fpu */
#define KVM_SET_FPU			_IOW(KVMIO, 0x8d, __u8[416])	/* struct kvm_fpu */
#define KVM_GET_LAPIC			_IOR(KVMIO, 0x8e, __u8[1024])	/* struct kvm_lapic_state */
#define KVM_SET_LAPIC			_IOW(KVMIO, 0x8f, __u8[1024])	/* struct kvm_lapic_state */
#define KVM_TPR_ACCESS_REPORTING	_IOWR(KVMIO, 0x92, __u8[40])	/* struct kvm_tpr_access_ctl */
#define KVM_SET_VAPIC_ADDR		_IOW(KVMIO, 0x93, __u8[8])	/* struct kvm_vapic_addr */
#define KVM_S390_INTERRUPT		_IOW(KVMIO, 0x94, __u8[16])	/* struct kvm_s390_interrupt */
#define KVM_S390_STORE_STATUS		_IOW(KVMIO, 0x95, __u8[8])	/* unsigned long */
#define KVM_S390_SET_INITIAL_PSW	_IOW(KVMIO, 0x96, __u8[16])	/* struct kvm_s390_psw */
#define KVM_S390_INITIAL_RESET		_IO(KVMIO, 0x97)
#define KVM_GET_MP_STATE		_IOR(KVMIO, 0x98, __u8[4])	/* struct kvm_mp_state */
#define KVM_SET_MP_STATE		_IOW(KVMIO, 0x99, __u8[4])	/* struct kvm_mp_state */
#define KVM_NMI				_IO(KVMIO, 0x9a)
#define KVM_SET_GUEST_DEBUG		_IOW(KVMIO, 0x9b, __u8[72])	/* struct kvm_guest_debug */
#define KVM_X86_SETUP_MCE		_IOW(KVMIO, 0x9c, __u8[8])	/* __u64 */
#define KVM_X86_GET_MCE_CAP_SUPPORTED	_IOR(KVMIO, 0x9d, __u8[8])	/* __u64 */
#define KVM_X86_SET_MCE			_IOW(KVMIO, 0x9e, __u8[64])	/* struct kvm_x86_mce */
#define KVM_GET_VCPU_EVENTS		_IOR(KVMIO, 0x9f, __u8[64])	/* struct kvm_vcpu_events */
#define KVM_SET_VCPU_EVENTS		_IOW(KVMIO, 0xa0, __u8[64])	/* struct kvm_vcpu_events */
#define KVM_GET_DEBUGREGS		_IOR(KVMIO, 0xa1, __u8[128])	/* struct kvm_debugregs */
#define KVM_SET_DEBUGREGS		_IOW(KVMIO, 0xa2, __u8[128])	/* struct kvm_debugregs */
#define KVM_ENABLE_CAP			_IOW(KVMIO, 0xa3, __u8[104])	/* struct kvm_enable_cap */
#define KVM_GET_XSAVE			_IOR(KVMIO, 0xa4, __u8[4096])	/* struct kvm_xsave */
#define KVM_SET_XSAVE			_IOW(KVMIO, 0xa5, __u8[4096])	/* struct kvm_xsave */
#define KVM_GET_XCRS			_IOR(KVMIO, 0xa6, __u8[392])	/* struct kvm_xcrs */
#define KVM_SET_XCRS			_IOW(KVMIO, 0xa7, __u8[392])	/* struct kvm_xcrs */
#define KVM_DIRTY_TLB			_IOW(KVMIO, 0xaa, __u8[16])	/* struct kvm_dirty_tlb */
#define KVM_GET_ONE_REG			_IOW(KVMIO, 0xab, __u8[16])	/* struct kvm_one_reg */
#define KVM_SET_ONE_REG			_IOW(KVMIO, 0xac, __u8[16])	/* struct kvm_one_reg */
#define KVM_KVMCLOCK_CTRL		_IO(KVMIO, 0xad)
#define KVM_ARM_VCPU_INIT		_IOW(KVMIO, 0xae, __u8[32])	/* struct kvm_vcpu_init */
#define KVM_ARM_PREFERRED_TARGET	_IOR(KVMIO, 0xaf, __u8[32])	/* struct kvm_vcpu_init */
#define KVM_GET_REG_LIST		_IOWR(KVMIO, 0xb0, __u8[8])	/* struct kvm_reg_list */
#define KVM_S390_MEM_OP			_IOW(KVMIO, 0xb1, __u8[64])	/* struct kvm_s390_mem_op */
#define KVM_S390_GET_SKEYS		_IOW(KVMIO, 0xb2, __u8[64])	/* struct kvm_s390_skeys */
#define KVM_S390_SET_SKEYS		_IOW(KVMIO, 0xb3, __u8[64])	/* struct kvm_s390_skeys */
#define KVM_S390_IRQ			_IOW(KVMIO, 0xb4, __u8[72])	/* struct kvm_s390_irq */
#define KVM_S390_SET_IRQ_STATE		_IOW(KVMIO, 0xb5, __u8[32])	/* struct kvm_s390_irq_state */
#define KVM_S390_GET_IRQ_STATE		_IOW(KVMIO, 0xb6, __u8[32])	/* struct kvm_s390_irq_state */
#define KVM_SMI				_IO(KVMIO, 0xb7)
#define KVM_S390_GET_CMMA_BITS		_IOWR(KVMIO, 0xb8, __u8[32])	/* struct kvm_s390_cmma_log */
#define KVM_S390_SET_CMMA_BITS		_IOW(KVMIO, 0xb9, __u8[32])	/* struct kvm_s390_cmma_log */
#define KVM_MEMORY_ENCRYPT_OP		_IOWR(KVMIO, 0xba, __u8[8])	/* unsigned long */
#define KVM_MEMORY_ENCRYPT_REG_REGION	_IOR(KVMIO, 0xbb, __u8[16])	/* struct kvm_enc_region */
#define KVM_MEMORY_ENCRYPT_UNREG_REGION	_IOR(KVMIO, 0xbc, __u8[16])	/* struct kvm_enc_region */
#define KVM_HYPERV_EVENTFD		_IOW(KVMIO, 0xbd, __u8[24])	/* struct kvm_hyperv_eventfd */
#define KVM_GET_NESTED_STATE		_IOWR(KVMIO, 0xbe, __u8[128])	/* struct kvm_nested_state */
#define KVM_SET_NESTED_STATE		_IOW(KVMIO, 0xbf, __u8[128])	/* struct kvm_nested_state */
#define KVM_CLEAR_DIRTY_LOG		_IOWR(KVMIO, 0xc0, __u8[24])	/* struct kvm_clear_dirty_log */
#define KVM_GET_SUPPORTED_HV_CPUID	_IOWR(KVMIO, 0xc1, __u8[8])	/* struct kvm_cpuid2 */
#define KVM_ARM_VCPU_FINALIZE		_IOW(KVMIO, 0xc2, __u8[4])	/* int */
#define KVM_S390_NORMAL_RESET		_IO(KVMIO, 0xc3)
#define KVM_S390_CLEAR_RESET		_IO(KVMIO, 0xc4)
#define KVM_S390_PV_COMMAND		_IOWR(KVMIO, 0xc5, __u8[32])	/* struct kvm_pv_cmd */
#define KVM_X86_SET_MSR_FILTER		_IOW(KVMIO, 0xc6, __u8[392])	/* struct kvm_msr_filter */
#define KVM_RESET_DIRTY_RINGS		_IO(KVMIO, 0xc7)
#define KVM_XEN_HVM_GET_ATTR		_IOWR(KVMIO, 0xc8, __u8[72])	/* struct kvm_xen_hvm_attr */
#define KVM_XEN_HVM_SET_ATTR		_IOW(KVMIO, 0xc9, __u8[72])	/* struct kvm_xen_hvm_attr */
#define KVM_XEN_VCPU_GET_ATTR		_IOWR(KVMIO, 0xca, __u8[72])	/* struct kvm_xen_vcpu_attr */
#define KVM_XEN_VCPU_SET_ATTR		_IOW(KVMIO, 0xcb, __u8[72])	/* struct kvm_xen_vcpu_attr */
#define KVM_XEN_HVM_EVTCHN_SEND		_IOW(KVMIO, 0xd0, __u8[12])	/* struct kvm_irq_routing_xen_evtchn */
#define KVM_GET_SREGS2			_IOR(KVMIO, 0xcc, __u8[320])	/* struct kvm_sregs2 */
#define KVM_SET_SREGS2			_IOW(KVMIO, 0xcd, __u8[320])	/* struct kvm_sregs2 */
#define KVM_GET_STATS_FD		_IO(KVMIO, 0xce)
#define KVM_GET_XSAVE2			_IOR(KVMIO, 0xcf, __u8[4096])	/* struct kvm_xsave */
#define KVM_S390_PV_CPU_COMMAND		_IOWR(KVMIO, 0xd0, __u8[32])	/* struct kvm_pv_cmd */
#define KVM_S390_ZPCI_OP		_IOW(KVMIO, 0xd1, __u8[72])	/* struct kvm_s390_zpci_op */

/*
 * The list, for an array of struct fuzz_ioctl (fuzz.h): the kind of fd
 * KVM's header documents each for (DEV: the attribute ioctls of the fds
 * KVM_CREATE_DEVICE returns, which VM and vCPU fds take too), the name,
 * the number.
 */
#define HV_IOCTL(fd, name)	{ FUZZ_FD_##fd, "KVM_" #name, HV_##name }
#define KVM_IOCTL(fd, name)	{ FUZZ_FD_##fd, #name, name }

#define FUZZ_KVM_IOCTLS \
	KVM_IOCTL(SYS, __KVM_DEPRECATED_MAIN_W_0x06), \
	KVM_IOCTL(SYS, __KVM_DEPRECATED_MAIN_0x07), \
	KVM_IOCTL(SYS, __KVM_DEPRECATED_MAIN_0x08), \
	KVM_IOCTL(VM, __KVM_DEPRECATED_VM_R_0x70), \
	KVM_IOCTL(VCPU, __KVM_DEPRECATED_VCPU_W_0x87), \
	HV_IOCTL(SYS, GET_API_VERSION), \
	HV_IOCTL(SYS, CREATE_VM), \
	KVM_IOCTL(SYS, KVM_GET_MSR_INDEX_LIST), \
	KVM_IOCTL(SYS, KVM_S390_ENABLE_SIE), \
	HV_IOCTL(SYS, CHECK_EXTENSION), \
	HV_IOCTL(SYS, GET_VCPU_MMAP_SIZE), \
	HV_IOCTL(SYS, GET_SUPPORTED_CPUID), \
	KVM_IOCTL(SYS, KVM_GET_EMULATED_CPUID), \
	KVM_IOCTL(SYS, KVM_GET_MSR_FEATURE_INDEX_LIST), \
	KVM_IOCTL(VM, KVM_SET_MEMORY_REGION), \
	HV_IOCTL(VM, CREATE_VCPU), \
	KVM_IOCTL(VM, KVM_GET_DIRTY_LOG), \
	KVM_IOCTL(VM, KVM_SET_MEMORY_ALIAS), \
	KVM_IOCTL(VM, KVM_SET_NR_MMU_PAGES), \
	KVM_IOCTL(VM, KVM_GET_NR_MMU_PAGES), \
	HV_IOCTL(VM, SET_USER_MEMORY_REGION), \
	HV_IOCTL(VM, SET_TSS_ADDR), \
	KVM_IOCTL(VM, KVM_SET_IDENTITY_MAP_ADDR), \
	KVM_IOCTL(VM, KVM_S390_UCAS_MAP), \
	KVM_IOCTL(VM, KVM_S390_UCAS_UNMAP), \
	KVM_IOCTL(VM, KVM_S390_VCPU_FAULT), \
	KVM_IOCTL(VM, KVM_CREATE_IRQCHIP), \
	KVM_IOCTL(VM, KVM_IRQ_LINE), \
	KVM_IOCTL(VM, KVM_GET_IRQCHIP), \
	KVM_IOCTL(VM, KVM_SET_IRQCHIP), \
	KVM_IOCTL(VM, KVM_CREATE_PIT), \
	KVM_IOCTL(VM, KVM_GET_PIT), \
	KVM_IOCTL(VM, KVM_SET_PIT), \
	KVM_IOCTL(VM, KVM_IRQ_LINE_STATUS), \
	KVM_IOCTL(VM, KVM_REGISTER_COALESCED_MMIO), \
	KVM_IOCTL(VM, KVM_UNREGISTER_COALESCED_MMIO), \
	KVM_IOCTL(VM, KVM_ASSIGN_PCI_DEVICE), \
	KVM_IOCTL(VM, KVM_SET_GSI_ROUTING), \
	KVM_IOCTL(VM, KVM_ASSIGN_DEV_IRQ), \
	KVM_IOCTL(VM, KVM_REINJECT_CONTROL), \
	KVM_IOCTL(VM, KVM_DEASSIGN_PCI_DEVICE), \
	KVM_IOCTL(VM, KVM_ASSIGN_SET_MSIX_NR), \
	KVM_IOCTL(VM, KVM_ASSIGN_SET_MSIX_ENTRY), \
	KVM_IOCTL(VM, KVM_DEASSIGN_DEV_IRQ), \
	KVM_IOCTL(VM, KVM_IRQFD), \
	KVM_IOCTL(VM, KVM_CREATE_PIT2), \
	KVM_IOCTL(VM, KVM_SET_BOOT_CPU_ID), \
	KVM_IOCTL(VM, KVM_IOEVENTFD), \
	KVM_IOCTL(VM, KVM_XEN_HVM_CONFIG), \
	KVM_IOCTL(VM, KVM_SET_CLOCK), \
	KVM_IOCTL(VM, KVM_GET_CLOCK), \
	KVM_IOCTL(VM, KVM_GET_PIT2), \
	KVM_IOCTL(VM, KVM_SET_PIT2), \
	KVM_IOCTL(VM, KVM_PPC_GET_PVINFO), \
	KVM_IOCTL(VM, KVM_SET_TSC_KHZ), \
	KVM_IOCTL(VM, KVM_GET_TSC_KHZ), \
	KVM_IOCTL(VM, KVM_ASSIGN_SET_INTX_MASK), \
	KVM_IOCTL(VM, KVM_SIGNAL_MSI), \
	KVM_IOCTL(VM, KVM_PPC_GET_SMMU_INFO), \
	KVM_IOCTL(VM, KVM_PPC_ALLOCATE_HTAB), \
	KVM_IOCTL(VM, KVM_CREATE_SPAPR_TCE), \
	KVM_IOCTL(VM, KVM_CREATE_SPAPR_TCE_64), \
	KVM_IOCTL(VM, KVM_ALLOCATE_RMA), \
	KVM_IOCTL(VM, KVM_PPC_GET_HTAB_FD), \
	KVM_IOCTL(VM, KVM_ARM_SET_DEVICE_ADDR), \
	KVM_IOCTL(VM, KVM_PPC_RTAS_DEFINE_TOKEN), \
	KVM_IOCTL(VM, KVM_PPC_RESIZE_HPT_PREPARE), \
	KVM_IOCTL(VM, KVM_PPC_RESIZE_HPT_COMMIT), \
	KVM_IOCTL(VM, KVM_PPC_CONFIGURE_V3_MMU), \
	KVM_IOCTL(VM, KVM_PPC_GET_RMMU_INFO), \
	KVM_IOCTL(VM, KVM_PPC_GET_CPU_CHAR), \
	KVM_IOCTL(VM, KVM_SET_PMU_EVENT_FILTER), \
	KVM_IOCTL(VM, KVM_PPC_SVM_OFF), \
	KVM_IOCTL(VM, KVM_ARM_MTE_COPY_TAGS), \
	KVM_IOCTL(VM, KVM_CREATE_DEVICE), \
	KVM_IOCTL(DEV, KVM_SET_DEVICE_ATTR), \
	KVM_IOCTL(DEV, KVM_GET_DEVICE_ATTR), \
	KVM_IOCTL(DEV, KVM_HAS_DEVICE_ATTR), \
	HV_IOCTL(VCPU, RUN), \
	HV_IOCTL(VCPU, GET_REGS), \
	HV_IOCTL(VCPU, SET_REGS), \
	HV_IOCTL(VCPU, GET_SREGS), \
	HV_IOCTL(VCPU, SET_SREGS), \
	KVM_IOCTL(VCPU, KVM_TRANSLATE), \
	KVM_IOCTL(VCPU, KVM_INTERRUPT), \
	KVM_IOCTL(VCPU, KVM_GET_MSRS), \
	KVM_IOCTL(VCPU, KVM_SET_MSRS), \
	KVM_IOCTL(VCPU, KVM_SET_CPUID), \
	KVM_IOCTL(VCPU, KVM_SET_SIGNAL_MASK), \
	KVM_IOCTL(VCPU, KVM_GET_FPU), \
	KVM_IOCTL(VCPU, KVM_SET_FPU), \
	KVM_IOCTL(VCPU, KVM_GET_LAPIC), \
	KVM_IOCTL(VCPU, KVM_SET_LAPIC), \
	HV_IOCTL(VCPU, SET_CPUID2), \
	HV_IOCTL(VCPU, GET_CPUID2), \
	KVM_IOCTL(VCPU, KVM_TPR_ACCESS_REPORTING), \
	KVM_IOCTL(VCPU, KVM_SET_VAPIC_ADDR), \
	KVM_IOCTL(VCPU, KVM_S390_INTERRUPT), \
	KVM_IOCTL(VCPU, KVM_S390_STORE_STATUS), \
	KVM_IOCTL(VCPU, KVM_S390_SET_INITIAL_PSW), \
	KVM_IOCTL(VCPU, KVM_S390_INITIAL_RESET), \
	KVM_IOCTL(VCPU, KVM_GET_MP_STATE), \
	KVM_IOCTL(VCPU, KVM_SET_MP_STATE), \
	KVM_IOCTL(VCPU, KVM_NMI), \
	KVM_IOCTL(VCPU, KVM_SET_GUEST_DEBUG), \
	KVM_IOCTL(VCPU, KVM_X86_SETUP_MCE), \
	KVM_IOCTL(VCPU, KVM_X86_GET_MCE_CAP_SUPPORTED), \
	KVM_IOCTL(VCPU, KVM_X86_SET_MCE), \
	KVM_IOCTL(VCPU, KVM_GET_VCPU_EVENTS), \
	KVM_IOCTL(VCPU, KVM_SET_VCPU_EVENTS), \
	KVM_IOCTL(VCPU, KVM_GET_DEBUGREGS), \
	KVM_IOCTL(VCPU, KVM_SET_DEBUGREGS), \
	KVM_IOCTL(VCPU, KVM_ENABLE_CAP), \
	KVM_IOCTL(VCPU, KVM_GET_XSAVE), \
	KVM_IOCTL(VCPU, KVM_SET_XSAVE), \
	KVM_IOCTL(VCPU, KVM_GET_XCRS), \
	KVM_IOCTL(VCPU, KVM_SET_XCRS), \
	KVM_IOCTL(VCPU, KVM_DIRTY_TLB), \
	KVM_IOCTL(VCPU, KVM_GET_ONE_REG), \
	KVM_IOCTL(VCPU, KVM_SET_ONE_REG), \
	KVM_IOCTL(VCPU, KVM_KVMCLOCK_CTRL), \
	KVM_IOCTL(VCPU, KVM_ARM_VCPU_INIT), \
	KVM_IOCTL(VCPU, KVM_ARM_PREFERRED_TARGET), \
	KVM_IOCTL(VCPU, KVM_GET_REG_LIST), \
	KVM_IOCTL(VCPU, KVM_S390_MEM_OP), \
	KVM_IOCTL(VM, KVM_S390_GET_SKEYS), \
	KVM_IOCTL(VM, KVM_S390_SET_SKEYS), \
	KVM_IOCTL(VCPU, KVM_S390_IRQ), \
	KVM_IOCTL(VCPU, KVM_S390_SET_IRQ_STATE), \
	KVM_IOCTL(VCPU, KVM_S390_GET_IRQ_STATE), \
	KVM_IOCTL(VCPU, KVM_SMI), \
	KVM_IOCTL(VM, KVM_S390_GET_CMMA_BITS), \
	KVM_IOCTL(VM, KVM_S390_SET_CMMA_BITS), \
	KVM_IOCTL(VM, KVM_MEMORY_ENCRYPT_OP), \
	KVM_IOCTL(VM, KVM_MEMORY_ENCRYPT_REG_REGION), \
	KVM_IOCTL(VM, KVM_MEMORY_ENCRYPT_UNREG_REGION), \
	KVM_IOCTL(VM, KVM_HYPERV_EVENTFD), \
	KVM_IOCTL(VCPU, KVM_GET_NESTED_STATE), \
	KVM_IOCTL(VCPU, KVM_SET_NESTED_STATE), \
	KVM_IOCTL(VM, KVM_CLEAR_DIRTY_LOG), \
	KVM_IOCTL(VCPU, KVM_GET_SUPPORTED_HV_CPUID), \
	KVM_IOCTL(VCPU, KVM_ARM_VCPU_FINALIZE), \
	KVM_IOCTL(VCPU, KVM_S390_NORMAL_RESET), \
	KVM_IOCTL(VCPU, KVM_S390_CLEAR_RESET), \
	KVM_IOCTL(VM, KVM_S390_PV_COMMAND), \
	KVM_IOCTL(VM, KVM_X86_SET_MSR_FILTER), \
	KVM_IOCTL(VM, KVM_RESET_DIRTY_RINGS), \
	KVM_IOCTL(VM, KVM_XEN_HVM_GET_ATTR), \
	KVM_IOCTL(VM, KVM_XEN_HVM_SET_ATTR), \
	KVM_IOCTL(VCPU, KVM_XEN_VCPU_GET_ATTR), \
	KVM_IOCTL(VCPU, KVM_XEN_VCPU_SET_ATTR), \
	KVM_IOCTL(VM, KVM_XEN_HVM_EVTCHN_SEND), \
	KVM_IOCTL(VCPU, KVM_GET_SREGS2), \
	KVM_IOCTL(VCPU, KVM_SET_SREGS2), \
	KVM_IOCTL(VM, KVM_GET_STATS_FD), \
	KVM_IOCTL(VCPU, KVM_GET_XSAVE2), \
	KVM_IOCTL(VCPU, KVM_S390_PV_CPU_COMMAND), \
	KVM_IOCTL(VM, KVM_S390_ZPCI_OP)

#endif /* HV_FUZZ_KVM_IOCTLS_H */
