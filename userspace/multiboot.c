// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: Multiboot v1 kernels (the Multiboot Specification 0.6.96).
 *
 * The header is a 32-bit-aligned {magic, flags, checksum} in the first
 * 8 KiB of the file.  The kernel is loaded either from its ELF program
 * headers or, when flag 16 is set, from the header's address fields (the
 * "a.out kludge"), and entered in flat 32-bit protected mode with paging
 * off, EAX = 0x2badb002 and EBX = the physical address of the Multiboot
 * information hv-run builds at MBI_ADDR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv-run.h"

#define MB_HEADER_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002
#define MB_SEARCH		8192

/* Header flags: bits 0-15 are requirements, 16-31 optional features. */
#define MB_PAGE_ALIGN		(1u << 0)
#define MB_MEMORY_INFO		(1u << 1)
#define MB_VIDEO_MODE		(1u << 2)
#define MB_AOUT_KLUDGE		(1u << 16)
#define MB_KNOWN_REQUIREMENTS	(MB_PAGE_ALIGN | MB_MEMORY_INFO)

/* Information flags */
#define MBI_MEMORY		(1u << 0)
#define MBI_CMDLINE		(1u << 2)
#define MBI_MODS		(1u << 3)
#define MBI_MMAP		(1u << 6)
#define MBI_LOADER_NAME		(1u << 9)

struct mb_header {
	uint32_t magic, flags, checksum;
	/* valid with MB_AOUT_KLUDGE */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	uint32_t entry_addr;
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB below 640 KiB / above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4];
	uint32_t framebuffer[7];
};

/* 64-bit fields at 4-byte offsets: kept as halves, so no packing. */
struct mb_mmap_entry {
	uint32_t size;		/* of the rest of the entry: 20 */
	uint32_t base_lo, base_hi, length_lo, length_hi;
	uint32_t type;		/* 1: RAM */
};

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};

/* Where in the boot data each part of the information goes. */
#define MBI_MMAP_ADDR		(MBI_ADDR + 0x100)
#define MBI_MODS_ADDR		(MBI_ADDR + 0x200)
#define MBI_MAX_MODS		32
#define MBI_STRINGS_ADDR	(MBI_MODS_ADDR + MBI_MAX_MODS * sizeof(struct mb_module))

/* The offset of IMG's Multiboot header, or -1 if it has none. */
long multiboot_find(const struct image *img)
{
	size_t limit = img->size < MB_SEARCH ? img->size : MB_SEARCH;
	size_t off;

	for (off = 0; off + 12 <= limit; off += 4) {
		const uint32_t *w = (const uint32_t *)(img->data + off);

		if (w[0] == MB_HEADER_MAGIC && w[0] + w[1] + w[2] == 0)
			return off;
	}
	return -1;
}

/* Load the kernel from the header's address fields. */
static void load_aout_kludge(struct guest *g, const struct image *img,
			     long mb_header_offset, const struct mb_header *h)
{
	uint64_t off, len;

	if ((size_t)mb_header_offset + sizeof(*h) > img->size)
		fail("%s: truncated Multiboot header", img->path);
	if (h->header_addr < h->load_addr ||
	    h->header_addr - h->load_addr > (uint64_t)mb_header_offset)
		fail("%s: the Multiboot header's load address 0x%x is after its header address 0x%x", img->path, h->load_addr,
		     h->header_addr);
	off = mb_header_offset - (h->header_addr - h->load_addr);
	if (h->load_end_addr) {
		if (h->load_end_addr < h->load_addr)
			fail("%s: Multiboot load_end_addr 0x%x is below load_addr 0x%x", img->path, h->load_end_addr,
			     h->load_addr);
		len = h->load_end_addr - h->load_addr;
	} else {
		len = img->size - off;
	}
	if (off + len > img->size)
		fail("%s: truncated Multiboot kernel (it needs 0x%llx bytes from file offset 0x%llx, the file has 0x%zx)", img->path,
		     (unsigned long long)len, (unsigned long long)off, img->size);
	vm_copy(g, h->load_addr, img->data + off, len, "the Multiboot kernel");
	if (h->bss_end_addr > h->load_addr + len)
		vm_zero(g, h->load_addr + len,
			h->bss_end_addr - (h->load_addr + len),
			"the Multiboot kernel's bss");
	g->entry = h->entry_addr;
	g->stack = h->load_addr;
}

static uint32_t mbi_string(struct guest *g, uint64_t *next, const char *s)
{
	uint64_t addr = *next;
	size_t n = strlen(s) + 1;

	if (addr + n > BOOT_DATA_END)
		fail("the command line and module strings do not fit in hv-run's %llu bytes for them",
		     (unsigned long long)(BOOT_DATA_END - MBI_STRINGS_ADDR));
	memcpy(g->mem + addr, s, n);
	*next = addr + n;
	return addr;
}

static void load_modules(struct guest *g, const struct options *opt,
			 struct mb_info *info, uint64_t *strings)
{
	struct mb_module *mods = (struct mb_module *)(g->mem + MBI_MODS_ADDR);
	uint64_t addr;
	int i;

	if (opt->nr_modules > MBI_MAX_MODS)
		fail("at most %d --module", MBI_MAX_MODS);
	for (i = 0; i < opt->nr_modules; i++) {
		struct image mod;

		image_read(&mod, opt->modules[i].path);
		addr = (g->image_end + 4095) & ~4095ULL;	/* MB_PAGE_ALIGN */
		vm_copy(g, addr, mod.data, mod.size, opt->modules[i].path);
		mods[i].mod_start = addr;
		mods[i].mod_end = addr + mod.size;
		mods[i].string = mbi_string(g, strings, opt->modules[i].string);
		mods[i].reserved = 0;
		free(mod.data);
	}
	info->flags |= MBI_MODS;
	info->mods_count = opt->nr_modules;
	info->mods_addr = MBI_MODS_ADDR;
}

static void write_memory_map(struct guest *g, struct mb_info *info)
{
	struct mb_mmap_entry map[2] = {
		{ 20, 0, 0, LOW_MEM_END, 0, 1 },
		{ 20, MIB, 0, g->mem_size - MIB, 0, 1 },	/* below 4 GiB */
	};
	int n = g->mem_size > MIB ? 2 : 1;

	memcpy(g->mem + MBI_MMAP_ADDR, map, n * sizeof(map[0]));
	info->flags |= MBI_MEMORY | MBI_MMAP;
	info->mem_lower = LOW_MEM_END >> 10;
	info->mem_upper = (g->mem_size - MIB) >> 10;
	info->mmap_addr = MBI_MMAP_ADDR;
	info->mmap_length = n * sizeof(map[0]);
}

void multiboot_load(struct guest *g, const struct image *img,
		    long mb_header_offset, const struct options *opt)
{
	struct mb_header h;
	struct mb_info info;
	uint64_t strings = MBI_STRINGS_ADDR;
	size_t avail = img->size - mb_header_offset;
	char *cmdline;

	memset(&h, 0, sizeof(h));
	memcpy(&h, img->data + mb_header_offset,
	       avail < sizeof(h) ? avail : sizeof(h));
	if (h.flags & MB_VIDEO_MODE)
		fail("%s: the Multiboot header asks for a video mode (flag 2); hv-run has no display", img->path);
	if (h.flags & 0xffff & ~MB_KNOWN_REQUIREMENTS)
		fail("%s: the Multiboot header requires features hv-run does not have (flags 0x%x)", img->path, h.flags);

	g->mode = ENTRY_PROTECTED;
	boot_reserve(g);
	if (h.flags & MB_AOUT_KLUDGE)
		load_aout_kludge(g, img, mb_header_offset, &h);
	else if (elf_is_elf(img))
		elf_load(g, img, true);
	else
		fail("%s: a Multiboot header without load addresses (flag 16) in a file that is not ELF", img->path);
	if (g->entry >= 4 * GIB)
		fail("%s: the entry point 0x%llx is above 4 GiB", img->path,
		     (unsigned long long)g->entry);

	memset(&info, 0, sizeof(info));
	write_memory_map(g, &info);
	info.flags |= MBI_LOADER_NAME;
	info.boot_loader_name = mbi_string(g, &strings,
					   "hv-run " HV_RUN_VERSION);
	if (asprintf(&cmdline, "%s%s%s", img->path, opt->append ? " " : "",
		     opt->append ? opt->append : "") < 0)
		fail("out of memory");
	info.flags |= MBI_CMDLINE;
	info.cmdline = mbi_string(g, &strings, cmdline);
	free(cmdline);
	load_modules(g, opt, &info, &strings);
	memcpy(g->mem + MBI_ADDR, &info, sizeof(info));

	g->eax = MB_BOOT_MAGIC;
	g->ebx = MBI_ADDR;
}
