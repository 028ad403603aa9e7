/* The SPEC parser: tokens to statements, by recursive descent over the
 * grammar in spec_ast.h. Literal signs are folded ("-1" is an INT), and
 * import lines are dropped, so Keras code can be pasted as it is. */
#include <string.h>
#include "io/spec_ast.h"

typedef struct parser {
    const nr_token *t;
    int pos, n;
    const char *file;
    nr_spec_arena *a;
    int depth;
} parser;

static const nr_token *peek(const parser *p) { return &p->t[p->pos]; }
static const nr_token *next(parser *p) { return p->pos < p->n - 1 ? &p->t[p->pos++] : &p->t[p->pos]; }
static int at(const parser *p, nr_tok_kind k) { return peek(p)->kind == k; }

static nr_status parse_error(const parser *p, const nr_token *t, const char *what) {
    char got[96];
    return nr_error(NR_STATUS_PARSE, "%s:%d:%d: expected %s, got %s", p->file, t->line, t->col, what,
                    nr_tok_describe(t, got, sizeof got));
}

static nr_status expect(parser *p, nr_tok_kind k, const char *what) {
    if (!at(p, k)) return parse_error(p, peek(p), what);
    next(p);
    return NR_OK;
}

static nr_ast *node(parser *p, nr_ast_kind kind, const nr_token *where) {
    nr_ast *e = nr_spec_alloc(p->a, sizeof *e);
    if (!e) return NULL;
    e->kind = kind;
    e->line = where->line;
    e->col = where->col;
    return e;
}

static nr_status parse_expr(parser *p, nr_ast **out);
static nr_status parse_unary(parser *p, nr_ast **out);

/* expr {',' expr} [','] up to the closing token. */
static nr_status parse_items(parser *p, nr_tok_kind close, const char *what, nr_ast *e) {
    int cap = 0;
    while (!at(p, close)) {
        nr_ast *item;
        NR_TRY(parse_expr(p, &item));
        NR_TRY(nr_spec_grow(p->a, (void **)&e->items, &cap, e->n + 1, sizeof *e->items));
        e->items[e->n++] = item;
        if (at(p, close)) break;
        NR_TRY(expect(p, NR_TOK_COMMA, what));
    }
    next(p);
    return NR_OK;
}

/* '(' already read: (), (x), (x,), (x, y). */
static nr_status parse_paren(parser *p, const nr_token *open, nr_ast **out) {
    nr_ast *e = node(p, NR_AST_TUPLE, open), *first;
    if (!e) return NR_NOMEM();
    if (at(p, NR_TOK_RPAREN)) {
        next(p);
        *out = e;
        return NR_OK;
    }
    NR_TRY(parse_expr(p, &first));
    if (at(p, NR_TOK_RPAREN)) {
        next(p);
        *out = first;
        return NR_OK;
    }
    NR_TRY(expect(p, NR_TOK_COMMA, "',' or ')'"));
    int cap = 1;
    e->items = nr_spec_alloc(p->a, sizeof *e->items);
    if (!e->items) return NR_NOMEM();
    e->items[0] = first;
    e->n = 1;
    while (!at(p, NR_TOK_RPAREN)) {
        nr_ast *item;
        NR_TRY(parse_expr(p, &item));
        NR_TRY(nr_spec_grow(p->a, (void **)&e->items, &cap, e->n + 1, sizeof *e->items));
        e->items[e->n++] = item;
        if (!at(p, NR_TOK_RPAREN)) NR_TRY(expect(p, NR_TOK_COMMA, "',' or ')'"));
    }
    next(p);
    *out = e;
    return NR_OK;
}

static nr_status parse_dict(parser *p, nr_ast *e) {
    int cap = 0, vcap = 0;
    while (!at(p, NR_TOK_RBRACE)) {
        nr_ast *k, *v;
        NR_TRY(parse_expr(p, &k));
        NR_TRY(expect(p, NR_TOK_COLON, "':' after a dict key"));
        NR_TRY(parse_expr(p, &v));
        NR_TRY(nr_spec_grow(p->a, (void **)&e->items, &cap, e->n + 1, sizeof *e->items));
        NR_TRY(nr_spec_grow(p->a, (void **)&e->values, &vcap, e->n + 1, sizeof *e->values));
        e->items[e->n] = k;
        e->values[e->n++] = v;
        if (!at(p, NR_TOK_RBRACE)) NR_TRY(expect(p, NR_TOK_COMMA, "',' or '}'"));
    }
    next(p);
    return NR_OK;
}

static nr_status parse_name(parser *p, const nr_token *t, nr_ast **out) {
    static const char *const keywords[] = {"def", "class", "if", "for", "while", "return", "lambda", "with", "try"};
    nr_ast *e;
    if (!strcmp(t->text, "True") || !strcmp(t->text, "False")) {
        if (!(e = node(p, NR_AST_BOOL, t))) return NR_NOMEM();
        e->i = t->text[0] == 'T';
    } else if (!strcmp(t->text, "None")) {
        if (!(e = node(p, NR_AST_NONE, t))) return NR_NOMEM();
    } else {
        for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
            if (!strcmp(t->text, keywords[i]))
                return nr_error(NR_STATUS_PARSE,
                                "%s:%d:%d: '%s' is Python, not SPEC: a SPEC holds only calls and assignments", p->file,
                                t->line, t->col, t->text);
        if (!(e = node(p, NR_AST_NAME, t))) return NR_NOMEM();
        e->s = t->text;
    }
    *out = e;
    return NR_OK;
}

static nr_status parse_primary(parser *p, nr_ast **out) {
    const nr_token *t = next(p);
    nr_ast *e = NULL;
    switch (t->kind) {
    case NR_TOK_NAME: return parse_name(p, t, out);
    case NR_TOK_INT:
        if (!(e = node(p, NR_AST_INT, t))) return NR_NOMEM();
        e->i = t->i;
        break;
    case NR_TOK_FLOAT:
        if (!(e = node(p, NR_AST_FLOAT, t))) return NR_NOMEM();
        e->f = t->f;
        break;
    case NR_TOK_STRING:
        if (!(e = node(p, NR_AST_STR, t))) return NR_NOMEM();
        e->s = t->text;
        break;
    case NR_TOK_LPAREN: return parse_paren(p, t, out);
    case NR_TOK_LBRACK:
        if (!(e = node(p, NR_AST_LIST, t))) return NR_NOMEM();
        NR_TRY(parse_items(p, NR_TOK_RBRACK, "',' or ']'", e));
        break;
    case NR_TOK_LBRACE:
        if (!(e = node(p, NR_AST_DICT, t))) return NR_NOMEM();
        NR_TRY(parse_dict(p, e));
        break;
    default: return parse_error(p, t, "a value (a name, number, string, '(', '[' or '{')");
    }
    *out = e;
    return NR_OK;
}

static nr_status parse_arg(parser *p, nr_ast_arg *arg, int seen_keyword) {
    const nr_token *t = peek(p);
    if (t->kind == NR_TOK_NAME && p->t[p->pos + 1].kind == NR_TOK_EQUALS) {
        arg->name = t->text;
        arg->line = t->line;
        arg->col = t->col;
        p->pos += 2;
        return parse_expr(p, &arg->value);
    }
    if (seen_keyword)
        return nr_error(NR_STATUS_PARSE, "%s:%d:%d: positional argument follows keyword argument", p->file, t->line,
                        t->col);
    arg->line = t->line;
    arg->col = t->col;
    return parse_expr(p, &arg->value);
}

/* '(' already read. */
static nr_status parse_call(parser *p, const nr_token *open, nr_ast *callee, nr_ast **out) {
    nr_ast *e = node(p, NR_AST_CALL, open);
    int cap = 0, seen_keyword = 0;
    if (!e) return NR_NOMEM();
    e->line = callee->line;
    e->col = callee->col;
    e->obj = callee;
    while (!at(p, NR_TOK_RPAREN)) {
        NR_TRY(nr_spec_grow(p->a, (void **)&e->args, &cap, e->n + 1, sizeof *e->args));
        nr_ast_arg *arg = &e->args[e->n++];
        memset(arg, 0, sizeof *arg);
        NR_TRY(parse_arg(p, arg, seen_keyword));
        seen_keyword |= arg->name != NULL;
        if (!at(p, NR_TOK_RPAREN)) NR_TRY(expect(p, NR_TOK_COMMA, "',' or ')'"));
    }
    next(p);
    *out = e;
    return NR_OK;
}

static nr_status parse_postfix(parser *p, nr_ast **out) {
    nr_ast *e = NULL;
    NR_TRY(parse_primary(p, &e));
    for (;;) {
        const nr_token *t = peek(p);
        if (t->kind == NR_TOK_LPAREN) {
            next(p);
            NR_TRY(parse_call(p, t, e, &e));
        } else if (t->kind == NR_TOK_DOT) {
            next(p);
            const nr_token *name = peek(p);
            if (name->kind != NR_TOK_NAME) return parse_error(p, name, "an attribute name after '.'");
            next(p);
            nr_ast *a = node(p, NR_AST_ATTR, name);
            if (!a) return NR_NOMEM();
            a->obj = e;
            a->s = name->text;
            e = a;
        } else if (t->kind == NR_TOK_LBRACK) {
            next(p);
            nr_ast *ix = node(p, NR_AST_INDEX, t);
            if (!ix) return NR_NOMEM();
            ix->obj = e;
            NR_TRY(parse_expr(p, &ix->index));
            NR_TRY(expect(p, NR_TOK_RBRACK, "']'"));
            e = ix;
        } else {
            break;
        }
    }
    *out = e;
    return NR_OK;
}

static nr_status parse_unary(parser *p, nr_ast **out) {
    const nr_token *t = peek(p);
    if (t->kind != NR_TOK_MINUS && t->kind != NR_TOK_PLUS) return parse_postfix(p, out);
    if (++p->depth > NR_SPEC_MAX_DEPTH)
        return nr_error(NR_STATUS_PARSE, "%s:%d:%d: too many signs in a row", p->file, t->line, t->col);
    next(p);
    nr_ast *e;
    NR_TRY(parse_unary(p, &e));
    p->depth--;
    if (t->kind == NR_TOK_PLUS) {
        *out = e;
        return NR_OK;
    }
    if (e->kind == NR_AST_INT) {
        e->i = -e->i;
        e->line = t->line;
        e->col = t->col;
        *out = e;
        return NR_OK;
    }
    if (e->kind == NR_AST_FLOAT) {
        e->f = -e->f;
        e->line = t->line;
        e->col = t->col;
        *out = e;
        return NR_OK;
    }
    nr_ast *neg = node(p, NR_AST_NEG, t);
    if (!neg) return NR_NOMEM();
    neg->obj = e;
    *out = neg;
    return NR_OK;
}

static int at_name(const parser *p, int ahead, const char *name) {
    const nr_token *t = &p->t[p->pos + ahead < p->n ? p->pos + ahead : p->n - 1];
    return t->kind == NR_TOK_NAME && !strcmp(t->text, name);
}

/* unary [OP unary]: one comparison, Python's chains (a < b < c) left out. */
static nr_status parse_compare(parser *p, nr_ast **out) {
    nr_ast *left;
    NR_TRY(parse_unary(p, &left));
    const nr_token *t = peek(p);
    const char *op = t->kind == NR_TOK_CMP ? t->text : at_name(p, 0, "in") ? "in"
                     : at_name(p, 0, "not") && at_name(p, 1, "in") ? "not in" : NULL;
    if (!op) {
        *out = left;
        return NR_OK;
    }
    p->pos += strcmp(op, "not in") ? 1 : 2;
    nr_ast *e = node(p, NR_AST_CMP, t);
    if (!e) return NR_NOMEM();
    e->s = op;
    e->line = left->line, e->col = left->col;
    e->obj = left;
    NR_TRY(parse_unary(p, &e->index));
    *out = e;
    return NR_OK;
}

/* compare ['if' compare 'else' expr]: Python's conditional expression. */
static nr_status parse_expr(parser *p, nr_ast **out) {
    nr_ast *value;
    NR_TRY(parse_compare(p, &value));
    if (!at_name(p, 0, "if")) {
        *out = value;
        return NR_OK;
    }
    const nr_token *t = next(p);
    if (++p->depth > NR_SPEC_MAX_DEPTH)
        return nr_error(NR_STATUS_PARSE, "%s:%d:%d: conditional expressions nested too deeply", p->file, t->line,
                        t->col);
    nr_ast *e = node(p, NR_AST_IF, t);
    if (!e) return NR_NOMEM();
    e->line = value->line, e->col = value->col;
    e->obj = value;
    NR_TRY(parse_compare(p, &e->index));
    if (!at_name(p, 0, "else")) return parse_error(p, peek(p), "'else' in 'X if CONDITION else Y'");
    next(p);
    NR_TRY(parse_expr(p, &e->orelse));
    p->depth--;
    *out = e;
    return NR_OK;
}

/* import x / from x import y: Keras code starts with them. */
static int skip_import(parser *p) {
    const nr_token *t = peek(p);
    if (t->kind != NR_TOK_NAME || (strcmp(t->text, "import") && strcmp(t->text, "from"))) return 0;
    while (!at(p, NR_TOK_NEWLINE) && !at(p, NR_TOK_EOF)) next(p);
    return 1;
}

/* out, h, c = ...: the names after the first one, into a TUPLE target. */
static nr_status parse_target_tuple(parser *p, nr_ast *first, nr_ast **out) {
    nr_ast *t = node(p, NR_AST_TUPLE, peek(p));
    if (!t) return NR_NOMEM();
    t->line = first->line, t->col = first->col;
    int cap = 0;
    NR_TRY(nr_spec_grow(p->a, (void **)&t->items, &cap, 1, sizeof *t->items));
    t->items[t->n++] = first;
    while (at(p, NR_TOK_COMMA)) {
        next(p);
        if (at(p, NR_TOK_EQUALS)) break;
        NR_TRY(nr_spec_grow(p->a, (void **)&t->items, &cap, t->n + 1, sizeof *t->items));
        NR_TRY(parse_expr(p, &t->items[t->n++]));
    }
    *out = t;
    return NR_OK;
}

/* A name, an attribute (model.trainable), or a tuple or list of names. */
static int assignable(const nr_ast *e) {
    if (e->kind == NR_AST_NAME || e->kind == NR_AST_ATTR) return 1;
    if (e->kind != NR_AST_TUPLE && e->kind != NR_AST_LIST) return 0;
    for (int i = 0; i < e->n; i++)
        if (e->items[i]->kind != NR_AST_NAME) return 0;
    return e->n > 0;
}

static nr_status parse_statement(parser *p, nr_stmt *s) {
    const nr_token *start = peek(p);
    s->line = start->line;
    s->col = start->col;
    nr_ast *e;
    NR_TRY(parse_expr(p, &e));
    if (at(p, NR_TOK_COMMA) && e->kind == NR_AST_NAME) NR_TRY(parse_target_tuple(p, e, &e));
    if (at(p, NR_TOK_EQUALS)) {
        const nr_token *eq = next(p);
        if (!assignable(e))
            return nr_error(NR_STATUS_PARSE,
                            "%s:%d:%d: cannot assign to this expression; the left of '=' must be a name, "
                            "names (out, h, c = ...) or an attribute (model.trainable)",
                            p->file, eq->line, eq->col);
        s->kind = NR_STMT_ASSIGN;
        s->target = e;
        NR_TRY(parse_expr(p, &s->value));
    } else {
        s->kind = NR_STMT_EXPR;
        s->value = e;
    }
    if (!at(p, NR_TOK_NEWLINE) && !at(p, NR_TOK_EOF)) return parse_error(p, peek(p), "end of line");
    return NR_OK;
}

nr_status nr_spec_parse(const char *src, const char *file, nr_spec_arena *a, nr_spec_program *out) {
    parser p = {.file = file, .a = a};
    int cap = 0;
    memset(out, 0, sizeof *out);
    NR_TRY(nr_spec_lex(src, file, a, (nr_token **)&p.t, &p.n));
    while (!at(&p, NR_TOK_EOF)) {
        if (at(&p, NR_TOK_NEWLINE) || skip_import(&p)) {
            next(&p);
            continue;
        }
        NR_TRY(nr_spec_grow(a, (void **)&out->stmts, &cap, out->n + 1, sizeof *out->stmts));
        nr_stmt *s = &out->stmts[out->n++];
        memset(s, 0, sizeof *s);
        NR_TRY(parse_statement(&p, s));
    }
    return NR_OK;
}
