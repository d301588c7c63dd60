package chart

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// element is one start tag of a decoded SVG with its attributes and the
// text directly inside it.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parseSVG reads out to EOF with a strict XML decoder, failing the test
// on anything that is not well-formed, and returns its elements in order.
func parseSVG(t *testing.T, out template.HTML) []*element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(out)))
	var all, open []*element
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			all, open = append(all, e), append(open, e)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				open[len(open)-1].text += string(tok)
			}
		}
	}
	if len(open) != 0 {
		t.Fatalf("%d elements left open", len(open))
	}
	return all
}

// find returns the elements named name whose class list holds class.
func find(es []*element, name, class string) []*element {
	var out []*element
	for _, e := range es {
		if e.name == name && (class == "" || slices.Contains(strings.Fields(e.attrs["class"]), class)) {
			out = append(out, e)
		}
	}
	return out
}

func attrFloat(t *testing.T, e *element, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(e.attrs[name], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", e.name, name, e.attrs[name], err)
	}
	return f
}

func dec(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = decimal.RequireFromString(s)
	}
	return out
}

func statementSeries() []Series {
	return []Series{
		{Name: "Earned", Class: "earned", Values: dec("500.00", "250.00", "0")},
		{Name: "Paid", Class: "paid", Values: dec("362.07", "181.03", "0")},
		{Name: "Deferred", Class: "deferred", Values: dec("137.93", "68.97", "0")},
	}
}

func TestBars_WellFormedAndAccessible(t *testing.T) {
	out := Bars(statementSeries(), []string{"May 2022", "Jun 2022", "Jul 2022"}, Options{ID: "st", Title: "Earned, paid and deferred"})
	es := parseSVG(t, out)
	svg := es[0]
	if svg.name != "svg" || svg.attrs["role"] != "img" || svg.attrs["aria-labelledby"] != "st-title st-desc" {
		t.Fatalf("root = <%s %v>", svg.name, svg.attrs)
	}
	if es[1].name != "title" || es[1].attrs["id"] != "st-title" || es[1].text != "Earned, paid and deferred" {
		t.Errorf("first child = <%s %v>%s, want the title", es[1].name, es[1].attrs, es[1].text)
	}
	if es[2].name != "desc" || es[2].attrs["id"] != "st-desc" ||
		es[2].text != "Bar chart of Earned, Paid, Deferred for 3 periods from May 2022 to Jul 2022." {
		t.Errorf("second child = <%s %v>%s, want the desc", es[2].name, es[2].attrs, es[2].text)
	}
	if got := len(find(es, "rect", "bar")); got != 9 {
		t.Errorf("%d bars, want 3 series × 3 months", got)
	}
	var legend []string
	inLegend := false
	for _, e := range es {
		if e.name == "g" {
			inLegend = e.attrs["class"] == "legend"
		}
		if inLegend && e.name == "text" {
			legend = append(legend, e.text)
		}
	}
	if strings.Join(legend, ",") != "Earned,Paid,Deferred" {
		t.Errorf("legend = %q", legend)
	}
	if len(find(es, "rect", "swatch")) != 3 {
		t.Errorf("legend swatches missing")
	}
	for _, e := range find(es, "rect", "bar") {
		if !slices.Contains(strings.Fields(e.attrs["class"]), "earned") &&
			!slices.Contains(strings.Fields(e.attrs["class"]), "paid") &&
			!slices.Contains(strings.Fields(e.attrs["class"]), "deferred") {
			t.Errorf("bar without its series class: %v", e.attrs)
		}
	}
	ticks := []string{}
	for _, e := range find(es, "text", "tick") {
		ticks = append(ticks, e.text)
	}
	// 500 / 4 = 125 → a step of 200, up to 600.
	if got := strings.Join(ticks, " "); got != "0 200 400 600" {
		t.Errorf("y ticks = %q, want 0 200 400 600", got)
	}
	if strings.Contains(string(out), "style=") {
		t.Errorf("inline style in %s", out)
	}
	titles := []string{}
	for _, e := range es {
		if e.name == "title" {
			titles = append(titles, e.text)
		}
	}
	if !slices.Contains(titles, "Paid, May 2022: 362.07") {
		t.Errorf("bar tooltips = %q", titles)
	}
}

// TestBars_HeightsProportional checks a hand-computed case. With no legend
// the plot runs from y = 8 (padTop) to 150 − 24 (padBottom) = 126, so it
// is 118 high. The values 100 and 50 give a step of 25 → 50 and an axis
// from 0 to 100: the bar of 100 is 118 high and starts at y = 8, the bar
// of 50 is 59 high and starts at y = 67.
func TestBars_HeightsProportional(t *testing.T) {
	out := Bars([]Series{{Values: dec("100", "50")}}, []string{"a", "b"}, Options{Width: 200, Height: 150})
	bars := find(parseSVG(t, out), "rect", "bar")
	if len(bars) != 2 {
		t.Fatalf("%d bars, want 2", len(bars))
	}
	for i, want := range []struct{ y, h float64 }{{8, 118}, {67, 59}} {
		if y, h := attrFloat(t, bars[i], "y"), attrFloat(t, bars[i], "height"); y != want.y || h != want.h {
			t.Errorf("bar %d: y %v height %v, want y %v height %v", i, y, h, want.y, want.h)
		}
	}
	if c := bars[0].attrs["class"]; c != "bar series-1" {
		t.Errorf("default class = %q, want bar series-1", c)
	}
	// Same width, side by side in their groups.
	if attrFloat(t, bars[0], "width") != attrFloat(t, bars[1], "width") {
		t.Errorf("bars of different widths")
	}
}

func TestBars_NegativeValuesHangBelowZero(t *testing.T) {
	out := Bars([]Series{{Values: dec("100", "-50")}}, []string{"a", "b"}, Options{Width: 200, Height: 150})
	es := parseSVG(t, out)
	bars := find(es, "rect", "bar")
	zero := find(es, "line", "zero")
	if len(zero) != 1 {
		t.Fatalf("want one zero gridline, got %d", len(zero))
	}
	y0 := attrFloat(t, zero[0], "y1")
	up, down := bars[0], bars[1]
	// Coordinates carry two decimals, so allow a hundredth of rounding.
	if math.Abs(attrFloat(t, up, "y")+attrFloat(t, up, "height")-y0) > 0.011 || attrFloat(t, down, "y") != y0 {
		t.Errorf("bars do not meet at the zero line %v: %v / %v", y0, up.attrs, down.attrs)
	}
	if h1, h2 := attrFloat(t, up, "height"), attrFloat(t, down, "height"); math.Abs(h1-2*h2) > 0.021 {
		t.Errorf("heights %v and %v, want 2:1", h1, h2)
	}
}

func TestBars_AllZero(t *testing.T) {
	out := Bars([]Series{{Name: "Earned", Values: dec("0", "0")}}, []string{"a", "b"}, Options{})
	es := parseSVG(t, out)
	for _, b := range find(es, "rect", "bar") {
		if attrFloat(t, b, "height") != 0 {
			t.Errorf("a zero bar has height %v", b.attrs["height"])
		}
	}
	ticks := find(es, "text", "tick")
	if len(ticks) != 1 || ticks[0].text != "0" {
		t.Errorf("ticks of all-zero data = %v, want just 0", ticks)
	}
	if !strings.Contains(string(out), "<svg") {
		t.Errorf("all-zero data draws no chart")
	}
}

func TestCharts_Empty(t *testing.T) {
	tests := []struct {
		name string
		out  template.HTML
		want string
	}{
		{"bars without labels", Bars(statementSeries(), nil, Options{}), `<p class="chart-empty" id="chart">No data yet</p>`},
		{"bars without series", Bars(nil, []string{"a"}, Options{ID: "x"}), `<p class="chart-empty" id="x">No data yet</p>`},
		{"line without points", Line(nil, Options{ID: "h", Empty: "Nothing <owed>"}), `<p class="chart-empty" id="h">Nothing &lt;owed&gt;</p>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if string(tc.out) != tc.want {
				t.Errorf("got %s, want %s", tc.out, tc.want)
			}
			parseSVG(t, tc.out)
		})
	}
}

func TestCharts_EscapeText(t *testing.T) {
	evil := `<script>alert("x")</script> & 'co'`
	opts := Options{ID: `a"b`, Title: evil, Desc: evil, Name: evil}
	for name, out := range map[string]template.HTML{
		"bars": Bars([]Series{{Name: evil, Class: `x" onload="y`, Values: dec("1")}}, []string{evil}, opts),
		"line": Line([]Point{{Label: evil, Value: decimal.NewFromInt(1)}, {Label: "b\x00\x1b", Value: decimal.NewFromInt(2)}}, opts),
	} {
		t.Run(name, func(t *testing.T) {
			s := string(out)
			if strings.Contains(s, "<script") || strings.Contains(s, `onload="`) || strings.Contains(s, `a"b`) {
				t.Fatalf("unescaped text in %s", s)
			}
			es := parseSVG(t, out)
			var texts int
			for _, e := range es {
				if strings.Contains(e.text, evil) {
					texts++
				}
			}
			if texts < 3 {
				t.Errorf("the text reads back %d times, want it in title, desc and a label at least", texts)
			}
		})
	}
}

func TestLine(t *testing.T) {
	pts := []Point{
		{Label: "2024-04", Value: decimal.RequireFromString("50000.00")},
		{Label: "2024-05", Value: decimal.RequireFromString("50340.00")},
		{Label: "2024-06", Value: decimal.RequireFromString("49409.70")},
	}
	out := Line(pts, Options{ID: "debt", Title: "Total debt", Name: "Owed", Class: "debt", Width: 300, Height: 200})
	es := parseSVG(t, out)
	if find(es, "svg", "")[0].attrs["aria-labelledby"] != "debt-title debt-desc" {
		t.Errorf("svg not labelled by its title and desc")
	}
	dots := find(es, "circle", "dot")
	if len(dots) != 3 {
		t.Fatalf("%d dots, want 3", len(dots))
	}
	// 50,340 / 4 = 12,585 → a step of 20,000; the axis runs 0..60,000.
	ticks := []string{}
	for _, e := range find(es, "text", "tick") {
		ticks = append(ticks, e.text)
	}
	if got := strings.Join(ticks, " "); got != "0 20,000 40,000 60,000" {
		t.Errorf("ticks = %q", got)
	}
	// The plot is 200 − 8 − 24 (legend) − 24 = 144 high, from y = 32: the
	// point of 50,340 sits at 32 + (60,000 − 50,340) / 60,000 × 144 = 55.18.
	if y := attrFloat(t, dots[1], "cy"); y != 55.18 {
		t.Errorf("cy of 50,340 = %v, want 55.18", y)
	}
	if titles := find(es, "title", ""); len(titles) != 4 || titles[2].text != "Owed, 2024-05: 50,340.00" {
		t.Errorf("want the chart's title and one tooltip per point, got %d", len(titles))
	}
	if len(find(es, "path", "line")) != 1 || len(find(es, "path", "area")) != 1 || len(find(es, "line", "swatch")) != 1 {
		t.Errorf("want one line, one area and a legend swatch")
	}
}

func TestLine_OnePointAndMany(t *testing.T) {
	one := parseSVG(t, Line([]Point{{Label: "2024-06", Value: decimal.NewFromInt(5)}}, Options{}))
	if len(find(one, "circle", "dot")) != 1 {
		t.Errorf("a single point is not drawn")
	}
	var many []Point
	for i := range 48 {
		many = append(many, Point{Label: fmt.Sprintf("20%02d-%02d", 21+i/12, i%12+1), Value: decimal.NewFromInt(int64(i * 1000))})
	}
	es := parseSVG(t, Line(many, Options{}))
	if len(find(es, "circle", "dot")) != 0 {
		t.Errorf("48 points drawn with dots")
	}
	labels := 0
	inX := false
	for _, e := range es {
		if e.name == "g" {
			inX = e.attrs["class"] == "xlabels"
		}
		if inX && e.name == "text" {
			labels++
		}
	}
	if labels == 0 || labels >= 48 {
		t.Errorf("%d x labels for 48 points, want them thinned", labels)
	}
}

func TestBars_DoesNotChangeTheCallersSeries(t *testing.T) {
	s := []Series{{Values: dec("1")}}
	Bars(s, []string{"a"}, Options{})
	if s[0].Class != "" {
		t.Errorf("Bars set the caller's class to %q", s[0].Class)
	}
}

func TestThin(t *testing.T) {
	tests := []struct {
		n             int
		labelW, width float64
		want          int
	}{
		{n: 0, labelW: 60, width: 500, want: 1},
		{n: 1, labelW: 60, width: 500, want: 1},
		{n: 8, labelW: 60, width: 500, want: 1},  // 8 fit
		{n: 9, labelW: 60, width: 500, want: 2},  // only 8 fit: every other one
		{n: 36, labelW: 64, width: 540, want: 5}, // 8 fit: ceil(36 / 8)
		{n: 5, labelW: 600, width: 500, want: 5}, // not even one fits: keep the first
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.n, "x", tc.labelW, "in", tc.width), func(t *testing.T) {
			if got := Thin(tc.n, tc.labelW, tc.width); got != tc.want {
				t.Errorf("Thin = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestScale(t *testing.T) {
	tests := []struct {
		values []string
		ticks  string
	}{
		{[]string{"1167"}, "0 500 1000 1500"},
		{[]string{"-30", "100"}, "-50 0 50 100"},
		{[]string{"0.3"}, "0 0.1 0.2 0.3"},
		{[]string{"0.01"}, "0 0.005 0.01"},
		{[]string{"100"}, "0 50 100"},
		{[]string{"40"}, "0 10 20 30 40"},
		{[]string{"0", "0"}, "0"},
		{[]string{"-200"}, "-200 -150 -100 -50 0"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.values, ","), func(t *testing.T) {
			_, _, ticks := scale(dec(tc.values...))
			got := make([]string, len(ticks))
			for i, tk := range ticks {
				got[i] = tk.String()
			}
			if strings.Join(got, " ") != tc.ticks {
				t.Errorf("ticks = %q, want %q", strings.Join(got, " "), tc.ticks)
			}
		})
	}
}

func TestGroup(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "999": "999", "1000": "1,000", "-1000.50": "-1,000.50",
		"1234567.89": "1,234,567.89", "123456": "123,456", "0.005": "0.005",
	} {
		if got := Group(in); got != want {
			t.Errorf("Group(%q) = %q, want %q", in, got, want)
		}
	}
}

func ExampleBars() {
	out := Bars([]Series{{Name: "Earned", Class: "earned", Values: dec("500")}}, []string{"May 2022"},
		Options{ID: "ex", Title: "Earned in May", Width: 240, Height: 120})
	fmt.Println(strings.HasPrefix(string(out), `<svg class="chart bars" viewBox="0 0 240 120" role="img" aria-labelledby="ex-title ex-desc">`))
	// Output: true
}

func TestLines_WellFormedAndToScale(t *testing.T) {
	series := []LineSeries{
		{Name: "Today", Values: dec("0", "500", "1000")},
		{Name: "Twice", Values: dec("1200", "600", "0")},
	}
	out := Lines(series, []string{"Jun 2024", "Jul 2024", "Aug 2024"}, Options{ID: "sc", Title: "Debt by scenario", Width: 300, Height: 200})
	es := parseSVG(t, out)
	svg := es[0]
	if svg.name != "svg" || svg.attrs["role"] != "img" || svg.attrs["aria-labelledby"] != "sc-title sc-desc" {
		t.Fatalf("svg = %+v", svg)
	}
	if ti := find(es, "title", ""); ti[0].text != "Debt by scenario" || ti[0].attrs["id"] != "sc-title" {
		t.Errorf("first title = %+v", ti[0])
	}
	if d := find(es, "desc", ""); len(d) != 1 || !strings.Contains(d[0].text, "Today, Twice") {
		t.Errorf("desc = %+v", d)
	}
	// One line, one swatch and three dots per series, each in its own class.
	for k, cls := range []string{"line-1", "line-2"} {
		if len(find(es, "path", cls)) != 1 || len(find(es, "line", cls)) != 1 || len(find(es, "circle", cls)) != 3 {
			t.Errorf("series %d: want a line, a swatch and 3 dots of class %s", k, cls)
		}
	}
	// 1,200 / 4 = 300 → a step of 500; the axis runs 0..1,500, its widest
	// label "1,500" puts the plot's left at 5 × 7 + 6 + 2 = 43. The plot is
	// 200 − 8 − 24 (legend) − 24 = 144 high from y = 32 and 300 − 43 − 8 =
	// 249 wide: the second point of "Twice" (600) sits at x = 43 + 1.5 ×
	// 83 = 167.5 and y = 32 + (1,500 − 600) / 1,500 × 144 = 118.4.
	dot := find(es, "circle", "line-2")[1]
	if x, y := attrFloat(t, dot, "cx"), attrFloat(t, dot, "cy"); x != 167.5 || y != 118.4 {
		t.Errorf("Twice, Jul 2024 at (%v, %v), want (167.5, 118.4)", x, y)
	}
	if got := find(es, "path", "line-2")[0].attrs["d"]; !strings.Contains(got, "L167.5 118.4") {
		t.Errorf("line of Twice d = %q", got)
	}
	if tip := find(es, "title", ""); !slices.ContainsFunc(tip, func(e *element) bool { return e.text == "Twice, Jul 2024: 600.00" }) {
		t.Errorf("no tooltip for Twice, Jul 2024")
	}
	if len(find(es, "path", "area")) != 0 {
		t.Errorf("Lines shades areas")
	}
}

func TestLines_LegendWrapsAndLabelsThin(t *testing.T) {
	var series []LineSeries
	for k := range 5 {
		vals := make([]decimal.Decimal, 120)
		for i := range vals {
			vals[i] = decimal.NewFromInt(int64((120 - i) * (k + 1)))
		}
		series = append(series, LineSeries{Name: fmt.Sprintf("A rather long scenario name %d", k+1), Values: vals})
	}
	labels := make([]string, 120)
	for i := range labels {
		labels[i] = fmt.Sprintf("M%03d", i+1)
	}
	es := parseSVG(t, Lines(series, labels, Options{Width: 600, Height: 300}))
	ys := map[string]bool{}
	inLegend := false
	for _, e := range es {
		if e.name == "g" {
			inLegend = e.attrs["class"] == "legend"
		}
		if inLegend && e.name == "text" {
			ys[e.attrs["y"]] = true
		}
	}
	if len(ys) < 2 {
		t.Errorf("five long names on %d legend row(s), want them wrapped", len(ys))
	}
	// The top gridline moves down one legend row (24) per extra row.
	grid := find(es, "line", "gridline")
	if top := attrFloat(t, grid[len(grid)-1], "y1"); top != 32+float64(len(ys)-1)*24 {
		t.Errorf("plot top at %v with %d legend rows", top, len(ys))
	}
	if len(find(es, "circle", "dot")) != 0 {
		t.Errorf("120 points drawn with dots")
	}
	labelsShown := 0
	inX := false
	for _, e := range es {
		if e.name == "g" {
			inX = e.attrs["class"] == "xlabels"
		}
		if inX && e.name == "text" {
			labelsShown++
		}
	}
	if labelsShown == 0 || labelsShown >= 30 {
		t.Errorf("%d x labels for 120 months, want them thinned", labelsShown)
	}
}

func TestLines_EmptyAllZeroAndEscaping(t *testing.T) {
	if got := Lines(nil, []string{"a"}, Options{ID: "s"}); got != `<p class="chart-empty" id="s">No data yet</p>` {
		t.Errorf("no series: %s", got)
	}
	if got := Lines([]LineSeries{{Name: "x", Values: dec("1")}}, nil, Options{Empty: "<none>"}); got != `<p class="chart-empty" id="chart">&lt;none&gt;</p>` {
		t.Errorf("no labels: %s", got)
	}
	zero := parseSVG(t, Lines([]LineSeries{{Name: "a", Values: dec("0", "0")}, {Name: "b", Values: dec("0", "0")}},
		[]string{"x", "y"}, Options{Width: 300, Height: 200}))
	if ticks := find(zero, "text", "tick"); len(ticks) != 1 || ticks[0].text != "0" {
		t.Errorf("all-zero ticks = %d", len(ticks))
	}
	for _, d := range find(zero, "circle", "dot") {
		if y := attrFloat(t, d, "cy"); y != 200-24 {
			t.Errorf("a zero point at y = %v, want the baseline 176", y)
		}
	}
	// A series without values draws no line; a short one stops early.
	short := parseSVG(t, Lines([]LineSeries{{Name: "none"}, {Name: "one", Values: dec("3")}}, []string{"x", "y"}, Options{}))
	if len(find(short, "path", "line-1")) != 0 || len(find(short, "circle", "line-2")) != 1 {
		t.Errorf("empty or short series drawn wrongly")
	}

	evil := `<script>alert("x")</script> & 'co'`
	out := Lines([]LineSeries{{Name: evil, Class: `x" onload="y`, Values: dec("1", "2")}}, []string{evil, "b\x00"},
		Options{ID: `a"b`, Title: evil, Desc: evil})
	s := string(out)
	if strings.Contains(s, "<script") || strings.Contains(s, `onload="`) || strings.Contains(s, `a"b`) {
		t.Fatalf("unescaped text in %s", s)
	}
	texts := 0
	for _, e := range parseSVG(t, out) {
		if strings.Contains(e.text, evil) {
			texts++
		}
	}
	if texts < 4 {
		t.Errorf("the text reads back %d times, want title, desc, legend and label at least", texts)
	}
}

func TestLines_DoesNotChangeTheCallersSeries(t *testing.T) {
	series := []LineSeries{{Name: "a", Values: dec("1", "2", "3")}}
	Lines(series, []string{"x", "y"}, Options{})
	if series[0].Class != "" || len(series[0].Values) != 3 {
		t.Errorf("caller's series changed: %+v", series[0])
	}
}

func TestLines_LabelStep(t *testing.T) {
	labels := make([]string, 120)
	for i := range labels {
		labels[i] = fmt.Sprintf("M%07d", i)
	}
	vals := make([]decimal.Decimal, 120)
	es := parseSVG(t, Lines([]LineSeries{{Name: "a", Values: vals}}, labels, Options{LabelStep: 12}))
	inX := false
	var kept []string
	for _, e := range es {
		if e.name == "g" {
			inX = e.attrs["class"] == "xlabels"
		}
		if inX && e.name == "text" {
			kept = append(kept, e.text)
		}
	}
	if len(kept) < 2 {
		t.Fatalf("x labels %q", kept)
	}
	// Every kept label is a whole number of years from the first.
	for _, l := range kept {
		if n, _ := strconv.Atoi(strings.TrimPrefix(l, "M")); n%12 != 0 {
			t.Errorf("label %s is not a multiple of 12 months from the first (kept %q)", l, kept)
		}
	}
}
