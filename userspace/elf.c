// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: ELF32 and ELF64 executables.  PT_LOAD segments go to their
 * physical addresses (p_paddr), as bare-metal loaders do; the entry point
 * is translated through the segment that holds it, so a kernel linked at
 * a virtual address other than its load address still starts correctly.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv-run.h"

/* The fields hv-run uses, from either class. */
struct elf_info {
	bool is64;
	uint16_t type, machine;
	uint64_t entry, phoff;
	uint16_t phentsize, phnum;
};

struct elf_segment {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

bool elf_is_elf(const struct image *img)
{
	return img->size >= EI_NIDENT && !memcmp(img->data, ELFMAG, SELFMAG) &&
	       (img->data[EI_CLASS] == ELFCLASS32 ||
		img->data[EI_CLASS] == ELFCLASS64);
}

static const char *machine_name(uint16_t machine)
{
	switch (machine) {
	case EM_386: return "x86 (32-bit)";
	case EM_X86_64: return "x86-64";
	case EM_ARM: return "ARM";
	case EM_AARCH64: return "AArch64";
	case EM_RISCV: return "RISC-V";
	case EM_PPC64: return "PowerPC 64";
	case EM_S390: return "s390";
	case EM_MIPS: return "MIPS";
	default: return "another machine";
	}
}

static void elf_header(const struct image *img, struct elf_info *e)
{
	const Elf32_Ehdr *h32 = (const void *)img->data;
	const Elf64_Ehdr *h64 = (const void *)img->data;

	e->is64 = img->data[EI_CLASS] == ELFCLASS64;
	if (img->size < (e->is64 ? sizeof(*h64) : sizeof(*h32)))
		fail("%s: truncated ELF file (%zu bytes, shorter than its header)",
		     img->path, img->size);
	if (img->data[EI_DATA] != ELFDATA2LSB)
		fail("%s: a big-endian ELF file; x86 is little-endian", img->path);
	if (e->is64) {
		e->type = h64->e_type;
		e->machine = h64->e_machine;
		e->entry = h64->e_entry;
		e->phoff = h64->e_phoff;
		e->phentsize = h64->e_phentsize;
		e->phnum = h64->e_phnum;
	} else {
		e->type = h32->e_type;
		e->machine = h32->e_machine;
		e->entry = h32->e_entry;
		e->phoff = h32->e_phoff;
		e->phentsize = h32->e_phentsize;
		e->phnum = h32->e_phnum;
	}
	if (e->machine != (e->is64 ? EM_X86_64 : EM_386))
		fail("%s: an ELF%d file for %s (e_machine %u); hv-run boots ELF32 for x86 and ELF64 for x86-64", img->path,
		     e->is64 ? 64 : 32, machine_name(e->machine), e->machine);
	if (e->type != ET_EXEC)
		fail("%s: not an executable (e_type %u); link the guest at a fixed address (ld without -pie)", img->path, e->type);
	if (e->phentsize != (e->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		fail("%s: program headers of an unexpected size (%u)", img->path,
		     e->phentsize);
	if (e->phnum == 0 || e->phoff > img->size ||
	    (uint64_t)e->phnum * e->phentsize > img->size - e->phoff)
		fail("%s: truncated ELF file (its program headers are missing)",
		     img->path);
}

static void elf_segment(const struct image *img, const struct elf_info *e,
			int i, struct elf_segment *s)
{
	const uint8_t *p = img->data + e->phoff + (uint64_t)i * e->phentsize;

	if (e->is64) {
		const Elf64_Phdr *ph = (const void *)p;

		*s = (struct elf_segment){ ph->p_type, ph->p_offset,
			ph->p_vaddr, ph->p_paddr, ph->p_filesz, ph->p_memsz };
	} else {
		const Elf32_Phdr *ph = (const void *)p;

		*s = (struct elf_segment){ ph->p_type, ph->p_offset,
			ph->p_vaddr, ph->p_paddr, ph->p_filesz, ph->p_memsz };
	}
}

/*
 * Load the PT_LOAD segments of IMG.  MULTIBOOT: the caller has chosen the
 * entry mode (32-bit protected) and reserved the boot data.
 */
void elf_load(struct guest *g, const struct image *img, bool multiboot)
{
	struct elf_info e;
	struct elf_segment s;
	uint64_t lowest = ~0ULL;
	bool entry_found = false;
	int i, loaded = 0;

	elf_header(img, &e);
	if (!multiboot) {
		g->mode = e.is64 ? ENTRY_LONG : ENTRY_PROTECTED;
		boot_reserve(g);
	}

	for (i = 0; i < e.phnum; i++) {
		char *what;

		elf_segment(img, &e, i, &s);
		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		if (s.offset > img->size || s.filesz > img->size - s.offset)
			fail("%s: truncated ELF file (segment %d needs bytes 0x%llx-0x%llx, the file has 0x%zx)", img->path, i,
			     (unsigned long long)s.offset,
			     (unsigned long long)(s.offset + s.filesz), img->size);
		if (s.filesz > s.memsz)
			fail("%s: segment %d has more bytes in the file than in memory", img->path, i);
		if (asprintf(&what, "%s: segment %d", img->path, i) < 0)
			fail("out of memory");
		vm_claim(g, s.paddr, s.memsz, what);
		memcpy(g->mem + s.paddr, img->data + s.offset, s.filesz);
		memset(g->mem + s.paddr + s.filesz, 0, s.memsz - s.filesz);
		if (s.paddr < lowest)
			lowest = s.paddr;
		if (!entry_found && e.entry >= s.vaddr &&
		    e.entry - s.vaddr < s.memsz) {
			g->entry = s.paddr + (e.entry - s.vaddr);
			entry_found = true;
		}
		loaded++;
	}
	if (!loaded)
		fail("%s: no loadable (PT_LOAD) segment", img->path);
	if (!entry_found)
		fail("%s: the entry point 0x%llx is in no loaded segment",
		     img->path, (unsigned long long)e.entry);
	g->stack = lowest;
}
