// Writing a trial analysis: HDF5 groups /forceplates, /events and /stances (DESIGN.md), and the
// one-line-per-stance summary the command line prints.
#include <spdlog/spdlog.h>

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "midstance/c3d_trial.h"
#include "midstance/convert.h"
#include "midstance/file_names.h"
#include "midstance/opensim_trial.h"
#include "midstance/error.h"
#include "midstance/hdf5_file.h"
#include "midstance/sha256.h"
#include "midstance/trial.h"
#include "midstance/trial_report.h"
#include "midstance/trial_stances.h"
#include "midstance/utc_time.h"
#include "midstance/version.h"

namespace midstance {
namespace {

// The trial as io/ reads it: a C3D, or a TRC (+ GRF .mot) pair.
Trial ReadTrialInput(const std::string& path, const std::string& grf_path, const C3dReadOptions& read) {
  const std::string extension = LowercaseExtension(path);
  if (extension == ".trc") return TrialFromOpenSim(path, grf_path);
  if (!grf_path.empty()) throw InvalidInput("process: --grf: expected with a .trc trial only, got it with " + path);
  return ReadTrialC3d(path, read);
}

void LogWarnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) spdlog::warn("{}", w);
}

// Marker groups from the chosen set, else from the labels.
MarkerGroups GroupsOf(const Trial& trial, const MarkerSetChoice& choice) {
  return choice.set ? MarkerGroupsFromSet(trial.markers.labels, *choice.set) : MarkerGroupsFromLabels(trial.markers.labels);
}


constexpr const char* kForceConvention =
    "ground reaction force ON THE SUBJECT, lab frame, vertical positive when loaded; COP on the plate surface; "
    "free moment about the plate normal at the COP; moment about the centre of the plate surface";

void WritePlates(Hdf5Writer& h5, const TrialAnalysis& a, const TrialOptions& options) {
  for (size_t p = 0; p < a.loads.size(); ++p) {
    const PlateLoads& l = a.loads[p];
    const std::string g = "/forceplates/" + std::to_string(p);
    const uint64_t n = static_cast<uint64_t>(l.samples);
    h5.WriteDoubles(g + "/force", {n, 3}, l.force_n, "N", std::string("ground reaction force on the subject, lab frame") +
                                                          (options.force_filter_hz > 0 ? ", low-pass filtered (see filter_hz)" : ", unfiltered"));
    h5.WriteDoubles(g + "/moment", {n, 3}, l.moment_nm, "N m", "moment of the load on the subject about the centre of the plate surface, lab frame");
    h5.WriteDoubles(g + "/cop", {n, 3}, l.cop_m, "m", "centre of pressure, lab frame; NaN at or below the contact threshold");
    h5.WriteDoubles(g + "/free_moment", {n, 3}, l.free_moment_nm, "N m",
                    "free moment on the subject about the plate normal at the COP, lab frame; NaN at or below the threshold");
    std::vector<double> time(static_cast<size_t>(n));
    for (size_t s = 0; s < time.size(); ++s) time[s] = a.sync.AnalogTime(static_cast<double>(s));
    h5.WriteDoubles(g + "/time", {n}, time, "s", "time of each analog sample from the first camera frame");
    h5.SetAttribute(g, "rate", a.sync.analog_rate_hz);
    h5.SetAttribute(g, "convention", std::string(kForceConvention));
    h5.SetAttribute(g, "channel_sign", static_cast<int64_t>(l.sign));
    h5.SetAttribute(g, "name", p < a.load_names.size() ? a.load_names[p] : std::string());
    h5.SetAttribute(g, "baseline", l.baseline_applied ? "mean of frames " + std::to_string(a.plates[p].zero_frames[0]) + "-" +
                                                            std::to_string(a.plates[p].zero_frames[1]) + " subtracted (FORCE_PLATFORM:ZERO)"
                                                      : std::string("none"));
    h5.SetAttribute(g, "threshold_n", options.contact.threshold_n);
    h5.SetAttribute(g, "filter_hz", options.force_filter_hz);
  }
}

struct EventRow {
  double time_s;
  std::string side, method;
  int plate;
};

void WriteEventTable(Hdf5Writer& h5, const std::string& group, const std::vector<EventRow>& rows, const AnalogSync& sync,
                     const std::string& what) {
  std::vector<double> time, frame;
  std::vector<std::string> side, method;
  std::vector<int32_t> plate;
  for (const EventRow& r : rows) {
    time.push_back(r.time_s);
    frame.push_back(sync.FrameAt(r.time_s));
    side.push_back(r.side);
    method.push_back(r.method);
    plate.push_back(r.plate);
  }
  const uint64_t n = rows.size();
  h5.WriteDoubles(group + "/time", {n}, time, "s", what + ", from the first camera frame");
  h5.WriteDoubles(group + "/frame", {n}, frame, "frame", "the same instant as a fractional 0-based camera frame index");
  h5.WriteStrings(group + "/side", side, "left, right or unknown");
  h5.WriteInts(group + "/plate", {n}, plate, "1", "0-based plate of the contact (the first when it spans plates), -1 none");
  h5.WriteStrings(group + "/method", method, "how the event was found");
}

int FirstPlate(const Stance& s) { return s.plates.empty() ? -1 : s.plates.front(); }

void WriteEvents(Hdf5Writer& h5, const TrialAnalysis& a) {
  std::vector<EventRow> strikes, toe_offs, mids;
  for (const Stance& s : a.stances) {
    strikes.push_back({s.events.strike_s, SideName(s.side), s.events.method, FirstPlate(s)});
    toe_offs.push_back({s.events.toe_off_s, SideName(s.side), s.events.method, FirstPlate(s)});
    const double mid = s.mid_stance.Time(MidStanceDefinition::kPeakVerticalForce);
    const bool force = !std::isnan(mid);
    mids.push_back({force ? mid : s.mid_stance.Time(MidStanceDefinition::kHalfContact), SideName(s.side),
                    force ? "peak vertical force" : "50 % of contact (no force)", FirstPlate(s)});
  }
  WriteEventTable(h5, "/events/foot_strike", strikes, a.sync, "foot strike");
  WriteEventTable(h5, "/events/toe_off", toe_offs, a.sync, "toe-off");
  WriteEventTable(h5, "/events/mid_stance", mids, a.sync, "mid-stance by the default definition (peak vertical force)");
}

std::string PlateList(const Stance& s) {
  std::string text;
  for (int p : s.plates) text += (text.empty() ? "" : "+") + std::to_string(p + 1);
  return text;
}

void WriteStances(Hdf5Writer& h5, const TrialAnalysis& a, const TrialOptions& options) {
  const uint64_t n = a.stances.size();
  std::vector<std::string> side, plates, exclusion, evidence, method;
  std::vector<double> strike, toe_off, sensitivity;
  std::vector<int32_t> clean, from_force, plate, plausible;
  std::vector<double> inside;
  for (const Stance& s : a.stances) {
    plausible.push_back(s.plausible ? 1 : 0);
    inside.push_back(s.foot_inside_plate_m);
    side.push_back(SideName(s.side));
    plates.push_back(PlateList(s));
    plate.push_back(FirstPlate(s));
    exclusion.push_back(s.exclusion);
    evidence.push_back(s.side_evidence);
    method.push_back(s.events.method);
    strike.push_back(s.events.strike_s);
    toe_off.push_back(s.events.toe_off_s);
    sensitivity.insert(sensitivity.end(), s.contact_time_by_threshold_s.begin(), s.contact_time_by_threshold_s.end());
    clean.push_back(s.clean ? 1 : 0);
    from_force.push_back(s.from_force ? 1 : 0);
  }
  h5.WriteStrings("/stances/side", side, "stance foot: left, right or unknown");
  h5.WriteStrings("/stances/plates", plates, "1-based plates of the contact joined by '+', empty for kinematic stances");
  h5.WriteInts("/stances/plate", {n}, plate, "1", "0-based first plate, -1 for kinematic stances");
  h5.WriteInts("/stances/clean", {n}, clean, "1", "1: a whole contact on the plates, usable for metrics");
  h5.WriteStrings("/stances/exclusion", exclusion, "why a stance is not clean");
  h5.WriteInts("/stances/plausible", {n}, plausible, "1",
               "0: physically implausible (contact under 80 ms, or peak under 0.5 body weights while running); never clean");
  h5.WriteDoubles("/stances/foot_inside_plate", {n}, inside, "m",
                  "least distance of the foot inside the plate outline over the contact: foot markers with the plate marker margin, "
                  "the COP less the COP margin (options); negative: part of the foot off the plate; NaN off the plates");
  h5.WriteInts("/stances/from_force", {n}, from_force, "1", "1: events from force, 0: kinematic events only (running: foot markers' heights; walking: Zeni et al. 2008)");
  h5.WriteStrings("/stances/side_evidence", evidence, "how the foot was identified");
  h5.WriteStrings("/stances/event_method", method, "how foot strike and toe-off were found");
  h5.WriteDoubles("/stances/foot_strike_time", {n}, strike, "s", "foot strike from the first camera frame");
  h5.WriteDoubles("/stances/toe_off_time", {n}, toe_off, "s", "toe-off from the first camera frame");
  h5.WriteDoubles("/stances/contact_time_by_threshold", {n, 3}, sensitivity, "s",
                  "contact time between threshold crossings at threshold - d, threshold, threshold + d (attributes)");
  h5.SetAttribute("/stances/contact_time_by_threshold", "thresholds_n",
                  nlohmann::json::array({options.contact.threshold_n - options.sensitivity_n, options.contact.threshold_n,
                                         options.contact.threshold_n + options.sensitivity_n}).dump());
  for (int d = 0; d < kMidStanceDefinitionCount; ++d) {
    const auto definition = static_cast<MidStanceDefinition>(d);
    const std::string name = MidStanceName(definition);
    std::vector<double> time, offset_ms, offset_pct;
    std::vector<std::string> reason;
    for (const Stance& s : a.stances) {
      const double t = s.mid_stance.Time(definition);
      const double reference = s.mid_stance.Time(MidStanceDefinition::kPeakVerticalForce);
      time.push_back(t);
      offset_ms.push_back(OffsetMs(t, reference));
      offset_pct.push_back(PercentOfStance(t, s.events) - PercentOfStance(reference, s.events));
      reason.push_back(s.mid_stance.Reason(definition));
    }
    h5.WriteDoubles("/stances/mid_stance/" + name, {n}, time, "s", "mid-stance by the " + name + " definition; NaN: see reasons");
    h5.WriteDoubles("/stances/mid_stance_offset/" + name, {n}, offset_ms, "ms", "this definition minus peak vertical force (the default)");
    h5.WriteDoubles("/stances/mid_stance_offset_percent/" + name, {n}, offset_pct, "% of stance",
                    "this definition minus peak vertical force, in % of contact time");
    h5.WriteStrings("/stances/mid_stance_reason/" + name, reason, "why the instant is NaN (empty when defined)");
  }
  h5.SetAttribute("/stances", "default_mid_stance", std::string("peak_vertical_force"));
  h5.SetAttribute("/stances", "heading", nlohmann::json(a.heading).dump());
  h5.SetAttribute("/stances", "heading_source", a.heading_source);
  h5.SetAttribute("/stances", "sync_check", a.sync_check.message);
  h5.SetAttribute("/stances", "sync_lag_s", a.sync_check.median_lag_s);
  h5.SetAttribute("/stances", "analog_samples_per_frame", a.sync.samples_per_frame);
  h5.SetAttribute("/stances", "analog_offset_s", a.sync.offset_s);
}

std::string OptionsJson(const TrialOptions& o) {
  return nlohmann::json({{"contact_threshold_n", o.contact.threshold_n},
                         {"min_contact_s", o.contact.min_duration_s},
                         {"remove_baseline", o.remove_baseline},
                         {"plate_sign", o.plate_sign},
                         {"force_filter_hz", o.force_filter_hz},
                         {"contact_filter_hz", o.contact_filter_hz},
                         {"filter_order", o.filter_order},
                         {"body_mass_kg", std::isnan(o.body_mass_kg) ? nlohmann::json() : nlohmann::json(o.body_mass_kg)},
                         {"sensitivity_n", o.sensitivity_n},
                         {"plate_marker_margin_m", o.plate_marker_margin_m},
                         {"plate_cop_margin_m", o.plate_cop_margin_m}})
      .dump();
}

// "out/run1.h5" -> "out/run1": the CSV and the report go next to the result.
std::string SiblingStem(const std::string& output_path) {
  const size_t slash = output_path.find_last_of('/');
  const size_t dot = output_path.find_last_of('.');
  return dot != std::string::npos && (slash == std::string::npos || dot > slash) ? output_path.substr(0, dot) : output_path;
}

std::string MatrixJson(const Eigen::Matrix3d& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (int r = 0; r < 3; ++r) rows.push_back({m(r, 0), m(r, 1), m(r, 2)});
  return rows.dump();
}

void WriteLabFrame(Hdf5Writer& h5, const TrialAnalysis& a) {
  const LabFrame& f = a.lab_frame;
  std::vector<double> r;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) r.push_back(f.internal_from_file(i, j));
  }
  h5.WriteDoubles("/lab_frame/internal_from_file", {3, 3}, r, "1",
                  "rotation from the file's axes to the internal lab frame (Z up, X the direction of progression): "
                  "internal = R x file; every result but /markers and /analog is in the internal frame");
  const std::string g = "/lab_frame";
  h5.SetAttribute(g, "vertical", f.vertical);
  h5.SetAttribute(g, "vertical_source", f.vertical_source);
  h5.SetAttribute(g, "heading_source", f.heading_source);
  h5.SetAttribute(g, "treadmill", static_cast<int64_t>(f.treadmill ? 1 : 0));
  h5.SetAttribute(g, "treadmill_evidence", f.treadmill_evidence);
  h5.SetAttribute(g, "belt_speed_m_s", f.belt_speed_m_s);
  h5.SetAttribute(g, "belt_speed_source", f.belt_speed_source);
  h5.SetAttribute(g, "gait", std::string(a.running ? "running" : "walking"));
  h5.SetAttribute(g, "gait_evidence", a.gait_evidence);
}

// A TRC trial's markers as read (file axes, metres), the way WriteC3dContents keeps a C3D's.
void WriteTrialMarkers(Hdf5Writer& h5, const Trial& trial) {
  const MarkerTrajectories& m = trial.markers;
  h5.WriteDoubles("/markers/positions", {static_cast<uint64_t>(m.frame_count), m.labels.size(), 3}, m.positions_m, "m",
                  "marker positions in the file's axes (see /lab_frame), NaN when missing");
  h5.WriteStrings("/markers/labels", m.labels, "marker labels as the file writes them");
  h5.SetAttribute("/markers", "rate", m.rate_hz);
}

}  // namespace

PreparedTrial PrepareTrial(const std::string& path, const std::string& grf_path, const SkeletonOptions& skeleton,
                           const LabFrameOptions& lab_frame, const C3dReadOptions& read) {
  lab_frame.Validate();
  PreparedTrial p;
  p.trial = ReadTrialInput(path, grf_path, read);
  LogWarnings(p.trial.warnings);
  if (!skeleton.static_path.empty()) {
    p.static_trial = ReadTrialInput(skeleton.static_path, "", read);  // as strict as the trial
    LogWarnings(p.static_trial->warnings);
  }
  p.choice = ChooseMarkerSet(p.trial, p.static_trial ? &*p.static_trial : nullptr, skeleton);
  p.groups = GroupsOf(p.trial, p.choice);
  const MarkerGroups static_groups = p.static_trial ? GroupsOf(*p.static_trial, p.choice) : MarkerGroups{};
  const LabFrameDecision frame = DecideLabFrame(p.trial, p.groups, p.static_trial ? &*p.static_trial : nullptr, &static_groups, lab_frame);
  LogWarnings(frame.warnings);
  RotateTrial(&p.trial, frame.frame.internal_from_file);
  const Eigen::Matrix3d rotation = p.trial.lab_frame.internal_from_file;
  p.trial.lab_frame = frame.frame;
  p.trial.lab_frame.internal_from_file = rotation;
  if (p.static_trial) RotateTrial(&*p.static_trial, frame.frame.internal_from_file);
  spdlog::info("lab frame: up is the file's {} ({}); forward: {}", frame.frame.vertical, frame.frame.vertical_source, frame.frame.heading_source);
  return p;
}

TrialAnalysis AnalyseTrialFile(const std::string& path, const TrialOptions& options, const LabFrameOptions& lab_frame,
                               const C3dReadOptions& read) {
  const PreparedTrial prepared = PrepareTrial(path, "", SkeletonOptions{}, lab_frame, read);
  return AnalyseTrial(prepared.trial, prepared.groups, options, Backend::kCpu);
}

TrialKinematics ComputeTrialKinematicsFile(const std::string& path, const SkeletonOptions& options, Eigen::Matrix3d* internal_from_file) {
  const PreparedTrial p = PrepareTrial(path, "", options, LabFrameOptions{});
  if (internal_from_file) *internal_from_file = p.trial.lab_frame.internal_from_file;
  return ComputeTrialKinematics(p.trial, p.static_trial ? &*p.static_trial : nullptr, p.choice, options, Backend::kCpu);
}

TrialResult ProcessTrial(const TrialProcessOptions& options) {
  if (options.output_path.empty()) throw InvalidInput("process: -o: expected an output .h5 path, got nothing");
  PreparedTrial prepared = PrepareTrial(options.input_path, options.grf_path, options.skeleton, options.lab_frame, options.c3d);
  Trial& trial = prepared.trial;
  const std::optional<Trial>& static_trial = prepared.static_trial;
  const MarkerSetChoice& choice = prepared.choice;
  const MarkerGroups& groups = prepared.groups;
  const Eigen::Matrix3d rotation = trial.lab_frame.internal_from_file;

  TrialResult result;
  result.analysis = AnalyseTrial(trial, groups, options.trial, options.backend.backend);
  TrialAnalysis& a = result.analysis;
  spdlog::info("gait: {} ({})", a.running ? "running" : "walking", a.gait_evidence);
  if (a.lab_frame.treadmill) {
    spdlog::info("treadmill, belt {:.2f} m/s ({}){}", a.lab_frame.belt_speed_m_s,
                 a.lab_frame.belt_speed_source == "--treadmill-speed" ? "given" : "estimated",
                 a.lab_frame.treadmill_evidence.empty() ? "" : ": " + a.lab_frame.treadmill_evidence);
  }
  LogWarnings(a.warnings);
  result.kinematics = ComputeTrialKinematics(trial, static_trial ? &*static_trial : nullptr, choice, options.skeleton, options.backend.backend);
  StanceOptions stance_options = options.stances;
  if (a.lab_frame.treadmill) stance_options.treadmill_speed_m_s = a.lab_frame.belt_speed_m_s;
  result.stances = AnalyseStances(&a, result.kinematics, stance_options);
  Hdf5Writer h5(options.output_path);
  h5.SetAttribute("/", "format", std::string("midstance"));
  h5.SetAttribute("/", "format_version", std::string(kFormatVersion));
  h5.SetAttribute("/", "software_version", std::string(kSoftwareVersion));
  h5.SetAttribute("/", "created", UtcNow());
  h5.SetAttribute("/", "kind", std::string(trial.format == "c3d" ? "c3d trial, processed" : trial.format + " trial, processed"));
  nlohmann::json inputs = nlohmann::json::array();
  for (const std::string& path : trial.input_paths) inputs.push_back({{"path", path}, {"sha256", FileSha256(path)}});
  h5.SetAttribute("/", "inputs", inputs.dump());
  nlohmann::json all_options = nlohmann::json::parse(OptionsJson(options.trial));
  all_options["mid_stance"] = MidStanceName(options.stances.mid_stance);
  for (MidStanceDefinition d : options.stances.also) all_options["also_mid_stance"].push_back(MidStanceName(d));
  all_options["treadmill_speed_m_s"] = std::isnan(options.stances.treadmill_speed_m_s) ? nlohmann::json() : nlohmann::json(options.stances.treadmill_speed_m_s);
  all_options["vertical_axis"] = options.lab_frame.vertical_axis;
  h5.SetAttribute("/", "options", all_options.dump());
  h5.SetAttribute("/", "command_line", options.command_line);
  h5.SetAttribute("/", "backend", std::string(BackendName(options.backend.backend)) + ": " + options.backend.description);
  h5.SetAttribute("/", "force_convention", std::string(kForceConvention));
  h5.SetAttribute("/", "lab_frame", "internal: Z up, X forward; internal = " + MatrixJson(rotation) + " x file (see /lab_frame)");
  if (trial.format == "c3d") {
    WriteC3dContents(h5, ReadC3d(options.input_path, options.c3d));
  } else {
    WriteTrialMarkers(h5, trial);
  }
  h5.SetAttribute("/markers", "frame", std::string("the file's axes; the internal lab frame is /lab_frame/internal_from_file x these"));
  WriteLabFrame(h5, a);
  WritePlates(h5, a, options.trial);
  WriteEvents(h5, a);
  WriteStances(h5, a, options.trial);
  WriteStanceTable(h5, a, result.stances);
  WriteKinematics(h5, result.kinematics);
  h5.Commit();
  const std::string stem = SiblingStem(options.output_path);
  if (options.write_csv) {
    result.csv_path = stem + ".stances.csv";
    WriteStanceCsv(result.csv_path, a, result.stances);
    WriteRelationshipsCsv({options.output_path}, stem + ".relationships.csv");
  }
  if (options.write_report) {
    result.report_path = stem + ".report.html";
    WriteTrialReport({options.output_path}, result.report_path);
  }
  return result;
}

std::string FormatStances(const TrialAnalysis& a, double threshold_n, double sensitivity_n) {
  std::string out;
  char line[512];
  for (const Stance& s : a.stances) {
    const auto& t = s.contact_time_by_threshold_s;
    std::snprintf(line, sizeof(line),
                  "  %-7s %-6s strike %7.4f s  toe-off %7.4f s  contact %6.1f ms  (threshold %.0f/%.0f/%.0f N: %.1f/%.1f/%.1f ms)"
                  "  mid-stance %7.4f s  %s\n",
                  SideName(s.side), s.from_force ? ("plate " + PlateList(s)).c_str() : "kinem.", s.events.strike_s,
                  s.events.toe_off_s, s.contact_time_s() * 1e3, threshold_n - sensitivity_n, threshold_n, threshold_n + sensitivity_n,
                  t[0] * 1e3, t[1] * 1e3, t[2] * 1e3, s.mid_stance.Time(MidStanceDefinition::kPeakVerticalForce),
                  s.clean ? "clean" : ("excluded: " + s.exclusion).c_str());
    out += line;
  }
  return out;
}

}  // namespace midstance
