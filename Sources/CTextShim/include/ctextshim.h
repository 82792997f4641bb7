/* ctextshim.h — the C face of kbq's text-analysis shim over ICU and OpenCC.
 *
 * This header deliberately includes no ICU or OpenCC header: Foundation on Linux carries
 * its own copy of ICU, and a module map over the system ICU headers clashes with it
 * ("'UErrorCode' has different definitions in different modules"). All ICU types stay
 * inside textshim.cpp. Strings are UTF-8 (pointer, length); results are malloc'ed and
 * freed with kbt_free. Functions that can fail take `char **err` last and store a
 * malloc'ed message there. Handles are not thread-safe: one thread uses one at a time.
 */
#ifndef CTEXTSHIM_H
#define CTEXTSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void kbt_free(void *p);

/* Scripts kbq analyses differently. */
enum {
    KBT_SCRIPT_OTHER = 0, KBT_SCRIPT_LATIN = 1, KBT_SCRIPT_HAN = 2, KBT_SCRIPT_KANA = 3,
    KBT_SCRIPT_HANGUL = 4, KBT_SCRIPT_THAI = 5, KBT_SCRIPT_LAO = 6, KBT_SCRIPT_KHMER = 7,
    KBT_SCRIPT_MYANMAR = 8, KBT_SCRIPT_ARABIC = 9, KBT_SCRIPT_CYRILLIC = 10, KBT_SCRIPT_GREEK = 11,
    KBT_SCRIPT_DEVANAGARI = 12, KBT_SCRIPT_HEBREW = 13
};

/* Kinds of token, from ICU's word-break rule status. */
enum { KBT_TOKEN_NUMBER = 1, KBT_TOKEN_LETTER = 2, KBT_TOKEN_KANA = 3, KBT_TOKEN_IDEO = 4 };

/* One word: UTF-8 byte offsets into the segmented text, its kind and its script. */
typedef struct kbt_token {
    int32_t start, end;
    int32_t kind;
    int32_t script;
} kbt_token;

typedef struct kbt_segmenter kbt_segmenter;

/* ICU's word break iterator with dictionaries (Thai, Lao, Khmer, Burmese, Chinese, Japanese). */
kbt_segmenter *kbt_segmenter_new(char **err);
void kbt_segmenter_free(kbt_segmenter *s);
/* The words of `text` (spaces and punctuation dropped); *out is malloc'ed, count returned. */
size_t kbt_segment(kbt_segmenter *s, const char *text, size_t len, kbt_token **out, char **err);

/* Unicode NFKC with case folding (full-width → half-width, ﬁ → fi, Straße → strasse). */
char *kbt_normalize(const char *text, size_t len, size_t *out_len, char **err);

/* OpenCC conversion with a configuration such as "tw2sp.json" (Taiwan traditional →
 * simplified, with Taiwan vocabulary: 軟體 → 软件). */
typedef struct kbt_converter kbt_converter;
kbt_converter *kbt_converter_new(const char *config, char **err);
void kbt_converter_free(kbt_converter *c);
char *kbt_convert(kbt_converter *c, const char *text, size_t len, size_t *out_len, char **err);

#ifdef __cplusplus
}
#endif
#endif
