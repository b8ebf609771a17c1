// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: the device, the VM, its memory, its in-kernel interrupt
 * controllers and timer (for Linux) and its vCPUs, through the KVM API;
 * every failure a new user can hit gets a sentence that says what to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv-run.h"

/* Where QEMU puts the real-mode TSS that VMX without unrestricted guest needs. */
#define TSS_ADDR	0xfffbd000UL

static const char *module_hint(const char *device)
{
	if (strstr(device, "kvm"))
		return "is the kvm module loaded? (sudo modprobe kvm_intel or kvm_amd)";
	return "is hv.ko loaded? (sudo insmod hv.ko; see README.md)";
}

void vm_open(struct guest *g, const char *device)
{
	int version;

	g->device = device;
	g->dev_fd = open(device, O_RDWR | O_CLOEXEC);
	if (g->dev_fd < 0) {
		switch (errno) {
		case ENOENT:
			fail("%s does not exist: %s", device,
			     module_hint(device));
		case ENXIO:
		case ENODEV:
			fail("%s has no driver behind it: %s", device,
			     module_hint(device));
		case EACCES:
		case EPERM:
			fail("no permission to open %s: run hv-run as root, or give your user read and write access to it", device);
		default:
			fail("cannot open %s: %s", device, strerror(errno));
		}
	}
	version = ioctl(g->dev_fd, HV_GET_API_VERSION, 0);
	if (version != HV_API_VERSION)
		fail("%s is not a KVM-compatible device (KVM_GET_API_VERSION says %d, hv-run needs %d)", device, version,
		     HV_API_VERSION);
}

/*
 * Give the vCPU every CPUID feature the device supports, as launchers do,
 * with its own APIC ID where CPUID tells it (leaf 1 EBX[31:24], and EDX
 * of the topology leaves 0xb and 0x1f): KVM leaves that to userspace.
 */
static void vm_set_cpuid(struct guest *g, struct vcpu *v)
{
	unsigned int i;
	struct hv_cpuid2 *cpuid;
	int n = 256;

	cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
	if (!cpuid)
		fail("out of memory");
	cpuid->nent = n;
	if (ioctl(g->dev_fd, HV_GET_SUPPORTED_CPUID, cpuid) < 0)
		fail("KVM_GET_SUPPORTED_CPUID on %s failed: %s", g->device,
		     strerror(errno));
	for (i = 0; i < cpuid->nent; i++) {
		struct hv_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (uint32_t)v->id << 24;
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = v->id;
	}
	if (ioctl(v->fd, HV_SET_CPUID2, cpuid) < 0)
		fail("KVM_SET_CPUID2 on %s failed: %s", g->device,
		     strerror(errno));
	free(cpuid);
}

static void vm_create_vcpu(struct guest *g, int id)
{
	struct vcpu *v = &g->vcpus[id];

	v->g = g;
	v->id = id;
	v->fd = ioctl(g->vm_fd, HV_CREATE_VCPU, id);
	if (v->fd < 0)
		fail("KVM_CREATE_VCPU %d on %s failed: %s", id, g->device,
		     strerror(errno));
	v->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED)
		fail("cannot map vCPU %d of %s: %s", id, g->device,
		     strerror(errno));
	vm_set_cpuid(g, v);
}

/*
 * The interrupt controllers a PC has, in the kernel (KVM_CREATE_IRQCHIP:
 * the PIC pair, the I/O APIC at 0xfec00000, a local APIC per vCPU), and
 * the PIT with port 0x61 (KVM_CREATE_PIT2).  Before the first vCPU.
 */
static void vm_create_irqchip(struct guest *g)
{
	struct hv_pit_config pit = { .flags = HV_PIT_SPEAKER_DUMMY };

	if (ioctl(g->dev_fd, HV_CHECK_EXTENSION, HV_CAP_IRQCHIP) <= 0 ||
	    ioctl(g->dev_fd, HV_CHECK_EXTENSION, HV_CAP_PIT2) <= 0)
		fail("%s has no in-kernel interrupt controllers or PIT (KVM_CAP_IRQCHIP, KVM_CAP_PIT2), which a Linux guest needs", g->device);
	if (ioctl(g->vm_fd, HV_CREATE_IRQCHIP, 0) < 0)
		fail("KVM_CREATE_IRQCHIP on %s failed: %s", g->device,
		     strerror(errno));
	if (ioctl(g->vm_fd, HV_CREATE_PIT2, &pit) < 0)
		fail("KVM_CREATE_PIT2 on %s failed: %s", g->device,
		     strerror(errno));
	g->irqchip = true;
}

void vm_create(struct guest *g, uint64_t mem_size, int nr_vcpus,
	       bool irqchip)
{
	struct hv_userspace_memory_region slot;
	int size, max, i;

	g->vm_fd = ioctl(g->dev_fd, HV_CREATE_VM, 0);
	if (g->vm_fd < 0) {
		if (errno == EBUSY)
			fail("%s could not turn on VMX/SVM: another hypervisor (hv.ko, KVM, VirtualBox, VMware) is using it; unload it first", g->device);
		fail("KVM_CREATE_VM on %s failed: %s", g->device,
		     strerror(errno));
	}
	if (ioctl(g->vm_fd, HV_SET_TSS_ADDR, TSS_ADDR) < 0)
		fail("KVM_SET_TSS_ADDR on %s failed: %s", g->device,
		     strerror(errno));

	g->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED)
		fail("cannot reserve %llu MiB for guest memory: %s; try a smaller -m", (unsigned long long)(mem_size >> 20),
		     strerror(errno));
	g->mem_size = mem_size;
	memset(&slot, 0, sizeof(slot));
	slot.memory_size = mem_size;
	slot.userspace_addr = (uintptr_t)g->mem;
	if (ioctl(g->vm_fd, HV_SET_USER_MEMORY_REGION, &slot) < 0)
		fail("%s refused %llu MiB of guest memory: %s", g->device,
		     (unsigned long long)(mem_size >> 20), strerror(errno));

	if (irqchip)
		vm_create_irqchip(g);
	max = ioctl(g->dev_fd, HV_CHECK_EXTENSION, HV_CAP_MAX_VCPUS);
	if (max > 0 && nr_vcpus > max)
		fail("--cpus %d: %s runs at most %d vCPUs in a VM", nr_vcpus,
		     g->device, max);
	size = ioctl(g->dev_fd, HV_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct hv_run))
		fail("KVM_GET_VCPU_MMAP_SIZE on %s failed: %s", g->device,
		     strerror(errno));
	g->run_size = size;
	for (i = 0; i < nr_vcpus; i++)
		vm_create_vcpu(g, i);
	g->nr_vcpus = nr_vcpus;
	g->vcpu_fd = g->vcpus[0].fd;
	g->run = g->vcpus[0].run;
}

uint64_t vm_rip(struct guest *g)
{
	struct hv_regs regs;

	if (ioctl(g->vcpu_fd, HV_GET_REGS, &regs) < 0)
		return ~0ULL;
	return regs.rip;
}

/*
 * Record that [START, START + LEN) of guest memory holds WHAT; an image
 * that does not fit in memory, or overlaps something already there, is
 * refused.
 */
void vm_claim(struct guest *g, uint64_t start, uint64_t len, const char *what)
{
	uint64_t end = start + len;
	int i;

	if (end < start || end > g->mem_size)
		fail("%s (0x%llx-0x%llx) does not fit in the guest's %llu KiB of memory (see -m)", what, (unsigned long long)start,
		     (unsigned long long)end, (unsigned long long)(g->mem_size >> 10));
	if (!len)
		return;
	for (i = 0; i < g->nr_regions; i++) {
		struct region *r = &g->regions[i];

		if (start < r->end && r->start < end)
			fail("%s (0x%llx-0x%llx) overlaps %s (0x%llx-0x%llx)",
			     what, (unsigned long long)start,
			     (unsigned long long)end, r->what,
			     (unsigned long long)r->start,
			     (unsigned long long)r->end);
	}
	if (g->nr_regions == ARRAY_SIZE(g->regions))
		fail("%s: too many pieces to load (at most %d)", what,
		     g->nr_regions);
	g->regions[g->nr_regions++] = (struct region){ start, end, what };
	if (end > g->image_end)
		g->image_end = end;
}

void vm_copy(struct guest *g, uint64_t gpa, const void *src, uint64_t len,
	     const char *what)
{
	vm_claim(g, gpa, len, what);
	memcpy(g->mem + gpa, src, len);
}

void vm_zero(struct guest *g, uint64_t gpa, uint64_t len, const char *what)
{
	vm_claim(g, gpa, len, what);
	memset(g->mem + gpa, 0, len);
}
