#ifndef TEND_SHED_H
#define TEND_SHED_H

/* Once the event loop is about to run, hand back to the kernel the pages of
 * tend's own binary that only startup needed (see shed.c). */
void shed_startup_pages(void);

#endif
