/* sigrec FILE NAME [EXITSIGS [CODE]]
 *
 * A supervised program for the integration tests that records what happens
 * to it. It appends "NAME start PID" to FILE, then "NAME SIG" for every
 * signal it receives (SIG without the SIG prefix, e.g. "NAME TERM"). On one
 * of EXITSIGS (a comma-separated list of names, default TERM; "-" for none:
 * it then ignores every signal but KILL and STOP) it exits with CODE
 * (default 0) right after recording the signal. Each line is one write() to
 * a file opened with O_APPEND, so lines from several programs never mix. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	int sig;
	const char *name;
} names[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" }, { SIGUSR1, "USR1" },
	{ SIGUSR2, "USR2" }, { SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGCONT, "CONT" }, { SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },
	{ SIGWINCH, "WINCH" }, { SIGURG, "URG" }, { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGIO, "IO" }, { SIGPWR, "PWR" },
};
#define NNAMES (sizeof names / sizeof names[0])

static int out_fd = -1;
static const char *prog_name;
static int exit_code;
static sigset_t exit_on;

/* Async-signal-safe: a fixed buffer, no stdio. */
static void record(const char *what)
{
	char line[256];
	size_t n = 0;
	for (const char *p = prog_name; *p && n < 200; p++)
		line[n++] = *p;
	line[n++] = ' ';
	for (const char *p = what; *p && n < 250; p++)
		line[n++] = *p;
	line[n++] = '\n';
	ssize_t ignored = write(out_fd, line, n);
	(void)ignored;
}

static void on_signal(int sig)
{
	int saved = errno;
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].sig == sig)
			record(names[i].name);
	if (sigismember(&exit_on, sig))
		_exit(exit_code);
	errno = saved;
}

static int parse_signal(const char *s)
{
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < NNAMES; i++)
		if (strcmp(names[i].name, s) == 0)
			return names[i].sig;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: sigrec FILE NAME [EXITSIGS [CODE]]\n");
		return 2;
	}
	prog_name = argv[2];
	sigemptyset(&exit_on);
	char *list = strdup(argc > 3 ? argv[3] : "TERM");
	if (!list)
		return 2;
	if (strcmp(list, "-") != 0) {
		for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int sig = parse_signal(tok);
			if (sig < 0) {
				fprintf(stderr, "sigrec: unknown signal %s\n", tok);
				return 2;
			}
			sigaddset(&exit_on, sig);
		}
	}
	free(list);
	exit_code = argc > 4 ? atoi(argv[4]) : 0;
	out_fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (out_fd < 0) {
		perror(argv[1]);
		return 2;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);	/* one handler at a time: lines in arrival order */
	for (size_t i = 0; i < NNAMES; i++)
		if (sigaction(names[i].sig, &sa, NULL) < 0)
			return 2;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	char start[64];
	snprintf(start, sizeof start, "start %d", (int)getpid());
	record(start);
	for (;;)
		pause();
}
