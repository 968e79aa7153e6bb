/* A program's lines as tend writes them (relay.h): "NAME | line", or one
 * JSON object; cut pieces marked; CR and NUL shown in text. The part before
 * each line is formatted once (for JSON, once per read: it holds the time),
 * so a line costs a scan and a copy. */
#include "relay.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "json_escape.h"

static struct {
	enum log_format format;
	char ts[64];		/* JSON: the time of the current read */
	unsigned long serial;	/* changes with ts and with the format */
} L;

void relay_line_setup(enum log_format format)
{
	L.format = format;
	L.serial++;
}

void relay_line_stamp(void)
{
	if (L.format != LOG_JSON)
		return;
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(L.ts, sizeof L.ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
	L.serial++;
}

/* Text: NUL and a carriage return that is not part of a CRLF would garble
 * a terminal or a log viewer; they are shown as \0 and \r. */
static size_t put_text(char *out, const char *s, size_t len)
{
	/* the usual line has neither: one copy (memchr and memcpy scan and
	 * copy many bytes at a time) */
	if (!memchr(s, '\r', len) && !memchr(s, '\0', len)) {
		memcpy(out, s, len);
		return len;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0' || s[i] == '\r') {
			out[o++] = '\\';
			out[o++] = s[i] ? 'r' : '0';
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/* What comes before each line of p, formatted once (for JSON, once per
 * read: it holds the time): "NAME | " (text), or the object's fields up to
 * "msg" (JSON); head[cont] for the pieces that continue a cut line. */
static void ready_head(struct relay_pipe *p)
{
	if (p->head_serial == L.serial && p->head_len[0])
		return;
	p->head_serial = L.serial;
	for (int cont = 0; cont < 2; cont++) {
		int n = L.format == LOG_TEXT
				? snprintf(p->head[cont], sizeof p->head[cont], "%s %c ", p->program, cont ? '+' : '|')
				: snprintf(p->head[cont], sizeof p->head[cont],
					   "{\"ts\":\"%s\",\"program\":\"%s\",\"stream\":\"%s\",%s\"msg\":\"", L.ts,
					   p->program, p->stream, cont ? "\"cont\":true," : "");
		p->head_len[cont] = n > 0 && (size_t)n < sizeof p->head[cont] ? (size_t)n : 0;
	}
}

/* One line (or piece) of the program's, formatted; returns its length.
 * out has room for the worst case. */
static size_t format_line(const struct relay_pipe *p, const char *s, size_t len, bool cont, char *out)
{
	size_t o = p->head_len[cont];
	memcpy(out, p->head[cont], o);
	if (L.format == LOG_TEXT) {
		o += put_text(out + o, s, len);
	} else {
		o += json_escape(out + o, 6 * len + 1, s, len, NULL);
		out[o++] = '"';
		out[o++] = '}';
	}
	out[o++] = '\n';
	return o;
}

size_t relay_format(struct relay_pipe *p, const char *in, size_t len, bool flush, char *out, size_t cap,
		    size_t *out_len)
{
	size_t used = 0, o = 0;
	ready_head(p);
	while (used < len) {
		const char *line = in + used;
		size_t rest = len - used;
		/* a newline just after RELAY_LINE_MAX bytes still ends the line whole */
		const char *nl = memchr(line, '\n', rest <= RELAY_LINE_MAX ? rest : RELAY_LINE_MAX + 1);
		size_t take, piece;
		bool whole;
		if (nl) {
			piece = (size_t)(nl - line);
			take = piece + 1;
			whole = true;
			if (piece > 0 && line[piece - 1] == '\r')
				piece--;	/* CRLF ends a line like LF */
		} else if (rest >= RELAY_LINE_MAX) {
			piece = take = RELAY_LINE_MAX;	/* cut: the line goes on */
			whole = false;
		} else if (flush) {
			piece = take = rest;	/* a last line without its newline */
			whole = true;
		} else {
			break;	/* waits for its end */
		}
		size_t worst = (L.format == LOG_TEXT ? 2 : 6) * piece + RELAY_LINE_OVERHEAD;
		if (cap - o < worst)
			break;
		o += format_line(p, line, piece, p->continued, out + o);
		p->continued = !whole;
		used += take;
	}
	*out_len = o;
	return used;
}

