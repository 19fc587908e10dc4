// The coach's report: one self-contained HTML page. Every plot is an inline SVG drawn here rather
// than by a charting library, so the page needs no network, no external file and no canvas, and
// the same Report always gives the same bytes (numbers go through std::to_chars, which ignores
// the locale, with a fixed number of decimals).
#include "midstance/html_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "midstance/error.h"

namespace midstance {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Text and numbers

// Escapes for both text content and double-quoted attribute values. Control characters other
// than tab and newline are dropped: they are parse errors in HTML and carry nothing readable.
std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') break;
        out += c;
    }
  }
  return out;
}

// "-0.00" reads as a different number from "0.00" to a person and changes the bytes for values
// that only differ by rounding noise around zero, so a negative zero loses its sign.
std::string DropNegativeZero(std::string text) {
  if (text.empty() || text[0] != '-') return text;
  const bool all_zero = text.find_first_not_of("0.", 1) == std::string::npos;
  return all_zero ? text.substr(1) : text;
}

// Fixed-point with `decimals` digits after the point; always '.', whatever the locale.
std::string Fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "0";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (result.ec != std::errc()) return "0";  // only for magnitudes no plot coordinate reaches
  return DropNegativeZero(std::string(buffer, result.ptr));
}

// SVG coordinates: two decimals is a hundredth of a user unit, far below a screen pixel.
std::string Coord(double value) { return Fixed(value, 2); }

// A data value for people (hover titles): four significant digits, no exponent for usual sizes.
std::string Readable(double value) {
  if (!std::isfinite(value)) return "NaN";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 4);
  return DropNegativeZero(std::string(buffer, result.ptr));
}

// Tick labels use the typographic minus (U+2212): a hyphen is narrower and easy to miss.
std::string TickLabel(double value, int decimals) {
  const std::string text = Fixed(value, decimals);
  return text[0] == '-' ? "\xE2\x88\x92" + text.substr(1) : text;
}

// The page is UTF-8: count code points, not bytes, when estimating how wide a label is.
std::size_t CodePoints(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// SVG has no text measurement at render time; an average sans-serif glyph is ~0.58 em wide,
// which is enough to keep legends and marker labels from running into each other.
double TextWidth(std::string_view text, double font_size) {
  return static_cast<double>(CodePoints(text)) * font_size * 0.58;
}

// A table cell the coach should read as "no value".
bool IsMissingCell(const std::string& cell) { return cell.empty() || cell == "NaN" || cell == "nan"; }

// A plain decimal number ("12", "-0.35", "1e3"), used to right-align numeric columns.
bool IsNumber(const std::string& cell) {
  std::string_view text(cell);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

// ---------------------------------------------------------------------------------------------
// Palette

// Okabe & Ito (2008), the colour-blind-safe set, reordered so the first few colours (the ones
// most plots use) are the most distinct on white; yellow comes late because thin yellow lines
// are hard to see.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                    "#CC79A7", "#56B4E9", "#000000", "#F0E442"};
constexpr int kPaletteSize = static_cast<int>(sizeof kPalette / sizeof kPalette[0]);

const char* Colour(int index) { return kPalette[((index % kPaletteSize) + kPaletteSize) % kPaletteSize]; }

constexpr const char* kFitColour = "#000000";
constexpr const char* kInk = "#1d232a";
constexpr const char* kMuted = "#5b6570";
constexpr const char* kGridColour = "#e3e7eb";
constexpr const char* kFrameColour = "#9aa3ad";

// ---------------------------------------------------------------------------------------------
// Validation

// Plot and table ids share one namespace: a reader (or a test) refers to "the knee plot" or
// "the stance table" by id, and the same id on both would be ambiguous.
void CheckUniqueIds(const Report& report) {
  std::set<std::string> seen;
  auto claim = [&seen](const std::string& id, const char* kind) {
    if (!seen.insert(id).second) {
      throw InvalidInput("html report: duplicate id \"" + id + "\" (" + kind + "); plot and table ids must be unique");
    }
  };
  for (const ReportSection& section : report.sections) {
    for (const Table& table : section.tables) claim(table.id, "table");
    for (const Plot& plot : section.plots) claim(plot.id, "plot");
  }
}

void CheckLineShape(const Plot& plot, const PlotLine& line) {
  const std::string where = "html report: plot \"" + plot.id + "\", line \"" + line.label + "\": ";
  if (line.y.size() != line.x.size()) {
    throw InvalidInput(where + "y has " + std::to_string(line.y.size()) + " values, x has " +
                       std::to_string(line.x.size()));
  }
  const bool has_band = !line.band_low.empty() || !line.band_high.empty();
  if (has_band && (line.band_low.size() != line.x.size() || line.band_high.size() != line.x.size())) {
    throw InvalidInput(where + "band has " + std::to_string(line.band_low.size()) + " low and " +
                       std::to_string(line.band_high.size()) + " high values, x has " +
                       std::to_string(line.x.size()));
  }
}

void CheckTableShape(const Table& table) {
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (!table.header.empty() && table.rows[r].size() != table.header.size()) {
      throw InvalidInput("html report: table \"" + table.id + "\", row " + std::to_string(r) + ": " +
                         std::to_string(table.rows[r].size()) + " cells, header has " +
                         std::to_string(table.header.size()));
    }
  }
}

void CheckShapes(const Report& report) {
  for (const ReportSection& section : report.sections) {
    for (const Table& table : section.tables) CheckTableShape(table);
    for (const Plot& plot : section.plots) {
      for (const PlotLine& line : plot.lines) CheckLineShape(plot, line);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Axes

struct Range {
  double lo = kInfinity, hi = -kInfinity;
  void Add(double value) {
    if (!std::isfinite(value)) return;
    lo = std::min(lo, value);
    hi = std::max(hi, value);
  }
  bool Empty() const { return !(lo <= hi); }
};

bool Finite(double a, double b) { return std::isfinite(a) && std::isfinite(b); }
bool HasBand(const PlotLine& line) { return !line.band_low.empty(); }

// The fit is drawn over the x range of the finite points only: extrapolating a regression past
// the data would suggest a relationship nobody measured.
Range FitXRange(const Plot& plot) {
  Range range;
  if (!plot.has_fit || !Finite(plot.fit_slope, plot.fit_intercept)) return range;
  for (const PlotPoint& point : plot.points) {
    if (Finite(point.x, point.y)) range.Add(point.x);
  }
  return range;
}

double FitY(const Plot& plot, double x) { return plot.fit_intercept + plot.fit_slope * x; }

struct DataRanges {
  Range x, y;
};

// Ranges from what is actually drawn: finite line vertices and band edges, finite points, the
// fit's end points and the markers' x (an event outside the curves must still be visible).
DataRanges FindDataRanges(const Plot& plot) {
  DataRanges ranges;
  for (const PlotLine& line : plot.lines) {
    for (std::size_t i = 0; i < line.x.size(); ++i) {
      if (Finite(line.x[i], line.y[i])) {
        ranges.x.Add(line.x[i]);
        ranges.y.Add(line.y[i]);
      }
      if (HasBand(line) && Finite(line.x[i], line.band_low[i]) && std::isfinite(line.band_high[i])) {
        ranges.x.Add(line.x[i]);
        ranges.y.Add(line.band_low[i]);
        ranges.y.Add(line.band_high[i]);
      }
    }
  }
  for (const PlotPoint& point : plot.points) {
    if (!Finite(point.x, point.y)) continue;
    ranges.x.Add(point.x);
    ranges.y.Add(point.y);
  }
  const Range fit = FitXRange(plot);
  if (!fit.Empty()) {
    ranges.y.Add(FitY(plot, fit.lo));
    ranges.y.Add(FitY(plot, fit.hi));
  }
  // Markers only widen an axis that has data: on their own they have no y to show.
  if (!ranges.x.Empty()) {
    for (const PlotMarker& marker : plot.markers) ranges.x.Add(marker.x);
  }
  return ranges;
}

struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
  int decimals = 0;  // enough for the tick step, so labels read "0.5" and not "0.500000"
};

// Pads 5 % each side so no data sits on the frame; an all-equal range (one point, a flat line)
// gets a width of its own so the scale is not divided by zero.
Range Padded(Range range) {
  const double span = range.hi - range.lo;
  if (span <= 1e-12 * std::max(1.0, std::fabs(range.lo))) {
    const double half = range.lo == 0 ? 1.0 : 0.1 * std::fabs(range.lo);
    return {range.lo - half, range.hi + half};
  }
  return {range.lo - 0.05 * span, range.hi + 0.05 * span};
}

// The step nearest span / target among 1, 2 and 5 times a power of ten: ticks people can read.
double NiceStep(double span, int target) {
  const double raw = span / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double normalised = raw / magnitude;
  const double nice = normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10;
  return nice * magnitude;
}

Axis MakeAxis(Range data, int target_ticks) {
  const Range padded = Padded(data);
  Axis axis;
  axis.lo = padded.lo;
  axis.hi = padded.hi;
  const double step = NiceStep(axis.hi - axis.lo, target_ticks);
  // Data spanning most of the double range (an unscaled sentinel value) overflows the span; the
  // plot then has no ticks rather than undefined arithmetic.
  if (!std::isfinite(step) || step <= 0) return axis;
  axis.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  // Ticks are k * step for whole k (not a running sum) so rounding cannot drift. The count cap
  // only matters for spans near the double range, where the step itself loses precision.
  const double first = std::ceil(axis.lo / step - 1e-9);
  for (double k = first; k * step <= axis.hi + 1e-9 * step && axis.ticks.size() < 50; k += 1) {
    const double tick = k * step;
    axis.ticks.push_back(std::fabs(tick) < 1e-9 * step ? 0.0 : tick);
  }
  return axis;
}

// ---------------------------------------------------------------------------------------------
// Plot layout

constexpr double kSvgWidth = 600;
constexpr double kPlotAreaHeight = 270;
constexpr double kRightMargin = 18;
constexpr double kTitleFont = 15, kLabelFont = 13, kTickFont = 12.5, kSmallFont = 11.5;
constexpr double kLegendRowHeight = 18;
constexpr double kMarkerRowHeight = 15;
constexpr double kBottomMargin = 50;

struct LegendEntry {
  std::string label;
  const char* colour;
  bool dashed = false;
  bool band = false;
};

struct PlacedLegendEntry {
  LegendEntry entry;
  double x = 0;
  int row = 0;
};

struct PlacedMarker {
  const PlotMarker* marker = nullptr;
  double label_x = 0;  // centre of the label in SVG units
  int row = 0;         // 0 is the row just above the plot area
};

// Where everything goes in one plot, in SVG user units.
struct Frame {
  double left = 0, top = 0, width = 0, height = kPlotAreaHeight, svg_height = 0;
  Axis x, y;
  double X(double value) const { return left + (value - x.lo) / (x.hi - x.lo) * width; }
  double Y(double value) const { return top + height - (value - y.lo) / (y.hi - y.lo) * height; }
  double Right() const { return left + width; }
  double Bottom() const { return top + height; }
};

std::vector<LegendEntry> LegendEntries(const Plot& plot) {
  std::vector<LegendEntry> entries;
  for (const PlotLine& line : plot.lines) {
    if (!line.label.empty()) entries.push_back({line.label, Colour(line.colour), line.dashed, HasBand(line)});
  }
  if (!FitXRange(plot).Empty()) entries.push_back({"linear fit", kFitColour, false, false});
  return entries;
}

constexpr double kSwatchWidth = 22;

// Legend entries flow left to right above the plot area and wrap, so a legend never covers data.
std::vector<PlacedLegendEntry> PlaceLegend(const std::vector<LegendEntry>& entries, double left, double right) {
  std::vector<PlacedLegendEntry> placed;
  double x = left;
  int row = 0;
  for (const LegendEntry& entry : entries) {
    const double width = kSwatchWidth + 6 + TextWidth(entry.label, kTickFont) + 18;
    if (x > left && x + width > right) {
      x = left;
      ++row;
    }
    placed.push_back({entry, x, row});
    x += width;
  }
  return placed;
}

int RowCount(const std::vector<PlacedLegendEntry>& placed) { return placed.empty() ? 0 : placed.back().row + 1; }

// Marker labels sit in rows above the plot area, centred on their line; a label that would touch
// one already placed in a row moves up a row (foot strike and mid-stance can be close).
std::vector<PlacedMarker> PlaceMarkerLabels(const Plot& plot, const Frame& frame) {
  std::vector<const PlotMarker*> markers;
  for (const PlotMarker& marker : plot.markers) {
    if (std::isfinite(marker.x)) markers.push_back(&marker);
  }
  std::stable_sort(markers.begin(), markers.end(),
                   [](const PlotMarker* a, const PlotMarker* b) { return a->x < b->x; });
  std::vector<double> row_ends;  // right edge of the last label in each row
  std::vector<PlacedMarker> placed;
  for (const PlotMarker* marker : markers) {
    const double half = TextWidth(marker->label, kSmallFont) / 2;
    const double centre = std::clamp(frame.X(marker->x), half + 2, kSvgWidth - half - 2);
    std::size_t row = 0;
    while (row < row_ends.size() && centre - half < row_ends[row] + 6) ++row;
    if (row == row_ends.size()) row_ends.push_back(0);
    row_ends[row] = centre + half;
    placed.push_back({marker, centre, static_cast<int>(row)});
  }
  return placed;
}

int RowCount(const std::vector<PlacedMarker>& placed) {
  int rows = 0;
  for (const PlacedMarker& marker : placed) rows = std::max(rows, marker.row + 1);
  return rows;
}

// Room for the widest y tick label plus the rotated y axis label.
double LeftMargin(const Axis& y) {
  double widest = 0;
  for (const double tick : y.ticks) widest = std::max(widest, TextWidth(TickLabel(tick, y.decimals), kTickFont));
  return std::max(56.0, 30 + widest + 10);
}

// ---------------------------------------------------------------------------------------------
// SVG pieces

std::string PathCommand(char command, double x, double y) { return std::string(1, command) + Coord(x) + " " + Coord(y); }

void AppendTitle(const Plot& plot, std::string& out) {
  out += "<text class=\"plot-title\" x=\"12\" y=\"22\" font-size=\"" + Coord(kTitleFont) +
         "\" font-weight=\"600\" fill=\"" + kInk + "\">" + Escape(plot.title) + "</text>\n";
}

void AppendLegendSwatch(const LegendEntry& entry, double x, double y, std::string& out) {
  if (entry.band) {
    out += "<rect x=\"" + Coord(x) + "\" y=\"" + Coord(y - 6) + "\" width=\"" + Coord(kSwatchWidth) +
           "\" height=\"12\" fill=\"" + entry.colour + "\" fill-opacity=\"0.2\"/>";
  }
  out += "<line x1=\"" + Coord(x) + "\" y1=\"" + Coord(y) + "\" x2=\"" + Coord(x + kSwatchWidth) + "\" y2=\"" +
         Coord(y) + "\" stroke=\"" + entry.colour + "\" stroke-width=\"2.5\"" +
         (entry.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
}

void AppendLegend(const std::vector<PlacedLegendEntry>& placed, double top, std::string& out) {
  if (placed.empty()) return;
  out += "<g class=\"legend\" font-size=\"" + Coord(kTickFont) + "\" fill=\"" + kInk + "\">\n";
  for (const PlacedLegendEntry& item : placed) {
    const double y = top + item.row * kLegendRowHeight + kLegendRowHeight / 2;
    AppendLegendSwatch(item.entry, item.x, y, out);
    out += "<text x=\"" + Coord(item.x + kSwatchWidth + 6) + "\" y=\"" + Coord(y + 4) + "\">" +
           Escape(item.entry.label) + "</text>\n";
  }
  out += "</g>\n";
}

void AppendGrid(const Frame& frame, std::string& out) {
  out += "<g class=\"grid\" stroke=\"" + std::string(kGridColour) + "\" stroke-width=\"1\">\n";
  for (const double tick : frame.x.ticks) {
    const std::string x = Coord(frame.X(tick));
    out += "<line x1=\"" + x + "\" y1=\"" + Coord(frame.top) + "\" x2=\"" + x + "\" y2=\"" + Coord(frame.Bottom()) +
           "\"/>\n";
  }
  for (const double tick : frame.y.ticks) {
    const std::string y = Coord(frame.Y(tick));
    out += "<line x1=\"" + Coord(frame.left) + "\" y1=\"" + y + "\" x2=\"" + Coord(frame.Right()) + "\" y2=\"" + y +
           "\"/>\n";
  }
  out += "</g>\n";
  // Zero is the reference a coach looks for (no flexion, no force), so it is drawn darker.
  if (frame.y.lo < 0 && frame.y.hi > 0) {
    const std::string y = Coord(frame.Y(0));
    out += "<line class=\"zero\" x1=\"" + Coord(frame.left) + "\" y1=\"" + y + "\" x2=\"" + Coord(frame.Right()) +
           "\" y2=\"" + y + "\" stroke=\"" + kFrameColour + "\" stroke-width=\"1\"/>\n";
  }
}

void AppendFrame(const Frame& frame, std::string& out) {
  out += "<rect class=\"frame\" x=\"" + Coord(frame.left) + "\" y=\"" + Coord(frame.top) + "\" width=\"" +
         Coord(frame.width) + "\" height=\"" + Coord(frame.height) + "\" fill=\"none\" stroke=\"" + kFrameColour +
         "\" stroke-width=\"1\"/>\n";
}

void AppendTickLabels(const Frame& frame, std::string& out) {
  out += "<g class=\"ticks-x\" font-size=\"" + Coord(kTickFont) + "\" fill=\"" + kMuted +
         "\" text-anchor=\"middle\">\n";
  for (const double tick : frame.x.ticks) {
    out += "<text x=\"" + Coord(frame.X(tick)) + "\" y=\"" + Coord(frame.Bottom() + 17) + "\">" +
           TickLabel(tick, frame.x.decimals) + "</text>\n";
  }
  out += "</g>\n<g class=\"ticks-y\" font-size=\"" + Coord(kTickFont) + "\" fill=\"" + kMuted +
         "\" text-anchor=\"end\">\n";
  for (const double tick : frame.y.ticks) {
    out += "<text x=\"" + Coord(frame.left - 6) + "\" y=\"" + Coord(frame.Y(tick) + 4) + "\">" +
           TickLabel(tick, frame.y.decimals) + "</text>\n";
  }
  out += "</g>\n";
}

void AppendAxisLabels(const Plot& plot, const Frame& frame, std::string& out) {
  const std::string style = "\" font-size=\"" + Coord(kLabelFont) + "\" fill=\"" + kInk + "\" text-anchor=\"middle\"";
  out += "<text class=\"axis-label\" x=\"" + Coord(frame.left + frame.width / 2) + "\" y=\"" +
         Coord(frame.Bottom() + 40) + style + ">" + Escape(plot.x_label) + "</text>\n";
  const std::string x = Coord(16), y = Coord(frame.top + frame.height / 2);
  out += "<text class=\"axis-label\" x=\"" + x + "\" y=\"" + y + style + " transform=\"rotate(-90 " + x + " " + y +
         ")\">" + Escape(plot.y_label) + "</text>\n";
}

// One closed outline per run of finite band values: along the top edge, back along the bottom.
void AppendBand(const PlotLine& line, const Frame& frame, std::string& out) {
  const std::size_t n = line.x.size();
  std::string d;
  std::size_t i = 0;
  while (i < n) {
    auto finite = [&line](std::size_t k) {
      return Finite(line.x[k], line.band_low[k]) && std::isfinite(line.band_high[k]);
    };
    if (!finite(i)) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < n && finite(end)) ++end;
    for (std::size_t k = i; k < end; ++k) d += PathCommand(k == i ? 'M' : 'L', frame.X(line.x[k]), frame.Y(line.band_high[k]));
    for (std::size_t k = end; k-- > i;) d += PathCommand('L', frame.X(line.x[k]), frame.Y(line.band_low[k]));
    d += "Z";
    i = end;
  }
  if (d.empty()) return;
  out += "<path class=\"band\" d=\"" + d + "\" fill=\"" + Colour(line.colour) +
         "\" fill-opacity=\"0.18\" stroke=\"none\"/>\n";
}

// A NaN (or infinite) value ends the current segment with a fresh "M"; a lone finite sample
// becomes a zero-length segment, which the round line cap turns into a visible dot.
std::string LinePathData(const PlotLine& line, const Frame& frame) {
  std::string d;
  bool pen_down = false;
  for (std::size_t i = 0; i < line.x.size(); ++i) {
    if (!Finite(line.x[i], line.y[i])) {
      pen_down = false;
      continue;
    }
    const double x = frame.X(line.x[i]), y = frame.Y(line.y[i]);
    const bool next_finite = i + 1 < line.x.size() && Finite(line.x[i + 1], line.y[i + 1]);
    d += PathCommand(pen_down ? 'L' : 'M', x, y);
    if (!pen_down && !next_finite) d += "h0";
    pen_down = true;
  }
  return d;
}

void AppendLine(const PlotLine& line, const Frame& frame, std::string& out) {
  const std::string d = LinePathData(line, frame);
  if (d.empty()) return;
  out += "<path class=\"line\" d=\"" + d + "\" fill=\"none\" stroke=\"" + Colour(line.colour) +
         "\" stroke-width=\"2.2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"" +
         (line.dashed ? " stroke-dasharray=\"7 5\"" : "") + "/>\n";
}

void AppendMarkers(const std::vector<PlacedMarker>& placed, const Frame& frame, std::string& out) {
  if (placed.empty()) return;
  out += "<g class=\"markers\" font-size=\"" + Coord(kSmallFont) + "\" text-anchor=\"middle\">\n";
  for (const PlacedMarker& item : placed) {
    const char* colour = Colour(item.marker->colour);
    const double label_y = frame.top - 5 - item.row * kMarkerRowHeight;
    const std::string x = Coord(frame.X(item.marker->x));
    out += "<line class=\"marker\" x1=\"" + x + "\" y1=\"" + Coord(frame.Bottom()) + "\" x2=\"" + x + "\" y2=\"" +
           Coord(label_y + 3) + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>\n";
    out += "<text x=\"" + Coord(item.label_x) + "\" y=\"" + Coord(label_y - 1) + "\" fill=\"" + colour +
           "\" font-weight=\"600\">" + Escape(item.marker->label) + "</text>\n";
  }
  out += "</g>\n";
}

void AppendFit(const Plot& plot, const Frame& frame, std::string& out) {
  const Range range = FitXRange(plot);
  if (range.Empty()) return;
  out += "<path class=\"fit\" d=\"" + PathCommand('M', frame.X(range.lo), frame.Y(FitY(plot, range.lo))) +
         PathCommand('L', frame.X(range.hi), frame.Y(FitY(plot, range.hi))) + "\" fill=\"none\" stroke=\"" +
         kFitColour + "\" stroke-width=\"1.8\" stroke-linecap=\"round\"/>\n";
}

std::string PointTooltip(const PlotPoint& point) {
  const std::string values = "x = " + Readable(point.x) + ", y = " + Readable(point.y);
  return point.title.empty() ? values : point.title + " (" + values + ")";
}

void AppendPoints(const Plot& plot, const Frame& frame, std::string& out) {
  if (plot.points.empty()) return;
  out += "<g class=\"points\" stroke=\"#ffffff\" stroke-width=\"1\">\n";
  for (const PlotPoint& point : plot.points) {
    if (!Finite(point.x, point.y)) continue;
    out += "<circle cx=\"" + Coord(frame.X(point.x)) + "\" cy=\"" + Coord(frame.Y(point.y)) + "\" r=\"4.5\" fill=\"" +
           Colour(point.colour) + "\" fill-opacity=\"0.85\"><title>" + Escape(PointTooltip(point)) +
           "</title></circle>\n";
  }
  out += "</g>\n";
}

void AppendNoData(const Frame& frame, std::string& out) {
  out += "<text class=\"no-data\" x=\"" + Coord(frame.left + frame.width / 2) + "\" y=\"" +
         Coord(frame.top + frame.height / 2) + "\" font-size=\"" + Coord(kLabelFont + 1) + "\" fill=\"" + kMuted +
         "\" text-anchor=\"middle\">no data</text>\n";
}

// Vertical layout, top to bottom: title, legend rows, marker label rows, plot area, tick labels,
// x axis label. The left margin depends on the y tick labels, and the marker rows on where the
// markers fall horizontally, so the frame is fixed in that order.
Frame LayOutFrame(const Plot& plot, const DataRanges& ranges, std::vector<PlacedLegendEntry>& legend,
                  std::vector<PlacedMarker>& markers, double& legend_top) {
  Frame frame;
  const bool has_data = !ranges.x.Empty() && !ranges.y.Empty();
  if (has_data) {
    frame.x = MakeAxis(ranges.x, 6);
    frame.y = MakeAxis(ranges.y, 5);
  }
  frame.left = has_data ? LeftMargin(frame.y) : 56;
  frame.width = kSvgWidth - kRightMargin - frame.left;
  legend_top = 32;
  legend = has_data ? PlaceLegend(LegendEntries(plot), frame.left, frame.Right()) : std::vector<PlacedLegendEntry>{};
  markers = has_data ? PlaceMarkerLabels(plot, frame) : std::vector<PlacedMarker>{};
  frame.top = legend_top + RowCount(legend) * kLegendRowHeight + RowCount(markers) * kMarkerRowHeight + 10;
  frame.svg_height = frame.Bottom() + kBottomMargin;
  return frame;
}

std::string RenderPlot(const Plot& plot) {
  const DataRanges ranges = FindDataRanges(plot);
  const bool has_data = !ranges.x.Empty() && !ranges.y.Empty();
  std::vector<PlacedLegendEntry> legend;
  std::vector<PlacedMarker> markers;
  double legend_top = 0;
  const Frame frame = LayOutFrame(plot, ranges, legend, markers, legend_top);

  std::string out = "<figure class=\"plot-card\">\n<svg class=\"plot\" id=\"plot-" + Escape(plot.id) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Coord(kSvgWidth) + " " +
                    Coord(frame.svg_height) + "\" role=\"img\" aria-label=\"" + Escape(plot.title) + "\">\n";
  AppendTitle(plot, out);
  if (has_data) {
    AppendLegend(legend, legend_top, out);
    AppendGrid(frame, out);
    for (const PlotLine& line : plot.lines) {
      if (HasBand(line)) AppendBand(line, frame, out);
    }
    AppendMarkers(markers, frame, out);
    for (const PlotLine& line : plot.lines) AppendLine(line, frame, out);
    AppendFit(plot, frame, out);
    AppendPoints(plot, frame, out);
    AppendFrame(frame, out);
    AppendTickLabels(frame, out);
  } else {
    AppendFrame(frame, out);
    AppendNoData(frame, out);
  }
  AppendAxisLabels(plot, frame, out);
  out += "</svg>\n";
  if (!plot.caption.empty()) out += "<figcaption>" + Escape(plot.caption) + "</figcaption>\n";
  out += "</figure>\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tables

// A column is numeric (right-aligned, so digits line up) when every cell with a value is a number.
std::vector<bool> NumericColumns(const Table& table) {
  const std::size_t columns = table.header.empty() && !table.rows.empty() ? table.rows[0].size() : table.header.size();
  std::vector<bool> numeric(columns, true);
  std::vector<bool> any_value(columns, false);
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size() && c < columns; ++c) {
      if (IsMissingCell(row[c])) continue;
      any_value[c] = true;
      if (!IsNumber(row[c])) numeric[c] = false;
    }
  }
  for (std::size_t c = 0; c < columns; ++c) numeric[c] = numeric[c] && any_value[c];
  return numeric;
}

std::string CellClass(bool numeric, bool missing) {
  if (numeric && missing) return " class=\"num missing\"";
  if (numeric) return " class=\"num\"";
  if (missing) return " class=\"missing\"";
  return "";
}

std::string RenderTable(const Table& table) {
  const std::vector<bool> numeric = NumericColumns(table);
  std::string out = "<div class=\"table-block\">\n";
  if (!table.title.empty()) out += "<h3>" + Escape(table.title) + "</h3>\n";
  out += "<div class=\"table-wrap\">\n<table class=\"data sortable\" id=\"table-" + Escape(table.id) + "\">\n";
  if (!table.header.empty()) {
    out += "<thead><tr>";
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      out += "<th scope=\"col\"" + CellClass(numeric[c], false) + ">" + Escape(table.header[c]) + "</th>";
    }
    out += "</tr></thead>\n";
  }
  out += "<tbody>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const bool missing = IsMissingCell(row[c]);
      const bool is_numeric = c < numeric.size() && numeric[c];
      out += "<td" + CellClass(is_numeric, missing) + ">" + (missing ? "&ndash;" : Escape(row[c])) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n</div>\n";
  if (!table.caption.empty()) out += "<p class=\"note\">" + Escape(table.caption) + "</p>\n";
  if (!table.header.empty() && table.rows.size() > 1) {
    out += "<p class=\"hint\">Click a column header to sort; click again to reverse.</p>\n";
  }
  out += "</div>\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Page

std::string RenderSection(const ReportSection& section, std::size_t index) {
  std::string out = "<section id=\"section-" + std::to_string(index + 1) + "\">\n<h2>" + Escape(section.title) +
                    "</h2>\n";
  for (const std::string& paragraph : section.paragraphs) out += "<p>" + Escape(paragraph) + "</p>\n";
  for (const std::string& warning : section.warnings) {
    out += "<div class=\"warning\" role=\"note\"><strong>Warning</strong> " + Escape(warning) + "</div>\n";
  }
  for (const Table& table : section.tables) out += RenderTable(table);
  if (!section.plots.empty()) {
    out += "<div class=\"plot-grid\">\n";
    for (const Plot& plot : section.plots) out += RenderPlot(plot);
    out += "</div>\n";
  }
  out += "</section>\n";
  return out;
}

std::string RenderHeader(const Report& report) {
  std::string out = "<header>\n<div class=\"page\">\n<h1>" + Escape(report.title) + "</h1>\n";
  for (const std::string& line : report.subtitle_lines) out += "<p class=\"subtitle\">" + Escape(line) + "</p>\n";
  if (report.sections.size() > 1) {
    out += "<nav aria-label=\"Sections\">";
    for (std::size_t i = 0; i < report.sections.size(); ++i) {
      out += "<a href=\"#section-" + std::to_string(i + 1) + "\">" + Escape(report.sections[i].title) + "</a>";
    }
    out += "</nav>\n";
  }
  out += "</div>\n</header>\n";
  return out;
}

// The content security policy makes the "no network, no external files" promise enforceable by
// the browser: anything but the inline style and script is refused.
constexpr const char* kHead =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";

constexpr const char* kStyle = R"CSS(<style>
:root { color-scheme: light; --ink: #1d232a; --muted: #5b6570; --line: #d9dee3; --head: #eef1f4; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f5f7; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
    "Liberation Sans", "DejaVu Sans", sans-serif; }
.page, main { max-width: 1320px; margin: 0 auto; padding: 0 24px; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 0 14px; }
h1 { margin: 0 0 6px; font-size: 26px; line-height: 1.2; }
.subtitle { margin: 0; color: var(--muted); font-size: 14px; }
nav { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 14px; }
nav a { color: #0072B2; text-decoration: none; }
nav a:hover { text-decoration: underline; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px 22px; margin: 20px 0; }
section > :last-child { margin-bottom: 0; }
h2 { margin: 0 0 10px; font-size: 20px; line-height: 1.3; }
h3 { margin: 0 0 6px; font-size: 16px; }
p { margin: 0 0 10px; max-width: 90ch; }
.warning { margin: 10px 0; padding: 8px 12px; max-width: 90ch; background: #fff3e6; border-left: 4px solid #D55E00;
  border-radius: 4px; }
.warning strong { color: #a84300; margin-right: 4px; }
.table-block { margin: 18px 0; }
.table-wrap { display: inline-block; max-width: 100%; max-height: 70vh; overflow: auto; vertical-align: top;
  border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: separate; border-spacing: 0; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 12px; text-align: left; white-space: nowrap; border-bottom: 1px solid var(--line); }
thead th { position: sticky; top: 0; z-index: 1; background: var(--head); font-weight: 600; cursor: pointer;
  user-select: none; }
thead th:hover, thead th:focus { background: #e1e6eb; outline: none; }
th.num, td.num { text-align: right; }
td.missing { color: var(--muted); }
tbody tr:nth-child(even) { background: #f8f9fa; }
tbody tr:hover { background: #eaf3fa; }
tbody tr:last-child td { border-bottom: none; }
th[aria-sort="ascending"]::after { content: " \25B2"; font-size: 10px; }
th[aria-sort="descending"]::after { content: " \25BC"; font-size: 10px; }
.note { margin: 6px 0 0; font-size: 13px; color: var(--muted); }
.hint { margin: 4px 0 0; font-size: 12px; color: var(--muted); font-style: italic; }
.plot-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); gap: 18px;
  margin-top: 18px; }
figure.plot-card { margin: 0; padding: 8px 8px 10px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
svg.plot { display: block; width: 100%; height: auto; font-family: inherit; }
svg.plot .points circle:hover { stroke: var(--ink); stroke-width: 2; }
figcaption { padding: 4px 6px 0; font-size: 13px; color: var(--muted); }
@media print {
  @page { margin: 14mm; }
  body { background: #fff; font-size: 11pt; }
  .page, main { max-width: none; padding: 0; }
  header { border: none; padding: 0 0 8px; }
  nav, .hint { display: none; }
  section { border: none; border-radius: 0; padding: 0; margin: 0 0 16px; }
  .table-wrap { display: block; max-height: none; overflow: visible; border: none; }
  thead { display: table-header-group; }
  thead th { position: static; }
  th[aria-sort]::after { content: none; }
  tr, figure.plot-card, .warning { break-inside: avoid; page-break-inside: avoid; }
  .plot-grid { display: block; }
  figure.plot-card { border: none; padding: 0; margin: 0 0 12px; }
  svg.plot { max-width: 170mm; }
}
</style>
)CSS";

// Sorting: numbers compare as numbers when every cell with a value in the column parses as one,
// otherwise as text; empty (en dash) cells stay last in both directions because "no value" is
// not smaller or larger than any value. Ties keep their previous order (stable by index).
constexpr const char* kScript = R"JS(<script>
'use strict';
(function () {
  function sortTable(table, column, header) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = header.getAttribute('aria-sort') !== 'ascending';
    var texts = rows.map(function (row) { var cell = row.cells[column]; return cell ? cell.textContent.trim() : ''; });
    var missing = rows.map(function (row) { var cell = row.cells[column]; return !cell || cell.classList.contains('missing'); });
    var numeric = texts.every(function (text, i) { return missing[i] || (text !== '' && isFinite(Number(text))); });
    var order = rows.map(function (row, i) { return i; });
    order.sort(function (a, b) {
      if (missing[a] !== missing[b]) return missing[a] ? 1 : -1;
      var c = 0;
      if (!missing[a]) {
        c = numeric ? Number(texts[a]) - Number(texts[b]) : texts[a].localeCompare(texts[b], undefined, { numeric: true });
      }
      return (ascending ? c : -c) || a - b;
    });
    order.forEach(function (i) { body.appendChild(rows[i]); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute('aria-sort'); });
    header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      header.tabIndex = 0;
      header.addEventListener('click', function () { sortTable(table, column, header); });
      header.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sortTable(table, column, header); }
      });
    });
  });
  document.documentElement.dataset.ready = '1';
})();
</script>
)JS";

}  // namespace

std::string RenderHtmlReport(const Report& report) {
  CheckUniqueIds(report);
  CheckShapes(report);
  std::string out = kHead;
  out += "<title>" + Escape(report.title) + "</title>\n";
  out += kStyle;
  out += "</head>\n<body>\n";
  out += RenderHeader(report);
  out += "<main>\n";
  for (std::size_t i = 0; i < report.sections.size(); ++i) out += RenderSection(report.sections[i], i);
  out += "</main>\n";
  out += kScript;
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace midstance
