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
"Boot IMAGE in a virtual machine on /dev/hv (or /dev/kvm).\n"
"\n"
"IMAGE formats, recognized by their contents:\n"
"  Linux bzImage a Linux kernel (boot protocol 2.06 or later): entered by\n"
"                its 32-bit boot protocol, with the e820 memory map, the\n"
"                command line and an initrd, on a PC with ACPI, the\n"
"                in-kernel interrupt controllers and PIT, and -c vCPUs\n"
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
"  -c, --cpus N          Linux: N vCPUs, one thread each (default 1); the\n"
"                        guest starts the others through its local APIC\n"
"  -a, --append CMDLINE  Linux and Multiboot: the kernel command line\n"
"      --initrd FILE     Linux: the initial RAM disk\n"
"      --module 'FILE [ARGS]'\n"
"                        Multiboot: load FILE as a boot module; its string\n"
"                        is the whole argument (repeatable)\n"
"      --trace           one line per VM exit on standard error\n"
"      --exits           at the end, the exits that reached hv-run, by\n"
"                        reason, on standard error\n"
"  -h, --help            this text\n"
"  -V, --version         hv-run's version\n"
"\n"
"Devices: a 16550 UART at port 0x3f8 (guest output to standard output,\n"
"standard input to the guest; a terminal is put in raw mode while the guest\n"
"runs; IRQ 4 for Linux), the debug console at port 0xe9 (output), and\n"
"isa-debug-exit at port 0xf4. Linux also gets ACPI tables, whose power-off\n"
"ends hv-run, the CMOS RTC at 0x70, the keyboard controller's reset line\n"
"at 0x64, PCI configuration ports with no device, and the in-kernel PIC,\n"
"I/O APIC, local APICs and PIT. Other ports read as all ones and ignore\n"
"writes; so does memory outside guest RAM.\n"
"\n"
"The stack pointer starts at the image's lowest address. Protected and\n"
"long mode start with hv-run's GDT (code 0x08, data 0x10, 64-bit code\n"
"0x18) and no IDT, so an exception before the guest loads its own IDT\n"
"shuts the guest down. hv-run's boot data occupies 0x1000-0x9fff.\n"
"\n"
"Exit status:\n"
"  0    the guest executed HLT (no Linux), or powered off (Linux)\n"
"  odd  the guest wrote V to port 0xf4: (V << 1) | 1, as QEMU's\n"
"       isa-debug-exit\n"
"  2    hv-run could not start the guest (the message says why)\n"
"  4    the guest shut down (triple fault)\n"
"  6    the CPU refused to enter the guest (KVM_EXIT_FAIL_ENTRY)\n"
"  8    the hypervisor could not go on (KVM_EXIT_INTERNAL_ERROR)\n"
"  10   an exit or error hv-run does not handle\n"
"  12   the guest reset the machine (Linux's reboot)\n"
"  128+N  stopped by signal N (Ctrl-C: 130)\n"
"\n"
"Examples:\n"
"  hv-run userspace/examples/hello-long.elf\n"
"  hv-run --entry real userspace/examples/hello-real.bin\n"
"  hv-run -m 64M -a 'verbose' --module 'initrd.txt x=1' mbkernel.elf\n"
"  hv-run --device /dev/kvm --trace hello-protected.elf\n"
"  hv-run -c 2 -m 256M --initrd initrd.gz -a console=ttyS0 bzImage\n";

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

static int parse_cpus(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || *end || errno || n < 1 || n > MAX_VCPUS)
		fail("--cpus '%s': say a number of vCPUs from 1 to %d", s,
		     MAX_VCPUS);
	return n;
}

static void parse_options(struct options *opt, int argc, char **argv)
{
	enum { OPT_DEVICE = 256, OPT_ENTRY, OPT_LOAD_ADDR, OPT_MODULE,
	       OPT_TRACE, OPT_INITRD, OPT_EXITS };
	static const struct option longopts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "entry", required_argument, NULL, OPT_ENTRY },
		{ "load-addr", required_argument, NULL, OPT_LOAD_ADDR },
		{ "append", required_argument, NULL, 'a' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "exits", no_argument, NULL, OPT_EXITS },
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
	opt->cpus = 1;
	opt->modules = calloc(argc, sizeof(*opt->modules));
	if (!opt->modules)
		fail("out of memory");

	while ((c = getopt_long(argc, argv, "m:a:c:hV", longopts, NULL)) != -1) {
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
		case 'c':
			opt->cpus = parse_cpus(optarg);
			break;
		case OPT_INITRD:
			opt->initrd = optarg;
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
		case OPT_EXITS:
			opt->exits = true;
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

int main(int argc, char **argv)
{
	struct options opt;
	struct guest g;
	struct image img;
	bool is_linux;

	parse_options(&opt, argc, argv);
	image_read(&img, opt.image);
	is_linux = linux_is_bzimage(&img);
	if (!is_linux && (opt.cpus > 1 || opt.initrd))
		fail("--cpus and --initrd are for Linux kernels; %s is not a bzImage",
		     img.path);

	memset(&g, 0, sizeof(g));
	vm_open(&g, opt.device);
	vm_create(&g, opt.mem_size, opt.cpus, is_linux);
	image_load(&g, &img, &opt);
	boot_setup(&g);

	serial_init(&g);
	debugcon_init();
	debug_exit_init();
	if (is_linux) {
		acpi_setup(&g);
		smbios_setup(&g);
		rtc_init();
		i8042_init();
		pci_init();
	}

	term_raw();
	return vcpus_run(&g, opt.trace, opt.exits);
}
