#ifndef TEND_SHED_H
#define TEND_SHED_H

/* Once the event loop runs, hand back to the kernel the pages of tend's own
 * binary that only startup needed, and the read-only pages of the libraries
 * (see shed.c). */
void shed_startup_pages(void);

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
