// Skeleton: joint-centre formulas in closed form, JCS angles of hand-built poses against the
// geometric definition of Grood & Suntay, and the whole chain (static calibration + batched
// inverse kinematics) on a synthetic subject whose poses are known.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <Eigen/Geometry>

#include "midstance/error.h"
#include "midstance/joint_centres.h"
#include "midstance/skeleton.h"

namespace midstance {
namespace {

constexpr double kDeg = M_PI / 180;

Eigen::Matrix3d Jcs(double z_deg, double x_deg, double y_deg) {
  return (Eigen::AngleAxisd(z_deg * kDeg, Eigen::Vector3d::UnitZ()) * Eigen::AngleAxisd(x_deg * kDeg, Eigen::Vector3d::UnitX()) *
          Eigen::AngleAxisd(y_deg * kDeg, Eigen::Vector3d::UnitY()))
      .toRotationMatrix();
}

std::array<double, 3> Clinical(const JointModel& joint, int side, const Eigen::Matrix3d& parent, const Eigen::Matrix3d& child) {
  double p[9], c[9];
  using RowMajor = Eigen::Matrix<double, 3, 3, Eigen::RowMajor>;
  Eigen::Map<RowMajor>{p} = parent;
  Eigen::Map<RowMajor>{c} = child;
  return ClinicalAngles(joint, side, p, c);
}

// Grood & Suntay 1983 from the axes alone: e1 = proximal Z, e3 = distal Y, e2 = e3 x e1.
// flexion = angle from proximal X to e2 about e1; adduction = asin(e3 . e1); rotation = angle
// from e2 to distal X about e3 (right side, before clinical signs).
std::array<double, 3> GroodSuntay(const Eigen::Matrix3d& parent, const Eigen::Matrix3d& child) {
  const Eigen::Vector3d e1 = parent.col(2), e3 = child.col(1);
  const Eigen::Vector3d e2 = e3.cross(e1).normalized();
  return {std::atan2(e2.dot(parent.col(1)), e2.dot(parent.col(0))) / kDeg, std::asin(e3.dot(e1)) / kDeg,
          std::atan2(e2.dot(child.col(2)), e2.dot(child.col(0))) / kDeg};
}

TEST(JointAngles, PureFlexionReadsFlexionOnly) {
  const SkeletonModel model = FindSkeletonModel("isb");
  const Eigen::Matrix3d pelvis = Jcs(10, 5, -20);  // any pelvis orientation in the lab
  for (int side : {kLeftLimb, kRightLimb}) {
    const std::array<double, 3> hip = Clinical(model.hip, side, pelvis, pelvis * Jcs(30, 0, 0));
    EXPECT_NEAR(hip[0], 30, 1e-9);
    EXPECT_NEAR(hip[1], 0, 1e-9);
    EXPECT_NEAR(hip[2], 0, 1e-9);
    // Knee flexion turns the shank backwards: -30 degrees about the thigh's right-pointing Z.
    const std::array<double, 3> knee = Clinical(model.knee, side, pelvis, pelvis * Jcs(-30, 0, 0));
    EXPECT_NEAR(knee[0], 30, 1e-9);
    EXPECT_NEAR(knee[1], 0, 1e-9);
    EXPECT_NEAR(knee[2], 0, 1e-9);
  }
}

TEST(JointAngles, CompoundPoseFollowsTheJcsOrderAndSigns) {
  const SkeletonModel model = FindSkeletonModel("isb");
  const Eigen::Matrix3d pelvis = Jcs(-7, 3, 40);
  const Eigen::Matrix3d thigh = pelvis * Jcs(35, 12, -25);
  const std::array<double, 3> geometric = GroodSuntay(pelvis, thigh);
  const std::array<double, 3> right = Clinical(model.hip, kRightLimb, pelvis, thigh);
  const std::array<double, 3> left = Clinical(model.hip, kLeftLimb, pelvis, thigh);
  const double expected[3] = {35, 12, -25};
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(geometric[k], expected[k], 1e-9) << k;
    EXPECT_NEAR(right[k], expected[k], 1e-9) << k;
  }
  // Left side: adduction and internal rotation are mirrored (ISB, Wu et al. 2002).
  EXPECT_NEAR(left[0], 35, 1e-9);
  EXPECT_NEAR(left[1], -12, 1e-9);
  EXPECT_NEAR(left[2], 25, 1e-9);
  // Another order (X first) gives other numbers: the test would catch a wrong sequence.
  const Eigen::Matrix3d other = pelvis * (Eigen::AngleAxisd(12 * kDeg, Eigen::Vector3d::UnitX()) *
                                          Eigen::AngleAxisd(35 * kDeg, Eigen::Vector3d::UnitZ()) *
                                          Eigen::AngleAxisd(-25 * kDeg, Eigen::Vector3d::UnitY())).toRotationMatrix();
  EXPECT_GT(std::abs(Clinical(model.hip, kRightLimb, pelvis, other)[1] - 12), 1.0);
}

TEST(JointCentres, HarringtonAndDavisRegressions) {
  // Harrington et al. 2007: PW 250 mm, PD 160 mm.
  const Eigen::Vector3d h = HarringtonHipCentre(0.250, 0.160, kRightLimb);
  EXPECT_NEAR(h.x() * 1000, -0.24 * 160 - 9.9, 1e-9);
  EXPECT_NEAR(h.y() * 1000, -0.30 * 250 - 10.9, 1e-9);
  EXPECT_NEAR(h.z() * 1000, 0.33 * 250 + 7.3, 1e-9);
  EXPECT_NEAR(HarringtonHipCentre(0.250, 0.160, kLeftLimb).z(), -h.z(), 1e-15);
  // Davis / Plug-in Gait, the values Vicon used for vicon_gait_pig.c3d (leg 900 mm, inter-ASIS
  // 254.5 mm, 15 mm markers): its hip centre sits at (-47.29, +/-84.97, -96.74) mm in Plug-in
  // Gait's pelvis axes (x anterior, y left, z up), recovered from its bone outputs.
  const Eigen::Vector3d d = DavisHipCentre(0.900, 0.2545, 0.0075, kLeftLimb);
  EXPECT_NEAR(d.x() * 1000, -47.29, 0.06);
  EXPECT_NEAR(d.y() * 1000, -96.74, 0.06);
  EXPECT_NEAR(-d.z() * 1000, 84.97, 0.06);
  EXPECT_NEAR(DavisHipCentre(0.900, 0.2545, 0.0075, kRightLimb).z(), -d.z(), 1e-15);
}

TEST(JointCentres, ChordFunctionClosedForm) {
  // Hip 400 mm above the knee centre; lateral knee marker 60 mm to the right; wand laterally on
  // the thigh. The centre must be 60 mm from the marker, at a right angle to the hip.
  const Eigen::Vector3d knee(0.1, 0.05, 0.5), hip = knee + Eigen::Vector3d(0.02, 0, 0.4);
  const Eigen::Vector3d axis = (hip - knee).normalized();
  Eigen::Vector3d lateral_dir = Eigen::Vector3d::UnitY() - Eigen::Vector3d::UnitY().dot(axis) * axis;
  lateral_dir.normalize();
  const Eigen::Vector3d marker = knee + 0.06 * lateral_dir;
  const Eigen::Vector3d wand = knee + 0.2 * axis + 0.09 * lateral_dir;  // in the plane of hip, marker and centre
  const Eigen::Vector3d centre = ChordJointCentre(hip, wand, marker, 0.06);
  EXPECT_NEAR((centre - knee).norm(), 0, 1e-12);
  EXPECT_TRUE(ChordJointCentre(hip, wand, marker, 0.5).hasNaN());  // offset beyond the hip
}

// --- a synthetic subject ------------------------------------------------------------------------

struct SyntheticSubject {
  // Segment geometry in the segment frames (metres).
  double pelvis_width = 0.24, pelvis_depth = 0.16;
  double thigh = 0.42, shank = 0.41, knee_width = 0.10, ankle_width = 0.07;
};

struct Pose {
  Eigen::Matrix3d pelvis;
  Eigen::Vector3d pelvis_origin;  // ASIS midpoint
  double hip[2][3], knee[2][3], ankle[2][3];  // chain angles Z X Y (deg)
};

// Labels of the opensim_walking marker set; their positions in the segment frames.
struct MarkerDef {
  std::string label;
  int segment;
  Eigen::Vector3d local;
};

std::vector<MarkerDef> Markers(const SyntheticSubject& s) {
  std::vector<MarkerDef> markers;
  const double pw = s.pelvis_width, pd = s.pelvis_depth;
  markers.push_back({"LASI", kPelvis, {0, 0, -pw / 2}});
  markers.push_back({"RASI", kPelvis, {0, 0, pw / 2}});
  markers.push_back({"LPSI", kPelvis, {-pd, 0, -0.045}});
  markers.push_back({"RPSI", kPelvis, {-pd, 0, 0.045}});
  for (int side : {kLeftLimb, kRightLimb}) {
    const std::string p = side == kLeftLimb ? "L" : "R";
    const double z = side == kLeftLimb ? -1 : 1;  // lateral
    const int thigh = side == kLeftLimb ? kThighLeft : kThighRight;
    markers.push_back({p + "TH1", thigh, {0.03, -0.15, z * 0.08}});
    markers.push_back({p + "TH2", thigh, {0.06, -0.22, z * 0.07}});
    markers.push_back({p + "TH3", thigh, {-0.01, -0.27, z * 0.085}});
    markers.push_back({p + "LFC", thigh, {0, -s.thigh, z * s.knee_width / 2}});
    markers.push_back({p + "MFC", thigh, {0, -s.thigh, -z * s.knee_width / 2}});
    markers.push_back({p + "TB1", thigh + 1, {0.02, -0.12, z * 0.06}});
    markers.push_back({p + "TB2", thigh + 1, {0.05, -0.20, z * 0.055}});
    markers.push_back({p + "TB3", thigh + 1, {0.0, -0.26, z * 0.07}});
    markers.push_back({p + "LMAL", thigh + 1, {0, -s.shank, z * s.ankle_width / 2}});
    markers.push_back({p + "MMAL", thigh + 1, {0, -s.shank, -z * s.ankle_width / 2}});
    // Heel to forefoot along the foot's X, as the calibration defines the foot frame.
    markers.push_back({p + "CAL", thigh + 2, {-0.06, -0.04, 0}});
    markers.push_back({p + "MT1", thigh + 2, {0.14, -0.04, -z * 0.03}});
    markers.push_back({p + "MT2", thigh + 2, {0.14, -0.04, z * 0.03}});
  }
  return markers;
}

// Segment rotations and origins of a pose, built with Eigen (independently of ik_chain.h).
void SegmentPoses(const SyntheticSubject& s, const Pose& pose, Eigen::Matrix3d* r, Eigen::Vector3d* o) {
  r[kPelvis] = pose.pelvis;
  o[kPelvis] = pose.pelvis_origin;
  for (int side : {kLeftLimb, kRightLimb}) {
    const int thigh = side == kLeftLimb ? kThighLeft : kThighRight;
    const Eigen::Vector3d hip = HarringtonHipCentre(s.pelvis_width, s.pelvis_depth, side);
    r[thigh] = r[kPelvis] * Jcs(pose.hip[side][0], pose.hip[side][1], pose.hip[side][2]);
    o[thigh] = o[kPelvis] + r[kPelvis] * hip;
    r[thigh + 1] = r[thigh] * Jcs(pose.knee[side][0], pose.knee[side][1], pose.knee[side][2]);
    o[thigh + 1] = o[thigh] + r[thigh] * Eigen::Vector3d(0, -s.thigh, 0);
    r[thigh + 2] = r[thigh + 1] * Jcs(pose.ankle[side][0], pose.ankle[side][1], pose.ankle[side][2]);
    o[thigh + 2] = o[thigh + 1] + r[thigh + 1] * Eigen::Vector3d(0, -s.shank, 0);
  }
}

// Lab frame: Z up, X forward (the C3D norm); the ISB pelvis has Y up, so it is turned.
Eigen::Matrix3d Upright(double heading_deg) {
  Eigen::Matrix3d isb_to_lab;
  isb_to_lab << 1, 0, 0, 0, 0, -1, 0, 1, 0;  // ISB x -> lab x, ISB y -> lab z, ISB z -> lab -y
  return Eigen::AngleAxisd(heading_deg * kDeg, Eigen::Vector3d::UnitZ()).toRotationMatrix() * isb_to_lab;
}

Pose StandingPose() {
  Pose pose;
  pose.pelvis = Upright(0) * Jcs(8, 0, 0);  // 8 degrees anterior tilt
  pose.pelvis_origin = Eigen::Vector3d(0, 0, 0.95);
  for (int side : {kLeftLimb, kRightLimb}) {
    const double m = side == kLeftLimb ? -1 : 1;
    // The ankle's third rotation is locked in the model (two degrees of freedom): 0 here and in gait.
    const double hip[3] = {5, m * -2, m * 3}, knee[3] = {-4, m * 1, m * -2}, ankle[3] = {4, 0, 0};
    for (int k = 0; k < 3; ++k) pose.hip[side][k] = hip[k], pose.knee[side][k] = knee[k], pose.ankle[side][k] = ankle[k];
  }
  return pose;
}

// A gait-like cycle at 100 Hz: hip flexion -15..+30, knee 5..60, small out-of-plane motion.
Pose GaitPose(int frame) {
  const double t = frame / 100.0, w = 2 * M_PI / 1.1;
  Pose pose;
  pose.pelvis = Upright(3 * std::sin(w * t)) * Jcs(8 + 2 * std::sin(2 * w * t), 4 * std::sin(w * t), 0);
  pose.pelvis_origin = Eigen::Vector3d(1.3 * t, 0.01 * std::sin(w * t), 0.95 + 0.02 * std::sin(2 * w * t));
  for (int side : {kLeftLimb, kRightLimb}) {
    const double phase = w * t + (side == kLeftLimb ? M_PI : 0), m = side == kLeftLimb ? -1 : 1;
    pose.hip[side][0] = 7.5 + 22.5 * std::sin(phase);
    pose.hip[side][1] = m * 5 * std::sin(phase + 0.5);
    pose.hip[side][2] = m * (4 + 6 * std::sin(phase + 1.0));
    pose.knee[side][0] = -(32.5 + 27.5 * std::sin(phase + 1.2));
    pose.knee[side][1] = m * 3 * std::sin(phase + 0.3);
    pose.knee[side][2] = m * 8 * std::sin(phase + 0.7);
    pose.ankle[side][0] = 10 * std::sin(phase + 2.0);
    pose.ankle[side][1] = m * 6 * std::sin(phase - 0.4);
    pose.ankle[side][2] = 0;  // locked in the model at the static pose's value
  }
  return pose;
}

MarkerTrajectories Film(const SyntheticSubject& s, const std::vector<Pose>& poses, double noise_m, uint32_t seed,
                        const std::string& name) {
  const std::vector<MarkerDef> markers = Markers(s);
  MarkerTrajectories t;
  t.file = name;
  t.rate_hz = 100;
  t.frame_count = static_cast<int>(poses.size());
  for (const MarkerDef& m : markers) t.labels.push_back(m.label);
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, noise_m);
  for (const Pose& pose : poses) {
    Eigen::Matrix3d r[kSegmentCount];
    Eigen::Vector3d o[kSegmentCount];
    SegmentPoses(s, pose, r, o);
    for (const MarkerDef& m : markers) {
      const Eigen::Vector3d p = o[m.segment] + r[m.segment] * m.local;
      for (int k = 0; k < 3; ++k) t.positions_m.push_back(p[k] + noise(rng));
    }
  }
  return t;
}

double Rms(const std::vector<double>& errors) {
  double sum = 0;
  for (double e : errors) sum += e * e;
  return std::sqrt(sum / static_cast<double>(errors.size()));
}

TEST(SyntheticSubject, RecoversJointAnglesFromNoisyMarkers) {
  const SyntheticSubject subject;
  const std::vector<Pose> standing(60, StandingPose());
  const MarkerTrajectories static_trial = Film(subject, standing, 0.0005, 7, "static.c3d");
  std::vector<Pose> gait;
  for (int f = 0; f < 220; ++f) gait.push_back(GaitPose(f));
  const MarkerTrajectories dynamic = Film(subject, gait, 0.001, 11, "gait.c3d");

  const SkeletonModel model = FindSkeletonModel("isb");
  const MarkerSet set = DetectMarkerSet(static_trial.file, static_trial.labels);
  EXPECT_EQ(set.name, "opensim_walking");
  const SkeletonCalibration calibration = CalibrateSkeleton(static_trial, set, model, SubjectParameters{}, CalibrationOptions{});
  // Joint centres at calibration: exact up to the static noise.
  Eigen::Matrix3d r[kSegmentCount];
  Eigen::Vector3d o[kSegmentCount];
  SegmentPoses(subject, StandingPose(), r, o);
  EXPECT_LT((calibration.static_joint_centres_m.at("hip_right") - o[kThighRight]).norm(), 0.001);
  EXPECT_LT((calibration.static_joint_centres_m.at("knee_left") - o[kShankLeft]).norm(), 0.001);
  EXPECT_LT((calibration.static_joint_centres_m.at("ankle_right") - o[kFootRight]).norm(), 0.001);

  const Kinematics kinematics = SolveKinematics(calibration, model, dynamic, KinematicsOptions{}, Backend::kCpu);
  // Truth in clinical angles: the pose's chain angles through the model's signs.
  struct Check { const char* name; int side; const JointModel* joint; double (Pose::*angles)[2][3]; };
  const Check checks[] = {{"hip_left", kLeftLimb, &model.hip, &Pose::hip},     {"hip_right", kRightLimb, &model.hip, &Pose::hip},
                          {"knee_left", kLeftLimb, &model.knee, &Pose::knee},  {"knee_right", kRightLimb, &model.knee, &Pose::knee}};
  for (const Check& check : checks) {
    std::vector<double> errors[3];
    const JointAngles& joint = kinematics.Joint(check.name);
    const std::array<int, 3>& sign = check.side == kRightLimb ? check.joint->right_sign : check.joint->left_sign;
    for (int f = 0; f < dynamic.frame_count; ++f) {
      for (int k = 0; k < 3; ++k) {
        const double truth = sign[k] * (gait[f].*check.angles)[check.side][k];
        errors[k].push_back(joint.angles_deg[3 * f + k] - truth);
      }
    }
    std::printf("%-10s RMS error flexion %.3f, adduction %.3f, rotation %.3f deg\n", check.name, Rms(errors[0]), Rms(errors[1]),
                Rms(errors[2]));
    EXPECT_LT(Rms(errors[0]), 0.5) << check.name;
    EXPECT_LT(Rms(errors[1]), 1.5) << check.name;
    EXPECT_LT(Rms(errors[2]), 1.5) << check.name;
  }
  // Joint centres follow within a few mm, residuals are the noise.
  std::vector<double> knee_errors;
  for (int f = 0; f < dynamic.frame_count; ++f) {
    SegmentPoses(subject, gait[f], r, o);
    const Eigen::Vector3d ours(&kinematics.centres_m[2][3 * f]);
    knee_errors.push_back((ours - o[kShankLeft]).norm());
  }
  EXPECT_EQ(kinematics.centre_names[2], "knee_left");
  EXPECT_LT(Rms(knee_errors), 0.002);
  double residual = 0;
  for (double r_m : kinematics.rms_residual_m) residual += r_m / dynamic.frame_count;
  EXPECT_GT(residual, 0.0005);
  EXPECT_LT(residual, 0.0025);
  EXPECT_TRUE(kinematics.unsolved_reasons.empty());
}

TEST(SyntheticSubject, MissingMarkersDegradeGracefully) {
  const SyntheticSubject subject;
  const MarkerTrajectories static_trial = Film(subject, std::vector<Pose>(30, StandingPose()), 0.0, 3, "static.c3d");
  std::vector<Pose> gait;
  for (int f = 0; f < 40; ++f) gait.push_back(GaitPose(f));
  MarkerTrajectories dynamic = Film(subject, gait, 0.0, 5, "gait.c3d");
  const auto drop = [&](int frame, const std::string& label) {
    for (size_t m = 0; m < dynamic.labels.size(); ++m) {
      if (dynamic.labels[m] == label) {
        for (int k = 0; k < 3; ++k) dynamic.positions_m[(frame * dynamic.labels.size() + m) * 3 + k] = NAN;
      }
    }
  };
  // Frame 10: one thigh marker gone (still determined); frame 20: every left foot marker gone.
  drop(10, "LTH2");
  for (const char* label : {"LCAL", "LMT1", "LMT2"}) drop(20, label);
  const SkeletonModel model = FindSkeletonModel("isb");
  const SkeletonCalibration calibration =
      CalibrateSkeleton(static_trial, FindMarkerSet("opensim_walking"), model, SubjectParameters{}, CalibrationOptions{});
  const Kinematics k = SolveKinematics(calibration, model, dynamic, KinematicsOptions{}, Backend::kCpu);
  EXPECT_NEAR(k.Joint("knee_left").angles_deg[3 * 10], -gait[10].knee[kLeftLimb][0], 1e-6);
  EXPECT_TRUE(std::isnan(k.Joint("ankle_left").angles_deg[3 * 20]));
  EXPECT_NEAR(k.Joint("knee_left").angles_deg[3 * 20], -gait[20].knee[kLeftLimb][0], 1e-6);
  EXPECT_EQ(k.solved[20], 0);
  ASSERT_EQ(k.unsolved_reasons.size(), 1u);
  EXPECT_EQ(k.unsolved_reasons.begin()->first, "foot_left: 0 of 3 markers, needs 1");
  EXPECT_EQ(k.unsolved_reasons.begin()->second, 1);
}

// Issue 12, item 5: a frame the solver leaves unconverged keeps whatever coordinates it stopped at
// (often a joint limit); it must be NaN, counted by reason, never an angle.
TEST(SyntheticSubject, UnconvergedFramesAreNaNWithAReasonCount) {
  const SyntheticSubject subject;
  const MarkerTrajectories static_trial = Film(subject, std::vector<Pose>(30, StandingPose()), 0.0, 3, "static.c3d");
  std::vector<Pose> gait;
  for (int f = 0; f < 30; ++f) gait.push_back(GaitPose(f));
  const MarkerTrajectories dynamic = Film(subject, gait, 0.003, 5, "gait.c3d");  // noise: the start is not the optimum
  const SkeletonModel model = FindSkeletonModel("isb");
  const SkeletonCalibration calibration =
      CalibrateSkeleton(static_trial, FindMarkerSet("opensim_walking"), model, SubjectParameters{}, CalibrationOptions{});
  KinematicsOptions starved;
  starved.solver.max_iterations = 1;  // one Levenberg-Marquardt step converges no gait pose
  const Kinematics k = SolveKinematics(calibration, model, dynamic, starved, Backend::kCpu);
  int unconverged = 0;
  for (int f = 0; f < k.frame_count; ++f) {
    if (k.solved[f]) continue;
    ++unconverged;
    for (const char* joint : {"hip_left", "knee_left", "knee_right"}) {
      EXPECT_TRUE(std::isnan(k.Joint(joint).angles_deg[3 * static_cast<size_t>(f)])) << joint << " frame " << f;
    }
  }
  ASSERT_GT(unconverged, 0);
  const auto reason = k.unsolved_reasons.find("solver: not converged in 1 iterations");
  ASSERT_NE(reason, k.unsolved_reasons.end());
  EXPECT_EQ(reason->second, unconverged);
}

TEST(SkeletonErrors, MissingStaticMarkerIsNamed) {
  const SyntheticSubject subject;
  MarkerTrajectories static_trial = Film(subject, std::vector<Pose>(10, StandingPose()), 0.0, 3, "static.c3d");
  for (std::string& label : static_trial.labels) {
    if (label == "RMFC") label = "XXXX";
  }
  const SkeletonModel model = FindSkeletonModel("isb");
  try {
    CalibrateSkeleton(static_trial, FindMarkerSet("opensim_walking"), model, SubjectParameters{}, CalibrationOptions{});
    FAIL() << "expected an error";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("static.c3d: marker RMFC"), std::string::npos) << e.what();
  }
}

TEST(SkeletonErrors, MovingStaticTrialIsRefused) {
  const SyntheticSubject subject;
  std::vector<Pose> poses;
  for (int f = 0; f < 50; ++f) poses.push_back(GaitPose(f));
  const MarkerTrajectories walking = Film(subject, poses, 0.0, 3, "walking_as_static.c3d");
  const SkeletonModel model = FindSkeletonModel("isb");
  try {
    CalibrateSkeleton(walking, FindMarkerSet("opensim_walking"), model, SubjectParameters{}, CalibrationOptions{});
    FAIL() << "expected an error";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("walking_as_static.c3d: static trial: expected a subject standing still"),
              std::string::npos)
        << e.what();
  }
}

TEST(SkeletonErrors, ImplausibleSubjectParameterIsNamed) {
  const SyntheticSubject subject;
  const MarkerTrajectories static_trial = Film(subject, std::vector<Pose>(10, StandingPose()), 0.0, 3, "static.c3d");
  SubjectParameters given;
  given.leg_length_m[kLeftLimb] = 2.5;
  given.source["leg_length_left"] = "command line";
  try {
    CalibrateSkeleton(static_trial, FindMarkerSet("opensim_walking"), FindSkeletonModel("pig"), given, CalibrationOptions{});
    FAIL() << "expected an error";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("leg_length_left"), std::string::npos) << e.what();
  }
}

TEST(MarkerSets, BuiltInsParseAndPrefixesAreStripped) {
  EXPECT_GE(BuiltInMarkerSets().size(), 4u);
  EXPECT_EQ(StripSubjectPrefix("A22:LKNE"), "LKNE");
  EXPECT_EQ(StripSubjectPrefix("LKNE"), "LKNE");
  const std::vector<std::string> vicon = {"A22:SACR", "A22:LASI", "A22:RASI", "A22:LTHI", "A22:RTHI", "A22:LKNE", "A22:RKNE",
                                          "A22:LTIB", "A22:RTIB", "A22:LANK", "A22:RANK", "A22:LTOE", "A22:RTOE"};
  EXPECT_EQ(DetectMarkerSet("x.c3d", vicon).name, "plugin_gait");
  try {
    DetectMarkerSet("golf.c3d", {"1", "2", "3"});
    FAIL();
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("golf.c3d: marker labels"), std::string::npos);
  }
}

}  // namespace
}  // namespace midstance
