/* Making a program's process: fork, set up the child as tend(8) says
 * (own session and process group, empty signal mask, default dispositions, fds 0-2
 * only, user/directory/umask/environment), exec. A failure in the child
 * comes back to the parent on a close-on-exec pipe: EOF there means the
 * exec happened. */
#ifndef TEND_SPAWN_H
#define TEND_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

struct spawn_failure {
	int step;	/* enum spawn_step */
	int err;	/* errno */
};

/* Returns the pid, or -1 with errno set (no process). out_fd and err_fd:
 * what becomes the program's stdout and stderr (a relay pipe's write end),
 * or -1 for tend's own; with redirect_stderr and no err_fd, stderr goes
 * where stdout goes. listen_fds: the program's cfg->listen.count sockets
 * (listen.h), which it gets as fds 3, 4, … with LISTEN_FDS, LISTEN_PID and
 * LISTEN_FDNAMES; NULL: none. *report_fd is the non-blocking read end of
 * the failure pipe; the caller closes it. */
pid_t spawn_program(const struct program_config *cfg, int out_fd, int err_fd, const int *listen_fds,
		    int *report_fd);

/* An exec probe: argv run like the program (same user, directory,
 * environment), with stdin/stdout/stderr on /dev/null. */
pid_t spawn_probe(const struct program_config *cfg, char **argv);

/* Reads a failure report without blocking. Returns 1 with *out filled when
 * the child reported one, 0 when the exec happened (EOF), -1 when nothing
 * is there yet. */
int spawn_read_failure(int report_fd, struct spawn_failure *out);

/* "cannot execute \"nginx\": No such file or directory" */
void spawn_describe_failure(const struct program_config *cfg, const struct spawn_failure *f, char *buf,
			    size_t n);

/* Sends sig to pid, or to its process group. */
void spawn_signal(pid_t pid, int sig, bool group);

#endif
