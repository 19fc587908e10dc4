// CPU twin of cuda/device_query.cu: the same source, compiled by the host compiler with Thrust's
// OpenMP device system (see cuda/backend.cuh).
#include "../device_query.cu"
