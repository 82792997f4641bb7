// textshim.cpp — ICU word segmentation and normalisation, OpenCC conversion, behind a
// plain C header. Every entry point catches every C++ exception.
#include "ctextshim.h"

#include <opencc/opencc.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

struct kbt_segmenter { UBreakIterator *bi; };
struct kbt_converter { opencc_t cc; };

namespace {

void set_err(char **err, const std::string &msg) {
    if (!err) return;
    *err = static_cast<char *>(std::malloc(msg.size() + 1));
    if (*err) std::memcpy(*err, msg.c_str(), msg.size() + 1);
}

template <typename R, typename F>
R guard(char **err, R failed, F &&f) {
    try {
        return f();
    } catch (const std::exception &e) {
        set_err(err, e.what());
    } catch (...) {
        set_err(err, "unknown C++ exception");
    }
    return failed;
}

char *copy_out(const char *p, size_t n, size_t *out_len) {
    char *out = static_cast<char *>(std::malloc(n + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, p, n);
    out[n] = '\0';
    *out_len = n;
    return out;
}

int32_t script_of(UChar32 c) {
    UErrorCode st = U_ZERO_ERROR;
    switch (uscript_getScript(c, &st)) {
        case USCRIPT_LATIN: return KBT_SCRIPT_LATIN;
        case USCRIPT_HAN: return KBT_SCRIPT_HAN;
        case USCRIPT_HIRAGANA: case USCRIPT_KATAKANA: return KBT_SCRIPT_KANA;
        case USCRIPT_HANGUL: return KBT_SCRIPT_HANGUL;
        case USCRIPT_THAI: return KBT_SCRIPT_THAI;
        case USCRIPT_LAO: return KBT_SCRIPT_LAO;
        case USCRIPT_KHMER: return KBT_SCRIPT_KHMER;
        case USCRIPT_MYANMAR: return KBT_SCRIPT_MYANMAR;
        case USCRIPT_ARABIC: return KBT_SCRIPT_ARABIC;
        case USCRIPT_CYRILLIC: return KBT_SCRIPT_CYRILLIC;
        case USCRIPT_GREEK: return KBT_SCRIPT_GREEK;
        case USCRIPT_DEVANAGARI: return KBT_SCRIPT_DEVANAGARI;
        case USCRIPT_HEBREW: return KBT_SCRIPT_HEBREW;
        default: return KBT_SCRIPT_OTHER;
    }
}

// The script of a word: that of its first letter with a script of its own.
int32_t word_script(const char *text, int32_t start, int32_t end) {
    int32_t i = start;
    while (i < end) {
        UChar32 c;
        U8_NEXT(text, i, end, c);
        if (c < 0) continue;
        UErrorCode st = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &st);
        if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) return script_of(c);
    }
    return KBT_SCRIPT_OTHER;
}

}  // namespace

extern "C" {

void kbt_free(void *p) { std::free(p); }

kbt_segmenter *kbt_segmenter_new(char **err) {
    return guard(err, (kbt_segmenter *)nullptr, [&]() -> kbt_segmenter * {
        UErrorCode st = U_ZERO_ERROR;
        UBreakIterator *bi = ubrk_open(UBRK_WORD, "", nullptr, 0, &st);
        if (U_FAILURE(st)) {
            set_err(err, std::string("ICU ubrk_open: ") + u_errorName(st));
            return nullptr;
        }
        return new kbt_segmenter{bi};
    });
}

void kbt_segmenter_free(kbt_segmenter *s) {
    if (!s) return;
    ubrk_close(s->bi);
    delete s;
}

size_t kbt_segment(kbt_segmenter *s, const char *text, size_t len, kbt_token **out, char **err) {
    *out = nullptr;
    return guard(err, (size_t)0, [&]() -> size_t {
        UErrorCode st = U_ZERO_ERROR;
        UText *ut = utext_openUTF8(nullptr, text, static_cast<int64_t>(len), &st);
        if (U_FAILURE(st)) { set_err(err, std::string("ICU utext_openUTF8: ") + u_errorName(st)); return 0; }
        ubrk_setUText(s->bi, ut, &st);
        if (U_FAILURE(st)) {
            utext_close(ut);
            set_err(err, std::string("ICU ubrk_setUText: ") + u_errorName(st));
            return 0;
        }
        std::vector<kbt_token> tokens;
        int32_t start = ubrk_first(s->bi);
        for (int32_t end = ubrk_next(s->bi); end != UBRK_DONE; start = end, end = ubrk_next(s->bi)) {
            int32_t status = ubrk_getRuleStatus(s->bi);
            int32_t kind = status >= UBRK_WORD_IDEO ? KBT_TOKEN_IDEO
                         : status >= UBRK_WORD_KANA ? KBT_TOKEN_KANA
                         : status >= UBRK_WORD_LETTER ? KBT_TOKEN_LETTER
                         : status >= UBRK_WORD_NUMBER ? KBT_TOKEN_NUMBER : 0;
            if (kind == 0) continue;  // spaces and punctuation
            tokens.push_back(kbt_token{start, end, kind, word_script(text, start, end)});
        }
        utext_close(ut);
        // Drop the iterator's reference to the caller's buffer.
        UErrorCode st2 = U_ZERO_ERROR;
        ubrk_setText(s->bi, nullptr, 0, &st2);
        if (tokens.empty()) return 0;
        *out = static_cast<kbt_token *>(std::malloc(sizeof(kbt_token) * tokens.size()));
        if (!*out) throw std::bad_alloc();
        std::memcpy(*out, tokens.data(), sizeof(kbt_token) * tokens.size());
        return tokens.size();
    });
}

char *kbt_normalize(const char *text, size_t len, size_t *out_len, char **err) {
    return guard(err, (char *)nullptr, [&]() -> char * {
        UErrorCode st = U_ZERO_ERROR;
        const UNormalizer2 *n = unorm2_getNFKCCasefoldInstance(&st);
        if (U_FAILURE(st)) { set_err(err, std::string("ICU NFKC_Casefold: ") + u_errorName(st)); return nullptr; }
        // UTF-8 → UTF-16 → normalise → UTF-8.
        int32_t n16 = 0;
        u_strFromUTF8WithSub(nullptr, 0, &n16, text, static_cast<int32_t>(len), 0xFFFD, nullptr, &st);
        if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) { set_err(err, u_errorName(st)); return nullptr; }
        st = U_ZERO_ERROR;
        std::vector<UChar> src(n16 + 1);
        u_strFromUTF8WithSub(src.data(), n16 + 1, nullptr, text, static_cast<int32_t>(len), 0xFFFD, nullptr, &st);
        std::vector<UChar> dst(n16 * 3 + 16);
        int32_t nd = unorm2_normalize(n, src.data(), n16, dst.data(), static_cast<int32_t>(dst.size()), &st);
        if (st == U_BUFFER_OVERFLOW_ERROR) {
            st = U_ZERO_ERROR;
            dst.resize(nd + 1);
            nd = unorm2_normalize(n, src.data(), n16, dst.data(), static_cast<int32_t>(dst.size()), &st);
        }
        if (U_FAILURE(st)) { set_err(err, std::string("ICU normalize: ") + u_errorName(st)); return nullptr; }
        int32_t n8 = 0;
        u_strToUTF8(nullptr, 0, &n8, dst.data(), nd, &st);
        st = U_ZERO_ERROR;
        std::string out(n8, '\0');
        u_strToUTF8(&out[0], n8 + 1, nullptr, dst.data(), nd, &st);
        if (U_FAILURE(st) && st != U_STRING_NOT_TERMINATED_WARNING) { set_err(err, u_errorName(st)); return nullptr; }
        return copy_out(out.data(), out.size(), out_len);
    });
}

kbt_converter *kbt_converter_new(const char *config, char **err) {
    return guard(err, (kbt_converter *)nullptr, [&]() -> kbt_converter * {
        opencc_t cc = opencc_open(config);
        if (cc == reinterpret_cast<opencc_t>(-1)) {
            const char *why = opencc_error();
            set_err(err, std::string("OpenCC cannot open ") + config + ": " + (why ? why : "unknown error"));
            return nullptr;
        }
        return new kbt_converter{cc};
    });
}

void kbt_converter_free(kbt_converter *c) {
    if (!c) return;
    guard(nullptr, 0, [&] { opencc_close(c->cc); return 0; });
    delete c;
}

char *kbt_convert(kbt_converter *c, const char *text, size_t len, size_t *out_len, char **err) {
    return guard(err, (char *)nullptr, [&]() -> char * {
        char *converted = opencc_convert_utf8(c->cc, text, len);
        if (!converted) {
            const char *why = opencc_error();
            set_err(err, std::string("OpenCC: ") + (why ? why : "conversion failed"));
            return nullptr;
        }
        std::string s(converted);
        opencc_convert_utf8_free(converted);
        return copy_out(s.data(), s.size(), out_len);
    });
}

}  // extern "C"
