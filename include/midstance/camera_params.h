#pragma once
// Plain-data pinhole camera with OpenCV's radial-tangential lens model, usable inside kernels
// (both backends) and on the host. Frames: world (lab, metres) -> camera (x right, y down,
// z forward, metres) by cam_from_world; camera -> normalized image plane by perspective
// division; distortion in the normalized plane; pixels by the intrinsics.
//
// Lens model: Brown-Conrady radial (k1 k2 k3) + tangential/decentering (p1 p2), exactly as
// OpenCV's calib3d documents it (Brown 1966, "Decentering distortion of lenses"):
//   r2 = x^2 + y^2, radial = 1 + k1 r2 + k2 r2^2 + k3 r2^3
//   xd = x radial + 2 p1 x y + p2 (r2 + 2 x^2)
//   yd = y radial + p1 (r2 + 2 y^2) + 2 p2 x y
// Pixel coordinates have their origin at the centre of the top-left pixel (OpenCV).
#include <cmath>

#include "midstance/host_device.h"

namespace midstance {

struct CameraParams {
  double fx = 1, fy = 1, cx = 0, cy = 0;     // pixels
  double k1 = 0, k2 = 0, p1 = 0, p2 = 0, k3 = 0;
  double rotation[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};  // cam_from_world, row-major
  double translation[3] = {0, 0, 0};                  // cam_from_world, metres
};

MS_HD inline void WorldToCamera(const CameraParams& cam, const double point_in_world[3],
                                double point_in_camera[3]) {
  for (int r = 0; r < 3; ++r) {
    point_in_camera[r] = cam.rotation[3 * r + 0] * point_in_world[0] +
                         cam.rotation[3 * r + 1] * point_in_world[1] +
                         cam.rotation[3 * r + 2] * point_in_world[2] + cam.translation[r];
  }
}

MS_HD inline void DistortNormalized(const CameraParams& cam, double x, double y, double* xd,
                                    double* yd) {
  const double r2 = x * x + y * y;
  const double radial = 1.0 + r2 * (cam.k1 + r2 * (cam.k2 + r2 * cam.k3));
  *xd = x * radial + 2.0 * cam.p1 * x * y + cam.p2 * (r2 + 2.0 * x * x);
  *yd = y * radial + cam.p1 * (r2 + 2.0 * y * y) + 2.0 * cam.p2 * x * y;
}

// Inverts DistortNormalized by Newton's method on the 2x2 Jacobian (quadratic convergence,
// where OpenCV's default fixed-point iteration stops after a few steps). Returns false when it
// does not converge (outside the lens model's invertible region).
MS_HD inline bool UndistortNormalized(const CameraParams& cam, double xd, double yd, double* x,
                                      double* y) {
  double u = xd, v = yd;
  for (int iteration = 0; iteration < 50; ++iteration) {
    const double r2 = u * u + v * v;
    const double radial = 1.0 + r2 * (cam.k1 + r2 * (cam.k2 + r2 * cam.k3));
    const double dradial_dr2 = cam.k1 + r2 * (2.0 * cam.k2 + 3.0 * r2 * cam.k3);
    double fu, fv;
    DistortNormalized(cam, u, v, &fu, &fv);
    fu -= xd;
    fv -= yd;
    const double j00 = radial + 2.0 * u * u * dradial_dr2 + 2.0 * cam.p1 * v + 6.0 * cam.p2 * u;
    const double j01 = 2.0 * u * v * dradial_dr2 + 2.0 * cam.p1 * u + 2.0 * cam.p2 * v;
    const double j10 = 2.0 * u * v * dradial_dr2 + 2.0 * cam.p1 * u + 2.0 * cam.p2 * v;
    const double j11 = radial + 2.0 * v * v * dradial_dr2 + 6.0 * cam.p1 * v + 2.0 * cam.p2 * u;
    const double det = j00 * j11 - j01 * j10;
    if (!(std::fabs(det) > 1e-12)) return false;
    const double du = (j11 * fu - j01 * fv) / det;
    const double dv = (j00 * fv - j10 * fu) / det;
    u -= du;
    v -= dv;
    if (du * du + dv * dv < 1e-30) break;
  }
  double check_u, check_v;
  DistortNormalized(cam, u, v, &check_u, &check_v);
  *x = u;
  *y = v;
  return std::fabs(check_u - xd) < 1e-10 && std::fabs(check_v - yd) < 1e-10;
}

// World point -> distorted pixel. Returns false behind the camera.
MS_HD inline bool ProjectToPixel(const CameraParams& cam, const double point_in_world[3],
                                 double* u, double* v) {
  double pc[3];
  WorldToCamera(cam, point_in_world, pc);
  if (!(pc[2] > 0.0)) return false;
  double xd, yd;
  DistortNormalized(cam, pc[0] / pc[2], pc[1] / pc[2], &xd, &yd);
  *u = cam.fx * xd + cam.cx;
  *v = cam.fy * yd + cam.cy;
  return true;
}

// World point -> ideal (undistorted) pixel. Returns false behind the camera.
MS_HD inline bool ProjectToIdealPixel(const CameraParams& cam, const double point_in_world[3],
                                      double* u, double* v) {
  double pc[3];
  WorldToCamera(cam, point_in_world, pc);
  if (!(pc[2] > 0.0)) return false;
  *u = cam.fx * pc[0] / pc[2] + cam.cx;
  *v = cam.fy * pc[1] / pc[2] + cam.cy;
  return true;
}

// Distorted pixel -> ideal (undistorted) pixel, same intrinsics. False when not invertible.
MS_HD inline bool UndistortPixel(const CameraParams& cam, double u, double v, double* u_ideal,
                                 double* v_ideal) {
  double x, y;
  if (!UndistortNormalized(cam, (u - cam.cx) / cam.fx, (v - cam.cy) / cam.fy, &x, &y)) {
    return false;
  }
  *u_ideal = cam.fx * x + cam.cx;
  *v_ideal = cam.fy * y + cam.cy;
  return true;
}

}  // namespace midstance
