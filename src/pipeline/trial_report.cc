// The coach's report (trial_report.h): reads result files back, so a report of archived results
// and the one `midstance process` writes next to its HDF5 are the same page.
#include "midstance/trial_report.h"

#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <utility>
#include <nlohmann/json.hpp>

#include "midstance/atomic_output.h"
#include "midstance/csv_text.h"
#include "midstance/error.h"
#include "midstance/hdf5_file.h"
#include "midstance/regression.h"
#include "midstance/relationship.h"
#include "midstance/stance_metrics.h"
#include "midstance/version.h"

namespace midstance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLeftColour = 0, kRightColour = 1;

struct EventTimes {
  std::vector<double> time_s;
  std::vector<std::string> side;
};

struct TrialData {
  std::string path, name;
  std::vector<std::string> side, plates, exclusion;
  std::vector<int32_t> clean;
  std::map<std::string, std::vector<double>> metric;
  std::map<std::string, std::vector<double>> curve_mean, curve_sd;  // [2][101][3]
  double body_mass_kg = kNaN;
  std::string body_mass_source, mid_stance_definition;
  std::vector<std::string> warnings;
  std::vector<std::vector<double>> plate_time_s, plate_vertical_n;
  EventTimes strikes, mids, toe_offs;
  size_t Stances() const { return side.size(); }
};

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

EventTimes ReadEvents(const Hdf5Reader& h5, const std::string& group) {
  EventTimes e;
  std::vector<uint64_t> dims;
  e.time_s = h5.ReadDoubles(group + "/time", &dims);
  e.side = h5.ReadStrings(group + "/side");
  return e;
}

TrialData ReadTrial(const std::string& path) {
  Hdf5Reader h5(path);
  TrialData t;
  t.path = path;
  t.name = BaseName(path);
  if (!h5.Exists("/stances/peak_vertical_force")) {
    std::string version = "none";
    try {
      version = h5.ReadStringAttribute("/", "format_version");
    } catch (const Error&) {
    }
    throw FileFormatError(path, "/stances/peak_vertical_force", "a result of midstance process (format 0.5 or later)",
                          "format " + version + " without stance metrics");
  }
  t.side = h5.ReadStrings("/stances/side");
  t.plates = h5.ReadStrings("/stances/plates");
  t.exclusion = h5.ReadStrings("/stances/exclusion");
  std::vector<uint64_t> dims;
  t.clean = h5.ReadInts("/stances/clean", &dims);
  for (const MetricColumn& column : StanceMetricColumns()) {
    t.metric[column.name] = h5.ReadDoubles("/stances/" + std::string(column.name), &dims);
  }
  for (const char* name : {"hip", "knee", "grf"}) {
    t.curve_mean[name] = h5.ReadDoubles("/stances/curves_mean/" + std::string(name), &dims);
    t.curve_sd[name] = h5.ReadDoubles("/stances/curves_sd/" + std::string(name), &dims);
  }
  t.body_mass_kg = h5.ReadDoubleAttribute("/stances", "body_mass_kg");
  t.body_mass_source = h5.ReadStringAttribute("/stances", "body_mass_source");
  t.mid_stance_definition = h5.ReadStringAttribute("/stances", "mid_stance_definition");
  t.warnings = SplitLines(h5.ReadStringAttribute("/stances", "warnings"));
  for (int p = 0; h5.Exists("/forceplates/" + std::to_string(p) + "/force"); ++p) {
    const std::string g = "/forceplates/" + std::to_string(p);
    t.plate_time_s.push_back(h5.ReadDoubles(g + "/time", &dims));
    const std::vector<double> force = h5.ReadDoubles(g + "/force", &dims);
    std::vector<double> vertical;
    for (size_t k = 2; k < force.size(); k += 3) vertical.push_back(force[k]);
    t.plate_vertical_n.push_back(std::move(vertical));
  }
  t.strikes = ReadEvents(h5, "/events/foot_strike");
  t.mids = ReadEvents(h5, "/events/mid_stance");
  t.toe_offs = ReadEvents(h5, "/events/toe_off");
  return t;
}

std::string Fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "";
  char text[48];
  std::snprintf(text, sizeof(text), "%.*f", decimals, v);
  return text;
}

// ----- per-trial section ------------------------------------------------------------------------

// An exclusion reason up to its first detail in parentheses, at most 60 characters (the whole
// reason is in /stances/exclusion and the CSV).
std::string ShortReason(const std::string& reason) {
  std::string text = reason.substr(0, reason.find(" ("));
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

Table StanceTableOf(const TrialData& t, size_t index) {
  const bool bw = std::isfinite(t.body_mass_kg);
  Table table;
  table.id = "stances-" + std::to_string(index);
  table.title = "Stances";
  table.header = {"#", "side", "plate", "status", "contact (ms)", bw ? "peak Fz (BW)" : "peak Fz (N)",
                  bw ? "loading rate (BW/s)" : "loading rate (N/s)", "braking impulse (N s)", "propulsive impulse (N s)",
                  "knee flexion at mid-stance (deg)", "hip flexion at mid-stance (deg)", "swing thigh peak (deg/s)",
                  "swing knee vs pelvis (m/s)", "step length (m)", "flight (ms)", "speed (m/s)", "leg stiffness (kN/m)"};
  const auto& m = t.metric;
  for (size_t i = 0; i < t.Stances(); ++i) {
    auto get = [&](const char* name) { return m.at(name)[i]; };
    table.rows.push_back({std::to_string(i + 1), t.side[i], t.plates[i], t.clean[i] ? "clean" : "excluded: " + ShortReason(t.exclusion[i]),
                          Fixed(get("contact_time") * 1e3, 0),
                          bw ? Fixed(get("peak_vertical_force_bw"), 2) : Fixed(get("peak_vertical_force"), 0),
                          bw ? Fixed(get("loading_rate_bw"), 0) : Fixed(get("loading_rate"), 0),
                          Fixed(get("braking_impulse"), 1), Fixed(get("propulsive_impulse"), 1),
                          Fixed(get("stance_knee_flexion"), 1), Fixed(get("stance_hip_flexion"), 1),
                          Fixed(get("swing_thigh_angular_velocity_peak"), 0), Fixed(get("swing_knee_velocity_pelvis"), 2),
                          Fixed(get("step_length"), 2), Fixed(get("flight_time") * 1e3, 0), Fixed(get("speed"), 2),
                          Fixed(get("leg_stiffness") * 1e-3, 1)});
  }
  table.caption = "Mid-stance: " + t.mid_stance_definition + ". Empty cells: not determined (see the warnings).";
  return table;
}

// Mean mid-stance instant in % of stance for one side's clean stances.
double MeanMidStancePercent(const TrialData& t, const std::string& side) {
  double sum = 0;
  int count = 0;
  // (mid - strike) / contact; the strikes are /events/foot_strike, in the stances' order.
  for (size_t i = 0; i < t.Stances() && i < t.strikes.time_s.size(); ++i) {
    const double mid = t.metric.at("mid_stance_time")[i], contact = t.metric.at("contact_time")[i];
    if (!t.clean[i] || t.side[i] != side || !std::isfinite(mid) || !(contact > 0)) continue;
    sum += 100 * (mid - t.strikes.time_s[i]) / contact;
    ++count;
  }
  return count ? sum / count : kNaN;
}

// One component of a [2][101][3] side-mean curve as a plot line with its SD band.
PlotLine SideCurve(const TrialData& t, const std::string& name, int side, int component, const std::string& label, int colour) {
  PlotLine line;
  line.label = label;
  line.colour = colour;
  const std::vector<double>& mean = t.curve_mean.at(name);
  const std::vector<double>& sd = t.curve_sd.at(name);
  for (int i = 0; i < kCurvePoints; ++i) {
    const size_t k = static_cast<size_t>((side * kCurvePoints + i) * 3 + component);
    line.x.push_back(i);
    line.y.push_back(mean[k]);
    const double spread = std::isfinite(sd[k]) ? sd[k] : 0.0;
    line.band_low.push_back(mean[k] - spread);
    line.band_high.push_back(mean[k] + spread);
  }
  return line;
}

Plot StanceCurvePlot(const TrialData& t, size_t index, const std::string& curve, int component, const std::string& title,
                     const std::string& y_label) {
  Plot plot;
  plot.id = curve + std::to_string(component) + "-" + std::to_string(index);
  plot.title = title;
  plot.x_label = "stance (%)";
  plot.y_label = y_label;
  plot.lines.push_back(SideCurve(t, curve, 0, component, "left (mean ± SD)", kLeftColour));
  plot.lines.push_back(SideCurve(t, curve, 1, component, "right (mean ± SD)", kRightColour));
  for (int side = 0; side < 2; ++side) {
    const double mid = MeanMidStancePercent(t, side == 0 ? "left" : "right");
    if (std::isfinite(mid)) plot.markers.push_back({mid, std::string(side == 0 ? "left" : "right") + " mid-stance", side});
  }
  plot.caption = "Clean stances only; vertical lines: mean mid-stance (" + t.mid_stance_definition + ").";
  return plot;
}

Plot GrfStancePlot(const TrialData& t, size_t index) {
  Plot plot = StanceCurvePlot(t, index, "grf", 2, "Vertical GRF over the stance", "vertical force (N)");
  plot.id = "grf-stance-" + std::to_string(index);
  PlotLine left = SideCurve(t, "grf", 0, 0, "left anterior-posterior", kLeftColour);
  PlotLine right = SideCurve(t, "grf", 1, 0, "right anterior-posterior", kRightColour);
  left.dashed = right.dashed = true;
  left.band_low.clear(), left.band_high.clear(), right.band_low.clear(), right.band_high.clear();
  plot.lines.push_back(left);
  plot.lines.push_back(right);
  plot.title = "GRF over the stance (solid vertical, dashed anterior-posterior)";
  plot.y_label = "force (N)";
  return plot;
}

// The whole trial's vertical force per plate (every 4th sample at most 4000 points) with events.
Plot GrfTrialPlot(const TrialData& t, size_t index) {
  Plot plot;
  plot.id = "grf-trial-" + std::to_string(index);
  plot.title = "Vertical GRF and events";
  plot.x_label = "time (s)";
  plot.y_label = "vertical force (N)";
  plot.caption = "FS foot strike, MS mid-stance (" + t.mid_stance_definition + "), TO toe-off; L left, R right.";
  for (size_t p = 0; p < t.plate_time_s.size(); ++p) {
    PlotLine line;
    line.label = "plate " + std::to_string(p + 1);
    line.colour = static_cast<int>(2 + p);
    const size_t n = t.plate_time_s[p].size();
    const size_t step = std::max<size_t>(1, n / 4000);
    for (size_t k = 0; k < n; k += step) {
      line.x.push_back(t.plate_time_s[p][k]);
      line.y.push_back(t.plate_vertical_n[p][k]);
    }
    plot.lines.push_back(std::move(line));
  }
  auto add = [&](const EventTimes& e, const char* tag) {
    for (size_t i = 0; i < e.time_s.size(); ++i) {
      if (!std::isfinite(e.time_s[i])) continue;
      const int colour = e.side[i] == "left" ? kLeftColour : e.side[i] == "right" ? kRightColour : 7;
      plot.markers.push_back({e.time_s[i], std::string(tag) + (e.side[i] == "left" ? " L" : e.side[i] == "right" ? " R" : ""), colour});
    }
  };
  add(t.strikes, "FS");
  add(t.mids, "MS");
  add(t.toe_offs, "TO");
  return plot;
}

ReportSection TrialSection(const TrialData& t, size_t index) {
  ReportSection section;
  section.title = t.name;
  int clean = 0;
  for (int32_t c : t.clean) clean += c;
  section.paragraphs.push_back(std::to_string(t.Stances()) + " stances, " + std::to_string(clean) +
                               " clean (a whole contact on the plates). Mid-stance: " + t.mid_stance_definition +
                               ". Body mass: " + (std::isfinite(t.body_mass_kg) ? Fixed(t.body_mass_kg, 1) + " kg (" + t.body_mass_source + ")" : "unknown") + ".");
  for (const std::string& w : t.warnings) {
    if (!w.empty()) section.warnings.push_back(w);
  }
  section.tables.push_back(StanceTableOf(t, index));
  section.plots.push_back(StanceCurvePlot(t, index, "knee", 0, "Stance knee flexion", "knee flexion (deg)"));
  section.plots.push_back(StanceCurvePlot(t, index, "hip", 0, "Stance hip flexion", "hip flexion (deg)"));
  section.plots.push_back(GrfStancePlot(t, index));
  section.plots.push_back(GrfTrialPlot(t, index));
  return section;
}

// ----- knee drive against force, over every trial ---------------------------------------------------

// The clean stances of every trial for one (force, knee drive) pair: each stance's leg, and as its
// repeated-measures group its trial and leg (trials may be different runners or days; a leg's
// stances within one trial share an offset).
struct Pooled {
  RelationshipSample sample;
  std::vector<std::string> title;
};

int LegIndex(const std::string& side) { return side == "left" ? 0 : side == "right" ? 1 : -1; }

Pooled Pool(const std::vector<TrialData>& trials, const std::string& force, const std::string& drive) {
  Pooled p;
  p.sample.groups_noun = trials.size() == 1 ? "legs" : "trial-legs";
  for (size_t t = 0; t < trials.size(); ++t) {
    const TrialData& trial = trials[t];
    for (size_t i = 0; i < trial.Stances(); ++i) {
      if (!trial.clean[i]) continue;
      const int leg = LegIndex(trial.side[i]);
      p.sample.force.push_back(trial.metric.at(force)[i]);
      p.sample.knee_drive.push_back(trial.metric.at(drive)[i]);
      p.sample.leg.push_back(leg);
      p.sample.group.push_back(static_cast<int>(2 * t) + leg);
      p.title.push_back(trial.name + ", stance " + std::to_string(i + 1) + ", " + trial.side[i]);
    }
  }
  return p;
}

std::string UnitsOf(const std::string& metric) {
  for (const MetricColumn& column : StanceMetricColumns()) {
    if (metric == column.name) return column.units;
  }
  return "";
}

std::string Label(const std::string& metric) {
  std::string text = metric;
  for (char& ch : text) ch = ch == '_' ? ' ' : ch;
  return text + " (" + UnitsOf(metric) + ")";
}

// One leg's panel: its stances and its own least-squares line.
Plot LegScatterPlot(const Pooled& p, const Relationship& rel, int leg) {
  const LinearFit& fit = leg == 0 ? rel.left : rel.right;
  const std::string name = leg == 0 ? "left" : "right";
  Plot plot;
  plot.id = "scatter-" + rel.knee_drive + "-" + rel.force + "-" + name;
  plot.title = "Knee drive vs force, " + name + " stances: " + rel.knee_drive;
  plot.x_label = Label(rel.force);
  plot.y_label = Label(rel.knee_drive);
  for (size_t i = 0; i < p.sample.force.size(); ++i) {
    if (p.sample.leg[i] != leg) continue;
    plot.points.push_back({p.sample.force[i], p.sample.knee_drive[i], p.title[i], leg == 0 ? kLeftColour : kRightColour});
  }
  plot.has_fit = std::isfinite(fit.slope) && std::isfinite(fit.intercept);
  plot.fit_slope = fit.slope;
  plot.fit_intercept = fit.intercept;
  plot.caption = name + " leg alone (least squares): " + fit.verdict;
  return plot;
}

bool AllHaveBodyMass(const std::vector<TrialData>& trials) {
  bool all = true;
  for (const TrialData& t : trials) all = all && std::isfinite(t.body_mass_kg);
  return all;
}

Relationship RelateAcrossTrials(const std::vector<TrialData>& trials, const std::string& force, const std::string& drive) {
  return RelateByLeg(drive, force, Pool(trials, force, drive).sample);
}

ReportSection KneeDriveSection(const std::vector<TrialData>& trials) {
  const bool body_weights = AllHaveBodyMass(trials);
  const std::vector<std::string> forces = ForceMetricNames(body_weights);
  ReportSection section;
  section.title = "Forward knee drive and the stance force";
  section.paragraphs.push_back(
      "Each point is one clean stance: the swing leg's knee drive against the force the stance leg applied"
      " in the same stance, over " + std::to_string(trials.size()) + " trial(s); one panel per leg (blue: left"
      " stance, orange: right stance), each with that leg's own least-squares line.");
  section.paragraphs.push_back(
      "Left and right stances of one runner are not independent points: each leg (in each trial) has its own"
      " offset, and pooling them can show a relationship that holds within neither leg. So each verdict below comes"
      " from the repeated-measures correlation over the legs (Bakdash & Marusich 2017: one common slope within"
      " every trial-leg, each with its own intercept), or from the one leg's fit when only one leg has stances;"
      " never from a fit that pools both legs.");
  if (!body_weights) section.warnings.push_back("body mass unknown for at least one trial: forces in N, not body weights");
  const std::string peak = forces[0], mid = forces[1], propulsive = forces[5];
  const std::pair<std::string, std::string> featured[] = {{peak, "swing_thigh_angular_velocity_peak"},
                                                          {mid, "swing_knee_velocity_pelvis"},
                                                          {propulsive, "swing_knee_ahead_of_pelvis"}};
  for (const auto& [force, drive] : featured) {
    const Pooled p = Pool(trials, force, drive);
    const Relationship rel = RelateByLeg(drive, force, p.sample);
    section.paragraphs.push_back(drive + " against " + force + ": " + rel.verdict + " [" + rel.verdict_source + "].");
    section.plots.push_back(LegScatterPlot(p, rel, 0));
    section.plots.push_back(LegScatterPlot(p, rel, 1));
  }
  return section;
}

// Every knee-drive metric against every force metric over the clean stances of all trials.
std::vector<Relationship> PooledFits(const std::vector<TrialData>& trials) {
  std::vector<Relationship> fits;
  for (const std::string& drive : KneeDriveMetricNames()) {
    for (const std::string& force : ForceMetricNames(AllHaveBodyMass(trials))) {
      fits.push_back(RelateAcrossTrials(trials, force, drive));
    }
  }
  return fits;
}

std::string Interval(double low, double high, int decimals) {
  return std::isfinite(low) ? Fixed(low, decimals) + " to " + Fixed(high, decimals) : "";
}

ReportSection RelationshipTableSection(const std::vector<TrialData>& trials) {
  ReportSection section;
  section.title = "Every relationship";
  section.paragraphs.push_back(
      "The verdict and its columns come from the repeated-measures correlation over the trial-legs when both legs have"
      " stances (r_rm with N - k - 1 degrees of freedom; slope interval from Student's t, r interval from Fisher's z"
      " as pingouin), else from the one leg's least-squares fit. The left and right columns are each leg's own fit."
      " The mixed model (random intercept per trial-leg, REML) gives its slope with between-within degrees of freedom."
      " Fewer than 10 stances: too few to conclude anything, whatever p says.");
  Table table;
  table.id = "relationships";
  table.title = "Every knee-drive metric against every force metric";
  table.header = {"knee drive (y)", "force (x)", "n", "r left", "r right", "r_rm", "95 % CI of r_rm", "common slope",
                  "95 % CI", "p", "mixed-model slope (p)", "verdict", "verdict from"};
  for (const Relationship& rel : PooledFits(trials)) {
    const RepeatedMeasuresCorrelation& rm = rel.legs;
    const MixedModelFit& lmm = rel.legs_mixed;
    table.rows.push_back({rel.knee_drive, rel.force, std::to_string(rel.fit.n), Fixed(rel.left.r, 2),
                          Fixed(rel.right.r, 2), Fixed(rm.r, 2), Interval(rm.r_ci_low, rm.r_ci_high, 2),
                          Fixed(rm.slope, 4), Interval(rm.slope_ci_low, rm.slope_ci_high, 4), Fixed(rm.p_value, 3),
                          std::isfinite(lmm.slope) ? Fixed(lmm.slope, 4) + " (" + Fixed(lmm.slope_p_value, 3) + ")" : "",
                          rel.verdict, rel.verdict_source});
  }
  section.tables.push_back(table);
  return section;
}

void WriteFitCells(std::ostream& out, const LinearFit& f) {
  out << ',' << f.n << ',' << CsvNumber(f.slope) << ',' << CsvNumber(f.intercept) << ',' << CsvNumber(f.r) << ','
      << CsvNumber(f.slope_ci_low) << ',' << CsvNumber(f.slope_ci_high) << ',' << CsvNumber(f.p_value);
}

void WriteRepeatedMeasuresCells(std::ostream& out, const RepeatedMeasuresCorrelation& rm, const MixedModelFit& lmm) {
  out << ',' << rm.n << ',' << rm.groups;
  for (double v : {rm.dof, rm.r, rm.r_ci_low, rm.r_ci_high, rm.p_value, rm.slope, rm.slope_ci_low, rm.slope_ci_high}) {
    out << ',' << CsvNumber(v);
  }
  for (double v : {lmm.intercept, lmm.slope, lmm.slope_se, lmm.slope_dof, lmm.slope_ci_low, lmm.slope_ci_high,
                   lmm.slope_p_value, lmm.slope_z_p_value, lmm.group_variance, lmm.residual_variance}) {
    out << ',' << CsvNumber(v);
  }
}

// One row per (knee-drive, force) pair: the pooled fit's columns of format 0.5 first (conclusive
// and verdict now from verdict_source's analysis), then each leg's fit, rm_corr and the mixed model.
void WritePooledFitsCsv(const std::vector<TrialData>& trials, const std::string& csv_path) {
  AtomicOutput output(csv_path);
  {
    std::ofstream out(output.temporary_path(), std::ios::binary);
    out << "knee_drive,force,n,slope,intercept,r,slope_ci_low,slope_ci_high,r_ci_low,r_ci_high,p_value,conclusive,verdict,"
           "verdict_source";
    for (const char* leg : {"left", "right"}) {
      for (const char* column : {"n", "slope", "intercept", "r", "slope_ci_low", "slope_ci_high", "p_value"}) {
        out << ',' << leg << '_' << column;
      }
    }
    out << ",rm_n,rm_groups,rm_dof,rm_r,rm_r_ci_low,rm_r_ci_high,rm_p_value,rm_slope,rm_slope_ci_low,rm_slope_ci_high"
           ",lmm_intercept,lmm_slope,lmm_slope_se,lmm_slope_dof,lmm_slope_ci_low,lmm_slope_ci_high,lmm_slope_p_value"
           ",lmm_slope_z_p_value,lmm_group_variance,lmm_residual_variance\n";
    for (const Relationship& rel : PooledFits(trials)) {
      const LinearFit& f = rel.fit;
      out << rel.knee_drive << ',' << rel.force << ',' << f.n << ',' << CsvNumber(f.slope) << ','
          << CsvNumber(f.intercept) << ',' << CsvNumber(f.r) << ',' << CsvNumber(f.slope_ci_low) << ','
          << CsvNumber(f.slope_ci_high) << ',' << CsvNumber(f.r_ci_low) << ',' << CsvNumber(f.r_ci_high) << ','
          << CsvNumber(f.p_value) << ',' << (rel.conclusive ? 1 : 0) << ',' << CsvText(rel.verdict) << ','
          << CsvText(rel.verdict_source);
      WriteFitCells(out, rel.left);
      WriteFitCells(out, rel.right);
      WriteRepeatedMeasuresCells(out, rel.legs, rel.legs_mixed);
      out << '\n';
    }
    if (!out.flush()) throw FileFormatError(csv_path + ": cannot write the relationships");
  }
  output.Commit();
}

std::vector<TrialData> ReadTrials(const std::vector<std::string>& result_paths) {
  if (result_paths.empty()) throw InvalidInput("report: expected at least one result .h5");
  std::vector<TrialData> trials;
  for (const std::string& path : result_paths) trials.push_back(ReadTrial(path));
  return trials;
}

Report ReportOf(const std::vector<TrialData>& trials) {
  Report report;
  report.title = trials.size() == 1 ? "midstance: " + trials[0].name : "midstance: " + std::to_string(trials.size()) + " trials";
  for (const TrialData& t : trials) report.subtitle_lines.push_back("result: " + t.path);
  report.subtitle_lines.push_back(std::string("midstance ") + kSoftwareVersion +
                                  "; angles by the model's clinical signs (flexion positive), forces on the subject");
  for (size_t i = 0; i < trials.size(); ++i) report.sections.push_back(TrialSection(trials[i], i));
  report.sections.push_back(KneeDriveSection(trials));
  report.sections.push_back(RelationshipTableSection(trials));
  return report;
}

}  // namespace

Report BuildTrialReport(const std::vector<std::string>& result_paths) { return ReportOf(ReadTrials(result_paths)); }

void WriteRelationshipsCsv(const std::vector<std::string>& result_paths, const std::string& csv_path) {
  WritePooledFitsCsv(ReadTrials(result_paths), csv_path);
}

void WriteTrialReport(const std::vector<std::string>& result_paths, const std::string& html_path,
                      const std::string& fits_csv_path) {
  const std::vector<TrialData> trials = ReadTrials(result_paths);
  const std::string html = RenderHtmlReport(ReportOf(trials));
  AtomicOutput output(html_path);
  {
    std::ofstream out(output.temporary_path(), std::ios::binary);
    out << html;
    if (!out.flush()) throw FileFormatError(html_path + ": cannot write the report");
  }
  if (!fits_csv_path.empty()) WritePooledFitsCsv(trials, fits_csv_path);
  output.Commit();
}

}  // namespace midstance
