/* A program's output relayed by tend, line by line (tend(8) PROGRAM OUTPUT, log_prefix).
 *
 * The program's stdout and stderr are the write ends of two pipes that tend
 * makes once and keeps for the program's whole life in tend, across its
 * restarts, so that what a dying process or its children still write
 * arrives. Each line read goes to tend's stdout (from the stdout pipe) or
 * stderr as "NAME | line", or as one JSON object. A line longer than
 * RELAY_LINE_MAX bytes is cut into pieces, each relayed as a line; the
 * pieces after the first are marked ("NAME + piece", "cont":true).
 *
 * Nothing is lost and nothing blocks: when tend's stream cannot take more,
 * the pipes that feed it are not read (the programs then wait in write, as
 * on a full terminal) until the stream drains. Memory: per pipe, only the
 * bytes read and not yet relayed (a line waiting for its end, at most
 * RELAY_PENDING_MAX while the stream is blocked), and one scratch area for
 * all pipes, mapped while output flows and unmapped a second after it
 * stops. */
#ifndef TEND_RELAY_H
#define TEND_RELAY_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "config.h"
#include "ostream.h"

/* A line is cut after this many of the program's bytes. */
#define RELAY_LINE_MAX (16 * 1024)
/* The most one read takes, and so the most a pipe holds read and not yet
 * relayed (while tend's output is blocked): a read as large as cat's, so
 * that bulk output costs few system calls; more than a line, so that a
 * line waiting for its end always leaves room to read on. */
#define RELAY_PENDING_MAX (128 * 1024)

struct relay_pipe {
	const char *program;	/* the name in each line */
	const char *stream;	/* "stdout" or "stderr", for JSON */
	struct ostream *to;
	int read_fd, write_fd;	/* -1: none */
	ev_io readable;
	ev_timer partial;	/* a last line without its newline waits 1 s at most */
	char *pending;		/* read, not yet relayed (malloc'd; NULL when empty) */
	size_t pending_len;
	bool paused;		/* waiting for `to` to drain */
	bool continued;		/* the next piece continues a line that was cut */
	char head[2][224];	/* formatted once: what comes before a line, and a piece */
	size_t head_len[2];
	unsigned long head_serial;	/* the time and format it was made for */
};

struct relay {
	struct relay_pipe out, err;	/* err unused (fds -1) with redirect_stderr */
};

/* Once, before any relay opens: the loop and the form of the lines. */
void relay_setup(struct ev_loop *loop, enum log_format format);
/* Makes the pipes (close-on-exec, read ends non-blocking) and starts
 * reading them. False with a reason in err. */
bool relay_open(struct relay *r, const char *program, bool redirect_stderr, char *err, size_t n);
/* The program's process exited: relays what it wrote (all that is in the
 * pipes now), its last line without a newline included, unless tend's
 * stream is blocked. */
void relay_flush(struct relay *r);
/* `o` drained: the pipes that waited for it are read again. */
void relay_resume(struct ostream *o);
void relay_close(struct relay *r);

/* relay_line.c: the lines as tend writes them. The form, once; the time
 * that JSON lines carry, taken once a read. */
void relay_line_setup(enum log_format format);
void relay_line_stamp(void);
/* What a line adds at most besides its bytes (the JSON fields, the name). */
#define RELAY_LINE_OVERHEAD (160 + PROGRAM_NAME_MAX)

/* For tests: formats the complete lines (and cut pieces) at the start of
 * in[0..len) for pipe p into out[0..cap); flush: the rest is a line too.
 * Returns how many bytes of `in` the written lines stand for; *out_len gets
 * the bytes written. Stops when the next line might not fit. */
size_t relay_format(struct relay_pipe *p, const char *in, size_t len, bool flush, char *out, size_t cap,
		    size_t *out_len);

#endif
