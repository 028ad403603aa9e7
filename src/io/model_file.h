/* Internal: model files on top of the nrfile container.
 *
 * Sections of a model file (container format in io/nrfile.h):
 *   "neurona/format"     text  "neurona model 1"
 *   "architecture"       text  SPEC statements rebuilding the model (variable "model")
 *   "compile"            text  a model.compile(...) statement, when compiled
 *   "graph/seed"         bytes u64 LE
 *   "training/step"      bytes u64 LE, training steps run (dropout stream)
 *   "weights/LAYER/I"    tensor, weight I of layer LAYER in Keras order
 *   "optimizer/state"    tensor, the optimizer's slots (nr_optimizer_state)
 *   "optimizer/iterations" bytes i64 LE
 *   "scaler/kind"        text "standard" | "minmax"; "scaler/offset", "scaler/scale" tensors
 *   "labels"             text, one class label a line
 *   "series", "series/offset", "series/scale"   the time-series windowing
 *                        and its scaler (io/model_series.c documents them)
 *   "prep"               text, the fitted data preparation steps
 *                        (src/prep/prep_text.c documents the format)
 * Unknown sections are ignored, so later versions can add some; the
 * container's version guards incompatible changes. */
#ifndef NR_MODEL_FILE_H
#define NR_MODEL_FILE_H

#include "graph/graph.h"
#include "io/nrfile.h"
#include "models/model_internal.h"

void nr_compile_to_spec(const nr_model *m, const char *var, nr_strbuf *sb);

/* The series sections of model_series.c: written when the model has a
 * series, read when the file has them. */
nr_status nr_model_series_save(nr_nrfile_writer *w, const nr_model *m);
nr_status nr_model_series_load(const nr_nrfile *f, nr_model *m);
void nr_series_record_free(nr_series_record *ms);

/* The "prep" section of model_prep.c, the same way. */
nr_status nr_model_prep_save(nr_nrfile_writer *w, const nr_model *m);
nr_status nr_model_prep_load(const nr_nrfile *f, nr_model *m);

#endif
