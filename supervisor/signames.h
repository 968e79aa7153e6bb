/* Signal names as users write them: "TERM", "SIGTERM", "term", or a number. */
#ifndef TEND_SIGNAMES_H
#define TEND_SIGNAMES_H

/* Returns the signal number, or 0 when the name is not a signal. */
int signal_from_name(const char *name);
/* "TERM" for SIGTERM; "SIG42" style for signals without a name. */
const char *signal_name(int sig);

#endif
