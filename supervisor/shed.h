#ifndef TEND_SHED_H
#define TEND_SHED_H

/* Once the event loop runs, hand back to the kernel the pages of tend's own
 * binary that only startup needed, and the read-only pages of the libraries
 * (see shed.c). */
void shed_startup_pages(void);

#endif
