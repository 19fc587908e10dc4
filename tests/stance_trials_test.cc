// Stance metrics on the real trials of ../shared/data: the plausibility ranges of its README
// (walking and distance running), the golden contacts and peak forces of expected.json, and a
// trial with no known marker set (force metrics, NaN kinematics, one warning, a report).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "midstance/gait_events.h"
#include "midstance/opensim_files.h"
#include "midstance/regression.h"
#include "midstance/relationship.h"
#include "midstance/repeated_measures.h"
#include "midstance/stance_metrics.h"
#include "midstance/trial.h"
#include "support/test_support.h"

namespace midstance {
namespace {

using testing::RunMidstance;
using testing::SharedDataPath;
using testing::TempDir;

TrialResult Process(const TempDir& dir, const std::string& trial, const std::string& static_trial, bool skeleton,
                    const std::string& model = "isb") {
  TrialProcessOptions options;
  options.input_path = SharedDataPath(trial);
  options.output_path = dir / (trial + ".h5");
  options.skeleton.enabled = skeleton;
  options.skeleton.model = model;
  if (!static_trial.empty()) options.skeleton.static_path = SharedDataPath(static_trial);
  options.stances.also = {MidStanceDefinition::kPeakKneeFlexion};
  options.write_csv = options.write_report = false;
  return ProcessTrial(options);
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  int n = 0;
  for (double x : v) {
    if (std::isfinite(x)) sum += x, ++n;
  }
  return n ? sum / n : NAN;
}

// Walking, data/README.md: stance 0.55-0.75 s, peak vertical force 1.0-1.3 body weights, knee
// flexion peak in stance 10-25 deg. The README gives them for 1.2-1.5 m/s; trials are checked
// when their pelvis speed is a walking one (1.1-1.9 m/s; Eb015 and plate_type3 walk at
// 0.6-0.8 m/s with 1-2 s contacts and are left out, saying so). The knee range is widened by 3 deg,
// our shown agreement with Vicon's Plug-in Gait, whose own loading-response peak on
// vicon_gait_raw is 9.3 deg (skeleton_trials_test.cc).
void ExpectPlausibleWalkingStances(const std::string& trial, const std::string& static_trial, bool skeleton, int minimum) {
  TempDir dir;
  const TrialResult r = Process(dir, trial, static_trial, skeleton, "pig");
  const auto& stances = r.analysis.stances;
  std::vector<double> speeds;
  for (const StanceMetrics& m : r.stances.metrics) speeds.push_back(m.speed_m_s);
  const double speed = Mean(speeds);
  std::printf("%s: pelvis speed %.2f m/s, body mass %.1f kg (%s)\n", trial.c_str(), speed, r.stances.body_mass_kg,
              r.stances.body_mass_source.c_str());
  ASSERT_TRUE(speed >= 1.1 && speed <= 1.9) << trial << ": not a walking speed";
  int checked = 0;
  for (size_t i = 0; i < stances.size(); ++i) {
    if (!stances[i].clean) continue;
    const StanceMetrics& m = r.stances.metrics[i];
    const double knee_peak = r.stances.also_metrics[0][i].stance_knee_flexion_deg;
    std::printf("  %-5s contact %.3f s, peak Fz %.0f N = %.2f BW, stance knee peak %.1f deg\n", SideName(stances[i].side),
                m.contact_time_s, m.peak_vertical_force_n, m.peak_vertical_force_bw, knee_peak);
    EXPECT_GE(m.contact_time_s, 0.55) << trial << " stance " << i;
    EXPECT_LE(m.contact_time_s, 0.75) << trial << " stance " << i;
    if (std::isfinite(r.stances.body_mass_kg)) {
      EXPECT_GE(m.peak_vertical_force_bw, 1.0) << trial << " stance " << i;
      EXPECT_LE(m.peak_vertical_force_bw, 1.3) << trial << " stance " << i;
    }
    if (skeleton) {
      EXPECT_GE(knee_peak, 10 - 3) << trial << " stance " << i;
      EXPECT_LE(knee_peak, 25 + 3) << trial << " stance " << i;
    }
    ++checked;
  }
  EXPECT_GE(checked, minimum) << trial;
  // Steps pair a stance with the other foot's next one only when this foot does not land again
  // first: walking has double support (flight < 0) and steps of 0.4-0.8 s. Clean stances only:
  // kinematic-only stances (Zeni events) near the end of a capture can be cut short.
  for (size_t i = 0; i < stances.size(); ++i) {
    const StanceMetrics& m = r.stances.metrics[i];
    if (!stances[i].clean || std::isnan(m.step_time_s)) continue;
    EXPECT_LT(m.flight_time_s, 0) << trial << " stance " << i;
    EXPECT_GE(m.step_time_s, 0.4) << trial << " stance " << i;
    EXPECT_LE(m.step_time_s, 0.8) << trial << " stance " << i;
    EXPECT_TRUE(std::isnan(m.com_vertical_displacement_m)) << trial << " stance " << i;
  }
}

TEST(StanceTrials, WalkingTrialsArePlausible) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  ExpectPlausibleWalkingStances("vicon_gait_raw.c3d", "", true, 2);
  ExpectPlausibleWalkingStances("ist_gait_emg.c3d", "ist_static.c3d", true, 2);
  ExpectPlausibleWalkingStances("sample02_pc_real.c3d", "", false, 2);  // the only walking trial with a body mass
  ExpectPlausibleWalkingStances("motionanalysis_walk1.c3d", "", false, 2);
  ExpectPlausibleWalkingStances("hybrid_walking_1.c3d", "", false, 2);
}

// Distance running, data/README.md: contact 0.18-0.30 s, peak vertical force 2.2-3.0 BW, leg
// stiffness 7-16 kN/m (Farley & Gonzalez 1996), cadence 160-190 steps/min, on OpenSim's running
// example (one right and one left stance on a treadmill: the COP does not travel). The file
// carries no body mass: body weight is the mean vertical force over one step (strike to the other
// foot's strike), which impulse-momentum gives for steady running. Neither the belt speed nor the
// leg length is in the file: the ranges are checked for every belt speed of distance running in
// that README (3-5 m/s; the example's source reports 3.96 m/s) and every L0 from 0.85 to 1.00 m,
// except where the combination leaves the spring-mass model's range (the leg sweeping more
// than 35 deg from vertical).
TEST(StanceTrials, RunningForceMetricsArePlausible) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  const OpenSimTable table = ReadOpenSimTable(SharedDataPath("running_grf.mot"));
  const double rate = 1.0 / (table.values[table.columns.size()] - table.values[0]);
  const double t0 = table.values[0];
  // OpenSim: X forward, Y up, Z right -> ours: X forward, Y left, Z up.
  auto signal = [&](const std::string& side) {
    ForceSignal f;
    f.rate_hz = rate;
    f.t0_s = t0;
    const int fx = table.ColumnIndex(side + "_ground_force_vx"), fy = table.ColumnIndex(side + "_ground_force_vy"),
              fz = table.ColumnIndex(side + "_ground_force_vz"), px = table.ColumnIndex(side + "_ground_force_px"),
              pz = table.ColumnIndex(side + "_ground_force_pz");
    for (size_t row = 0; row < table.row_count(); ++row) {
      const double* v = &table.values[row * table.columns.size()];
      f.force_n.insert(f.force_n.end(), {v[fx], -v[fz], v[fy]});
      const bool loaded = v[fy] > 20;
      f.cop_m.insert(f.cop_m.end(), {loaded ? v[px] : NAN, loaded ? -v[pz] : NAN, loaded ? 0.0 : NAN});
    }
    return f;
  };
  const ForceSignal right = signal("R"), left = signal("L");
  auto stance_of = [&](const ForceSignal& f, int side) {
    std::vector<double> vertical;
    for (size_t k = 2; k < f.force_n.size(); k += 3) vertical.push_back(f.force_n[k]);
    const std::vector<ForceContact> contacts = FindContacts(vertical, rate, ContactOptions());
    EXPECT_EQ(contacts.size(), 1u);
    StanceEvents e;
    e.side = side;
    const ContactEvents events = ForceEvents(vertical, rate, t0, contacts.at(0), ContactOptions());
    e.strike_s = events.strike_s;
    e.toe_off_s = events.toe_off_s;
    e.mid_stance = MidStance(f.force_n, rate, t0, contacts.at(0), events, {1, 0, 0}, NAN);
    return e;
  };
  const StanceEvents r = stance_of(right, 1), l = stance_of(left, 0);
  ASSERT_LT(r.strike_s, l.strike_s);
  double impulse = 0;  // the right foot's vertical impulse over the step
  for (size_t k = 2; k + 3 < right.force_n.size(); k += 3) impulse += 0.5 * (right.force_n[k] + right.force_n[k + 3]) / rate;
  const double mass = impulse / (l.strike_s - r.strike_s) / kStandardGravity;
  StanceContext c;
  c.stance = &r;
  c.force = &right;
  c.body_mass_kg = mass;
  c.next_contralateral_strike_s = l.strike_s;
  const double mid_r = r.mid_stance.Time(MidStanceDefinition::kPeakVerticalForce);
  const double mid_l = l.mid_stance.Time(MidStanceDefinition::kPeakVerticalForce);
  auto cop_at = [&](const ForceSignal& f, double t) {
    const size_t k = static_cast<size_t>(std::llround((t - t0) * rate));
    return std::array<double, 3>{f.cop_m[3 * k], f.cop_m[3 * k + 1], f.cop_m[3 * k + 2]};
  };
  c.foot_position_m = cop_at(right, mid_r);
  c.next_foot_position_m = cop_at(left, mid_l);
  int checked = 0;
  for (double speed : {3.0, 3.5, 3.96, 4.5, 5.0}) {
    for (double l0 : {0.85, 0.90, 0.95, 1.00}) {
      c.leg_length_m = l0;
      c.treadmill_speed_m_s = speed;
      const StanceMetrics m = ComputeStanceMetrics(c);
      const double sweep_deg = std::asin(speed * m.contact_time_s / 2 / l0) * 180 / 3.14159265358979323846;
      std::printf("running: mass %.1f kg (step impulse), contact %.3f s, flight %.3f s, peak %.2f BW, cadence %.0f /min, belt %.2f m/s,"
                  " L0 %.2f m (half sweep %.0f deg): k_leg %.1f kN/m (sine %.1f), k_vert %.1f kN/m (sine %.1f)\n",
                  mass, m.contact_time_s, m.flight_time_s, m.peak_vertical_force_bw, m.cadence_steps_min, speed, l0, sweep_deg,
                  m.leg_stiffness_n_m * 1e-3, m.leg_stiffness_sine_n_m * 1e-3, m.vertical_stiffness_n_m * 1e-3,
                  m.vertical_stiffness_sine_n_m * 1e-3);
      EXPECT_GE(m.contact_time_s, 0.18);
      EXPECT_LE(m.contact_time_s, 0.30);
      EXPECT_GE(m.peak_vertical_force_bw, 2.2);
      EXPECT_LE(m.peak_vertical_force_bw, 3.0);
      EXPECT_GE(m.cadence_steps_min, 160);
      EXPECT_LE(m.cadence_steps_min, 190);
      EXPECT_NEAR(m.step_length_m, speed * m.step_time_s, 0.05);
      if (sweep_deg > 35) continue;
      for (double k : {m.leg_stiffness_n_m, m.leg_stiffness_sine_n_m}) {
        EXPECT_GE(k, 7e3) << speed << " m/s, L0 " << l0;
        EXPECT_LE(k, 16e3) << speed << " m/s, L0 " << l0;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 10);
}

// expected.json's contacts (first / last sample above 20 N for at least 20 ms) and the peak
// vertical force of every type-2 plate contact, from an independent reader: each single-plate
// stance has the same samples and the same peak.
TEST(StanceTrials, GoldenContactsAndPeakForces) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  int compared = 0;
  for (const char* trial : {"Eb015pr.c3d", "sample02_pc_real.c3d", "plate_type2.c3d", "plate_type3.c3d", "vicon_gait_raw.c3d",
                            "walking2.c3d"}) {
    TempDir dir;
    const TrialResult r = Process(dir, trial, "", false);
    for (const auto& plate : testing::SharedGolden()[trial]["force_plates_type2_golden"]) {
      if (!plate.contains("contacts_above_20N_samples")) continue;
      const int p = plate["plate"];
      double golden_peak = 0;
      for (const auto& sample : plate["loaded_samples"]) golden_peak = std::max(golden_peak, sample["grf"][2].get<double>());
      for (const auto& contact : plate["contacts_above_20N_samples"]) {
        const Stance* found = nullptr;
        size_t index = 0;
        for (size_t i = 0; i < r.analysis.stances.size(); ++i) {
          const Stance& s = r.analysis.stances[i];
          if (s.plates.size() == 1 && s.plates[0] == p && s.first_sample == contact[0] && s.last_sample == contact[1]) {
            found = &s, index = i;
          }
        }
        ASSERT_NE(found, nullptr) << trial << " plate " << p << " contact " << contact.dump();
        const double peak = r.stances.metrics[index].peak_vertical_force_n;
        std::printf("%s plate %d: samples %s, peak %.4f N (golden %.4f N)\n", trial, p, contact.dump().c_str(), peak, golden_peak);
        EXPECT_NEAR(peak, golden_peak, 1e-3 + 5e-6 * golden_peak) << trial << " plate " << p;
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 10);
}

// A trial whose markers match no known marker set: force metrics and the stance table, kinematic
// columns NaN, exactly one warning naming what is missing, the CSV and the report.
TEST(StanceTrials, UnknownMarkerSetStillGetsForceMetricsAndAReport) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  TempDir dir;
  const testing::CommandResult run =
      RunMidstance("process " + SharedDataPath("codamotion_gait_1997.c3d") + " -o " + (dir / "coda.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  int warnings = 0;
  std::istringstream lines(run.err + run.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("warning:") != std::string::npos && line.find("kinemat") != std::string::npos) {
      ++warnings;
      EXPECT_NE(line.find("misses"), std::string::npos) << line;  // names the missing markers
    }
  }
  EXPECT_EQ(warnings, 1) << run.err;
  std::ifstream csv(dir / "coda.stances.csv");
  std::string header, row;
  ASSERT_TRUE(std::getline(csv, header));
  bool clean_row = false;
  while (std::getline(csv, row)) clean_row |= row.find(",right,1,1,1,") != std::string::npos;
  EXPECT_TRUE(clean_row) << "the clean plate stance is in the table";
  EXPECT_TRUE(std::filesystem::exists(dir / "coda.report.html"));
  TempDir again;
  TrialResult r = Process(again, "codamotion_gait_1997.c3d", "", true);
  int clean = 0;
  for (size_t i = 0; i < r.analysis.stances.size(); ++i) {
    if (!r.analysis.stances[i].clean) continue;
    ++clean;
    EXPECT_GT(r.stances.metrics[i].peak_vertical_force_n, 500);
    EXPECT_GT(r.stances.metrics[i].vertical_impulse_ns, 100);
    EXPECT_TRUE(std::isnan(r.stances.metrics[i].stance_knee_flexion_deg));
    EXPECT_TRUE(std::isnan(r.stances.metrics[i].swing_thigh_angle_mid_deg));
  }
  EXPECT_EQ(clean, 1);
}

}  // namespace
}  // namespace midstance

namespace midstance {
namespace {

// --mid-stance chooses the instant of the mid-stance metrics, --also-mid-stance adds columns;
// a wrong name is a one-line error with the choices, and no result file appears.
TEST(StanceTrials, MidStanceDefinitionsFromTheCommandLine) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  TempDir dir;
  const testing::CommandResult run = RunMidstance("--quiet process " + SharedDataPath("vicon_gait_raw.c3d") +
                                                  " --mid-stance half_contact --also-mid-stance peak_knee_flexion,braking_to_propulsion -o " +
                                                  (dir / "v.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream csv(dir / "v.stances.csv");
  std::string header, row;
  ASSERT_TRUE(std::getline(csv, header));
  for (const char* column : {"stance_knee_flexion_deg@peak_knee_flexion", "swing_knee_velocity_pelvis_m_per_s@braking_to_propulsion",
                             "mid_stance_time_s@peak_knee_flexion", "contact_time_s", "peak_vertical_force_N"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column;
  }
  EXPECT_EQ(header.find("contact_time_s@"), std::string::npos) << "stance-wide metrics do not depend on mid-stance";
  // The mid-stance metrics are at 50 % of the contact.
  ASSERT_TRUE(std::getline(csv, row));
  std::vector<std::string> cells;
  std::stringstream cells_in(row);
  for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
  std::vector<std::string> names;
  std::stringstream names_in(header);
  for (std::string name; std::getline(names_in, name, ',');) names.push_back(name);
  auto value = [&](const std::string& name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return std::stod(cells.at(i));
    }
    ADD_FAILURE() << "no column " << name;
    return std::nan("");
  };
  EXPECT_NEAR(value("mid_stance_time_s"), 0.5 * (value("foot_strike_time_s") + value("toe_off_time_s")), 1e-8);

  const testing::CommandResult bad =
      RunMidstance("--quiet process " + SharedDataPath("vicon_gait_raw.c3d") + " --mid-stance middle -o " + (dir / "bad.h5"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--mid-stance: expected one of peak_vertical_force"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.h5"));
}

// `midstance report` refuses what is not a processed trial with one line naming the file and the
// missing dataset, and writes nothing.
TEST(StanceTrials, ReportRefusesFilesWithoutStances) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  TempDir dir;
  ASSERT_EQ(RunMidstance("--quiet convert " + SharedDataPath("vicon_gait_raw.c3d") + " -o " + (dir / "markers.h5")).exit_code, 0);
  const testing::CommandResult run = RunMidstance("--quiet report " + (dir / "markers.h5") + " -o " + (dir / "r.html"));
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("markers.h5: /stances/peak_vertical_force: expected a result of midstance process"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "r.html"));
  std::ofstream(dir / "notes.h5") << "not hdf5";
  const testing::CommandResult garbage = RunMidstance("--quiet report " + (dir / "notes.h5") + " -o " + (dir / "r.html"));
  EXPECT_NE(garbage.exit_code, 0);
  EXPECT_NE(garbage.err.find("notes.h5"), std::string::npos) << garbage.err;
  EXPECT_EQ(std::count(garbage.err.begin(), garbage.err.end(), '\n'), 1) << garbage.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "r.html"));
}

}  // namespace
}  // namespace midstance

namespace midstance {
namespace {

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Same input, same options: the same CSVs and report, byte for byte, whatever the thread count.
TEST(StanceTrials, SameTrialGivesTheSameTableAndReport) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  TempDir one, two;
  const std::string trial = SharedDataPath("ist_gait_emg.c3d") + " --static " + SharedDataPath("ist_static.c3d");
  ASSERT_EQ(RunMidstance("--quiet --threads 1 process " + trial + " -o " + (one / "r.h5")).exit_code, 0);
  ASSERT_EQ(RunMidstance("--quiet --threads 2 process " + trial + " -o " + (two / "r.h5")).exit_code, 0);
  const std::string csv = FileText(one / "r.stances.csv");
  EXPECT_GT(csv.size(), 500u);
  EXPECT_EQ(csv, FileText(two / "r.stances.csv"));
  // The relationships CSV next to it is `report --csv` of the one trial (its legs as the groups).
  const std::string relationships = FileText(one / "r.relationships.csv");
  EXPECT_EQ(relationships.rfind("knee_drive,force,n,slope,", 0), 0u) << relationships.substr(0, 200);
  EXPECT_NE(relationships.find("stances in 2 legs"), std::string::npos);
  EXPECT_EQ(relationships, FileText(two / "r.relationships.csv"));
  ASSERT_EQ(RunMidstance("--quiet report " + (one / "r.h5") + " -o " + (one / "again.html") + " --csv " +
                         (one / "again.csv")).exit_code, 0);
  EXPECT_EQ(relationships, FileText(one / "again.csv"));
  // The report names its input path; with that replaced the pages are identical.
  std::string first = FileText(one / "r.report.html"), second = FileText(two / "r.report.html");
  for (std::string* page : {&first, &second}) {
    const std::string dir = page == &first ? one.path() : two.path();
    for (size_t at = page->find(dir); at != std::string::npos; at = page->find(dir)) page->replace(at, dir.size(), "DIR");
  }
  EXPECT_GT(first.size(), 10000u);
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace midstance

namespace midstance {
namespace {

// One CSV line split into cells; a quoted cell may hold commas and doubled quotes.
std::vector<std::string> CsvCells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// `midstance report A.h5 B.h5 --csv` pools the clean stances of both trials: the pooled fit of a
// pair equals the regression over the two trials' metrics put together, each leg's columns the
// regression over that leg's stances, and rm_* the repeated-measures correlation with trial and
// leg as the groups, which also gives the verdict (both legs have stances).
TEST(StanceTrials, ReportPoolsStancesAcrossTrials) {
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  TempDir dir;
  const TrialResult vicon = Process(dir, "vicon_gait_raw.c3d", "", true, "pig");
  const TrialResult ist = Process(dir, "ist_gait_emg.c3d", "ist_static.c3d", true, "pig");
  std::vector<double> force, drive, left_force, left_drive;
  std::vector<int> group;
  int trial = 0;
  for (const TrialResult* r : {&vicon, &ist}) {
    for (size_t i = 0; i < r->analysis.stances.size(); ++i) {
      const Stance& s = r->analysis.stances[i];
      if (!s.clean) continue;
      force.push_back(r->stances.metrics[i].peak_vertical_force_n);
      drive.push_back(r->stances.metrics[i].swing_thigh_angular_velocity_peak_deg_s);
      ASSERT_NE(s.side, Side::kUnknown);
      group.push_back(2 * trial + (s.side == Side::kLeft ? 0 : 1));
      if (s.side != Side::kLeft) continue;
      left_force.push_back(force.back());
      left_drive.push_back(drive.back());
    }
    ++trial;
  }
  const LinearFit expected = FitLine(force, drive);
  const LinearFit left = FitLine(left_force, left_drive);
  const RepeatedMeasuresCorrelation rm = CorrelateRepeatedMeasures(force, drive, group);
  ASSERT_EQ(expected.n, 4);
  const testing::CommandResult run = RunMidstance("--quiet report " + (dir / "vicon_gait_raw.c3d.h5") + " " +
                                                  (dir / "ist_gait_emg.c3d.h5") + " -o " + (dir / "r.html") + " --csv " +
                                                  (dir / "fits.csv"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream csv(dir / "fits.csv");
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  const std::vector<std::string> header = CsvCells(line);
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  bool found = false;
  while (std::getline(csv, line)) {
    if (line.rfind("swing_thigh_angular_velocity_peak,peak_vertical_force,", 0) != 0) continue;
    found = true;
    const std::vector<std::string> v = CsvCells(line);
    ASSERT_EQ(v.size(), header.size()) << line;
    EXPECT_EQ(std::stoi(v.at(2)), expected.n);
    EXPECT_NEAR(std::stod(v.at(3)), expected.slope, 1e-8 * std::abs(expected.slope));
    EXPECT_NEAR(std::stod(v.at(5)), expected.r, 1e-8);
    EXPECT_EQ(v.at(11), "0") << "n = 4 is never conclusive";
    EXPECT_NE(line.find("too few stances to conclude anything"), std::string::npos) << line;
    EXPECT_EQ(std::stoi(v.at(column("left_n"))), left.n);
    EXPECT_NEAR(std::stod(v.at(column("left_slope"))), left.slope, 1e-8 * std::abs(left.slope));
    EXPECT_EQ(std::stoi(v.at(column("rm_n"))), rm.n);
    EXPECT_EQ(std::stoi(v.at(column("rm_groups"))), 4);
    EXPECT_EQ(v.at(column("verdict")), RepeatedMeasuresVerdict(rm, "trial-legs"));
    EXPECT_EQ(v.at(column("verdict_source")), "repeated-measures correlation over the trial-legs (Bakdash & Marusich 2017)");
    EXPECT_EQ(v.at(column("rm_r")), "") << "4 stances in 4 trial-legs leave no within-group variation";
  }
  EXPECT_TRUE(found);
  // Within one trial the groups are its legs, and the verdict is rm_corr's over them.
  for (const Relationship& rel : vicon.stances.relationships) {
    EXPECT_EQ(rel.legs.groups, rel.left.n > 0 && rel.right.n > 0 ? 2 : rel.left.n + rel.right.n > 0 ? 1 : 0);
    if (rel.left.n > 0 && rel.right.n > 0) {
      EXPECT_EQ(rel.verdict, RepeatedMeasuresVerdict(rel.legs, "legs"));
    }
  }
}

}  // namespace
}  // namespace midstance
