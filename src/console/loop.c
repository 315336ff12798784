/*
 * loop.c — the main loop: one poll() over the terminal and the database socket.
 * Signal handlers only set flags; each pass paints the screen once (one
 * doupdate), then waits for a key, a result, a NOTIFY or a timer.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "console.h"

static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_int;
static key_handler modal_handler;
static bool keys_left; /* curses may hold keys already read from the terminal */
static void *modal_arg;
static const struct loop_hooks *hooks;

void
loop_init(const struct loop_hooks *h)
{
	hooks = h;
}

static void
on_term(int sig)
{
	got_term = 1;
}

static void
on_int(int sig)
{
	got_int = 1;
}

void
loop_set_key_handler(key_handler fn, void *arg)
{
	modal_handler = fn;
	modal_arg = arg;
}

static void
read_keys(void)
{
	wint_t wch;
	int r;

	while ((r = get_wch(&wch)) != ERR) {
		bool fkey = r == KEY_CODE_YES;

		if (fkey && wch == KEY_RESIZE) {
			ui_resize();
			continue;
		}
		if (modal_handler != NULL) {
			/*
			 * One key per pass: the key may end the prompt, and the keys
			 * typed after it belong to whatever comes next.
			 */
			modal_handler((int)wch, fkey, modal_arg);
			keys_left = true;
			return;
		} else
			hooks->key(fkey ? (int)wch + KEYS_FUNC : (int)wch);
	}
}

void
loop_iterate(int flags, int timeout_ms)
{
	struct pollfd pfd[2];
	int n = 0, sock, t, conn_index = -1, tty_index = -1;

	hooks->paint();

	/* Keys wait in the terminal while a statement is awaited (flags without LOOP_KEYS). */
	if (flags & LOOP_KEYS) {
		pfd[n].fd = STDIN_FILENO;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		tty_index = n++;
	}
	if ((sock = conn_socket()) >= 0) {
		pfd[n].fd = sock;
		pfd[n].events = POLLIN | (conn_wants_write() ? POLLOUT : 0);
		pfd[n].revents = 0;
		conn_index = n++;
	}
	t = conn_next_timeout();
	if (t < 0 || (timeout_ms >= 0 && timeout_ms < t))
		t = timeout_ms;
	/* The views refresh dirty data and presence on a short clock. */
	if (t < 0 || t > 250)
		t = 250;
	if (keys_left && (flags & LOOP_KEYS))
		t = 0;
	keys_left = false;
	if (poll(pfd, n, t) == -1 && errno != EINTR)
		fatalx("poll: %s", strerror(errno));
	if (got_term)
		console.quit = true;
	/* ^C cancels a prompt (the hook says), or else leaves. */
	if (got_int) {
		got_int = 0;
		if (!hooks->interrupt())
			console.quit = true;
	}
	if (conn_index >= 0) {
		if (pfd[conn_index].revents & (POLLIN | POLLHUP | POLLERR))
			conn_on_readable();
		if (pfd[conn_index].revents & POLLOUT)
			conn_on_writable();
	}
	/* After EINTR (a resize) too: curses reports the resize as a key. */
	if (tty_index >= 0)
		read_keys();
	conn_tick();
	hooks->tick();
}

void
loop_run(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	while (!console.quit && hooks->running())
		loop_iterate(LOOP_KEYS, -1);
}
