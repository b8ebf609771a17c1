// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: reading an image, telling its format, and flat binaries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv-run.h"

#define REAL_MODE_END	0x100000ULL	/* what CS:IP can reach (no A20 wrap) */

void image_read(struct image *img, const char *path)
{
	struct stat st;
	size_t done = 0;
	int fd;

	img->path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		fail("cannot read %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		fail("%s is not a file", path);
	if ((uint64_t)st.st_size > MEM_MAX)
		fail("%s is larger than any guest memory (3G)", path);
	img->size = st.st_size;
	img->data = malloc(img->size ? img->size : 1);
	if (!img->data)
		fail("out of memory reading %s", path);
	while (done < img->size) {
		ssize_t n = read(fd, img->data + done, img->size - done);

		if (n <= 0)
			fail("cannot read %s: %s", path,
			     n ? strerror(errno) : "file shrank");
		done += n;
	}
	close(fd);
}

/* Formats hv-run recognizes but cannot boot: say what the file is. */
static const char *unbootable_format(const struct image *img)
{
	const uint8_t *d = img->data;

	if (img->size == 0)
		return "it is empty";
	if (img->size > 0x206 && !memcmp(d + 0x202, "HdrS", 4))
		return "it is a Linux kernel older than boot protocol 2.06, or a zImage, which hv-run does not boot";
	if (img->size >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		return "it is gzip-compressed; decompress it first";
	if (img->size >= 2 && d[0] == '#' && d[1] == '!')
		return "it is a script, not a guest image";
	if (img->size >= 2 && d[0] == 'M' && d[1] == 'Z')
		return "it is a DOS/PE (Windows or EFI) executable";
	if (img->size >= 4 && !memcmp(d, "\177ELF", 4))
		return "it is an ELF file of a class hv-run does not know";
	return NULL;
}

void flat_load(struct guest *g, const struct image *img,
	       const struct options *opt)
{
	uint64_t addr;

	g->mode = opt->entry == ENTRY_NONE ? ENTRY_REAL : opt->entry;
	if (opt->load_addr_set)
		addr = opt->load_addr;
	else
		addr = g->mode == ENTRY_REAL ? 0x7c00 : 0x100000;

	if (g->mode == ENTRY_REAL) {
		if (addr > 0xffff && (addr & 0xf))
			fail("--load-addr 0x%llx: above 64 KiB a real-mode load address must be a multiple of 16 (it becomes CS:0)",
			     (unsigned long long)addr);
		if (addr + img->size > REAL_MODE_END)
			fail("%s at 0x%llx ends above 1 MiB, which real mode cannot reach", img->path, (unsigned long long)addr);
	}
	boot_reserve(g);
	vm_copy(g, addr, img->data, img->size, "the flat image");
	g->entry = addr;
	g->stack = addr;
}

void image_load(struct guest *g, const struct image *img,
		const struct options *opt)
{
	const char *why;
	long mb_header;
	bool multiboot, is_linux;

	is_linux = linux_is_bzimage(img);
	mb_header = is_linux ? -1 : multiboot_find(img);
	multiboot = mb_header >= 0;
	if (elf_is_elf(img) || multiboot || is_linux) {
		if (opt->entry != ENTRY_NONE || opt->load_addr_set)
			fail("--entry and --load-addr are for flat binaries; %s is %s and says where it goes", img->path,
			     is_linux ? "a Linux kernel" :
			     multiboot ? "a Multiboot kernel" : "an ELF executable");
	}
	if (!multiboot && opt->nr_modules)
		fail("--module is for Multiboot kernels; %s has no Multiboot header", img->path);
	if (!multiboot && !is_linux && opt->append)
		fail("--append is for Linux and Multiboot kernels; %s is neither", img->path);

	if (is_linux) {
		linux_load(g, img, opt);
	} else if (multiboot) {
		multiboot_load(g, img, mb_header, opt);
	} else if (elf_is_elf(img)) {
		elf_load(g, img, false);
	} else {
		why = unbootable_format(img);
		if (why)
			fail("%s: unknown image format: %s", img->path, why);
		flat_load(g, img, opt);
	}
}
