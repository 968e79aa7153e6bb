#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"
#include "shed.h"


/* One read takes at most this much, a line waiting for its end included. */
#define IN_CAP RELAY_PENDING_MAX
/* Formatted lines are written out whenever this fills: room for a JSON
 * piece at its worst (six bytes a program's byte, \u00XX) and more. */
#define OUT_CAP (6 * RELAY_LINE_MAX + 4 * RELAY_LINE_OVERHEAD + 64 * 1024)
/* A program writing without pause gets this many reads a turn of the loop;
 * then the others (and reaping, HTTP…) get theirs. */
#define READS_PER_TURN 8
#define PARTIAL_WAIT 1.0
#define PIPE_SIZE (256 * 1024)
#define SCRATCH_IDLE 1.0

static struct {
	struct ev_loop *loop;
	struct relay_pipe **pipes;	/* every open pipe, to resume them */
	size_t npipes;
	char *scratch;			/* IN_CAP + OUT_CAP, mapped while output flows */
	ev_timer scratch_idle;
} R;

/* ---- the scratch area: mapped while output flows ---- */

static void on_scratch_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	ev_timer_stop(loop, w);	/* it repeats only while output flows */
	if (R.scratch)
		munmap(R.scratch, IN_CAP + OUT_CAP);
	R.scratch = NULL;
}

static bool scratch_ready(void)
{
	if (!R.scratch) {
		void *m = mmap(NULL, IN_CAP + OUT_CAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return false;
		R.scratch = m;
	}
	/* no syscall: libev only moves the timer */
	ev_timer_again(R.loop, &R.scratch_idle);
	return true;
}

/* ---- pumping one pipe ---- */

static void keep_pending(struct relay_pipe *p, const char *rest, size_t len)
{
	free(p->pending);
	p->pending = NULL;
	p->pending_len = 0;
	if (len == 0)
		return;
	p->pending = malloc(len);
	if (!p->pending)
		return;	/* out of memory: those bytes are lost, tend lives on */
	memcpy(p->pending, rest, len);
	p->pending_len = len;
}

static void pause_pipe(struct relay_pipe *p)
{
	p->paused = true;
	ev_io_stop(R.loop, &p->readable);
}

/* The 1 s wait of a last line without its newline runs from when it
 * began to wait, and ends when the line is gone. */
static void time_partial(struct relay_pipe *p)
{
	if (p->pending_len == 0 || p->paused) {
		ev_timer_stop(R.loop, &p->partial);
	} else if (!ev_is_active(&p->partial)) {
		ev_timer_set(&p->partial, PARTIAL_WAIT, 0);
		ev_timer_start(R.loop, &p->partial);
	}
}

/* Reads (unless only flushing) and relays; flush: what remains is a line.
 * Stops when tend's stream is blocked, the pipe is empty, or after
 * READS_PER_TURN reads. */
static void pump(struct relay_pipe *p, bool read_more, bool flush)
{
	if (!scratch_ready())
		return;
	char *in = R.scratch, *out = R.scratch + IN_CAP;
	relay_line_stamp();
	for (int reads = 0; reads < READS_PER_TURN; reads++) {
		if (ostream_busy(p->to)) {
			pause_pipe(p);
			break;
		}
		size_t have = p->pending_len;
		if (have)
			memcpy(in, p->pending, have);
		bool empty = true;
		if (read_more) {
			ssize_t n;
			do
				n = read(p->read_fd, in + have, IN_CAP - have);
			while (n < 0 && errno == EINTR);
			if (n > 0) {
				have += (size_t)n;
				empty = false;
			}
		}
		size_t used = 0;
		bool stream_free = true;
		while (used < have && stream_free) {
			size_t out_len;
			size_t took = relay_format(p, in + used, have - used, flush && empty, out, OUT_CAP, &out_len);
			if (took == 0)
				break;
			used += took;
			stream_free = ostream_put(p->to, out, out_len);
		}
		keep_pending(p, in + used, have - used);
		if (!stream_free)
			pause_pipe(p);
		if (empty || !stream_free)
			break;
	}
	time_partial(p);
}

static void on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	pump(container_of(w, struct relay_pipe, readable), true, false);
}

static void on_partial(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct relay_pipe *p = container_of(w, struct relay_pipe, partial);
	pump(p, false, true);
}

/* ---- opening, resuming, closing ---- */

STARTUP_ONLY void relay_setup(struct ev_loop *loop, enum log_format format)
{
	R.loop = loop;
	relay_line_setup(format);
	ev_init(&R.scratch_idle, on_scratch_idle);
	R.scratch_idle.repeat = SCRATCH_IDLE;
}

static bool register_pipe(struct relay_pipe *p)
{
	struct relay_pipe **grown = realloc(R.pipes, (R.npipes + 1) * sizeof *grown);
	if (!grown)
		return false;
	R.pipes = grown;
	R.pipes[R.npipes++] = p;
	return true;
}

static bool open_pipe(struct relay_pipe *p, const char *program, const char *stream, struct ostream *to,
		      char *err, size_t n)
{
	*p = (struct relay_pipe){ .program = program, .stream = stream, .to = to, .read_fd = -1, .write_fd = -1 };
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		snprintf(err, n, "%s: cannot make the pipe for its %s: %s", program, stream, strerror(errno));
		return false;
	}
	p->read_fd = fds[0];
	p->write_fd = fds[1];
	/* room for a burst without waking tend for every 64 KiB; the kernel
	 * takes the pages only as they fill. Not having it is no error. */
	(void)fcntl(fds[1], F_SETPIPE_SZ, PIPE_SIZE);
	if (!register_pipe(p)) {
		snprintf(err, n, "out of memory");
		return false;
	}
	ev_io_init(&p->readable, on_readable, p->read_fd, EV_READ);
	ev_io_start(R.loop, &p->readable);
	ev_timer_init(&p->partial, on_partial, PARTIAL_WAIT, 0);
	return true;
}

STARTUP_ONLY bool relay_open(struct relay *r, const char *program, bool redirect_stderr, char *err, size_t n)
{
	r->err = (struct relay_pipe){ .read_fd = -1, .write_fd = -1 };
	if (!open_pipe(&r->out, program, "stdout", &tend_stdout, err, n))
		return false;
	return redirect_stderr || open_pipe(&r->err, program, "stderr", &tend_stderr, err, n);
}

static void flush_pipe(struct relay_pipe *p)
{
	if (p->read_fd >= 0 && !p->paused)
		pump(p, true, true);
}

void relay_flush(struct relay *r)
{
	flush_pipe(&r->out);
	flush_pipe(&r->err);
}

void relay_resume(struct ostream *o)
{
	for (size_t i = 0; i < R.npipes && !ostream_busy(o); i++) {
		struct relay_pipe *p = R.pipes[i];
		if (p->to != o || !p->paused)
			continue;
		p->paused = false;
		ev_io_start(R.loop, &p->readable);
		pump(p, false, false);	/* what it had read before it paused */
	}
}

static void close_pipe(struct relay_pipe *p)
{
	if (p->read_fd < 0)
		return;
	ev_io_stop(R.loop, &p->readable);
	ev_timer_stop(R.loop, &p->partial);
	close(p->read_fd);
	close(p->write_fd);
	p->read_fd = p->write_fd = -1;
	keep_pending(p, NULL, 0);
	for (size_t i = 0; i < R.npipes; i++) {
		if (R.pipes[i] == p) {
			R.pipes[i] = R.pipes[--R.npipes];
			break;
		}
	}
	if (R.npipes == 0) {
		free(R.pipes);
		R.pipes = NULL;
		ev_timer_stop(R.loop, &R.scratch_idle);
		on_scratch_idle(R.loop, &R.scratch_idle, 0);
	}
}

void relay_close(struct relay *r)
{
	close_pipe(&r->out);
	close_pipe(&r->err);
}
