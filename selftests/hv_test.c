// SPDX-License-Identifier: GPL-2.0
/*
 * hv selftests: option parsing and device helpers shared by every binary.
 * (Kept apart from the harness header, which may be included only once.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../uapi/linux/hv.h"

#define HV_DEFAULT_DEVICE "/dev/hv"

const char *hv_device = HV_DEFAULT_DEVICE;

/* --only: the names given, and whether each matched a test. */
#define HV_ONLY_MAX 64
static char *only[HV_ONLY_MAX];
static bool only_matched[HV_ONLY_MAX];
static int only_count = -1;	/* -1: no --only, run everything */

static void parse_only(const char *prog, char *list)
{
	char *name;

	if (only_count < 0)
		only_count = 0;
	for (name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		if (only_count == HV_ONLY_MAX) {
			fprintf(stderr, "%s: more than %d names in --only\n",
				prog, HV_ONLY_MAX);
			exit(2);
		}
		only[only_count++] = name;
	}
}

static void print_usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [--device PATH] [--only NAME[,NAME...]]\n"
		"Runs the tests against PATH (default: $HV_DEVICE, else %s).\n"
		"Use --device /dev/kvm to run the same tests against KVM.\n"
		"--only runs just the tests named (NAME or FIXTURE.NAME).\n",
		prog, HV_DEFAULT_DEVICE);
	exit(status);
}

void hv_test_parse_args(int *argc, char **argv)
{
	const char *env = getenv("HV_DEVICE");
	int in, out = 1;

	if (env && *env)
		hv_device = env;

	for (in = 1; in < *argc; in++) {
		const char *arg = argv[in];

		if (!strcmp(arg, "--device") || !strcmp(arg, "-d")) {
			if (++in >= *argc)
				print_usage(argv[0], 2);
			hv_device = argv[in];
		} else if (!strncmp(arg, "--device=", 9)) {
			hv_device = arg + 9;
		} else if (!strcmp(arg, "--only")) {
			if (++in >= *argc)
				print_usage(argv[0], 2);
			parse_only(argv[0], argv[in]);
		} else if (!strncmp(arg, "--only=", 7)) {
			parse_only(argv[0], argv[in] + 7);
		} else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			print_usage(argv[0], 0);
		} else {
			argv[out++] = argv[in];
		}
	}
	argv[out] = NULL;
	*argc = out;
}

bool hv_test_selected(const char *fixture, const char *test)
{
	size_t flen = strlen(fixture);
	bool hit = false;
	int i;

	if (only_count < 0)
		return true;
	for (i = 0; i < only_count; i++) {
		const char *n = only[i];

		if (!strcmp(n, test) ||
		    (!strncmp(n, fixture, flen) && n[flen] == '.' &&
		     !strcmp(n + flen + 1, test))) {
			only_matched[i] = true;
			hit = true;
		}
	}
	return hit;
}

/* After the filter: 0 to go on, else a name in --only matched nothing. */
int hv_test_start(void)
{
	int i, bad = 0;

	for (i = 0; i < only_count; i++) {
		if (!only_matched[i]) {
			fprintf(stderr, "--only: no test named %s\n", only[i]);
			bad = 1;
		}
	}
	if (bad)
		return 1;
	printf("# device: %s\n", hv_device);
	if (only_count >= 0)
		printf("# only: %d of the tests, by name\n", only_count);
	fflush(stdout);
	return 0;
}

int hv_test_main(int argc, char **argv, int (*run)(int, char **))
{
	hv_test_parse_args(&argc, argv);
	if (hv_test_start())
		return 2;
	return run(argc, argv);
}

int hv_open_device(void)
{
	return open(hv_device, O_RDWR | O_CLOEXEC);
}

void *hv_alloc_pages(unsigned long n)
{
	void *p = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

unsigned int hv_host_phys_bits(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	unsigned int bits = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "address sizes : %u bits physical", &bits) == 1)
			break;
	fclose(f);
	return bits;
}

int hv_host_has_cpu_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	size_t len = strlen(flag);
	char line[4096];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line;

		if (strncmp(line, "flags", 5))
			continue;
		while ((p = strstr(p, flag))) {
			if (p[-1] == ' ' && (p[len] == ' ' || p[len] == '\n')) {
				found = 1;
				break;
			}
			p += len;
		}
		break;
	}
	fclose(f);
	return found;
}

int hv_set_supported_cpuid(int dev_fd, int vcpu_fd)
{
	struct hv_cpuid2 *cpuid;
	int r;

	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return -1;
	cpuid->nent = 256;
	r = ioctl(dev_fd, HV_GET_SUPPORTED_CPUID, cpuid);
	if (!r)
		r = ioctl(vcpu_fd, HV_SET_CPUID2, cpuid);
	free(cpuid);
	return r;
}

const struct hv_cpuid_entry2 *hv_cpuid_entry(const struct hv_cpuid2 *c,
					     unsigned int n,
					     unsigned int function,
					     unsigned int index)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (c->entries[i].function == function &&
		    c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

int hv_vcpu_cpuid(int vcpu_fd, unsigned int function, unsigned int index,
		  unsigned int *eax, unsigned int *ebx, unsigned int *ecx,
		  unsigned int *edx)
{
	struct hv_cpuid2 *cpuid;
	const struct hv_cpuid_entry2 *e = NULL;
	int r;

	/*
	 * Zeroed, and all 256 entries searched: KVM 6.1 does not write nent
	 * back when KVM_GET_CPUID2 succeeds.
	 */
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return -1;
	cpuid->nent = 256;
	r = ioctl(vcpu_fd, HV_GET_CPUID2, cpuid);
	if (!r)
		e = hv_cpuid_entry(cpuid, 256, function, index);
	if (!r && !e) {
		errno = ENOENT;
		r = -1;
	}
	if (e) {
		if (eax)
			*eax = e->eax;
		if (ebx)
			*ebx = e->ebx;
		if (ecx)
			*ecx = e->ecx;
		if (edx)
			*edx = e->edx;
	}
	free(cpuid);
	return r;
}

/* Writes S to the file PATH; errors are ignored (a non-root run skips it). */
static void write_quietly(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	/* Best effort: without it the sample is only noisier. */
	(void)!write(fd, s, strlen(s));
	close(fd);
}

/*
 * Asks every slab cache to give back its empty slabs (and, on a KASAN
 * kernel, the objects it holds in quarantine).
 */
static void shrink_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[300];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		write_quietly(path, "1");
	}
	closedir(d);
}

long hv_free_kib(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long pages = 0, v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %ld", &v) == 1 ||
		    sscanf(line, " count: %ld", &v) == 1)
			pages += v;
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

long hv_settled_free_kib(void)
{
	long free, best = -1;
	int i;

	for (i = 0; i < 3; i++) {
		sync();
		write_quietly("/proc/sys/vm/drop_caches", "3");
		shrink_slabs();
		sleep(2);
		free = hv_free_kib();
		if (free < 0)
			return -1;
		if (free > best)
			best = free;
	}
	return best;
}
