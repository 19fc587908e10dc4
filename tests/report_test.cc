// The coach's HTML report: structure and escaping checked on the text, then the page rendered by
// headless Chromium to prove the script runs without a console error and the layout produces a
// real picture (kept as test-artefacts/report.png for a person to look at).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <locale>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "midstance/error.h"
#include "midstance/html_report.h"
#include "support/test_support.h"

namespace midstance {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kEnDash = "\xE2\x80\x93";
constexpr const char* kRawText = "Knee drive <fast> & \"early\" push";
constexpr const char* kEscapedText = "Knee drive &lt;fast&gt; &amp; &quot;early&quot; push";
constexpr int kPlotCount = 5;
constexpr int kFinitePoints = 12;

// ---------------------------------------------------------------------------------------------
// A realistic report: one runner, 8 stances, curves normalised to stance.

std::vector<double> Percent() {
  std::vector<double> x(101);
  for (int i = 0; i <= 100; ++i) x[i] = i;
  return x;
}

// Mean +- SD as a legend entry with a band; `shift` makes the two sides differ a little.
PlotLine SideCurve(const std::string& label, int colour, bool dashed, double (*mean)(double), double sd,
                   double shift) {
  PlotLine line;
  line.label = label;
  line.colour = colour;
  line.dashed = dashed;
  line.x = Percent();
  for (const double p : line.x) {
    const double y = mean(p) + shift * std::sin(kPi * p / 100);
    const double spread = sd * (0.7 + 0.6 * p / 100);
    line.y.push_back(y);
    line.band_low.push_back(y - spread);
    line.band_high.push_back(y + spread);
  }
  return line;
}

double KneeFlexion(double p) { return 17 + 27 * std::exp(-std::pow((p - 40) / 30, 2)) - 5 * p / 100; }
double HipFlexion(double p) { return 33 - 45 * p / 100 + 3 * std::sin(2 * kPi * p / 100); }

PlotMarker Marker(double x, const std::string& label, int colour) {
  PlotMarker marker;
  marker.x = x;
  marker.label = label;
  marker.colour = colour;
  return marker;
}

Plot KneePlot() {
  Plot plot;
  plot.id = "knee";
  plot.title = "Knee flexion over stance (mean \xC2\xB1 SD)";
  plot.x_label = "stance (%)";
  plot.y_label = "knee flexion (deg)";
  plot.lines = {SideCurve("left (n = 4)", 0, false, KneeFlexion, 3.0, 0),
                SideCurve("right (n = 4)", 1, true, KneeFlexion, 3.5, 2.5)};
  plot.markers = {Marker(40, "mid-stance", 6)};
  return plot;
}

// The right hip has a marker dropout (points 60-64): its line must break there.
Plot HipPlot() {
  Plot plot;
  plot.id = "hip";
  plot.title = "Hip flexion over stance (mean \xC2\xB1 SD)";
  plot.x_label = "stance (%)";
  plot.y_label = "hip flexion (deg)";
  plot.lines = {SideCurve("left (n = 4)", 0, false, HipFlexion, 2.5, 0),
                SideCurve("right (n = 4)", 1, true, HipFlexion, 2.8, -2)};
  for (int i = 60; i <= 64; ++i) plot.lines[1].y[i] = plot.lines[1].band_low[i] = plot.lines[1].band_high[i] = kNaN;
  plot.markers = {Marker(40, "mid-stance", 6)};
  return plot;
}

Plot GroundReactionPlot() {
  Plot plot;
  plot.id = "grf";
  plot.title = "Ground reaction force, left stance 3";
  plot.x_label = "time from foot strike (ms)";
  plot.y_label = "force (body weights)";
  PlotLine vertical, braking;
  vertical.label = "vertical";
  vertical.colour = 0;
  braking.label = "anteroposterior";
  braking.colour = 2;
  const double contact_ms = 240;
  for (int i = 0; i <= 120; ++i) {
    const double t = 2.0 * i, s = t / contact_ms;
    vertical.x.push_back(t);
    vertical.y.push_back(2.55 * std::sin(kPi * s) + 0.55 * std::exp(-std::pow((s - 0.1) / 0.04, 2)));
    braking.x.push_back(t);
    braking.y.push_back(-0.38 * std::sin(2 * kPi * s) * std::sin(kPi * s));
  }
  plot.lines = {vertical, braking};
  plot.markers = {Marker(0, "foot strike", 6), Marker(98, "mid-stance", 6), Marker(contact_ms, "toe-off", 6)};
  return plot;
}

Plot ScatterPlot() {
  Plot plot;
  plot.id = "drive-vs-impulse";
  plot.title = "Knee drive vs propulsive impulse";
  plot.x_label = "peak knee extension velocity (deg/s)";
  plot.y_label = "propulsive impulse (N s)";
  const double velocity[] = {412, 455, 398, 520, 478, 441, 503, 466, 430, 495, 388, 472};
  const double impulse[] = {21.3, 23.9, 20.1, 26.8, 24.0, 22.9, 25.1, 24.6, 21.7, 25.9, 20.6, 23.2};
  for (int i = 0; i < kFinitePoints; ++i) {
    PlotPoint point;
    point.x = velocity[i];
    point.y = impulse[i];
    point.title = "trial " + std::to_string(1 + i / 4) + ", stance " + std::to_string(1 + i % 4) +
                  (i % 2 ? ", right" : ", left");
    point.colour = i % 2;
    plot.points.push_back(point);
  }
  PlotPoint lost;  // a stance without a usable velocity: skipped, not drawn at the origin
  lost.x = kNaN;
  lost.y = 22;
  lost.title = "trial 4, stance 1, left";
  plot.points.push_back(lost);
  plot.has_fit = true;
  plot.fit_slope = 0.0461;
  plot.fit_intercept = 2.31;
  plot.caption = "Blue: left, orange: right. r = 0.93 (95 % CI 0.76 to 0.98), slope 0.046 N s per deg/s: faster knee drive, more push.";
  return plot;
}

Plot EmptyPlot() {
  Plot plot;
  plot.id = "pelvis";
  plot.title = "Pelvis obliquity (markers missing)";
  plot.x_label = "stance (%)";
  plot.y_label = "pelvis obliquity (deg)";
  PlotLine line;
  line.label = "left";
  line.x = Percent();
  line.y.assign(line.x.size(), kNaN);
  plot.lines = {line};
  plot.markers = {Marker(40, "mid-stance", 6)};
  return plot;
}

Table StanceTable() {
  Table table;
  table.id = "stance";
  table.title = "Stances";
  table.header = {"stance", "side", "contact (ms)", "flight (ms)", "peak vGRF (BW)", "knee at mid-stance (deg)"};
  table.rows = {{"1", "left", "238", "112", "2.61", "43.8"},  {"2", "right", "244", "108", "2.55", "45.1"},
                {"3", "left", "240", "115", "2.58", "44.2"},  {"4", "right", "NaN", "110", "2.49", "46.0"},
                {"5", "left", "236", "", "2.64", "43.1"},     {"6", "right", "247", "106", "2.52", "45.7"},
                {"7", "left", "241", "113", "2.60", "44.0"},  {"8", "right", "243", "109", "2.54", "45.3"}};
  table.caption = "Contact from force plate thresholds (20 N); stance 4 missed the plate edge.";
  return table;
}

Report SampleReport() {
  Report report;
  report.title = "Running analysis: " + std::string(kRawText);
  report.subtitle_lines = {"Subject S07, treadmill 4.2 m/s, session 2024-05-14 (trials 1-2)",
                           "midstance 0.1.0, Butterworth 12 Hz low-pass, events from force plates"};
  ReportSection summary;
  summary.title = "Stance summary";
  summary.paragraphs = {"Eight stances from two trials. " + std::string(kRawText) + " was the cue.",
                        "Values are per stance; the table sorts by any column."};
  summary.warnings = {"Stance 4: contact time unavailable (foot < 50 % on plate & COP unreliable)."};
  summary.tables = {StanceTable()};
  ReportSection angles;
  angles.title = "Joint angles over stance";
  angles.paragraphs = {"Curves are normalised to stance (0 % foot strike, 100 % toe-off)."};
  angles.plots = {KneePlot(), HipPlot()};
  ReportSection forces;
  forces.title = "Forces and knee drive";
  forces.plots = {GroundReactionPlot(), ScatterPlot(), EmptyPlot()};
  report.sections = {summary, angles, forces};
  return report;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

std::string ReadFile(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream stream(path, std::ios::binary);
  stream << text;
  ASSERT_TRUE(stream.good()) << path;
}

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

int CountMatches(const std::string& text, const std::regex& pattern) {
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), pattern), std::sregex_iterator()));
}

// The whole <svg ...>...</svg> of one plot (empty when absent).
std::string PlotSvg(const std::string& html, const std::string& id) {
  const std::size_t start = html.find("<svg class=\"plot\" id=\"plot-" + id + "\"");
  if (start == std::string::npos) return "";
  return html.substr(start, html.find("</svg>", start) + 6 - start);
}

// Text of every <text> in the group with the given class, e.g. the x tick labels.
std::vector<std::string> GroupTexts(const std::string& svg, const std::string& group_class) {
  const std::size_t start = svg.find("<g class=\"" + group_class + "\"");
  if (start == std::string::npos) return {};
  const std::string group = svg.substr(start, svg.find("</g>", start) - start);
  std::vector<std::string> texts;
  const std::regex text(R"(<text[^>]*>([^<]*)</text>)");
  for (auto it = std::sregex_iterator(group.begin(), group.end(), text); it != std::sregex_iterator(); ++it) {
    texts.push_back((*it)[1]);
  }
  return texts;
}

// Cell texts of one column of a table, in row order, from page or DOM text.
std::vector<std::string> ColumnCells(const std::string& html, const std::string& table_id, int column) {
  const std::size_t start = html.find("id=\"table-" + table_id + "\"");
  if (start == std::string::npos) return {};
  const std::size_t body = html.find("<tbody>", start);
  const std::string rows = html.substr(body, html.find("</tbody>", body) - body);
  std::vector<std::string> cells;
  const std::regex row(R"(<tr>(.*?)</tr>)"), cell(R"(<td[^>]*>([^<]*)</td>)");
  for (auto r = std::sregex_iterator(rows.begin(), rows.end(), row); r != std::sregex_iterator(); ++r) {
    const std::string row_text = (*r)[1];
    auto c = std::sregex_iterator(row_text.begin(), row_text.end(), cell);
    for (int i = 0; i < column && c != std::sregex_iterator(); ++i) ++c;
    cells.push_back(c == std::sregex_iterator() ? "?" : (*c)[1].str());
  }
  return cells;
}

std::string RenderToFile(const Report& report, const TempDir& dir) {
  const std::string path = dir / "report.html";
  WriteFile(path, RenderHtmlReport(report));
  return path;
}

// ---------------------------------------------------------------------------------------------
// Chromium

struct BrowserRun {
  int exit_code = -1;
  std::string out, err;
};

// One headless Chromium run on `page` with a fresh profile; `timeout` keeps a hung browser from
// hanging the suite (exit code 124 then).
BrowserRun RunChromium(const std::string& page, const std::string& action) {
  TempDir profile, capture;
  const std::string out = capture / "out", err = capture / "err";
  const std::string command = std::string("timeout 60 ") + kChromium +
                              " --headless --no-sandbox --disable-gpu --user-data-dir='" + profile.path() +
                              "' --enable-logging=stderr --v=0 --virtual-time-budget=5000 " + action + " 'file://" +
                              page + "' >'" + out + "' 2>'" + err + "' </dev/null";
  const int status = std::system(command.c_str());
  BrowserRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(out);
  run.err = ReadFile(err);
  return run;
}

// Chromium (156, Debian) logs every console message of the page on stderr as
//   [pid:tid:date:INFO:CONSOLE:3] "Uncaught Error: boom", source: file:///.../report.html (3)
// with the same INFO level for console.log, console.error and uncaught exceptions (older builds
// wrote "INFO:CONSOLE(3)"), so the level cannot tell an error apart. The report's script never
// logs, so any console line at all is a problem: an exception, a CSP refusal (an external
// resource) or a stray log. Lines from Chromium itself (dbus, GPU) have no "CONSOLE" tag.
std::vector<std::string> ConsoleProblems(const std::string& err) {
  std::vector<std::string> problems;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) {
      problems.push_back(line);
    }
  }
  return problems;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string joined;
  for (const std::string& line : lines) joined += line + "\n";
  return joined;
}

bool ScriptRan(const std::string& dom) { return std::regex_search(dom, std::regex(R"(<html[^>]*\sdata-ready="1")")); }

// Adds `code` to the page: inside the report's own script (right after 'use strict') or as a
// separate script at the end of the body.
std::string InjectIntoScript(std::string html, const std::string& code) {
  const std::size_t at = html.find("'use strict';");
  return at == std::string::npos ? "" : html.insert(at + 13, "\n" + code + "\n");
}

std::string AppendScript(std::string html, const std::string& code) {
  const std::size_t at = html.rfind("</body>");
  return at == std::string::npos ? "" : html.insert(at, "<script>" + code + "</script>\n");
}

#define REQUIRE_CHROMIUM() \
  ASSERT_TRUE(fs::exists(kChromium)) << kChromium << " not found: run tools/install-deps.sh (installs chromium)"

// ---------------------------------------------------------------------------------------------
// Tests without a browser

TEST(ReportTest, PageReferencesNothingOutsideItself) {
  const std::string html = RenderHtmlReport(SampleReport());
  // The SVG namespace is a name, not a fetched resource; it is the only URI allowed, and only as
  // the xmlns attribute of a plot.
  const std::string xmlns = "xmlns=\"http://www.w3.org/2000/svg\"";
  EXPECT_EQ(Count(html, xmlns), kPlotCount);
  std::string rest = html;
  for (std::size_t at = rest.find(xmlns); at != std::string::npos; at = rest.find(xmlns)) rest.erase(at, xmlns.size());
  for (const char* forbidden : {"http://", "https://", "//www.", "src=", "url(", "@import", "<link", "<img", "<iframe",
                                "<object", "<embed", "<canvas", "ftp:", "data:"}) {
    EXPECT_EQ(rest.find(forbidden), std::string::npos) << "found " << forbidden;
  }
  // Links only jump within the page.
  EXPECT_EQ(CountMatches(rest, std::regex(R"(href="[^#])")), 0);
  EXPECT_EQ(Count(html, "<style>"), 1);
  EXPECT_EQ(Count(html, "<script>"), 1);
  EXPECT_NE(html.find("'use strict'"), std::string::npos);
}

TEST(ReportTest, EscapesEveryText) {
  Report report = SampleReport();
  report.sections[0].tables[0].rows[0][1] = "<b>left</b>";
  report.sections[2].plots[1].points[0].title = "trial 1 <left> & \"fast\"";
  report.sections[2].plots[0].markers[1].label = "mid <stance>";
  const std::string html = RenderHtmlReport(report);
  EXPECT_EQ(html.find(kRawText), std::string::npos);
  EXPECT_GE(Count(html, kEscapedText), 3);  // <title>, <h1>, paragraph
  EXPECT_NE(html.find("<td>&lt;b&gt;left&lt;/b&gt;</td>"), std::string::npos);
  EXPECT_NE(html.find("<title>trial 1 &lt;left&gt; &amp; &quot;fast&quot; (x = 412, y = 21.3)</title>"),
            std::string::npos);
  EXPECT_NE(html.find(">mid &lt;stance&gt;</text>"), std::string::npos);
  EXPECT_NE(html.find("foot &lt; 50 % on plate &amp; COP"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
}

// A comma decimal separator in the global C++ locale must not leak into coordinates.
struct CommaDecimal : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(ReportTest, SameReportGivesSameBytesInAnyLocale) {
  const std::string first = RenderHtmlReport(SampleReport());
  EXPECT_EQ(first, RenderHtmlReport(SampleReport()));
  const std::locale previous = std::locale::global(std::locale(std::locale::classic(), new CommaDecimal));
  const std::string with_commas = RenderHtmlReport(SampleReport());
  std::locale::global(previous);
  EXPECT_EQ(first, with_commas);
}

TEST(ReportTest, DuplicateIdsThrowNamingTheId) {
  Report plots = SampleReport();
  plots.sections[2].plots[2].id = "knee";  // same as the knee plot in another section
  try {
    RenderHtmlReport(plots);
    FAIL() << "no exception for a duplicate plot id";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("\"knee\""), std::string::npos) << error.what();
  }
  Report tables = SampleReport();
  tables.sections[1].tables = {StanceTable()};
  EXPECT_THROW(RenderHtmlReport(tables), InvalidInput);
  Report mixed = SampleReport();
  mixed.sections[0].tables[0].id = "grf";
  EXPECT_THROW(RenderHtmlReport(mixed), InvalidInput);
}

TEST(ReportTest, MismatchedLineOrRowLengthsThrow) {
  Report line = SampleReport();
  line.sections[1].plots[0].lines[0].y.pop_back();
  EXPECT_THROW(RenderHtmlReport(line), InvalidInput);
  Report band = SampleReport();
  band.sections[1].plots[0].lines[0].band_high.pop_back();
  EXPECT_THROW(RenderHtmlReport(band), InvalidInput);
  Report row = SampleReport();
  row.sections[0].tables[0].rows[2].pop_back();
  EXPECT_THROW(RenderHtmlReport(row), InvalidInput);
}

TEST(ReportTest, EachPlotOnceWithItsData) {
  const std::string html = RenderHtmlReport(SampleReport());
  EXPECT_EQ(Count(html, "<svg class=\"plot\""), kPlotCount);
  for (const char* id : {"knee", "hip", "grf", "drive-vs-impulse", "pelvis"}) {
    EXPECT_EQ(Count(html, std::string("id=\"plot-") + id + "\""), 1) << id;
  }
  EXPECT_EQ(Count(html, "id=\"table-stance\""), 1);

  const std::string scatter = PlotSvg(html, "drive-vs-impulse");
  EXPECT_EQ(Count(scatter, "<circle"), kFinitePoints);  // the NaN point is skipped
  EXPECT_EQ(Count(scatter, "<title>"), kFinitePoints);
  EXPECT_EQ(Count(scatter, "class=\"fit\""), 1);
  EXPECT_NE(html.find("<figcaption>Blue: left, orange: right. r = 0.93"), std::string::npos);

  const std::string knee = PlotSvg(html, "knee");
  EXPECT_EQ(GroupTexts(knee, "ticks-x"), (std::vector<std::string>{"0", "20", "40", "60", "80", "100"}));
  EXPECT_EQ(Count(knee, "class=\"band\""), 2);
  EXPECT_EQ(Count(knee, "class=\"marker\""), 1);
  EXPECT_EQ(GroupTexts(knee, "markers"), std::vector<std::string>{"mid-stance"});
  EXPECT_EQ(Count(knee, "<circle"), 0);

  // The dropout in the right hip splits its line (and band) into two pieces.
  const std::string hip = PlotSvg(html, "hip");
  const std::size_t right = hip.find("class=\"line\"", hip.find("class=\"line\"") + 1);
  ASSERT_NE(right, std::string::npos);
  const std::string right_path = hip.substr(right, hip.find("/>", right) - right);
  EXPECT_EQ(Count(right_path, "M"), 2);
  EXPECT_EQ(right_path.find("NaN"), std::string::npos);
  EXPECT_EQ(right_path.find("nan"), std::string::npos);

  const std::string grf = PlotSvg(html, "grf");
  EXPECT_EQ(Count(grf, "class=\"marker\""), 3);
  EXPECT_EQ(Count(grf, "stroke-dasharray"), 3);
  EXPECT_EQ(GroupTexts(grf, "markers"), (std::vector<std::string>{"foot strike", "mid-stance", "toe-off"}));

  const std::string pelvis = PlotSvg(html, "pelvis");
  EXPECT_NE(pelvis.find(">no data</text>"), std::string::npos);
  EXPECT_EQ(pelvis.find("<path"), std::string::npos);
  EXPECT_EQ(Count(html, ">no data</text>"), 1);

  // "NaN" and "" cells read as an en dash; numeric columns are right-aligned.
  EXPECT_EQ(ColumnCells(html, "stance", 2)[3], "&ndash;");
  EXPECT_EQ(ColumnCells(html, "stance", 3)[4], "&ndash;");
  EXPECT_EQ(Count(html, "<th scope=\"col\" class=\"num\">"), 5);
  EXPECT_EQ(Count(html, "<th scope=\"col\">side</th>"), 1);
}

TEST(ReportTest, PlotWithOnlyDegenerateDataStillHasAnAxis) {
  Report report;
  report.title = "one point";
  ReportSection section;
  Plot plot;
  plot.id = "single";
  PlotLine flat;
  flat.x = {5, 5};
  flat.y = {3, 3};
  plot.lines = {flat};
  section.plots = {plot};
  report.sections = {section};
  const std::string svg = PlotSvg(RenderHtmlReport(report), "single");
  EXPECT_EQ(svg.find("no data"), std::string::npos);
  EXPECT_GE(GroupTexts(svg, "ticks-x").size(), 2u);
  EXPECT_GE(GroupTexts(svg, "ticks-y").size(), 2u);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);

  // Values that overflow the span (an unscaled sentinel) must neither hang nor print "nan".
  report.sections[0].plots[0].lines[0].y = {-1e308, 1e308};
  const std::string extreme = PlotSvg(RenderHtmlReport(report), "single");
  EXPECT_EQ(extreme.find("nan"), std::string::npos);
  EXPECT_EQ(extreme.find("inf"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Tests in headless Chromium

TEST(ReportTest, ChromiumRunsTheScriptAndRendersAllPlots) {
  REQUIRE_CHROMIUM();
  TempDir dir;
  const std::string page = RenderToFile(SampleReport(), dir);

  const BrowserRun dom = RunChromium(page, "--dump-dom");
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_TRUE(ScriptRan(dom.out)) << "data-ready=\"1\" missing on <html>: the script did not finish";
  EXPECT_EQ(CountMatches(dom.out, std::regex(R"(<svg[^>]*\sclass="plot")")), kPlotCount);
  EXPECT_EQ(ConsoleProblems(dom.err), std::vector<std::string>{}) << JoinLines(ConsoleProblems(dom.err));

  const fs::path artefacts = fs::absolute("test-artefacts");
  fs::create_directories(artefacts);
  const std::string png = (artefacts / "report.png").string();
  fs::remove(png);
  const BrowserRun shot = RunChromium(page, "--screenshot='" + png + "' --window-size=1280,2400");
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_EQ(ConsoleProblems(shot.err), std::vector<std::string>{}) << JoinLines(ConsoleProblems(shot.err));
  const std::string image = ReadFile(png);
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << png;
  EXPECT_GT(image.size(), 20u * 1024) << png;
  fs::copy_file(page, artefacts / "report.html", fs::copy_options::overwrite_existing);
  std::cout << "report screenshot: " << png << "\n";
}

// The check above must be able to fail: an exception thrown in the page script shows up both as
// a console line and as a missing data-ready flag; a refused external image as a console line.
TEST(ReportTest, ConsoleCheckCatchesScriptErrorsAndExternalLoads) {
  REQUIRE_CHROMIUM();
  TempDir dir;
  const std::string html = RenderHtmlReport(SampleReport());

  const std::string throwing = dir / "throwing.html";
  WriteFile(throwing, InjectIntoScript(html, "throw new Error(\"x\");"));
  const BrowserRun thrown = RunChromium(throwing, "--dump-dom");
  ASSERT_EQ(thrown.exit_code, 0) << thrown.err;
  EXPECT_FALSE(ScriptRan(thrown.out));
  const std::vector<std::string> problems = ConsoleProblems(thrown.err);
  ASSERT_EQ(problems.size(), 1u) << JoinLines(problems) << thrown.err;
  EXPECT_NE(problems[0].find("Uncaught Error: x"), std::string::npos) << problems[0];

  const std::string fetching = dir / "fetching.html";
  WriteFile(fetching, AppendScript(html, "var i = new Image(); i.src = 'https://example.invalid/x.png';"
                                         "document.body.appendChild(i);"));
  const BrowserRun fetched = RunChromium(fetching, "--dump-dom");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_TRUE(ScriptRan(fetched.out));
  EXPECT_FALSE(ConsoleProblems(fetched.err).empty()) << "the content security policy did not refuse the image\n"
                                                     << fetched.err;
}

// Clicking a header sorts its table: numbers as numbers, the en dash cell last in both directions.
TEST(ReportTest, ChromiumSortsATableByTheClickedColumn) {
  REQUIRE_CHROMIUM();
  TempDir dir;
  const std::string html = RenderHtmlReport(SampleReport());
  const std::string click = "var h = document.querySelectorAll('#table-stance th');";
  const std::string page_up = dir / "up.html", page_down = dir / "down.html";
  WriteFile(page_up, AppendScript(html, click + "h[2].click();"));
  WriteFile(page_down, AppendScript(html, click + "h[5].click(); h[5].click(); h[1].click();"));

  const BrowserRun up = RunChromium(page_up, "--dump-dom");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(ConsoleProblems(up.err), std::vector<std::string>{}) << JoinLines(ConsoleProblems(up.err));
  EXPECT_EQ(ColumnCells(up.out, "stance", 2),
            (std::vector<std::string>{"236", "238", "240", "241", "243", "244", "247", kEnDash}));
  EXPECT_NE(up.out.find("aria-sort=\"ascending\">contact (ms)</th>"), std::string::npos);

  // Descending by knee angle, then by side (text): the stable sort keeps the knee order per side.
  const BrowserRun down = RunChromium(page_down, "--dump-dom");
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(ConsoleProblems(down.err), std::vector<std::string>{}) << JoinLines(ConsoleProblems(down.err));
  EXPECT_EQ(ColumnCells(down.out, "stance", 0), (std::vector<std::string>{"3", "7", "1", "5", "4", "6", "8", "2"}));
}

// The report `midstance process` writes for a real trial (vicon_gait_raw, Plug-in Gait) loads in
// Chromium without a console error and with every plot: four per trial, three knee-drive pairs
// with a panel per leg.
TEST(ReportTest, RealTrialReportRendersInChromium) {
  REQUIRE_CHROMIUM();
  MIDSTANCE_SKIP_WITHOUT_SHARED_DATA();
  TempDir dir;
  const testing::CommandResult run = testing::RunMidstance(
      "--quiet process " + testing::SharedDataPath("vicon_gait_raw.c3d") + " --model pig -o " + (dir / "trial.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string page = dir / "trial.report.html";
  ASSERT_TRUE(fs::exists(page));
  const BrowserRun dom = RunChromium(page, "--dump-dom");
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_TRUE(ScriptRan(dom.out));
  EXPECT_EQ(CountMatches(dom.out, std::regex(R"(<svg[^>]*\sclass="plot")")), 4 + 3 * 2);
  EXPECT_EQ(ConsoleProblems(dom.err), std::vector<std::string>{}) << JoinLines(ConsoleProblems(dom.err));
  const fs::path artefacts = fs::absolute("test-artefacts");
  fs::create_directories(artefacts);
  const std::string png = (artefacts / "real_trial_report.png").string();
  fs::remove(png);
  const BrowserRun shot = RunChromium(page, "--screenshot='" + png + "' --window-size=1280,3000");
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_GT(ReadFile(png).size(), 20u * 1024) << png;
  std::cout << "real trial report screenshot: " << png << "\n";
}

}  // namespace
}  // namespace midstance
