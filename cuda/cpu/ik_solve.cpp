// CPU twin of cuda/ik_solve.cu: the same source, compiled by the host compiler with Thrust's
// OpenMP device system (see cuda/backend.cuh).
#include "../ik_solve.cu"
