/* Internal: the SPEC language's front end. An arena that every piece of a
 * load lives in, the tokens of the lexer and the syntax tree of the parser,
 * each with its 1-based line and column.
 *
 * Grammar (a Python subset; newlines end statements except inside
 * brackets, or after a backslash; ';' also ends one):
 *   program   := { statement (NEWLINE | ';') }
 *   statement := 'import' ... | 'from' ... 'import' ...   (skipped)
 *              | target '=' expr | expr
 *   target    := NAME | postfix '.' NAME
 *   expr      := compare ['if' compare 'else' expr]
 *   compare   := unary [('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in') unary]
 *   unary     := ('-' | '+') unary | postfix
 *   postfix   := primary { '(' [args] ')' | '.' NAME | '[' expr ']' }
 *   args      := arg { ',' arg } [',']      arg := NAME '=' expr | expr
 *   primary   := NAME | INT | FLOAT | STRING | True | False | None
 *              | '(' ')' | '(' expr ')' | '(' expr ',' [expr {',' expr}] [','] ')'
 *              | '[' [expr {',' expr} [',']] ']'
 *              | '{' [expr ':' expr {',' expr ':' expr} [',']] '}'
 * Strings take either quote, triple quotes, the escapes \n \t \r \\ \' \"
 * and the prefixes r and u. Numbers: 12, 1.5, .5, 1e-3. */
#ifndef NR_SPEC_AST_H
#define NR_SPEC_AST_H

#include <stdint.h>
#include "core/core.h"

/* Brackets and unary signs nest at most this deep: the parser and the
 * builder recurse on them, so hostile input cannot exhaust the stack. */
#define NR_SPEC_MAX_DEPTH 64

/* --- arena -------------------------------------------------------------- */

typedef struct nr_spec_chunk nr_spec_chunk;
typedef struct nr_spec_arena {
    nr_spec_chunk *head;
} nr_spec_arena;

/* Zeroed memory that lives until nr_spec_arena_free; NULL when out of memory. */
void *nr_spec_alloc(nr_spec_arena *a, size_t size);
char *nr_spec_strndup(nr_spec_arena *a, const char *s, size_t n);
/* Makes room for need elements in an array that lives in the arena
 * (doubling; the old block is left to the arena). */
nr_status nr_spec_grow(nr_spec_arena *a, void **arr, int *cap, int need, size_t elem);
void nr_spec_arena_free(nr_spec_arena *a);

/* --- tokens ------------------------------------------------------------- */

typedef enum nr_tok_kind {
    NR_TOK_EOF,
    NR_TOK_NEWLINE,
    NR_TOK_NAME,
    NR_TOK_INT,
    NR_TOK_FLOAT,
    NR_TOK_STRING,
    NR_TOK_LPAREN,
    NR_TOK_RPAREN,
    NR_TOK_LBRACK,
    NR_TOK_RBRACK,
    NR_TOK_LBRACE,
    NR_TOK_RBRACE,
    NR_TOK_COMMA,
    NR_TOK_DOT,
    NR_TOK_EQUALS,
    NR_TOK_COLON,
    NR_TOK_MINUS,
    NR_TOK_PLUS,
    NR_TOK_CMP /* == != < <= > >=: text is the operator */
} nr_tok_kind;

typedef struct nr_token {
    nr_tok_kind kind;
    int line, col;
    const char *text; /* NAME: the name; STRING: the decoded value (arena); CMP: the operator */
    int64_t i; /* INT */
    double f; /* FLOAT */
} nr_token;

/* "')'", "end of line", "a name": for "expected X, got Y" messages. */
const char *nr_tok_describe(const nr_token *t, char *buf, size_t size);

/* Tokenizes NUL-terminated src. NEWLINE tokens only appear outside
 * brackets and never twice in a row; the list ends with NEWLINE, EOF.
 * Errors: NR_STATUS_PARSE, "FILE:LINE:COL: ...". */
nr_status nr_spec_lex(const char *src, const char *file, nr_spec_arena *a, nr_token **toks, int *n);

/* --- syntax tree -------------------------------------------------------- */

typedef enum nr_ast_kind {
    NR_AST_NAME,
    NR_AST_INT,
    NR_AST_FLOAT,
    NR_AST_STR,
    NR_AST_BOOL,
    NR_AST_NONE,
    NR_AST_TUPLE,
    NR_AST_LIST,
    NR_AST_DICT,
    NR_AST_CALL, /* obj(args) */
    NR_AST_ATTR, /* obj.s */
    NR_AST_INDEX, /* obj[index] */
    NR_AST_NEG, /* -obj, for a non-literal operand */
    NR_AST_CMP, /* obj OP index: s is "==", "!=", "<", "<=", ">", ">=", "in" or "not in" */
    NR_AST_IF /* obj if index else orelse */
} nr_ast_kind;

typedef struct nr_ast nr_ast;

typedef struct nr_ast_arg {
    const char *name; /* keyword, or NULL for a positional argument */
    int line, col; /* of the keyword, or of the value */
    nr_ast *value;
} nr_ast_arg;

struct nr_ast {
    nr_ast_kind kind;
    int line, col;
    const char *s; /* NAME, STR, ATTR's attribute */
    int64_t i; /* INT, BOOL */
    double f; /* FLOAT */
    nr_ast *obj; /* CALL's callee, ATTR's and INDEX's object, NEG's operand, CMP's left side, IF's value */
    nr_ast *index; /* INDEX; CMP's right side; IF's condition */
    nr_ast *orelse; /* IF */
    int n; /* items, dict entries or arguments */
    nr_ast **items; /* TUPLE, LIST; DICT keys */
    nr_ast **values; /* DICT values */
    nr_ast_arg *args; /* CALL */
};

typedef enum nr_stmt_kind { NR_STMT_EXPR, NR_STMT_ASSIGN } nr_stmt_kind;

typedef struct nr_stmt {
    nr_stmt_kind kind;
    int line, col;
    nr_ast *target; /* ASSIGN: a NAME, an ATTR, or a TUPLE or LIST of NAMEs */
    nr_ast *value;
} nr_stmt;

typedef struct nr_spec_program {
    nr_stmt *stmts;
    int n;
} nr_spec_program;

/* Lexes and parses src; the tree lives in the arena. */
nr_status nr_spec_parse(const char *src, const char *file, nr_spec_arena *a, nr_spec_program *out);

#endif
