// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: a 16550A UART at port 0x3f8 (COM1).  Bytes the guest transmits
 * go to standard output; standard input is what it receives.  Loopback
 * mode (MCR bit 4) sends transmitted bytes back to the receiver, which is
 * how drivers such as Linux's probe for the chip.
 *
 * Without an in-kernel interrupt controller (the flat, ELF and Multiboot
 * guests) the guest polls the line status register, and standard input is
 * read when it does.  With one (Linux) the UART raises IRQ 4, as a PC's
 * COM1: received data (IER bit 0) and an empty transmitter (IER bit 1,
 * set again after each byte, cleared by reading IIR), gated by OUT2 as on
 * a PC; and a thread of its own reads standard input, while the receive
 * interrupt is on and open (OUT2) and the FIFO has room: a byte typed
 * before the guest's driver listens waits in the terminal, not in a FIFO
 * the driver clears.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
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

#define COM1_IRQ	4

#define LCR_DLAB	0x80
#define IER_RDI		0x01	/* interrupt on received data */
#define IER_THRI	0x02	/* ... on an empty transmitter */
#define MCR_OUT2	0x08	/* the PC's interrupt gate */
#define MCR_LOOP	0x10
#define IIR_THRE	0x02
#define IIR_RDI		0x04
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

/* All of it under bus_lock. */
struct uart {
	struct io_device dev;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t rx[FIFO_SIZE];
	int rx_head, rx_count;
	bool stdin_done;	/* end of file or error on standard input */
	bool interrupts;	/* IRQ 4 and the input thread (Linux) */
	bool thre;		/* the empty transmitter's interrupt is due */
	int irq_level;
	pthread_cond_t rx_room;	/* the input thread may read again */
};

static void rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == FIFO_SIZE)
		return;		/* overrun: the byte is lost, as on the chip */
	u->rx[(u->rx_head + u->rx_count++) % FIFO_SIZE] = c;
}

/*
 * The guest's driver takes input: the receive interrupt on, and through
 * to the CPU (OUT2), not in loopback.  Linux's probe of the chip turns
 * IER bits on for a moment with OUT2 off, and its startup clears the
 * FIFOs before it opens OUT2: input read then would be lost.
 */
static bool uart_listens(struct uart *u)
{
	return (u->ier & IER_RDI) && (u->mcr & MCR_OUT2) &&
	       !(u->mcr & MCR_LOOP);
}

static uint8_t uart_iir(struct uart *u)
{
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre)
		return IIR_THRE;
	return IIR_NO_INT;
}

/* After any change: the line follows IIR, through OUT2. */
static void uart_update(struct uart *u)
{
	int level;

	if (!u->interrupts)
		return;
	level = !(uart_iir(u) & IIR_NO_INT) && (u->mcr & MCR_OUT2);
	if (level != u->irq_level) {
		u->irq_level = level;
		irq_line(COM1_IRQ, level);
	}
	if (uart_listens(u) && u->rx_count < FIFO_SIZE)
		pthread_cond_signal(&u->rx_room);
}

/* Take what standard input has ready, without waiting (polled mode). */
static void rx_fill(struct uart *u)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	uint8_t buf[FIFO_SIZE];
	ssize_t n, i;

	if (u->interrupts || u->stdin_done || (u->mcr & MCR_LOOP) ||
	    u->rx_count == FIFO_SIZE)
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

	uint8_t v;

	switch (offset) {
	case UART_RX:
		if (dlab)
			return u->dll;
		v = rx_pop(u);
		uart_update(u);
		return v;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		if (v == IIR_THRE) {	/* reading it is the acknowledgement */
			u->thre = false;
			uart_update(u);
		}
		return v | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
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
		if (dlab) {
			u->dll = value;
		} else {
			transmit(u, value);
			u->thre = true;	/* sent at once: empty again */
		}
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = value;
			break;
		}
		/* Turning the interrupt on with the transmitter empty: due. */
		if ((value & IER_THRI) && !(u->ier & IER_THRI))
			u->thre = true;
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
	uart_update(u);
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

/*
 * Standard input to the receiver, while the guest listens (IER_RDI) and
 * the FIFO has room; until end of file.
 */
static void *serial_input(void *arg)
{
	struct uart *u = arg;
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	uint8_t buf[FIFO_SIZE];
	ssize_t n, i;

	for (;;) {
		pthread_mutex_lock(&bus_lock);
		while (!uart_listens(u) || u->rx_count == FIFO_SIZE)
			pthread_cond_wait(&u->rx_room, &bus_lock);
		pthread_mutex_unlock(&bus_lock);
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		pthread_mutex_lock(&bus_lock);
		/* Only this thread reads: what poll saw is still there. */
		n = read(STDIN_FILENO, buf, FIFO_SIZE - u->rx_count);
		if (n <= 0) {
			u->stdin_done = true;
			pthread_mutex_unlock(&bus_lock);
			break;
		}
		for (i = 0; i < n; i++)
			rx_push(u, buf[i]);
		uart_update(u);
		pthread_mutex_unlock(&bus_lock);
	}
	return NULL;
}

void serial_init(struct guest *g)
{
	pthread_t t;
	sigset_t all, old;

	io_register(&com1.dev);
	if (!g->irqchip)
		return;
	com1.interrupts = true;
	pthread_cond_init(&com1.rx_room, NULL);
	/* Signals are the vCPU threads' and the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t, NULL, serial_input, &com1))
		fail("cannot start the serial input thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_detach(t);
}
