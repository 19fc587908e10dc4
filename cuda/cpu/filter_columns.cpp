// CPU twin of cuda/filter_columns.cu: the same source, compiled by the host compiler with Thrust's
// OpenMP device system (see cuda/backend.cuh).
#include "../filter_columns.cu"
