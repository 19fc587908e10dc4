// CPU twin of cuda/detect_blobs.cu: the same source, compiled by the host compiler with Thrust's
// OpenMP device system (see cuda/backend.cuh).
#include "../detect_blobs.cu"
