#include "ostream.h"
#include "util.h"
#include "shed.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>


/* Room for a burst of tend's own lines while the stream is stuck; past it,
 * whole lines are dropped and counted (tend(8) LOG). Mapped only while in use,
 * so an idle tend carries none of it. What must not be dropped (the rest of
 * a line begun, the programs' relayed lines) may grow it beyond; the relay
 * stops reading while anything is queued, which bounds that. */
#define QUEUE_CAP (64 * 1024)

struct ostream tend_stdout = { .fd = STDOUT_FILENO, .shared_fd = STDOUT_FILENO, .way = OSTREAM_BLOCKING };
struct ostream tend_stderr = { .fd = STDERR_FILENO, .shared_fd = STDERR_FILENO, .way = OSTREAM_BLOCKING };
/* At exit, how long the queue may still wait for the stream. */
#define FLUSH_AT_EXIT_MS 1000

/* How fd can be written without waiting, and with which fd. */
STARTUP_ONLY static enum ostream_way choose_way(int fd, int *out_fd)
{
	struct stat st;
	*out_fd = fd;
	if (fstat(fd, &st) < 0 || S_ISREG(st.st_mode))
		return OSTREAM_FILE;
	if (S_ISSOCK(st.st_mode))
		return OSTREAM_SEND;
	/* A pipe, FIFO or terminal opened anew through /proc is a new open
	 * file description: O_NONBLOCK there leaves the programs' one (the
	 * same pipe, inherited) blocking, as they expect. O_NOCTTY: as PID 1,
	 * opening a terminal would otherwise make it tend's. */
	char path[40];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int own = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (own >= 0) {
		*out_fd = own;
		return OSTREAM_OWN_FD;
	}
	return OSTREAM_POLL;
}

/* One write that never waits: -1 with EAGAIN when the stream is full. */
static ssize_t put(struct ostream *o, const char *p, size_t n)
{
	switch (o->way) {
	case OSTREAM_SEND:
		return send(o->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	case OSTREAM_POLL: {
		/* the shared description blocks: write only when poll says there
		 * is room, and no more than a pipe takes in one piece */
		struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
		if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLOUT | POLLERR | POLLHUP))) {
			errno = EAGAIN;
			return -1;
		}
		return write(o->fd, p, n < PIPE_BUF ? n : PIPE_BUF);
	}
	default:
		return write(o->fd, p, n);
	}
}

/* Writes from p as much as the stream takes now. Returns the count written;
 * a broken stream (EPIPE, EBADF…) counts as all written: there is nowhere
 * to report it, and nothing queued for it would ever leave. */
static size_t put_now(struct ostream *o, const char *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = put(o, p + done, n - done);
		if (w > 0)
			done += (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		else
			return n;
	}
	return done;
}

static void release_queue(struct ostream *o)
{
	if (o->queue)
		munmap(o->queue, o->cap);
	o->queue = NULL;
	o->head = o->len = o->cap = 0;
}

/* Makes room for n more bytes at the end of the queue. */
static bool reserve(struct ostream *o, size_t n)
{
	if (!o->queue) {
		void *m = mmap(NULL, QUEUE_CAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return false;
		o->queue = m;
		o->cap = QUEUE_CAP;
	}
	if (o->head + o->len + n <= o->cap)
		return true;
	memmove(o->queue, o->queue + o->head, o->len);
	o->head = 0;
	if (o->len + n <= o->cap)
		return true;
	size_t cap = o->cap;
	while (cap < o->len + n)
		cap *= 2;
	void *m = mremap(o->queue, o->cap, cap, MREMAP_MAYMOVE);
	if (m == MAP_FAILED)
		return false;
	o->queue = m;
	o->cap = cap;
	return true;
}

static bool enqueue(struct ostream *o, const char *p, size_t n, bool droppable)
{
	if (droppable && o->len + n > QUEUE_CAP)
		return false;
	if (!reserve(o, n))
		return false;
	memcpy(o->queue + o->head + o->len, p, n);
	o->len += n;
	if (o->loop && !ev_is_active(&o->writable))
		ev_io_start(o->loop, &o->writable);
	return true;
}

static void on_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct ostream *o = container_of(w, struct ostream, writable);
	size_t done = put_now(o, o->queue + o->head, o->len);
	o->head += done;
	o->len -= done;
	if (o->len > 0)
		return;
	ev_io_stop(loop, w);
	release_queue(o);
	unsigned long dropped = o->dropped;
	o->dropped = 0;
	if (o->drained)
		o->drained(o, dropped);
}

STARTUP_ONLY void ostream_attach(struct ostream *o, int fd, struct ev_loop *loop,
		    void (*drained)(struct ostream *o, unsigned long dropped))
{
	*o = (struct ostream){ .shared_fd = fd, .loop = loop, .drained = drained };
	o->way = choose_way(fd, &o->fd);
	ev_io_init(&o->writable, on_writable, o->fd, EV_WRITE);
}

/* Writes what the stream takes now and queues the rest; with droppable,
 * new lines (nlines of them) that do not fit in the queue are dropped whole
 * and counted. */
static bool write_or_queue(struct ostream *o, const char *line, size_t len, bool droppable, unsigned long nlines)
{
	if (o->way == OSTREAM_BLOCKING) {
		size_t done = 0;
		while (done < len) {
			ssize_t w = write(o->fd, line + done, len - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return false;	/* nowhere to report a failing stream */
			done += (size_t)w;
		}
		return true;
	}
	size_t done = 0;
	if (o->len == 0)	/* nothing waiting ahead of it: try now */
		done = put_now(o, line, len);
	if (done == len)
		return true;
	/* the rest of a line begun must follow it, whatever its size */
	if (enqueue(o, line + done, len - done, droppable && done == 0))
		return true;
	o->dropped += nlines;
	return false;
}

bool ostream_write(struct ostream *o, const char *line, size_t len)
{
	return write_or_queue(o, line, len, true, 1);
}

bool ostream_write_lines(struct ostream *o, const char *lines, size_t len, unsigned long nlines)
{
	return write_or_queue(o, lines, len, true, nlines);
}

bool ostream_put(struct ostream *o, const char *data, size_t len)
{
	write_or_queue(o, data, len, false, 0);
	return o->len == 0;
}

void ostream_detach(struct ostream *o)
{
	if (o->way == OSTREAM_BLOCKING)
		return;
	if (o->loop)
		ev_io_stop(o->loop, &o->writable);
	/* what is queued gets a bounded wait: tend must still exit when
	 * nobody ever reads the stream again */
	for (int waited = 0; o->len > 0 && waited < FLUSH_AT_EXIT_MS; waited += 50) {
		size_t done = put_now(o, o->queue + o->head, o->len);
		o->head += done;
		o->len -= done;
		struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
		if (o->len > 0)
			poll(&pfd, 1, 50);
	}
	release_queue(o);
	if (o->way == OSTREAM_OWN_FD)
		close(o->fd);
	/* still never blocking: whatever comes after this is written only if
	 * it fits at once */
	o->fd = o->shared_fd;
	o->way = OSTREAM_POLL;
	o->loop = NULL;
}
