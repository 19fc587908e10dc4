// Batched triangulation of points with known correspondences: linear n-view midpoint, then
// Gauss-Newton on reprojection error (triangulation.h). One independent problem per point.
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cmath>

#include "device_array.cuh"
#include "policy.cuh"
#include "kernels.h"
#include "midstance/triangulation.h"

namespace midstance {
namespace MS_BACKEND_NS {
namespace thrust = THRUST_NS_QUALIFIER;
namespace {

struct TriangulateOne {
  const CameraParams* cameras;
  const RayCamera* rays;
  int camera_count;
  const double* ideal_uv;
  int refine_iterations;
  double* position;
  MS_HD void operator()(int p) const {
    int view_camera[kMaxCameras];
    for (int c = 0; c < camera_count; ++c) view_camera[c] = c;
    const double* uv = ideal_uv + 2 * static_cast<int64_t>(p) * camera_count;
    double x[3];
    if (!TriangulateMidpoint(rays, view_camera, uv, camera_count, x)) {
      x[0] = x[1] = x[2] = NAN;
    } else if (refine_iterations > 0) {
      RefineReprojection(cameras, view_camera, uv, camera_count, x, refine_iterations);
    }
    for (int r = 0; r < 3; ++r) position[3 * static_cast<int64_t>(p) + r] = x[r];
  }
};

}  // namespace

std::vector<double> TriangulateBatch(const TriangulationBatch& batch, int refine_iterations) {
  std::vector<double> result(3 * static_cast<size_t>(batch.point_count));
  if (batch.point_count == 0) return result;
  const int camera_count = static_cast<int>(batch.cameras.size());
  const auto cameras = DeviceArray<CameraParams>::Upload(batch.cameras.data(), batch.cameras.size());
  const auto uv = DeviceArray<double>::Upload(batch.ideal_uv.data(), batch.ideal_uv.size());
  std::vector<RayCamera> host_rays;
  for (const CameraParams& camera : batch.cameras) host_rays.push_back(MakeRayCamera(camera));
  const auto rays = DeviceArray<RayCamera>::Upload(host_rays.data(), host_rays.size());
  DeviceBuffer<double> position(result.size());
  WithPolicy(400 * static_cast<int64_t>(batch.point_count) * (1 + refine_iterations), [&](auto policy) {
    thrust::for_each(policy, thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(batch.point_count),
                     TriangulateOne{cameras.data(), rays.data(), camera_count, uv.data(), refine_iterations,
                                    position.data()});
  });
  position.CopyToHost(result.data());
  return result;
}

}  // namespace MS_BACKEND_NS
}  // namespace midstance
