// SPDX-License-Identifier: GPL-2.0
/*
 * mbkernel: a small Multiboot kernel, the kind a course lab starts from.
 * It prints what its boot loader told it (magic, loader name, command
 * line, memory, memory map, modules) on the 16550 UART, then halts.
 *
 *	hv-run -a 'hello world' --module 'message.txt greeting' mbkernel.elf
 */
#include <stdint.h>

#define MB_BOOT_MAGIC	0x2badb002
#define MBI_MEMORY	(1u << 0)
#define MBI_CMDLINE	(1u << 2)
#define MBI_MODS	(1u << 3)
#define MBI_MMAP	(1u << 6)
#define MBI_LOADER_NAME	(1u << 9)

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

/* 64-bit base and length at 4-byte offsets: read as 32-bit halves. */
struct mb_mmap_entry {
	uint32_t size;
	uint32_t base_lo, base_hi, length_lo, length_hi;
	uint32_t type;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

static inline void port_write(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t port_read(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc(char c)
{
	while (!(port_read(COM1_LSR) & LSR_THRE))
		;
	port_write(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putnum(uint32_t n, unsigned int base)
{
	char buf[24];
	int i = 0;

	if (base == 16)
		puts("0x");
	do {
		buf[i++] = "0123456789abcdef"[n % base];
		n /= base;
	} while (n);
	while (i)
		putc(buf[--i]);
}

/* The first line of a module, at most 60 characters of it. */
static void put_first_line(const char *p, const char *end)
{
	int n = 0;

	while (p < end && *p != '\n' && n++ < 60)
		putc(*p++);
}

void kmain(uint32_t magic, const struct mb_info *mbi)
{
	puts("Hello from a Multiboot kernel!\n");
	if (magic != MB_BOOT_MAGIC) {
		puts("not started by a Multiboot loader: EAX=");
		putnum(magic, 16);
		putc('\n');
		return;
	}
	if (mbi->flags & MBI_LOADER_NAME) {
		puts("boot loader: ");
		puts((const char *)mbi->boot_loader_name);
		putc('\n');
	}
	if (mbi->flags & MBI_CMDLINE) {
		puts("command line: ");
		puts((const char *)mbi->cmdline);
		putc('\n');
	}
	if (mbi->flags & MBI_MEMORY) {
		puts("memory: ");
		putnum(mbi->mem_lower, 10);
		puts(" KiB low, ");
		putnum(mbi->mem_upper, 10);
		puts(" KiB above 1 MiB\n");
	}
	if (mbi->flags & MBI_MMAP) {
		uint32_t off = 0;

		while (off < mbi->mmap_length) {
			const struct mb_mmap_entry *e =
				(const void *)(mbi->mmap_addr + off);

			puts("memory map: ");
			putnum(e->base_lo, 16);
			puts("-");
			putnum(e->base_lo + e->length_lo, 16);
			puts(e->type == 1 ? " RAM\n" : " reserved\n");
			off += e->size + 4;
		}
	}
	if (mbi->flags & MBI_MODS) {
		const struct mb_module *m = (const void *)mbi->mods_addr;
		uint32_t i;

		for (i = 0; i < mbi->mods_count; i++) {
			puts("module ");
			putnum(i, 10);
			puts(": '");
			puts((const char *)m[i].string);
			puts("', ");
			putnum(m[i].end - m[i].start, 10);
			puts(m[i].start & 0xfff ? " bytes, not page-aligned: "
						: " bytes: ");
			put_first_line((const char *)m[i].start,
				       (const char *)m[i].end);
			putc('\n');
		}
	}
	puts("Goodbye.\n");
}
