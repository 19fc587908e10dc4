#pragma once
// Segment frames and joint centres from landmarks (metres, lab frame unless a name says otherwise).
// A frame is returned as a rotation whose columns are the segment's X (anterior), Y (superior)
// and Z (right) axes in the lab frame, ISB orientation on both sides (Wu et al. 2002).
#include <Eigen/Core>

namespace midstance {

// Pelvis (Wu et al. 2002, 2.3.1; Plug-in Gait builds the same axes): origin at the ASIS midpoint,
// Z from left to right ASIS, Y normal to the plane of both ASIS and `back` (PSIS midpoint or
// sacrum) pointing up, X = Y x Z anterior.
Eigen::Matrix3d PelvisAxes(const Eigen::Vector3d& asis_left, const Eigen::Vector3d& asis_right,
                           const Eigen::Vector3d& back);

// Hip joint centre in the pelvis frame above by Harrington et al. 2007 (J Biomech 40:595, the
// regression on pelvis width PW and depth PD, mm): x = -0.24 PD - 9.9, y = -0.30 PW - 10.9,
// z = +/-(0.33 PW + 7.3), right positive. PW: ASIS to ASIS, PD: ASIS midpoint to PSIS midpoint.
Eigen::Vector3d HarringtonHipCentre(double pelvis_width_m, double pelvis_depth_m, int side);

// Hip joint centre in the pelvis frame by Davis et al. 1991 (Hum Mov Sci 10:575) as Plug-in Gait
// computes it: C = 0.115 LL - 15.3 mm, theta = 0.5 rad, beta = 0.314 rad, ASIS-trochanter
// distance AT = 0.1288 LL - 48.56 mm, r the marker radius; in Plug-in Gait axes (x anterior, y
// left, z up): x = C cos(theta) sin(beta) - (AT + r) cos(beta), y = +/-(IA/2 - C sin(theta)) (left
// positive), z = -C cos(theta) cos(beta) - (AT + r) sin(beta). Returned in ISB axes.
Eigen::Vector3d DavisHipCentre(double leg_length_m, double inter_asis_m, double marker_radius_m, int side);

// The chord function of Plug-in Gait: the joint centre J in the plane of the proximal joint
// centre A, the wand marker B and the lateral marker C, at distance `offset` from C, with A-J
// perpendicular to C-J, on the side of line AC away from the wand:
// J = C + offset ((offset/d) u - sqrt(1 - (offset/d)^2) w), u = (A-C)/d, w in-plane towards B.
// NaN when the points are collinear or offset >= |A - C|.
Eigen::Vector3d ChordJointCentre(const Eigen::Vector3d& proximal_centre, const Eigen::Vector3d& wand,
                                 const Eigen::Vector3d& lateral, double offset_m);

// A segment frame with Y from `distal` to `proximal` and Z the component of `right_direction`
// perpendicular to Y (right-pointing), X = Y x Z.
Eigen::Matrix3d LongAxisFrame(const Eigen::Vector3d& proximal, const Eigen::Vector3d& distal,
                              const Eigen::Vector3d& right_direction);

// Foot frame: X from heel to toe, Z the component of `right_direction` (the shank's Z)
// perpendicular to X, Y = Z x X.
Eigen::Matrix3d FootAxes(const Eigen::Vector3d& heel, const Eigen::Vector3d& toe, const Eigen::Vector3d& right_direction);

}  // namespace midstance
