#include "programs/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace dc::bench {
namespace {

// Layout in SVG user units (pixels at 100%). The label column is sized for names like
// "avif-lossless-s6" at 12 px; longer names are not clipped, they just run under the bars'
// start, which stays readable.
constexpr int kMargin = 16;
constexpr int kTitleHeight = 34;
constexpr int kPanelTitleHeight = 26;
constexpr int kBarHeight = 18;
constexpr int kBarGap = 6;
constexpr int kPanelGap = 18;
constexpr int kLabelWidth = 170;
constexpr int kValueWidth = 150;  // room right of the longest bar for its value text

const char* const kFill[] = {"#7f8c9a", "#d9480f", "#e9c46a"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

}  // namespace

std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderBarChartSvg(const SvgChart& chart) {
  const int width = std::max(chart.width, kLabelWidth + kValueWidth + 2 * kMargin + 100);
  const int plot_width = width - 2 * kMargin - kLabelWidth - kValueWidth;

  int height = kMargin + kTitleHeight;
  for (const SvgPanel& p : chart.panels) {
    height +=
        kPanelTitleHeight + static_cast<int>(p.bars.size()) * (kBarHeight + kBarGap) + kPanelGap;
  }
  height += kMargin;

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << ' ' << height
    << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  o << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height
    << "\" fill=\"#ffffff\"/>\n";
  o << "<text x=\"" << kMargin << "\" y=\"" << kMargin + 18
    << "\" font-size=\"16\" font-weight=\"bold\">" << XmlEscape(chart.title) << "</text>\n";
  // Legend, right-aligned on the title line.
  const char* const kLegend[] = {"baseline", "ours", "incomplete (some files failed)"};
  int lx = width - kMargin - 330;
  for (int i = 0; i < 3; ++i) {
    o << "<rect x=\"" << lx << "\" y=\"" << kMargin + 8 << "\" width=\"12\" height=\"12\" fill=\""
      << kFill[i] << "\"/><text x=\"" << lx + 16 << "\" y=\"" << kMargin + 18 << "\">" << kLegend[i]
      << "</text>\n";
    lx += i == 0 ? 75 : 55;
  }

  int y = kMargin + kTitleHeight;
  for (const SvgPanel& panel : chart.panels) {
    o << "<text x=\"" << kMargin << "\" y=\"" << y + 16
      << "\" font-size=\"13\" font-weight=\"bold\">" << XmlEscape(panel.title) << "</text>\n";
    y += kPanelTitleHeight;
    double max_value = 0;
    for (const SvgBar& b : panel.bars) {
      if (std::isfinite(b.value)) max_value = std::max(max_value, b.value);
    }
    const int x0 = kMargin + kLabelWidth;
    for (const SvgBar& b : panel.bars) {
      const int style = std::clamp(b.style, 0, 2);
      const bool drawable = std::isfinite(b.value) && b.value > 0 && max_value > 0;
      const double len = drawable ? b.value / max_value * plot_width : 0.0;
      const int text_y = y + kBarHeight - 5;
      o << "<g><title>" << XmlEscape(b.label + ": " + b.value_text) << "</title>";
      o << "<text x=\"" << x0 - 6 << "\" y=\"" << text_y << "\" text-anchor=\"end\""
        << (style == 1 ? " font-weight=\"bold\"" : "") << ">" << XmlEscape(b.label) << "</text>";
      if (drawable) {
        o << "<rect x=\"" << x0 << "\" y=\"" << y << "\" width=\"" << Num(len) << "\" height=\""
          << kBarHeight << "\" fill=\"" << kFill[style] << "\"/>";
      }
      o << "<text x=\"" << Num(x0 + len + 5) << "\" y=\"" << text_y << "\">"
        << XmlEscape(b.value_text) << "</text></g>\n";
      y += kBarHeight + kBarGap;
    }
    // Axis line at zero, so that short bars are still visibly anchored.
    o << "<line x1=\"" << x0 << "\" y1=\""
      << y - static_cast<int>(panel.bars.size()) * (kBarHeight + kBarGap) << "\" x2=\"" << x0
      << "\" y2=\"" << y - kBarGap << "\" stroke=\"#333333\"/>\n";
    y += kPanelGap;
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace dc::bench
