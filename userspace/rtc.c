// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: the CMOS RTC (an MC146818) at ports 0x70 (index; bit 7 masks
 * NMIs on a PC and is ignored) and 0x71 (data).  The clock registers read
 * the host's time in UTC, in BCD or binary and 12- or 24-hour form as
 * register B says; writes to them are ignored (the guest cannot set the
 * host's clock), and the update-in-progress bit is never set.  The rest
 * of the 128 bytes is plain memory.  No interrupts: periodic, alarm and
 * update interrupts are never raised.
 */
#include <time.h>

#include "hv-run.h"

#define RTC_PORT	0x70
#define REG_SECONDS	0x00
#define REG_MINUTES	0x02
#define REG_HOURS	0x04
#define REG_WEEKDAY	0x06
#define REG_DAY		0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32	/* where the FADT says (acpi.c) */

#define B_24H		0x02
#define B_BINARY	0x04
#define D_VRT		0x80	/* the battery is good */

static uint8_t cmos[128] = {
	[REG_A] = 0x26,		/* 32.768 kHz time base, 1024 Hz rate */
	[REG_B] = B_24H,
	[REG_D] = D_VRT,
};
static uint8_t index_reg;

static uint8_t encode(int v)
{
	if (cmos[REG_B] & B_BINARY)
		return v;
	return (v / 10) << 4 | (v % 10);
}

static uint8_t clock_read(uint8_t reg)
{
	time_t now = time(NULL);
	struct tm tm;
	int hour;

	gmtime_r(&now, &tm);
	switch (reg) {
	case REG_SECONDS:
		return encode(tm.tm_sec);
	case REG_MINUTES:
		return encode(tm.tm_min);
	case REG_HOURS:
		if (cmos[REG_B] & B_24H)
			return encode(tm.tm_hour);
		hour = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		return encode(hour) | (tm.tm_hour >= 12 ? 0x80 : 0);
	case REG_WEEKDAY:
		return encode(tm.tm_wday + 1);
	case REG_DAY:
		return encode(tm.tm_mday);
	case REG_MONTH:
		return encode(tm.tm_mon + 1);
	case REG_YEAR:
		return encode(tm.tm_year % 100);
	case REG_CENTURY:
		return encode((tm.tm_year + 1900) / 100);
	}
	return cmos[reg];
}

static uint32_t rtc_in(struct io_device *dev, uint16_t offset, int size)
{
	if (offset == 0)
		return 0xff;
	return clock_read(index_reg);
}

static void rtc_out(struct io_device *dev, uint16_t offset, int size,
		    uint32_t value)
{
	if (offset == 0) {
		index_reg = value & 0x7f;
		return;
	}
	switch (index_reg) {
	case REG_SECONDS: case REG_MINUTES: case REG_HOURS:
	case REG_WEEKDAY: case REG_DAY: case REG_MONTH: case REG_YEAR:
	case REG_CENTURY: case REG_C: case REG_D:
		break;		/* the clock, and read-only status */
	case REG_A:
		cmos[REG_A] = value & 0x7f;	/* UIP is read-only */
		break;
	default:
		cmos[index_reg] = value;
	}
}

static struct io_device rtc = {
	.name = "rtc",
	.base = RTC_PORT,
	.len = 2,
	.bytewise = true,
	.in = rtc_in,
	.out = rtc_out,
};

void rtc_init(void)
{
	io_register(&rtc);
}
