// CPU twin of cuda/triangulate_batch.cu: the same source, compiled by the host compiler with Thrust's
// OpenMP device system (see cuda/backend.cuh).
#include "../triangulate_batch.cu"
