// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: the terminal.  When standard input is a terminal, hv-run turns
 * off line editing and echo so that each key goes to the guest's UART as
 * it is typed; Ctrl-C still stops hv-run.  The saved settings come back on
 * every way out: normal exit (atexit), the stop signals (they end the run
 * loop, which exits), and crashes (a handler restores, then dies).
 */
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "hv-run.h"

static struct termios saved;
static int raw_active;	/* set before any handler can run */

void term_restore(void)
{
	if (raw_active) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw_active = 0;
	}
}

void term_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	t = saved;
	t.c_lflag &= ~(ICANON | ECHO | ECHONL | IEXTEN);
	t.c_iflag &= ~(ICRNL | INLCR | IGNCR | IXON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	atexit(term_restore);
	raw_active = 1;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		raw_active = 0;
}
