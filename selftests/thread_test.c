// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs among threads, signals and processes: a signal stops KVM_RUN with
 * EINTR, several VMs with several vCPUs run at once, and a process that
 * dies (or is killed) while its vCPU runs leaves the device working.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv_guest.h"
#include "hv_test.h"

/* Read only after system calls, which the compiler cannot see through. */
static sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/*
 * A helper thread that signals this thread once the guest of G has
 * counted at DATA_GPA: FIRST, then, if SECOND is set, SECOND once the
 * guest has counted 100 more, which shows that FIRST left it running.
 * SENT says how many it has sent, set before each is sent.  A guest that
 * does not count for 60 s gets the signal anyway and the test fails on
 * what follows.  Waiting for the guest's own progress rather than for a
 * fixed time keeps a slow machine (a debug kernel under emulation, say)
 * from deciding the result.  Signal handlers are installed without
 * SA_RESTART (KVM_RUN is never restarted).
 */
struct sig_sender {
	pthread_t target, thread;
	uint32_t *count;
	int first, second;
	int sent;	/* __atomic */
};

static uint32_t guest_count(const struct sig_sender *s)
{
	return __atomic_load_n(s->count, __ATOMIC_RELAXED);
}

/* Until the guest's count has moved N past FROM, or 60 s. */
static void wait_count(const struct sig_sender *s, uint32_t from, uint32_t n)
{
	int ms;

	for (ms = 0; ms < 60000 && guest_count(s) - from < n; ms++)
		usleep(1000);
}

static void *sig_sender_run(void *arg)
{
	struct sig_sender *s = arg;
	uint32_t c = guest_count(s);

	wait_count(s, c, 1);
	c = guest_count(s);
	__atomic_store_n(&s->sent, 1, __ATOMIC_SEQ_CST);
	pthread_kill(s->target, s->first);
	if (s->second) {
		wait_count(s, c, 100);
		__atomic_store_n(&s->sent, 2, __ATOMIC_SEQ_CST);
		pthread_kill(s->target, s->second);
	}
	return NULL;
}

static void start_sender(struct sig_sender *s, struct hv_guest *g, int first,
			 int second)
{
	s->target = pthread_self();
	s->count = (uint32_t *)(g->mem + DATA_GPA);
	s->first = first;
	s->second = second;
	s->sent = 0;
	pthread_create(&s->thread, NULL, sig_sender_run, s);
}

static void sender_done(struct sig_sender *s)
{
	pthread_join(s->thread, NULL);
}

/* SIGALRM, counted in ALARMS, once the guest of G has run. */
static void arm_alarm(struct sig_sender *a, struct hv_guest *g)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	start_sender(a, g, SIGALRM, 0);
}

/* ---- Signals ---- */

/* A guest that never leaves the kernel on its own: CPUID forever. */
GUEST(prot_cpuid_loop, ".code32",
	"9: xor %eax, %eax; cpuid; inc %esi; incl 0x90000; jmp 9b");

/*
 * A signal that arrives while the guest runs ends KVM_RUN with EINTR and
 * exit reason INTR; the guest has made progress and continues on the next
 * KVM_RUN where it stopped.
 */
TEST(signal_interrupts_guest)
{
	struct sig_sender a;
	struct hv_guest g;
	struct hv_regs regs;
	uint64_t progress;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cpuid_loop, prot_cpuid_loop_end);
	alarms = 0;
	arm_alarm(&a, &g);
	ASSERT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	sender_done(&a);
	EXPECT_EQ(1, alarms);
	EXPECT_EQ(HV_EXIT_INTR, g.run->exit_reason);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	EXPECT_LT(0, regs.rsi);
	EXPECT_LE(CODE_GPA, regs.rip);
	EXPECT_GT(CODE_GPA + 13, regs.rip);	/* inside the loop */
	progress = regs.rsi;

	arm_alarm(&a, &g);
	ASSERT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	sender_done(&a);
	EXPECT_EQ(2, alarms);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	EXPECT_LT(progress, regs.rsi);
	hv_guest_destroy(&g);
}

/* ---- KVM_SET_SIGNAL_MASK ---- */

/*
 * The kernel's sigset_t on x86-64 (64 signals, 8 bytes) right after LEN,
 * at offset 4: two 32-bit words, so that no padding comes between.
 */
struct kernel_sigmask {
	struct hv_signal_mask m;
	uint32_t set[2];
};

static void set_vcpu_sigmask(struct __test_metadata *_metadata, int vcpu,
			     const sigset_t *set)
{
	struct kernel_sigmask k = { .m.len = 8 };
	int sig;

	_Static_assert(offsetof(struct kernel_sigmask, set) == 4, "layout");
	for (sig = 1; sig <= 64; sig++)
		if (sigismember(set, sig) == 1)
			k.set[(sig - 1) / 32] |= 1U << ((sig - 1) % 32);
	ASSERT_EQ(0, ioctl(vcpu, HV_SET_SIGNAL_MASK, &k))
		TH_LOG("KVM_SET_SIGNAL_MASK: %s", strerror(errno));
}

static volatile sig_atomic_t usr1s, usr2s;

static void on_usr(int sig)
{
	if (sig == SIGUSR1)
		usr1s++;
	else
		usr2s++;
}

static void catch_usr(void)
{
	struct sigaction sa = { .sa_handler = on_usr };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	usr1s = usr2s = 0;
}

/* KVM's checks: LEN must be 8; NULL drops the mask. */
TEST(signal_mask_errors)
{
	struct kernel_sigmask k = { .m.len = 4 };
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cpuid_loop,
		       prot_cpuid_loop_end);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_SIGNAL_MASK, &k));
	EXPECT_EQ(EINVAL, errno);
	k.m.len = 128;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_SIGNAL_MASK, &k));
	EXPECT_EQ(EINVAL, errno);
	k.m.len = 8;
	EXPECT_EQ(0, ioctl(g.vcpu, HV_SET_SIGNAL_MASK, &k));
	EXPECT_EQ(0, ioctl(g.vcpu, HV_SET_SIGNAL_MASK, NULL));
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_SIGNAL_MASK, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	hv_guest_destroy(&g);
}

/*
 * QEMU's way: the thread blocks SIGUSR1, the vCPU's mask does not.  The
 * signal ends KVM_RUN with EINTR and stays pending once the thread's own
 * mask is back: no handler has run, sigtimedwait() takes it.
 */
TEST(signal_mask_unblocks_during_run)
{
	struct timespec zero = { 0 };
	sigset_t own, during, pending;
	struct sig_sender snd;
	struct hv_guest g;

	catch_usr();
	sigemptyset(&own);
	sigaddset(&own, SIGUSR1);
	ASSERT_EQ(0, pthread_sigmask(SIG_BLOCK, &own, NULL));
	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cpuid_loop,
		       prot_cpuid_loop_end);
	sigemptyset(&during);
	set_vcpu_sigmask(_metadata, g.vcpu, &during);
	start_sender(&snd, &g, SIGUSR1, 0);
	ASSERT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(HV_EXIT_INTR, g.run->exit_reason);
	EXPECT_EQ(0, usr1s);
	ASSERT_EQ(0, sigpending(&pending));
	EXPECT_EQ(1, sigismember(&pending, SIGUSR1));
	EXPECT_EQ(SIGUSR1, sigtimedwait(&own, NULL, &zero));
	sender_done(&snd);
	hv_guest_destroy(&g);
}

/*
 * The other way round: the vCPU's mask blocks SIGUSR1, which the thread
 * takes.  SIGUSR1 does not end KVM_RUN: the guest counts on after it,
 * and only SIGUSR2, sent after that, ends it; then both handlers run.
 * Once the mask is dropped, SIGUSR1 alone ends KVM_RUN.
 */
TEST(signal_mask_blocks_during_run)
{
	struct sig_sender snd;
	struct hv_guest g;
	sigset_t during;
	int sent;

	catch_usr();
	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cpuid_loop,
		       prot_cpuid_loop_end);
	sigemptyset(&during);
	sigaddset(&during, SIGUSR1);
	sigaddset(&during, SIGKILL);	/* never blocked: dropped */
	set_vcpu_sigmask(_metadata, g.vcpu, &during);
	start_sender(&snd, &g, SIGUSR1, SIGUSR2);
	ASSERT_EQ(-1, hv_guest_run(&g));
	sent = __atomic_load_n(&snd.sent, __ATOMIC_SEQ_CST);
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(2, sent);
	sender_done(&snd);
	EXPECT_EQ(1, usr1s);
	EXPECT_EQ(1, usr2s);

	/* Dropped again: SIGUSR1 ends the next KVM_RUN. */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SIGNAL_MASK, NULL));
	start_sender(&snd, &g, SIGUSR1, 0);
	ASSERT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	sender_done(&snd);
	EXPECT_EQ(2, usr1s);
	EXPECT_EQ(1, usr2s);
	hv_guest_destroy(&g);
}

/* A guest that never exits at all. */
GUEST(prot_spin, ".code32", "9: inc %esi; incl 0x90000; jmp 9b");

/*
 * A guest that never exits by itself, entered with RFLAGS.IF = IF: the
 * host's timer interrupt makes it exit whatever the guest's IF (VMX
 * external-interrupt exiting, SDM Vol. 3C "Pin-Based VM-Execution
 * Controls"; the SVM INTR intercept, APM Vol. 2 "Physical (INTR)
 * Interrupt Masking in EFLAGS"), and the device sees the signal.
 */
static void spinning_guest_is_interrupted(struct __test_metadata *_metadata,
					  int rflags_if)
{
	struct sig_sender a;
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_spin, prot_spin_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	regs.rflags = 2 | (rflags_if ? 0x200 : 0);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_REGS, &regs));
	alarms = 0;
	arm_alarm(&a, &g);
	ASSERT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	sender_done(&a);
	EXPECT_EQ(1, alarms);
	EXPECT_EQ(HV_EXIT_INTR, g.run->exit_reason);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	EXPECT_LT(0, regs.rsi);
	hv_guest_destroy(&g);
}

/*
 * With IF clear.  Bochs (2.7) re-evaluates interrupt masking during VM
 * entry before it marks the CPU as in the guest, so a nested guest
 * entered with IF clear holds off the host's interrupts until it changes
 * IF itself (with KVM as with hv): this variant runs only where
 * HV_SPIN_TESTS=1 says the machine can (the QEMU machines of make check;
 * any real host).
 */
TEST(signal_interrupts_spinning_guest)
{
	const char *ok = getenv("HV_SPIN_TESTS");

	if (!ok || strcmp(ok, "1"))
		SKIP(return, "HV_SPIN_TESTS=1 not set (Bochs cannot run this)");
	spinning_guest_is_interrupted(_metadata, 0);
}

/* With IF set: everywhere, Bochs included. */
TEST(signal_interrupts_spinning_guest_with_if)
{
	spinning_guest_is_interrupted(_metadata, 1);
}

/* ---- Several VMs, several vCPUs ---- */

#define ROUNDS 200

/*
 * Each vCPU counts ROUNDS times: a memory increment at its own counter
 * (EDI), a CPUID (in the kernel) and an OUT of its id (ESI, to
 * userspace); then it halts, and halts again if run again.
 */
GUEST(prot_counter, ".code32",
	"mov $" XSTR(ROUNDS) ", %ebp;"
	"1: incl (%edi); xor %eax, %eax; cpuid; mov %esi, %eax;"
	"out %al, $0x20; dec %ebp; jnz 1b; 2: hlt; jmp 2b");

struct worker {
	int vcpu, id, outs, bad, error;
	struct hv_run *run;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		if (ioctl(w->vcpu, HV_RUN, 0)) {
			w->error = errno;
			return NULL;
		}
		if (w->run->exit_reason == HV_EXIT_HLT)
			return NULL;
		if (w->run->exit_reason != HV_EXIT_IO ||
		    w->run->io.port != 0x20 ||
		    ((unsigned char *)w->run)[w->run->io.data_offset] != w->id) {
			w->bad++;
			return NULL;
		}
		w->outs++;
	}
}

/*
 * Two VMs with two vCPUs each, the four vCPUs in four threads at once
 * (and so, on a machine with several CPUs, in guest mode on several CPUs,
 * moved between them by the scheduler).  Every vCPU sees only its own
 * exits and its VM's memory.
 */
TEST(two_vms_two_vcpus_at_once)
{
	struct hv_guest g[2];
	struct worker w[4];
	pthread_t t[4];
	struct hv_regs regs;
	uint32_t *counter;
	int i;

	hv_guest_setup(_metadata, &g[0], HV_MODE_PROT32, prot_counter, prot_counter_end);
	hv_guest_setup(_metadata, &g[1], HV_MODE_PROT32, prot_counter, prot_counter_end);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 4; i++) {
		struct hv_guest *vm = &g[i / 2];

		w[i].id = i + 1;
		if (i % 2 == 0) {
			w[i].vcpu = vm->vcpu;
			w[i].run = vm->run;
		} else {
			w[i].vcpu = hv_guest_add_vcpu(vm, 1, &w[i].run);
			ASSERT_LE(0, w[i].vcpu) TH_LOG("vCPU 1: %s", strerror(errno));
		}
		ASSERT_EQ(0, ioctl(w[i].vcpu, HV_GET_REGS, &regs));
		regs.rsi = w[i].id;
		regs.rdi = DATA_GPA + 4 * (i % 2);
		ASSERT_EQ(0, ioctl(w[i].vcpu, HV_SET_REGS, &regs));
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_run, &w[i]));
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, w[i].error) TH_LOG("vCPU %d: %s", i, strerror(w[i].error));
		EXPECT_EQ(0, w[i].bad) TH_LOG("vCPU %d: exit %u", i, w[i].run->exit_reason);
		EXPECT_EQ(ROUNDS, w[i].outs);
		counter = (uint32_t *)(g[i / 2].mem + DATA_GPA + 4 * (i % 2));
		EXPECT_EQ(ROUNDS, *counter);
	}
	for (i = 1; i < 4; i += 2) {
		munmap(w[i].run, 3 * HV_PAGE);
		close(w[i].vcpu);
	}
	hv_guest_destroy(&g[0]);
	hv_guest_destroy(&g[1]);
}

/*
 * Two threads on one vCPU: KVM_RUN is serialized (one thread in a vCPU at
 * a time), so both complete, the guest counts every round exactly once,
 * and neither thread sees a torn or foreign exit.
 */
TEST(two_threads_one_vcpu)
{
	struct hv_guest g;
	struct worker w[2];
	pthread_t t[2];
	struct hv_regs regs;
	int i;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_counter, prot_counter_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	regs.rsi = 7;
	regs.rdi = DATA_GPA;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_REGS, &regs));
	memset(w, 0, sizeof(w));
	for (i = 0; i < 2; i++) {
		w[i].vcpu = g.vcpu;
		w[i].run = g.run;
		w[i].id = 7;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_run, &w[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	/*
	 * Both threads end on the HLT, and every exit either saw was a
	 * valid one.  The two share one run structure, so the other thread
	 * can run the vCPU on before a thread reads the exit its KVM_RUN
	 * returned: it then reads the next exit instead.  That can only lose
	 * the last OUT (overwritten by the HLT); any other OUT read twice
	 * stands for the one it replaced.
	 */
	EXPECT_EQ(0, w[0].error);
	EXPECT_EQ(0, w[1].error);
	EXPECT_EQ(0, w[0].bad + w[1].bad);
	EXPECT_EQ(ROUNDS, *(uint32_t *)(g.mem + DATA_GPA));
	EXPECT_LE(ROUNDS - 1, w[0].outs + w[1].outs);
	EXPECT_GE(ROUNDS, w[0].outs + w[1].outs);
	hv_guest_destroy(&g);
}

/* ---- Processes that die with a running vCPU ---- */

/*
 * In a child: set up the CPUID loop, tell the parent through FD, run it
 * (in a second thread when IN_THREAD, while the first exits the process).
 */
static void *run_forever(void *arg)
{
	struct hv_guest *g = arg;

	hv_guest_run(g);
	return NULL;
}

static void child_runs_guest(int fd, int in_thread)
{
	struct hv_guest g;
	pthread_t t;
	char c = 'r';

	if (hv_guest_create(&g, HV_MODE_PROT32, prot_cpuid_loop,
			    prot_cpuid_loop_end - prot_cpuid_loop))
		_exit(3);
	if (in_thread) {
		if (pthread_create(&t, NULL, run_forever, &g))
			_exit(4);
		usleep(20000);
		if (write(fd, &c, 1) != 1)
			_exit(5);
		/* Exiting the process takes the running thread with it. */
		_exit(0);
	}
	if (write(fd, &c, 1) != 1)
		_exit(5);
	hv_guest_run(&g);
	_exit(6);
}

/* After the child died, the device runs a guest again. */
static void device_still_runs(struct __test_metadata *_metadata)
{
	struct hv_guest g;

	ASSERT_EQ(0, hv_guest_create(&g, HV_MODE_PROT32, prot_counter,
				     prot_counter_end - prot_counter));
	ASSERT_EQ(0, hv_guest_run(&g));
	EXPECT_EQ(HV_EXIT_IO, g.run->exit_reason);
	hv_guest_destroy(&g);
}

/* Fork a child running the CPUID loop; return once its guest is set up. */
static pid_t start_child(struct __test_metadata *_metadata, int in_thread)
{
	int p[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		child_runs_guest(p[1], in_thread);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1)) TH_LOG("the child could not start its guest");
	close(p[0]);
	return pid;
}

TEST(killed_while_running)
{
	pid_t pid = start_child(_metadata, 0);
	int status;

	usleep(50000);	/* into KVM_RUN */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	device_still_runs(_metadata);
}

TEST(process_exits_while_thread_runs)
{
	pid_t pid = start_child(_metadata, 1);
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	device_still_runs(_metadata);
}

HV_TEST_MAIN
