#include "log.h"

#include "json_escape.h"
#include "ostream.h"
#include "shed.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_threshold = LOG_INFO;
static enum log_format log_style = LOG_TEXT;

/* Lines logged while a signal is handled, written after its kills
 * (log_hold, log_release); a buffer up to HELD_KEEP bytes stays between signals. */
#define HELD_KEEP 4096
static struct {
	bool on;
	char *p;
	size_t len, cap;
	unsigned long lines;
} held;

static const char *const level_names[] = {
	[LOG_ERROR] = "error", [LOG_WARN] = "warn", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

STARTUP_ONLY void log_setup(enum log_level level, enum log_format format)
{
	log_threshold = level;
	log_style = format;
}

bool log_enabled(enum log_level level)
{
	return level <= log_threshold;
}

STARTUP_ONLY bool log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = LOG_WARN;
		return true;
	}
	return false;
}

STARTUP_ONLY bool log_format_parse(const char *s, enum log_format *out)
{
	if (strcasecmp(s, "text") == 0)
		*out = LOG_TEXT;
	else if (strcasecmp(s, "json") == 0)
		*out = LOG_JSON;
	else
		return false;
	return true;
}

/* A bounded string builder: output past the end is dropped, never overflows. */
struct buf {
	char *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	size_t room = b->cap - b->len;
	if (n > room)
		n = room;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

/* A JSON string literal, as much of s as fits; valid UTF-8 whatever the
 * bytes (json_escape.h). Room for the line's closing "}" is kept. */
static void buf_json_string(struct buf *b, const char *s)
{
	size_t room = b->cap - b->len;
	if (room > 1)
		b->len += json_quote(b->p + b->len, room - 1, s, strlen(s));
}

static void buf_timestamp(struct buf *b)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* Keeps a whole line for log_release; false when not holding, or out of memory. */
static bool hold_line(const char *line, size_t len)
{
	if (!held.on)
		return false;
	if (held.len + len > held.cap) {
		size_t cap = held.cap ? held.cap : 1024;
		while (cap < held.len + len)
			cap *= 2;
		char *p = realloc(held.p, cap);
		if (!p)
			return false;
		held.p = p;
		held.cap = cap;
	}
	memcpy(held.p + held.len, line, len);
	held.len += len;
	held.lines++;
	return true;
}

void log_hold(void)
{
	held.on = true;
}

void log_release(void)
{
	held.on = false;
	if (held.len)
		ostream_write_lines(&tend_stderr, held.p, held.len, held.lines);
	/* The usual buffer is kept for the next signal: no malloc and free for
	 * every exit of a crash-looping program. A large one (a signal that
	 * touched many programs) is given back. */
	if (held.cap > HELD_KEEP) {
		free(held.p);
		held.p = NULL;
		held.cap = 0;
	}
	held.len = 0;
	held.lines = 0;
}

/* A whole line (its '\n' included): held, or written. */
static void emit(const char *line, size_t len)
{
	if (!hold_line(line, len))
		ostream_write(&tend_stderr, line, len);
}

/* The text form: "tend: NAME: message". Its buffer holds the longest
 * message (TEXT_MESSAGE_MAX) after the longest program name; the JSON form,
 * whose escapes can make a line much longer, has a buffer of its own, so
 * that a text line takes no more stack than it needs (an idle tend's stack
 * is part of its memory). */
#define TEXT_MESSAGE_MAX 1024
static void log_text(const char *program, const char *fmt, va_list ap)
{
	char line[TEXT_MESSAGE_MAX + 80];
	struct buf b = { line, 0, sizeof line - 1 };	/* keep room for '\n' */
	buf_put(&b, "tend: ", 6);
	if (program)
		buf_printf(&b, "%s: ", program);
	size_t room = b.cap - b.len < TEXT_MESSAGE_MAX ? b.cap - b.len : TEXT_MESSAGE_MAX;
	int n = vsnprintf(line + b.len, room, fmt, ap);
	if (n > 0)
		b.len += (size_t)n < room ? (size_t)n : room - 1;
	line[b.len++] = '\n';
	emit(line, b.len);
}

static __attribute__((noinline)) void log_json(enum log_level level, const char *program, const char *event,
					       const struct log_kv *kv, const char *fmt, va_list ap)
{
	char line[2048], msg[TEXT_MESSAGE_MAX];
	struct buf b = { line, 0, sizeof line - 1 };	/* keep room for '\n' */
	vsnprintf(msg, sizeof msg, fmt, ap);
	buf_put(&b, "{\"ts\":\"", 7);
	buf_timestamp(&b);
	buf_printf(&b, "\",\"level\":\"%s\"", level_names[level]);
	if (program) {
		buf_put(&b, ",\"program\":", 11);
		buf_json_string(&b, program);
	}
	buf_put(&b, ",\"event\":", 9);
	buf_json_string(&b, event);
	for (; kv && kv->key; kv++) {
		buf_printf(&b, ",\"%s\":", kv->key);
		if (kv->str)
			buf_json_string(&b, kv->str);
		else
			buf_printf(&b, "%.15g", kv->num);
	}
	buf_put(&b, ",\"msg\":", 7);
	buf_json_string(&b, msg);
	buf_put(&b, "}", 1);
	line[b.len++] = '\n';
	emit(line, b.len);
}

static void log_vevent(enum log_level level, const char *program, const char *event,
		       const struct log_kv *kv, const char *fmt, va_list ap)
{
	int saved_errno = errno;
	if (log_style == LOG_TEXT)
		log_text(program, fmt, ap);
	else
		log_json(level, program, event, kv, fmt, ap);
	errno = saved_errno;
}

void log_eventv(enum log_level level, const char *program, const char *event,
		const struct log_kv *kv, const char *fmt, va_list ap)
{
	if (log_enabled(level))
		log_vevent(level, program, event, kv, fmt, ap);
}

void log_event(enum log_level level, const char *program, const char *event,
	       const struct log_kv *kv, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vevent(level, program, event, kv, fmt, ap);
	va_end(ap);
}

void fatal(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vevent(LOG_ERROR, NULL, "fatal", NULL, fmt, ap);
	va_end(ap);
	exit(status);
}
