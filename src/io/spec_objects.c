/* SPEC values that configure layers: activation names (with "step" for
 * the perceptron's Heaviside), initializers as names or objects
 * (HeNormal(seed=1), RandomNormal(stddev=0.05), Constant(0.1)) and
 * regularizers as names ("l2", Keras's 0.01) or objects (L1L2(l1=, l2=)). */
#include <string.h>
#include "io/spec_build.h"

static const char *const activation_names[] = {
    "linear", "sigmoid", "hard_sigmoid", "tanh",     "relu",     "relu6",       "leaky_relu", "elu",       "selu",
    "gelu",   "swish",   "silu",         "softplus", "softsign", "exponential", "softmax",    "heaviside", "step",
};

static nr_status parse_activation(nr_spec_ctx *x, const nr_val *v, nr_activation *act) {
    if (!strcmp(v->u.s, "step")) {
        *act = NR_ACT_HEAVISIDE;
        return NR_OK;
    }
    if (strcmp(v->u.s, "None") != 0 && strcmp(v->u.s, "none") != 0 && nr_activation_parse(v->u.s, act) == NR_OK)
        return NR_OK;
    nr_clear_error();
    return nr_spec_unknown(x, v->line, v->col, "activation", v->u.s, activation_names,
                           (int)(sizeof activation_names / sizeof *activation_names));
}

nr_status nr_spec_to_activation(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_activation *act) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) {
        *act = NR_ACT_LINEAR;
        return NR_OK;
    }
    if (v->kind == NR_VAL_ACTIVATION) {
        *act = v->u.act;
        return NR_OK;
    }
    if (v->kind == NR_VAL_STR) return parse_activation(x, v, act);
    return nr_spec_type_error(x, a, name, "an activation name such as \"relu\"");
}

/* --- initializers ------------------------------------------------------------ */

static const char *const init_names[] = {
    "zeros",         "ones",       "constant",  "random_normal", "random_uniform", "truncated_normal", "glorot_uniform",
    "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",   "orthogonal",
};

nr_status nr_spec_to_init(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_init *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind == NR_VAL_INIT) {
        *out = v->u.init;
        return NR_OK;
    }
    if (v->kind != NR_VAL_STR) return nr_spec_type_error(x, a, name, "an initializer name or object");
    memset(out, 0, sizeof *out);
    if (nr_init_parse(v->u.s, &out->kind) == NR_OK) return NR_OK;
    nr_clear_error();
    return nr_spec_unknown(x, v->line, v->col, "initializer", v->u.s, init_names,
                           (int)(sizeof init_names / sizeof *init_names));
}

/* Every initializer object: the kind comes from the constructor's name,
 * which nr_init_parse reads in either spelling (HeNormal, he_normal). */
static nr_status init_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_init in = {0};
    int64_t seed = -1;
    nr_status known = nr_init_parse(a->fn->name, &in.kind);
    NR_ASSERT(known == NR_OK); /* the table only names valid kinds */
    NR_TRY(nr_spec_get_float(x, a, "value", &in.value));
    NR_TRY(nr_spec_get_float(x, a, "mean", &in.mean));
    NR_TRY(nr_spec_get_float(x, a, "stddev", &in.stddev));
    NR_TRY(nr_spec_get_float(x, a, "minval", &in.minval));
    NR_TRY(nr_spec_get_float(x, a, "maxval", &in.maxval));
    NR_TRY(nr_spec_get_float(x, a, "gain", &in.gain));
    NR_TRY(nr_spec_get_int(x, a, "seed", 0, INT64_MAX, &seed));
    if ((nr_spec_given(a, "stddev") && in.stddev <= 0) || (nr_spec_given(a, "gain") && in.gain <= 0))
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: stddev and gain must be > 0", a->what);
    if (in.kind == NR_INIT_RANDOM_UNIFORM) {
        if (!nr_spec_given(a, "minval")) in.minval = -0.05f;
        if (!nr_spec_given(a, "maxval")) in.maxval = 0.05f;
        if (!(in.minval < in.maxval))
            return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: minval must be below maxval",
                                 a->what);
    }
    if (seed >= 0) {
        in.seed = (uint64_t)seed;
        in.has_seed = 1;
    }
    nr_val *v = nr_spec_new_val(x, NR_VAL_INIT, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.init = in;
    *out = v;
    return NR_OK;
}

/* --- regularizers ------------------------------------------------------------- */

static const char *const reg_names[] = {"l1", "l2", "l1_l2"};

nr_status nr_spec_to_regularizer(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_regularizer *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind == NR_VAL_REGULARIZER) {
        *out = v->u.reg;
        return NR_OK;
    }
    if (v->kind != NR_VAL_STR) return nr_spec_type_error(x, a, name, "a regularizer such as \"l2\" or L2(0.01)");
    /* The names stand for Keras's defaults: 0.01 each. */
    if (!strcmp(v->u.s, "l1") || !strcmp(v->u.s, "L1"))
        *out = (nr_regularizer){0.01f, 0};
    else if (!strcmp(v->u.s, "l2") || !strcmp(v->u.s, "L2"))
        *out = (nr_regularizer){0, 0.01f};
    else if (!strcmp(v->u.s, "l1_l2") || !strcmp(v->u.s, "L1L2"))
        *out = (nr_regularizer){0.01f, 0.01f};
    else
        return nr_spec_unknown(x, v->line, v->col, "regularizer", v->u.s, reg_names, 3);
    return NR_OK;
}

static nr_status reg_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    const char *n = a->fn->name;
    int both = !strcmp(n, "L1L2") || !strcmp(n, "l1_l2");
    nr_regularizer r = {both ? 0 : (n[1] == '1' ? 0.01f : 0), both ? 0 : (n[1] == '2' ? 0.01f : 0)};
    NR_TRY(nr_spec_get_float(x, a, "l1", &r.l1));
    NR_TRY(nr_spec_get_float(x, a, "l2", &r.l2));
    if (r.l1 < 0 || r.l2 < 0)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: factors must be >= 0", a->what);
    nr_val *v = nr_spec_new_val(x, NR_VAL_REGULARIZER, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.reg = r;
    *out = v;
    return NR_OK;
}

const nr_spec_builtin nr_spec_object_builtins[] = {
    {"Zeros", {0}, 0, init_new, 0},
    {"zeros", {0}, 0, init_new, 0},
    {"Ones", {0}, 0, init_new, 0},
    {"ones", {0}, 0, init_new, 0},
    {"Constant", {"value"}, 1, init_new, 0},
    {"constant", {"value"}, 1, init_new, 0},
    {"RandomNormal", {"mean", "stddev", "seed"}, 3, init_new, 0},
    {"random_normal", {"mean", "stddev", "seed"}, 3, init_new, 0},
    {"RandomUniform", {"minval", "maxval", "seed"}, 3, init_new, 0},
    {"random_uniform", {"minval", "maxval", "seed"}, 3, init_new, 0},
    {"TruncatedNormal", {"mean", "stddev", "seed"}, 3, init_new, 0},
    {"truncated_normal", {"mean", "stddev", "seed"}, 3, init_new, 0},
    {"GlorotUniform", {"seed"}, 1, init_new, 0},
    {"glorot_uniform", {"seed"}, 1, init_new, 0},
    {"GlorotNormal", {"seed"}, 1, init_new, 0},
    {"glorot_normal", {"seed"}, 1, init_new, 0},
    {"HeUniform", {"seed"}, 1, init_new, 0},
    {"he_uniform", {"seed"}, 1, init_new, 0},
    {"HeNormal", {"seed"}, 1, init_new, 0},
    {"he_normal", {"seed"}, 1, init_new, 0},
    {"LecunUniform", {"seed"}, 1, init_new, 0},
    {"lecun_uniform", {"seed"}, 1, init_new, 0},
    {"LecunNormal", {"seed"}, 1, init_new, 0},
    {"lecun_normal", {"seed"}, 1, init_new, 0},
    {"Orthogonal", {"gain", "seed"}, 2, init_new, 0},
    {"orthogonal", {"gain", "seed"}, 2, init_new, 0},
    {"L1", {"l1"}, 1, reg_new, 0},
    {"l1", {"l1"}, 1, reg_new, 0},
    {"L2", {"l2"}, 1, reg_new, 0},
    {"l2", {"l2"}, 1, reg_new, 0},
    {"L1L2", {"l1", "l2"}, 2, reg_new, 0},
    {"l1_l2", {"l1", "l2"}, 2, reg_new, 0},
    {NULL, {0}, 0, NULL, 0},
};
