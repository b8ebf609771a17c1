// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: one thread per vCPU, each in its own KVM_RUN loop, and how they
 * all stop.
 *
 * The main thread blocks the stop signals (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT) before it starts any other thread, so only it takes them, in
 * sigwait().  Whatever ends the guest (a signal, the guest's power-off or
 * reset, an exit hv-run cannot handle on any vCPU) goes through
 * guest_stop(): the first status given wins, every vCPU gets
 * immediate_exit and a SIGUSR1 (whose handler does nothing, so KVM_RUN
 * returns EINTR, or does not enter the guest at all), and the main thread
 * is woken to join them.  A vCPU halted in the kernel wakes for the signal
 * like any other.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv-run.h"

pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;

static struct guest *the_guest;	/* set before any thread starts */
static pthread_t main_thread;
static int stop_status = -1;	/* __atomic: the status hv-run ends with */
/* --exits: the exits to userspace, by reason (__atomic) */
static unsigned long exit_counts[HV_EXIT_X86_WRMSR + 2];

#define SIG_KICK	SIGUSR1		/* out of KVM_RUN */
#define SIG_STOPPED	SIGUSR2		/* to the main thread: all is over */

void guest_stop(int status)
{
	struct guest *g = the_guest;
	int none = -1;
	int i;

	if (!__atomic_compare_exchange_n(&stop_status, &none, status, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	for (i = 0; i < g->nr_vcpus; i++) {
		__atomic_store_n(&g->vcpus[i].run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
		if (g->vcpus[i].thread)
			pthread_kill(g->vcpus[i].thread, SIG_KICK);
	}
	pthread_kill(main_thread, SIG_STOPPED);
}

static bool stopping(void)
{
	return __atomic_load_n(&stop_status, __ATOMIC_SEQ_CST) >= 0;
}

void irq_line(int irq, int level)
{
	struct hv_irq_level l = { .irq = irq, .level = level };

	if (the_guest->irqchip)
		ioctl(the_guest->vm_fd, HV_IRQ_LINE, &l);
}

static const char *exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[HV_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
		[HV_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
		[HV_EXIT_IO] = "KVM_EXIT_IO",
		[HV_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
		[HV_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
		[HV_EXIT_HLT] = "KVM_EXIT_HLT",
		[HV_EXIT_MMIO] = "KVM_EXIT_MMIO",
		[HV_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
		[HV_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
		[HV_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
		[HV_EXIT_INTR] = "KVM_EXIT_INTR",
		[HV_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "an exit reason hv-run does not know";
}

static const char *internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case HV_INTERNAL_ERROR_EMULATION:
		return "an instruction it could not emulate";
	case HV_INTERNAL_ERROR_SIMUL_EX:
		return "an exception while delivering an exception";
	case HV_INTERNAL_ERROR_DELIVERY_EV:
		return "an exit while delivering an event";
	case HV_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "a VM exit it does not handle";
	}
	return "an unknown suberror";
}

static uint64_t vcpu_rip(struct vcpu *v)
{
	struct hv_regs regs;

	if (ioctl(v->fd, HV_GET_REGS, &regs) < 0)
		return ~0ULL;
	return regs.rip;
}

/* One line on standard error for each exit (--trace). */
static void trace_exit(struct vcpu *v)
{
	struct hv_run *r = v->run;
	unsigned long long rip = vcpu_rip(v);

	switch (r->exit_reason) {
	case HV_EXIT_IO:
		fprintf(stderr, "hv-run: trace: %srip 0x%llx: %s %s port 0x%x size %u count %u\n",
			v->g->nr_vcpus > 1 ? (v->id ? "cpu1+ " : "cpu0 ") : "",
			rip, exit_name(r->exit_reason),
			r->io.direction == HV_EXIT_IO_OUT ? "out" : "in",
			r->io.port, r->io.size, r->io.count);
		break;
	case HV_EXIT_MMIO:
		fprintf(stderr, "hv-run: trace: %srip 0x%llx: %s %s 0x%llx len %u\n",
			v->g->nr_vcpus > 1 ? (v->id ? "cpu1+ " : "cpu0 ") : "",
			rip, exit_name(r->exit_reason),
			r->mmio.is_write ? "write" : "read",
			(unsigned long long)r->mmio.phys_addr, r->mmio.len);
		break;
	default:
		fprintf(stderr, "hv-run: trace: %srip 0x%llx: %s (%u)\n",
			v->g->nr_vcpus > 1 ? (v->id ? "cpu1+ " : "cpu0 ") : "",
			rip, exit_name(r->exit_reason), r->exit_reason);
		break;
	}
}

/* Memory outside guest RAM: reads see all ones, writes go nowhere. */
static void mmio_exit(struct vcpu *v)
{
	if (!v->run->mmio.is_write)
		memset(v->run->mmio.data, 0xff, sizeof(v->run->mmio.data));
}

static int report_stop(struct vcpu *v, int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "hv-run: guest stopped: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (v->g->nr_vcpus > 1)
		fprintf(stderr, " on vCPU %d", v->id);
	fprintf(stderr, " at rip 0x%llx\n", (unsigned long long)vcpu_rip(v));
	return status;
}

/* Run one vCPU until the guest stops; its status, or -1 if another did. */
static int vcpu_loop(struct vcpu *v)
{
	struct hv_run *r = v->run;
	int status;

	for (;;) {
		if (stopping())
			return -1;
		if (ioctl(v->fd, HV_RUN, 0) < 0) {
			if (errno != EINTR && errno != EAGAIN)
				return report_stop(v, STATUS_UNEXPECTED,
						   "KVM_RUN failed: %s",
						   strerror(errno));
			continue;
		}
		if (v->trace)
			trace_exit(v);
		__atomic_fetch_add(&exit_counts[r->exit_reason < ARRAY_SIZE(exit_counts) - 1 ?
						r->exit_reason : ARRAY_SIZE(exit_counts) - 1],
				   1, __ATOMIC_RELAXED);

		switch (r->exit_reason) {
		case HV_EXIT_IO:
			pthread_mutex_lock(&bus_lock);
			io_exit(v);
			status = debug_exit_status;
			pthread_mutex_unlock(&bus_lock);
			if (status >= 0)
				return status;
			break;
		case HV_EXIT_MMIO:
			pthread_mutex_lock(&bus_lock);
			mmio_exit(v);
			pthread_mutex_unlock(&bus_lock);
			break;
		case HV_EXIT_HLT:
			return STATUS_HALTED;
		case HV_EXIT_INTR:
			break;
		case HV_EXIT_SHUTDOWN:
			return report_stop(v, STATUS_SHUTDOWN,
					   "KVM_EXIT_SHUTDOWN (triple fault)");
		case HV_EXIT_FAIL_ENTRY:
			return report_stop(v, STATUS_FAIL_ENTRY,
					   "KVM_EXIT_FAIL_ENTRY (hardware reason 0x%llx)",
					   (unsigned long long)
					   r->fail_entry.hardware_entry_failure_reason);
		case HV_EXIT_INTERNAL_ERROR:
			return report_stop(v, STATUS_INTERNAL,
					   "KVM_EXIT_INTERNAL_ERROR (suberror %u: %s)",
					   r->internal.suberror,
					   internal_error_name(r->internal.suberror));
		default:
			return report_stop(v, STATUS_UNEXPECTED,
					   "exit reason %u (%s), which hv-run does not handle",
					   r->exit_reason, exit_name(r->exit_reason));
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	int status = vcpu_loop(v);

	if (status >= 0)
		guest_stop(status);
	return NULL;
}

static void on_kick(int sig)
{
}

static void on_fatal_signal(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* --exits: one line on standard error, "reason count" pairs. */
static void print_exits(void)
{
	static const char *const names[] = {
		[HV_EXIT_IO] = "io", [HV_EXIT_MMIO] = "mmio",
		[HV_EXIT_HLT] = "hlt", [HV_EXIT_INTR] = "intr",
		[HV_EXIT_SHUTDOWN] = "shutdown",
	};
	unsigned long total = 0, other = 0, n;
	unsigned int i;

	fflush(stdout);
	fprintf(stderr, "hv-run: exits to userspace:");
	for (i = 0; i < ARRAY_SIZE(exit_counts); i++) {
		n = __atomic_load_n(&exit_counts[i], __ATOMIC_RELAXED);
		total += n;
		if (i < ARRAY_SIZE(names) && names[i])
			fprintf(stderr, " %s %lu", names[i], n);
		else
			other += n;
	}
	fprintf(stderr, " other %lu total %lu\n", other, total);
}

/*
 * Run every vCPU on a thread of its own until the guest stops, and give
 * back hv-run's exit status; with EXITS, say how many exits reached
 * userspace.
 */
int vcpus_run(struct guest *g, bool trace, bool exits)
{
	sigset_t stops, mine;
	struct sigaction sa;
	int i, sig, err;

	the_guest = g;
	main_thread = pthread_self();

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_kick;	/* no SA_RESTART: KVM_RUN must end */
	sigaction(SIG_KICK, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigaddset(&stops, SIGQUIT);
	mine = stops;
	sigaddset(&mine, SIG_STOPPED);
	sigaddset(&mine, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &mine, NULL);

	for (i = 0; i < g->nr_vcpus; i++) {
		struct vcpu *v = &g->vcpus[i];
		sigset_t vcpu_mask = stops;

		v->trace = trace;
		/* The vCPU threads take SIG_KICK (and SIG_STOPPED never). */
		sigaddset(&vcpu_mask, SIG_STOPPED);
		pthread_sigmask(SIG_SETMASK, &vcpu_mask, NULL);
		err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		pthread_sigmask(SIG_SETMASK, &mine, NULL);
		if (err) {
			fprintf(stderr, "hv-run: cannot start the thread of vCPU %d: %s\n",
				i, strerror(err));
			guest_stop(STATUS_ERROR);
			break;
		}
	}

	sigaddset(&stops, SIG_STOPPED);
	while (!stopping()) {
		if (sigwait(&stops, &sig))
			continue;
		if (sig != SIG_STOPPED) {
			fflush(stdout);
			fprintf(stderr, "hv-run: guest stopped: %s\n",
				strsignal(sig));
			guest_stop(128 + sig);
		}
	}
	for (i = 0; i < g->nr_vcpus; i++)
		if (g->vcpus[i].thread)
			pthread_join(g->vcpus[i].thread, NULL);
	if (exits)
		print_exits();
	return __atomic_load_n(&stop_status, __ATOMIC_SEQ_CST);
}
