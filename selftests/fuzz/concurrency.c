// SPDX-License-Identifier: GPL-2.0
/*
 * hv_fuzz, phase concurrency: races.
 *
 * Each case (a round) is one VM with --threads vCPUs, each run by a
 * thread of its own, whose guests walk over two memory slots in a loop,
 * writing every page, with an OUT at the end of each pass.  Meanwhile
 * the main thread does random things to them:
 *
 *  - deletes, moves and re-creates the data slot (also read-only, also
 *    on other memory), and moves the code slot away and back;
 *  - replaces or unmaps the memory behind either slot, and maps it again;
 *  - sends signals to the running threads (pthread_kill);
 *  - reads and writes registers of vCPUs that are running;
 *  - creates vCPUs while the others run; closes vCPU fds and the VM fd;
 *  - forks a child that runs a guest of its own in two threads and
 *    SIGKILLs it mid-run.
 *
 * A ticker thread signals every running thread every few milliseconds,
 * so a KVM_RUN ends within that whatever the guest does.  At the end of a
 * round every thread must be joined within FUZZ_JOIN_S seconds, and the
 * killed child reaped within as long: anything left hanging fails the
 * phase.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define DATA_SLOT	1
#define DATA_SLOT_GPA	0x400000UL	/* where the guests write */
#define ROUND_MS	300
#define FUZZ_JOIN_S	10
#define TICK_US		5000

/* Walk 2 MiB at DATA_SLOT_GPA a page at a time, then the code slot. */
GUEST(race_walk, ".code32",
	"1: mov $0x400000, %edi; mov $512, %ecx;"
	"2: incl (%edi); add $4096, %edi; loop 2b;"
	"mov $0x90000, %edi; mov $16, %ecx; 3: incl (%edi); add $4096, %edi; loop 3b;"
	"mov %esi, %eax; out %al, $0x20; jmp 1b");

struct runner {
	struct race *race;
	int index;
	int vcpu;			/* -1 once the main thread closed it */
	struct hv_run *run;
	pthread_t thread;
	int started, done, joined;
	struct fuzz_rng rng;
};

struct race {
	struct hv_guest g;
	unsigned char *data;		/* behind the data slot, or NULL */
	int nrunners;
	struct runner runners[FUZZ_MAX_THREADS];
	struct hv_run *extra_runs[FUZZ_MAX_THREADS];	/* vCPUs added later */
	int nextra;
	int stop;
	pthread_mutex_t lock;		/* the ticker against joins */
	pthread_t ticker;
	int ticker_stop;
};

static int load(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void *runner_main(void *arg)
{
	struct runner *w = arg;

	while (!load(&w->race->stop)) {
		int fd = load(&w->vcpu);

		if (fd < 0) {		/* closed by the main thread */
			usleep(1000);
			continue;
		}
		if (fuzz_run(fd)) {
			if (errno != EINTR)
				usleep(500);
			continue;
		}
		if (fuzz_exit_is_final(w->run) && rng_chance(&w->rng, 50)) {
			struct hv_regs regs = { .rip = CODE_GPA,
						.rflags = fuzz_rflags(2),
						.rsp = STACK_TOP };

			fuzz_count(ioctls, 1);
			ioctl(fd, HV_SET_REGS, &regs);
		}
		fuzz_complete_exit(&w->rng, w->run, 3 * HV_PAGE);
	}
	store(&w->done, 1);
	return NULL;
}

/* Signal every runner that has not finished, every TICK_US. */
static void *ticker_main(void *arg)
{
	struct race *race = arg;
	int i;

	while (!load(&race->ticker_stop)) {
		pthread_mutex_lock(&race->lock);
		for (i = 0; i < race->nrunners; i++)
			if (race->runners[i].started &&
			    !load(&race->runners[i].done))
				pthread_kill(race->runners[i].thread, SIGUSR1);
		pthread_mutex_unlock(&race->lock);
		usleep(TICK_US);
	}
	return NULL;
}

static int set_slot(struct race *race, uint32_t slot, uint32_t flags,
		    uint64_t gpa, uint64_t size, void *mem)
{
	struct hv_userspace_memory_region reg = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)mem,
	};

	fuzz_count(slot_ops, 1);
	fuzz_count(ioctls, 1);
	return ioctl(race->g.vm, HV_SET_USER_MEMORY_REGION, &reg);
}

/*
 * Replace the memory at P (LEN bytes) by fresh memory at the same
 * address, in one step (MAP_FIXED over the old mapping), or unmap it and
 * map it again where nothing else has come in the meantime.  Returns P,
 * or NULL if the address is gone.
 */
static unsigned char *remap(unsigned char *p, size_t len, int unmap_first)
{
	void *q;

	if (unmap_first) {
		munmap(p, len);
		q = mmap(p, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			 MAP_FIXED_NOREPLACE, -1, 0);
	} else {
		q = mmap(p, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			 MAP_FIXED, -1, 0);
	}
	return q == p ? p : NULL;
}

static unsigned char *new_data(void)
{
	void *p = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---- A child killed mid-run ---- */

struct child_vcpu {
	int fd;
	struct hv_run *run;
	struct fuzz_rng rng;
};

static void *child_runner(void *arg)
{
	struct child_vcpu *v = arg;

	for (;;)
		if (!fuzz_run(v->fd))
			fuzz_complete_exit(&v->rng, v->run, 3 * HV_PAGE);
	return NULL;
}

/* In the child: a VM with two vCPUs in two threads, and slot changes. */
static void child_main(struct race *race, struct fuzz_rng *r)
{
	static struct child_vcpu v[2];
	struct hv_userspace_memory_region reg = { .slot = DATA_SLOT };
	struct hv_guest g;
	uint64_t gpa = DATA_SLOT_GPA;
	pthread_t t;

	/* The parent's vCPU is not this process's: EIO. */
	ioctl(load(&race->runners[0].vcpu), HV_RUN, 0);
	if (hv_guest_create(&g, HV_MODE_PROT32, race_walk,
			    race_walk_end - race_walk))
		_exit(0);
	v[0].fd = g.vcpu;
	v[0].run = g.run;
	rng_fork(&v[0].rng, r);
	pthread_create(&t, NULL, child_runner, &v[0]);
	v[1].fd = hv_guest_add_vcpu(&g, 1, &v[1].run);
	rng_fork(&v[1].rng, r);
	if (v[1].fd >= 0)
		pthread_create(&t, NULL, child_runner, &v[1]);
	reg.memory_size = GUEST_MEM_SIZE;
	reg.userspace_addr = (uintptr_t)new_data();
	for (;;) {
		reg.guest_phys_addr = gpa;
		ioctl(g.vm, HV_SET_USER_MEMORY_REGION, &reg);
		gpa ^= 0xc00000;
		usleep(100);
	}
}

/* Fork a child running guests; SIGKILL it after DELAY_US; reap it. */
static void kill_child(struct race *race, struct fuzz_rng *r, long delay_us)
{
	double deadline;
	int status = 0;
	pid_t pid;

	fuzz_doing("concurrency: a child killed after %ld us", delay_us);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		child_main(race, r);
	usleep(delay_us);
	kill(pid, SIGKILL);
	fuzz_count(kills, 1);
	deadline = fuzz_now() + FUZZ_JOIN_S;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (fuzz_now() > deadline) {
			fuzz_fail("a child SIGKILLed while running a guest is "
				  "still there after %d s", FUZZ_JOIN_S);
			return;
		}
		usleep(1000);
	}
}

/* ---- Rounds ---- */

static void chaos(struct race *race, struct fuzz_rng *r)
{
	struct runner *w = &race->runners[rng_below(r, race->nrunners)];
	struct hv_regs regs;
	struct hv_sregs sregs;
	uint64_t gpa;
	int fd;

	switch (rng_below(r, 16)) {
	case 0:
		fuzz_doing("concurrency: delete the data slot");
		set_slot(race, DATA_SLOT, 0, 0, 0, 0);
		break;
	case 1:
		gpa = rng_chance(r, 50) ? DATA_SLOT_GPA :
		      DATA_SLOT_GPA + GUEST_MEM_SIZE * (1 + rng_below(r, 4));
		fuzz_doing("concurrency: move the data slot to %#llx",
			   (unsigned long long)gpa);
		set_slot(race, DATA_SLOT, 0, gpa, GUEST_MEM_SIZE, race->data);
		break;
	case 2:
		fuzz_doing("concurrency: re-create the data slot");
		set_slot(race, DATA_SLOT, 0, 0, 0, 0);
		set_slot(race, DATA_SLOT, rng_chance(r, 30) ? HV_MEM_READONLY : 0,
			 DATA_SLOT_GPA, GUEST_MEM_SIZE,
			 rng_chance(r, 70) ? race->data : race->g.mem);
		break;
	case 3:
		if (!race->data)
			break;
		fuzz_doing("concurrency: replace the data slot's memory");
		race->data = remap(race->data, GUEST_MEM_SIZE, rng_chance(r, 50));
		break;
	case 4:
		fuzz_doing("concurrency: replace the code slot's memory");
		if (remap(race->g.mem, GUEST_MEM_SIZE, 0)) {
			memcpy(race->g.mem + CODE_GPA, race_walk,
			       race_walk_end - race_walk);
		} else {
			race->g.mem = NULL;
		}
		break;
	case 5:
		fuzz_doing("concurrency: move the code slot away and back");
		set_slot(race, 0, 0, 0x40000000, GUEST_MEM_SIZE, race->g.mem);
		set_slot(race, 0, 0, 0, GUEST_MEM_SIZE, race->g.mem);
		break;
	case 6:
	case 7:
	case 8:
		if (load(&w->started) && !load(&w->done))
			pthread_kill(w->thread, SIGUSR1);
		break;
	case 9:
		fd = load(&w->vcpu);
		fuzz_doing("concurrency: registers of a running vCPU (fd %d)", fd);
		fuzz_count(ioctls, 2);
		if (!ioctl(fd, HV_GET_REGS, &regs) && rng_chance(r, 30)) {
			regs.rip = CODE_GPA;
			regs.rflags = fuzz_rflags(regs.rflags);
			fuzz_count(ioctls, 1);
			ioctl(fd, HV_SET_REGS, &regs);
		}
		if (!ioctl(fd, HV_GET_SREGS, &sregs) && rng_chance(r, 20)) {
			fuzz_count(ioctls, 1);
			ioctl(fd, HV_SET_SREGS, &sregs);
		}
		break;
	case 10:
		/* hv_guest_add_vcpu() writes the GDT into the code slot. */
		if (race->nextra >= FUZZ_MAX_THREADS || !race->g.mem)
			break;
		fuzz_doing("concurrency: a new vCPU while others run");
		fuzz_count(ioctls, 8);
		fd = hv_guest_add_vcpu(&race->g, 16 + race->nextra,
				       &race->extra_runs[race->nextra]);
		if (fd >= 0)
			race->nextra++;	/* the round's end closes it */
		break;
	case 11:
		if (rng_chance(r, 70))
			break;
		fd = load(&w->vcpu);
		fuzz_doing("concurrency: close a running vCPU's fd %d", fd);
		store(&w->vcpu, -1);
		if (fd >= 0)
			close(fd);
		break;
	case 12:
		if (rng_chance(r, 70) || race->g.vm < 0)
			break;
		fuzz_doing("concurrency: close the VM fd");
		close(race->g.vm);
		race->g.vm = -1;
		break;
	case 13:
		if (rng_chance(r, 80))
			break;
		kill_child(race, r, rng_below(r, 50000));
		break;
	default:
		usleep(rng_below(r, 2000));
		break;
	}
}

static int start_round(struct race *race, struct fuzz_rng *r, int threads)
{
	struct hv_regs regs;
	int i;

	memset(race, 0, sizeof(*race));
	pthread_mutex_init(&race->lock, NULL);
	fuzz_count(ioctls, 8);
	if (hv_guest_create(&race->g, HV_MODE_PROT32, race_walk,
			    race_walk_end - race_walk))
		return -1;
	race->data = new_data();
	if (race->data)
		set_slot(race, DATA_SLOT, 0, DATA_SLOT_GPA, GUEST_MEM_SIZE,
			 race->data);
	for (i = 0; i < threads; i++) {
		struct runner *w = &race->runners[i];

		w->race = race;
		w->index = i;
		rng_fork(&w->rng, r);
		if (i == 0) {
			w->vcpu = race->g.vcpu;
			w->run = race->g.run;
		} else {
			fuzz_count(ioctls, 8);
			w->vcpu = hv_guest_add_vcpu(&race->g, i, &w->run);
			if (w->vcpu < 0)
				break;
		}
		fuzz_count(ioctls, 2);
		if (!ioctl(w->vcpu, HV_GET_REGS, &regs)) {
			regs.rsi = i;
			ioctl(w->vcpu, HV_SET_REGS, &regs);
		}
		race->nrunners++;
	}
	pthread_create(&race->ticker, NULL, ticker_main, race);
	for (i = 0; i < race->nrunners; i++) {
		struct runner *w = &race->runners[i];

		pthread_mutex_lock(&race->lock);
		if (!pthread_create(&w->thread, NULL, runner_main, w))
			w->started = 1;
		pthread_mutex_unlock(&race->lock);
	}
	return 0;
}

/* Stop and join every thread; -1 if one did not end in FUZZ_JOIN_S. */
static int end_round(struct race *race)
{
	double deadline = fuzz_now() + FUZZ_JOIN_S;
	int i, ret = 0;

	store(&race->stop, 1);
	for (i = 0; i < race->nrunners; i++) {
		struct runner *w = &race->runners[i];

		if (!w->started)
			continue;
		while (!load(&w->done) && fuzz_now() < deadline)
			usleep(1000);
		if (!load(&w->done)) {
			fuzz_fail("a vCPU thread still in KVM_RUN %d s after "
				  "the round's end", FUZZ_JOIN_S);
			ret = -1;
			continue;
		}
		pthread_mutex_lock(&race->lock);
		pthread_join(w->thread, NULL);
		w->joined = 1;
		pthread_mutex_unlock(&race->lock);
	}
	if (ret)
		return ret;	/* leave the rest: the child exits */
	store(&race->ticker_stop, 1);
	pthread_join(race->ticker, NULL);
	for (i = 0; i < race->nrunners; i++) {
		struct runner *w = &race->runners[i];

		if (i > 0 && w->run)
			munmap(w->run, 3 * HV_PAGE);
		if (i > 0 && w->vcpu >= 0)
			close(w->vcpu);
	}
	if (load(&race->runners[0].vcpu) < 0)
		race->g.vcpu = -1;
	for (i = 0; i < race->nextra; i++)
		munmap(race->extra_runs[i], 3 * HV_PAGE);
	if (race->data)
		munmap(race->data, GUEST_MEM_SIZE);
	hv_guest_destroy(&race->g);
	/* vCPUs added during the round: their fds are the highest. */
	close_range(3, ~0U, 0);
	return 0;
}

int fuzz_concurrency(const struct fuzz_opts *o)
{
	struct fuzz_rng phase, r;
	static struct race race;
	double start = fuzz_now(), until;
	unsigned long n;
	int failures = 0;

	rng_seed(&phase, o->seed);
	fuzz_guard_start(0);	/* handlers only: the ticker sends SIGUSR1 */
	for (n = 0; !fuzz_phase_done(o, start, n) && !fuzz_stats->why[0]; n++) {
		rng_fork(&r, &phase);
		fuzz_doing("concurrency: round %lu", n);
		if (start_round(&race, &r, o->threads)) {
			hv_guest_destroy(&race.g);
			if (++failures >= 20) {
				fuzz_fail("cannot create a guest 20 times in a row: %s",
					  strerror(errno));
				break;
			}
			continue;
		}
		failures = 0;
		until = fuzz_now() + ROUND_MS / 1000.0;
		while (fuzz_now() < until && !fuzz_stats->why[0])
			chaos(&race, &r);
		if (end_round(&race))
			break;
		fuzz_count(cases, 1);
	}
	return fuzz_stats->why[0] ? -1 : 0;
}
