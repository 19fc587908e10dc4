#pragma once
// The coach's report as one self-contained HTML page: styles and a small script inlined, every
// plot an inline SVG drawn here (no network, no external files, no canvas), readable on a laptop
// and printable (print CSS: one plot per row, no page breaks inside a plot or table row).
// Same Report in, same bytes out (fixed number formatting, no timestamps unless given as text).
#include <string>
#include <vector>

namespace midstance {

// A polyline, optionally with a shaded band (e.g. mean +- SD); NaN y values break the line.
struct PlotLine {
  std::string label;                  // legend text
  std::vector<double> x, y;
  std::vector<double> band_low, band_high;  // empty or the same length as x
  int colour = 0;                     // index into the report's palette (colour-blind safe)
  bool dashed = false;
};

// A vertical marker line across the plot at x (an event: foot strike, mid-stance, toe-off).
struct PlotMarker {
  double x = 0;
  std::string label;
  int colour = 0;
};

// A scatter point with a hover title; NaN coordinates are skipped.
struct PlotPoint {
  double x = 0, y = 0;
  std::string title;                  // shown on hover (SVG <title>), e.g. "trial 3, stance 2, left"
  int colour = 0;
};

struct Plot {
  std::string id;                     // unique in the page: the SVG gets id="plot-<id>" and class "plot"
  std::string title, x_label, y_label;  // labels carry units, e.g. "knee flexion (deg)"
  std::vector<PlotLine> lines;
  std::vector<PlotMarker> markers;
  std::vector<PlotPoint> points;
  bool has_fit = false;               // draw y = intercept + slope x over the points' x range
  double fit_slope = 0, fit_intercept = 0;
  std::string caption;                // one line under the plot (e.g. the fit's verdict)
};

struct Table {
  std::string id;                     // the <table> gets id="table-<id>"; columns sortable by click
  std::string title;
  std::vector<std::string> header;    // with units, e.g. "contact (ms)"
  std::vector<std::vector<std::string>> rows;  // already formatted; "" or "NaN" shown as an en dash
  std::string caption;
};

struct ReportSection {
  std::string title;
  std::vector<std::string> paragraphs;  // plain text (escaped)
  std::vector<std::string> warnings;    // plain text, shown highlighted
  std::vector<Table> tables;
  std::vector<Plot> plots;              // laid out in a responsive grid
};

struct Report {
  std::string title;
  std::vector<std::string> subtitle_lines;  // inputs, software version, options
  std::vector<ReportSection> sections;
};

// The whole page. Text is HTML-escaped; ids must be unique (throws InvalidInput otherwise).
std::string RenderHtmlReport(const Report& report);

}  // namespace midstance
