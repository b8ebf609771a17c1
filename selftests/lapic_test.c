// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC of KVM's split irqchip (KVM_ENABLE_CAP with
 * KVM_CAP_SPLIT_IRQCHIP on the VM before any vCPU): the capabilities and
 * KVM's errors, KVM_GET/SET_LAPIC (reset state, round trip, what KVM
 * recomputes), the APIC base MSR and the APs' MP state; guests that use the
 * xAPIC page at 0xfee00000 (no memory slot there: it is the in-kernel APIC)
 * and the x2APIC MSRs: self-IPIs, the TPR and CR8, the timer in one-shot,
 * periodic and TSC-deadline mode, KVM_SIGNAL_MSI, HLT that stays in the
 * kernel until an interrupt or a signal, and VMs destroyed with a timer
 * armed.
 *
 * The guests report through port I/O (a 32-bit OUT per value).  Their
 * handlers (HANDLERS below) count interrupts at COUNT and note the ISR word
 * of vectors 0x40-0x5f at ISR_SEEN before their EOI.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv_guest.h"
#include "hv_test.h"

#define APIC_GPA	0xfee00000UL
#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80
#define APIC_PPR	0xa0
#define APIC_LDR	0xd0
#define APIC_DFR	0xe0
#define APIC_SPIV	0xf0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_LVTCMCI	0x2f0
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0

#define LVT_MASKED	0x10000
#define MSR_APIC_BASE	0x1b
#define MSR_TSC_DEADLINE 0x6e0

/*
 * KVM's version register: version 0x14, six LVT entries (no CMCI while
 * MCG_CAP lacks MCG_CMCI_P), and, once the guest's CPUID has x2APIC and the
 * IOAPIC is not in the kernel, directed EOI (bit 24): kvm_apic_set_version.
 */
#define LVR_RESET	0x00050014
#define LVR_X2APIC	0x01050014

#define COUNT		DATA_GPA		/* interrupts handled */
#define ISR_SEEN	(DATA_GPA + 4)		/* ISR word 2 in the handler */
#define GP_COUNT	(DATA_GPA + 8)		/* #GPs handled */

#define H_XAPIC		(CODE_GPA + 0x400)
#define H_X2APIC	(CODE_GPA + 0x480)
#define H_GP		(CODE_GPA + 0x500)
#define H_NMI		(CODE_GPA + 0x580)

#define VEC_TIMER	0x40
#define VEC_MSI		0x45
#define VEC_IPI		0x50
#define VEC_X2IPI	0x51

/*
 * The handlers, after a body that starts with label 9: the xAPIC one (EOI
 * through the page), the x2APIC one (EOI through MSR 0x80b), #GP (skips
 * the 2-byte RDMSR/WRMSR that faulted) and NMI (OUT to port 0x12).
 */
#define HANDLERS64							\
	".fill 0x400 - (. - 9b), 1, 0xf4;"				\
	"push %rax; push %rbx; incl " XSTR(COUNT) ";"			\
	"mov $" XSTR(APIC_GPA) ", %ebx; mov 0x120(%rbx), %eax;"		\
	"mov %eax, " XSTR(ISR_SEEN) "; movl $0, 0xb0(%rbx);"		\
	"pop %rbx; pop %rax; iretq;"					\
	".fill 0x480 - (. - 9b), 1, 0xf4;"				\
	"push %rax; push %rcx; push %rdx; incl " XSTR(COUNT) ";"	\
	"mov $0x812, %ecx; rdmsr; mov %eax, " XSTR(ISR_SEEN) ";"	\
	"mov $0x80b, %ecx; xor %eax, %eax; xor %edx, %edx; wrmsr;"	\
	"pop %rdx; pop %rcx; pop %rax; iretq;"				\
	".fill 0x500 - (. - 9b), 1, 0xf4;"				\
	"incl " XSTR(GP_COUNT) "; addq $2, 8(%rsp); add $8, %rsp; iretq;" \
	".fill 0x580 - (. - 9b), 1, 0xf4;"				\
	"push %rax; mov $0x12, %al; out %al, $0x12; pop %rax; iretq"

#define HANDLERS32							\
	".fill 0x400 - (. - 9b), 1, 0xf4;"				\
	"push %eax; push %ebx; incl " XSTR(COUNT) ";"			\
	"mov $" XSTR(APIC_GPA) ", %ebx; mov 0x120(%ebx), %eax;"		\
	"mov %eax, " XSTR(ISR_SEEN) "; movl $0, 0xb0(%ebx);"		\
	"pop %ebx; pop %eax; iret"

/* Spin (bounded) until COUNT reaches N. */
#define WAIT_COUNT(n)							\
	"mov $1000000, %ecx; 7: cmpl $" #n ", " XSTR(COUNT) "; jae 8f;"	\
	"pause; loop 7b; 8:"

/* Report a register or an APIC register (offset from BX) on PORT. */
#define OUT_APIC(bx, off, port)						\
	"mov " #off "(" bx "), %eax; out %eax, $" #port ";"
#define OUT_MEM(addr, port)						\
	"mov " XSTR(addr) ", %eax; out %eax, $" #port ";"

/* ---- helpers ---- */

static int enable_split(int vm, uint64_t pins, uint32_t flags)
{
	struct hv_enable_cap cap = {
		.cap = HV_CAP_SPLIT_IRQCHIP,
		.flags = flags,
		.args = { pins },
	};

	return ioctl(vm, HV_ENABLE_CAP, &cap);
}

/*
 * Long mode: map the APIC page (2 MiB page at 0xfee00000, uncached) beside
 * hv_guest's identity map of the first GiB, with a second page directory.
 */
static void map_apic(struct hv_guest *g)
{
	uint64_t *pdpt = (uint64_t *)(g->mem + PML4_GPA + 0x1000);
	uint64_t *pd = (uint64_t *)(g->mem + PML4_GPA + 0x3000);

	pdpt[3] = (PML4_GPA + 0x3000) | 3;
	pd[(APIC_GPA >> 21) & 511] = APIC_GPA | 0x9b;
}

/*
 * hv_guest_create with the split irqchip enabled between KVM_CREATE_VM and
 * the first KVM_CREATE_VCPU; 0, or -1 with errno.
 */
static int split_create(struct hv_guest *g, enum hv_guest_mode mode,
			const unsigned char *start, const unsigned char *end)
{
	struct hv_userspace_memory_region region = { 0 };

	memset(g, 0, sizeof(*g));
	g->mode = mode;
	g->dev = hv_open_device();
	if (g->dev < 0)
		return -1;
	g->vm = ioctl(g->dev, HV_CREATE_VM, 0);
	if (g->vm < 0)
		return -1;
	if (enable_split(g->vm, 24, 0))
		return -1;
	g->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED)
		return -1;
	memcpy(g->mem + CODE_GPA, start, end - start);
	region.memory_size = GUEST_MEM_SIZE;
	region.userspace_addr = (unsigned long)g->mem;
	if (ioctl(g->vm, HV_SET_USER_MEMORY_REGION, &region))
		return -1;
	g->vcpu = hv_guest_add_vcpu(g, 0, &g->run);
	if (g->vcpu < 0)
		return -1;
	if (mode == HV_MODE_LONG)
		map_apic(g);
	hv_guest_set_idt(g, VEC_TIMER, H_XAPIC);
	hv_guest_set_idt(g, VEC_MSI, H_XAPIC);
	hv_guest_set_idt(g, VEC_IPI, H_XAPIC);
	if (mode == HV_MODE_LONG) {
		hv_guest_set_idt(g, VEC_X2IPI, H_X2APIC);
		hv_guest_set_idt(g, 13, H_GP);
		hv_guest_set_idt(g, 2, H_NMI);
	}
	return 0;
}

static void split_setup(struct __test_metadata *_metadata, struct hv_guest *g,
			enum hv_guest_mode mode, const unsigned char *start,
			const unsigned char *end)
{
	ASSERT_EQ(0, split_create(g, mode, start, end))
		TH_LOG("split-irqchip guest setup: %s", strerror(errno));
}


static uint32_t reg(const struct hv_lapic_state *s, unsigned int off)
{
	uint32_t v;

	memcpy(&v, s->regs + off, sizeof(v));
	return v;
}

static void set_reg(struct hv_lapic_state *s, unsigned int off, uint32_t v)
{
	memcpy(s->regs + off, &v, sizeof(v));
}

static void get_lapic(struct __test_metadata *_metadata, int vcpu,
		      struct hv_lapic_state *s)
{
	memset(s, 0xa5, sizeof(*s));
	ASSERT_EQ(0, ioctl(vcpu, HV_GET_LAPIC, s))
		TH_LOG("KVM_GET_LAPIC: %s", strerror(errno));
}

static uint32_t mp_state(struct __test_metadata *_metadata, int vcpu)
{
	struct hv_mp_state mp = { .mp_state = 0xdead };

	EXPECT_EQ(0, ioctl(vcpu, HV_GET_MP_STATE, &mp))
		TH_LOG("KVM_GET_MP_STATE: %s", strerror(errno));
	return mp.mp_state;
}

static uint64_t get_msr(struct __test_metadata *_metadata, int vcpu,
			uint32_t index)
{
	struct {
		struct hv_msrs h;
		struct hv_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = index };

	EXPECT_EQ(1, ioctl(vcpu, HV_GET_MSRS, &m))
		TH_LOG("KVM_GET_MSRS %#x: %s", index, strerror(errno));
	return m.e.data;
}

/* Fixed, edge-triggered, physical destination DEST. */
static int send_msi(int vm, uint32_t dest, uint32_t vector, uint32_t flags)
{
	struct hv_msi msi = {
		.address_lo = APIC_GPA | dest << 12,
		.data = vector,
		.flags = flags,
		.devid = flags ? 0x1234 : 0,
	};

	return ioctl(vm, HV_SIGNAL_MSI, &msi);
}

static uint32_t guest_u32(struct hv_guest *g, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, g->mem + gpa, sizeof(v));
	return v;
}

GUEST(long_idle, ".code64", "9: out %al, $0x10; hlt;" HANDLERS64);

/* ---- capabilities and KVM_ENABLE_CAP ---- */

/*
 * KVM_CAP_SPLIT_IRQCHIP, KVM_CAP_SIGNAL_MSI and KVM_CAP_TSC_DEADLINE_TIMER
 * are 1 on the system fd and on a VM fd (x86.c: in the list of capabilities
 * that are always there; SIGNAL_MSI in the generic code).
 */
TEST(capabilities)
{
	static const long caps[] = {
		HV_CAP_SPLIT_IRQCHIP, HV_CAP_SIGNAL_MSI,
		HV_CAP_TSC_DEADLINE_TIMER,
	};
	int dev = hv_open_device(), vm;
	unsigned int i;

	ASSERT_LE(0, dev);
	vm = ioctl(dev, HV_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		EXPECT_EQ(1, ioctl(dev, HV_CHECK_EXTENSION, caps[i]))
			TH_LOG("system fd, cap %ld", caps[i]);
		EXPECT_EQ(1, ioctl(vm, HV_CHECK_EXTENSION, caps[i]))
			TH_LOG("VM fd, cap %ld", caps[i]);
	}
	close(vm);
	close(dev);
}

/*
 * kvm_vm_ioctl_enable_cap: flags other than 0 are EINVAL; more than
 * KVM_MAX_IRQ_ROUTES (4096) reserved pins EINVAL; 4096 itself is fine; a
 * second enable is EEXIST; and so is one after a vCPU was created (r is
 * -EEXIST for both tests, not EINVAL).  A refused enable leaves the VM
 * without a LAPIC.
 */
TEST(enable_cap_errors)
{
	struct hv_lapic_state s;
	int dev = hv_open_device(), vm, vcpu;

	ASSERT_LE(0, dev);
	vm = ioctl(dev, HV_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	EXPECT_EQ(-1, enable_split(vm, 24, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, enable_split(vm, HV_MAX_IRQ_ROUTES + 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, enable_split(vm, ~0ULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, enable_split(vm, 24, 0)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, enable_split(vm, 24, 0));
	EXPECT_EQ(EEXIST, errno);
	/* The argument is checked first: EINVAL even when enabled. */
	EXPECT_EQ(-1, enable_split(vm, HV_MAX_IRQ_ROUTES + 1, 0));
	EXPECT_EQ(EINVAL, errno);
	close(vm);

	vm = ioctl(dev, HV_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	EXPECT_EQ(0, enable_split(vm, HV_MAX_IRQ_ROUTES, 0))
		TH_LOG("%s", strerror(errno));
	close(vm);

	vm = ioctl(dev, HV_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	vcpu = ioctl(vm, HV_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	EXPECT_EQ(-1, enable_split(vm, 24, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, ioctl(vcpu, HV_GET_LAPIC, &s));
	EXPECT_EQ(EINVAL, errno);
	close(vcpu);
	close(vm);
	close(dev);
}

/* ---- KVM_GET_LAPIC / KVM_SET_LAPIC ---- */

/* Without an in-kernel LAPIC both are EINVAL, and so is KVM_SIGNAL_MSI. */
TEST(lapic_ioctls_without_irqchip)
{
	struct hv_lapic_state s;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_idle, long_idle_end);
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_LAPIC, &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_LAPIC, &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, send_msi(g.vm, 0, VEC_MSI, 0));
	EXPECT_EQ(EINVAL, errno);
	/* HLT still exits to userspace. */
	hv_run_to_port(_metadata, &g, 0x10);
	ASSERT_EQ(0, hv_guest_run(&g));
	EXPECT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	hv_guest_destroy(&g);
}

/* kvm_lapic_reset's state of vCPU ID, read before any KVM_SET_CPUID2. */
static void check_reset_state(struct __test_metadata *_metadata, int vcpu,
			      int id)
{
	static const unsigned int zero[] = {
		APIC_TPR, APIC_PPR, APIC_LDR, APIC_ESR, APIC_ICR, APIC_ICR2,
		APIC_TMICT, APIC_TMCCT, APIC_TDCR, APIC_LVTCMCI,
	};
	static const unsigned int masked[] = {
		APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT1, APIC_LVTERR,
	};
	struct hv_lapic_state s;
	unsigned int i;

	get_lapic(_metadata, vcpu, &s);
	EXPECT_EQ((uint32_t)id << 24, reg(&s, APIC_ID));
	EXPECT_EQ(LVR_RESET, reg(&s, APIC_LVR));
	EXPECT_EQ(0xff, reg(&s, APIC_SPIV));
	EXPECT_EQ(0xffffffff, reg(&s, APIC_DFR));
	for (i = 0; i < ARRAY_SIZE(masked); i++)
		EXPECT_EQ(LVT_MASKED, reg(&s, masked[i]))
			TH_LOG("LVT at %#x", masked[i]);
	/*
	 * KVM_X86_QUIRK_LINT0_REENABLED (on unless disabled): the BSP's LINT0
	 * is ExtINT and not masked; the other vCPUs' is masked.
	 */
	EXPECT_EQ(id == 0 ? 0x700 : LVT_MASKED, reg(&s, APIC_LVT0));
	for (i = 0; i < ARRAY_SIZE(zero); i++)
		EXPECT_EQ(0, reg(&s, zero[i])) TH_LOG("register %#x", zero[i]);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, reg(&s, APIC_ISR + 0x10 * i));
		EXPECT_EQ(0, reg(&s, APIC_TMR + 0x10 * i));
		EXPECT_EQ(0, reg(&s, APIC_IRR + 0x10 * i));
	}
}

/*
 * The reset state of two vCPUs, their APIC base MSRs (enabled, at
 * 0xfee00000, BSP bit on vCPU 0 only) and MP states (an AP with an
 * in-kernel LAPIC waits for INIT/SIPI: UNINITIALIZED).  Once the vCPU's
 * CPUID offers x2APIC, the version register has directed EOI (bit 24).
 */
TEST(reset_state)
{
	struct hv_lapic_state s;
	struct hv_guest g;
	struct hv_run *run1;
	int dev, vm, vcpu0, vcpu1;

	dev = hv_open_device();
	ASSERT_LE(0, dev);
	vm = ioctl(dev, HV_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	ASSERT_EQ(0, enable_split(vm, 24, 0)) TH_LOG("%s", strerror(errno));
	vcpu0 = ioctl(vm, HV_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu0);
	vcpu1 = ioctl(vm, HV_CREATE_VCPU, 1);
	ASSERT_LE(0, vcpu1);
	TH_LOG("vCPU 0");
	check_reset_state(_metadata, vcpu0, 0);
	TH_LOG("vCPU 1");
	check_reset_state(_metadata, vcpu1, 1);
	EXPECT_EQ(0xfee00900, get_msr(_metadata, vcpu0, MSR_APIC_BASE));
	EXPECT_EQ(0xfee00800, get_msr(_metadata, vcpu1, MSR_APIC_BASE));
	EXPECT_EQ(HV_MP_STATE_RUNNABLE, mp_state(_metadata, vcpu0));
	EXPECT_EQ(HV_MP_STATE_UNINITIALIZED, mp_state(_metadata, vcpu1));
	ASSERT_EQ(0, hv_set_supported_cpuid(dev, vcpu1));
	get_lapic(_metadata, vcpu1, &s);
	EXPECT_EQ(LVR_X2APIC, reg(&s, APIC_LVR));
	close(vcpu1);
	close(vcpu0);
	close(vm);
	close(dev);

	/* Without an irqchip every vCPU starts RUNNABLE. */
	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_idle, long_idle_end);
	vcpu1 = hv_guest_add_vcpu(&g, 1, &run1);
	ASSERT_LE(0, vcpu1);
	EXPECT_EQ(HV_MP_STATE_RUNNABLE, mp_state(_metadata, vcpu1));
	munmap(run1, 3 * HV_PAGE);
	close(vcpu1);
	hv_guest_destroy(&g);
}

/*
 * What KVM_SET_LAPIC takes is what KVM_GET_LAPIC gives back, byte for
 * byte, except what kvm_apic_set_state recomputes: the version register
 * (kvm_apic_set_version), the PPR (from the TPR and the ISR) and the
 * current count (0 with TMICT 0).  The same bytes set on another vCPU come
 * back the same, with the xAPIC ID userspace gave it.
 */
TEST(set_lapic_round_trip)
{
	struct hv_lapic_state a, b, want;
	struct hv_guest g;
	struct hv_run *run1;
	unsigned int i;
	int vcpu1;

	split_setup(_metadata, &g, HV_MODE_LONG, long_idle, long_idle_end);
	vcpu1 = hv_guest_add_vcpu(&g, 1, &run1);
	ASSERT_LE(0, vcpu1);
	get_lapic(_metadata, g.vcpu, &a);
	set_reg(&a, APIC_LVR, 0x12345678);
	set_reg(&a, APIC_TPR, 0x30);
	set_reg(&a, APIC_PPR, 0xee);
	set_reg(&a, APIC_LDR, 0x01000000);
	set_reg(&a, APIC_DFR, 0x0fffffff);
	set_reg(&a, APIC_SPIV, 0x1ff);
	set_reg(&a, APIC_LVTT, LVT_MASKED | 0x20000 | VEC_TIMER);
	set_reg(&a, APIC_LVT0, LVT_MASKED | 0x700);
	set_reg(&a, APIC_LVT1, 0x400);
	set_reg(&a, APIC_LVTERR, 0xfe);
	set_reg(&a, APIC_TDCR, 0xb);
	set_reg(&a, APIC_TMCCT, 0x1234);
	set_reg(&a, APIC_ICR2, 0x03000000);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_LAPIC, &a))
		TH_LOG("KVM_SET_LAPIC: %s", strerror(errno));
	get_lapic(_metadata, g.vcpu, &b);

	want = a;
	set_reg(&want, APIC_LVR, LVR_X2APIC);
	set_reg(&want, APIC_PPR, 0x30);
	set_reg(&want, APIC_TMCCT, 0);
	for (i = 0; i < sizeof(a.regs); i += 4)
		EXPECT_EQ(reg(&want, i), reg(&b, i))
			TH_LOG("vCPU 0 register %#x", i);

	set_reg(&b, APIC_ID, 1 << 24);
	ASSERT_EQ(0, ioctl(vcpu1, HV_SET_LAPIC, &b))
		TH_LOG("KVM_SET_LAPIC: %s", strerror(errno));
	get_lapic(_metadata, vcpu1, &a);
	for (i = 0; i < sizeof(a.regs); i += 4)
		EXPECT_EQ(reg(&b, i), reg(&a, i)) TH_LOG("vCPU 1 register %#x", i);

	/* An xAPIC ID set this way is the one MSIs find. */
	set_reg(&b, APIC_ID, 5 << 24);
	ASSERT_EQ(0, ioctl(vcpu1, HV_SET_LAPIC, &b));
	get_lapic(_metadata, vcpu1, &a);
	EXPECT_EQ(5 << 24, reg(&a, APIC_ID));
	EXPECT_EQ(1, send_msi(g.vm, 5, VEC_MSI, 0));
	get_lapic(_metadata, vcpu1, &a);
	EXPECT_EQ(1U << (VEC_MSI - 0x40), reg(&a, APIC_IRR + 0x20));
	/* The APIC base MSR is not part of the state: still an AP's. */
	EXPECT_EQ(0xfee00800, get_msr(_metadata, vcpu1, MSR_APIC_BASE));
	munmap(run1, 3 * HV_PAGE);
	close(vcpu1);
	hv_guest_destroy(&g);
}

/* ---- guests on the xAPIC ---- */

/*
 * Software-enable the APIC, report ID, version and SPIV, then a self-IPI
 * (ICR, shorthand self, fixed, vector 0x50) with IF set; report the
 * count, the ISR word the handler saw, ISR, IRR and ICR afterwards.
 */
#define SELF_IPI_BODY(bx)						\
	"9: mov $" XSTR(APIC_GPA) ", %ebx;"				\
	"movl $0x1ff, 0xf0(" bx ");"					\
	OUT_APIC(bx, 0x20, 0x10) OUT_APIC(bx, 0x30, 0x11)		\
	OUT_APIC(bx, 0xf0, 0x12)					\
	"sti; movl $0x40050, 0x300(" bx ");"				\
	WAIT_COUNT(1)							\
	OUT_MEM(COUNT, 0x13) OUT_MEM(ISR_SEEN, 0x14)			\
	OUT_APIC(bx, 0x120, 0x15) OUT_APIC(bx, 0x220, 0x16)		\
	OUT_APIC(bx, 0x300, 0x17) "hlt;"

GUEST(self_ipi32, ".code32", SELF_IPI_BODY("%ebx") HANDLERS32);
GUEST(self_ipi64, ".code64", SELF_IPI_BODY("%rbx") HANDLERS64);

static void self_ipi(struct __test_metadata *_metadata,
		     enum hv_guest_mode mode, const unsigned char *start,
		     const unsigned char *end)
{
	struct hv_lapic_state s;
	struct hv_guest g;
	unsigned int i;

	split_setup(_metadata, &g, mode, start, end);
	EXPECT_EQ(0, out_value(_metadata, &g, 0x10));
	EXPECT_EQ(LVR_X2APIC, out_value(_metadata, &g, 0x11));
	EXPECT_EQ(0x1ff, out_value(_metadata, &g, 0x12));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x13));
	/* In service while its handler ran, and no longer after the EOI. */
	EXPECT_EQ(1U << (VEC_IPI - 0x40), out_value(_metadata, &g, 0x14));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x15));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x16));
	/* The ICR keeps what was written, delivery status idle. */
	EXPECT_EQ(0x40000 | VEC_IPI, out_value(_metadata, &g, 0x17));
	get_lapic(_metadata, g.vcpu, &s);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, reg(&s, APIC_ISR + 0x10 * i));
		EXPECT_EQ(0, reg(&s, APIC_IRR + 0x10 * i));
	}
	EXPECT_EQ(0x1ff, reg(&s, APIC_SPIV));
	EXPECT_EQ(1, guest_u32(&g, COUNT));
	hv_guest_destroy(&g);
}

TEST(self_ipi_prot32)
{
	self_ipi(_metadata, HV_MODE_PROT32, self_ipi32, self_ipi32_end);
}

TEST(self_ipi_long)
{
	self_ipi(_metadata, HV_MODE_LONG, self_ipi64, self_ipi64_end);
}

/*
 * With TPR 0xf0 a self-IPI of vector 0x50 stays in the IRR (PPR 0xf0);
 * TPR 0 delivers it.  The same through CR8 (TPR = CR8 << 4).
 */
GUEST(tpr64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx; movl $0x1ff, 0xf0(%rbx); sti;"
	"movl $0xf0, 0x80(%rbx); movl $0x40050, 0x300(%rbx);"
	"mov $10000, %ecx; 1: pause; loop 1b;"
	OUT_MEM(COUNT, 0x10) OUT_APIC("%rbx", 0x220, 0x11)
	OUT_APIC("%rbx", 0xa0, 0x12)
	"movl $0, 0x80(%rbx);"
	WAIT_COUNT(1)
	OUT_MEM(COUNT, 0x13) OUT_APIC("%rbx", 0x220, 0x14)
	"mov $0xf, %eax; mov %rax, %cr8; movl $0x40050, 0x300(%rbx);"
	"mov $10000, %ecx; 2: pause; loop 2b;"
	OUT_MEM(COUNT, 0x15) OUT_APIC("%rbx", 0x80, 0x16)
	OUT_APIC("%rbx", 0x220, 0x17)
	"xor %eax, %eax; mov %rax, %cr8;"
	WAIT_COUNT(2)
	OUT_MEM(COUNT, 0x18) "mov %cr8, %rax; out %eax, $0x19; hlt;"
	HANDLERS64);

TEST(tpr_holds_interrupt)
{
	struct hv_lapic_state s;
	struct hv_guest g;

	split_setup(_metadata, &g, HV_MODE_LONG, tpr64, tpr64_end);
	EXPECT_EQ(0, out_value(_metadata, &g, 0x10));
	EXPECT_EQ(1U << (VEC_IPI - 0x40), out_value(_metadata, &g, 0x11));
	get_lapic(_metadata, g.vcpu, &s);
	EXPECT_EQ(0xf0, reg(&s, APIC_TPR));
	EXPECT_EQ(1U << (VEC_IPI - 0x40), reg(&s, APIC_IRR + 0x20));
	EXPECT_EQ(0xf0, out_value(_metadata, &g, 0x12));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x13));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x14));
	/* CR8 */
	EXPECT_EQ(1, out_value(_metadata, &g, 0x15));
	EXPECT_EQ(0xf0, out_value(_metadata, &g, 0x16));
	EXPECT_EQ(1U << (VEC_IPI - 0x40), out_value(_metadata, &g, 0x17));
	EXPECT_EQ(2, out_value(_metadata, &g, 0x18));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x19));
	get_lapic(_metadata, g.vcpu, &s);
	EXPECT_EQ(0, reg(&s, APIC_TPR));
	EXPECT_EQ(0, reg(&s, APIC_IRR + 0x20));
	hv_guest_destroy(&g);
}

/* ---- the timer ---- */

/*
 * One-shot, divide by 1: a count of 100 M (100 ms at KVM's 1 GHz APIC bus)
 * reads back as counting down; then 1 ms, STI; HLT until the handler has
 * run.  HLT stays in the kernel (no KVM_EXIT_HLT: the first exit is the
 * report).  Afterwards TMCCT is 0 and TMICT unchanged.
 */
GUEST(oneshot64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx; movl $0x1ff, 0xf0(%rbx);"
	"movl $0xb, 0x3e0(%rbx); movl $0x40, 0x320(%rbx);"
	"movl $100000000, 0x380(%rbx); mov 0x390(%rbx), %esi;"
	"movl $1000000, 0x380(%rbx);"
	"1: sti; hlt; cli; cmpl $0, " XSTR(COUNT) "; je 1b;"
	"mov %esi, %eax; out %eax, $0x10;"
	OUT_MEM(COUNT, 0x11) OUT_APIC("%rbx", 0x390, 0x12)
	OUT_APIC("%rbx", 0x380, 0x13) OUT_MEM(ISR_SEEN, 0x14) "hlt;"
	HANDLERS64);

TEST(timer_oneshot)
{
	struct hv_guest g;
	uint32_t tmcct;

	split_setup(_metadata, &g, HV_MODE_LONG, oneshot64, oneshot64_end);
	tmcct = out_value(_metadata, &g, 0x10);
	EXPECT_LT(0, tmcct);
	EXPECT_GE(100000000, tmcct);
	EXPECT_EQ(1, out_value(_metadata, &g, 0x11));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x12));
	EXPECT_EQ(1000000, out_value(_metadata, &g, 0x13));
	EXPECT_EQ(1U << (VEC_TIMER - 0x40), out_value(_metadata, &g, 0x14));
	hv_guest_destroy(&g);
}

/*
 * Periodic, 10 ms: HLT until five ticks have come, then mask LVTT and
 * stop the timer (TMICT 0, TMCCT then 0).  Once the guest has drained what
 * was pending, the count stays: after 50 ms outside the guest and another
 * entry (which would deliver a tick left pending), it has not moved.
 */
GUEST(periodic64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx; movl $0x1ff, 0xf0(%rbx);"
	"movl $0xb, 0x3e0(%rbx); movl $0x20040, 0x320(%rbx);"
	"movl $10000000, 0x380(%rbx);"
	"1: sti; hlt; cli; cmpl $5, " XSTR(COUNT) "; jb 1b;"
	"movl $0x30040, 0x320(%rbx); movl $0, 0x380(%rbx);"
	OUT_APIC("%rbx", 0x390, 0x10)
	"sti; mov $10000, %ecx; 2: pause; loop 2b;"
	OUT_MEM(COUNT, 0x11) "out %eax, $0x12;"
	"mov $10000, %ecx; 3: pause; loop 3b;"
	OUT_MEM(COUNT, 0x13) OUT_APIC("%rbx", 0x320, 0x14) "hlt;"
	HANDLERS64);

TEST(timer_periodic)
{
	struct hv_guest g;
	uint32_t n;

	split_setup(_metadata, &g, HV_MODE_LONG, periodic64, periodic64_end);
	EXPECT_EQ(0, out_value(_metadata, &g, 0x10));
	n = out_value(_metadata, &g, 0x11);
	EXPECT_LE(5, n);
	hv_run_to_port(_metadata, &g, 0x12);
	usleep(50000);
	EXPECT_EQ(n, out_value(_metadata, &g, 0x13));
	EXPECT_EQ(0x30040, out_value(_metadata, &g, 0x14));
	hv_guest_destroy(&g);
}

/*
 * TSC-deadline mode, once CPUID.1:ECX[24] is set (KVM_SET_CPUID2; KVM 6.1
 * does not list it in KVM_GET_SUPPORTED_CPUID, clients set it when
 * KVM_CAP_TSC_DEADLINE_TIMER is there): LVTT keeps mode 10b; a deadline far
 * ahead reads back; one 1 M cycles ahead wakes the guest from HLT, and the
 * MSR then reads 0.
 */
#define DL_WRITTEN	(DATA_GPA + 0x10)
#define DL_READ		(DATA_GPA + 0x18)
GUEST(deadline64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx; movl $0x1ff, 0xf0(%rbx);"
	"movl $0x40040, 0x320(%rbx);"
	OUT_APIC("%rbx", 0x320, 0x10)
	"mov $0x6e0, %ecx; rdtsc; shl $32, %rdx; or %rdx, %rax;"
	"mov $1, %rdx; shl $40, %rdx; add %rdx, %rax;"
	"mov %rax, " XSTR(DL_WRITTEN) "; mov %rax, %rdx; shr $32, %rdx;"
	"wrmsr; rdmsr; shl $32, %rdx; or %rdx, %rax;"
	"mov %rax, " XSTR(DL_READ) ";"
	"rdtsc; add $1000000, %eax; adc $0, %edx; wrmsr;"
	"1: sti; hlt; cli; cmpl $0, " XSTR(COUNT) "; je 1b;"
	"rdmsr; out %eax, $0x11; mov %edx, %eax; out %eax, $0x12;"
	OUT_MEM(COUNT, 0x13) OUT_APIC("%rbx", 0x380, 0x14) "hlt;"
	HANDLERS64);

TEST(timer_tsc_deadline)
{
	struct hv_cpuid2 *c;
	struct hv_cpuid_entry2 *e;
	struct hv_guest g;
	unsigned int i;
	uint64_t written, read;

	split_setup(_metadata, &g, HV_MODE_LONG, deadline64, deadline64_end);
	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	ASSERT_NE(NULL, c);
	c->nent = 256;
	ASSERT_EQ(0, ioctl(g.dev, HV_GET_SUPPORTED_CPUID, c));
	e = NULL;
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			e = &c->entries[i];
	ASSERT_NE(NULL, e);
	TH_LOG("KVM_GET_SUPPORTED_CPUID lists TSC-deadline: %s",
	       e->ecx & (1U << 24) ? "yes" : "no");
	e->ecx |= 1U << 24;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_CPUID2, c))
		TH_LOG("KVM_SET_CPUID2: %s", strerror(errno));
	free(c);

	EXPECT_EQ(0x40000 | VEC_TIMER, out_value(_metadata, &g, 0x10));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x11));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x12));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x13));
	/* TMICT is not used in this mode (0 since the mode changed). */
	EXPECT_EQ(0, out_value(_metadata, &g, 0x14));
	memcpy(&written, g.mem + DL_WRITTEN, 8);
	memcpy(&read, g.mem + DL_READ, 8);
	EXPECT_EQ(written, read);
	EXPECT_EQ(0, get_msr(_metadata, g.vcpu, MSR_TSC_DEADLINE));
	hv_guest_destroy(&g);
}

/* Without the CPUID bit the mode bits 18:17 keep only bit 17. */
GUEST(no_deadline64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx; movl $0x1ff, 0xf0(%rbx);"
	"movl $0x40040, 0x320(%rbx);"
	OUT_APIC("%rbx", 0x320, 0x10) "hlt;" HANDLERS64);

TEST(timer_tsc_deadline_needs_cpuid)
{
	struct hv_guest g;
	unsigned int ecx;

	split_setup(_metadata, &g, HV_MODE_LONG, no_deadline64,
		    no_deadline64_end);
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 1, 0, NULL, NULL, &ecx, NULL));
	if (ecx & (1U << 24)) {
		hv_guest_destroy(&g);
		SKIP(return, "KVM_GET_SUPPORTED_CPUID offers TSC-deadline");
	}
	EXPECT_EQ(VEC_TIMER, out_value(_metadata, &g, 0x10));
	hv_guest_destroy(&g);
}

/* ---- x2APIC ---- */

/*
 * On vCPU 1: an x2APIC MSR read in xAPIC mode is a #GP; the xAPIC ID;
 * APIC_BASE with EXTD set; ID (32 bits) and version through the MSRs;
 * the xAPIC page reads all-ones in x2APIC mode (KVM's LAPIC_MMIO_HOLE
 * quirk); SPIV enable and a self-IPI through MSR 0x83f, EOI through 0x80b.
 */
GUEST(x2apic64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx;"
	"mov $0x802, %ecx; rdmsr;"
	OUT_MEM(GP_COUNT, 0x10) OUT_APIC("%rbx", 0x20, 0x11)
	"mov $0x1b, %ecx; rdmsr; out %eax, $0x12;"
	"or $0x400, %eax; wrmsr; rdmsr; out %eax, $0x13;"
	"mov $0x802, %ecx; rdmsr; out %eax, $0x14;"
	"mov $0x803, %ecx; rdmsr; out %eax, $0x15;"
	OUT_APIC("%rbx", 0x20, 0x16)
	"mov $0x80f, %ecx; mov $0x1ff, %eax; xor %edx, %edx; wrmsr; sti;"
	"mov $0x83f, %ecx; mov $0x51, %eax; wrmsr;"
	WAIT_COUNT(1)
	OUT_MEM(COUNT, 0x17) OUT_MEM(ISR_SEEN, 0x18)
	"mov $0x812, %ecx; rdmsr; out %eax, $0x19;"
	OUT_MEM(GP_COUNT, 0x1a) "hlt;"
	HANDLERS64);

TEST(x2apic)
{
	struct hv_mp_state runnable = { HV_MP_STATE_RUNNABLE };
	struct hv_lapic_state s;
	struct hv_guest g;
	struct hv_run *run0;
	unsigned int ecx;
	int vcpu0;

	split_setup(_metadata, &g, HV_MODE_LONG, x2apic64, x2apic64_end);
	/* Run vCPU 1 in G (an AP: made RUNNABLE by hand). */
	vcpu0 = g.vcpu;
	run0 = g.run;
	g.vcpu = hv_guest_add_vcpu(&g, 1, &g.run);
	ASSERT_LE(0, g.vcpu);
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 1, 0, NULL, NULL, &ecx, NULL));
	EXPECT_TRUE(ecx & (1U << 21)) TH_LOG("CPUID.1:ECX[21] x2APIC");
	EXPECT_EQ(HV_MP_STATE_UNINITIALIZED, mp_state(_metadata, g.vcpu));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_MP_STATE, &runnable));

	EXPECT_EQ(1, out_value(_metadata, &g, 0x10));
	EXPECT_EQ(1 << 24, out_value(_metadata, &g, 0x11));
	EXPECT_EQ(0xfee00800, out_value(_metadata, &g, 0x12));
	EXPECT_EQ(0xfee00c00, out_value(_metadata, &g, 0x13));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x14));
	EXPECT_EQ(LVR_X2APIC, out_value(_metadata, &g, 0x15));
	EXPECT_EQ(0xffffffff, out_value(_metadata, &g, 0x16));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x17));
	EXPECT_EQ(1U << (VEC_X2IPI - 0x40), out_value(_metadata, &g, 0x18));
	EXPECT_EQ(0, out_value(_metadata, &g, 0x19));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x1a));

	/*
	 * KVM_GET_LAPIC in x2APIC mode (without KVM_CAP_X2APIC_API's 32-bit
	 * IDs): the ID shifted to the xAPIC place, the LDR derived from it
	 * (cluster 0, bit 1).
	 */
	get_lapic(_metadata, g.vcpu, &s);
	EXPECT_EQ(1 << 24, reg(&s, APIC_ID));
	EXPECT_EQ(2, reg(&s, APIC_LDR));
	EXPECT_EQ(0x1ff, reg(&s, APIC_SPIV));
	EXPECT_EQ(0xfee00c00, get_msr(_metadata, g.vcpu, MSR_APIC_BASE));
	EXPECT_EQ(0xfee00900, get_msr(_metadata, vcpu0, MSR_APIC_BASE));
	munmap(run0, 3 * HV_PAGE);
	close(vcpu0);
	hv_guest_destroy(&g);
}

/* ---- KVM_SIGNAL_MSI ---- */

GUEST(msi64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx; sti; out %eax, $0x10;"
	"movl $0x1ff, 0xf0(%rbx); out %eax, $0x11;"
	WAIT_COUNT(1) OUT_MEM(COUNT, 0x12) OUT_MEM(ISR_SEEN, 0x13)
	WAIT_COUNT(2) OUT_MEM(COUNT, 0x14) "hlt;"
	HANDLERS64);

/*
 * An MSI to APIC ID 0 (fixed, edge): 0 while the guest's APIC is software
 * disabled (dropped: __apic_accept_irq), 1 once enabled, and the handler
 * runs.  A destination no vCPU has gives 0 (the APIC map has no such ID);
 * in a VM without vCPUs there is no map and no vCPU matches: -1, which
 * userspace sees as errno EPERM.  Flags other than KVM_MSI_VALID_DEVID are
 * EINVAL; with it the device ID is ignored on x86.
 */
TEST(signal_msi)
{
	struct hv_guest g;
	int dev, vm;

	split_setup(_metadata, &g, HV_MODE_LONG, msi64, msi64_end);
	hv_run_to_port(_metadata, &g, 0x10);
	EXPECT_EQ(0, send_msi(g.vm, 0, VEC_MSI, 0));
	hv_run_to_port(_metadata, &g, 0x11);
	EXPECT_EQ(-1, send_msi(g.vm, 0, VEC_MSI, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, send_msi(g.vm, 5, VEC_MSI, 0));
	EXPECT_EQ(1, send_msi(g.vm, 0, VEC_MSI, 0));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x12));
	EXPECT_EQ(1U << (VEC_MSI - 0x40), out_value(_metadata, &g, 0x13));
	EXPECT_EQ(1, send_msi(g.vm, 0, VEC_MSI, HV_MSI_VALID_DEVID));
	EXPECT_EQ(2, out_value(_metadata, &g, 0x14));
	EXPECT_EQ(-1, ioctl(g.vm, HV_SIGNAL_MSI, NULL));
	EXPECT_EQ(EFAULT, errno);
	hv_guest_destroy(&g);

	dev = hv_open_device();
	ASSERT_LE(0, dev);
	vm = ioctl(dev, HV_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	EXPECT_EQ(-1, send_msi(vm, 0, VEC_MSI, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, enable_split(vm, 24, 0));
	EXPECT_EQ(-1, send_msi(vm, 0, VEC_MSI, 0));
	EXPECT_EQ(EPERM, errno);
	close(vm);
	close(dev);
}

/* ---- HLT and signals ---- */

static void on_signal(int sig)
{
}

struct kicker {
	pthread_t target, thread;
	int delay_ms;
};

static void *kicker_run(void *arg)
{
	struct kicker *k = arg;

	usleep(k->delay_ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/* KVM_RUN, with SIGUSR1 sent to this thread DELAY_MS after it starts. */
static int run_kicked(struct hv_guest *g, int delay_ms)
{
	struct kicker k = { .target = pthread_self(), .delay_ms = delay_ms };
	int r, e;

	if (pthread_create(&k.thread, NULL, kicker_run, &k))
		return -2;
	r = hv_guest_run(g);
	e = errno;
	pthread_join(k.thread, NULL);
	errno = e;
	return r;
}

GUEST(halt64, ".code64",
	"9: cli; out %al, $0x10; hlt; out %al, $0x11; hlt;" HANDLERS64);

/*
 * HLT with IF clear and an in-kernel LAPIC blocks in the kernel; a signal
 * ends KVM_RUN with EINTR and KVM_EXIT_INTR, the vCPU still HALTED (past
 * the HLT).  The next KVM_RUN blocks again (another signal ends it the same
 * way); an NMI wakes it: its handler, then the code after the HLT.
 */
TEST(halt_interrupted_by_signal)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct hv_guest g;
	int i, r, state = -1;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	split_setup(_metadata, &g, HV_MODE_LONG, halt64, halt64_end);
	hv_run_to_port(_metadata, &g, 0x10);
	/* The signal must come after the HLT: retried if it came before. */
	for (i = 0; i < 5; i++) {
		r = run_kicked(&g, 300);
		ASSERT_EQ(-1, r);
		ASSERT_EQ(EINTR, errno);
		EXPECT_EQ(HV_EXIT_INTR, g.run->exit_reason);
		state = mp_state(_metadata, g.vcpu);
		if (state == HV_MP_STATE_HALTED)
			break;
		TH_LOG("signal came before the HLT: again");
	}
	ASSERT_EQ(HV_MP_STATE_HALTED, state);
	EXPECT_EQ(CODE_GPA + 4, hv_guest_rip(&g));

	r = run_kicked(&g, 100);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(HV_EXIT_INTR, g.run->exit_reason);
	EXPECT_EQ(HV_MP_STATE_HALTED, mp_state(_metadata, g.vcpu));
	EXPECT_EQ(CODE_GPA + 4, hv_guest_rip(&g));

	ASSERT_EQ(0, ioctl(g.vcpu, HV_NMI));
	hv_run_to_port(_metadata, &g, 0x12);
	hv_run_to_port(_metadata, &g, 0x11);
	EXPECT_EQ(HV_MP_STATE_RUNNABLE, mp_state(_metadata, g.vcpu));
	hv_guest_destroy(&g);
}

/* ---- VMs destroyed with the timer running ---- */

/*
 * Periodic, 100 us (KVM raises it to its 200 us minimum); HLT until three
 * ticks, a report, then HLT for ever.  (It waits in HLT, not in a loop:
 * in Bochs, kvm_intel's host timer does not interrupt a spinning guest.)
 */
GUEST(fast_periodic64, ".code64",
	"9: mov $" XSTR(APIC_GPA) ", %ebx; movl $0x1ff, 0xf0(%rbx);"
	"movl $0xb, 0x3e0(%rbx); movl $0x20040, 0x320(%rbx);"
	"movl $100000, 0x380(%rbx); sti;"
	"1: hlt; cmpl $3, " XSTR(COUNT) "; jb 1b; out %eax, $0x10;"
	"2: hlt; jmp 2b;"
	HANDLERS64);

/* In a child: a VM whose timer ticks; writes a byte to FD once it does. */
static void ticking_child(int fd)
{
	struct hv_guest g;

	/* Gone with the test, even if the harness kills it first. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(4);
	if (split_create(&g, HV_MODE_LONG, fast_periodic64,
			 fast_periodic64_end))
		_exit(1);
	if (hv_guest_run(&g) || g.run->exit_reason != HV_EXIT_IO)
		_exit(2);
	if (write(fd, "x", 1) != 1)
		_exit(3);
	for (;;)
		hv_guest_run(&g);
}

/*
 * The fds closed with the periodic timer armed (the vCPU outside KVM_RUN),
 * five times; then a process killed (SIGKILL) while its vCPU is in KVM_RUN
 * being woken by the timer, three times.  Nothing crashes, and a new VM
 * then takes interrupts as before.
 */
TEST(destroy_with_timer_armed)
{
	struct hv_guest g;
	int i, status, fds[2];
	char c;
	pid_t pid;

	for (i = 0; i < 5; i++) {
		split_setup(_metadata, &g, HV_MODE_LONG, fast_periodic64,
			    fast_periodic64_end);
		hv_run_to_port(_metadata, &g, 0x10);
		EXPECT_LE(3, guest_u32(&g, COUNT));
		hv_guest_destroy(&g);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pipe(fds));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(fds[0]);
			ticking_child(fds[1]);
		}
		close(fds[1]);
		EXPECT_EQ(1, read(fds[0], &c, 1)) TH_LOG("child's VM failed");
		close(fds[0]);
		usleep(20000);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("child status %#x", status);
	}
	split_setup(_metadata, &g, HV_MODE_LONG, self_ipi64, self_ipi64_end);
	EXPECT_EQ(0, out_value(_metadata, &g, 0x10));
	EXPECT_EQ(LVR_X2APIC, out_value(_metadata, &g, 0x11));
	EXPECT_EQ(0x1ff, out_value(_metadata, &g, 0x12));
	EXPECT_EQ(1, out_value(_metadata, &g, 0x13));
	hv_guest_destroy(&g);
}

HV_TEST_MAIN
