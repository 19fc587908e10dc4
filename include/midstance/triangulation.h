#pragma once
// Multi-view triangulation of one point, shared by the kernels (both backends) and host code.
//
// 1. Linear: the point closest to all viewing rays in the least-squares sense,
//    argmin_X sum_i |(I - d_i d_i^T)(X - C_i)|^2 (the n-view midpoint method; Hartley & Sturm
//    1997, "Triangulation", CVIU 68(2), section 5.3). It is affine-invariant-free but well
//    conditioned and needs only a 3x3 solve, which suits batched kernels.
// 2. Nonlinear: Gauss-Newton on the reprojection error in ideal (undistorted) pixels, the
//    maximum-likelihood estimate under isotropic pixel noise (Hartley & Zisserman 2004, 12.1).
// Inputs are ideal pixels (distortion removed beforehand) and the cameras they belong to.
#include <cmath>

#include "midstance/camera_params.h"
#include "midstance/host_device.h"

namespace midstance {

// Solves the symmetric 3x3 system a x = b (a row-major). False when (near) singular.
MS_HD inline bool SolveSymmetric3x3(const double a[9], const double b[3], double x[3]) {
  const double c00 = a[4] * a[8] - a[5] * a[7];
  const double c01 = a[5] * a[6] - a[3] * a[8];
  const double c02 = a[3] * a[7] - a[4] * a[6];
  const double det = a[0] * c00 + a[1] * c01 + a[2] * c02;
  double scale = 0;
  for (int i = 0; i < 9; ++i) scale = fmax(scale, fabs(a[i]));
  if (!(fabs(det) > 1e-14 * scale * scale * scale)) return false;
  const double c11 = a[0] * a[8] - a[2] * a[6];
  const double c12 = a[2] * a[3] - a[0] * a[5];
  const double c22 = a[0] * a[4] - a[1] * a[3];
  const double inv_det = 1.0 / det;
  x[0] = (c00 * b[0] + c01 * b[1] + c02 * b[2]) * inv_det;
  x[1] = (c01 * b[0] + c11 * b[1] + c12 * b[2]) * inv_det;
  x[2] = (c02 * b[0] + c12 * b[1] + c22 * b[2]) * inv_det;
  return true;
}

// Camera centre and unit viewing direction (world frame) of an ideal pixel.
MS_HD inline void ViewingRay(const CameraParams& cam, double u_ideal, double v_ideal,
                             double centre[3], double direction[3]) {
  const double dc[3] = {(u_ideal - cam.cx) / cam.fx, (v_ideal - cam.cy) / cam.fy, 1.0};
  const double* r = cam.rotation;
  double norm2 = 0;
  for (int i = 0; i < 3; ++i) {
    // world_from_cam rotation is R^T; centre = -R^T t.
    direction[i] = r[i] * dc[0] + r[3 + i] * dc[1] + r[6 + i] * dc[2];
    centre[i] = -(r[i] * cam.translation[0] + r[3 + i] * cam.translation[1] +
                  r[6 + i] * cam.translation[2]);
    norm2 += direction[i] * direction[i];
  }
  const double inv = 1.0 / sqrt(norm2);
  for (int i = 0; i < 3; ++i) direction[i] *= inv;
}

// Linear n-view triangulation. `uv` holds n ideal pixels (u0 v0 u1 v1 ...), `camera_index` the
// camera of each. False when the rays are (near) parallel.
MS_HD inline bool TriangulateMidpoint(const CameraParams* cameras, const int* camera_index,
                                      const double* uv, int n, double point[3]) {
  double a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  double b[3] = {0, 0, 0};
  for (int k = 0; k < n; ++k) {
    double c[3], d[3];
    ViewingRay(cameras[camera_index[k]], uv[2 * k], uv[2 * k + 1], c, d);
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        const double p = (i == j ? 1.0 : 0.0) - d[i] * d[j];
        a[3 * i + j] += p;
        b[i] += p * c[j];
      }
    }
  }
  return SolveSymmetric3x3(a, b, point);
}

// Sum of squared reprojection errors (ideal pixels); returns +inf if behind a camera.
MS_HD inline double ReprojectionSquaredError(const CameraParams* cameras, const int* camera_index,
                                             const double* uv, int n, const double point[3]) {
  double sum = 0;
  for (int k = 0; k < n; ++k) {
    double u, v;
    if (!ProjectToIdealPixel(cameras[camera_index[k]], point, &u, &v)) return INFINITY;
    sum += (u - uv[2 * k]) * (u - uv[2 * k]) + (v - uv[2 * k + 1]) * (v - uv[2 * k + 1]);
  }
  return sum;
}

// Gauss-Newton refinement of `point` on the reprojection error; keeps a step only if it lowers
// the error. Returns the final sum of squared errors (ideal pixels^2).
MS_HD inline double RefineReprojection(const CameraParams* cameras, const int* camera_index,
                                       const double* uv, int n, double point[3], int iterations) {
  double error = ReprojectionSquaredError(cameras, camera_index, uv, n, point);
  for (int it = 0; it < iterations; ++it) {
    double jtj[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    double jtr[3] = {0, 0, 0};
    for (int k = 0; k < n; ++k) {
      const CameraParams& cam = cameras[camera_index[k]];
      double pc[3];
      WorldToCamera(cam, point, pc);
      if (!(pc[2] > 0)) return error;
      const double iz = 1.0 / pc[2];
      const double ru = cam.fx * pc[0] * iz + cam.cx - uv[2 * k];
      const double rv = cam.fy * pc[1] * iz + cam.cy - uv[2 * k + 1];
      // d(u,v)/d(point_in_world) = d(u,v)/d(pc) * R.
      double ju[3], jv[3];
      for (int j = 0; j < 3; ++j) {
        const double r0 = cam.rotation[j], r1 = cam.rotation[3 + j], r2 = cam.rotation[6 + j];
        ju[j] = cam.fx * iz * (r0 - pc[0] * iz * r2);
        jv[j] = cam.fy * iz * (r1 - pc[1] * iz * r2);
      }
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) jtj[3 * i + j] += ju[i] * ju[j] + jv[i] * jv[j];
        jtr[i] += ju[i] * ru + jv[i] * rv;
      }
    }
    double step[3];
    if (!SolveSymmetric3x3(jtj, jtr, step)) return error;
    const double candidate[3] = {point[0] - step[0], point[1] - step[1], point[2] - step[2]};
    const double candidate_error = ReprojectionSquaredError(cameras, camera_index, uv, n, candidate);
    if (!(candidate_error <= error)) return error;
    const double gain = error - candidate_error;
    for (int i = 0; i < 3; ++i) point[i] = candidate[i];
    error = candidate_error;
    if (gain <= 1e-12 * (error + 1e-30)) break;
  }
  return error;
}

}  // namespace midstance
