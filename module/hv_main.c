// SPDX-License-Identifier: GPL-2.0
/*
 * hv: module lifecycle and the system device /dev/hv.
 *
 * Loading hv turns hardware virtualization on for every online CPU and for
 * every CPU that comes online later (a CPU hotplug state); unloading turns
 * it off everywhere.  A reboot notifier and syscore suspend/resume hooks
 * make sure no CPU is left in VMX/SVM operation across a reboot, kexec or
 * suspend.  The hardware work itself is the backend's (struct hv_arch_ops).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/syscore_ops.h>

#include "hv_compat.h"
#include "hv_internal.h"

/* [I] chosen once at load, never changes while the module is loaded. */
const struct hv_arch_ops *hv_arch;

/* [cpu] true while this CPU is in VMX/SVM operation for hv. */
static DEFINE_PER_CPU(bool, hv_cpu_enabled);

/* The dynamic hotplug state hv registered, for removal on unload. */
static int hv_cpuhp_state;

/*
 * Set once a reboot has begun: from then on no CPU may enter VMX/SVM
 * operation again, even if it comes online.
 */
static bool hv_rebooting;

/* Turn virtualization on for the calling CPU, once.  Interrupts disabled. */
static int hv_enable_this_cpu(void)
{
	int r;

	lockdep_assert_irqs_disabled();

	if (__this_cpu_read(hv_cpu_enabled))
		return 0;
	if (READ_ONCE(hv_rebooting))
		return -EBUSY;

	r = hv_arch->cpu_enable();
	if (r)
		return r;
	__this_cpu_write(hv_cpu_enabled, true);
	return 0;
}

/*
 * Whether the calling CPU is in VMX/SVM operation; with interrupts
 * disabled, it stays so until they are enabled again (the reboot
 * notifier turns it off by an IPI).  Every entry asks, so a vCPU thread
 * that goes on running while the machine reboots never executes a
 * VMX/SVM instruction on a CPU that left that operation.
 */
bool hv_cpu_virt_enabled(void)
{
	lockdep_assert_irqs_disabled();
	return __this_cpu_read(hv_cpu_enabled);
}

/* Turn it off again; harmless if it is off.  Interrupts disabled. */
static void hv_disable_this_cpu(void)
{
	lockdep_assert_irqs_disabled();

	if (!__this_cpu_read(hv_cpu_enabled))
		return;
	hv_arch->cpu_disable();
	__this_cpu_write(hv_cpu_enabled, false);
}

/*
 * CPU hotplug callbacks.  For a CPUHP_AP_ONLINE_DYN state they run on the
 * CPU concerned, in its hotplug thread, with preemption enabled: so
 * interrupts are disabled around the per-CPU flag and the hardware switch.
 */
static int hv_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int r;

	local_irq_save(flags);
	r = hv_enable_this_cpu();
	local_irq_restore(flags);
	if (r)
		pr_err("cannot enable %s on CPU %u (error %d)\n",
		       hv_arch->name, cpu, r);
	return r;
}

static int hv_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	hv_disable_this_cpu();
	local_irq_restore(flags);
	return 0;
}

static void hv_disable_ipi(void *unused)
{
	hv_disable_this_cpu();
}

/*
 * A CPU left in VMX operation cannot take an INIT (the next kernel of a
 * kexec, or the firmware on warm reboot, would hang), so leave it
 * everywhere before the machine goes down.
 */
static int hv_reboot(struct notifier_block *nb, unsigned long action,
		     void *unused)
{
	WRITE_ONCE(hv_rebooting, true);
	on_each_cpu(hv_disable_ipi, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block hv_reboot_notifier = {
	.notifier_call = hv_reboot,
	.priority = 0,
};

/*
 * Suspend: the other CPUs have already gone offline through the hotplug
 * state by the time syscore callbacks run on the last CPU, so only that
 * CPU is left to handle here.
 */
static int hv_suspend(HV_SYSCORE_ARG)
{
	hv_disable_this_cpu();
	return 0;
}

static void hv_resume(HV_SYSCORE_ARG)
{
	int r = hv_enable_this_cpu();

	if (r)
		pr_err("cannot re-enable %s after resume (error %d)\n",
		       hv_arch->name, r);
}

static struct syscore_ops hv_syscore_ops = {
	.suspend = hv_suspend,
	.resume = hv_resume,
};
HV_DEFINE_SYSCORE(hv_syscore, hv_syscore_ops);

/*
 * HV_CHECK_EXTENSION, on the system fd and on VM fds: non-zero only for what
 * hv really implements.
 */
long hv_check_extension(unsigned long cap)
{
	switch (cap) {
	case HV_CAP_HLT:
	case HV_CAP_USER_MEMORY:
	case HV_CAP_SET_TSS_ADDR:
	case HV_CAP_EXT_CPUID:
	case HV_CAP_IMMEDIATE_EXIT:
	/* Writes to a read-only slot exit as MMIO (hv_mmu.c). */
	case HV_CAP_READONLY_MEM:
		return 1;
	case HV_CAP_NR_VCPUS:
		return min_t(unsigned int, num_online_cpus(), HV_MAX_VCPUS);
	case HV_CAP_MAX_VCPUS:
	case HV_CAP_MAX_VCPU_ID:
		return HV_MAX_VCPUS;
	case HV_CAP_NR_MEMSLOTS:
		return HV_MAX_MEMSLOTS;
	default:
		/* The architecture's own (0 for what it lacks). */
		return hv_x86_check_extension(cap);
	}
}

static long hv_dev_ioctl(struct file *filp, unsigned int ioctl,
			 unsigned long arg)
{
	switch (ioctl) {
	case HV_GET_API_VERSION:
		/* KVM insists on a zero argument here. */
		if (arg)
			return -EINVAL;
		return HV_API_VERSION;
	case HV_CREATE_VM:
		return hv_create_vm(arg);
	case HV_CHECK_EXTENSION:
		return hv_check_extension(arg);
	case HV_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return HV_VCPU_MMAP_PAGES * PAGE_SIZE;
	default:
		/* x86's own; -EINVAL (KVM's answer) for anything unknown. */
		return hv_x86_dev_ioctl(ioctl, arg);
	}
}

static const struct file_operations hv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = HV_NAME,
	.fops = &hv_dev_fops,
};

static int __init hv_init(void)
{
	int r;

	hv_arch = hv_arch_probe();
	if (IS_ERR(hv_arch))
		return PTR_ERR(hv_arch);

	r = hv_arch->hardware_setup();
	if (r)
		return r;
	/* vCPU ioctls reload hardware state when their thread is preempted. */
	preempt_notifier_inc();

	/*
	 * Enables every online CPU now and each CPU that comes online later.
	 * If one CPU fails, the core undoes the CPUs already enabled.
	 */
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hv:online",
			      hv_cpu_online, hv_cpu_offline);
	if (r < 0)
		goto err_unsetup;
	hv_cpuhp_state = r;

	register_reboot_notifier(&hv_reboot_notifier);
	hv_register_syscore(&hv_syscore);

	r = misc_register(&hv_dev);
	if (r) {
		pr_err("cannot register /dev/%s (error %d)\n", HV_NAME, r);
		goto err_unregister;
	}

	pr_info("%s enabled on %u CPUs, /dev/%s ready\n", hv_arch->name,
		num_online_cpus(), HV_NAME);
	return 0;

err_unregister:
	hv_unregister_syscore(&hv_syscore);
	unregister_reboot_notifier(&hv_reboot_notifier);
	cpuhp_remove_state(hv_cpuhp_state);
err_unsetup:
	preempt_notifier_dec();
	hv_arch->hardware_unsetup();
	return r;
}

static void __exit hv_exit(void)
{
	misc_deregister(&hv_dev);
	hv_unregister_syscore(&hv_syscore);
	unregister_reboot_notifier(&hv_reboot_notifier);
	cpuhp_remove_state(hv_cpuhp_state);
	preempt_notifier_dec();
	hv_arch->hardware_unsetup();
	pr_info("%s disabled on all CPUs\n", hv_arch->name);
}

module_init(hv_init);
module_exit(hv_exit);

MODULE_DESCRIPTION("hv: a small hypervisor with a KVM-compatible API");
MODULE_LICENSE("GPL");
