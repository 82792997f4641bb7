// shim.cpp — extern "C" wrappers over Xapian 1.4. Each wrapper runs its body inside
// `guard`, which turns every C++ exception into a kbx_error, so none can reach Swift.
#include "cxapian.h"

#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

struct kbx_error { std::string cls, msg; };
struct kbx_database { Xapian::Database db; };
struct kbx_wdb { Xapian::WritableDatabase db; };
struct kbx_document { Xapian::Document doc; };
struct kbx_stem { Xapian::Stem stem; };
struct kbx_termgen { Xapian::TermGenerator tg; };
struct kbx_qparser { Xapian::QueryParser qp; };
struct kbx_query { Xapian::Query q; };
struct kbx_enquire { Xapian::Enquire enq; };
struct kbx_mset { Xapian::MSet mset; };
struct kbx_spy { Xapian::ValueCountMatchSpy spy; };
struct kbx_list { std::vector<std::pair<std::string, uint64_t>> items; };

namespace {

void set_error(kbx_error **err, const char *cls, std::string msg) {
    if (!err) return;
    try {
        *err = new kbx_error{cls, std::move(msg)};
    } catch (...) {
        *err = nullptr;  // Out of memory while reporting: the caller sees a null result.
    }
}

// Runs f(); on any exception records it in *err and returns `failed`.
template <typename R, typename F>
R guard(kbx_error **err, R failed, F &&f) {
    try {
        return f();
    } catch (const Xapian::Error &e) {
        std::string msg = e.get_msg();
        if (!e.get_context().empty()) msg += " (" + e.get_context() + ")";
        if (e.get_error_string()) msg += std::string(": ") + e.get_error_string();
        set_error(err, e.get_type(), msg);
    } catch (const std::bad_alloc &) {
        set_error(err, "std::bad_alloc", "out of memory");
    } catch (const std::exception &e) {
        set_error(err, "std::exception", e.what());
    } catch (...) {
        set_error(err, "unknown", "unknown C++ exception");
    }
    return failed;
}

std::string str(const char *p, size_t n) { return p ? std::string(p, n) : std::string(); }

char *copy_out(const std::string &s, size_t *out_len) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    if (out_len) *out_len = s.size();
    return p;
}

}  // namespace

extern "C" {

// ---- errors and memory ----
const char *kbx_error_class(const kbx_error *e) { return e->cls.c_str(); }
const char *kbx_error_message(const kbx_error *e) { return e->msg.c_str(); }
void kbx_error_free(kbx_error *e) { delete e; }
void kbx_free(void *p) { std::free(p); }
const char *kbx_version(void) { return Xapian::version_string(); }

size_t kbx_list_count(const kbx_list *l) { return l->items.size(); }
const char *kbx_list_string(const kbx_list *l, size_t i, size_t *len) {
    *len = l->items[i].first.size();
    return l->items[i].first.data();
}
uint64_t kbx_list_number(const kbx_list *l, size_t i) { return l->items[i].second; }
void kbx_list_free(kbx_list *l) { delete l; }

// ---- stemmer ----
kbx_stem *kbx_stem_new(const char *lang, size_t lang_len, kbx_error **err) {
    return guard(err, (kbx_stem *)nullptr, [&] { return new kbx_stem{Xapian::Stem(str(lang, lang_len))}; });
}
void kbx_stem_free(kbx_stem *s) { delete s; }
char *kbx_stem_word(kbx_stem *s, const char *w, size_t w_len, size_t *out_len, kbx_error **err) {
    return guard(err, (char *)nullptr, [&] { return copy_out(s->stem(str(w, w_len)), out_len); });
}
char *kbx_stem_languages(size_t *out_len) {
    return guard(nullptr, (char *)nullptr, [&] { return copy_out(Xapian::Stem::get_available_languages(), out_len); });
}

// ---- read-only databases ----
kbx_database *kbx_database_open(const char *path, size_t path_len, kbx_error **err) {
    return guard(err, (kbx_database *)nullptr, [&] { return new kbx_database{Xapian::Database(str(path, path_len))}; });
}
kbx_database *kbx_database_open_remote(const char *host, size_t host_len, unsigned port, unsigned timeout_ms,
                                       unsigned connect_timeout_ms, kbx_error **err) {
    return guard(err, (kbx_database *)nullptr, [&] {
        return new kbx_database{Xapian::Remote::open(str(host, host_len), port, timeout_ms, connect_timeout_ms)};
    });
}
kbx_database *kbx_database_new_empty(void) {
    return guard(nullptr, (kbx_database *)nullptr, [&] { return new kbx_database{Xapian::Database()}; });
}
int kbx_database_add(kbx_database *db, const kbx_database *other, kbx_error **err) {
    return guard(err, 0, [&] { db->db.add_database(other->db); return 1; });
}
int kbx_database_reopen(kbx_database *db, int *changed, kbx_error **err) {
    return guard(err, 0, [&] { *changed = db->db.reopen() ? 1 : 0; return 1; });
}
size_t kbx_database_check(const char *path, size_t path_len, kbx_error **err) {
    return guard(err, (size_t)0, [&] { return Xapian::Database::check(str(path, path_len), 0, nullptr); });
}
int kbx_database_compact(kbx_database *db, const char *out, size_t out_len, kbx_error **err) {
    return guard(err, 0, [&] { db->db.compact(str(out, out_len)); return 1; });
}
void kbx_database_free(kbx_database *db) { delete db; }
uint32_t kbx_database_doc_count(const kbx_database *db, kbx_error **err) {
    return guard(err, 0u, [&] { return db->db.get_doccount(); });
}
uint32_t kbx_database_last_docid(const kbx_database *db, kbx_error **err) {
    return guard(err, 0u, [&] { return db->db.get_lastdocid(); });
}
uint32_t kbx_database_term_freq(const kbx_database *db, const char *t, size_t t_len, kbx_error **err) {
    return guard(err, 0u, [&] { return db->db.get_termfreq(str(t, t_len)); });
}
kbx_document *kbx_database_document(const kbx_database *db, uint32_t docid, kbx_error **err) {
    return guard(err, (kbx_document *)nullptr, [&] { return new kbx_document{db->db.get_document(docid)}; });
}
char *kbx_database_metadata(const kbx_database *db, const char *key, size_t key_len, size_t *out_len,
                            kbx_error **err) {
    return guard(err, (char *)nullptr, [&] { return copy_out(db->db.get_metadata(str(key, key_len)), out_len); });
}
char *kbx_database_spelling(const kbx_database *db, const char *w, size_t w_len, unsigned max_edit,
                            size_t *out_len, kbx_error **err) {
    return guard(err, (char *)nullptr, [&] {
        return copy_out(db->db.get_spelling_suggestion(str(w, w_len), max_edit), out_len);
    });
}
kbx_list *kbx_database_synonyms(const kbx_database *db, const char *t, size_t t_len, kbx_error **err) {
    return guard(err, (kbx_list *)nullptr, [&] {
        auto *l = new kbx_list;
        std::string term = str(t, t_len);
        for (auto it = db->db.synonyms_begin(term); it != db->db.synonyms_end(term); ++it)
            l->items.emplace_back(*it, 0);
        return l;
    });
}
kbx_list *kbx_database_terms(const kbx_database *db, const char *prefix, size_t prefix_len, size_t limit,
                             kbx_error **err) {
    return guard(err, (kbx_list *)nullptr, [&] {
        auto *l = new kbx_list;
        std::string p = str(prefix, prefix_len);
        for (auto it = db->db.allterms_begin(p); it != db->db.allterms_end(p); ++it) {
            if (limit && l->items.size() >= limit) break;
            l->items.emplace_back(*it, it.get_termfreq());
        }
        return l;
    });
}
uint32_t *kbx_database_positions(const kbx_database *db, uint32_t docid, const char *t, size_t t_len,
                                 size_t *count, kbx_error **err) {
    return guard(err, (uint32_t *)nullptr, [&] {
        std::vector<uint32_t> v;
        std::string term = str(t, t_len);
        for (auto it = db->db.positionlist_begin(docid, term); it != db->db.positionlist_end(docid, term); ++it)
            v.push_back(*it);
        auto *out = static_cast<uint32_t *>(std::malloc(sizeof(uint32_t) * (v.size() + 1)));
        if (!out) throw std::bad_alloc();
        if (!v.empty()) std::memcpy(out, v.data(), sizeof(uint32_t) * v.size());
        *count = v.size();
        return out;
    });
}

// ---- writable databases ----
kbx_wdb *kbx_wdb_open(const char *path, size_t path_len, int action, kbx_error **err) {
    return guard(err, (kbx_wdb *)nullptr, [&] {
        int a = action == KBX_DB_CREATE_OR_OVERWRITE ? Xapian::DB_CREATE_OR_OVERWRITE
              : action == KBX_DB_CREATE ? Xapian::DB_CREATE
              : action == KBX_DB_OPEN ? Xapian::DB_OPEN : Xapian::DB_CREATE_OR_OPEN;
        return new kbx_wdb{Xapian::WritableDatabase(str(path, path_len), a)};
    });
}
void kbx_wdb_free(kbx_wdb *db) {
    // The destructor of a WritableDatabase may commit and so may throw: swallow it here,
    // callers that care call kbx_wdb_close first and see the error there.
    guard(nullptr, 0, [&] { delete db; return 0; });
}
int kbx_wdb_close(kbx_wdb *db, kbx_error **err) {
    return guard(err, 0, [&] { db->db.close(); return 1; });
}
uint32_t kbx_wdb_add(kbx_wdb *db, const kbx_document *doc, kbx_error **err) {
    return guard(err, 0u, [&] { return db->db.add_document(doc->doc); });
}
uint32_t kbx_wdb_replace_by_term(kbx_wdb *db, const char *t, size_t t_len, const kbx_document *doc,
                                 kbx_error **err) {
    return guard(err, 0u, [&] { return db->db.replace_document(str(t, t_len), doc->doc); });
}
int kbx_wdb_delete_by_term(kbx_wdb *db, const char *t, size_t t_len, kbx_error **err) {
    return guard(err, 0, [&] { db->db.delete_document(str(t, t_len)); return 1; });
}
int kbx_wdb_delete(kbx_wdb *db, uint32_t docid, kbx_error **err) {
    return guard(err, 0, [&] { db->db.delete_document(docid); return 1; });
}
kbx_document *kbx_wdb_document(const kbx_wdb *db, uint32_t docid, kbx_error **err) {
    return guard(err, (kbx_document *)nullptr, [&] { return new kbx_document{db->db.get_document(docid)}; });
}
uint32_t kbx_wdb_doc_count(const kbx_wdb *db, kbx_error **err) {
    return guard(err, 0u, [&] { return db->db.get_doccount(); });
}
int kbx_wdb_commit(kbx_wdb *db, kbx_error **err) {
    return guard(err, 0, [&] { db->db.commit(); return 1; });
}
int kbx_wdb_begin_transaction(kbx_wdb *db, int flushed, kbx_error **err) {
    return guard(err, 0, [&] { db->db.begin_transaction(flushed != 0); return 1; });
}
int kbx_wdb_commit_transaction(kbx_wdb *db, kbx_error **err) {
    return guard(err, 0, [&] { db->db.commit_transaction(); return 1; });
}
int kbx_wdb_cancel_transaction(kbx_wdb *db, kbx_error **err) {
    return guard(err, 0, [&] { db->db.cancel_transaction(); return 1; });
}
int kbx_wdb_set_metadata(kbx_wdb *db, const char *key, size_t key_len, const char *val, size_t val_len,
                         kbx_error **err) {
    return guard(err, 0, [&] { db->db.set_metadata(str(key, key_len), str(val, val_len)); return 1; });
}
int kbx_wdb_add_spelling(kbx_wdb *db, const char *w, size_t w_len, unsigned inc, kbx_error **err) {
    return guard(err, 0, [&] { db->db.add_spelling(str(w, w_len), inc); return 1; });
}
int kbx_wdb_add_synonym(kbx_wdb *db, const char *t, size_t t_len, const char *syn, size_t syn_len,
                        kbx_error **err) {
    return guard(err, 0, [&] { db->db.add_synonym(str(t, t_len), str(syn, syn_len)); return 1; });
}

// ---- documents ----
kbx_document *kbx_document_new(void) {
    return guard(nullptr, (kbx_document *)nullptr, [&] { return new kbx_document; });
}
void kbx_document_free(kbx_document *d) { delete d; }
uint32_t kbx_document_docid(const kbx_document *d) { return d->doc.get_docid(); }
int kbx_document_set_data(kbx_document *d, const char *data, size_t len, kbx_error **err) {
    return guard(err, 0, [&] { d->doc.set_data(str(data, len)); return 1; });
}
char *kbx_document_data(const kbx_document *d, size_t *out_len, kbx_error **err) {
    return guard(err, (char *)nullptr, [&] { return copy_out(d->doc.get_data(), out_len); });
}
int kbx_document_add_term(kbx_document *d, const char *t, size_t t_len, uint32_t wdf, kbx_error **err) {
    return guard(err, 0, [&] { d->doc.add_term(str(t, t_len), wdf); return 1; });
}
int kbx_document_add_boolean_term(kbx_document *d, const char *t, size_t t_len, kbx_error **err) {
    return guard(err, 0, [&] { d->doc.add_boolean_term(str(t, t_len)); return 1; });
}
int kbx_document_add_posting(kbx_document *d, const char *t, size_t t_len, uint32_t pos, uint32_t wdf,
                             kbx_error **err) {
    return guard(err, 0, [&] { d->doc.add_posting(str(t, t_len), pos, wdf); return 1; });
}
int kbx_document_remove_term(kbx_document *d, const char *t, size_t t_len, kbx_error **err) {
    return guard(err, 0, [&] { d->doc.remove_term(str(t, t_len)); return 1; });
}
int kbx_document_set_value(kbx_document *d, unsigned slot, const char *v, size_t len, kbx_error **err) {
    return guard(err, 0, [&] { d->doc.add_value(slot, str(v, len)); return 1; });
}
char *kbx_document_value(const kbx_document *d, unsigned slot, size_t *out_len, kbx_error **err) {
    return guard(err, (char *)nullptr, [&] { return copy_out(d->doc.get_value(slot), out_len); });
}
kbx_list *kbx_document_terms(const kbx_document *d, kbx_error **err) {
    return guard(err, (kbx_list *)nullptr, [&] {
        auto *l = new kbx_list;
        for (auto it = d->doc.termlist_begin(); it != d->doc.termlist_end(); ++it)
            l->items.emplace_back(*it, it.get_wdf());
        return l;
    });
}

// ---- term generator ----
kbx_termgen *kbx_termgen_new(void) {
    return guard(nullptr, (kbx_termgen *)nullptr, [&] { return new kbx_termgen; });
}
void kbx_termgen_free(kbx_termgen *g) { delete g; }
void kbx_termgen_set_stemmer(kbx_termgen *g, const kbx_stem *s) {
    guard(nullptr, 0, [&] { g->tg.set_stemmer(s ? s->stem : Xapian::Stem()); return 0; });
}
void kbx_termgen_set_stemming_strategy(kbx_termgen *g, int strategy) {
    g->tg.set_stemming_strategy(static_cast<Xapian::TermGenerator::stem_strategy>(strategy));
}
void kbx_termgen_set_flags(kbx_termgen *g, int flags) {
    g->tg.set_flags(static_cast<Xapian::TermGenerator::flags>(flags));
}
void kbx_termgen_set_document(kbx_termgen *g, kbx_document *d) {
    guard(nullptr, 0, [&] { g->tg.set_document(d->doc); return 0; });
}
int kbx_termgen_set_database(kbx_termgen *g, kbx_wdb *db, kbx_error **err) {
    return guard(err, 0, [&] { g->tg.set_database(db->db); return 1; });
}
void kbx_termgen_set_max_word_length(kbx_termgen *g, unsigned len) { g->tg.set_max_word_length(len); }
int kbx_termgen_index_text(kbx_termgen *g, const char *text, size_t len, uint32_t wdf_inc, const char *prefix,
                           size_t prefix_len, int with_positions, kbx_error **err) {
    return guard(err, 0, [&] {
        if (with_positions)
            g->tg.index_text(str(text, len), wdf_inc, str(prefix, prefix_len));
        else
            g->tg.index_text_without_positions(str(text, len), wdf_inc, str(prefix, prefix_len));
        return 1;
    });
}
void kbx_termgen_increase_termpos(kbx_termgen *g, uint32_t delta) { g->tg.increase_termpos(delta); }
uint32_t kbx_termgen_termpos(const kbx_termgen *g) { return g->tg.get_termpos(); }

// ---- queries ----
kbx_query *kbx_query_term(const char *t, size_t t_len, uint32_t wqf, uint32_t pos, kbx_error **err) {
    return guard(err, (kbx_query *)nullptr, [&] { return new kbx_query{Xapian::Query(str(t, t_len), wqf, pos)}; });
}
kbx_query *kbx_query_match_all(void) {
    // Not a copy of the static Query::MatchAll: its reference count is shared by every
    // thread and is not atomic (query.h says so); a race on it crashed kbqd under load.
    return guard(nullptr, (kbx_query *)nullptr, [&] { return new kbx_query{Xapian::Query(std::string())}; });
}
kbx_query *kbx_query_match_nothing(void) {
    return guard(nullptr, (kbx_query *)nullptr, [&] { return new kbx_query{Xapian::Query::MatchNothing}; });
}
kbx_query *kbx_query_combine(int op, const kbx_query *const *subs, size_t n, uint32_t window, kbx_error **err) {
    return guard(err, (kbx_query *)nullptr, [&] {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; ++i) v.push_back(subs[i]->q);
        return new kbx_query{Xapian::Query(static_cast<Xapian::Query::op>(op), v.begin(), v.end(), window)};
    });
}
kbx_query *kbx_query_scale(const kbx_query *q, double factor, kbx_error **err) {
    return guard(err, (kbx_query *)nullptr, [&] {
        return new kbx_query{Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor)};
    });
}
kbx_query *kbx_query_value_range(int op, unsigned slot, const char *lo, size_t lo_len, const char *hi, size_t hi_len,
                                 kbx_error **err) {
    return guard(err, (kbx_query *)nullptr, [&] {
        if (op == KBX_OP_VALUE_RANGE)
            return new kbx_query{Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, str(lo, lo_len), str(hi, hi_len))};
        // OP_VALUE_GE takes `lo`, OP_VALUE_LE takes `hi`.
        const std::string &limit = op == KBX_OP_VALUE_GE ? str(lo, lo_len) : str(hi, hi_len);
        return new kbx_query{Xapian::Query(static_cast<Xapian::Query::op>(op), slot, limit)};
    });
}
kbx_query *kbx_query_wildcard(const char *pattern, size_t len, uint32_t max_expansion, kbx_error **err) {
    return guard(err, (kbx_query *)nullptr, [&] {
        return new kbx_query{Xapian::Query(Xapian::Query::OP_WILDCARD, str(pattern, len), max_expansion,
                                           Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT)};
    });
}
void kbx_query_free(kbx_query *q) { delete q; }
int kbx_query_is_empty(const kbx_query *q) { return q->q.empty() ? 1 : 0; }
char *kbx_query_describe(const kbx_query *q, size_t *out_len) {
    return guard(nullptr, (char *)nullptr, [&] { return copy_out(q->q.get_description(), out_len); });
}
kbx_list *kbx_query_terms(const kbx_query *q, kbx_error **err) {
    return guard(err, (kbx_list *)nullptr, [&] {
        auto *l = new kbx_list;
        for (auto it = q->q.get_unique_terms_begin(); it != q->q.get_unique_terms_end(); ++it)
            l->items.emplace_back(*it, it.get_wdf());
        return l;
    });
}

// ---- query parser ----
kbx_qparser *kbx_qparser_new(void) {
    return guard(nullptr, (kbx_qparser *)nullptr, [&] { return new kbx_qparser; });
}
void kbx_qparser_free(kbx_qparser *p) { delete p; }
void kbx_qparser_set_stemmer(kbx_qparser *p, const kbx_stem *s) {
    guard(nullptr, 0, [&] { p->qp.set_stemmer(s ? s->stem : Xapian::Stem()); return 0; });
}
void kbx_qparser_set_stemming_strategy(kbx_qparser *p, int strategy) {
    p->qp.set_stemming_strategy(static_cast<Xapian::QueryParser::stem_strategy>(strategy));
}
void kbx_qparser_set_default_op(kbx_qparser *p, int op) {
    guard(nullptr, 0, [&] { p->qp.set_default_op(static_cast<Xapian::Query::op>(op)); return 0; });
}
void kbx_qparser_set_database(kbx_qparser *p, const kbx_database *db) {
    guard(nullptr, 0, [&] { p->qp.set_database(db->db); return 0; });
}
void kbx_qparser_set_max_expansion(kbx_qparser *p, uint32_t max) {
    p->qp.set_max_expansion(max, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
}
int kbx_qparser_add_prefix(kbx_qparser *p, const char *field, size_t f_len, const char *prefix, size_t p_len,
                           int boolean, kbx_error **err) {
    return guard(err, 0, [&] {
        if (boolean)
            p->qp.add_boolean_prefix(str(field, f_len), str(prefix, p_len));
        else
            p->qp.add_prefix(str(field, f_len), str(prefix, p_len));
        return 1;
    });
}
kbx_query *kbx_qparser_parse(kbx_qparser *p, const char *q, size_t q_len, unsigned flags, const char *default_prefix,
                             size_t dp_len, kbx_error **err) {
    return guard(err, (kbx_query *)nullptr, [&] {
        return new kbx_query{p->qp.parse_query(str(q, q_len), flags, str(default_prefix, dp_len))};
    });
}
char *kbx_qparser_corrected(const kbx_qparser *p, size_t *out_len) {
    return guard(nullptr, (char *)nullptr, [&] { return copy_out(p->qp.get_corrected_query_string(), out_len); });
}

// ---- enquire, match spies, results ----
kbx_enquire *kbx_enquire_new(const kbx_database *db, kbx_error **err) {
    return guard(err, (kbx_enquire *)nullptr, [&] { return new kbx_enquire{Xapian::Enquire(db->db)}; });
}
void kbx_enquire_free(kbx_enquire *e) { delete e; }
int kbx_enquire_set_query(kbx_enquire *e, const kbx_query *q, kbx_error **err) {
    return guard(err, 0, [&] { e->enq.set_query(q->q); return 1; });
}
int kbx_enquire_set_bm25(kbx_enquire *e, double k1, double k2, double k3, double b, double min_normlen,
                         kbx_error **err) {
    return guard(err, 0, [&] { e->enq.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen)); return 1; });
}
int kbx_enquire_set_bool_weight(kbx_enquire *e, kbx_error **err) {
    return guard(err, 0, [&] { e->enq.set_weighting_scheme(Xapian::BoolWeight()); return 1; });
}
int kbx_enquire_set_sort(kbx_enquire *e, int mode, unsigned slot, int reverse, kbx_error **err) {
    return guard(err, 0, [&] {
        switch (mode) {
            case 1: e->enq.set_sort_by_value(slot, reverse != 0); break;
            case 2: e->enq.set_sort_by_value_then_relevance(slot, reverse != 0); break;
            case 3: e->enq.set_sort_by_relevance_then_value(slot, reverse != 0); break;
            default: e->enq.set_sort_by_relevance(); break;
        }
        return 1;
    });
}
int kbx_enquire_set_collapse_key(kbx_enquire *e, unsigned slot, uint32_t max, kbx_error **err) {
    return guard(err, 0, [&] { e->enq.set_collapse_key(slot, max); return 1; });
}
int kbx_enquire_set_time_limit(kbx_enquire *e, double seconds, kbx_error **err) {
    return guard(err, 0, [&] { e->enq.set_time_limit(seconds); return 1; });
}
int kbx_enquire_add_spy(kbx_enquire *e, kbx_spy *s, kbx_error **err) {
    // The spy must outlive the enquire: the Swift wrapper keeps a reference to it.
    return guard(err, 0, [&] { e->enq.add_matchspy(&s->spy); return 1; });
}
kbx_mset *kbx_enquire_mset(kbx_enquire *e, uint32_t first, uint32_t max, uint32_t check_at_least, kbx_error **err) {
    return guard(err, (kbx_mset *)nullptr, [&] { return new kbx_mset{e->enq.get_mset(first, max, check_at_least)}; });
}

kbx_spy *kbx_spy_new(unsigned slot) {
    return guard(nullptr, (kbx_spy *)nullptr, [&] { return new kbx_spy{Xapian::ValueCountMatchSpy(slot)}; });
}
void kbx_spy_free(kbx_spy *s) { delete s; }
uint32_t kbx_spy_total(const kbx_spy *s, kbx_error **err) {
    return guard(err, 0u, [&] { return s->spy.get_total(); });
}
kbx_list *kbx_spy_values(const kbx_spy *s, size_t max, kbx_error **err) {
    return guard(err, (kbx_list *)nullptr, [&] {
        auto *l = new kbx_list;
        for (auto it = s->spy.top_values_begin(max); it != s->spy.top_values_end(max); ++it)
            l->items.emplace_back(*it, it.get_termfreq());
        return l;
    });
}

void kbx_mset_free(kbx_mset *m) { delete m; }
uint32_t kbx_mset_size(const kbx_mset *m) { return m->mset.size(); }
uint32_t kbx_mset_estimate(const kbx_mset *m, int which) {
    return which == 1 ? m->mset.get_matches_lower_bound()
         : which == 2 ? m->mset.get_matches_upper_bound() : m->mset.get_matches_estimated();
}
uint32_t kbx_mset_docid(const kbx_mset *m, uint32_t i, kbx_error **err) {
    return guard(err, 0u, [&] { return *(m->mset[i]); });
}
double kbx_mset_weight(const kbx_mset *m, uint32_t i, kbx_error **err) {
    return guard(err, 0.0, [&] { return m->mset[i].get_weight(); });
}
int kbx_mset_percent(const kbx_mset *m, uint32_t i, kbx_error **err) {
    return guard(err, 0, [&] { return m->mset[i].get_percent(); });
}
uint32_t kbx_mset_collapse_count(const kbx_mset *m, uint32_t i, kbx_error **err) {
    return guard(err, 0u, [&] { return m->mset[i].get_collapse_count(); });
}
kbx_document *kbx_mset_document(const kbx_mset *m, uint32_t i, kbx_error **err) {
    return guard(err, (kbx_document *)nullptr, [&] { return new kbx_document{m->mset[i].get_document()}; });
}
char *kbx_mset_snippet(const kbx_mset *m, const char *text, size_t len, size_t length, const kbx_stem *stem,
                       unsigned flags, const char *hi_start, size_t hs_len, const char *hi_end, size_t he_len,
                       const char *omit, size_t om_len, size_t *out_len, kbx_error **err) {
    return guard(err, (char *)nullptr, [&] {
        return copy_out(m->mset.snippet(str(text, len), length, stem ? stem->stem : Xapian::Stem(), flags,
                                        str(hi_start, hs_len), str(hi_end, he_len), str(omit, om_len)),
                        out_len);
    });
}

}  // extern "C"
