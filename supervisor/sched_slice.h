/* tend's own scheduling slice, asked short (sched_slice.c). */
#ifndef TEND_SCHED_SLICE_H
#define TEND_SCHED_SLICE_H

/* At start, before the first program. Never fails: on a kernel that does
 * not know the request, or when the operator chose tend's scheduling
 * (another policy, a negative nice), nothing changes. */
void sched_slice_ask_short(void);

#endif
