// A minimal horizontal bar chart written as SVG text, with no dependency, so that benchmark
// results can be looked at in any browser and committed next to the JSON.
#ifndef DIFFCOMP_PROGRAMS_SVG_CHART_H_
#define DIFFCOMP_PROGRAMS_SVG_CHART_H_

#include <string>
#include <vector>

namespace dc::bench {

struct SvgBar {
  std::string label;       // left of the bar
  double value = 0;        // bar length; NaN or negative values draw no bar
  std::string value_text;  // right of the bar, e.g. "9.85" or "1.21 (34.0 dB)"
  int style = 0;           // 0 = baseline, 1 = ours, 2 = failed or incomplete
};

struct SvgPanel {
  std::string title;  // e.g. "image, lossless: bits per sub-pixel (lower is better)"
  std::vector<SvgBar> bars;
};

struct SvgChart {
  std::string title;
  std::vector<SvgPanel> panels;
  int width = 900;
};

// Each panel has its own scale (its longest bar fills the plot width), because panels hold
// different units. All text is XML-escaped.
std::string RenderBarChartSvg(const SvgChart& chart);

// Escapes & < > " ' for use in SVG/XML text and attribute values.
std::string XmlEscape(const std::string& s);

}  // namespace dc::bench

#endif  // DIFFCOMP_PROGRAMS_SVG_CHART_H_
