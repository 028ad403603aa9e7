/* neurona: Keras-style deep learning in C. Include this one header. */
#ifndef NEURONA_H
#define NEURONA_H

#include "status.h"
#include "tensor.h"
#include "data.h"
#include "layers.h"
#include "optim.h"
#include "model.h"
#include "spec.h"
#include "keras.h"
#include "stats.h"
#include "plot.h"
#include "metrics.h"
#include "prep.h"
#include "neuron.h"
#include "applications.h"
#include "custom.h"
#include "gen.h"
#include "hp.h"
#include "tune.h"
#include "autoencoder.h"

#endif
