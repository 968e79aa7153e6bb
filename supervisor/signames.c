#include "signames.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	int sig;
	const char *name;
} signal_table[] = {
	{ SIGHUP, "HUP" },   { SIGINT, "INT" },	    { SIGQUIT, "QUIT" }, { SIGILL, "ILL" },
	{ SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },   { SIGBUS, "BUS" },	 { SIGFPE, "FPE" },
	{ SIGKILL, "KILL" }, { SIGUSR1, "USR1" },   { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" },   { SIGTERM, "TERM" }, { SIGSTKFLT, "STKFLT" },
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" },   { SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" },
	{ SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },   { SIGURG, "URG" },	 { SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" }, { SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGWINCH, "WINCH" },
	{ SIGIO, "IO" },     { SIGPWR, "PWR" },	    { SIGSYS, "SYS" },
};

int signal_from_name(const char *name)
{
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++)
		if (strcasecmp(name, signal_table[i].name) == 0)
			return signal_table[i].sig;
	char *end;
	long n = strtol(name, &end, 10);
	if (*name >= '0' && *name <= '9' && *end == '\0' && n > 0 && n < NSIG)
		return (int)n;
	return 0;
}

const char *signal_name(int sig)
{
	static char unnamed[16];
	for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++)
		if (signal_table[i].sig == sig)
			return signal_table[i].name;
	snprintf(unnamed, sizeof unnamed, "SIG%d", sig);
	return unnamed;
}
