/* tend's own log lines, on stderr: text ("tend: nginx: exited with code 1")
 * or JSON, one object per line. Every line is written whole (a single
 * write, or queued whole), so that lines from tend never interleave with
 * each other. Once the loop runs, writing never blocks (ostream.h). */
#ifndef TEND_LOG_H
#define TEND_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
enum log_format { LOG_TEXT, LOG_JSON };

/* A structured field for the JSON form; the text form shows only the message. */
struct log_kv {
	const char *key;
	const char *str;	/* a string value, or NULL for a number */
	double num;
};
#define KV_S(k, v) { .key = (k), .str = (v) }
#define KV_N(k, v) { .key = (k), .num = (double)(v) }
#define LOG_KV(...) ((const struct log_kv[]){ __VA_ARGS__, { 0 } })

void log_setup(enum log_level level, enum log_format format);
bool log_enabled(enum log_level level);
bool log_level_parse(const char *s, enum log_level *out);
bool log_format_parse(const char *s, enum log_format *out);

/* program: NULL for tend itself. event: short machine-readable name. */
void log_event(enum log_level level, const char *program, const char *event,
	       const struct log_kv *kv, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The same with a va_list (for wrappers that add their own fields). */
void log_eventv(enum log_level level, const char *program, const char *event,
		const struct log_kv *kv, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

#define log_error(...) log_event(LOG_ERROR, NULL, "error", NULL, __VA_ARGS__)
#define log_warn(...) log_event(LOG_WARN, NULL, "warning", NULL, __VA_ARGS__)
#define log_info(...) log_event(LOG_INFO, NULL, "info", NULL, __VA_ARGS__)
#define log_debug(...) log_event(LOG_DEBUG, NULL, "debug", NULL, __VA_ARGS__)

/* Lines logged between log_hold and log_release are formatted at once and
 * written together at the release, in one write: what tend does in
 * between (the signals that stop programs, a restart's fork) is not behind
 * the writes of its own log lines. Holds do not nest: the release writes
 * all that is held. A line that cannot be held (no memory) is written at
 * once. */
void log_hold(void);
void log_release(void);

/* Before the loop runs only: print and exit. */
void fatal(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
