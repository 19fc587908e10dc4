#pragma once
// The lower-limb skeleton as a kinematic chain, and inverse kinematics of one frame, shared by the
// batched kernel (cuda/ik_solve.cu, both backends) and host code.
//
// Segment frames follow the ISB axes on both sides (Wu et al. 2002, J Biomech 35:543): X
// anterior, Y superior (proximal, along the segment), Z to the subject's right. Every joint is a
// Cardan sequence about the parent's axes, Z then X then Y:
//     R_child = R_parent * Rz(a) * Rx(b) * Ry(c),     origin_child = joint centre,
// which is the joint coordinate system of Grood & Suntay (1983, J Biomech Eng 105:136): a about
// the proximal segment's fixed medio-lateral axis (flexion), c about the distal segment's long axis
// (axial rotation), b about the floating axis perpendicular to both (ab/adduction). The clinical
// sign of each angle (e.g. knee flexion = -a, left adduction = -b) lives in the skeleton model
// file, not here. The root (pelvis) has a free joint: three translations in the lab frame and a
// Z-X-Y rotation measured from a per-frame reference orientation (the rigid fit that initialises
// the frame), so its rotation angles stay small and far from gimbal lock whatever the lab axes.
//
// Inverse kinematics is the global optimisation of Lu & O'Connor (1999, J Biomech 32:129):
// min_q sum_m w_m |p_m(q) - y_m|^2 over the joint coordinates q, with joint limits, solved by
// Levenberg-Marquardt (Madsen, Nielsen & Tingleff 2004, "Methods for non-linear least squares
// problems", 3.2) with the analytic Jacobian of a chain of revolute joints: the derivative of a
// marker position p by a rotation about the unit world axis u through the pivot o is u x (p - o).
#include <cmath>
#include <cstdint>

#include "midstance/host_device.h"

namespace midstance {

constexpr int kMaxChainSegments = 8;    // pelvis, two thighs, two shanks, two feet, one spare
constexpr int kMaxChainMarkers = 48;
constexpr int kRootCoordinates = 6;     // translation x y z (m), rotation z x y (rad)
constexpr int kMaxChainCoordinates = kRootCoordinates + 3 * (kMaxChainSegments - 1);

struct ChainJoint {
  int parent = -1;                        // segment index (parents come first); -1 for the root
  double centre_in_parent_m[3] = {0, 0, 0};  // joint centre = child origin, parent frame
  int coordinate[3] = {-1, -1, -1};       // index in q of the Z, X, Y angle; -1 when locked
  double locked_rad[3] = {0, 0, 0};       // the angle of a locked rotation
  double lower_rad[3] = {-M_PI, -M_PI, -M_PI};
  double upper_rad[3] = {M_PI, M_PI, M_PI};
};

struct IkChain {
  int segment_count = 0;
  ChainJoint joints[kMaxChainSegments];  // joints[s] moves segment s relative to its parent
  int coordinate_count = 0;              // kRootCoordinates + free joint angles
  int marker_count = 0;
  int marker_segment[kMaxChainMarkers] = {};
  double marker_local_m[kMaxChainMarkers][3] = {};
  double marker_weight[kMaxChainMarkers] = {};
};

struct SegmentPose {
  double rotation[9];  // row-major, columns are the segment's X Y Z axes in the lab frame
  double origin_m[3];
};

// --- small fixed-size linear algebra ---------------------------------------------------------

MS_HD inline void MatMul3(const double a[9], const double b[9], double out[9]) {
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      out[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
    }
  }
}

MS_HD inline void MatVec3(const double a[9], const double v[3], double out[3]) {
  for (int i = 0; i < 3; ++i) out[i] = a[3 * i] * v[0] + a[3 * i + 1] * v[1] + a[3 * i + 2] * v[2];
}

MS_HD inline void Cross3(const double a[3], const double b[3], double out[3]) {
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

// Elementary rotation about axis 0 (X), 1 (Y) or 2 (Z), row-major.
MS_HD inline void AxisRotation(int axis, double angle, double out[9]) {
  const double c = cos(angle), s = sin(angle);
  for (int i = 0; i < 9; ++i) out[i] = 0;
  const int a = (axis + 1) % 3, b = (axis + 2) % 3;
  out[4 * axis] = 1;
  out[3 * a + a] = c;
  out[3 * a + b] = -s;
  out[3 * b + a] = s;
  out[3 * b + b] = c;
}

// R = Rz(z) * Rx(x) * Ry(y): the joint coordinate system's rotation (see the header comment).
MS_HD inline void JcsRotation(double z, double x, double y, double out[9]) {
  double rz[9], rx[9], ry[9], zx[9];
  AxisRotation(2, z, rz);
  AxisRotation(0, x, rx);
  AxisRotation(1, y, ry);
  MatMul3(rz, rx, zx);
  MatMul3(zx, ry, out);
}

// The inverse of JcsRotation: angles (z, x, y) of a rotation matrix, x in [-pi/2, pi/2].
// From R = Rz Rx Ry: R[2][1] = sin x, R[0][1] = -sin z cos x, R[1][1] = cos z cos x,
// R[2][0] = -cos x sin y, R[2][2] = cos x cos y.
MS_HD inline void JcsAngles(const double r[9], double angles[3]) {
  const double sx = fmin(1.0, fmax(-1.0, r[7]));
  angles[1] = asin(sx);
  angles[0] = atan2(-r[1], r[4]);
  angles[2] = atan2(-r[6], r[8]);
}

// The relative rotation parent^T * child of two poses.
MS_HD inline void RelativeRotation(const double parent[9], const double child[9], double out[9]) {
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      out[3 * i + j] = parent[i] * child[j] + parent[3 + i] * child[3 + j] + parent[6 + i] * child[6 + j];
    }
  }
}

// --- forward kinematics ------------------------------------------------------------------------

MS_HD inline double JointAngle(const ChainJoint& joint, const double* q, int k) {
  return joint.coordinate[k] >= 0 ? q[joint.coordinate[k]] : joint.locked_rad[k];
}

// Poses of all segments for coordinates q; `reference_rotation` is the root's reference orientation.
MS_HD inline void ChainPoses(const IkChain& chain, const double reference_rotation[9], const double* q,
                             SegmentPose* poses) {
  for (int s = 0; s < chain.segment_count; ++s) {
    const ChainJoint& joint = chain.joints[s];
    double local[9];
    if (joint.parent < 0) {
      JcsRotation(q[3], q[4], q[5], local);
      MatMul3(reference_rotation, local, poses[s].rotation);
      for (int i = 0; i < 3; ++i) poses[s].origin_m[i] = q[i];
      continue;
    }
    const SegmentPose& parent = poses[joint.parent];
    JcsRotation(JointAngle(joint, q, 0), JointAngle(joint, q, 1), JointAngle(joint, q, 2), local);
    MatMul3(parent.rotation, local, poses[s].rotation);
    double offset[3];
    MatVec3(parent.rotation, joint.centre_in_parent_m, offset);
    for (int i = 0; i < 3; ++i) poses[s].origin_m[i] = parent.origin_m[i] + offset[i];
  }
}

MS_HD inline void MarkerPosition(const IkChain& chain, const SegmentPose* poses, int m, double out[3]) {
  const SegmentPose& pose = poses[chain.marker_segment[m]];
  MatVec3(pose.rotation, chain.marker_local_m[m], out);
  for (int i = 0; i < 3; ++i) out[i] += pose.origin_m[i];
}

// World axis of rotation k (0: Z, 1: X, 2: Y) of segment s's joint, for the pose's angles.
MS_HD inline void JointAxis(const IkChain& chain, const SegmentPose* poses, const double reference_rotation[9],
                            const double* q, int s, int k, double axis[3]) {
  const ChainJoint& joint = chain.joints[s];
  const double* base = joint.parent < 0 ? reference_rotation : poses[joint.parent].rotation;
  const double z = joint.parent < 0 ? q[3] : JointAngle(joint, q, 0);
  const double unit[3][3] = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}};
  double v[3] = {unit[k][0], unit[k][1], unit[k][2]};
  if (k >= 1) {  // X after Z, Y after Z and X: express in the parent frame first
    const double x = joint.parent < 0 ? q[4] : JointAngle(joint, q, 1);
    double rz[9], rx[9], tmp[3];
    AxisRotation(2, z, rz);
    if (k == 2) {
      AxisRotation(0, x, rx);
      MatVec3(rx, v, tmp);
      for (int i = 0; i < 3; ++i) v[i] = tmp[i];
    }
    MatVec3(rz, v, tmp);
    for (int i = 0; i < 3; ++i) v[i] = tmp[i];
  }
  MatVec3(base, v, axis);
}

// --- one frame of inverse kinematics -------------------------------------------------------------

struct IkFrameOptions {
  int max_iterations = 100;
  double step_tolerance = 1e-10;  // stop when |dq| < step_tolerance * (1 + |q|)
  double cost_tolerance = 1e-12;  // or when an accepted step lowers the cost by less than this fraction
};

struct IkFrameResult {
  double cost = NAN;          // sum of w |residual|^2, m^2
  double rms_residual_m = NAN;  // unweighted, over the markers present
  int iterations = 0;
  int markers_used = 0;
  bool converged = false;
};

// Marker sums of one segment (or, after accumulation, of its whole subtree) from which the normal
// equations follow without a per-marker Jacobian: with positions p relative to a common point,
// weight w and residual r, W = sum w, P = sum w p, M = sum w p p^T (xx yy zz xy xz yz),
// torque = sum w p x r and force = sum w r.
struct SegmentMarkerSums {
  double weight = 0;
  double first[3] = {0, 0, 0};
  double second[6] = {0, 0, 0, 0, 0, 0};
  double torque[3] = {0, 0, 0};
  double force[3] = {0, 0, 0};
};

MS_HD inline void AddMarkerToSums(double w, const double p[3], const double r[3], SegmentMarkerSums* sums) {
  sums->weight += w;
  for (int i = 0; i < 3; ++i) {
    sums->first[i] += w * p[i];
    sums->force[i] += w * r[i];
  }
  sums->second[0] += w * p[0] * p[0];
  sums->second[1] += w * p[1] * p[1];
  sums->second[2] += w * p[2] * p[2];
  sums->second[3] += w * p[0] * p[1];
  sums->second[4] += w * p[0] * p[2];
  sums->second[5] += w * p[1] * p[2];
  double t[3];
  Cross3(p, r, t);
  for (int i = 0; i < 3; ++i) sums->torque[i] += w * t[i];
}

MS_HD inline void AddSums(const SegmentMarkerSums& from, SegmentMarkerSums* to) {
  to->weight += from.weight;
  for (int i = 0; i < 3; ++i) {
    to->first[i] += from.first[i];
    to->torque[i] += from.torque[i];
    to->force[i] += from.force[i];
  }
  for (int i = 0; i < 6; ++i) to->second[i] += from.second[i];
}

// One column of the Jacobian as a screw: a marker at p moves by u x p + v per unit coordinate,
// u the joint's unit axis (zero for a translation), v = o x u for the pivot o (a unit vector
// for a translation). Then J^T W J and J^T W r come from the subtree sums in closed form
// (the composite-rigid-body idea, Featherstone 2008, "Rigid Body Dynamics Algorithms", 6.2):
//   G xi = ( tr(M) u - M u + P x v ,  u x P + W v ),   J_a . J_b summed = xi_b . G xi_a,
//   J^T W r = u . torque + v . force.
struct JacobianScrew {
  int coordinate;
  int segment;
  double u[3];
  double v[3];
};

MS_HD inline void SumsTimesScrew(const SegmentMarkerSums& sums, const JacobianScrew& screw, double out[6]) {
  const double* m = sums.second;
  const double* u = screw.u;
  const double trace = m[0] + m[1] + m[2];
  const double mu[3] = {m[0] * u[0] + m[3] * u[1] + m[4] * u[2], m[3] * u[0] + m[1] * u[1] + m[5] * u[2],
                        m[4] * u[0] + m[5] * u[1] + m[2] * u[2]};
  double pv[3], up[3];
  Cross3(sums.first, screw.v, pv);
  Cross3(u, sums.first, up);
  for (int i = 0; i < 3; ++i) {
    out[i] = trace * u[i] - mu[i] + pv[i];
    out[3 + i] = up[i] + sums.weight * screw.v[i];
  }
}

// The screws of every free coordinate, segment by segment, positions relative to `centre`.
MS_HD inline int JacobianScrews(const IkChain& chain, const SegmentPose* poses, const double reference_rotation[9],
                                const double* q, const double centre[3], JacobianScrew* screws) {
  int count = 0;
  for (int s = 0; s < chain.segment_count; ++s) {
    const ChainJoint& joint = chain.joints[s];
    // Z is the parent's (reference's) Z column, Y the segment's own Y column, and the floating
    // X = parent Rz(a) e_x = cos a X_parent + sin a Y_parent, the axes JointAxis computes.
    const double* base = joint.parent < 0 ? reference_rotation : poses[joint.parent].rotation;
    const double* own = poses[s].rotation;
    const double a = joint.parent < 0 ? q[3] : JointAngle(joint, q, 0);
    const double ca = cos(a), sa = sin(a);
    double axes[3][3];
    for (int i = 0; i < 3; ++i) {
      axes[0][i] = base[3 * i + 2];
      axes[1][i] = ca * base[3 * i] + sa * base[3 * i + 1];
      axes[2][i] = own[3 * i + 1];
    }
    const double pivot[3] = {poses[s].origin_m[0] - centre[0], poses[s].origin_m[1] - centre[1],
                             poses[s].origin_m[2] - centre[2]};
    if (joint.parent < 0) {
      for (int k = 0; k < 3; ++k) {
        JacobianScrew& screw = screws[count++];
        screw.coordinate = k;
        screw.segment = s;
        for (int i = 0; i < 3; ++i) {
          screw.u[i] = 0;
          screw.v[i] = i == k ? 1.0 : 0.0;
        }
      }
    }
    for (int k = 0; k < 3; ++k) {
      const int c = joint.parent < 0 ? 3 + k : joint.coordinate[k];
      if (c < 0) continue;
      JacobianScrew& screw = screws[count++];
      screw.coordinate = c;
      screw.segment = s;
      for (int i = 0; i < 3; ++i) screw.u[i] = axes[k][i];
      Cross3(pivot, screw.u, screw.v);
    }
  }
  return count;
}

// Weighted sum of squared residuals and, when `normal` and `gradient` are given, the normal
// equations J^T W J and J^T W r of the present markers (NaN in `measured_m` means absent).
// Two coordinates couple only through the markers below both, i.e. in the subtree of the deeper
// segment when one segment is an ancestor of the other (otherwise the entry is zero).
MS_HD inline double IkNormalEquations(const IkChain& chain, const double reference_rotation[9], const double* q,
                                      const double* measured_m, double* normal, double* gradient) {
  SegmentPose poses[kMaxChainSegments];
  ChainPoses(chain, reference_rotation, q, poses);
  const int n = chain.coordinate_count;
  // Positions relative to the root keep the moment sums free of the lab origin's offset.
  const double* centre = poses[0].origin_m;
  SegmentMarkerSums sums[kMaxChainSegments];
  double cost = 0;
  for (int m = 0; m < chain.marker_count; ++m) {
    const double* y = measured_m + 3 * m;
    if (!(y[0] == y[0]) || !(y[1] == y[1]) || !(y[2] == y[2])) continue;
    double p[3];
    MarkerPosition(chain, poses, m, p);
    const double w = chain.marker_weight[m];
    const double r[3] = {p[0] - y[0], p[1] - y[1], p[2] - y[2]};
    cost += w * (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    if (normal == nullptr) continue;
    const double relative[3] = {p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]};
    AddMarkerToSums(w, relative, r, &sums[chain.marker_segment[m]]);
  }
  if (normal == nullptr) return cost;
  for (int s = chain.segment_count - 1; s > 0; --s) {  // subtree sums: parents come first
    if (chain.joints[s].parent >= 0) AddSums(sums[s], &sums[chain.joints[s].parent]);
  }
  for (int i = 0; i < n * n; ++i) normal[i] = 0;
  JacobianScrew screws[kMaxChainCoordinates];
  const int count = JacobianScrews(chain, poses, reference_rotation, q, centre, screws);
  for (int a = 0; a < count; ++a) {
    const JacobianScrew& screw = screws[a];
    const SegmentMarkerSums& below = sums[screw.segment];
    gradient[screw.coordinate] = screw.u[0] * below.torque[0] + screw.u[1] * below.torque[1] +
                                 screw.u[2] * below.torque[2] + screw.v[0] * below.force[0] +
                                 screw.v[1] * below.force[1] + screw.v[2] * below.force[2];
    double g[6];
    SumsTimesScrew(below, screw, g);
    // Partners: this segment's own coordinates and those of its ancestors (screws are listed
    // segment by segment, parents first, so the ancestors' screws come earlier in the list).
    for (int b = 0; b <= a; ++b) {
      const JacobianScrew& other = screws[b];
      bool related = other.segment == screw.segment;
      for (int s = chain.joints[screw.segment].parent; s >= 0 && !related; s = chain.joints[s].parent) {
        related = other.segment == s;
      }
      if (!related) continue;
      const double v = other.u[0] * g[0] + other.u[1] * g[1] + other.u[2] * g[2] + other.v[0] * g[3] +
                       other.v[1] * g[4] + other.v[2] * g[5];
      normal[screw.coordinate * n + other.coordinate] = v;
      normal[other.coordinate * n + screw.coordinate] = v;
    }
  }
  return cost;
}

// Solves the symmetric positive definite system a x = b in place (Cholesky); false if not SPD.
MS_HD inline bool CholeskySolve(double* a, int n, double* b) {
  for (int j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (int k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    d = sqrt(d);
    a[j * n + j] = d;
    for (int i = j + 1; i < n; ++i) {
      double v = a[i * n + j];
      for (int k = 0; k < j; ++k) v -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = v / d;
    }
  }
  for (int i = 0; i < n; ++i) {
    double v = b[i];
    for (int k = 0; k < i; ++k) v -= a[i * n + k] * b[k];
    b[i] = v / a[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    double v = b[i];
    for (int k = i + 1; k < n; ++k) v -= a[k * n + i] * b[k];
    b[i] = v / a[i * n + i];
  }
  return true;
}

// Keeps every free joint angle inside its limits (projected Levenberg-Marquardt).
MS_HD inline void ClampToLimits(const IkChain& chain, double* q) {
  for (int s = 0; s < chain.segment_count; ++s) {
    const ChainJoint& joint = chain.joints[s];
    if (joint.parent < 0) continue;
    for (int k = 0; k < 3; ++k) {
      const int c = joint.coordinate[k];
      if (c >= 0) q[c] = fmin(joint.upper_rad[k], fmax(joint.lower_rad[k], q[c]));
    }
  }
}

// Active set of the bounds (Kanzow, Yamashita & Fukushima 2004, J Comput Appl Math 172:375,
// projected Levenberg-Marquardt): a coordinate sitting on a limit with the descent direction
// pointing outwards leaves the step's system (row and column zeroed, unit diagonal, no step), so
// the other coordinates do not move to make up for a motion the clamp would cancel.
MS_HD inline void FixActiveLimits(const IkChain& chain, const double* q, const double* gradient, int n, double* system,
                                  double* step) {
  for (int s = 0; s < chain.segment_count; ++s) {
    const ChainJoint& joint = chain.joints[s];
    if (joint.parent < 0) continue;
    for (int k = 0; k < 3; ++k) {
      const int c = joint.coordinate[k];
      if (c < 0) continue;
      const bool at_lower = q[c] <= joint.lower_rad[k] && gradient[c] > 0;
      const bool at_upper = q[c] >= joint.upper_rad[k] && gradient[c] < 0;
      if (!at_lower && !at_upper) continue;
      for (int j = 0; j < n; ++j) system[c * n + j] = system[j * n + c] = 0;
      system[c * n + c] = 1;
      step[c] = 0;
    }
  }
}

// Levenberg-Marquardt from q (updated in place). The damping adds lambda * (diag(H) + eps max diag)
// so that a coordinate no marker constrains stays where it was instead of making H singular.
MS_HD inline IkFrameResult SolveIkFrame(const IkChain& chain, const double reference_rotation[9],
                                        const double* measured_m, const IkFrameOptions& options, double* q) {
  const int n = chain.coordinate_count;
  double normal[kMaxChainCoordinates * kMaxChainCoordinates];
  double system[kMaxChainCoordinates * kMaxChainCoordinates];
  double gradient[kMaxChainCoordinates];
  double step[kMaxChainCoordinates];
  double trial[kMaxChainCoordinates];
  IkFrameResult result;
  ClampToLimits(chain, q);
  double cost = IkNormalEquations(chain, reference_rotation, q, measured_m, normal, gradient);
  double max_diag = 0;
  for (int i = 0; i < n; ++i) max_diag = fmax(max_diag, normal[i * n + i]);
  double lambda = 1e-4;
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    result.iterations = iteration + 1;
    for (int i = 0; i < n * n; ++i) system[i] = normal[i];
    for (int i = 0; i < n; ++i) {
      system[i * n + i] += lambda * (normal[i * n + i] + 1e-9 * max_diag) + 1e-300;
      step[i] = -gradient[i];
    }
    FixActiveLimits(chain, q, gradient, n, system, step);
    if (!CholeskySolve(system, n, step)) {
      lambda *= 10;
      continue;
    }
    for (int i = 0; i < n; ++i) trial[i] = q[i] + step[i];
    ClampToLimits(chain, trial);
    double step_norm = 0, q_norm = 0;
    for (int i = 0; i < n; ++i) {
      step_norm += (trial[i] - q[i]) * (trial[i] - q[i]);
      q_norm += q[i] * q[i];
    }
    const double trial_cost = IkNormalEquations(chain, reference_rotation, trial, measured_m, nullptr, nullptr);
    bool done = sqrt(step_norm) < options.step_tolerance * (1 + sqrt(q_norm));
    if (trial_cost <= cost) {
      done = done || cost - trial_cost <= options.cost_tolerance * cost;
      for (int i = 0; i < n; ++i) q[i] = trial[i];
      cost = done ? trial_cost : IkNormalEquations(chain, reference_rotation, q, measured_m, normal, gradient);
      lambda = fmax(lambda / 3, 1e-12);
    } else {
      lambda *= 4;
    }
    if (done || lambda > 1e12) {
      result.converged = done;
      break;
    }
  }
  result.cost = cost;
  // Unweighted RMS residual over the markers present.
  SegmentPose poses[kMaxChainSegments];
  ChainPoses(chain, reference_rotation, q, poses);
  double sum = 0;
  for (int m = 0; m < chain.marker_count; ++m) {
    const double* y = measured_m + 3 * m;
    if (!(y[0] == y[0]) || !(y[1] == y[1]) || !(y[2] == y[2])) continue;
    double p[3];
    MarkerPosition(chain, poses, m, p);
    sum += (p[0] - y[0]) * (p[0] - y[0]) + (p[1] - y[1]) * (p[1] - y[1]) + (p[2] - y[2]) * (p[2] - y[2]);
    ++result.markers_used;
  }
  result.rms_residual_m = result.markers_used > 0 ? sqrt(sum / result.markers_used) : NAN;
  return result;
}

}  // namespace midstance
