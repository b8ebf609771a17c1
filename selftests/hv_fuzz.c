// SPDX-License-Identifier: GPL-2.0
/*
 * hv_fuzz: a fuzzer for the device's API, /dev/hv or /dev/kvm.
 *
 *	hv_fuzz [--device PATH] [--seed N] [--seconds N] [--iterations N]
 *		[--threads N] [--phase NAME]... [--if-at-entry]
 *
 * Four phases (selftests/fuzz/), each in a child process of its own with
 * an equal share of the time budget:
 *
 *	ioctls		every KVM ioctl number and random ones, on every kind
 *			of fd, with hostile arguments; memory slots
 *	run_page	scribbling on the mapped run page between KVM_RUNs
 *	guest_code	random instruction mixes from random CPU states
 *	concurrency	KVM_RUN racing slot changes, munmap, close, signals,
 *			and processes killed mid-run
 *
 * The fuzzer does not compare what the device answers with anything: it
 * checks that the host survives and that the device still works.  A
 * phase fails if its child dies of a signal, says something went wrong
 * (a KVM_RUN that the timer could not interrupt, a thread that could not
 * be joined), does not end within its budget plus a margin ("hung"), if
 * the kernel log shows a splat meanwhile, or if the health check after
 * it fails: a fresh VM running known guests, with every exit exactly as
 * expected.  The last test is that health check repeated.
 *
 * Everything random comes from --seed (default 1): each phase's
 * generator is seeded from it and the phase's name, so "--phase P"
 * replays the start of phase P of a full run; --phase may be repeated,
 * and the phases named run in their usual order.  --iterations N stops
 * each phase after N cases (episodes, guests, rounds) if its time is not
 * up first.  --if-at-entry, for Bochs, keeps the guest's RFLAGS.IF set:
 * at every KVM_RUN, and in the code it generates (fuzz_if_at_entry in
 * fuzz/fuzz.h).  Output is KTAP, with a last line of totals:
 *
 *	# hv_fuzz: seed=S seconds=T threads=N ioctls=A runs=B exits=C slot_ops=D kills=E
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "hv_guest.h"
#include "hv_util.h"

#define MARGIN_S	30	/* beyond a phase's budget, before "hung" */
#define HEALTH_S	30
#define REAP_S		10

struct phase {
	const char *name;
	int (*run)(const struct fuzz_opts *o);
};

static const struct phase phases[] = {
	{ "ioctls", fuzz_ioctls },
	{ "run_page", fuzz_run_page },
	{ "guest_code", fuzz_guest_code },
	{ "concurrency", fuzz_concurrency },
};

static struct fuzz_opts opts = { .seed = 1, .seconds = 60, .threads = 4 };
/* The phases named by --phase (all when none is). */
static const char *only_phases[ARRAY_SIZE(phases)];
static int n_only;

/* ---- Children with a watchdog ---- */

/* A crash of the fuzzer itself: say where, then die of the signal. */
static void on_crash(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	fuzz_fail("%s at address %p, code %d, RIP %#llx (addr2line -e hv_fuzz); "
		  "was doing: %s", strsignal(sig), si->si_addr, si->si_code,
		  (unsigned long long)uc->uc_mcontext.gregs[REG_RIP],
		  fuzz_stats->doing);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* In a child: report SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT (on_crash). */
static void catch_crashes(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa = { .sa_sigaction = on_crash,
				.sa_flags = SA_SIGINFO | SA_RESETHAND };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

enum child_result { CHILD_OK, CHILD_FAILED, CHILD_SIGNALED, CHILD_HUNG };

/*
 * Run FN(ARG) in a child process; kill it if it has not ended after
 * TIMEOUT seconds.  Returns how it ended; *SIG is the signal that killed
 * it (CHILD_SIGNALED).
 */
static enum child_result run_child(int (*fn)(const void *), const void *arg,
				   double timeout, int *sig)
{
	double deadline = fuzz_now() + timeout;
	int status = 0;
	pid_t pid, w;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fuzz_fail("fork: %s", strerror(errno));
		return CHILD_FAILED;
	}
	if (pid == 0) {
		close_range(3, ~0U, 0);
		catch_crashes();
		_exit(fn(arg) || fuzz_stats->why[0] ? 1 : 0);
	}
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
	       fuzz_now() < deadline)
		usleep(10000);
	if (w == 0) {
		kill(pid, SIGKILL);
		deadline = fuzz_now() + REAP_S;
		while (waitpid(pid, &status, WNOHANG) == 0 &&
		       fuzz_now() < deadline)
			usleep(10000);
		return CHILD_HUNG;
	}
	if (WIFSIGNALED(status)) {
		*sig = WTERMSIG(status);
		return CHILD_SIGNALED;
	}
	return WEXITSTATUS(status) ? CHILD_FAILED : CHILD_OK;
}

/* ---- The kernel log ---- */

static int kmsg = -1;

static void kmsg_open(void)
{
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

static int is_splat(const char *msg)
{
	static const char *const marks[] = {
		"Oops", "BUG:", "WARNING:", "general protection",
		"soft lockup", "hung task", "blocked for more than", "lockdep",
		"circular locking", "inconsistent lock state", "Call Trace:",
		"kernel BUG", "UBSAN", "KASAN",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(marks); i++)
		if (strstr(msg, marks[i]))
			return 1;
	return 0;
}

/*
 * Print what the kernel logged since the last call that looks like a
 * splat (the same marks as selftests/vm/results.awk), with the lines
 * after it; returns the number of splat lines.
 */
static int kmsg_check(void)
{
	int splats = 0, context = 0, printed = 0;
	char buf[4096], *msg, *nl;
	ssize_t n;

	if (kmsg < 0)
		return 0;
	for (;;) {
		n = read(kmsg, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		buf[n] = 0;
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		if (is_splat(msg)) {
			splats++;
			context = 20;
		}
		if (context > 0 && printed < 60) {
			printf("# kernel: %s\n", msg);
			context--;
			printed++;
		}
	}
	return splats;
}

/* ---- The health check ---- */

GUEST(health_real, ".code16", "mov $0x42, %al; out %al, $0x10; hlt");
GUEST(health_long, ".code64",
	"movl $0x12345678, 0x10000000; mov 0x10000008, %eax;"
	"out %eax, $0x11; hlt");

static void on_alarm(int sig)
{
}

/* KVM_RUN, or -1 if it failed or did not return within 5 s. */
static int health_run(struct hv_guest *g, const char *what)
{
	struct itimerval it = { .it_value.tv_sec = 5 };
	struct itimerval off = { 0 };
	int r;

	setitimer(ITIMER_REAL, &it, NULL);
	r = hv_guest_run(g);
	setitimer(ITIMER_REAL, &off, NULL);
	if (r)
		fuzz_fail("health: KVM_RUN (%s): %s", what,
			  errno == EINTR ? "did not return in 5 s" :
			  strerror(errno));
	return r;
}

#define HEALTH_EXPECT(cond, ...)				\
	do {							\
		if (!(cond)) {					\
			fuzz_fail("health: " __VA_ARGS__);	\
			goto out;				\
		}						\
	} while (0)

/* OUT then HLT in real mode, exits and RIP exactly as KVM gives them. */
static int health_real_mode(void)
{
	struct hv_guest g;
	int ret = -1;

	HEALTH_EXPECT(!hv_guest_create(&g, HV_MODE_REAL, health_real,
				       health_real_end - health_real),
		      "creating a guest: %s", strerror(errno));
	if (health_run(&g, "real-mode OUT"))
		goto out;
	HEALTH_EXPECT(g.run->exit_reason == HV_EXIT_IO,
		      "exit %u instead of IO", g.run->exit_reason);
	HEALTH_EXPECT(g.run->io.direction == HV_EXIT_IO_OUT &&
		      g.run->io.size == 1 && g.run->io.port == 0x10 &&
		      g.run->io.count == 1 &&
		      g.run->io.data_offset == HV_PIO_PAGE_OFFSET * HV_PAGE &&
		      hv_guest_io_data(&g)[0] == 0x42,
		      "OUT: direction %u size %u port %#x count %u data %#x",
		      g.run->io.direction, g.run->io.size, g.run->io.port,
		      g.run->io.count, hv_guest_io_data(&g)[0]);
	if (health_run(&g, "real-mode HLT"))
		goto out;
	HEALTH_EXPECT(g.run->exit_reason == HV_EXIT_HLT,
		      "exit %u instead of HLT", g.run->exit_reason);
	HEALTH_EXPECT(hv_guest_rip(&g) == CODE_GPA + 5, "RIP %#llx after HLT",
		      (unsigned long long)hv_guest_rip(&g));
	ret = 0;
out:
	hv_guest_destroy(&g);
	return ret;
}

/* An MMIO write, an MMIO read and an OUT of what it read, in long mode. */
static int health_long_mode(void)
{
	const uint32_t value = 0xcafef00d;
	struct hv_guest g;
	uint32_t v = 0;
	int ret = -1;

	HEALTH_EXPECT(!hv_guest_create(&g, HV_MODE_LONG, health_long,
				       health_long_end - health_long),
		      "creating a guest: %s", strerror(errno));
	if (health_run(&g, "MMIO write"))
		goto out;
	memcpy(&v, g.run->mmio.data, 4);
	HEALTH_EXPECT(g.run->exit_reason == HV_EXIT_MMIO &&
		      g.run->mmio.is_write && g.run->mmio.len == 4 &&
		      g.run->mmio.phys_addr == MMIO_GPA && v == 0x12345678,
		      "MMIO write: exit %u write %u len %u at %#llx data %#x",
		      g.run->exit_reason, g.run->mmio.is_write,
		      g.run->mmio.len,
		      (unsigned long long)g.run->mmio.phys_addr, v);
	if (health_run(&g, "MMIO read"))
		goto out;
	HEALTH_EXPECT(g.run->exit_reason == HV_EXIT_MMIO &&
		      !g.run->mmio.is_write && g.run->mmio.len == 4 &&
		      g.run->mmio.phys_addr == MMIO_GPA + 8,
		      "MMIO read: exit %u write %u len %u at %#llx",
		      g.run->exit_reason, g.run->mmio.is_write,
		      g.run->mmio.len,
		      (unsigned long long)g.run->mmio.phys_addr);
	memcpy(g.run->mmio.data, &value, 4);
	if (health_run(&g, "OUT of the MMIO data"))
		goto out;
	memcpy(&v, hv_guest_io_data(&g), 4);
	HEALTH_EXPECT(g.run->exit_reason == HV_EXIT_IO &&
		      g.run->io.direction == HV_EXIT_IO_OUT &&
		      g.run->io.size == 4 && g.run->io.port == 0x11 &&
		      v == value,
		      "OUT: exit %u size %u port %#x data %#x",
		      g.run->exit_reason, g.run->io.size, g.run->io.port, v);
	if (health_run(&g, "long-mode HLT"))
		goto out;
	HEALTH_EXPECT(g.run->exit_reason == HV_EXIT_HLT,
		      "exit %u instead of HLT", g.run->exit_reason);
	ret = 0;
out:
	hv_guest_destroy(&g);
	return ret;
}

/* In a child: the known guests, *ROUNDS times each; 0 or -1. */
static int health_check(const void *arg)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int i, rounds = *(const int *)arg;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	for (i = 0; i < rounds; i++)
		if (health_real_mode() || health_long_mode())
			return -1;
	return 0;
}

/* ---- Running the phases ---- */

static int run_phase_child(const void *arg)
{
	const struct phase *p = arg;

	return p->run(&opts);
}

/* Why a child failed, on a diagnostic line; 0 if it did not. */
static int report_child(const char *what, enum child_result res, int sig,
			double timeout)
{
	switch (res) {
	case CHILD_OK:
		return 0;
	case CHILD_FAILED:
		printf("# %s: %s\n", what, fuzz_stats->why[0] ? fuzz_stats->why :
		       "the child failed");
		break;
	case CHILD_SIGNALED:
		printf("# %s: the child died of signal %d (%s)\n", what, sig,
		       strsignal(sig));
		if (fuzz_stats->why[0])
			printf("# %s: %s\n", what, fuzz_stats->why);
		break;
	case CHILD_HUNG:
		printf("# %s: hung: no end after %.0f s, killed\n", what,
		       timeout);
		break;
	}
	if (fuzz_stats->doing[0])
		printf("# %s: was doing: %s\n", what, fuzz_stats->doing);
	return -1;
}

static void reset_phase_stats(void)
{
	fuzz_stats->cases = 0;
	fuzz_stats->longest_run_ms = 0;
	fuzz_stats->doing[0] = 0;
	fuzz_stats->why[0] = 0;
}

/* The health check in a child, ROUNDS times; 0, or -1 after saying why. */
static int check_health(const char *after, int rounds)
{
	char what[64];
	enum child_result res;
	int sig = 0;

	reset_phase_stats();
	snprintf(what, sizeof(what), "health check after %s", after);
	res = run_child(health_check, &rounds, HEALTH_S * rounds, &sig);
	return report_child(what, res, sig, HEALTH_S * rounds);
}

/* Phase P as test N; returns 0 if it passed. */
static int run_phase(int n, const struct phase *p, uint64_t seed,
		     double seconds)
{
	struct fuzz_stats before = *fuzz_stats;
	double start = fuzz_now(), timeout = seconds + MARGIN_S;
	enum child_result res;
	int sig = 0, bad = 0, k;

	/* The phase's seed depends on its name, not on the phases before. */
	opts.seed = seed;
	for (k = 0; p->name[k]; k++)
		opts.seed = opts.seed * 131 + p->name[k];
	opts.seconds = seconds;
	reset_phase_stats();
	res = run_child(run_phase_child, p, timeout, &sig);
	printf("# %s: %.1f s, %lu cases, %lu ioctls, %lu KVM_RUNs (%lu exits), "
	       "%lu slot changes, %lu kills; slowest KVM_RUN %lu ms\n",
	       p->name, fuzz_now() - start, fuzz_stats->cases,
	       fuzz_stats->ioctls - before.ioctls,
	       fuzz_stats->runs - before.runs,
	       fuzz_stats->exits - before.exits,
	       fuzz_stats->slot_ops - before.slot_ops,
	       fuzz_stats->kills - before.kills, fuzz_stats->longest_run_ms);
	if (report_child(p->name, res, sig, timeout))
		bad = 1;
	if (kmsg_check()) {
		printf("# %s: the kernel logged the splat above\n", p->name);
		bad = 1;
	}
	if (check_health(p->name, 1))
		bad = 1;
	if (kmsg_check()) {
		printf("# %s: the kernel logged the splat above\n", p->name);
		bad = 1;
	}
	printf("%sok %d %s\n", bad ? "not " : "", n, p->name);
	if (bad)
		printf("# rerun: hv_fuzz --device %s --seed %llu --phase %s\n",
		       hv_device, (unsigned long long)seed, p->name);
	fflush(stdout);
	return bad ? -1 : 0;
}

/* Whether the CPU's model name says QEMU (fuzz_on_qemu in fuzz.h). */
static int host_is_qemu(void)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10))
			found = strstr(line, "QEMU") ? 1 : -1;
	fclose(f);
	return found > 0;
}

static void usage(const char *prog, int status)
{
	size_t i;

	fprintf(status ? stderr : stdout,
		"usage: %s [--device PATH] [--seed N] [--seconds N] "
		"[--iterations N]\n"
		"       [--threads N] [--phase NAME]... [--if-at-entry]\n"
		"Fuzzes the device (default /dev/hv) for --seconds (default 60)"
		" shared by the\nphases, from --seed (default 1). Phases:",
		prog);
	for (i = 0; i < ARRAY_SIZE(phases); i++)
		fprintf(status ? stderr : stdout, " %s", phases[i].name);
	fprintf(status ? stderr : stdout, ".\n");
	exit(status);
}

/* The number after option ARGV[*I] (as --opt N or --opt=N). */
static unsigned long long number(int argc, char **argv, int *i,
				 const char *opt)
{
	size_t len = strlen(opt);
	const char *s;
	char *end;
	unsigned long long v;

	if (argv[*i][len] == '=') {
		s = argv[*i] + len + 1;
	} else {
		if (++*i >= argc)
			usage(argv[0], 2);
		s = argv[*i];
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage(argv[0], 2);
	return v;
}

static int is_opt(const char *arg, const char *opt)
{
	size_t len = strlen(opt);

	return !strncmp(arg, opt, len) && (!arg[len] || arg[len] == '=');
}

/* Whether --phase named NAME; whether NAME is a phase. */
static int named(const char *name)
{
	int i;

	for (i = 0; i < n_only; i++)
		if (!strcmp(only_phases[i], name))
			return 1;
	return 0;
}

static int known(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(phases); i++)
		if (!strcmp(phases[i].name, name))
			return 1;
	return 0;
}

static void parse_args(int argc, char **argv, uint64_t *seed,
		       double *seconds)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (is_opt(argv[i], "--seed")) {
			*seed = number(argc, argv, &i, "--seed");
		} else if (is_opt(argv[i], "--seconds")) {
			*seconds = number(argc, argv, &i, "--seconds");
		} else if (is_opt(argv[i], "--iterations")) {
			opts.iterations = number(argc, argv, &i, "--iterations");
		} else if (is_opt(argv[i], "--threads")) {
			opts.threads = number(argc, argv, &i, "--threads");
		} else if (!strcmp(argv[i], "--if-at-entry")) {
			fuzz_if_at_entry = 1;
		} else if (is_opt(argv[i], "--phase")) {
			if (n_only == ARRAY_SIZE(only_phases))
				usage(argv[0], 2);
			if (argv[i][7] == '=')
				only_phases[n_only++] = argv[i] + 8;
			else if (++i < argc)
				only_phases[n_only++] = argv[i];
			else
				usage(argv[0], 2);
		} else {
			usage(argv[0], 2);
		}
	}
	if (opts.threads < 1)
		opts.threads = 1;
	if (opts.threads > FUZZ_MAX_THREADS)
		opts.threads = FUZZ_MAX_THREADS;
	if (*seconds < 1)
		*seconds = 1;
}

int main(int argc, char **argv)
{
	const struct phase *run[ARRAY_SIZE(phases)];
	uint64_t seed = 1;
	double seconds = 60;
	int i, n = 0, failed = 0, rounds = 10;

	hv_test_parse_args(&argc, argv);
	parse_args(argc, argv, &seed, &seconds);
	for (i = 0; i < (int)ARRAY_SIZE(phases); i++)
		if (!n_only || named(phases[i].name))
			run[n++] = &phases[i];
	for (i = 0; i < n_only; i++)
		if (!known(only_phases[i])) {
			fprintf(stderr, "%s: no phase %s\n", argv[0],
				only_phases[i]);
			usage(argv[0], 2);
		}
	fuzz_stats = mmap(NULL, HV_PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fuzz_stats == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	kmsg_open();
	fuzz_on_qemu = host_is_qemu();
	printf("TAP version 13\n1..%d\n", n + 1);
	printf("# device: %s\n", hv_device);
	printf("# seed %llu, %.0f s (%.1f s a phase), %d threads%s\n",
	       (unsigned long long)seed, seconds, seconds / n, opts.threads,
	       opts.iterations ? ", at most --iterations cases a phase" : "");
	if (fuzz_on_qemu)
		printf("# QEMU: TR always an available TSS (fuzz/fuzz.h)\n");
	if (fuzz_if_at_entry)
		printf("# RFLAGS.IF kept set: at KVM_RUN, in the code (fuzz/fuzz.h)\n");
	for (i = 0; i < n; i++)
		if (run_phase(i + 1, run[i], seed, seconds / n))
			failed++;

	/* The device still works, again and again. */
	if (check_health("every phase", rounds) || kmsg_check())
		failed++, printf("not ok %d health\n", n + 1);
	else
		printf("ok %d health\n", n + 1);
	printf("# hv_fuzz: seed=%llu seconds=%.0f threads=%d ioctls=%lu "
	       "runs=%lu exits=%lu slot_ops=%lu kills=%lu\n",
	       (unsigned long long)seed, seconds, opts.threads,
	       fuzz_stats->ioctls, fuzz_stats->runs, fuzz_stats->exits,
	       fuzz_stats->slot_ops, fuzz_stats->kills);
	return failed ? 1 : 0;
}
