#include "midstance/trial_kinematics.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "midstance/convert.h"
#include "midstance/error.h"

namespace midstance {
namespace {

// Subject parameters, lowest priority first: the trial's C3D, the static trial's C3D, the TOML
// file, the command line. Missing lengths are estimated from the calibration landmarks later.
SubjectParameters GatherSubject(const C3dFile& trial, const C3dFile* static_trial, const SkeletonOptions& options) {
  SubjectParameters p = SubjectParametersFromC3d(trial);
  if (static_trial != nullptr) p = Overlay(p, SubjectParametersFromC3d(*static_trial));
  if (!options.subject_toml.empty()) p = Overlay(p, SubjectParametersFromToml(options.subject_toml));
  p = Overlay(p, options.command_line);
  ValidateSubjectParameters(p, SubjectRequirement::kSetOnly);
  return p;
}

std::string Json(const std::vector<std::string>& lines) { return nlohmann::json(lines).dump(); }

void WriteJoint(Hdf5Writer& h5, const JointAngles& joint, uint64_t frames, const SkeletonModel& model) {
  const std::string columns = joint.columns[0] + ", " + joint.columns[1] + ", " + joint.columns[2];
  const std::string path = "/kinematics/" + joint.name;
  h5.WriteDoubles(path, {frames, 3}, joint.angles_deg, "deg",
                  "joint angles (" + columns + ") in the joint coordinate system of Grood & Suntay 1983, "
                  "ISB signs on both sides (model '" + model.name + "'); NaN where a segment was not determined");
  h5.SetAttribute(path, "columns", columns);
  h5.WriteDoubles(path + "_velocity", {frames, 3}, joint.velocity_deg_s, "deg/s",
                  "time derivative of " + joint.name + " after a zero-lag low-pass (see filter_hz)");
  h5.SetAttribute(path + "_velocity", "columns", columns);
}

}  // namespace

TrialKinematics ComputeTrialKinematics(const C3dFile& trial, const SkeletonOptions& options, Backend backend) {
  TrialKinematics out;
  out.filter_hz = options.kinematics.filter_hz;
  out.filter_order = options.kinematics.filter_order;
  if (!options.enabled) {
    out.skipped = "turned off (--no-skeleton)";
    return out;
  }
  out.model = FindSkeletonModel(options.model);
  const MarkerTrajectories dynamic = MarkerTrajectoriesFromC3d(trial);
  std::optional<C3dFile> static_c3d;
  if (!options.static_path.empty()) static_c3d = ReadC3dAndLogWarnings(options.static_path, trial.read_options);  // as strict as the trial
  // The set is recognised on the trial that carries the landmarks: the static one when given.
  const C3dFile& landmarks = static_c3d ? *static_c3d : trial;
  const bool detected = options.marker_set.empty();
  if (detected) {
    try {
      out.marker_set = DetectMarkerSet(landmarks.path, landmarks.point_labels);
    } catch (const FileFormatError& e) {
      if (static_c3d) throw;
      out.skipped = e.what();
      spdlog::warn("kinematics skipped (kinematic stance metrics are NaN): {}", e.what());
      return out;
    }
  } else {
    out.marker_set = FindMarkerSet(options.marker_set);
  }
  const SubjectParameters subject = GatherSubject(trial, static_c3d ? &*static_c3d : nullptr, options);
  CalibrationOptions calibration;
  calibration.is_static_trial = static_c3d.has_value();
  try {
    out.calibration = static_c3d ? CalibrateSkeleton(MarkerTrajectoriesFromC3d(*static_c3d), out.marker_set, out.model, subject, calibration)
                                 : CalibrateSkeleton(dynamic, out.marker_set, out.model, subject, calibration);
  } catch (const FileFormatError& e) {
    // Without a static trial or a chosen marker set, a trial whose markers do not make a skeleton
    // still gets its forces and events; what the user asked for explicitly fails loudly.
    if (static_c3d || !detected) throw;
    out.skipped = e.what();
    spdlog::warn("kinematics skipped (kinematic stance metrics are NaN): {}", e.what());
    return out;
  }
  if (static_c3d) {
    for (const std::string& note : MatchClusterLabels(&out.calibration, dynamic)) {
      spdlog::warn("skeleton: {}", note);
      out.calibration.notes.push_back(note);
    }
  }
  for (const std::string& note : out.calibration.notes) spdlog::info("skeleton: {}", note);
  spdlog::info("skeleton: model '{}', marker set '{}', {} markers, {} coordinates, calibrated on {} frames of {}",
               out.model.name, out.marker_set.name, out.calibration.chain.marker_count, out.calibration.chain.coordinate_count,
               out.calibration.frames_used, out.calibration.source_file);
  out.kinematics = SolveKinematics(out.calibration, out.model, dynamic, options.kinematics, backend);
  for (const auto& [reason, frames] : out.kinematics.unsolved_reasons) {
    spdlog::warn("kinematics: {} frames not solved: {}", frames, reason);
  }
  out.computed = true;
  return out;
}

void WriteKinematics(Hdf5Writer& h5, const TrialKinematics& k) {
  h5.CreateGroup("/kinematics");
  if (!k.computed) {
    h5.SetAttribute("/kinematics", "skipped", k.skipped);
    return;
  }
  const Kinematics& kin = k.kinematics;
  const SkeletonCalibration& cal = k.calibration;
  const uint64_t frames = static_cast<uint64_t>(kin.frame_count);
  h5.WriteDoubles("/kinematics/time", {frames}, kin.time_s, "s", "time of each camera frame from the first");
  for (const JointAngles& joint : kin.joints) WriteJoint(h5, joint, frames, k.model);
  h5.CreateGroup("/kinematics/joint_centres");
  for (size_t c = 0; c < kin.centre_names.size(); ++c) {
    const std::string path = "/kinematics/joint_centres/" + kin.centre_names[c];
    h5.WriteDoubles(path, {frames, 3}, kin.centres_m[c], "m", "joint centre, lab frame (origin of the distal segment)");
    h5.WriteDoubles(path + "_velocity", {frames, 3}, kin.centre_velocity_m_s[c], "m/s",
                    "joint centre velocity, lab frame, after a zero-lag low-pass (see filter_hz)");
  }
  h5.CreateGroup("/kinematics/segments");
  for (int s = 0; s < kSegmentCount; ++s) {
    const std::string path = std::string("/kinematics/segments/") + SegmentName(s);
    h5.WriteDoubles(path + "/rotation", {frames, 9}, kin.segment_rotation[s], "1",
                    "row-major rotation from segment to lab; its columns are the segment's X (anterior), Y (superior), "
                    "Z (right) axes in the lab frame (ISB)");
    h5.WriteDoubles(path + "/origin", {frames, 3}, kin.segment_origin_m[s], "m",
                    "segment origin, lab frame (pelvis: ASIS midpoint; others: proximal joint centre)");
    h5.WriteDoubles(path + "/angular_velocity", {frames, 3}, kin.segment_angular_velocity_rad_s[s], "rad/s",
                    "angular velocity, lab frame, after a zero-lag low-pass (see filter_hz)");
  }
  const uint64_t markers = kin.marker_labels.size();
  h5.WriteStrings("/kinematics/marker_labels", kin.marker_labels, "markers the inverse kinematics follows ('A+B': midpoint)");
  h5.WriteDoubles("/kinematics/marker_residual", {frames, markers}, kin.marker_residual_m, "m",
                  "distance from each measured marker to the model's, per frame; NaN when absent");
  h5.WriteDoubles("/kinematics/rms_residual", {frames}, kin.rms_residual_m, "m", "RMS marker residual per frame");
  std::vector<int32_t> iterations(kin.iterations.begin(), kin.iterations.end()), solved(kin.solved.begin(), kin.solved.end());
  h5.WriteInts("/kinematics/iterations", {frames}, iterations, "1", "Levenberg-Marquardt iterations per frame");
  h5.WriteInts("/kinematics/solved", {frames}, solved, "1", "1 when every segment was determined by its markers");
  std::vector<double> coordinates = kin.coordinates;
  h5.WriteDoubles("/kinematics/coordinates", {frames, static_cast<uint64_t>(cal.chain.coordinate_count)}, coordinates, "rad or m",
                  "raw chain coordinates (pelvis translation m, pelvis rotations relative to the frame's own starting "
                  "orientation, then joint Z X Y rotations rad, see include/midstance/ik_chain.h); NaN where the pelvis "
                  "was not determined. Use the segment rotations for anything absolute");

  const std::string g = "/kinematics";
  h5.SetAttribute(g, "model", k.model.name + ": " + k.model.description);
  h5.SetAttribute(g, "marker_set", k.marker_set.name + " (" + k.marker_set.origin + ")");
  h5.SetAttribute(g, "calibration_file", cal.source_file);
  h5.SetAttribute(g, "calibration_kind", std::string(cal.from_static_trial ? "static trial" : "dynamic trial (no static trial given)"));
  h5.SetAttribute(g, "calibration_frames", static_cast<int64_t>(cal.frames_used));
  h5.SetAttribute(g, "hip_centre_method", cal.hip_method);
  h5.SetAttribute(g, "knee_centre_method", cal.knee_method[kLeftLimb] + " (left), " + cal.knee_method[kRightLimb] + " (right)");
  h5.SetAttribute(g, "ankle_centre_method", cal.ankle_method[kLeftLimb] + " (left), " + cal.ankle_method[kRightLimb] + " (right)");
  h5.SetAttribute(g, "angle_convention",
                  std::string("Grood & Suntay 1983 joint coordinate system, ISB (Wu et al. 2002): flexion about the proximal "
                              "medio-lateral axis, ab/adduction about the floating axis, rotation about the distal long axis; "
                              "flexion, adduction, internal rotation, dorsiflexion and inversion positive on both sides"));
  h5.SetAttribute(g, "filter_hz", k.filter_hz);
  h5.SetAttribute(g, "filter_order", static_cast<int64_t>(k.filter_order));
  h5.SetAttribute(g, "notes", Json(cal.notes));
  nlohmann::json unsolved = nlohmann::json::object();
  for (const auto& [reason, count] : kin.unsolved_reasons) unsolved[reason] = count;
  h5.SetAttribute(g, "unsolved_frames", unsolved.dump());
  for (const SubjectField& field : ListSubjectParameters(cal.subject)) {
    h5.SetAttribute(g, "subject_" + field.name, field.value);
    h5.SetAttribute(g, "subject_" + field.name + "_source", field.source.empty() ? std::string("not set") : field.source);
  }
}

std::string FormatKinematics(const TrialKinematics& k) {
  if (!k.computed) return "  kinematics: skipped: " + k.skipped + "\n";
  std::string out;
  char line[256];
  for (const JointAngles& joint : k.kinematics.joints) {
    std::string ranges;
    for (int c = 0; c < 3; ++c) {
      double lo = INFINITY, hi = -INFINITY;
      for (int f = 0; f < k.kinematics.frame_count; ++f) {
        const double v = joint.angles_deg[3 * static_cast<size_t>(f) + c];
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      }
      char part[96];
      std::snprintf(part, sizeof(part), "  %s %.1f..%.1f", joint.columns[c].c_str(), lo, hi);
      ranges += part;
    }
    std::snprintf(line, sizeof(line), "  %-12s%s deg\n", joint.name.c_str(), ranges.c_str());
    out += line;
  }
  return out;
}

}  // namespace midstance
