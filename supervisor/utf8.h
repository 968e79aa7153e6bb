/* UTF-8 as RFC 3629 defines it: what is a valid character, and where text
 * may be cut without splitting one. Overlong forms, surrogates (U+D800 to
 * U+DFFF), code points past U+10FFFF, truncated sequences and stray
 * continuation bytes are not characters. */
#ifndef TEND_UTF8_H
#define TEND_UTF8_H

#include <stddef.h>

/* The length (1 to 4) of the valid character s[0..len) begins with, or 0
 * when it begins with no valid character (len 0 included). */
size_t utf8_char_length(const char *s, size_t len);
/* The longest prefix of s[0..len), at most max bytes, that ends on a
 * character boundary: a character that would not fit whole is left out
 * whole. A byte of no valid character counts as one of its own. */
size_t utf8_cut(const char *s, size_t len, size_t max);

#endif
