// Package chart draws small server-rendered SVG charts from numbers: the
// grouped bars of a statement (earned, paid, deferred by month), the
// line of total debt over time and several such lines side by side (the
// debt of projection scenarios). It is pure: numbers in, markup out, no
// JavaScript and no inline styles (the CSP forbids them). Every element
// carries a class, so colours and fonts live in app.css.
//
// The markup is meant to sit inline in an HTML page, which puts it in the
// SVG namespace by itself; it carries no xmlns attribute, so pages keep
// holding no URL but their own. It is still well-formed XML.
//
// Values are decimal.Decimal. The axis scale (its ticks and their labels)
// is computed in decimal, so a label never reads 4999.999; float64 is used
// only for the pixel coordinates of what is drawn. A chart is a picture of
// numbers that its page also shows in a table: the figures themselves are
// never rounded through a float.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Series is one set of bars: one value per label, drawn in Class.
type Series struct {
	// Name is the legend text ("Earned"); a series without one has no
	// legend entry.
	Name string
	// Class is the CSS class of its bars and legend swatch ("earned");
	// default "series-N" (N from 1).
	Class string
	// Values has one value per label; missing values count as zero and
	// extra ones are ignored.
	Values []decimal.Decimal
}

// Point is one point of a line: its x-axis label and value.
type Point struct {
	Label string
	Value decimal.Decimal
}

// Options set what a chart says about itself and its size.
type Options struct {
	// ID prefixes the ids of the chart's <title> and <desc>, so it must be
	// unique within the page; default "chart".
	ID string
	// Title is the chart's accessible name (the SVG <title>).
	Title string
	// Desc is a sentence describing it (the SVG <desc>); a plain summary
	// is written when it is empty.
	Desc string
	// Width and Height are the size of the viewBox in user units; the page
	// scales the SVG to its container. Defaults 600 × 260.
	Width, Height int
	// Format prints a value in the tooltip of a bar or point; default:
	// two decimal places with thousands grouped (1,234.50).
	Format func(decimal.Decimal) string
	// Name and Class are the legend text and CSS class of a Line; Class
	// defaults to "series-1", and without a Name there is no legend.
	Name, Class string
	// Empty is the text shown instead of a chart with no data; default
	// "No data yet".
	Empty string
	// LabelStep, when above 1, makes the x labels that thinning keeps a
	// multiple of it apart (12 for months: one label a year, or every
	// other year), so they fall on the same month each time.
	LabelStep int
}

// Layout, in user units. Text is sized by CSS (.chart text, 12px); charW
// is an upper estimate of one character's width at that size, used to
// make room for axis labels and to thin the labels of the x axis.
const (
	defaultWidth  = 600
	defaultHeight = 260
	padTop        = 8  // above the plot, for the top tick label
	padRight      = 8  //
	padBottom     = 24 // below the plot, for the x-axis labels
	legendHeight  = 24 // above padTop, when there is a legend
	charW         = 7.0
	tickGap       = 6.0  // between a y tick label and the plot
	labelGap      = 16.0 // from the plot's bottom to the x label baseline
	maxBarWidth   = 36.0
	groupFill     = 0.8 // share of a group's width its bars take
	maxDots       = 24  // a line with more points is drawn without dots
	targetTicks   = 4   // about this many steps on the y axis
)

// Bars draws grouped bars: for each label, one bar per series, from zero.
// Without labels or series it returns the Empty text instead.
func Bars(series []Series, labels []string, opts Options) template.HTML {
	opts = opts.withDefaults()
	if len(labels) == 0 || len(series) == 0 {
		return empty(opts)
	}
	n := len(labels)
	value := func(s Series, i int) decimal.Decimal {
		if i < len(s.Values) {
			return s.Values[i]
		}
		return decimal.Zero
	}
	var all []decimal.Decimal
	for _, s := range series {
		for i := range n {
			all = append(all, value(s, i))
		}
	}
	series = slices.Clone(series) // classes get defaults; the caller's slice stays as it was
	var legend []legendItem
	for k, s := range series {
		series[k].Class = classOr(s.Class, k)
		if s.Name != "" {
			legend = append(legend, legendItem{name: s.Name, class: series[k].Class})
		}
	}
	if opts.Desc == "" {
		names := make([]string, 0, len(series))
		for _, s := range series {
			if s.Name != "" {
				names = append(names, s.Name)
			}
		}
		opts.Desc = fmt.Sprintf("Bar chart of %s for %s.", orDefault(strings.Join(names, ", "), "values"), span(labels))
	}
	f := newFrame(opts, all, legend != nil)
	var b strings.Builder
	f.open(&b, opts, "bars")
	f.drawLegend(&b, legend, "rect")
	f.drawGrid(&b)
	groupW := f.plotW / float64(n)
	barW := math.Min(groupW*groupFill/float64(len(series)), maxBarWidth)
	y0 := f.y(decimal.Zero)
	b.WriteString(`<g class="bars">`)
	for i, label := range labels {
		gx := f.left + float64(i)*groupW + (groupW-barW*float64(len(series)))/2
		for k, s := range series {
			v := value(s, i)
			yv := f.y(v)
			fmt.Fprintf(&b, `<rect class="bar %s" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
				esc(s.Class), num(gx+float64(k)*barW), num(math.Min(y0, yv)), num(barW), num(math.Abs(yv-y0)),
				esc(tooltip(s.Name, label, opts.Format(v))))
		}
	}
	b.WriteString(`</g>`)
	f.drawXLabels(&b, labels, func(i int) float64 { return f.left + (float64(i)+0.5)*groupW })
	f.drawAxis(&b)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Line draws one line through points, evenly spaced left to right, with
// the area under it shaded and, when there are few points, a dot on each.
// The y axis always includes zero, so the line's height is to scale.
// Without points it returns the Empty text instead.
func Line(points []Point, opts Options) template.HTML {
	opts = opts.withDefaults()
	if len(points) == 0 {
		return empty(opts)
	}
	cls := classOr(opts.Class, 0)
	labels := make([]string, len(points))
	values := make([]decimal.Decimal, len(points))
	for i, p := range points {
		labels[i], values[i] = p.Label, p.Value
	}
	if opts.Desc == "" {
		opts.Desc = fmt.Sprintf("Line chart of %s for %s.", orDefault(opts.Name, "values"), span(labels))
	}
	var legend []legendItem
	if opts.Name != "" {
		legend = []legendItem{{name: opts.Name, class: cls}}
	}
	f := newFrame(opts, values, legend != nil)
	var b strings.Builder
	f.open(&b, opts, "line")
	f.drawLegend(&b, legend, "line")
	f.drawGrid(&b)
	step := f.plotW / float64(len(points))
	x := func(i int) float64 { return f.left + (float64(i)+0.5)*step }
	var path strings.Builder
	for i, v := range values {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%s %s ", cmd, num(x(i)), num(f.y(v)))
	}
	line := strings.TrimSpace(path.String())
	y0 := num(f.y(decimal.Zero))
	fmt.Fprintf(&b, `<path class="area %s" d="%s L%s %s L%s %s Z"/>`, esc(cls), line, num(x(len(values)-1)), y0, num(x(0)), y0)
	fmt.Fprintf(&b, `<path class="line %s" d="%s"/>`, esc(cls), line)
	if len(points) <= maxDots {
		fmt.Fprintf(&b, `<g class="dots %s">`, esc(cls))
		for i, v := range values {
			fmt.Fprintf(&b, `<circle class="dot %s" cx="%s" cy="%s" r="3.5"><title>%s</title></circle>`,
				esc(cls), num(x(i)), num(f.y(v)), esc(tooltip(opts.Name, labels[i], opts.Format(v))))
		}
		b.WriteString(`</g>`)
	}
	f.drawXLabels(&b, labels, x)
	f.drawAxis(&b)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func (o Options) withDefaults() Options {
	if o.ID == "" {
		o.ID = "chart"
	}
	if o.Width <= 0 {
		o.Width = defaultWidth
	}
	if o.Height <= 0 {
		o.Height = defaultHeight
	}
	if o.Format == nil {
		o.Format = func(d decimal.Decimal) string { return Group(d.StringFixed(2)) }
	}
	if o.Empty == "" {
		o.Empty = "No data yet"
	}
	return o
}

func empty(o Options) template.HTML {
	return template.HTML(`<p class="chart-empty" id="` + esc(o.ID) + `">` + esc(o.Empty) + `</p>`)
}

// frame is the plot area and the y scale of one chart.
type frame struct {
	width, height           float64
	left, top, plotW, plotH float64
	lo, hi                  decimal.Decimal // the y axis runs from lo to hi
	ticks                   []decimal.Decimal
	tickLabels              []string
	labelStep               int
}

func newFrame(o Options, values []decimal.Decimal, legend bool) *frame {
	f := &frame{width: float64(o.Width), height: float64(o.Height), labelStep: o.LabelStep}
	f.lo, f.hi, f.ticks = scale(values)
	places := int32(0)
	if len(f.ticks) > 1 {
		places = max(0, -f.ticks[1].Sub(f.ticks[0]).Exponent())
	}
	widest := 0
	for _, t := range f.ticks {
		s := Group(t.StringFixed(places))
		f.tickLabels = append(f.tickLabels, s)
		widest = max(widest, utf8.RuneCountInString(s))
	}
	f.left = float64(widest)*charW + tickGap + 2
	f.top = padTop
	if legend {
		f.top += legendHeight
	}
	f.plotW = math.Max(f.width-f.left-padRight, 1)
	f.plotH = math.Max(f.height-f.top-padBottom, 1)
	return f
}

// y maps a value to its vertical position. The ratio is exact decimal
// arithmetic; only the pixel result is a float.
func (f *frame) y(v decimal.Decimal) float64 {
	r := f.hi.Sub(v).Div(f.hi.Sub(f.lo)).InexactFloat64()
	return f.top + r*f.plotH
}

func (f *frame) open(b *strings.Builder, o Options, kind string) {
	id := esc(o.ID)
	fmt.Fprintf(b, `<svg class="chart %s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc">`,
		kind, o.Width, o.Height, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(o.Title), id, esc(o.Desc))
}

type legendItem struct{ name, class string }

// drawLegend writes the legend in a row above the plot: a swatch (a square
// for bars, a short line for a line) and the name of each series.
func (f *frame) drawLegend(b *strings.Builder, items []legendItem, swatch string) {
	if len(items) == 0 {
		return
	}
	b.WriteString(`<g class="legend">`)
	x := f.left
	const y = padTop + 6.0
	for _, it := range items {
		cls := esc(it.class)
		if swatch == "line" {
			fmt.Fprintf(b, `<line class="swatch %s" x1="%s" y1="%s" x2="%s" y2="%s"/>`, cls, num(x), num(y+5), num(x+14), num(y+5))
		} else {
			fmt.Fprintf(b, `<rect class="swatch %s" x="%s" y="%s" width="12" height="12"/>`, cls, num(x), num(y-1))
		}
		fmt.Fprintf(b, `<text x="%s" y="%s">%s</text>`, num(x+18), num(y+10), esc(it.name))
		x += 18 + float64(utf8.RuneCountInString(it.name))*charW + 16
	}
	b.WriteString(`</g>`)
}

// drawGrid writes a gridline and a label for each y tick.
func (f *frame) drawGrid(b *strings.Builder) {
	b.WriteString(`<g class="grid">`)
	for i, t := range f.ticks {
		y := num(f.y(t))
		cls := "gridline"
		if t.IsZero() {
			cls += " zero"
		}
		fmt.Fprintf(b, `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s"/>`, cls, num(f.left), y, num(f.left+f.plotW), y)
		fmt.Fprintf(b, `<text class="tick" x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`,
			num(f.left-tickGap), y, esc(f.tickLabels[i]))
	}
	b.WriteString(`</g>`)
}

// drawXLabels writes the x-axis labels centred under their bars or points,
// keeping every k-th so that they never overlap.
func (f *frame) drawXLabels(b *strings.Builder, labels []string, x func(int) float64) {
	widest := 1
	for _, l := range labels {
		widest = max(widest, utf8.RuneCountInString(l))
	}
	every := Thin(len(labels), float64(widest)*charW+8, f.plotW)
	if k := f.labelStep; k > 1 && every > 1 {
		every = (every + k - 1) / k * k
	}
	b.WriteString(`<g class="xlabels">`)
	for i, l := range labels {
		if i%every != 0 {
			continue
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, num(x(i)), num(f.top+f.plotH+labelGap), esc(l))
	}
	b.WriteString(`</g>`)
}

// drawAxis writes the axis lines: left and bottom of the plot.
func (f *frame) drawAxis(b *strings.Builder) {
	bottom := num(f.top + f.plotH)
	fmt.Fprintf(b, `<path class="axis" d="M%s %s V%s H%s"/>`, num(f.left), num(f.top), bottom, num(f.left+f.plotW))
}

// Thin says to keep every k-th of n labels, each about labelW wide, so
// that the kept ones fit side by side in width.
func Thin(n int, labelW, width float64) int {
	if n <= 1 || labelW <= 0 || width <= 0 {
		return 1
	}
	fit := int(width / labelW)
	if fit < 1 {
		fit = 1
	}
	return max(1, (n+fit-1)/fit)
}

// scale picks the y axis for values: from lo ≤ 0 to hi ≥ 0 in about
// targetTicks "nice" steps (1, 2 or 5 × 10ⁿ), in exact decimal. All-zero
// data gets an axis from 0 to 1 with a single tick at 0, so the bars sit
// on the baseline rather than float in a made-up range.
func scale(values []decimal.Decimal) (lo, hi decimal.Decimal, ticks []decimal.Decimal) {
	lo, hi = decimal.Zero, decimal.Zero
	for _, v := range values {
		lo, hi = decimal.Min(lo, v), decimal.Max(hi, v)
	}
	if lo.Equal(hi) {
		return decimal.Zero, decimal.NewFromInt(1), []decimal.Decimal{decimal.Zero}
	}
	step := niceStep(hi.Sub(lo).Div(decimal.NewFromInt(targetTicks)))
	lo = lo.Div(step).Floor().Mul(step)
	hi = hi.Div(step).Ceil().Mul(step)
	for t := lo; t.LessThanOrEqual(hi); t = t.Add(step) {
		ticks = append(ticks, t)
	}
	return lo, hi, ticks
}

// niceStep rounds a positive raw step up to 1, 2 or 5 × 10ⁿ.
func niceStep(raw decimal.Decimal) decimal.Decimal {
	digits := len(raw.Coefficient().String()) // raw > 0: no sign
	mag := int32(digits-1) + raw.Exponent()   // raw = f × 10^mag, 1 ≤ f < 10
	f := raw.Shift(-mag)
	for _, m := range []int64{1, 2, 5} {
		if f.LessThanOrEqual(decimal.NewFromInt(m)) {
			return decimal.New(m, mag)
		}
	}
	return decimal.New(1, mag+1)
}

// Group puts thousands separators into a plain decimal string:
// "-12345.60" → "-12,345.60".
func Group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

func tooltip(name, label, value string) string {
	if name == "" {
		return label + ": " + value
	}
	return name + ", " + label + ": " + value
}

func span(labels []string) string {
	if len(labels) == 1 {
		return labels[0]
	}
	return fmt.Sprintf("%d periods from %s to %s", len(labels), labels[0], labels[len(labels)-1])
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// classOr keeps the letters, digits, '-' and '_' of a CSS class list
// (spaces separate classes) or names the k-th series.
func classOr(cls string, k int) string {
	if clean := cleanClass(cls); clean != "" {
		return clean
	}
	return "series-" + strconv.Itoa(k+1)
}

// cleanClass keeps the letters, digits, '-' and '_' of a CSS class list,
// its classes separated by single spaces.
func cleanClass(cls string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == ' ':
			return r
		}
		return -1
	}, cls)
	return strings.Join(strings.Fields(clean), " ")
}

// esc makes text safe inside SVG: HTML-escaped, and without the characters
// XML 1.0 does not allow at all (control characters, invalid UTF-8), which
// no escaping could make well-formed.
func esc(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
			return -1
		case r >= 0xD800 && r <= 0xDFFF:
			return -1
		}
		return r
	}, s)
	return template.HTMLEscapeString(s)
}

// num prints a coordinate with at most two decimals.
func num(x float64) string {
	x = math.Round(x*100) / 100
	if x == 0 {
		x = 0 // not "-0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}
