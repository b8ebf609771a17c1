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
#include <linux/slab.h>

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
	r = hv_x86_vcpu_ioctl(vcpu, ioctl, arg);
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

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->mmio_ring = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data || !vcpu->mmio_ring) {
		r = -ENOMEM;
		goto err_free;
	}

	r = hv_arch->vcpu_create(vcpu);
	if (r)
		goto err_free;
	hv_x86_vcpu_reset(vcpu);

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
	vm->vcpus[id] = vcpu;
	mutex_unlock(&vm->lock);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	hv_arch->vcpu_free(vcpu);
err_free:
	hv_vcpu_free(vcpu);
	return r;
}
