/* The one writer of JSON strings in tend (/health, the API's answers, the
 * JSON log lines, programs' output relayed as JSON). Whatever bytes come in,
 * what comes out is a valid JSON string in valid UTF-8, and nothing is lost:
 * - a valid UTF-8 character is copied as it is (U+0080 to U+00FF included);
 * - " and \ are escaped, \n \r \t as such, every other byte below 0x20 and
 *   0x7f as \u00XX;
 * - a byte of no valid UTF-8 character (overlong, surrogate, past U+10FFFF,
 *   truncated, stray continuation byte) is written \u00XX with its value: a
 *   JSON reader shows it as that byte's Latin-1 character, and since a valid
 *   U+0080..U+00FF is never escaped, a reader that knows this gets the exact
 *   bytes back.
 * Nothing allocates: the writers fill a caller's buffer, and when the room
 * runs out they stop before the first escape or character that would not
 * fit whole. */
#ifndef TEND_JSON_ESCAPE_H
#define TEND_JSON_ESCAPE_H

#include <stddef.h>

/* The most bytes one input byte or character becomes (\u00XX). */
#define JSON_ESCAPE_PIECE_MAX 6

/* Writes s[0..len) escaped, without quotes, into dst[0..cap); no NUL is
 * added. Returns the bytes written; *consumed (when not NULL) gets how many
 * bytes of s they stand for, len when everything fit. */
size_t json_escape(char *dst, size_t cap, const char *s, size_t len, size_t *consumed);
/* A whole JSON string literal, quotes included, of as much of s[0..len) as
 * fits into dst[0..cap) with its closing quote; no NUL is added. Returns its
 * length: 0 (nothing written) when cap < 2. */
size_t json_quote(char *dst, size_t cap, const char *s, size_t len);

#endif
