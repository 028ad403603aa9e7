/* Geometry of a 2-D window op (CONV2D, MAXPOOL2D, AVGPOOL2D) read off its
 * node: x (N,H,W,C), y (N,Ho,Wo,F), window, stride, dilation, and the top
 * and left padding (the bottom and right follow from Ho and Wo). A 3-D
 * node, x (N,T,C), is the 1-D case, read as H = Ho = 1, W = T. */
#ifndef NR_WINDOW_H
#define NR_WINDOW_H

#include "graph/graph.h"

typedef struct nr_window {
    int64_t N, H, W, C, Ho, Wo, F;
    int kh, kw, sh, sw, dh, dw, pt, pl;
    int64_t G;                        /* CONV2D groups */
} nr_window;

static inline nr_window nr_window_of(const nr_node *n, const nr_node *nodes, int64_t batch) {
    const nr_node *xin = &nodes[n->in[0]];
    int d = n->ndim == 3; /* 1-D: shapes shift down one axis */
    nr_window g = {
        .N = batch, .H = d ? 1 : xin->shape[1], .W = xin->shape[2 - d], .C = xin->shape[3 - d],
        .Ho = d ? 1 : n->shape[1], .Wo = n->shape[2 - d], .F = n->shape[3 - d],
        .kh = n->a.conv.kh, .kw = n->a.conv.kw, .sh = n->a.conv.sh, .sw = n->a.conv.sw,
        .dh = n->a.conv.dh, .dw = n->a.conv.dw, .pt = n->a.conv.pad_top, .pl = n->a.conv.pad_left,
        .G = n->a.conv.groups > 1 ? n->a.conv.groups : 1,
    };
    return g;
}

#endif
