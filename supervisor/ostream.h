/* tend's own output streams (its stderr, and its stdout for the programs'
 * relayed lines), written without ever blocking PID 1 (tend(8) LOG).
 *
 * The stream is often a pipe that Docker's log copier reads, sometimes
 * slowly, and that the programs write to as well: a blocking write there
 * would freeze reaping, restarts and the API until someone reads. So the
 * stream gets its own non-blocking way in (a new open file description
 * of the same pipe or terminal, leaving the programs' blocking one as it
 * is), what it cannot take at once waits in a bounded queue that is
 * written when the stream is writable again, and whole lines that do not
 * fit in the queue are dropped and counted. */
#ifndef TEND_OSTREAM_H
#define TEND_OSTREAM_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

enum ostream_way {
	OSTREAM_BLOCKING,	/* before the loop runs: plain write(2) */
	OSTREAM_OWN_FD,		/* our own non-blocking description (pipe, FIFO, terminal) */
	OSTREAM_SEND,		/* a socket: send(MSG_DONTWAIT) on the shared fd */
	OSTREAM_FILE,		/* a regular file: writes do not wait for a reader */
	OSTREAM_POLL,		/* no own description: write only what poll says fits */
};

struct ostream {
	int fd;			/* what is written to */
	int shared_fd;		/* the stream as tend got it (2 for stderr) */
	enum ostream_way way;
	struct ev_loop *loop;
	ev_io writable;		/* armed while the queue holds bytes */
	char *queue;		/* mapped when first needed, unmapped once drained */
	size_t head, len, cap;	/* queued bytes: queue[head .. head+len) */
	unsigned long dropped;	/* lines dropped since the queue last drained */
	/* Called whenever the queue has drained, with the count of lines
	 * dropped meanwhile (0: none), so that the owner can say so and the
	 * relay read again. */
	void (*drained)(struct ostream *o, unsigned long dropped);
};

/* tend's own stdout and stderr: written plainly (blocking) until attached. */
extern struct ostream tend_stdout, tend_stderr;

/* Starts writing fd without blocking, from the loop. */
void ostream_attach(struct ostream *o, int fd, struct ev_loop *loop,
		    void (*drained)(struct ostream *o, unsigned long dropped));
/* Writes one whole line of tend's own (or queues it). False when it was
 * dropped: the queue was full. */
bool ostream_write(struct ostream *o, const char *line, size_t len);
/* The same for nlines whole lines at once, in one write (dropped together,
 * and counted as nlines, when the queue cannot take them). */
bool ostream_write_lines(struct ostream *o, const char *lines, size_t len, unsigned long nlines);
/* Writes data that must not be lost (the programs' lines), queueing what
 * the stream does not take now, however much. True when nothing waits in
 * the queue afterwards; false: stop producing until `drained` is called. */
bool ostream_put(struct ostream *o, const char *data, size_t len);
/* Whether anything waits in the queue. */
static inline bool ostream_busy(const struct ostream *o)
{
	return o->len > 0;
}
/* At exit: what is queued gets a bounded wait for the stream; afterwards a
 * line is written only when it fits at once. */
void ostream_detach(struct ostream *o);

#endif
