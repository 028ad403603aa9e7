/* Internal: the SPEC builder, an interpreter of the syntax tree that calls
 * the layer, model and optimizer API. Values (numbers, strings, tensors,
 * layers, models, optimizer and loss objects...) live in the load's arena;
 * the graph, the models and the fit() callbacks outlive it in nr_spec.
 *
 * Constructors and functions are table entries (nr_spec_builtin), one
 * table per concept (layers, models, optimizers, losses, callbacks,
 * initializers); each entry lists its Keras parameter names in positional
 * order, and nr_spec_bind matches a call's arguments to them, so every
 * constructor gets duplicate, unknown-keyword and too-many-positional
 * errors (with "did you mean") for free. */
#ifndef NR_SPEC_BUILD_H
#define NR_SPEC_BUILD_H

#include "io/spec_ast.h"
#include "io/spec_hp.h"
#include "models/model_internal.h"
#include "neurona/spec.h"

/* Bounds on sizes read from a SPEC, checked before anything is allocated:
 * a dimension or unit count, and the elements of one weight tensor. */
#define NR_SPEC_MAX_DIM ((int64_t)1 << 24)
#define NR_SPEC_MAX_PARAMS 24
extern int64_t nr_spec_max_weight_elems; /* default 1 << 28; the fuzz loop lowers it */

struct nr_spec {
    nr_graph *g;
    int owns_graph;
    nr_model *model;
    struct nr_spec_named {
        char *name;
        nr_model *m;
    } * named;
    int n_named;
    int has_fit;
    nr_fit_opts fit;
    nr_callback **callbacks;
    int n_callbacks;
    float *class_weight;
};

typedef enum nr_val_kind {
    NR_VAL_NONE,
    NR_VAL_BOOL,
    NR_VAL_INT,
    NR_VAL_FLOAT,
    NR_VAL_STR,
    NR_VAL_TUPLE,
    NR_VAL_LIST,
    NR_VAL_DICT,
    NR_VAL_TENSOR,
    NR_VAL_LAYER,
    NR_VAL_MODEL,
    NR_VAL_FUNC, /* a constructor or function */
    NR_VAL_METHOD, /* model.add: a method bound to its object */
    NR_VAL_MODULE, /* keras, keras.layers, ...: prefixes that name nothing */
    NR_VAL_ACTIVATION, /* keras.activations.relu */
    NR_VAL_OPTIMIZER,
    NR_VAL_SCHEDULE,
    NR_VAL_LOSS,
    NR_VAL_METRIC,
    NR_VAL_INIT,
    NR_VAL_REGULARIZER,
    NR_VAL_CALLBACK,
    NR_VAL_HISTORY /* what fit() returns */
} nr_val_kind;

typedef struct nr_spec_builtin nr_spec_builtin;
typedef struct nr_spec_cbdef nr_spec_cbdef;
typedef struct nr_val nr_val;

struct nr_val {
    nr_val_kind kind;
    int line, col; /* where it was written */
    const char *hp; /* the hyperparameter this value came from, or NULL */
    union {
        int64_t i; /* INT, BOOL */
        double f;
        const char *s; /* STR; MODULE's name */
        struct {
            int n;
            nr_val **items, **values;
        } seq; /* TUPLE, LIST; DICT keys and values */
        nr_sym sym;
        nr_layer *layer;
        nr_model *model;
        const nr_spec_builtin *fn;
        struct {
            const nr_spec_builtin *fn;
            nr_val *self;
        } method;
        nr_activation act;
        nr_optimizer_opts *opt;
        nr_lr_schedule *sched;
        nr_loss loss;
        nr_metric metric;
        nr_init init;
        nr_regularizer reg;
        nr_spec_cbdef *cb;
    } u;
};

typedef struct nr_spec_var {
    const char *name;
    nr_val *v;
} nr_spec_var;

struct nr_spec_ctx {
    nr_spec *spec;
    nr_graph *g;
    const char *file;
    nr_spec_arena arena;
    nr_spec_var *vars;
    int n_vars, cap_vars;
    nr_model *implicit; /* the Sequential of bare layer lines */
    nr_model *last_model;
    nr_model *compiled; /* the last model compile() was called on */
    int depth;
    nr_spec_hp *hp; /* the trial's hyperparameters and what the load records of them */
};

/* Arguments of one call, matched to the builtin's parameters. */
typedef struct nr_spec_args {
    const nr_spec_builtin *fn;
    char what[64]; /* "Dense", "model.compile" */
    int line, col; /* the call */
    nr_val *self; /* methods */
    const char *names[2 * NR_SPEC_MAX_PARAMS];
    int n;
    const nr_ast *ast[2 * NR_SPEC_MAX_PARAMS];
    nr_val *val[2 * NR_SPEC_MAX_PARAMS];
} nr_spec_args;

typedef nr_status (*nr_spec_fn)(nr_spec_ctx *x, nr_spec_args *a, nr_val **out);

enum {
    NR_SPEC_LAYER = 1, /* a layer constructor: takes the common layer arguments; bare lines add it */
    NR_SPEC_INPUT = 2, /* Input/InputLayer: bare lines start the implicit Sequential */
    NR_SPEC_METHOD = 8 /* also a model method: model.compile(...) as compile(...) */
};

struct nr_spec_builtin {
    const char *name;
    const char *params[NR_SPEC_MAX_PARAMS]; /* Keras order; "~x": handed over unevaluated */
    int n_positional; /* how many may be given by position */
    nr_spec_fn fn;
    int flags;
};

/* --- tables (one per concept, each ending with a NULL name) ----------- */

extern const nr_spec_builtin nr_spec_layer_builtins[];
extern const nr_spec_builtin nr_spec_model_builtins[];
extern const nr_spec_builtin nr_spec_model_methods[]; /* only found as model.NAME */
extern const nr_spec_builtin nr_spec_object_builtins[]; /* initializers, regularizers */
extern const nr_spec_builtin nr_spec_optim_builtins[];
extern const nr_spec_builtin nr_spec_compile_builtins[];
extern const nr_spec_builtin nr_spec_fit_builtins[];
extern const nr_spec_builtin nr_spec_app_builtins[]; /* VGG16, ResNet50, MobileNetV2 ... */
extern const nr_spec_builtin nr_spec_hp_builtins[]; /* hp.Int, hp.Float, ... (spec_hp.c) */

/* A constructor or function by name (not methods), or NULL. */
const nr_spec_builtin *nr_spec_find_builtin(const char *name);
/* model.NAME: the methods table, then builtins flagged NR_SPEC_METHOD. */
const nr_spec_builtin *nr_spec_find_method(const char *name);
/* Every constructor and function name, for suggestions. Arena array. */
nr_status nr_spec_builtin_names(nr_spec_ctx *x, const char ***names, int *n);

/* Frees fit()'s callbacks and class weights and forgets its options. */
void nr_spec_drop_fit(nr_spec *s);

/* --- evaluation (spec_eval.c) ----------------------------------------- */

nr_status nr_spec_eval(nr_spec_ctx *x, const nr_ast *e, nr_val **out);
/* The callee of a call: an unknown name is reported as an unknown
 * constructor, with the closest constructor names. */
nr_status nr_spec_eval_callee(nr_spec_ctx *x, const nr_ast *e, nr_val **out);
/* Calls an evaluated callee with the call's arguments. */
nr_status nr_spec_call(nr_spec_ctx *x, const nr_ast *call, nr_val *callee, nr_val **out);
nr_val *nr_spec_new_val(nr_spec_ctx *x, nr_val_kind kind, int line, int col);
/* a == b, a < b, a in [...]: Python's comparisons of numbers, strings,
 * booleans and None (spec_compare.c). */
nr_status nr_spec_eval_compare(nr_spec_ctx *x, const nr_ast *e, nr_val **out);
nr_val *nr_spec_lookup(const nr_spec_ctx *x, const char *name);
nr_status nr_spec_set_var(nr_spec_ctx *x, const char *name, nr_val *v);

/* --- errors and arguments (spec_args.c) ------------------------------- */

/* "FILE:LINE:COL: message", returns s. */
nr_status nr_spec_error(const nr_spec_ctx *x, int line, int col, nr_status s, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prefixes the library's last error with "FILE:LINE:COL". */
nr_status nr_spec_fail(const nr_spec_ctx *x, int line, int col, nr_status s);
/* "string \"32\"", "int 5", "layer \"dense\" (Dense)": for messages. */
const char *nr_spec_describe(const nr_val *v, char *buf, size_t size);

nr_status nr_spec_bind(nr_spec_ctx *x, const nr_spec_builtin *fn, const char *what, const nr_ast *call, nr_val *self,
                       nr_spec_args *a);

/* The argument's value, or NULL when it was not given. */
nr_val *nr_spec_arg(const nr_spec_args *a, const char *name);
const nr_ast *nr_spec_arg_ast(const nr_spec_args *a, const char *name);
/* 1 when the argument was given and is not None. */
int nr_spec_given(const nr_spec_args *a, const char *name);

/* Typed reads. Each leaves *out alone when the argument is absent or None
 * and fails with "WHAT: NAME must be EXPECTED, got ..." at the value. */
nr_status nr_spec_get_int(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int64_t lo, int64_t hi,
                          int64_t *out);
nr_status nr_spec_get_int32(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int lo, int hi, int *out);
nr_status nr_spec_get_float(nr_spec_ctx *x, const nr_spec_args *a, const char *name, float *out);
nr_status nr_spec_get_bool(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int *out);
nr_status nr_spec_get_str(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char **out);
/* A tuple or list of positive ints (-1 allowed with allow_unknown). */
nr_status nr_spec_get_shape(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int allow_unknown, int64_t *dims,
                            int *ndim);
/* (None, 64) or (32, 64): the shape after the batch size. */
nr_status nr_spec_get_batch_shape(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int64_t *dims, int *ndim);
nr_status nr_spec_type_error(const nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char *expected);
nr_status nr_spec_missing(const nr_spec_ctx *x, const nr_spec_args *a, const char *name);
/* An argument Keras has but neurona does not: only None/default is accepted. */
nr_status nr_spec_only_default(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char *why);
/* "unknown WHAT \"word\"; did you mean ...", at line:col. */
nr_status nr_spec_unknown(const nr_spec_ctx *x, int line, int col, const char *what, const char *word,
                          const char *const *valid, int n);
/* A float value (int or float), or a type error naming the argument. */
int nr_spec_is_number(const nr_val *v);
double nr_spec_number(const nr_val *v);

/* --- shared converters -------------------------------------------------- */

/* activation: None, a name ("relu", "step") or keras.activations.relu. */
nr_status nr_spec_to_activation(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_activation *act);
nr_status nr_spec_to_init(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_init *out);
nr_status nr_spec_to_regularizer(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_regularizer *out);
nr_status nr_spec_to_optimizer(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_optimizer_opts *out);
/* Layer names end up inside quotes in SPEC text: no quotes or controls. */
nr_status nr_spec_check_name(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char **out);

/* The model bare compile()/fit()/summary() apply to. */
nr_status nr_spec_current_model(nr_spec_ctx *x, const nr_spec_args *a, nr_model **out);
/* Fails when a Dense layer's kernel would exceed nr_spec_max_weight_elems. */
nr_status nr_spec_check_weights(nr_spec_ctx *x, const nr_layer *l, int64_t fan_in, int line, int col);
/* The same for the layers of a Sequential that a call will build. */
nr_status nr_spec_check_lazy(nr_spec_ctx *x, const nr_model *m, int64_t fan_in, int line, int col);
/* Calls layer l on arg (a tensor or a list of them) and, for recurrent
 * layers, the initial states (NULL: none); the value is the output, or
 * the list of outputs of a layer with several (return_state). */
nr_status nr_spec_call_layer(nr_spec_ctx *x, nr_layer *l, const nr_val *arg, const nr_val *states, int line, int col,
                             nr_val **out);
/* The model of a MODEL value (or NULL) and its model-as-layer. */
nr_status nr_spec_model_layer(nr_spec_ctx *x, nr_model *m, int line, int col, nr_layer **out);
/* Attributes: model.layers, model.output, layer.name ... */
nr_status nr_spec_model_attr(nr_spec_ctx *x, nr_val *obj, const nr_ast *e, nr_val **out);
nr_status nr_spec_set_trainable(nr_spec_ctx *x, nr_val *obj, const nr_ast *target, nr_val *v);
/* Appends a layer (or an Input tensor) to a Sequential. */
nr_status nr_spec_sequential_add(nr_spec_ctx *x, nr_model *m, nr_val *v, int line, int col);

#endif
