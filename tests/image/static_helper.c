/* The one program besides tend in the test image that has no libc
 * (tests/image/run.sh links it statically):
 *   static_helper N   exits with status N;
 *   static_helper     says it is up, waits for SIGTERM, says so, exits 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc > 1)
		return atoi(argv[1]);
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	/* blocked before "up": a TERM sent once the line is seen is not lost */
	if (sigprocmask(SIG_BLOCK, &term, NULL) != 0)
		return 1;
	printf("static_helper: up\n");
	fflush(stdout);
	int sig;
	if (sigwait(&term, &sig) != 0)
		return 1;
	printf("static_helper: TERM received\n");
	return 0;
}
