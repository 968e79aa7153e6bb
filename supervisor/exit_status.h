/* tend's exit statuses (tend(8) EXIT STATUS, the client commands' included): the
 * one list that main, the supervisor and the client use. */
#ifndef TEND_EXIT_STATUS_H
#define TEND_EXIT_STATUS_H

enum tend_exit {
	TEND_EXIT_OK = 0,	/* shut down on request; a client's request done, or tend ready */
	TEND_EXIT_FAILED = 1,	/* a required program failed for good; a client's "no": not ready */
	TEND_EXIT_ERROR = 2,	/* usage or configuration error, nothing started; a client that cannot reach tend */
};

#endif
