// CPU twin of cuda/reconstruct_points.cu: the same source, compiled by the host compiler with Thrust's
// OpenMP device system (see cuda/backend.cuh).
#include "../reconstruct_points.cu"
