// SPDX-License-Identifier: GPL-2.0
/*
 * pit_test: the in-kernel PIT (KVM_CREATE_PIT2): its capabilities and
 * errors, its state at creation and through KVM_GET/SET_PIT2, a guest
 * programming channel 2 through ports 0x42, 0x43 and 0x61 (count, latch,
 * read-back, gate and speaker bits), and channel 0 ticking IRQ 0 through
 * the in-kernel PIC.  Run against /dev/hv and /dev/kvm alike.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv_test.h"

#define COUNT		DATA_GPA
#define TICK_VECTOR	0x20


static struct hv_pit_state2 get_pit2(struct __test_metadata *_metadata,
				     int vm)
{
	struct hv_pit_state2 s;

	memset(&s, 0xa5, sizeof(s));
	EXPECT_EQ(0, ioctl(vm, HV_GET_PIT2, &s)) TH_LOG("%s", strerror(errno));
	return s;
}

TEST(capabilities)
{
	int dev = hv_open_device();

	ASSERT_LE(0, dev);
	EXPECT_EQ(1, ioctl(dev, HV_CHECK_EXTENSION, HV_CAP_PIT));
	EXPECT_EQ(1, ioctl(dev, HV_CHECK_EXTENSION, HV_CAP_PIT2));
	EXPECT_EQ(1, ioctl(dev, HV_CHECK_EXTENSION, HV_CAP_PIT_STATE2));
	EXPECT_EQ(1, ioctl(dev, HV_CHECK_EXTENSION, HV_CAP_REINJECT_CONTROL));
	close(dev);
}

/*
 * Without a PIT its ioctls are ENXIO; a second one is EEXIST.  At creation
 * every channel is in the "no mode" 0xff with count 65536, gates up but
 * channel 2's, no flags; KVM_SET_PIT2 takes a state back.
 */
TEST(create_and_state)
{
	struct hv_pit_config cfg = { .flags = HV_PIT_SPEAKER_DUMMY };
	struct hv_reinject_control rc = { .pit_reinject = 0 };
	struct hv_pit_state2 s;
	int dev, vm, i;

	dev = hv_open_device();
	ASSERT_LE(0, dev);
	vm = ioctl(dev, HV_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	EXPECT_EQ(-1, ioctl(vm, HV_GET_PIT2, &s));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vm, HV_SET_PIT2, &s));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vm, HV_REINJECT_CONTROL, &rc));
	EXPECT_EQ(ENXIO, errno);

	ASSERT_EQ(0, ioctl(vm, HV_CREATE_IRQCHIP, 0));
	ASSERT_EQ(0, ioctl(vm, HV_CREATE_PIT2, &cfg));
	EXPECT_EQ(-1, ioctl(vm, HV_CREATE_PIT2, &cfg));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, ioctl(vm, HV_CREATE_PIT, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0, ioctl(vm, HV_REINJECT_CONTROL, &rc));

	s = get_pit2(_metadata, vm);
	EXPECT_EQ(0, s.flags);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0x10000, s.channels[i].count);
		EXPECT_EQ(0xff, s.channels[i].mode);
		EXPECT_EQ(i != 2, s.channels[i].gate);
		EXPECT_EQ(0, s.channels[i].rw_mode);
		EXPECT_EQ(0, s.channels[i].count_latched);
		EXPECT_EQ(0, s.channels[i].status_latched);
	}

	/* Channel 1 in mode 2 with a count of 1000, and the speaker bit. */
	s.channels[1].mode = 2;
	s.channels[1].rw_mode = 3;
	s.channels[1].read_state = 3;
	s.channels[1].write_state = 3;
	s.channels[1].count = 1000;
	s.flags = HV_PIT_FLAGS_SPEAKER_DATA_ON;
	ASSERT_EQ(0, ioctl(vm, HV_SET_PIT2, &s));
	s = get_pit2(_metadata, vm);
	EXPECT_EQ(1000, s.channels[1].count);
	EXPECT_EQ(2, s.channels[1].mode);
	EXPECT_EQ(3, s.channels[1].rw_mode);
	EXPECT_EQ(HV_PIT_FLAGS_SPEAKER_DATA_ON, s.flags);
	close(vm);
	close(dev);
}

/*
 * Channel 2 from the guest: gate it on (port 0x61 bit 0) with the speaker
 * data bit (bit 1), mode 0, LSB then MSB of 0xffff; latch the count
 * (control 0x80) and read it, latch it again, run the guest on, and read
 * the second latched value (the count ran down in between: a latch keeps
 * the two bytes of one moment, two plain reads would not); read back the status (0xe8: channel 2, status only):
 * LSB/MSB (11b), mode 0, binary; read port 0x61.
 */
GUEST(chan2, ".code64",
	"mov $0x03, %al; out %al, $0x61;"
	"mov $0xb0, %al; out %al, $0x43;"	/* ch 2, LSB/MSB, mode 0 */
	"mov $0xff, %al; out %al, $0x42; out %al, $0x42;"
	"mov $0x80, %al; out %al, $0x43;"	/* latch ch 2 */
	"in $0x42, %al; mov %al, %bl; in $0x42, %al; mov %al, %bh;"
	"mov $0x80, %al; out %al, $0x43;"	/* latch ch 2 */
	"mov $100000, %ecx; 1: loop 1b;"
	"in $0x42, %al; mov %al, %dl; in $0x42, %al; mov %al, %dh;"
	"mov $0xe8, %al; out %al, $0x43;"	/* read-back: status */
	"in $0x42, %al; mov %al, %cl;"
	"in $0x61, %al; movzbl %al, %eax; out %eax, $0x10;"
	"movzwl %bx, %eax; out %eax, $0x11;"
	"movzwl %dx, %eax; out %eax, $0x12;"
	"movzbl %cl, %eax; out %eax, $0x13; hlt");

TEST(channel2_from_guest)
{
	struct hv_pit_config cfg = { .flags = HV_PIT_SPEAKER_DUMMY };
	struct hv_pit_state2 s;
	struct hv_guest g;
	uint32_t port61, first, latched, status;

	ASSERT_EQ(0, hv_guest_create_irqchip(&g, HV_MODE_LONG, chan2,
					     chan2_end - chan2))
		TH_LOG("irqchip guest: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(g.vm, HV_CREATE_PIT2, &cfg));
	port61 = out_value(_metadata, &g, 0x10);
	first = out_value(_metadata, &g, 0x11);
	latched = out_value(_metadata, &g, 0x12);
	status = out_value(_metadata, &g, 0x13);
	TH_LOG("port 0x61 %#x, count %#x, latched %#x, status %#x", port61,
	       first, latched, status);
	/* Gate and speaker data as written. */
	EXPECT_EQ(0x3, port61 & 0x3);
	EXPECT_GE(0xffff, first);
	EXPECT_LT(0, first);
	EXPECT_GE(first, latched);
	/* OUT (bit 7) is 0 till the count runs out; LSB/MSB, mode 0. */
	EXPECT_EQ(0x30, status & 0x7f);

	s = get_pit2(_metadata, g.vm);
	EXPECT_EQ(0xffff, s.channels[2].count);
	EXPECT_EQ(0, s.channels[2].mode);
	EXPECT_EQ(3, s.channels[2].rw_mode);
	EXPECT_EQ(1, s.channels[2].gate);
	EXPECT_EQ(HV_PIT_FLAGS_SPEAKER_DATA_ON, s.flags);
	hv_guest_destroy(&g);
}

/* Without HV_PIT_SPEAKER_DUMMY, port 0x61 is userspace's. */
GUEST(speaker_port, ".code64", "in $0x61, %al; hlt");

TEST(speaker_port_without_dummy)
{
	struct hv_pit_config cfg = { .flags = 0 };
	struct hv_guest g;

	ASSERT_EQ(0, hv_guest_create_irqchip(&g, HV_MODE_LONG, speaker_port,
					     speaker_port_end - speaker_port));
	ASSERT_EQ(0, ioctl(g.vm, HV_CREATE_PIT2, &cfg));
	ASSERT_EQ(0, hv_guest_run(&g));
	EXPECT_EQ(HV_EXIT_IO, g.run->exit_reason);
	EXPECT_EQ(0x61, g.run->io.port);
	EXPECT_EQ(HV_EXIT_IO_IN, g.run->io.direction);
	hv_guest_destroy(&g);
}

/*
 * Channel 0 in mode 2 at 100 Hz (count 11932) ticks IRQ 0: the guest sets
 * up the master PIC (ICW1-4, vectors from 0x20, only IRQ 0 unmasked; the
 * boot vCPU's LINT0 takes ExtINT at reset), counts five ticks in HLT,
 * acknowledging each with a non-specific EOI, and reports.
 */
GUEST(ticks, ".code64",
	"9: mov $0x11, %al; out %al, $0x20; mov $0x20, %al; out %al, $0x21;"
	"mov $0x04, %al; out %al, $0x21; mov $0x01, %al; out %al, $0x21;"
	"mov $0xfe, %al; out %al, $0x21;"
	"mov $0x34, %al; out %al, $0x43;"	/* ch 0, LSB/MSB, mode 2 */
	"mov $0x9c, %al; out %al, $0x40; mov $0x2e, %al; out %al, $0x40;"
	"1: cli; cmpl $5, " XSTR(COUNT) "; jae 2f; sti; hlt; jmp 1b;"
	"2: mov " XSTR(COUNT) ", %eax; out %eax, $0x10; hlt;"
	".fill 0x200 - (. - 9b), 1, 0xf4;"
	"incl " XSTR(COUNT) "; mov $0x20, %al; out %al, $0x20; iretq");

TEST(channel0_ticks_irq0)
{
	struct hv_pit_config cfg = { .flags = HV_PIT_SPEAKER_DUMMY };
	struct hv_pit_state2 s;
	struct hv_guest g;

	ASSERT_EQ(0, hv_guest_create_irqchip(&g, HV_MODE_LONG, ticks,
					     ticks_end - ticks));
	ASSERT_EQ(0, ioctl(g.vm, HV_CREATE_PIT2, &cfg));
	hv_guest_set_idt(&g, TICK_VECTOR, CODE_GPA + 0x200);
	EXPECT_LE(5, out_value(_metadata, &g, 0x10));
	s = get_pit2(_metadata, g.vm);
	EXPECT_EQ(2, s.channels[0].mode);
	EXPECT_EQ(11932, s.channels[0].count);
	hv_guest_destroy(&g);
}

/* A VM destroyed with channel 0 ticking: nothing fires after it. */
TEST(destroy_while_ticking)
{
	struct hv_pit_config cfg = { .flags = 0 };
	struct hv_pit_state2 s;
	struct hv_guest g;
	int i;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, hv_guest_create_irqchip(&g, HV_MODE_LONG, ticks,
						     ticks_end - ticks));
		ASSERT_EQ(0, ioctl(g.vm, HV_CREATE_PIT2, &cfg));
		s = get_pit2(_metadata, g.vm);
		s.channels[0].mode = 2;
		s.channels[0].count = 300;	/* the shortest period */
		ASSERT_EQ(0, ioctl(g.vm, HV_SET_PIT2, &s));
		usleep(2000);
		hv_guest_destroy(&g);
	}
}

HV_TEST_MAIN
