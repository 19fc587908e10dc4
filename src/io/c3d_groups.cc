// Structured views of C3D parameter groups: FORCE_PLATFORM and EVENT (c3d.org user guide,
// "The FORCE_PLATFORM group" and "The EVENT group").
#include <algorithm>
#include <cmath>

#include "midstance/c3d.h"
#include "midstance/error.h"

namespace midstance {
namespace {

void RequireValues(const C3dFile& file, const C3dParameter* p, size_t count, const std::string& expected) {
  if (p && p->numbers.size() < count) {
    throw FileFormatError(file.path, p->group + ":" + p->name, expected, std::to_string(p->numbers.size()) + " values");
  }
}

// FPCOPPOLY of plate `p`: the last dimension counts the plates and the ones before it are one
// plate's coefficients. Qualisys stores [6, 2, plates] (Px1-6 and Py1-6 of Kistler's
// correction); a one-dimensional list is the first plate's.
std::vector<double> CopPolynomialOf(const C3dParameter& polynomial, size_t p) {
  const std::vector<int>& dims = polynomial.dimensions;
  if (dims.empty()) return {};
  const size_t stored = dims.size() > 1 ? static_cast<size_t>(dims.back()) : 1;
  if (p >= stored) return {};
  size_t size = dims.size() > 1 ? 1 : static_cast<size_t>(dims[0]);
  for (size_t d = 0; d + 1 < dims.size(); ++d) size *= static_cast<size_t>(dims[d]);
  if (polynomial.numbers.size() < size * (p + 1)) return {};
  return std::vector<double>(polynomial.numbers.begin() + static_cast<ptrdiff_t>(size * p),
                             polynomial.numbers.begin() + static_cast<ptrdiff_t>(size * (p + 1)));
}

}  // namespace

std::vector<C3dForcePlate> C3dFile::ForcePlates() const {
  const C3dParameter* used = Find("FORCE_PLATFORM", "USED");
  if (!used || used->numbers.empty()) return {};
  const size_t plates = static_cast<size_t>(used->CountAt(0, 255, path));
  if (plates == 0 || analog_channel_count == 0) return {};  // no channels to read a plate from (the reader warned)
  const C3dParameter* type = Find("FORCE_PLATFORM", "TYPE");
  const C3dParameter* corners = Find("FORCE_PLATFORM", "CORNERS");
  const C3dParameter* origin = Find("FORCE_PLATFORM", "ORIGIN");
  const C3dParameter* channel = Find("FORCE_PLATFORM", "CHANNEL");
  const C3dParameter* calibration = Find("FORCE_PLATFORM", "CAL_MATRIX");
  const C3dParameter* polynomial = Find("FORCE_PLATFORM", "FPCOPPOLY");
  RequireValues(*this, type, plates, std::to_string(plates) + " plate types (FORCE_PLATFORM:USED)");
  RequireValues(*this, corners, 12 * plates, std::to_string(12 * plates) + " values (3 x 4 x plates)");
  RequireValues(*this, origin, 3 * plates, std::to_string(3 * plates) + " values (3 x plates)");
  const size_t rows = channel && !channel->dimensions.empty() ? static_cast<size_t>(channel->dimensions[0]) : 0;
  RequireValues(*this, channel, rows * plates, "a channel list per plate");
  std::vector<C3dForcePlate> list(plates);
  for (size_t p = 0; p < plates; ++p) {
    C3dForcePlate& plate = list[p];
    plate.type = type ? static_cast<int>(type->CountAt(p, 255, path)) : 0;
    for (size_t k = 0; k < 4 && corners; ++k) {
      for (size_t c = 0; c < 3; ++c) plate.corners[k][c] = corners->numbers[c + 3 * (k + 4 * p)];
    }
    for (size_t c = 0; c < 3 && origin; ++c) plate.origin[c] = origin->numbers[c + 3 * p];
    for (size_t r = 0; r < rows; ++r) plate.channels.push_back(static_cast<int>(channel->CountAt(r + rows * p, 65535, path)));
    if (calibration && calibration->dimensions.size() >= 2) {
      const size_t size = static_cast<size_t>(calibration->dimensions[0]) * static_cast<size_t>(calibration->dimensions[1]);
      const size_t stored = calibration->dimensions.size() > 2 ? static_cast<size_t>(calibration->dimensions[2]) : 1;
      if (p < stored) {
        RequireValues(*this, calibration, size * (p + 1), "a calibration matrix per plate");
        plate.calibration.assign(calibration->numbers.begin() + static_cast<ptrdiff_t>(size * p),
                                 calibration->numbers.begin() + static_cast<ptrdiff_t>(size * (p + 1)));
      }
    }
    if (polynomial) plate.cop_polynomial = CopPolynomialOf(*polynomial, p);
  }
  return list;
}

std::vector<C3dEvent> C3dFile::Events() const {
  const C3dParameter* used = Find("EVENT", "USED");
  if (!used || used->numbers.empty()) return {};
  const size_t count = static_cast<size_t>(used->CountAt(0, 65535, path));
  if (count == 0) return {};
  const C3dParameter* times = Find("EVENT", "TIMES");
  RequireValues(*this, times, 2 * count, std::to_string(2 * count) + " values (minutes, seconds per event)");
  if (!times) throw FileFormatError(path, "EVENT:TIMES", "event times", "nothing");
  const C3dParameter* labels = Find("EVENT", "LABELS");
  const C3dParameter* contexts = Find("EVENT", "CONTEXTS");
  const C3dParameter* descriptions = Find("EVENT", "DESCRIPTIONS");
  auto text = [](const C3dParameter* p, size_t i) { return p && i < p->strings.size() ? p->strings[i] : std::string(); };
  std::vector<C3dEvent> events(count);
  for (size_t e = 0; e < count; ++e) {
    events[e].label = text(labels, e);
    events[e].context = text(contexts, e);
    events[e].description = text(descriptions, e);
    events[e].time_s = 60.0 * times->numbers[2 * e] + times->numbers[2 * e + 1];
  }
  return events;
}

std::optional<double> C3dFile::SubjectValue(const std::string& name) const {
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* group : {"PROCESSING", "SUBJECTS", "SUBJECT"}) {
    const C3dParameter* p = Find(group, upper);
    if (p && !p->numbers.empty() && std::isfinite(p->numbers[0])) return p->numbers[0];
  }
  return std::nullopt;
}

void SetEvents(C3dFile* file, const std::vector<C3dEvent>& events) {
  auto& parameters = file->parameters;
  parameters.erase(std::remove_if(parameters.begin(), parameters.end(), [](const C3dParameter& p) { return p.group == "EVENT"; }),
                   parameters.end());
  if (std::none_of(file->groups.begin(), file->groups.end(), [](const C3dGroup& g) { return g.name == "EVENT"; })) {
    int id = 1;
    for (const C3dGroup& g : file->groups) id = std::max(id, g.id + 1);
    for (const C3dParameter& p : parameters) id = std::max(id, p.group_id + 1);
    file->groups.push_back({id, "EVENT", "Events", false});
  }
  auto strings = [&](const std::string& name, auto field) {
    C3dParameter p;
    p.group = "EVENT";
    p.name = name;
    p.type = C3dParameterType::kChar;
    size_t width = 1;
    for (const C3dEvent& e : events) {
      p.strings.push_back(field(e));
      width = std::max(width, p.strings.back().size());
    }
    p.dimensions = {static_cast<int>(width), static_cast<int>(events.size())};
    parameters.push_back(p);
  };
  auto numbers = [&](const std::string& name, C3dParameterType type, std::vector<int> dimensions, std::vector<double> values) {
    C3dParameter p;
    p.group = "EVENT";
    p.name = name;
    p.type = type;
    p.dimensions = std::move(dimensions);
    p.numbers = std::move(values);
    parameters.push_back(p);
  };
  const int n = static_cast<int>(events.size());
  numbers("USED", C3dParameterType::kInt16, {}, {static_cast<double>(n)});
  strings("CONTEXTS", [](const C3dEvent& e) { return e.context; });
  strings("LABELS", [](const C3dEvent& e) { return e.label; });
  strings("DESCRIPTIONS", [](const C3dEvent& e) { return e.description; });
  std::vector<double> times;
  for (const C3dEvent& e : events) {
    const double minutes = std::floor(e.time_s / 60.0);
    times.push_back(minutes);
    times.push_back(e.time_s - 60.0 * minutes);
  }
  numbers("TIMES", C3dParameterType::kFloat, {2, n}, times);
  numbers("ICON_IDS", C3dParameterType::kInt16, {n}, std::vector<double>(events.size(), 0.0));
  numbers("GENERIC_FLAGS", C3dParameterType::kInt16, {n}, std::vector<double>(events.size(), 0.0));
}

}  // namespace midstance
