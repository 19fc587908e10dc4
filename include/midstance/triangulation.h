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

// What linear triangulation needs of a camera, computed once per batch: the camera centre and
// the matrix taking an ideal pixel (u, v, 1) to a viewing direction in the world frame.
struct RayCamera {
  double world_from_pixel[9];  // R^T K^-1, row-major
  double centre[3];            // -R^T t, metres
};

MS_HD inline RayCamera MakeRayCamera(const CameraParams& cam) {
  RayCamera ray;
  const double* r = cam.rotation;
  for (int i = 0; i < 3; ++i) {
    // Column j of K^-1 is (1/fx, 0, 0), (0, 1/fy, 0), (-cx/fx, -cy/fy, 1).
    ray.world_from_pixel[3 * i + 0] = r[i] / cam.fx;
    ray.world_from_pixel[3 * i + 1] = r[3 + i] / cam.fy;
    ray.world_from_pixel[3 * i + 2] = -r[i] * cam.cx / cam.fx - r[3 + i] * cam.cy / cam.fy + r[6 + i];
    ray.centre[i] = -(r[i] * cam.translation[0] + r[3 + i] * cam.translation[1] + r[6 + i] * cam.translation[2]);
  }
  return ray;
}

// Linear n-view triangulation. `uv` holds n ideal pixels (u0 v0 u1 v1 ...), `camera_index` the
// camera of each. False when the rays are (near) parallel.
MS_HD inline bool TriangulateMidpoint(const RayCamera* cameras, const int* camera_index, const double* uv,
                                      int n, double point[3]) {
  // Accumulate sum (I - d d^T) and sum (I - d d^T) c over the rays (unit d).
  double a00 = 0, a01 = 0, a02 = 0, a11 = 0, a12 = 0, a22 = 0, b0 = 0, b1 = 0, b2 = 0;
  for (int k = 0; k < n; ++k) {
    const RayCamera& cam = cameras[camera_index[k]];
    const double* m = cam.world_from_pixel;
    const double u = uv[2 * k], v = uv[2 * k + 1];
    double d0 = m[0] * u + m[1] * v + m[2];
    double d1 = m[3] * u + m[4] * v + m[5];
    double d2 = m[6] * u + m[7] * v + m[8];
    const double inv = 1.0 / sqrt(d0 * d0 + d1 * d1 + d2 * d2);
    d0 *= inv;
    d1 *= inv;
    d2 *= inv;
    const double* c = cam.centre;
    const double dc = d0 * c[0] + d1 * c[1] + d2 * c[2];
    a00 += 1 - d0 * d0;
    a01 -= d0 * d1;
    a02 -= d0 * d2;
    a11 += 1 - d1 * d1;
    a12 -= d1 * d2;
    a22 += 1 - d2 * d2;
    b0 += c[0] - d0 * dc;
    b1 += c[1] - d1 * dc;
    b2 += c[2] - d2 * dc;
  }
  const double a[9] = {a00, a01, a02, a01, a11, a12, a02, a12, a22};
  const double b[3] = {b0, b1, b2};
  return SolveSymmetric3x3(a, b, point);
}

// Convenience for callers without precomputed ray cameras (at most kMaxViews distinct cameras).
MS_HD inline bool TriangulateMidpoint(const CameraParams* cameras, const int* camera_index, const double* uv,
                                      int n, double point[3]) {
  constexpr int kMaxViews = 32;
  if (n > kMaxViews) return false;
  RayCamera rays[kMaxViews];
  int index[kMaxViews];
  for (int k = 0; k < n; ++k) {
    rays[k] = MakeRayCamera(cameras[camera_index[k]]);
    index[k] = k;
  }
  return TriangulateMidpoint(rays, index, uv, n, point);
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

// Gauss-Newton refinement of `point` on the reprojection error. Each pass computes the residuals
// and the Jacobian at the current point; a step that raised the error is undone and ends the
// refinement. Returns the sum of squared errors (ideal pixels^2) at the returned point.
MS_HD inline double RefineReprojection(const CameraParams* cameras, const int* camera_index,
                                       const double* uv, int n, double point[3], int iterations) {
  double best_error = INFINITY;
  double best[3] = {point[0], point[1], point[2]};
  for (int it = 0;; ++it) {
    double jtj[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    double jtr[3] = {0, 0, 0};
    double error = 0;
    for (int k = 0; k < n; ++k) {
      const CameraParams& cam = cameras[camera_index[k]];
      double pc[3];
      WorldToCamera(cam, point, pc);
      if (!(pc[2] > 0)) {
        error = INFINITY;
        break;
      }
      const double iz = 1.0 / pc[2];
      const double ru = cam.fx * pc[0] * iz + cam.cx - uv[2 * k];
      const double rv = cam.fy * pc[1] * iz + cam.cy - uv[2 * k + 1];
      error += ru * ru + rv * rv;
      // d(u,v)/d(point_in_world) = d(u,v)/d(pc) * R.
      double ju[3], jv[3];
      for (int j = 0; j < 3; ++j) {
        const double r0 = cam.rotation[j], r1 = cam.rotation[3 + j], r2 = cam.rotation[6 + j];
        ju[j] = cam.fx * iz * (r0 - pc[0] * iz * r2);
        jv[j] = cam.fy * iz * (r1 - pc[1] * iz * r2);
      }
      for (int i = 0; i < 3; ++i) {
        for (int j = i; j < 3; ++j) jtj[3 * i + j] += ju[i] * ju[j] + jv[i] * jv[j];
        jtr[i] += ju[i] * ru + jv[i] * rv;
      }
    }
    if (!(error <= best_error)) {  // the last step made it worse (or a view went behind)
      for (int i = 0; i < 3; ++i) point[i] = best[i];
      return best_error;
    }
    const double gain = best_error - error;
    best_error = error;
    for (int i = 0; i < 3; ++i) best[i] = point[i];
    if (it == iterations || gain <= 1e-12 * error) return best_error;
    jtj[3] = jtj[1];
    jtj[6] = jtj[2];
    jtj[7] = jtj[5];
    double step[3];
    if (!SolveSymmetric3x3(jtj, jtr, step)) return best_error;
    for (int i = 0; i < 3; ++i) point[i] -= step[i];
  }
}

}  // namespace midstance
