/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv-run: a tiny launcher for /dev/hv (and /dev/kvm).
 *
 * The pieces, one file each:
 *   main.c         options, the run loop, exit statuses
 *   vm.c           the device, the VM, its memory and its one vCPU
 *   boot.c         the CPU state each entry mode starts in
 *   image.c        which format an image is; flat binaries
 *   elf.c          ELF32 and ELF64 executables
 *   multiboot.c    Multiboot v1 kernels and their boot information
 *   io.c           the port I/O bus the devices sit on
 *   serial.c       16550 UART at 0x3f8
 *   debugcon.c     the 0xe9 debug console
 *   debug_exit.c   isa-debug-exit at 0xf4
 *   term.c         the terminal's raw mode
 */
#ifndef HV_RUN_H
#define HV_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../uapi/linux/hv.h"

#define HV_RUN_VERSION	"0.1"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit statuses of hv-run; odd statuses are the guest's debug exit. */
#define STATUS_HALTED		0	/* HLT */
#define STATUS_ERROR		2	/* hv-run could not start the guest */
#define STATUS_SHUTDOWN		4	/* triple fault */
#define STATUS_FAIL_ENTRY	6	/* the CPU refused to enter the guest */
#define STATUS_INTERNAL		8	/* the hypervisor could not go on */
#define STATUS_UNEXPECTED	10	/* an exit or error hv-run does not handle */

#define MIB		(1ULL << 20)
#define GIB		(1ULL << 30)
#define MEM_MIN		(1 * MIB)
#define MEM_MAX		(3 * GIB)	/* all of it below the 4 GiB line */
#define MEM_DEFAULT	(128 * MIB)

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
#define BOOT_DATA_END	0xa000ULL
#define LOW_MEM_END	0x9fc00ULL	/* 639 KiB, as PC firmware reports */

/* GDT selectors */
#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18

enum entry_mode { ENTRY_NONE, ENTRY_REAL, ENTRY_PROTECTED, ENTRY_LONG };

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
	const char *append;		/* --append: kernel command line */
	struct module_arg *modules;	/* --module, Multiboot only */
	int nr_modules;
	const char *image;
};

struct guest {
	const char *device;
	int dev_fd, vm_fd, vcpu_fd;
	struct hv_run *run;
	size_t run_size;
	uint8_t *mem;
	uint64_t mem_size;

	/* what the image loader decided */
	enum entry_mode mode;
	uint64_t entry;		/* guest physical address of the first insn */
	uint64_t stack;		/* initial stack pointer */
	uint32_t eax, ebx;	/* for Multiboot */
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
void vm_create(struct guest *g, uint64_t mem_size);
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
void image_load(struct guest *g, const struct options *opt);
void flat_load(struct guest *g, const struct image *img,
	       const struct options *opt);

/* elf.c */
bool elf_is_elf(const struct image *img);
void elf_load(struct guest *g, const struct image *img, bool multiboot);

/* multiboot.c */
long multiboot_find(const struct image *img);
void multiboot_load(struct guest *g, const struct image *img,
		    long mb_header_offset, const struct options *opt);

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
void io_exit(struct guest *g);

/* devices */
void serial_init(void);
void debugcon_init(void);
void debug_exit_init(void);
/* Set by the debug exit device: the guest asked to stop with a status. */
extern int debug_exit_status;

/* term.c */
void term_raw(void);
void term_restore(void);

#endif /* HV_RUN_H */
