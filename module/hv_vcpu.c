// SPDX-License-Identifier: GPL-2.0
/*
 * hv: virtual CPUs and their file descriptors.
 *
 * A vCPU fd is mmap'd by userspace: page 0 is struct hv_run, page
 * HV_PIO_PAGE_OFFSET holds the data of port I/O exits, page
 * HV_COALESCED_MMIO_PAGE_OFFSET is a coalesced MMIO ring that hv never
 * fills (it is there because KVM clients map HV_GET_VCPU_MMAP_SIZE bytes).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <trace/events/ipi.h>

#include "hv_internal.h"

static vm_fault_t hv_vcpu_fault(struct vm_fault *vmf)
{
	struct hv_vcpu *vcpu = vmf->vma->vm_file->private_data;
	void *addr;

	switch (vmf->pgoff) {
	case 0:
		addr = vcpu->run;
		break;
	case HV_PIO_PAGE_OFFSET:
		addr = vcpu->pio_data;
		break;
	case HV_COALESCED_MMIO_PAGE_OFFSET:
		addr = vcpu->mmio_ring;
		break;
	default:
		return VM_FAULT_SIGBUS;
	}
	vmf->page = virt_to_page(addr);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct hv_vcpu_vm_ops = {
	.fault = hv_vcpu_fault,
};

/* Any mapping is allowed, as on KVM; pages past the three fault SIGBUS. */
static int hv_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &hv_vcpu_vm_ops;
	return 0;
}

/*
 * A vCPU is "loaded" for the whole of each of its ioctls: its hardware
 * state (the VMCS or VMCB) is usable on the CPU the thread runs on.  The
 * thread may sleep or be preempted meanwhile; a preempt notifier then puts
 * the state when the thread leaves the CPU and loads it again wherever the
 * thread comes back, so the code of an ioctl never sees the difference.
 */
static struct hv_vcpu *preempt_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct hv_vcpu, preempt);
}

static void hv_vcpu_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct hv_vcpu *vcpu = preempt_to_vcpu(pn);

	vcpu->cpu = cpu;
	hv_arch->vcpu_load(vcpu);
}

static void hv_vcpu_sched_out(struct preempt_notifier *pn,
			      struct task_struct *next)
{
	struct hv_vcpu *vcpu = preempt_to_vcpu(pn);

	hv_arch->vcpu_put(vcpu);
	vcpu->cpu = -1;
}

struct preempt_ops hv_preempt_ops = {
	.sched_in = hv_vcpu_sched_in,
	.sched_out = hv_vcpu_sched_out,
};

void hv_vcpu_load(struct hv_vcpu *vcpu)
{
	int cpu = get_cpu();

	preempt_notifier_register(&vcpu->preempt);
	vcpu->cpu = cpu;
	hv_arch->vcpu_load(vcpu);
	put_cpu();
}

void hv_vcpu_put(struct hv_vcpu *vcpu)
{
	preempt_disable();
	hv_arch->vcpu_put(vcpu);
	vcpu->cpu = -1;
	preempt_notifier_unregister(&vcpu->preempt);
	preempt_enable();
}

/*
 * Make the vCPU look at its interrupts again, from any context, the hard
 * interrupt context of a timer included: wake its thread if it waits,
 * and if it is in the guest on another CPU, interrupt that CPU so that
 * the guest exits.  The caller has made the event visible first (a full
 * barrier); the vCPU sets its mode, with a barrier, before it looks at
 * its events for the last time ahead of an entry, so one of the two sees
 * the other (hv_x86_enter_guest()).
 */
void hv_vcpu_kick(struct hv_vcpu *vcpu)
{
	int cpu, me;

	wake_up_interruptible(&vcpu->wq);
	me = get_cpu();
	cpu = READ_ONCE(vcpu->cpu);
	if (READ_ONCE(vcpu->mode) == HV_IN_GUEST && cpu != me &&
	    (unsigned int)cpu < nr_cpu_ids)
		smp_send_reschedule(cpu);
	put_cpu();
}

/*
 * HV_SET_SIGNAL_MASK (KVM's KVM_SET_SIGNAL_MASK): the signals the thread
 * blocks while HV_RUN runs, in place of its own mask; a NULL argument
 * drops it.  LEN must be the size of the kernel's sigset_t (EINVAL), and
 * SIGKILL and SIGSTOP are never blocked.
 */
static long hv_vcpu_set_signal_mask(struct hv_vcpu *vcpu,
				    struct hv_signal_mask __user *argp)
{
	struct hv_signal_mask m;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (m.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, argp->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

/*
 * Around HV_RUN: the thread's own mask waits in current->real_blocked,
 * where the signal code expects it while another mask stands in (as
 * KVM's kvm_sigset_activate() and sigsuspend() do).
 */
static void hv_sigset_activate(struct hv_vcpu *vcpu)
{
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &current->real_blocked);
}

static void hv_sigset_deactivate(struct hv_vcpu *vcpu)
{
	if (!vcpu->sigset_active)
		return;
	sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
	sigemptyset(&current->real_blocked);
}

static long hv_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct hv_vcpu *vcpu = filp->private_data;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	/* KVM answers EINVAL to anything that is not a KVM ioctl. */
	if (_IOC_TYPE(ioctl) != HVIO)
		return -EINVAL;

	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	if (ioctl == HV_SET_SIGNAL_MASK) {
		r = hv_vcpu_set_signal_mask(vcpu, (void __user *)arg);
		mutex_unlock(&vcpu->mutex);
		return r;
	}
	hv_vcpu_load(vcpu);
	if (ioctl == HV_RUN)
		hv_sigset_activate(vcpu);
	r = hv_x86_vcpu_ioctl(vcpu, ioctl, arg);
	if (ioctl == HV_RUN)
		hv_sigset_deactivate(vcpu);
	hv_vcpu_put(vcpu);
	mutex_unlock(&vcpu->mutex);
	return r;
}

static int hv_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hv_vcpu *vcpu = filp->private_data;

	hv_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hv_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = hv_vcpu_release,
	.unlocked_ioctl = hv_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = hv_vcpu_mmap,
	.llseek = noop_llseek,
};

static void hv_vcpu_free(struct hv_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->run);
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->mmio_ring);
	kfree(vcpu);
}

/* Called only when the VM itself goes: no fd refers to the vCPU any more. */
void hv_vcpu_destroy(struct hv_vcpu *vcpu)
{
	hv_arch->vcpu_free(vcpu);
	hv_x86_vcpu_uninit(vcpu);
	hv_vcpu_free(vcpu);
}

/*
 * HV_CREATE_VCPU: ids run from 0 to HV_MAX_VCPUS - 1 (EINVAL otherwise),
 * each at most once (EEXIST).  Returns the vCPU's fd.
 */
int hv_vcpu_create(struct hv_vm *vm, u32 id)
{
	struct hv_vcpu *vcpu;
	char name[24];
	int r, fd;

	if (id >= HV_MAX_VCPUS)
		return -EINVAL;
	/* From now on the boot CPU id cannot change under the reset. */
	mutex_lock(&vm->lock);
	if (!vm->max_vcpu_ids)
		vm->max_vcpu_ids = HV_MAX_VCPUS;
	if (id >= vm->max_vcpu_ids) {
		mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	vm->created_vcpus++;
	mutex_unlock(&vm->lock);

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu) {
		r = -ENOMEM;
		goto err_count;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->mode = HV_OUTSIDE_GUEST;
	init_waitqueue_head(&vcpu->wq);
	mutex_init(&vcpu->mutex);
	preempt_notifier_init(&vcpu->preempt, &hv_preempt_ops);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->mmio_ring = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data || !vcpu->mmio_ring) {
		r = -ENOMEM;
		goto err_free;
	}

	r = hv_x86_vcpu_init(vcpu);
	if (r)
		goto err_free;
	r = hv_arch->vcpu_create(vcpu);
	if (r)
		goto err_uninit;
	hv_vcpu_load(vcpu);
	hv_x86_vcpu_reset(vcpu);
	hv_vcpu_put(vcpu);

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		r = -EEXIST;
		goto err_unlock;
	}
	/* The fd's reference; dropped by hv_vcpu_release(). */
	hv_vm_get(vm);
	snprintf(name, sizeof(name), "hv-vcpu:%u", id);
	fd = anon_inode_getfd(name, &hv_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		/* Never the last reference: the caller holds the VM fd. */
		refcount_dec(&vm->refs);
		goto err_unlock;
	}
	/* Whole now: interrupt senders may find it (hv_lapic.c). */
	smp_store_release(&vm->vcpus[id], vcpu);
	mutex_unlock(&vm->lock);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	hv_arch->vcpu_free(vcpu);
err_uninit:
	hv_x86_vcpu_uninit(vcpu);
err_free:
	hv_vcpu_free(vcpu);
err_count:
	mutex_lock(&vm->lock);
	vm->created_vcpus--;
	mutex_unlock(&vm->lock);
	return r;
}
