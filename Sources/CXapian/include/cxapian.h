/* cxapian.h — the C face of kbq's Xapian shim.
 *
 * Every type is an opaque handle; every function is extern "C" and catches every C++
 * exception inside the shim. A function that can fail takes `kbx_error **err` last: on
 * failure it stores a new error there (free it with kbx_error_free) and returns 0/NULL;
 * on success it leaves *err untouched. Strings go in as (pointer, length) pairs so they
 * may hold any bytes; strings and arrays coming out are malloc'ed and freed with kbx_free.
 * Handles are not thread-safe: one handle is used by one thread at a time.
 */
#ifndef CXAPIAN_H
#define CXAPIAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kbx_error kbx_error;
typedef struct kbx_database kbx_database;
typedef struct kbx_wdb kbx_wdb;
typedef struct kbx_document kbx_document;
typedef struct kbx_stem kbx_stem;
typedef struct kbx_termgen kbx_termgen;
typedef struct kbx_qparser kbx_qparser;
typedef struct kbx_query kbx_query;
typedef struct kbx_enquire kbx_enquire;
typedef struct kbx_mset kbx_mset;
typedef struct kbx_spy kbx_spy;
/* A list of (string, number) pairs: terms with wdf, synonyms, facet values with counts. */
typedef struct kbx_list kbx_list;

/* ---- errors and memory ---- */
const char *kbx_error_class(const kbx_error *e);   /* e.g. "DatabaseLockError" */
const char *kbx_error_message(const kbx_error *e); /* message plus context, if any */
void kbx_error_free(kbx_error *e);
void kbx_free(void *p);
const char *kbx_version(void);

size_t kbx_list_count(const kbx_list *l);
const char *kbx_list_string(const kbx_list *l, size_t i, size_t *len);
uint64_t kbx_list_number(const kbx_list *l, size_t i);
void kbx_list_free(kbx_list *l);

/* ---- stemmer ---- */
kbx_stem *kbx_stem_new(const char *lang, size_t lang_len, kbx_error **err);
void kbx_stem_free(kbx_stem *s);
char *kbx_stem_word(kbx_stem *s, const char *w, size_t w_len, size_t *out_len, kbx_error **err);
char *kbx_stem_languages(size_t *out_len); /* space-separated */

/* ---- read-only databases ---- */
kbx_database *kbx_database_open(const char *path, size_t path_len, kbx_error **err);
kbx_database *kbx_database_open_remote(const char *host, size_t host_len, unsigned port,
                                       unsigned timeout_ms, unsigned connect_timeout_ms,
                                       kbx_error **err);
kbx_database *kbx_database_new_empty(void);
int kbx_database_add(kbx_database *db, const kbx_database *other, kbx_error **err);
int kbx_database_reopen(kbx_database *db, int *changed, kbx_error **err);
/* Checks every table of the database at path (xapian-check); returns the number of
 * errors found (a corrupt table may also be reported through err). */
size_t kbx_database_check(const char *path, size_t path_len, kbx_error **err);
/* Writes a compacted copy of db (all its shards merged) to a new database at out. */
int kbx_database_compact(kbx_database *db, const char *out, size_t out_len, kbx_error **err);
void kbx_database_free(kbx_database *db);
uint32_t kbx_database_doc_count(const kbx_database *db, kbx_error **err);
uint32_t kbx_database_last_docid(const kbx_database *db, kbx_error **err);
uint32_t kbx_database_term_freq(const kbx_database *db, const char *t, size_t t_len, kbx_error **err);
kbx_document *kbx_database_document(const kbx_database *db, uint32_t docid, kbx_error **err);
char *kbx_database_metadata(const kbx_database *db, const char *key, size_t key_len,
                            size_t *out_len, kbx_error **err);
char *kbx_database_spelling(const kbx_database *db, const char *w, size_t w_len,
                            unsigned max_edit, size_t *out_len, kbx_error **err);
kbx_list *kbx_database_synonyms(const kbx_database *db, const char *t, size_t t_len, kbx_error **err);
/* Terms starting with prefix, with their term frequency; at most `limit` (0: no limit). */
kbx_list *kbx_database_terms(const kbx_database *db, const char *prefix, size_t prefix_len,
                             size_t limit, kbx_error **err);
/* Positions of a term in a document; *count receives their number. */
uint32_t *kbx_database_positions(const kbx_database *db, uint32_t docid, const char *t,
                                 size_t t_len, size_t *count, kbx_error **err);

/* ---- writable databases ---- */
enum { KBX_DB_CREATE_OR_OPEN = 1, KBX_DB_CREATE_OR_OVERWRITE = 2, KBX_DB_CREATE = 3, KBX_DB_OPEN = 4 };
kbx_wdb *kbx_wdb_open(const char *path, size_t path_len, int action, kbx_error **err);
void kbx_wdb_free(kbx_wdb *db);
int kbx_wdb_close(kbx_wdb *db, kbx_error **err);
uint32_t kbx_wdb_add(kbx_wdb *db, const kbx_document *doc, kbx_error **err);
uint32_t kbx_wdb_replace_by_term(kbx_wdb *db, const char *t, size_t t_len,
                                 const kbx_document *doc, kbx_error **err);
int kbx_wdb_delete_by_term(kbx_wdb *db, const char *t, size_t t_len, kbx_error **err);
int kbx_wdb_delete(kbx_wdb *db, uint32_t docid, kbx_error **err);
kbx_document *kbx_wdb_document(const kbx_wdb *db, uint32_t docid, kbx_error **err);
uint32_t kbx_wdb_doc_count(const kbx_wdb *db, kbx_error **err);
int kbx_wdb_commit(kbx_wdb *db, kbx_error **err);
int kbx_wdb_begin_transaction(kbx_wdb *db, int flushed, kbx_error **err);
int kbx_wdb_commit_transaction(kbx_wdb *db, kbx_error **err);
int kbx_wdb_cancel_transaction(kbx_wdb *db, kbx_error **err);
int kbx_wdb_set_metadata(kbx_wdb *db, const char *key, size_t key_len,
                         const char *val, size_t val_len, kbx_error **err);
int kbx_wdb_add_spelling(kbx_wdb *db, const char *w, size_t w_len, unsigned inc, kbx_error **err);
int kbx_wdb_add_synonym(kbx_wdb *db, const char *t, size_t t_len,
                        const char *syn, size_t syn_len, kbx_error **err);

/* ---- documents ---- */
kbx_document *kbx_document_new(void);
void kbx_document_free(kbx_document *d);
uint32_t kbx_document_docid(const kbx_document *d);
int kbx_document_set_data(kbx_document *d, const char *data, size_t len, kbx_error **err);
char *kbx_document_data(const kbx_document *d, size_t *out_len, kbx_error **err);
int kbx_document_add_term(kbx_document *d, const char *t, size_t t_len, uint32_t wdf, kbx_error **err);
int kbx_document_add_boolean_term(kbx_document *d, const char *t, size_t t_len, kbx_error **err);
int kbx_document_add_posting(kbx_document *d, const char *t, size_t t_len, uint32_t pos,
                             uint32_t wdf, kbx_error **err);
int kbx_document_remove_term(kbx_document *d, const char *t, size_t t_len, kbx_error **err);
int kbx_document_set_value(kbx_document *d, unsigned slot, const char *v, size_t len, kbx_error **err);
char *kbx_document_value(const kbx_document *d, unsigned slot, size_t *out_len, kbx_error **err);
kbx_list *kbx_document_terms(const kbx_document *d, kbx_error **err); /* term, wdf */

/* ---- term generator ---- */
enum { KBX_TG_SPELLING = 128, KBX_TG_CJK_NGRAM = 2048 };
enum { KBX_STEM_NONE = 0, KBX_STEM_SOME = 1, KBX_STEM_ALL = 2, KBX_STEM_ALL_Z = 3, KBX_STEM_SOME_FULL_POS = 4 };
kbx_termgen *kbx_termgen_new(void);
void kbx_termgen_free(kbx_termgen *g);
void kbx_termgen_set_stemmer(kbx_termgen *g, const kbx_stem *s);
void kbx_termgen_set_stemming_strategy(kbx_termgen *g, int strategy);
void kbx_termgen_set_flags(kbx_termgen *g, int flags);
void kbx_termgen_set_document(kbx_termgen *g, kbx_document *d);
int kbx_termgen_set_database(kbx_termgen *g, kbx_wdb *db, kbx_error **err);
void kbx_termgen_set_max_word_length(kbx_termgen *g, unsigned len);
int kbx_termgen_index_text(kbx_termgen *g, const char *text, size_t len, uint32_t wdf_inc,
                           const char *prefix, size_t prefix_len, int with_positions, kbx_error **err);
void kbx_termgen_increase_termpos(kbx_termgen *g, uint32_t delta);
uint32_t kbx_termgen_termpos(const kbx_termgen *g);

/* ---- queries ---- */
/* Operators: the values of Xapian::Query::op. */
enum {
    KBX_OP_AND = 0, KBX_OP_OR = 1, KBX_OP_AND_NOT = 2, KBX_OP_XOR = 3, KBX_OP_AND_MAYBE = 4,
    KBX_OP_FILTER = 5, KBX_OP_NEAR = 6, KBX_OP_PHRASE = 7, KBX_OP_VALUE_RANGE = 8,
    KBX_OP_SCALE_WEIGHT = 9, KBX_OP_ELITE_SET = 10, KBX_OP_VALUE_GE = 11, KBX_OP_VALUE_LE = 12,
    KBX_OP_SYNONYM = 13, KBX_OP_MAX = 14, KBX_OP_WILDCARD = 15
};
kbx_query *kbx_query_term(const char *t, size_t t_len, uint32_t wqf, uint32_t pos, kbx_error **err);
kbx_query *kbx_query_match_all(void);
kbx_query *kbx_query_match_nothing(void);
kbx_query *kbx_query_combine(int op, const kbx_query *const *subs, size_t n, uint32_t window,
                             kbx_error **err);
kbx_query *kbx_query_scale(const kbx_query *q, double factor, kbx_error **err);
kbx_query *kbx_query_value_range(int op, unsigned slot, const char *lo, size_t lo_len,
                                 const char *hi, size_t hi_len, kbx_error **err);
kbx_query *kbx_query_wildcard(const char *pattern, size_t len, uint32_t max_expansion, kbx_error **err);
void kbx_query_free(kbx_query *q);
int kbx_query_is_empty(const kbx_query *q);
char *kbx_query_describe(const kbx_query *q, size_t *out_len);
kbx_list *kbx_query_terms(const kbx_query *q, kbx_error **err); /* unique terms, wqf */

/* ---- query parser ---- */
enum {
    KBX_QP_BOOLEAN = 1, KBX_QP_PHRASE = 2, KBX_QP_LOVEHATE = 4, KBX_QP_BOOLEAN_ANY_CASE = 8,
    KBX_QP_WILDCARD = 16, KBX_QP_PURE_NOT = 32, KBX_QP_PARTIAL = 64, KBX_QP_SPELLING_CORRECTION = 128,
    KBX_QP_SYNONYM = 256, KBX_QP_AUTO_SYNONYMS = 512, KBX_QP_AUTO_MULTIWORD_SYNONYMS = 1024,
    KBX_QP_CJK_NGRAM = 2048, KBX_QP_DEFAULT = 7
};
kbx_qparser *kbx_qparser_new(void);
void kbx_qparser_free(kbx_qparser *p);
void kbx_qparser_set_stemmer(kbx_qparser *p, const kbx_stem *s);
void kbx_qparser_set_stemming_strategy(kbx_qparser *p, int strategy);
void kbx_qparser_set_default_op(kbx_qparser *p, int op);
void kbx_qparser_set_database(kbx_qparser *p, const kbx_database *db);
void kbx_qparser_set_max_expansion(kbx_qparser *p, uint32_t max);
int kbx_qparser_add_prefix(kbx_qparser *p, const char *field, size_t f_len,
                           const char *prefix, size_t p_len, int boolean, kbx_error **err);
kbx_query *kbx_qparser_parse(kbx_qparser *p, const char *q, size_t q_len, unsigned flags,
                             const char *default_prefix, size_t dp_len, kbx_error **err);
char *kbx_qparser_corrected(const kbx_qparser *p, size_t *out_len);

/* ---- enquire, match spies, results ---- */
kbx_enquire *kbx_enquire_new(const kbx_database *db, kbx_error **err);
void kbx_enquire_free(kbx_enquire *e);
int kbx_enquire_set_query(kbx_enquire *e, const kbx_query *q, kbx_error **err);
int kbx_enquire_set_bm25(kbx_enquire *e, double k1, double k2, double k3, double b,
                         double min_normlen, kbx_error **err);
int kbx_enquire_set_bool_weight(kbx_enquire *e, kbx_error **err);
/* sort: 0 relevance; 1 value only; 2 value then relevance; 3 relevance then value. */
int kbx_enquire_set_sort(kbx_enquire *e, int mode, unsigned slot, int reverse, kbx_error **err);
int kbx_enquire_set_collapse_key(kbx_enquire *e, unsigned slot, uint32_t max, kbx_error **err);
int kbx_enquire_set_time_limit(kbx_enquire *e, double seconds, kbx_error **err);
int kbx_enquire_add_spy(kbx_enquire *e, kbx_spy *s, kbx_error **err);
kbx_mset *kbx_enquire_mset(kbx_enquire *e, uint32_t first, uint32_t max, uint32_t check_at_least,
                           kbx_error **err);

kbx_spy *kbx_spy_new(unsigned slot);
void kbx_spy_free(kbx_spy *s);
uint32_t kbx_spy_total(const kbx_spy *s, kbx_error **err);
kbx_list *kbx_spy_values(const kbx_spy *s, size_t max, kbx_error **err); /* value, count */

void kbx_mset_free(kbx_mset *m);
uint32_t kbx_mset_size(const kbx_mset *m);
uint32_t kbx_mset_estimate(const kbx_mset *m, int which); /* 0 estimated, 1 lower, 2 upper */
uint32_t kbx_mset_docid(const kbx_mset *m, uint32_t i, kbx_error **err);
double kbx_mset_weight(const kbx_mset *m, uint32_t i, kbx_error **err);
int kbx_mset_percent(const kbx_mset *m, uint32_t i, kbx_error **err);
uint32_t kbx_mset_collapse_count(const kbx_mset *m, uint32_t i, kbx_error **err);
kbx_document *kbx_mset_document(const kbx_mset *m, uint32_t i, kbx_error **err);
/* Xapian's MSet::snippet; flags: 1 background model, 2 exhaustive, 4 empty without match, 2048 CJK n-grams. */
char *kbx_mset_snippet(const kbx_mset *m, const char *text, size_t len, size_t length,
                       const kbx_stem *stem, unsigned flags, const char *hi_start, size_t hs_len,
                       const char *hi_end, size_t he_len, const char *omit, size_t om_len,
                       size_t *out_len, kbx_error **err);

#ifdef __cplusplus
}
#endif
#endif
