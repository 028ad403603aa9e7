/* The SPEC tokenizer: Python's token rules for the subset the language
 * needs. Brackets are matched here, so "'(' was never closed" points at
 * the bracket itself (as Python does) rather than wherever the parser
 * would have given up; newlines inside brackets are whitespace. */
#include <errno.h>
#include <string.h>
#include "io/spec_ast.h"

typedef struct lexer {
    const char *p, *line_start, *file;
    int line;
    nr_spec_arena *a;
    nr_token *toks;
    int n, cap;
    struct {
        char ch;
        int line, col;
    } open[NR_SPEC_MAX_DEPTH];
    int depth;
} lexer;

static int col_of(const lexer *x, const char *at) { return (int)(at - x->line_start) + 1; }

static nr_status lex_error(const lexer *x, int line, int col, const char *fmt, const char *arg) {
    char msg[512];
    snprintf(msg, sizeof msg, fmt, arg);
    return nr_error(NR_STATUS_PARSE, "%s:%d:%d: %s", x->file, line, col, msg);
}

static nr_status push(lexer *x, nr_tok_kind kind, int line, int col, nr_token **out) {
    NR_TRY(nr_spec_grow(x->a, (void **)&x->toks, &x->cap, x->n + 1, sizeof *x->toks));
    nr_token *t = &x->toks[x->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->line = line;
    t->col = col;
    if (out) *out = t;
    return NR_OK;
}

/* A statement ends: one NEWLINE, never two in a row or at the start. */
static nr_status end_statement(lexer *x, int line, int col) {
    if (x->n == 0 || x->toks[x->n - 1].kind == NR_TOK_NEWLINE) return NR_OK;
    return push(x, NR_TOK_NEWLINE, line, col, NULL);
}

static int is_name_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_name_char(int c) { return is_name_start(c) || is_digit(c); }

static nr_status lex_number(lexer *x) {
    const char *s = x->p, *q = s;
    int line = x->line, col = col_of(x, s), is_float = 0;
    while (is_digit(*q)) q++;
    if (*q == '.') {
        is_float = 1;
        q++;
        while (is_digit(*q)) q++;
    }
    if (*q == 'e' || *q == 'E') {
        const char *e = q + 1;
        if (*e == '+' || *e == '-') e++;
        if (!is_digit(*e)) return lex_error(x, line, col, "invalid number: the exponent has no digits%s", "");
        while (is_digit(*e)) e++;
        q = e;
        is_float = 1;
    }
    if (is_name_char(*q) || *q == '.')
        return lex_error(x, line, col_of(x, q), "invalid number: unexpected '%.1s' after the digits", q);
    char *text = nr_spec_strndup(x->a, s, (size_t)(q - s));
    nr_token *t;
    if (!text) return NR_NOMEM();
    NR_TRY(push(x, is_float ? NR_TOK_FLOAT : NR_TOK_INT, line, col, &t));
    errno = 0;
    if (is_float)
        t->f = strtod(text, NULL);
    else
        t->i = strtoll(text, NULL, 10);
    if (errno == ERANGE && !is_float) return lex_error(x, line, col, "integer %s is too large", text);
    x->p = q;
    return NR_OK;
}

/* Finds the closing quote; *end is just past it. */
static nr_status string_end(lexer *x, const char *body, char q, int triple, int line, int col, const char **end) {
    const char *p = body;
    for (;;) {
        if (*p == 0) return lex_error(x, line, col, "unterminated string%s", triple ? " (triple-quoted)" : "");
        if (*p == '\n' && !triple)
            return lex_error(x, line, col, "unterminated string: it needs a closing %s", q == '"' ? "\"" : "'");
        if (*p == '\\' && p[1]) {
            p += 2;
            continue;
        }
        if (*p == q && (!triple || (p[1] == q && p[2] == q))) break;
        p++;
    }
    *end = p + (triple ? 3 : 1);
    return NR_OK;
}

static char escape(char c) {
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '\\':
    case '\'':
    case '"': return c;
    default: return 0;
    }
}

/* Decodes body[0..n) into the arena, counting the lines it spans. */
static nr_status decode(lexer *x, const char *body, size_t n, int raw, int line, int col, char **out) {
    char *s = nr_spec_alloc(x->a, n + 1), *w = s;
    if (!s) return NR_NOMEM();
    for (size_t i = 0; i < n; i++) {
        char c = body[i];
        if (c == '\n') {
            x->line++;
            x->line_start = body + i + 1;
        }
        if (c != '\\' || i + 1 >= n) {
            *w++ = c;
            continue;
        }
        char next = body[++i], e = escape(next);
        if (next == '\n') {
            x->line++;
            x->line_start = body + i + 1;
        }
        if (raw || !e) {
            if (!raw && next == '0') return lex_error(x, line, col, "a string cannot hold a NUL character (\\0)%s", "");
            if (!(next == '\n' && !raw)) {
                *w++ = '\\';
                *w++ = next;
            }
            continue;
        }
        *w++ = e;
    }
    *w = 0;
    *out = s;
    return NR_OK;
}

static nr_status lex_string(lexer *x, int raw) {
    const char *start = x->p;
    int line = x->line, col = col_of(x, start);
    if (raw) x->p++; /* the r or u prefix */
    char q = *x->p;
    int triple = x->p[1] == q && x->p[2] == q;
    const char *body = x->p + (triple ? 3 : 1), *end = body;
    NR_TRY(string_end(x, body, q, triple, line, col, &end));
    nr_token *t;
    NR_TRY(push(x, NR_TOK_STRING, line, col, &t));
    char *text = NULL;
    NR_TRY(decode(x, body, (size_t)(end - body) - (triple ? 3 : 1), raw && (*start == 'r' || *start == 'R'), line, col,
                  &text));
    t->text = text;
    x->p = end;
    return NR_OK;
}

static nr_status lex_name(lexer *x) {
    const char *s = x->p;
    while (is_name_char(*x->p)) x->p++;
    nr_token *t;
    NR_TRY(push(x, NR_TOK_NAME, x->line, col_of(x, s), &t));
    t->text = nr_spec_strndup(x->a, s, (size_t)(x->p - s));
    return t->text ? NR_OK : NR_NOMEM();
}

static nr_status open_bracket(lexer *x, nr_tok_kind kind) {
    int col = col_of(x, x->p);
    if (x->depth == NR_SPEC_MAX_DEPTH)
        return lex_error(x, x->line, col, "brackets are nested too deeply (more than %s levels)", "64");
    x->open[x->depth].ch = *x->p;
    x->open[x->depth].line = x->line;
    x->open[x->depth].col = col;
    x->depth++;
    x->p++;
    return push(x, kind, x->line, col, NULL);
}

static nr_status close_bracket(lexer *x, nr_tok_kind kind) {
    int col = col_of(x, x->p);
    char c = *x->p, want = c == ')' ? '(' : c == ']' ? '[' : '{';
    if (x->depth == 0) return lex_error(x, x->line, col, "unmatched '%.1s'", x->p);
    if (x->open[x->depth - 1].ch != want) {
        char msg[160];
        snprintf(msg, sizeof msg, "closing '%c' does not match '%c' at %d:%d", c, x->open[x->depth - 1].ch,
                 x->open[x->depth - 1].line, x->open[x->depth - 1].col);
        return lex_error(x, x->line, col, "%s", msg);
    }
    x->depth--;
    x->p++;
    return push(x, kind, x->line, col, NULL);
}

/* A comparison operator at p, or NULL: "==", "!=", "<", "<=", ">", ">=". */
static const char *lex_compare(const char *p) {
    static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strncmp(p, ops[i], strlen(ops[i]))) return ops[i];
    return NULL;
}

static nr_status lex_punct(lexer *x) {
    static const struct {
        char c;
        nr_tok_kind k;
    } simple[] = {
        {',', NR_TOK_COMMA}, {'.', NR_TOK_DOT},   {'=', NR_TOK_EQUALS},
        {':', NR_TOK_COLON}, {'-', NR_TOK_MINUS}, {'+', NR_TOK_PLUS},
    };
    char c = *x->p;
    if (c == '=' || c == '!' || c == '<' || c == '>') {
        const char *op = lex_compare(x->p);
        if (op) {
            nr_token *t;
            NR_TRY(push(x, NR_TOK_CMP, x->line, col_of(x, x->p), &t));
            t->text = op;
            x->p += strlen(op);
            return NR_OK;
        }
    }
    if (c == '(') return open_bracket(x, NR_TOK_LPAREN);
    if (c == '[') return open_bracket(x, NR_TOK_LBRACK);
    if (c == '{') return open_bracket(x, NR_TOK_LBRACE);
    if (c == ')') return close_bracket(x, NR_TOK_RPAREN);
    if (c == ']') return close_bracket(x, NR_TOK_RBRACK);
    if (c == '}') return close_bracket(x, NR_TOK_RBRACE);
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
        if (c == simple[i].c) {
            x->p++;
            return push(x, simple[i].k, x->line, col_of(x, x->p - 1), NULL);
        }
    char shown[8];
    if (c > 32 && c < 127)
        snprintf(shown, sizeof shown, "'%c'", c);
    else
        snprintf(shown, sizeof shown, "\\x%02x", (unsigned char)c);
    return lex_error(x, x->line, col_of(x, x->p), "unexpected character %s", shown);
}

/* Whitespace, comments, line continuations and newlines. Returns 1 when
 * something was skipped. */
static nr_status skip(lexer *x, int *skipped) {
    const char *p = x->p;
    *skipped = 1;
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f') {
        x->p++;
        return NR_OK;
    }
    if (*p == '#') {
        while (*x->p && *x->p != '\n') x->p++;
        return NR_OK;
    }
    if (*p == '\\') {
        const char *q = p + 1;
        if (*q == '\r') q++;
        if (*q != '\n') return lex_error(x, x->line, col_of(x, p), "unexpected character %s", "'\\'");
        x->p = q + 1;
        x->line++;
        x->line_start = x->p;
        return NR_OK;
    }
    if (*p == '\n' || (*p == ';' && x->depth == 0)) {
        if (x->depth == 0) NR_TRY(end_statement(x, x->line, col_of(x, p)));
        x->p++;
        if (*p == '\n') {
            x->line++;
            x->line_start = x->p;
        }
        return NR_OK;
    }
    *skipped = 0;
    return NR_OK;
}

static nr_status lex_all(lexer *x) {
    if ((unsigned char)x->p[0] == 0xEF && (unsigned char)x->p[1] == 0xBB && (unsigned char)x->p[2] == 0xBF) {
        x->p += 3; /* UTF-8 byte order mark */
        x->line_start = x->p;
    }
    while (*x->p) {
        int skipped;
        NR_TRY(skip(x, &skipped));
        if (skipped) continue;
        char c = *x->p, next = x->p[1];
        if ((c == 'r' || c == 'R' || c == 'u' || c == 'U') && (next == '"' || next == '\''))
            NR_TRY(lex_string(x, 1));
        else if (is_name_start(c))
            NR_TRY(lex_name(x));
        else if (is_digit(c) || (c == '.' && is_digit(next)))
            NR_TRY(lex_number(x));
        else if (c == '"' || c == '\'')
            NR_TRY(lex_string(x, 0));
        else
            NR_TRY(lex_punct(x));
    }
    if (x->depth > 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "'%c' was never closed", x->open[x->depth - 1].ch);
        return lex_error(x, x->open[x->depth - 1].line, x->open[x->depth - 1].col, "%s", msg);
    }
    NR_TRY(end_statement(x, x->line, col_of(x, x->p)));
    return push(x, NR_TOK_EOF, x->line, col_of(x, x->p), NULL);
}

nr_status nr_spec_lex(const char *src, const char *file, nr_spec_arena *a, nr_token **toks, int *n) {
    lexer x = {.p = src, .line_start = src, .file = file, .line = 1, .a = a};
    *toks = NULL;
    *n = 0;
    NR_TRY(lex_all(&x));
    *toks = x.toks;
    *n = x.n;
    return NR_OK;
}

const char *nr_tok_describe(const nr_token *t, char *buf, size_t size) {
    static const char *const names[] = {
        [NR_TOK_EOF] = "end of file", [NR_TOK_NEWLINE] = "end of line",
        [NR_TOK_LPAREN] = "'('",      [NR_TOK_RPAREN] = "')'",
        [NR_TOK_LBRACK] = "'['",      [NR_TOK_RBRACK] = "']'",
        [NR_TOK_LBRACE] = "'{'",      [NR_TOK_RBRACE] = "'}'",
        [NR_TOK_COMMA] = "','",       [NR_TOK_DOT] = "'.'",
        [NR_TOK_EQUALS] = "'='",      [NR_TOK_COLON] = "':'",
        [NR_TOK_MINUS] = "'-'",       [NR_TOK_PLUS] = "'+'",
        [NR_TOK_CMP] = "a comparison",
    };
    switch (t->kind) {
    case NR_TOK_NAME: snprintf(buf, size, "name '%.40s'", t->text); break;
    case NR_TOK_INT: snprintf(buf, size, "number %lld", (long long)t->i); break;
    case NR_TOK_FLOAT: snprintf(buf, size, "number %g", t->f); break;
    case NR_TOK_STRING: snprintf(buf, size, "string \"%.40s\"", t->text); break;
    case NR_TOK_CMP: snprintf(buf, size, "'%s'", t->text); break;
    default: snprintf(buf, size, "%s", names[t->kind]); break;
    }
    return buf;
}
