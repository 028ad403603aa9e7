/* Reference optimizer step: plain loops that follow Keras 3 op for op and
 * pass by pass (keras/src/optimizers/base_optimizer.py: _clip_gradients,
 * _apply_weight_decay, then each optimizer's update_step), with scalars
 * computed in float32 as Keras does. The fast path (update_fast.c) fuses
 * these passes and must agree with this one to rounding. */
#include <math.h>
#include "optim_internal.h"

double nr_optim_sumsq_ref(const float *g, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)g[i] * g[i];
    return s;
}

/* Clipping, overwriting g. */
static void clip_ref(const nr_optimizer *o, float *g) {
    const nr_optimizer_opts *p = &o->opts;
    if (p->clipnorm > 0) {
        /* per variable: g * c / max(||g||, c) */
        float c = p->clipnorm;
        for (int v = 0; v < o->n_vars; v++) {
            float *gv = g + o->vars[v].offset;
            size_t n = o->vars[v].size;
            float l2norm = (float)sqrt(nr_optim_sumsq_ref(gv, n));
            float denom = isnan(l2norm) ? l2norm : (l2norm > c ? l2norm : c);
            for (size_t i = 0; i < n; i++) gv[i] = gv[i] * c / denom;
        }
    } else if (p->global_clipnorm > 0) {
        /* all gradients: g * c * min(1/N, 1/c), NaN when N is not finite */
        float c = p->global_clipnorm;
        double ss = 0;
        for (int v = 0; v < o->n_vars; v++) ss += nr_optim_sumsq_ref(g + o->vars[v].offset, o->vars[v].size);
        float norm = (float)sqrt(ss);
        float scale = c * fminf(1.0f / norm, 1.0f / c) + (norm - norm);
        for (int v = 0; v < o->n_vars; v++) {
            float *gv = g + o->vars[v].offset;
            for (size_t i = 0; i < o->vars[v].size; i++) gv[i] = gv[i] * scale;
        }
    } else if (p->clipvalue > 0) {
        float c = p->clipvalue;
        for (int v = 0; v < o->n_vars; v++) {
            float *gv = g + o->vars[v].offset;
            for (size_t i = 0; i < o->vars[v].size; i++) gv[i] = gv[i] > c ? c : gv[i] < -c ? -c : gv[i];
        }
    }
}

/* w = w - w * wd * lr */
static void weight_decay_ref(const nr_optimizer *o, float *w, float lr) {
    float wd = o->opts.weight_decay;
    if (wd <= 0) return;
    for (int v = 0; v < o->n_vars; v++) {
        if (o->vars[v].no_weight_decay) continue;
        float *wv = w + o->vars[v].offset;
        for (size_t i = 0; i < o->vars[v].size; i++) wv[i] = wv[i] - wv[i] * wd * lr;
    }
}

/* SGD: m = m*mu - g*lr; w += nesterov ? m*mu - g*lr : m.  Plain: w -= g*lr. */
static void sgd_ref(const nr_optimizer *o, float *w, const float *g, size_t lo, size_t hi, float lr) {
    float mu = o->opts.momentum;
    if (mu != 0) {
        float *m = o->slot[0];
        for (size_t i = lo; i < hi; i++) {
            m[i] = m[i] * mu - g[i] * lr;
            if (o->opts.nesterov) w[i] = w[i] + (m[i] * mu - g[i] * lr);
            else w[i] = w[i] + m[i];
        }
    } else {
        for (size_t i = lo; i < hi; i++) w[i] = w[i] - g[i] * lr;
    }
}

/* RMSprop: v = rho*v + (1-rho)*g^2; centered: a = rho*a + (1-rho)*g,
 * den = v - a^2 + eps, else den = v + eps; inc = lr*g / sqrt(den);
 * momentum: mom = momentum*mom + inc, w -= mom; else w -= inc. */
static void rmsprop_ref(const nr_optimizer *o, float *w, const float *g, size_t lo, size_t hi, float lr) {
    const nr_optimizer_opts *p = &o->opts;
    float rho = p->rho, eps = p->epsilon, mu = p->momentum;
    float *vel = o->slot[0];
    float *mom = mu > 0 ? o->slot[1] : NULL;
    float *avg = p->centered ? o->slot[mu > 0 ? 2 : 1] : NULL;
    for (size_t i = lo; i < hi; i++) {
        vel[i] = rho * vel[i] + (1 - rho) * (g[i] * g[i]);
        float denominator;
        if (avg) {
            avg[i] = rho * avg[i] + (1 - rho) * g[i];
            denominator = vel[i] - avg[i] * avg[i] + eps;
        } else {
            denominator = vel[i] + eps;
        }
        float increment = (lr * g[i]) / sqrtf(denominator);
        if (mom) {
            mom[i] = mu * mom[i] + increment;
            w[i] = w[i] - mom[i];
        } else {
            w[i] = w[i] - increment;
        }
    }
}

/* Adam: alpha = lr*sqrt(1-b2^t)/(1-b1^t); m += (g-m)*(1-b1);
 * v += (g^2-v)*(1-b2); amsgrad: vh = max(vh, v), v = vh;
 * w -= m*alpha / (sqrt(v)+eps). */
static void adam_ref(const nr_optimizer *o, float *w, const float *g, size_t lo, size_t hi, float lr) {
    const nr_optimizer_opts *p = &o->opts;
    float b1 = p->beta_1, b2 = p->beta_2, eps = p->epsilon;
    float local_step = (float)(o->iterations + 1);
    float alpha = lr * sqrtf(1 - powf(b2, local_step)) / (1 - powf(b1, local_step));
    float *m = o->slot[0], *v = o->slot[1], *vh = p->amsgrad ? o->slot[2] : NULL;
    for (size_t i = lo; i < hi; i++) {
        m[i] = m[i] + (g[i] - m[i]) * (1 - b1);
        v[i] = v[i] + (g[i] * g[i] - v[i]) * (1 - b2);
        float vi = v[i];
        if (vh) {
            vh[i] = vh[i] > v[i] ? vh[i] : v[i];
            vi = vh[i];
        }
        w[i] = w[i] - (m[i] * alpha) / (sqrtf(vi) + eps);
    }
}

/* Adagrad: acc += g^2; w -= lr*g / sqrt(acc + eps). */
static void adagrad_ref(const nr_optimizer *o, float *w, const float *g, size_t lo, size_t hi, float lr) {
    float eps = o->opts.epsilon, *acc = o->slot[0];
    for (size_t i = lo; i < hi; i++) {
        acc[i] = acc[i] + g[i] * g[i];
        w[i] = w[i] - (lr * g[i]) / sqrtf(acc[i] + eps);
    }
}

/* Adadelta: ag = rho*ag + (1-rho)*g^2; d = -sqrt(ad+eps)*g / sqrt(ag+eps);
 * ad = rho*ad + (1-rho)*d^2; w += lr*d. */
static void adadelta_ref(const nr_optimizer *o, float *w, const float *g, size_t lo, size_t hi, float lr) {
    float rho = o->opts.rho, eps = o->opts.epsilon;
    float *ag = o->slot[0], *ad = o->slot[1];
    for (size_t i = lo; i < hi; i++) {
        ag[i] = rho * ag[i] + (1 - rho) * (g[i] * g[i]);
        float delta_var = -((sqrtf(ad[i] + eps) * g[i]) / sqrtf(ag[i] + eps));
        ad[i] = rho * ad[i] + (1 - rho) * (delta_var * delta_var);
        w[i] = w[i] + lr * delta_var;
    }
}

/* Nadam: u_t = b1*(1-0.5*0.96^t), u_t1 = b1*(1-0.5*0.96^(t+1)), P the
 * product of u up to t (kept in the state), m and v as Adam;
 * m_hat = u_t1*m/(1-P*u_t1) + (1-u_t)*g/(1-P); v_hat = v/(1-b2^t);
 * w -= m_hat*lr / (sqrt(v_hat)+eps). */
static void nadam_ref(const nr_optimizer *o, float *w, const float *g, size_t lo, size_t hi, float lr) {
    const nr_optimizer_opts *p = &o->opts;
    float b1 = p->beta_1, b2 = p->beta_2, eps = p->epsilon;
    float local_step = (float)(o->iterations + 1), next_step = (float)(o->iterations + 2);
    float u_t = b1 * (1.0f - 0.5f * powf(0.96f, local_step));
    float u_t_1 = b1 * (1.0f - 0.5f * powf(0.96f, next_step));
    float u_product_t = o->scalars[0];
    float u_product_t_1 = u_product_t * u_t_1;
    float beta_2_power = powf(b2, local_step);
    float *m = o->slot[0], *v = o->slot[1];
    for (size_t i = lo; i < hi; i++) {
        m[i] = m[i] + (g[i] - m[i]) * (1 - b1);
        v[i] = v[i] + (g[i] * g[i] - v[i]) * (1 - b2);
        float m_hat = (u_t_1 * m[i]) / (1 - u_product_t_1) + ((1 - u_t) * g[i]) / (1 - u_product_t);
        float v_hat = v[i] / (1 - beta_2_power);
        w[i] = w[i] - (m_hat * lr) / (sqrtf(v_hat) + eps);
    }
}

void nr_optim_step_ref(nr_optimizer *o, float *w, float *g, float lr) {
    clip_ref(o, g);
    weight_decay_ref(o, w, lr);
    for (int v = 0; v < o->n_vars; v++) {
        size_t lo = o->vars[v].offset, hi = lo + o->vars[v].size;
        switch (o->opts.kind) {
        case NR_OPTIMIZER_SGD: sgd_ref(o, w, g, lo, hi, lr); break;
        case NR_OPTIMIZER_RMSPROP: rmsprop_ref(o, w, g, lo, hi, lr); break;
        case NR_OPTIMIZER_ADAM:
        case NR_OPTIMIZER_ADAMW: adam_ref(o, w, g, lo, hi, lr); break;
        case NR_OPTIMIZER_ADAGRAD: adagrad_ref(o, w, g, lo, hi, lr); break;
        case NR_OPTIMIZER_ADADELTA: adadelta_ref(o, w, g, lo, hi, lr); break;
        case NR_OPTIMIZER_NADAM: nadam_ref(o, w, g, lo, hi, lr); break;
        case NR_OPTIMIZER_DEFAULT:
        case NR_OPTIMIZER_COUNT_: NR_ASSERT(!"kind resolved at creation");
        }
    }
}
