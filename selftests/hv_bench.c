// SPDX-License-Identifier: GPL-2.0
/*
 * hv_bench: what an exit costs and how fast a VM starts, on /dev/hv or on
 * /dev/kvm (Documentation/performance.rst).
 *
 *	hv_bench [--device PATH] [--runs N] [--scale N] [--smoke]
 *		 [--only METRIC[,METRIC...]] [--linux DIR]
 *
 * Each metric runs a small guest (hv_guest.h) RUNS times and reports the
 * median and the spread (lowest and highest run) of the time per
 * iteration:
 *
 *	cpuid		CPUID, handled in the kernel: the guest loops, one RUN
 *	out		OUT to userspace and back (one RUN per iteration)
 *	in		IN completed by userspace
 *	mmio_write	a store to memory no slot backs, to userspace and back
 *	mmio_read	a load from it, completed by userspace
 *	hlt		HLT to userspace and back
 *	interrupt	KVM_INTERRUPT to a guest waiting in HLT: delivered at
 *			entry, its handler's IRET, HLT to userspace again
 *	timer		a tick of the in-kernel local APIC's timer (split
 *			irqchip): the guest arms a one-shot timer 1 ns ahead
 *			(an exit; the count is over before an hrtimer could
 *			be armed, so on hv as on KVM it expires there) and
 *			halts; the HLT in the kernel finds the interrupt,
 *			which goes in, and the handler's EOI
 *	ipi		an IPI through the in-kernel local APIC: the guest's
 *			write of a self-IPI to the xAPIC ICR (an exit), the
 *			interrupt at the next entry, its handler's EOI
 *	start		from KVM_CREATE_VM to the guest's first instruction:
 *			memory slot, vCPU, CPUID, registers, first RUN
 *
 * with --linux DIR (DIR/hv-run, DIR/vmlinuz, DIR/initrd.gz, the Linux
 * guest of linux_test.sh), Linux booted by hv-run on one vCPU, one boot
 * per run (3 at most), each metric from the same boots:
 *
 *	linux_boot	from starting hv-run to the guest's first line from
 *			userspace ("@@L2 userspace")
 *	linux_exits	the exits that reached hv-run in the whole boot, to
 *			the guest's power-off (hv-run --exits), and of them
 *	linux_exits_io	  port I/O and
 *	linux_exits_mmio  MMIO
 *
 * and the kernel memory one VM and one vCPU take, from the free page and
 * slab counts before and after creating 100 of them:
 *
 *	vm_kib, vm_slab_kib, vcpu_kib, vcpu_slab_kib
 *
 * Every guest checks what it is given (the data of each IN and MMIO read
 * adds up to a known sum), so a wrong exit fails the run instead of
 * producing a figure.  Output, one line per metric, tab-separated:
 *
 *	metric	median	low	high	unit
 *
 * --smoke runs each metric once with a few iterations and prints KTAP
 * instead: the check that make check runs on both devices.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv_guest.h"
#include "hv_util.h"

#define PORT_OUT	0x10
#define PORT_IN		0x11
#define PORT_DONE	0x12
#define MAX_RUNS	51
#define MEM_OBJECTS	100
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* CPUID loops ESI times in the kernel, then says so on PORT_DONE. */
GUEST(g_cpuid, ".code32",
	"1: xor %eax, %eax; cpuid; dec %esi; jnz 1b\n"
	"out %al, $0x12; hlt");
GUEST(g_out, ".code32", "mov $0x5a, %al; 1: out %al, $0x10; jmp 1b");
/* EDI sums what each IN returns. */
GUEST(g_in, ".code32",
	"xor %edi, %edi; 1: in $0x11, %al; movzbl %al, %edx; add %edx, %edi; jmp 1b");
GUEST(g_mmio_write, ".code32",
	"mov $0x600dcafe, %eax; 1: mov %eax, 0x10000000; jmp 1b");
GUEST(g_mmio_read, ".code32",
	"xor %edi, %edi; 1: mov 0x10000000, %eax; add %eax, %edi; jmp 1b");
GUEST(g_hlt, ".code32", "1: hlt; jmp 1b");
/* The handler of vector INT_VECTOR, at CODE_GPA + 0x100, counts in EDI. */
GUEST(g_interrupt, ".code32",
	"9: sti; 1: hlt; jmp 1b; .fill 0x100 - (. - 9b), 1, 0xf4;"
	"inc %edi; iret");
#define INT_VECTOR	0x30
GUEST(g_start, ".code32", "out %al, $0x10; hlt");
/*
 * Long mode with the xAPIC page at APIC_GPA in RBX: ESI times, either arm
 * a one-shot timer (TMICT 1, divide by 1) or send a self-IPI (ICR shorthand
 * "self"), both vector APIC_VECTOR, and halt until its handler (at
 * CODE_GPA + 0x200) has counted it in EDI and sent the EOI.
 */
#define APIC_VECTOR	0x40
#define APIC_LOOP(kick)							\
	"9: mov $" XSTR(APIC_GPA) ", %ebx; movl $0x1ff, 0xf0(%rbx);"	\
	"movl $0xb, 0x3e0(%rbx); movl $0x40, 0x320(%rbx); xor %edi, %edi;" \
	"1: cli; mov %edi, %ecx;" kick					\
	"2: cmp %ecx, %edi; jne 3f; sti; hlt; cli; jmp 2b;"		\
	"3: dec %esi; jnz 1b; out %al, $0x12; hlt;"			\
	".fill 0x200 - (. - 9b), 1, 0xf4;"				\
	"inc %edi; movl $0, 0xb0(%rbx); iretq"
GUEST(g_timer, ".code64", APIC_LOOP("movl $1, 0x380(%rbx);"));
GUEST(g_ipi, ".code64", APIC_LOOP("movl $0x40040, 0x300(%rbx);"));

static int smoke;
static int runs = 7;
static unsigned long scale = 1;

struct metric {
	const char *name;
	const char *unit;
	/* Fills *VALUE with one run's figure; 0, or -1 after saying why. */
	int (*run)(const struct metric *m, int dev, double *value);
	const void *code, *code_end;
	unsigned long iterations;	/* per run, before --scale */
	/* Exits to userspace: the reason, and a check of exit I (0, -1). */
	unsigned int reason;
	int (*exit)(const struct metric *m, struct hv_guest *g,
		    unsigned long i);
	/* The guest adds up in EDI the data each exit gives it. */
	int adds_up;
	/* At most this many runs, when not 0 (a Linux boot is long). */
	int max_runs;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static unsigned long iterations(const struct metric *m)
{
	return smoke ? 10 : m->iterations * scale;
}

static int fail(const struct metric *m, const char *fmt, ...)
{
	va_list ap;

	printf("# %s: ", m->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return -1;
}

/* A guest for metric M on DEV (which it takes over and closes). */
static int bench_guest(const struct metric *m, int dev, struct hv_guest *g)
{
	if (hv_guest_create_on(g, dev, HV_MODE_PROT32, m->code,
			       (const char *)m->code_end - (const char *)m->code))
		return fail(m, "creating the guest: %s", strerror(errno));
	return 0;
}

/* What KVM_RUN returned (@r, errno) was a clean exit for @reason. */
static int run_result(const struct metric *m, struct hv_guest *g, int r,
		      unsigned int reason)
{
	if (r)
		return fail(m, "KVM_RUN: %s", strerror(errno));
	if (g->run->exit_reason != reason)
		return fail(m, "exit reason %u, expected %u",
			    g->run->exit_reason, reason);
	return 0;
}

static int run_once(const struct metric *m, struct hv_guest *g,
		    unsigned int reason)
{
	return run_result(m, g, hv_guest_run(g), reason);
}

static int check_io(const struct metric *m, struct hv_guest *g, int dir,
		    int port)
{
	if (g->run->io.direction != dir || g->run->io.port != port ||
	    g->run->io.size != 1 || g->run->io.count != 1)
		return fail(m, "I/O exit: direction %u port %#x size %u count %u",
			    g->run->io.direction, g->run->io.port,
			    g->run->io.size, g->run->io.count);
	return 0;
}

static int check_mmio(const struct metric *m, struct hv_guest *g, int write)
{
	if (g->run->mmio.phys_addr != MMIO_GPA || g->run->mmio.len != 4 ||
	    g->run->mmio.is_write != write)
		return fail(m, "MMIO exit: address %#llx len %u write %u",
			    (unsigned long long)g->run->mmio.phys_addr,
			    g->run->mmio.len, g->run->mmio.is_write);
	return 0;
}

static int guest_edi(const struct metric *m, struct hv_guest *g,
		     unsigned long expected)
{
	struct hv_regs regs;

	if (ioctl(g->vcpu, HV_GET_REGS, &regs))
		return fail(m, "KVM_GET_REGS: %s", strerror(errno));
	if ((uint32_t)regs.rdi != (uint32_t)expected)
		return fail(m, "the guest added up %#x, expected %#x",
			    (uint32_t)regs.rdi, (uint32_t)expected);
	return 0;
}

/*
 * A guest that waits forever (a lost wakeup) must not hang the run: a
 * timed loop gets BOUND_SEC, then SIGALRM ends its KVM_RUN with EINTR and
 * the vCPU's state is shown.
 */
#define BOUND_SEC	120

static void on_alarm(int sig)
{
}

static void stuck_guest(const struct metric *m, struct hv_guest *g)
{
	struct hv_lapic_state apic;
	struct hv_vcpu_events ev;
	struct hv_mp_state mp;
	struct hv_regs regs;
	const unsigned char *r = (const unsigned char *)apic.regs;
	int resumed;

	memset(&mp, 0xff, sizeof(mp));
	memset(&ev, 0, sizeof(ev));
	memset(&regs, 0, sizeof(regs));
	memset(&apic, 0, sizeof(apic));
	ioctl(g->vcpu, HV_GET_MP_STATE, &mp);
	ioctl(g->vcpu, HV_GET_REGS, &regs);
	ioctl(g->vcpu, HV_GET_VCPU_EVENTS, &ev);
	ioctl(g->vcpu, HV_GET_LAPIC, &apic);
	printf("# %s: stuck after %d s: mp_state %u rip %#llx rflags %#llx edi %llu esi %llu shadow %u irq.injected %u\n",
	       m->name, BOUND_SEC, mp.mp_state, (unsigned long long)regs.rip,
	       (unsigned long long)regs.rflags, (unsigned long long)regs.rdi,
	       (unsigned long long)regs.rsi, ev.interrupt.shadow,
	       ev.interrupt.injected);
	printf("# %s: APIC ISR[2] %#x IRR[2] %#x LVTT %#x TMICT %#x TMCCT %#x SPIV %#x\n",
	       m->name, *(const unsigned int *)(r + 0x120),
	       *(const unsigned int *)(r + 0x220),
	       *(const unsigned int *)(r + 0x320),
	       *(const unsigned int *)(r + 0x380),
	       *(const unsigned int *)(r + 0x390),
	       *(const unsigned int *)(r + 0xf0));
	/* Whether a new KVM_RUN (a fresh look at its events) unsticks it. */
	alarm(2);
	resumed = !hv_guest_run(g);
	alarm(0);
	printf("# %s: after the signal the guest %s\n", m->name,
	       resumed ? "went on" : "stayed stuck");
	fflush(stdout);
}

/*
 * The guests that loop in the kernel: N in RSI, one RUN to their OUT on
 * PORT_DONE, *VALUE the time per iteration.  0, or -1 after saying why.
 */
static int time_loop(const struct metric *m, struct hv_guest *g,
		     unsigned long n, double *value)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hv_regs regs;
	double t;
	int r;

	if (ioctl(g->vcpu, HV_GET_REGS, &regs))
		return fail(m, "KVM_GET_REGS: %s", strerror(errno));
	regs.rsi = n;
	if (ioctl(g->vcpu, HV_SET_REGS, &regs))
		return fail(m, "KVM_SET_REGS: %s", strerror(errno));
	/* No SA_RESTART: the signal ends KVM_RUN. */
	sigaction(SIGALRM, &sa, NULL);
	t = now_ns();
	alarm(BOUND_SEC);
	r = hv_guest_run(g);
	alarm(0);
	if (r && errno == EINTR) {
		stuck_guest(m, g);
		return fail(m, "the guest did not finish in %d s", BOUND_SEC);
	}
	if (run_result(m, g, r, HV_EXIT_IO) ||
	    check_io(m, g, HV_EXIT_IO_OUT, PORT_DONE))
		return -1;
	*value = (now_ns() - t) / n;
	return 0;
}

/* (a) CPUID: N exits handled in the kernel within one RUN. */
static int bench_cpuid(const struct metric *m, int dev, double *value)
{
	unsigned long n = iterations(m);
	struct hv_guest g;
	int ret = -1;

	if (bench_guest(m, dev, &g) || time_loop(m, &g, n, value))
		goto out;
	ret = 0;
out:
	hv_guest_destroy(&g);
	return ret;
}

/*
 * timer, ipi: a split-irqchip guest in long mode loops in the kernel, then
 * says so on PORT_DONE; EDI counts the interrupts its handler took.
 */
static int bench_apic(const struct metric *m, int dev, double *value)
{
	unsigned long n = iterations(m);
	struct hv_guest g;
	int ret = -1;

	/* hv_guest_create_split() opens the device itself. */
	close(dev);
	if (hv_guest_create_split(&g, HV_MODE_LONG, m->code,
				  (const char *)m->code_end -
				  (const char *)m->code)) {
		fail(m, "creating the guest: %s", strerror(errno));
		goto out;
	}
	hv_guest_set_idt(&g, APIC_VECTOR, CODE_GPA + 0x200);
	if (time_loop(m, &g, n, value) || guest_edi(m, &g, n))
		goto out;
	ret = 0;
out:
	hv_guest_destroy(&g);
	return ret;
}

/* The exits of (b)-(e): each checks what the guest did or gives it data. */
static int exit_out(const struct metric *m, struct hv_guest *g,
		    unsigned long i)
{
	if (check_io(m, g, HV_EXIT_IO_OUT, PORT_OUT))
		return -1;
	if (*hv_guest_io_data(g) != 0x5a)
		return fail(m, "OUT wrote %#x", *hv_guest_io_data(g));
	return 0;
}

static int exit_in(const struct metric *m, struct hv_guest *g,
		   unsigned long i)
{
	if (check_io(m, g, HV_EXIT_IO_IN, PORT_IN))
		return -1;
	*hv_guest_io_data(g) = i & 0xff;
	return i & 0xff;
}

static int exit_mmio_write(const struct metric *m, struct hv_guest *g,
			   unsigned long i)
{
	uint32_t v;

	if (check_mmio(m, g, 1))
		return -1;
	memcpy(&v, g->run->mmio.data, 4);
	if (v != 0x600dcafe)
		return fail(m, "MMIO write of %#x", v);
	return 0;
}

static int exit_mmio_read(const struct metric *m, struct hv_guest *g,
			  unsigned long i)
{
	uint32_t v = (i & 0x7f) * 0x01010101u;

	if (check_mmio(m, g, 0))
		return -1;
	memcpy(g->run->mmio.data, &v, 4);
	return v;
}

static int exit_hlt(const struct metric *m, struct hv_guest *g,
		    unsigned long i)
{
	return 0;
}

/* After each HLT: the next interrupt (the handler is set up first). */
static int exit_interrupt(const struct metric *m, struct hv_guest *g,
			  unsigned long i)
{
	struct hv_interrupt irq = { .irq = INT_VECTOR };

	if (i == 0)
		hv_guest_set_idt(g, INT_VECTOR, CODE_GPA + 0x100);
	if (!g->run->ready_for_interrupt_injection)
		return fail(m, "the guest in HLT is not ready for an interrupt");
	if (ioctl(g->vcpu, HV_INTERRUPT, &irq))
		return fail(m, "KVM_INTERRUPT: %s", strerror(errno));
	return 1;
}

/*
 * (b)-(e): one exit to userspace per RUN.  An exit handler returns the
 * data it gave the guest (which the guest adds up), or -1.
 */
static int bench_exits(const struct metric *m, int dev, double *value)
{
	unsigned long n = iterations(m), i;
	uint32_t sum = 0, given = 0;
	struct hv_guest g;
	double t;
	int ret = -1, r;

	if (bench_guest(m, dev, &g))
		goto out;
	t = now_ns();
	for (i = 0; i < n; i++) {
		if (run_once(m, &g, m->reason))
			goto out;
		/* The data of the exit before this one is in the guest now. */
		sum += given;
		r = m->exit(m, &g, i);
		if (r < 0)
			goto out;
		given = r;
	}
	*value = (now_ns() - t) / n;
	/* Guests that read add up the data of every exit but the last. */
	if (m->adds_up && guest_edi(m, &g, sum))
		goto out;
	ret = 0;
out:
	hv_guest_destroy(&g);
	return ret;
}

/* (f) From KVM_CREATE_VM to the first exit of the guest's first OUT. */
static int bench_start(const struct metric *m, int dev, double *value)
{
	struct hv_guest g;
	double t;
	int ret = -1;

	t = now_ns();
	if (bench_guest(m, dev, &g) || run_once(m, &g, HV_EXIT_IO) ||
	    check_io(m, &g, HV_EXIT_IO_OUT, PORT_OUT))
		goto out;
	*value = now_ns() - t;
	ret = 0;
out:
	hv_guest_destroy(&g);
	return ret;
}

/* ---- Linux booted by hv-run (--linux) ---- */

static const char *linux_dir;

/* What each boot measured: boot ns, exits total, io, mmio. */
static double linux_runs[MAX_RUNS][4];
static int linux_done, linux_next[4];

/* One boot; 0, or -1 after saying why. */
static int linux_boot(const struct metric *m, double *r)
{
	char hv_run[512], kernel[512], initrd[512], line[512];
	unsigned long total, io, mmio, x;
	int out[2], err[2], status;
	double t0, t_user = 0;
	FILE *f, *e;
	pid_t pid;

	snprintf(hv_run, sizeof(hv_run), "%s/hv-run", linux_dir);
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", linux_dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd.gz", linux_dir);
	if (pipe(out) || pipe(err))
		return fail(m, "pipe: %s", strerror(errno));
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		return fail(m, "fork: %s", strerror(errno));
	if (!pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(0);
		open("/dev/null", O_RDONLY);
		execl(hv_run, hv_run, "--device", hv_device, "--exits",
		      "-m", "256M", "--initrd", initrd,
		      "-a", "console=ttyS0 panic=-1 loglevel=4", kernel,
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	f = fdopen(out[0], "r");
	while (fgets(line, sizeof(line), f))
		if (!t_user && !strncmp(line, "@@L2 userspace", 14))
			t_user = now_ns();
	fclose(f);
	e = fdopen(err[0], "r");
	total = io = mmio = ~0UL;
	while (fgets(line, sizeof(line), e))
		if (sscanf(line, "hv-run: exits to userspace: io %lu hlt %lu mmio %lu shutdown %lu intr %lu other %lu total %lu",
			   &io, &x, &mmio, &x, &x, &x, &total) == 7)
			break;
	fclose(e);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !t_user ||
	    total == ~0UL)
		return fail(m, "hv-run ended with status %#x%s", status,
			    t_user ? "" : " before the guest's userspace");
	r[0] = t_user - t0;
	r[1] = total;
	r[2] = io;
	r[3] = mmio;
	return 0;
}

/* (g) Each linux_* metric takes its figure from the boots of the first. */
static int bench_linux(const struct metric *m, int dev, double *value)
{
	int which = m->iterations;

	close(dev);
	if (linux_next[which] == linux_done) {
		if (linux_done == MAX_RUNS ||
		    linux_boot(m, linux_runs[linux_done]))
			return -1;
		linux_done++;
	}
	*value = linux_runs[linux_next[which]++][which];
	return 0;
}

/* Free memory in KiB (hv_free_kib()); SLAB: the slab total. */
static int kernel_free_kib(long *free_kib, long *slab_kib)
{
	char line[256];
	long v, recl = -1, unrecl = -1;
	FILE *f;

	*free_kib = hv_free_kib();
	if (*free_kib < 0)
		return -1;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SReclaimable: %ld", &v) == 1)
			recl = v;
		else if (sscanf(line, "SUnreclaim: %ld", &v) == 1)
			unrecl = v;
	}
	fclose(f);
	if (recl < 0 || unrecl < 0)
		return -1;
	*slab_kib = recl + unrecl;
	return 0;
}

/*
 * (g) Kernel memory per VM (with one memory slot) or per vCPU (in one
 * VM), as created: MEM_OBJECTS of them, and the drop in free memory.
 */
static int bench_memory(const struct metric *m, int dev, double *value)
{
	int vcpu_metric = !strncmp(m->name, "vcpu", 4);
	int slab_metric = strstr(m->name, "slab") != NULL;
	struct hv_userspace_memory_region region = {
		.memory_size = GUEST_MEM_SIZE,
	};
	int fds[MEM_OBJECTS], vm = -1, i, n = 0, ret = -1;
	long free0, slab0, free1, slab1;
	void *mem;

	mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return fail(m, "mmap: %s", strerror(errno));
	region.userspace_addr = (unsigned long)mem;
	if (vcpu_metric) {
		vm = ioctl(dev, HV_CREATE_VM, 0);
		if (vm < 0) {
			fail(m, "KVM_CREATE_VM: %s", strerror(errno));
			goto out;
		}
	}
	if (kernel_free_kib(&free0, &slab0)) {
		fail(m, "reading /proc/zoneinfo and /proc/meminfo: %s",
		     strerror(errno));
		goto out;
	}
	for (n = 0; n < MEM_OBJECTS; n++) {
		if (vcpu_metric) {
			fds[n] = ioctl(vm, HV_CREATE_VCPU, n);
		} else {
			fds[n] = ioctl(dev, HV_CREATE_VM, 0);
			if (fds[n] >= 0 &&
			    ioctl(fds[n], HV_SET_USER_MEMORY_REGION, &region)) {
				fail(m, "KVM_SET_USER_MEMORY_REGION: %s",
				     strerror(errno));
				close(fds[n]);
				goto out;
			}
		}
		if (fds[n] < 0) {
			fail(m, "creating %s %d: %s", vcpu_metric ? "vCPU" : "VM",
			     n, strerror(errno));
			goto out;
		}
	}
	if (kernel_free_kib(&free1, &slab1)) {
		fail(m, "reading /proc/zoneinfo and /proc/meminfo: %s",
		     strerror(errno));
		goto out;
	}
	*value = slab_metric ? (double)(slab1 - slab0) / MEM_OBJECTS :
			       (double)(free0 - free1) / MEM_OBJECTS;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	if (vm >= 0)
		close(vm);
	munmap(mem, GUEST_MEM_SIZE);
	close(dev);
	return ret;
}

#define GUEST_METRIC(n, fn, iters) \
	.name = #n, .unit = "ns", .run = fn, .code = g_##n, \
	.code_end = g_##n##_end, .iterations = iters
#define EXIT_METRIC(n, why, sum) \
	{ GUEST_METRIC(n, bench_exits, 2000), .reason = why, \
	  .exit = exit_##n, .adds_up = sum }
#define MEMORY_METRIC(n) { .name = #n, .unit = "KiB", .run = bench_memory }
/* (.iterations: which figure of a boot) */
#define LINUX_METRIC(n, u, i) { .name = #n, .unit = u, .run = bench_linux, \
				.iterations = i, .max_runs = 3 }

static const struct metric metrics[] = {
	{ GUEST_METRIC(cpuid, bench_cpuid, 20000) },
	EXIT_METRIC(out, HV_EXIT_IO, 0),
	EXIT_METRIC(in, HV_EXIT_IO, 1),
	EXIT_METRIC(mmio_write, HV_EXIT_MMIO, 0),
	EXIT_METRIC(mmio_read, HV_EXIT_MMIO, 1),
	EXIT_METRIC(hlt, HV_EXIT_HLT, 0),
	EXIT_METRIC(interrupt, HV_EXIT_HLT, 1),
	{ GUEST_METRIC(timer, bench_apic, 2000) },
	{ GUEST_METRIC(ipi, bench_apic, 2000) },
	{ GUEST_METRIC(start, bench_start, 1) },
	MEMORY_METRIC(vm_kib),
	MEMORY_METRIC(vm_slab_kib),
	MEMORY_METRIC(vcpu_kib),
	MEMORY_METRIC(vcpu_slab_kib),
	LINUX_METRIC(linux_boot, "ns", 0),
	LINUX_METRIC(linux_exits, "exits", 1),
	LINUX_METRIC(linux_exits_io, "exits", 2),
	LINUX_METRIC(linux_exits_mmio, "exits", 3),
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs M RUNS times (once in a smoke run); 0, or -1 if a run failed. */
static int measure(const struct metric *m, double *median, double *low,
		   double *high)
{
	double v[MAX_RUNS];
	int i, n = smoke ? 1 : runs;

	if (m->max_runs && n > m->max_runs)
		n = m->max_runs;

	for (i = 0; i < n; i++) {
		int dev = hv_open_device();

		if (dev < 0)
			return fail(m, "%s: %s", hv_device, strerror(errno));
		if (m->run(m, dev, &v[i]))
			return -1;
	}
	qsort(v, n, sizeof(v[0]), cmp_double);
	*median = v[n / 2];
	*low = v[0];
	*high = v[n - 1];
	return 0;
}

static void show_usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [--device PATH] [--runs N] [--scale N] [--smoke]\n"
		"          [--linux DIR]\n"
		"Measures exit round trips, VM start and kernel memory on PATH\n"
		"(default: $HV_DEVICE, else /dev/hv); --runs (1-%d, default 7)\n"
		"runs per metric, --scale multiplies the iterations per run,\n"
		"--smoke checks each metric once and prints KTAP; --linux DIR\n"
		"boots DIR/vmlinuz with DIR/initrd.gz by DIR/hv-run too.\n",
		prog, MAX_RUNS);
	exit(status);
}

int main(int argc, char **argv)
{
	int i, failed = 0, n = 0, k = 0;
	bool chosen[ARRAY_SIZE(metrics)];
	char *end;

	hv_test_parse_args(&argc, argv);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke")) {
			smoke = 1;
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = strtol(argv[++i], &end, 0);
			if (*end || runs < 1 || runs > MAX_RUNS)
				show_usage(argv[0], 2);
		} else if (!strcmp(argv[i], "--linux") && i + 1 < argc) {
			linux_dir = argv[++i];
		} else if (!strcmp(argv[i], "--scale") && i + 1 < argc) {
			scale = strtoul(argv[++i], &end, 0);
			if (*end || scale < 1 || scale > 1000)
				show_usage(argv[0], 2);
		} else {
			show_usage(argv[0], strcmp(argv[i], "--help") ? 2 : 0);
		}
	}

	/* --only (hv_test_parse_args()): the metrics named. */
	for (i = 0; i < (int)ARRAY_SIZE(metrics); i++) {
		chosen[i] = hv_test_selected("bench", metrics[i].name) &&
			    (linux_dir || metrics[i].run != bench_linux);
		n += chosen[i];
	}
	if (smoke)
		printf("TAP version 13\n1..%d\n", n);
	if (hv_test_start())
		return 2;
	if (!smoke)
		printf("# metric\tmedian\tlow\thigh\tunit (%d runs)\n", runs);
	fflush(stdout);
	for (i = 0; i < (int)ARRAY_SIZE(metrics); i++) {
		const struct metric *m = &metrics[i];
		double median = 0, low = 0, high = 0;
		int ok;

		if (!chosen[i])
			continue;
		ok = !measure(m, &median, &low, &high);
		failed += !ok;
		if (smoke)
			printf("%sok %d %s\n", ok ? "" : "not ", ++k, m->name);
		else if (ok)
			printf("%s\t%.1f\t%.1f\t%.1f\t%s\n", m->name, median,
			       low, high, m->unit);
		fflush(stdout);
	}
	if (smoke)
		printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
		       n - failed, failed);
	return failed ? 1 : 0;
}
