/* neurona: data loading and preparation (placeholder, filled by the data work). */
#ifndef NEURONA_DATA_H
#define NEURONA_DATA_H
#include "tensor.h"
#endif
