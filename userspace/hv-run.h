/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv-run: a tiny launcher for /dev/hv (and /dev/kvm).
 *
 * The pieces, one file each:
 *   main.c         options, the run loop, exit statuses
 *   vcpu.c         one thread per vCPU, signals, stopping them all
 *   vm.c           the device, the VM, its memory, irqchip and vCPUs
 *   boot.c         the CPU state each entry mode starts in
 *   image.c        which format an image is; flat binaries
 *   elf.c          ELF32 and ELF64 executables
 *   multiboot.c    Multiboot v1 kernels and their boot information
 *   linux.c        Linux bzImage kernels: boot_params, e820, initrd
 *   acpi.c         ACPI tables (CPUs, I/O APIC, power off) and PM port
 *   smbios.c       SMBIOS tables (what the machine and its BIOS are)
 *   io.c           the port I/O bus the devices sit on
 *   serial.c       16550 UART at 0x3f8, IRQ 4
 *   rtc.c          CMOS RTC at 0x70
 *   i8042.c        the keyboard controller's reset line at 0x64
 *   pci.c          PCI configuration ports with no device behind them
 *   debugcon.c     the 0xe9 debug console
 *   debug_exit.c   isa-debug-exit at 0xf4
 *   term.c         the terminal's raw mode
 */
#ifndef HV_RUN_H
#define HV_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../uapi/linux/hv.h"

#define HV_RUN_VERSION	"0.1"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __packed	__attribute__((packed))

/* Exit statuses of hv-run; odd statuses are the guest's debug exit. */
#define STATUS_HALTED		0	/* HLT */
#define STATUS_ERROR		2	/* hv-run could not start the guest */
#define STATUS_SHUTDOWN		4	/* triple fault */
#define STATUS_FAIL_ENTRY	6	/* the CPU refused to enter the guest */
#define STATUS_INTERNAL		8	/* the hypervisor could not go on */
#define STATUS_UNEXPECTED	10	/* an exit or error hv-run does not handle */
#define STATUS_POWEROFF		0	/* the guest powered off (ACPI) */
#define STATUS_REBOOT		12	/* the guest reset the machine */

#define MIB		(1ULL << 20)
#define GIB		(1ULL << 30)
#define MEM_MIN		(1 * MIB)
#define MEM_MAX		(3 * GIB)	/* all of it below the 4 GiB line */
#define MEM_DEFAULT	(128 * MIB)
#define MAX_VCPUS	64

/*
 * hv-run's own boot data, in guest memory below 640 KiB: the GDT, the
 * long-mode page tables (identity map of 4 GiB with 2 MiB pages) and the
 * Multiboot information.  Real-mode guests get none of it.
 */
#define BOOT_DATA_START	0x1000ULL
#define GDT_ADDR	0x1000ULL
#define PML4_ADDR	0x2000ULL
#define PDPT_ADDR	0x3000ULL
#define PD_ADDR		0x4000ULL	/* four pages: 4 GiB */
#define MBI_ADDR	0x8000ULL
#define BOOT_PARAMS_ADDR 0x8000ULL	/* Linux: the zero page instead */
#define CMDLINE_ADDR	0x9000ULL	/* Linux: its command line */
#define BOOT_DATA_END	0xa000ULL
#define LOW_MEM_END	0x9fc00ULL	/* 639 KiB, as PC firmware reports */

/* GDT selectors */
#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
/* Linux's 32-bit boot protocol wants these two instead */
#define SEL_BOOT_CS	0x10
#define SEL_BOOT_DS	0x18

/* The PC's memory map above 640 KiB: ACPI tables in the BIOS area */
#define BIOS_AREA_START	0xe0000ULL
#define BIOS_AREA_END	0x100000ULL

enum entry_mode { ENTRY_NONE, ENTRY_REAL, ENTRY_PROTECTED, ENTRY_LONG,
		  ENTRY_LINUX };

struct module_arg {
	const char *path;	/* the file */
	const char *string;	/* what the kernel sees: "path args..." */
};

struct options {
	uint64_t mem_size;
	const char *device;
	enum entry_mode entry;		/* --entry, for flat binaries */
	uint64_t load_addr;
	bool load_addr_set;
	bool trace;
	bool exits;			/* --exits */
	const char *append;		/* --append: kernel command line */
	const char *initrd;		/* --initrd, Linux only */
	int cpus;			/* --cpus */
	struct module_arg *modules;	/* --module, Multiboot only */
	int nr_modules;
	const char *image;
};

struct guest;

struct vcpu {
	struct guest *g;
	int id;
	int fd;
	struct hv_run *run;
	pthread_t thread;
	bool trace;
};

struct guest {
	const char *device;
	int dev_fd, vm_fd;
	int vcpu_fd;		/* vCPU 0's, as is run */
	struct hv_run *run;
	size_t run_size;
	int nr_vcpus;
	struct vcpu vcpus[MAX_VCPUS];
	bool irqchip;		/* in-kernel PIC, I/O APIC, LAPICs and PIT */
	uint8_t *mem;
	uint64_t mem_size;

	/* what the image loader decided */
	enum entry_mode mode;
	uint64_t entry;		/* guest physical address of the first insn */
	uint64_t stack;		/* initial stack pointer */
	uint32_t eax, ebx;	/* for Multiboot */
	uint32_t esi;		/* for Linux: its boot_params */
	uint64_t image_end;	/* end of the highest byte loaded */

	/* what occupies guest memory, to refuse overlaps */
	struct region {
		uint64_t start, end;
		const char *what;
	} regions[64];
	int nr_regions;
};

/* main.c */
_Noreturn void fail(const char *fmt, ...);

/* vm.c */
void vm_open(struct guest *g, const char *device);
void vm_create(struct guest *g, uint64_t mem_size, int nr_vcpus,
	       bool irqchip);
uint64_t vm_rip(struct guest *g);
void vm_claim(struct guest *g, uint64_t start, uint64_t len, const char *what);
void vm_copy(struct guest *g, uint64_t gpa, const void *src, uint64_t len,
	     const char *what);
void vm_zero(struct guest *g, uint64_t gpa, uint64_t len, const char *what);

/* boot.c */
void boot_reserve(struct guest *g);
void boot_setup(struct guest *g);
const char *entry_mode_name(enum entry_mode mode);

/* image.c */
struct image {
	const char *path;
	uint8_t *data;
	size_t size;
};
void image_read(struct image *img, const char *path);
void image_load(struct guest *g, const struct image *img,
		const struct options *opt);
void flat_load(struct guest *g, const struct image *img,
	       const struct options *opt);

/* elf.c */
bool elf_is_elf(const struct image *img);
void elf_load(struct guest *g, const struct image *img, bool multiboot);

/* multiboot.c */
long multiboot_find(const struct image *img);
void multiboot_load(struct guest *g, const struct image *img,
		    long mb_header_offset, const struct options *opt);

/* linux.c */
bool linux_is_bzimage(const struct image *img);
void linux_load(struct guest *g, const struct image *img,
		const struct options *opt);

/* acpi.c: the tables, and the PM1 control port that powers off */
void acpi_setup(struct guest *g);
/* The byte that makes N bytes at P sum to 0 (ACPI's and SMBIOS's rule). */
uint8_t table_checksum(const void *p, size_t n);

/* smbios.c */
void smbios_setup(struct guest *g);

/* io.c: a device on the port bus */
struct io_device {
	const char *name;
	uint16_t base, len;
	bool bytewise;		/* wider accesses are split into bytes */
	uint32_t (*in)(struct io_device *dev, uint16_t offset, int size);
	void (*out)(struct io_device *dev, uint16_t offset, int size,
		    uint32_t value);
};
void io_register(struct io_device *dev);
void io_exit(struct vcpu *v);
/*
 * Devices run under bus_lock: every vCPU thread's port and MMIO exits,
 * and the serial input thread.
 */
extern pthread_mutex_t bus_lock;

/* vcpu.c */
/* A device asks for hv-run to end with STATUS (the first request wins). */
void guest_stop(int status);
/* Raise (1) or lower (0) an ISA interrupt line (KVM_IRQ_LINE). */
void irq_line(int irq, int level);
int vcpus_run(struct guest *g, bool trace, bool exits);

/* devices */
void serial_init(struct guest *g);
void rtc_init(void);
void i8042_init(void);
void pci_init(void);
void debugcon_init(void);
void debug_exit_init(void);
/* Set by the debug exit device: the guest asked to stop with a status. */
extern int debug_exit_status;

/* term.c */
void term_raw(void);
void term_restore(void);

#endif /* HV_RUN_H */
