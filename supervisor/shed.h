#ifndef TEND_SHED_H
#define TEND_SHED_H

/* Once the event loop runs, hand back to the kernel the pages of tend's own
 * binary that only startup needed, and the read-only pages of the libraries
 * (see shed.c). */
void shed_startup_pages(void);

/* Shutting down, while the last programs finish: brings back the code
 * that tend's exit runs (the dynamic linker's, libc's exit, and
 * startup_code: a function of the dropped startup code that the exit
 * calls), so that the last program's end is not followed by page faults
 * before tend itself is gone. Once; costs RSS only (shared pages). */
void shed_warm_exit(const void *startup_code);

/* Marks a function of a file whose other code runs in the loop, that itself
 * runs only before the loop (opening listeners, pipes and watchers): it is
 * placed with the code of the startup files (the Makefile's STARTUP), which
 * shed_startup_pages drops, and so no longer makes the loop's code longer,
 * all of which stays mapped. Called later, it works all the same: its page
 * comes back. Only in the build that splits the startup code. */
#ifdef TEND_SHED_SECTIONS
#define STARTUP_ONLY __attribute__((section("tend_startup_text")))
#else
#define STARTUP_ONLY
#endif

#endif
