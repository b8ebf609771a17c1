// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: a 16550A UART at port 0x3f8 (COM1), without interrupts: the
 * guest polls the line status register.  Bytes the guest transmits go to
 * standard output; standard input is what it receives.  Loopback mode
 * (MCR bit 4) sends transmitted bytes back to the receiver, which is how
 * drivers such as Linux's probe for the chip.
 */
#include <poll.h>
#include <unistd.h>

#include "hv-run.h"

#define COM1		0x3f8

/* Register offsets */
#define UART_RX		0	/* receive buffer (read, DLAB 0) */
#define UART_TX		0	/* transmit holding (write, DLAB 0) */
#define UART_DLL	0	/* divisor latch low (DLAB 1) */
#define UART_IER	1	/* interrupt enable (DLAB 0) */
#define UART_DLM	1	/* divisor latch high (DLAB 1) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */

#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01	/* a received byte is waiting */
#define LSR_THRE	0x20	/* the transmitter takes a byte */
#define LSR_TEMT	0x40	/* ... and is idle */
#define IIR_NO_INT	0x01
#define IIR_FIFO	0xc0	/* FIFOs enabled */
#define FCR_ENABLE	0x01
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80

#define FIFO_SIZE	16

struct uart {
	struct io_device dev;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t rx[FIFO_SIZE];
	int rx_head, rx_count;
	bool stdin_done;	/* end of file or error on standard input */
};

static void rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == FIFO_SIZE)
		return;		/* overrun: the byte is lost, as on the chip */
	u->rx[(u->rx_head + u->rx_count++) % FIFO_SIZE] = c;
}

/* Take what standard input has ready, without waiting. */
static void rx_fill(struct uart *u)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	uint8_t buf[FIFO_SIZE];
	ssize_t n, i;

	if (u->stdin_done || (u->mcr & MCR_LOOP) || u->rx_count == FIFO_SIZE)
		return;
	if (poll(&p, 1, 0) != 1)
		return;
	n = read(STDIN_FILENO, buf, FIFO_SIZE - u->rx_count);
	if (n <= 0) {
		u->stdin_done = true;
		return;
	}
	for (i = 0; i < n; i++)
		rx_push(u, buf[i]);
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	rx_fill(u);
	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
	u->rx_count--;
	return c;
}

static void transmit(struct uart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		rx_push(u, c);
		return;
	}
	/* If standard output is gone, the byte is lost, as on a cut line. */
	(void)!write(STDOUT_FILENO, &c, 1);
}

static uint32_t uart_in(struct io_device *dev, uint16_t offset, int size)
{
	struct uart *u = (struct uart *)dev;
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t msr;

	switch (offset) {
	case UART_RX:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return IIR_NO_INT | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		rx_fill(u);
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case UART_MSR:
		if (!(u->mcr & MCR_LOOP))
			return MSR_DCD | MSR_DSR | MSR_CTS;
		/* Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
		msr = (u->mcr & 0x01) << 5 | (u->mcr & 0x02) << 3 |
		      (u->mcr & 0x04) << 4 | (u->mcr & 0x08) << 4;
		return msr;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

static void uart_out(struct io_device *dev, uint16_t offset, int size,
		     uint32_t value)
{
	struct uart *u = (struct uart *)dev;
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case UART_TX:
		if (dlab)
			u->dll = value;
		else
			transmit(u, value);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = value;
		else
			u->ier = value & 0x0f;
		break;
	case UART_FCR:
		u->fcr = value;
		if (value & 0x02) {	/* clear the receive FIFO */
			u->rx_head = 0;
			u->rx_count = 0;
		}
		break;
	case UART_LCR:
		u->lcr = value;
		break;
	case UART_MCR:
		u->mcr = value & 0x1f;
		break;
	case UART_SCR:
		u->scr = value;
		break;
	}
}

static struct uart com1 = {
	.dev = {
		.name = "serial",
		.base = COM1,
		.len = 8,
		.bytewise = true,
		.in = uart_in,
		.out = uart_out,
	},
	.dll = 12,		/* 9600 baud, as firmware leaves it */
	.lcr = 0x03,		/* 8N1 */
};

void serial_init(void)
{
	io_register(&com1.dev);
}
