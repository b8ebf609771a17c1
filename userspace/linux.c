// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: Linux bzImage kernels, booted by Linux's 32-bit boot protocol
 * (Documentation/x86/boot.rst and zero-page.rst in the kernel source).
 *
 * A bzImage is the real-mode setup (1 + setup_sects sectors of 512 bytes,
 * with the setup header at 0x1f1) followed by the protected-mode kernel,
 * which hv-run loads at 1 MiB.  The real-mode part never runs: hv-run
 * does what it would have done, filling in struct boot_params ("the zero
 * page") itself: the setup header copied from the image, the loader's
 * fields (type, command line, initrd), and the e820 memory map a BIOS
 * would give.  The kernel is entered at its 32-bit entry point in flat
 * protected mode (boot.c), ESI pointing at the zero page; it decompresses
 * itself, relocating to where it was built for (16 MiB for Debian's), so
 * the guest needs memory for that as well.
 *
 * The initrd goes as high as the kernel allows (initrd_addr_max) and the
 * guest's memory ends, page-aligned, as boot loaders place it.
 */
#include <stdlib.h>
#include <string.h>

#include "hv-run.h"

/* The setup header and the zero page fields hv-run reads or writes */
#define HDR_START		0x1f1
#define HDR_SETUP_SECTS		0x1f1	/* u8 */
#define HDR_BOOT_FLAG		0x1fe	/* u16: 0xaa55 */
#define HDR_JUMP		0x200	/* u8[2]: its end gives the header's */
#define HDR_MAGIC		0x202	/* "HdrS" */
#define HDR_VERSION		0x206	/* u16 */
#define HDR_TYPE_OF_LOADER	0x210	/* u8 */
#define HDR_LOADFLAGS		0x211	/* u8 */
#define HDR_CODE32_START	0x214	/* u32 */
#define HDR_RAMDISK_IMAGE	0x218	/* u32 */
#define HDR_RAMDISK_SIZE	0x21c	/* u32 */
#define HDR_CMD_LINE_PTR	0x228	/* u32 */
#define HDR_INITRD_ADDR_MAX	0x22c	/* u32 */
#define HDR_RELOCATABLE		0x234	/* u8 */
#define HDR_CMDLINE_SIZE	0x238	/* u32 */
#define HDR_PREF_ADDRESS	0x258	/* u64 */
#define HDR_INIT_SIZE		0x260	/* u32 */
#define ZP_E820_ENTRIES		0x1e8	/* u8 */
#define ZP_E820_TABLE		0x2d0	/* 20-byte entries */
#define ZP_SIZE			4096

#define LOADED_HIGH		0x01	/* loadflags: kernel at 1 MiB */
#define LOADER_UNDEFINED	0xff	/* type_of_loader: no assigned id */
#define MIN_VERSION		0x0206	/* cmdline_size exists from 2.06 */
#define KERNEL_ADDR		0x100000ULL

#define E820_RAM		1
#define E820_RESERVED		2

static uint32_t get16(const uint8_t *p, unsigned int off)
{
	return p[off] | p[off + 1] << 8;
}

static uint32_t get32(const uint8_t *p, unsigned int off)
{
	return get16(p, off) | get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, unsigned int off)
{
	return get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

bool linux_is_bzimage(const struct image *img)
{
	const uint8_t *d = img->data;

	return img->size > HDR_INIT_SIZE + 4 &&
	       get16(d, HDR_BOOT_FLAG) == 0xaa55 &&
	       !memcmp(d + HDR_MAGIC, "HdrS", 4) &&
	       get16(d, HDR_VERSION) >= MIN_VERSION &&
	       (d[HDR_LOADFLAGS] & LOADED_HIGH);
}

static void e820_add(uint8_t *zp, uint64_t start, uint64_t end,
		     uint32_t type)
{
	uint8_t *e = zp + ZP_E820_TABLE + 20 * zp[ZP_E820_ENTRIES]++;
	uint64_t len = end - start;

	memcpy(e, &start, 8);
	memcpy(e + 8, &len, 8);
	memcpy(e + 16, &type, 4);
}

/*
 * A PC's map: RAM below 639 KiB, the EBDA's KiB and the BIOS area from
 * 0xe0000 (where the ACPI tables are) reserved, RAM from 1 MiB up.
 */
static void e820_fill(struct guest *g, uint8_t *zp)
{
	e820_add(zp, 0, LOW_MEM_END, E820_RAM);
	e820_add(zp, LOW_MEM_END, 0xa0000, E820_RESERVED);
	e820_add(zp, BIOS_AREA_START, BIOS_AREA_END, E820_RESERVED);
	e820_add(zp, KERNEL_ADDR, g->mem_size, E820_RAM);
}

static void load_initrd(struct guest *g, uint8_t *zp, const char *path)
{
	uint64_t top = g->mem_size, addr;
	struct image initrd;

	image_read(&initrd, path);
	if ((uint64_t)get32(zp, HDR_INITRD_ADDR_MAX) + 1 < top)
		top = (uint64_t)get32(zp, HDR_INITRD_ADDR_MAX) + 1;
	if (initrd.size > top)
		fail("--initrd %s: %zu bytes do not fit below 0x%llx, where the kernel can reach it (see -m)", path, initrd.size,
		     (unsigned long long)top);
	addr = (top - initrd.size) & ~0xfffULL;
	if (addr < g->image_end)
		fail("--initrd %s: %zu bytes do not fit in the guest's memory beside the kernel (see -m)", path, initrd.size);
	vm_copy(g, addr, initrd.data, initrd.size, "the initrd");
	put32(zp, HDR_RAMDISK_IMAGE, addr);
	put32(zp, HDR_RAMDISK_SIZE, initrd.size);
	free(initrd.data);
}

void linux_load(struct guest *g, const struct image *img,
		const struct options *opt)
{
	const uint8_t *d = img->data;
	unsigned int setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
	size_t kernel_off = (setup_sects + 1) * 512;
	size_t hdr_end = HDR_JUMP + 2 + d[HDR_JUMP + 1];
	uint32_t cmdline_size = get32(d, HDR_CMDLINE_SIZE);
	uint32_t init_size = get32(d, HDR_INIT_SIZE);
	const char *cmdline = opt->append ? opt->append : "";
	uint64_t loaded, end;
	uint8_t *zp;

	if (kernel_off >= img->size)
		fail("%s: the Linux setup header says the kernel starts at byte %zu, past the end of the file", img->path, kernel_off);
	if (hdr_end > kernel_off || hdr_end > ZP_SIZE)
		fail("%s: the Linux setup header is longer than the setup code", img->path);

	g->mode = ENTRY_LINUX;
	boot_reserve(g);
	/*
	 * The kernel is copied to 1 MiB and decompresses itself into
	 * init_size bytes, from there or, relocatable, from the address it
	 * prefers if that is higher (without KASLR; with it, the kernel
	 * picks a place in the e820 map that avoids the initrd).
	 */
	loaded = img->size - kernel_off;
	end = KERNEL_ADDR + (loaded > init_size ? loaded : init_size);
	if (d[HDR_RELOCATABLE] && get64(d, HDR_PREF_ADDRESS) > KERNEL_ADDR &&
	    get64(d, HDR_PREF_ADDRESS) + init_size > end)
		end = get64(d, HDR_PREF_ADDRESS) + init_size;
	if (end > g->mem_size)
		fail("%s needs %llu MiB of guest memory to start (see -m)",
		     img->path, (unsigned long long)((end + MIB - 1) >> 20));
	vm_claim(g, KERNEL_ADDR, end - KERNEL_ADDR,
		 "the Linux kernel and the memory it decompresses into");
	memcpy(g->mem + KERNEL_ADDR, d + kernel_off, loaded);

	zp = g->mem + BOOT_PARAMS_ADDR;
	memset(zp, 0, ZP_SIZE);
	memcpy(zp + HDR_START, d + HDR_START, hdr_end - HDR_START);
	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(zp, HDR_CODE32_START, KERNEL_ADDR);

	if (strlen(cmdline) + 1 > cmdline_size ||
	    strlen(cmdline) + 1 > BOOT_DATA_END - CMDLINE_ADDR)
		fail("--append: the command line is %zu bytes; this kernel takes at most %u",
		     strlen(cmdline),
		     (unsigned int)(cmdline_size < BOOT_DATA_END - CMDLINE_ADDR ?
				    cmdline_size : BOOT_DATA_END - CMDLINE_ADDR) - 1);
	strcpy((char *)g->mem + CMDLINE_ADDR, cmdline);
	put32(zp, HDR_CMD_LINE_PTR, CMDLINE_ADDR);

	if (opt->initrd)
		load_initrd(g, zp, opt->initrd);
	e820_fill(g, zp);

	g->entry = KERNEL_ADDR;
	g->stack = 0;
	g->esi = BOOT_PARAMS_ADDR;
}
