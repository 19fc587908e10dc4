#include "midstance/subject.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <set>
#include <sstream>
#include <type_traits>

#include "io/toml_fields.h"
#include "midstance/error.h"

namespace midstance {
namespace {
namespace tf = toml_fields;

constexpr const char* kSideName[2] = {"left", "right"};
constexpr int kFieldCount = 9;

// The fields of `p` in ListSubjectParameters order, as pointers into `p`.
template <typename P>
auto Fields(P& p) {
  using Value = std::conditional_t<std::is_const_v<P>, const double, double>;
  struct Ref {
    const char* name;
    const char* unit;
    Value* value;
  };
  return std::array<Ref, kFieldCount>{{
      {"mass", "kg", &p.mass_kg},
      {"height", "m", &p.height_m},
      {"leg_length_left", "m", &p.leg_length_m[0]},
      {"leg_length_right", "m", &p.leg_length_m[1]},
      {"knee_width_left", "m", &p.knee_width_m[0]},
      {"knee_width_right", "m", &p.knee_width_m[1]},
      {"ankle_width_left", "m", &p.ankle_width_m[0]},
      {"ankle_width_right", "m", &p.ankle_width_m[1]},
      {"marker_diameter", "m", &p.marker_diameter_m},
  }};
}

double* FieldValue(SubjectParameters* p, const std::string& name) {
  for (const auto& field : Fields(*p)) {
    if (name == field.name) return field.value;
  }
  MS_CHECK_MSG(false, "no subject field " << name);
  return nullptr;
}

void Set(SubjectParameters* p, const std::string& name, double value, const std::string& source) {
  *FieldValue(p, name) = value;
  p->source[name] = source;
}

std::string SourceOf(const SubjectParameters& p, const std::string& name) {
  const auto found = p.source.find(name);
  return found == p.source.end() ? std::string() : found->second;
}

// A value for messages: up to 6 significant digits, no trailing zeros.
std::string Text(double value) {
  std::ostringstream s;
  s.precision(6);
  s << value;
  return s.str();
}



// [subject] keys: a both-sides key and its one-side forms, or a single field.
struct TomlKey {
  const char* key;
  const char* expected;
  std::vector<const char*> fields;
};

const std::vector<TomlKey>& TomlKeys() {
  static const std::vector<TomlKey> keys = {
      {"mass_kg", "a body mass in kg", {"mass"}},
      {"height_m", "a height in m", {"height"}},
      {"leg_length_m", "a leg length in m (both sides)", {"leg_length_left", "leg_length_right"}},
      {"leg_length_left_m", "a leg length in m", {"leg_length_left"}},
      {"leg_length_right_m", "a leg length in m", {"leg_length_right"}},
      {"knee_width_m", "a knee width in m (both sides)", {"knee_width_left", "knee_width_right"}},
      {"knee_width_left_m", "a knee width in m", {"knee_width_left"}},
      {"knee_width_right_m", "a knee width in m", {"knee_width_right"}},
      {"ankle_width_m", "an ankle width in m (both sides)", {"ankle_width_left", "ankle_width_right"}},
      {"ankle_width_left_m", "an ankle width in m", {"ankle_width_left"}},
      {"ankle_width_right_m", "an ankle width in m", {"ankle_width_right"}},
      {"marker_diameter_m", "a marker diameter in m", {"marker_diameter"}},
  };
  return keys;
}

std::string MarkerName(bool medial, const char* joint) {
  return std::string(medial ? "medial " : "lateral ") + joint;
}

// Plausible range of one field, shown in `shown_unit` (shown = value * shown_scale).
struct Range {
  const char* name;
  double lo, hi;
  bool needed_by_skeleton;
  const char* shown_unit;
  double shown_scale;
};

constexpr Range kRanges[kFieldCount] = {
    {"mass", 20, 250, false, "kg", 1},
    {"height", 0.8, 2.3, false, "m", 1},
    {"leg_length_left", 0.4, 1.3, true, "m", 1},
    {"leg_length_right", 0.4, 1.3, true, "m", 1},
    {"knee_width_left", 0.04, 0.20, true, "m", 1},
    {"knee_width_right", 0.04, 0.20, true, "m", 1},
    {"ankle_width_left", 0.03, 0.15, true, "m", 1},
    {"ankle_width_right", 0.03, 0.15, true, "m", 1},
    {"marker_diameter", 0.003, 0.040, true, "mm", 1e3},
};

// The marker diameter first: a wrong one makes the widths estimated from markers wrong too, and
// the error should name the cause.
constexpr int kValidationOrder[kFieldCount] = {8, 0, 1, 2, 3, 4, 5, 6, 7};

std::string Origin(const SubjectParameters& p, const std::string& name) {
  const std::string source = SourceOf(p, name);
  return source.empty() ? std::string() : source + ": ";
}

}  // namespace

void SetSubjectParameter(SubjectParameters* p, const std::string& name, double value, const std::string& source) {
  Set(p, name, value, source);
}

bool SubjectParameterIsSet(const SubjectParameters& p, const std::string& name) {
  for (const auto& field : Fields(p)) {
    if (name == field.name) return !std::isnan(*field.value);
  }
  MS_CHECK_MSG(false, "no subject field " << name);
  return false;
}

std::vector<SubjectField> ListSubjectParameters(const SubjectParameters& p) {
  std::vector<SubjectField> fields;
  for (const auto& field : Fields(p)) {
    fields.push_back({field.name, field.unit, *field.value, std::isnan(*field.value) ? "" : SourceOf(p, field.name)});
  }
  return fields;
}

SubjectParameters SubjectParametersFromToml(const std::string& path) {
  const toml::value root = tf::Parse(path);
  SubjectParameters p;
  if (!root.is_table() || !root.contains("subject")) return p;
  const toml::value& table = root.at("subject");
  if (!table.is_table()) throw FileFormatError(path, "subject", "a [subject] table", "a value of another type");

  std::set<std::string> keys;  // sorted, so the first error reported does not depend on hashing
  for (const auto& entry : table.as_table()) keys.insert(entry.first);
  std::string known;
  for (const TomlKey& k : TomlKeys()) known += std::string(known.empty() ? "" : ", ") + k.key;
  for (const std::string& key : keys) {
    const auto k = std::find_if(TomlKeys().begin(), TomlKeys().end(), [&](const TomlKey& t) { return key == t.key; });
    if (k == TomlKeys().end()) throw FileFormatError(path, "subject." + key, "one of " + known, "an unknown key");
  }
  for (const char* both : {"leg_length", "knee_width", "ankle_width"}) {
    const std::string both_key = std::string(both) + "_m";
    for (const char* side : kSideName) {
      const std::string side_key = std::string(both) + "_" + side + "_m";
      if (keys.count(both_key) && keys.count(side_key)) {
        throw FileFormatError(path, "subject." + side_key,
                              "either " + both_key + " (both sides) or " + both + "_left_m / " + both + "_right_m",
                              "both " + both_key + " and " + side_key);
      }
    }
  }
  for (const TomlKey& k : TomlKeys()) {
    if (!keys.count(k.key)) continue;
    const std::string field = std::string("subject.") + k.key;
    const double value = tf::Number(table.at(k.key), path, field, k.expected);
    if (!std::isfinite(value)) throw FileFormatError(path, field, std::string(k.expected) + ", finite", tf::FloatText(value));
    for (const char* name : k.fields) Set(&p, name, value, path + ": [subject] " + k.key);
  }
  return p;
}

SubjectParameters Overlay(const SubjectParameters& base, const SubjectParameters& over) {
  SubjectParameters out = base;
  const auto from = Fields(over);
  const auto to = Fields(out);
  for (int i = 0; i < kFieldCount; ++i) {
    if (std::isnan(*from[i].value)) continue;
    *to[i].value = *from[i].value;
    const std::string source = SourceOf(over, from[i].name);
    if (source.empty()) {
      out.source.erase(from[i].name);
    } else {
      out.source[from[i].name] = source;
    }
  }
  return out;
}

SubjectParameters EstimateMissing(const SubjectParameters& given, const LegLandmarks& left, const LegLandmarks& right) {
  SubjectParameters p = given;
  if (std::isnan(p.marker_diameter_m)) {
    Set(&p, "marker_diameter", kDefaultMarkerDiameterM, "default (14 mm, Plug-in Gait's default)");
  }
  const std::string diameter_mm = Text(p.marker_diameter_m * 1e3);
  const LegLandmarks* sides[2] = {&left, &right};
  for (int s = 0; s < 2; ++s) {
    const LegLandmarks& l = *sides[s];
    const std::string side = kSideName[s];
    const bool knee_medial = l.knee_medial.allFinite(), knee_lateral = l.knee_lateral.allFinite();
    const bool ankle_medial = l.ankle_medial.allFinite(), ankle_lateral = l.ankle_lateral.allFinite();
    if (std::isnan(p.leg_length_m[s]) && l.asis.allFinite() && (knee_medial || knee_lateral) &&
        (ankle_medial || ankle_lateral)) {
      const Eigen::Vector3d& knee = knee_medial ? l.knee_medial : l.knee_lateral;
      const Eigen::Vector3d& ankle = ankle_medial ? l.ankle_medial : l.ankle_lateral;
      Set(&p, "leg_length_" + side, (l.asis - knee).norm() + (knee - ankle).norm(),
          "estimated from markers (ASIS to " + MarkerName(knee_medial, "knee") + " to " +
              MarkerName(ankle_medial, "malleolus") + ", static pose)");
    }
    struct Width {
      const char* field;
      double* value;
      bool lateral, medial;
      double marker_distance;
      double ratio;
      const char* joint;
    };
    const Width widths[2] = {
        {"knee_width_", &p.knee_width_m[s], knee_lateral, knee_medial, (l.knee_lateral - l.knee_medial).norm(),
         kKneeWidthPerLegLength, "knee"},
        {"ankle_width_", &p.ankle_width_m[s], ankle_lateral, ankle_medial, (l.ankle_lateral - l.ankle_medial).norm(),
         kAnkleWidthPerLegLength, "ankle"},
    };
    for (const Width& w : widths) {
      if (!std::isnan(*w.value)) continue;
      if (w.lateral && w.medial) {
        Set(&p, w.field + side, w.marker_distance - p.marker_diameter_m,
            std::string("estimated from markers (lateral to medial ") + w.joint + " marker distance minus one " +
                diameter_mm + " mm marker diameter, static pose)");
      } else if (!std::isnan(p.leg_length_m[s])) {
        Set(&p, w.field + side, w.ratio * p.leg_length_m[s],
            "typical ratio (" + Text(w.ratio) + " x leg length, a project heuristic: see subject.h; no " +
                (w.lateral ? "medial " : w.medial ? "lateral " : "") + w.joint + " marker)");
      }
    }
  }
  return p;
}

std::vector<std::string> ValidateSubjectParameters(const SubjectParameters& p, SubjectRequirement requirement) {
  const auto fields = Fields(p);
  for (const int i : kValidationOrder) {
    const Range& r = kRanges[i];
    MS_CHECK(std::string(r.name) == fields[i].name);
    const double value = *fields[i].value;
    const std::string expected = "expected " + Text(r.lo * r.shown_scale) + "-" + Text(r.hi * r.shown_scale) + " " + r.shown_unit;
    const std::string prefix = Origin(p, r.name) + "subject parameter " + r.name + ": " + expected + ", got ";
    if (std::isnan(value)) {
      if (r.needed_by_skeleton && requirement == SubjectRequirement::kSkeleton) {
        throw InvalidInput(prefix + "nothing (not in the trial, the session or the command line, and no static-pose "
                                    "markers to estimate it from)");
      }
      continue;
    }
    if (!(value >= r.lo && value <= r.hi)) throw InvalidInput(prefix + Text(value * r.shown_scale) + " " + r.shown_unit);
  }
  for (int s = 0; s < 2; ++s) {
    const double leg = p.leg_length_m[s];
    if (std::isnan(leg)) continue;
    const std::string side = kSideName[s];
    const std::pair<std::string, double> widths[2] = {{"knee_width_" + side, p.knee_width_m[s]},
                                                       {"ankle_width_" + side, p.ankle_width_m[s]}};
    for (const auto& [name, width] : widths) {
      if (!std::isnan(width) && !(width < leg / 3)) {
        throw InvalidInput(Origin(p, name) + "subject parameter " + name + ": expected less than a third of leg_length_" +
                           side + " (" + Text(leg / 3) + " m), got " + Text(width) + " m");
      }
    }
  }

  std::vector<std::string> warnings;
  const double left = p.leg_length_m[0], right = p.leg_length_m[1];
  if (!std::isnan(left) && !std::isnan(right)) {
    const double difference = std::fabs(left - right) / (0.5 * (left + right));
    if (difference > 0.10) {
      char text[200];
      std::snprintf(text, sizeof(text),
                    "subject parameters leg_length_left %.3f m and leg_length_right %.3f m differ by %.1f %% of their "
                    "mean: check the measurements",
                    left, right, 100 * difference);
      warnings.push_back(text);
    }
  }
  if (!std::isnan(p.height_m)) {
    for (int s = 0; s < 2; ++s) {
      const double fraction = p.leg_length_m[s] / p.height_m;
      if (!std::isnan(fraction) && (fraction < 0.40 || fraction > 0.60)) {
        char text[240];
        std::snprintf(text, sizeof(text),
                      "subject parameter leg_length_%s %.3f m is %.2f of height %.3f m, expected 0.40-0.60 (about "
                      "0.49): check the units",
                      kSideName[s], p.leg_length_m[s], fraction, p.height_m);
        warnings.push_back(text);
      }
    }
  }
  return warnings;
}

std::string DescribeSubjectParameters(const SubjectParameters& p) {
  std::string text;
  for (const SubjectField& f : ListSubjectParameters(p)) {
    char line[96];
    if (std::isnan(f.value)) {
      std::snprintf(line, sizeof(line), "%-18s not set", f.name.c_str());
    } else if (f.unit == "kg") {
      std::snprintf(line, sizeof(line), "%-18s %8.1f kg  ", f.name.c_str(), f.value);
    } else {
      std::snprintf(line, sizeof(line), "%-18s %8.4f m   ", f.name.c_str(), f.value);
    }
    if (!text.empty()) text += '\n';
    text += line;
    if (!std::isnan(f.value)) text += f.source.empty() ? "(source not recorded)" : f.source;
  }
  return text;
}

}  // namespace midstance
