/* Giving back the pages that only startup needed.
 *
 * Like the kernel freeing its __init code after boot. Reading the config,
 * parsing the command line and the client commands run before the loop and
 * never again; so do most of the parts of libc that they call, and the
 * dynamic linker. Once the loop runs (the supervisor calls this 50 ms in,
 * when the first programs have been exec'd), tend removes from its
 * address space:
 * - of its own file: the code and constants of the startup files, which the
 *   Makefile links into sections of their own (tend_startup_text and
 *   tend_startup_rodata; the linker defines the __start_ symbols below), and
 *   the ELF header segment (symbol and relocation tables, read only by the
 *   dynamic linker, which is done: tend is linked with -z now);
 * - of each shared library (libc, the dynamic linker): every read-only page.
 *   What the loop uses comes back on its first use, once.
 *
 * This is always safe: these mappings are read-only copies of files, so
 * MADV_DONTNEED only removes page-table entries, and a page touched later is
 * mapped again from the page cache (a minor fault, no disk read). It does not
 * free the page cache, which the kernel reclaims as it sees fit; it lowers
 * what tend keeps mapped (RSS, and the private part of it that USS counts)
 * to what the loop touches. tend's own allocations are not affected.
 *
 * MADV_RANDOM puts tend's startup range in a mapping of its own. The
 * kernel's fault-around maps up to 64 KiB around a faulting page, but never
 * beyond its mapping: without that, running the loop code next to the
 * startup code would bring the startup pages back. Numbers: docs/benchmarks.md. */
#include "shed.h"

#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>	/* RUNNING_ON_VALGRIND: no library needed */
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* weak: builds that do not split the startup code (the sanitizer builds,
 * the unit tests) have no such sections, and these are then null */
extern const char __start_tend_startup_text[] __attribute__((weak));
extern const char __start_tend_startup_rodata[] __attribute__((weak));

enum { MAX_RANGES = 32 };

struct range {
	uintptr_t begin, end;
	bool own_mapping;	/* MADV_RANDOM first; see above */
};

struct ranges {
	struct range r[MAX_RANGES];
	size_t n;
};

static void add(struct ranges *rs, uintptr_t begin, uintptr_t end, bool own_mapping)
{
	if (rs->n < MAX_RANGES)
		rs->r[rs->n++] = (struct range){ begin, end, own_mapping };
}

/* From the start of a startup section to the end of its segment: the
 * linker places such a section after the ones of the same kind (.text,
 * .rodata), so what follows it there is more startup code, or the unwind
 * tables, which a C program reads only to print a backtrace. */
static void add_startup(struct ranges *rs, uintptr_t begin, uintptr_t end, const char *section)
{
	uintptr_t at = (uintptr_t)section;
	if (section && at >= begin && at < end)
		add(rs, at, end, true);
}

/* Text relocations would make some "read-only" pages written copies, which
 * dropping would undo. Debian builds none; an object that has them is left
 * alone all the same. */
static bool has_text_relocations(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
			continue;
		const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
		for (; d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)))
				return true;
	}
	return false;
}

static int find_ranges(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct ranges *rs = data;
	bool program = info->dlpi_name[0] == '\0';
	if (!program && strstr(info->dlpi_name, "vdso"))
		return 0;	/* the kernel's own page, not a file */
	if (has_text_relocations(info))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
			continue;	/* written pages are data: never dropped */
		uintptr_t begin = info->dlpi_addr + ph->p_vaddr, end = begin + ph->p_memsz;
		if (!program || (ph->p_offset == 0 && !(ph->p_flags & PF_X))) {
			add(rs, begin, end, false);
		} else {
			add_startup(rs, begin, end, __start_tend_startup_text);
			add_startup(rs, begin, end, __start_tend_startup_rodata);
		}
	}
	return 0;
}

/* Whole pages only: a page shared with loop code or data stays. */
static void drop(const struct range *r, uintptr_t page)
{
	uintptr_t begin = (r->begin + page - 1) & ~(page - 1);
	uintptr_t end = (r->end + page - 1) & ~(page - 1);
	if (end <= begin)
		return;
	if (r->own_mapping)
		madvise((void *)begin, end - begin, MADV_RANDOM);
	madvise((void *)begin, end - begin, MADV_DONTNEED);
}

/* Calls fn with each line of /proc/self/maps, until it returns true. Not
 * inlined: its buffer is then below the caller's frame, among the dead
 * frames that drop_dead_stack drops. */
static __attribute__((noinline)) void each_mapping(bool (*fn)(const char *line, void *ctx), void *ctx)
{
	char buf[8192];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size_t total = 0;
	bool done = false;
	ssize_t n;
	while (!done && (n = read(fd, buf + total, sizeof buf - 1 - total)) > 0) {
		total += (size_t)n;
		buf[total] = '\0';
		char *line = buf, *nl;
		while (!done && (nl = strchr(line, '\n'))) {
			*nl = '\0';
			done = fn(line, ctx);
			line = nl + 1;
		}
		/* keep the last partial line, read on (one longer than the
		 * buffer is skipped) */
		total = total - (size_t)(line - buf);
		memmove(buf, line, total);
		if (total == sizeof buf - 1)
			total = 0;
	}
	close(fd);
}

static bool find_stack(const char *line, void *ctx)
{
	size_t len = strlen(line);
	if (len < 7 || strcmp(line + len - 7, "[stack]") != 0)
		return false;
	*(uintptr_t *)ctx = (uintptr_t)strtoull(line, NULL, 16);
	return true;
}

/* The stack's lowest address, from /proc/self/maps; 0 if not found. */
static uintptr_t stack_bottom(void)
{
	uintptr_t bottom = 0;
	each_mapping(find_stack, &bottom);
	return bottom;
}

/* A mapping larger than this is not tend's own data (the sanitizers'
 * shadow memory, say): left alone. */
#define REWRITE_MAX ((uintptr_t)64 << 20)

struct rewrite {
	int pagemap;	/* /proc/self/pagemap */
	uintptr_t page;
};

/* Not instrumented: under AddressSanitizer, these pages hold its red zones,
 * which it would report touched (a byte rewritten with itself changes
 * nothing there either). */
static __attribute__((no_sanitize_address)) bool rewrite_mapping(const char *line, void *ctx)
{
	const struct rewrite *rw = ctx;
	char *at;
	uintptr_t begin = (uintptr_t)strtoull(line, &at, 16);
	uintptr_t end = (uintptr_t)strtoull(at + 1, &at, 16);
	if (strncmp(at, " rw-p ", 6) != 0 || end <= begin || end - begin > REWRITE_MAX)
		return false;
	for (uintptr_t a = begin; a < end;) {
		uint64_t entries[64];
		size_t want = (end - a) / rw->page < 64 ? (end - a) / rw->page : 64;
		ssize_t got = pread(rw->pagemap, entries, want * sizeof *entries, (off_t)(a / rw->page * sizeof *entries));
		if (got <= 0)
			return false;
		for (size_t i = 0; i < (size_t)got / sizeof *entries; i++, a += rw->page) {
			/* present (bit 63), and tend's own written copy, not a
			 * file's page (bit 61): a write there would make one */
			if ((entries[i] >> 63 & 1) && !(entries[i] >> 61 & 1)) {
				volatile char *p = (volatile char *)a;
				*p = *p;
			}
		}
	}
	return false;
}

/* The programs' forks left every page that tend had written shared with
 * them, copy-on-write: tend's first write to each since then faults, even
 * once the program has exec'd (the kernel then only makes it writable
 * again). Each such page still mapped in tend's writable private mappings
 * is written here, with its own bytes, so that the first event after idle
 * does not take those faults on its way. A later fork (a restart, an exec
 * probe) leaves them so again, until tend has written to them. */
static void rewrite_written_pages(uintptr_t page)
{
	/* under valgrind the mappings are its own as well, and a byte
	 * rewritten in a freed block or below the stack pointer is an error
	 * there (AddressSanitizer: see rewrite_mapping) */
	if (RUNNING_ON_VALGRIND)
		return;
	struct rewrite rw = { open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), page };
	if (rw.pagemap < 0)
		return;
	each_mapping(rewrite_mapping, &rw);
	close(rw.pagemap);
}

/* The stack below the current frame holds only startup's dead frames (the
 * config's reader went deeper than the loop ever does): those pages go
 * too; the loop's frames, if they ever reach so deep, get zero pages. Kept:
 * STACK_KEEP bytes below this frame (the red zone, the madvise call), up to
 * their page; a whole spare page kept below them stayed resident for good. */
#define STACK_KEEP 1024

static __attribute__((noinline)) void drop_dead_stack(uintptr_t page)
{
	volatile char here;
	uintptr_t keep = ((uintptr_t)&here - STACK_KEEP) & ~(page - 1);
	uintptr_t bottom = stack_bottom();
	if (bottom && keep > bottom)
		madvise((void *)bottom, keep - bottom, MADV_DONTNEED);
}

/* What the loop calls in libc on the paths that someone waits for (a stop
 * signal to send, one to forward, a reap and a restart, a log line, an
 * HTTP answer) is dropped above with the rest of libc; it is brought back
 * here, in one go, so that the first such event after idle does not fault
 * its code in, one fault-around window at a time, before it can act.
 * Reading a byte of a function maps the window around it (the kernel's
 * fault-around); printf's insides, which have no name whose address could
 * be taken, come back by formatting a line the way the log does. The
 * windows kept cost RSS (libc's pages, shared with every other program
 * using libc), not USS; the numbers are in docs/benchmarks.md. */
static __attribute__((noinline)) void warm_loop_paths(void)
{
	static const void *const hot[] = {
		(const void *)kill, (const void *)read, (const void *)write, (const void *)waitpid,
		(const void *)realloc, (const void *)malloc, (const void *)free, (const void *)clock_gettime,
		(const void *)close, (const void *)fork, (const void *)pipe2, (const void *)epoll_wait,
		(const void *)accept4, (const void *)send, (const void *)recv, (const void *)memcpy,
		(const void *)strlen,
	};
	for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++)
		(void)*(const volatile char *)hot[i];
	char line[128];
	snprintf(line, sizeof line, "%s: %s %d %u %lu %zu %g %.1f", "tend", "x", -1, 1u, 1ul, sizeof line, 0.5, 1.5);
	(void)*(volatile char *)line;
}

/* Every page of each shared library's code (the dynamic linker's own
 * included), one read per fault-around window. */
static int warm_library(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size, (void)data;
	if (info->dlpi_name[0] == '\0' || strstr(info->dlpi_name, "vdso"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || (ph->p_flags & PF_W))
			continue;
		uintptr_t begin = info->dlpi_addr + ph->p_vaddr;
		/* the dynamic linker's code is small; libc's is not, and its
		 * exit code is found by name below */
		if (!strstr(info->dlpi_name, "ld-linux") && !strstr(info->dlpi_name, "ld.so"))
			continue;
		for (uintptr_t at = begin; at < begin + ph->p_memsz; at += 16 * 4096)
			(void)*(const volatile char *)at;
	}
	return 0;
}

void shed_warm_exit(const void *startup_code)
{
	static bool done;
	if (done)
		return;
	done = true;
	dl_iterate_phdr(warm_library, NULL);
	(void)*(const volatile char *)(const void *)exit;
	if (startup_code)
		(void)*(const volatile char *)startup_code;
}

void shed_startup_pages(void)
{
	struct ranges rs = { .n = 0 };
	dl_iterate_phdr(find_ranges, &rs);
	/* only now: the program headers read above lie in the header segments */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < rs.n; i++)
		drop(&rs.r[i], page);
	warm_loop_paths();	/* before the stack's drop: its frames are dead too */
	rewrite_written_pages(page);
	drop_dead_stack(page);
}
