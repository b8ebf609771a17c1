// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: options, the run loop and what the exit status means.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv-run.h"

static const char usage_text[] =
"Usage: hv-run [OPTIONS] IMAGE\n"
"\n"
"Boot IMAGE in a virtual machine with one CPU, on /dev/hv (or /dev/kvm).\n"
"\n"
"IMAGE formats, recognized by their contents:\n"
"  Multiboot v1  a kernel with a Multiboot header in its first 8 KiB (ELF32,\n"
"                or any file with the header's address fields): entered in\n"
"                32-bit protected mode with EAX=0x2badb002 and EBX = the\n"
"                Multiboot information (memory map, command line, modules)\n"
"  ELF32         PT_LOAD segments at their physical addresses, entered in\n"
"                flat 32-bit protected mode at the entry point\n"
"  ELF64         the same, entered in 64-bit long mode with the first 4 GiB\n"
"                identity-mapped\n"
"  flat binary   anything else: copied to --load-addr and entered there\n"
"\n"
"Options:\n"
"  -m, --memory SIZE     guest memory, from 1M to 3G; K, M or G suffix, a\n"
"                        bare number is MiB (default 128M)\n"
"      --device PATH     the hypervisor device (default /dev/hv; /dev/kvm\n"
"                        works the same)\n"
"      --entry MODE      flat binaries: start in 'real' mode, 'protected'\n"
"                        (flat 32-bit segments) or 'long' (64-bit, first\n"
"                        4 GiB identity-mapped); default real\n"
"      --load-addr ADDR  flat binaries: guest physical address of the first\n"
"                        byte and first instruction (default 0x7c00 in real\n"
"                        mode, 0x100000 otherwise)\n"
"  -a, --append CMDLINE  Multiboot: the kernel command line\n"
"      --module 'FILE [ARGS]'\n"
"                        Multiboot: load FILE as a boot module; its string\n"
"                        is the whole argument (repeatable)\n"
"      --trace           one line per VM exit on standard error\n"
"  -h, --help            this text\n"
"  -V, --version         hv-run's version\n"
"\n"
"Devices: a 16550 UART at port 0x3f8 (guest output to standard output,\n"
"standard input to the guest; a terminal is put in raw mode while the guest\n"
"runs), the debug console at port 0xe9 (output), and isa-debug-exit at port\n"
"0xf4. Other ports read as all ones and ignore writes; so does memory\n"
"outside guest RAM.\n"
"\n"
"The stack pointer starts at the image's lowest address. Protected and\n"
"long mode start with hv-run's GDT (code 0x08, data 0x10, 64-bit code\n"
"0x18) and no IDT, so an exception before the guest loads its own IDT\n"
"shuts the guest down. hv-run's boot data occupies 0x1000-0x9fff.\n"
"\n"
"Exit status:\n"
"  0    the guest executed HLT\n"
"  odd  the guest wrote V to port 0xf4: (V << 1) | 1, as QEMU's\n"
"       isa-debug-exit\n"
"  2    hv-run could not start the guest (the message says why)\n"
"  4    the guest shut down (triple fault)\n"
"  6    the CPU refused to enter the guest (KVM_EXIT_FAIL_ENTRY)\n"
"  8    the hypervisor could not go on (KVM_EXIT_INTERNAL_ERROR)\n"
"  10   an exit or error hv-run does not handle\n"
"  128+N  stopped by signal N (Ctrl-C: 130)\n"
"\n"
"Examples:\n"
"  hv-run userspace/examples/hello-long.elf\n"
"  hv-run --entry real userspace/examples/hello-real.bin\n"
"  hv-run -m 64M -a 'verbose' --module 'initrd.txt x=1' mbkernel.elf\n"
"  hv-run --device /dev/kvm --trace hello-protected.elf\n";

void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("hv-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(STATUS_ERROR);
}

/* SIZE with an optional K/M/G suffix; a bare number is MiB, as in QEMU. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long n;
	uint64_t unit = MIB;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (end == s || errno || *s == '-')
		fail("--memory '%s': not a size (examples: 64M, 1G, 512K)", s);
	switch (*end) {
	case 'k':
	case 'K':
		unit = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		unit = MIB;
		end++;
		break;
	case 'g':
	case 'G':
		unit = GIB;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'B')	/* "64MiB", "64MB" */
		end += (end[0] == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		fail("--memory '%s': not a size (examples: 64M, 1G, 512K)", s);
	if (n > MEM_MAX / unit + 1)
		n = MEM_MAX / unit + 1;	/* saturate: the range check says why */
	return n * unit;
}

static uint64_t parse_addr(const char *s)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (end == s || *end || errno || *s == '-')
		fail("--load-addr '%s': not an address (example: 0x100000)", s);
	return n;
}

static void parse_options(struct options *opt, int argc, char **argv)
{
	enum { OPT_DEVICE = 256, OPT_ENTRY, OPT_LOAD_ADDR, OPT_MODULE,
	       OPT_TRACE };
	static const struct option longopts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "entry", required_argument, NULL, OPT_ENTRY },
		{ "load-addr", required_argument, NULL, OPT_LOAD_ADDR },
		{ "append", required_argument, NULL, 'a' },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mem_arg = "128M";
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->mem_size = MEM_DEFAULT;
	opt->device = "/dev/hv";
	opt->entry = ENTRY_NONE;
	opt->modules = calloc(argc, sizeof(*opt->modules));
	if (!opt->modules)
		fail("out of memory");

	while ((c = getopt_long(argc, argv, "m:a:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			opt->mem_size = parse_size(optarg);
			mem_arg = optarg;
			break;
		case OPT_DEVICE:
			opt->device = optarg;
			break;
		case OPT_ENTRY:
			if (!strcmp(optarg, "real"))
				opt->entry = ENTRY_REAL;
			else if (!strcmp(optarg, "protected"))
				opt->entry = ENTRY_PROTECTED;
			else if (!strcmp(optarg, "long"))
				opt->entry = ENTRY_LONG;
			else
				fail("--entry '%s': say real, protected or long",
				     optarg);
			break;
		case OPT_LOAD_ADDR:
			opt->load_addr = parse_addr(optarg);
			opt->load_addr_set = true;
			break;
		case 'a':
			opt->append = optarg;
			break;
		case OPT_MODULE: {
			struct module_arg *m = &opt->modules[opt->nr_modules++];
			size_t n = strcspn(optarg, " \t");

			m->string = optarg;
			m->path = strndup(optarg, n);
			if (!m->path)
				fail("out of memory");
			break;
		}
		case OPT_TRACE:
			opt->trace = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			printf("hv-run %s (KVM API %d)\n", HV_RUN_VERSION,
			       HV_API_VERSION);
			exit(0);
		default:
			fprintf(stderr, "Try 'hv-run --help'.\n");
			exit(STATUS_ERROR);
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "hv-run: %s\nUsage: hv-run [OPTIONS] IMAGE (try 'hv-run --help')\n",
			optind == argc ? "no IMAGE given" : "more than one IMAGE");
		exit(STATUS_ERROR);
	}
	opt->image = argv[optind];

	if (opt->mem_size < MEM_MIN || opt->mem_size > MEM_MAX)
		fail("--memory %s: hv-run gives a guest from 1M to 3G (all of it below the 4 GiB line)", mem_arg);
	if (opt->mem_size & 0xfff)
		fail("--memory %s: the size must be a whole number of 4 KiB pages",
		     mem_arg);
}

/* The signal that asked hv-run to stop, or 0. */
static int stop_signal;		/* __atomic: set by a signal handler */
static struct hv_run *signal_run;	/* set before the handlers */

static void on_stop_signal(int sig)
{
	__atomic_store_n(&stop_signal, sig, __ATOMIC_SEQ_CST);
	/* KVM_RUN returns at once (EINTR) instead of entering the guest. */
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static void on_fatal_signal(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(struct guest *g)
{
	struct sigaction sa;

	signal_run = g->run;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;	/* no SA_RESTART: KVM_RUN must end */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
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

/* One line on standard error for each exit (--trace). */
static void trace_exit(struct guest *g)
{
	struct hv_run *r = g->run;
	uint64_t rip = vm_rip(g);

	switch (r->exit_reason) {
	case HV_EXIT_IO:
		fprintf(stderr, "hv-run: trace: rip 0x%llx: %s %s port 0x%x size %u count %u\n",
			(unsigned long long)rip, exit_name(r->exit_reason),
			r->io.direction == HV_EXIT_IO_OUT ? "out" : "in",
			r->io.port, r->io.size, r->io.count);
		break;
	case HV_EXIT_MMIO:
		fprintf(stderr, "hv-run: trace: rip 0x%llx: %s %s 0x%llx len %u\n",
			(unsigned long long)rip, exit_name(r->exit_reason),
			r->mmio.is_write ? "write" : "read",
			(unsigned long long)r->mmio.phys_addr, r->mmio.len);
		break;
	default:
		fprintf(stderr, "hv-run: trace: rip 0x%llx: %s (%u)\n",
			(unsigned long long)rip, exit_name(r->exit_reason),
			r->exit_reason);
		break;
	}
}

/* Memory outside guest RAM: reads see all ones, writes go nowhere. */
static void mmio_exit(struct guest *g)
{
	if (!g->run->mmio.is_write)
		memset(g->run->mmio.data, 0xff, sizeof(g->run->mmio.data));
}

static int report_stop(struct guest *g, int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "hv-run: guest stopped: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " at rip 0x%llx\n", (unsigned long long)vm_rip(g));
	return status;
}

/* Run the guest until it stops; returns hv-run's exit status. */
static int run_loop(struct guest *g, bool trace)
{
	struct hv_run *r = g->run;
	int sig;

	for (;;) {
		if (ioctl(g->vcpu_fd, HV_RUN, 0) < 0) {
			if (errno != EINTR && errno != EAGAIN)
				return report_stop(g, STATUS_UNEXPECTED,
					       "KVM_RUN failed: %s",
					       strerror(errno));
			r->immediate_exit = 0;
			sig = __atomic_load_n(&stop_signal, __ATOMIC_SEQ_CST);
			if (sig)
				return report_stop(g, 128 + sig, "%s",
						   strsignal(sig));
			continue;
		}
		if (trace)
			trace_exit(g);

		switch (r->exit_reason) {
		case HV_EXIT_IO:
			io_exit(g);
			if (debug_exit_status >= 0)
				return debug_exit_status;
			break;
		case HV_EXIT_MMIO:
			mmio_exit(g);
			break;
		case HV_EXIT_HLT:
			return STATUS_HALTED;
		case HV_EXIT_INTR:
			break;
		case HV_EXIT_SHUTDOWN:
			return report_stop(g, STATUS_SHUTDOWN,
				       "KVM_EXIT_SHUTDOWN (triple fault)");
		case HV_EXIT_FAIL_ENTRY:
			return report_stop(g, STATUS_FAIL_ENTRY,
				       "KVM_EXIT_FAIL_ENTRY (hardware reason 0x%llx)",
				       (unsigned long long)
				       r->fail_entry.hardware_entry_failure_reason);
		case HV_EXIT_INTERNAL_ERROR:
			return report_stop(g, STATUS_INTERNAL,
				       "KVM_EXIT_INTERNAL_ERROR (suberror %u: %s)",
				       r->internal.suberror,
				       internal_error_name(r->internal.suberror));
		default:
			return report_stop(g, STATUS_UNEXPECTED,
				       "exit reason %u (%s), which hv-run does not handle",
				       r->exit_reason, exit_name(r->exit_reason));
		}
	}
}

int main(int argc, char **argv)
{
	struct options opt;
	struct guest g;

	parse_options(&opt, argc, argv);

	memset(&g, 0, sizeof(g));
	vm_open(&g, opt.device);
	vm_create(&g, opt.mem_size);
	image_load(&g, &opt);
	boot_setup(&g);

	serial_init();
	debugcon_init();
	debug_exit_init();

	install_signals(&g);
	term_raw();
	return run_loop(&g, opt.trace);
}
