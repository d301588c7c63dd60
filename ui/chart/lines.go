package chart

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// LineSeries is one line of Lines: one value per label, drawn in Class.
type LineSeries struct {
	// Name is the legend text and the line's tooltip ("Today's income");
	// a series without one has no legend entry.
	Name string
	// Class is the CSS class of its line, dots and legend swatch; default
	// "line-N" (N from 1), which app.css colours and dashes apart.
	Class string
	// Values has one value per label, from the first; a shorter series
	// stops where its values do, and extra values are ignored.
	Values []decimal.Decimal
}

// Lines draws several lines over the same labels, evenly spaced left to
// right, with a legend above the plot that wraps onto more rows when the
// names do not fit on one. Lines are not shaded (they would hide each
// other); with few labels each point has a dot with a tooltip. The y axis
// always includes zero. Without labels or series it returns the Empty
// text instead; all-zero data lies on the baseline.
func Lines(series []LineSeries, labels []string, opts Options) template.HTML {
	opts = opts.withDefaults()
	if len(labels) == 0 || len(series) == 0 {
		return empty(opts)
	}
	n := len(labels)
	series = slices.Clone(series) // classes get defaults; the caller's slice stays as it was
	var all []decimal.Decimal
	var legend []legendItem
	var names []string
	for k, s := range series {
		if len(s.Values) > n {
			series[k].Values = s.Values[:n]
		}
		series[k].Class = lineClass(s.Class, k)
		all = append(all, series[k].Values...)
		if s.Name != "" {
			legend = append(legend, legendItem{name: s.Name, class: series[k].Class})
			names = append(names, s.Name)
		}
	}
	if opts.Desc == "" {
		opts.Desc = fmt.Sprintf("Line chart of %s for %s.", orDefault(strings.Join(names, ", "), "values"), span(labels))
	}
	f := newFrame(opts, all, legend != nil)
	pos, rows := f.legendLayout(legend)
	if rows > 1 {
		extra := float64(rows-1) * legendHeight
		f.top += extra
		f.plotH = max(f.plotH-extra, 1)
	}
	var b strings.Builder
	f.open(&b, opts, "lines")
	if len(legend) > 0 {
		b.WriteString(`<g class="legend">`)
		for i, it := range legend {
			cls, x, y := esc(it.class), pos[i][0], pos[i][1]
			fmt.Fprintf(&b, `<line class="swatch %s" x1="%s" y1="%s" x2="%s" y2="%s"/>`, cls, num(x), num(y+5), num(x+14), num(y+5))
			fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`, num(x+18), num(y+10), esc(it.name))
		}
		b.WriteString(`</g>`)
	}
	f.drawGrid(&b)
	step := f.plotW / float64(n)
	x := func(i int) float64 { return f.left + (float64(i)+0.5)*step }
	for _, s := range series {
		if len(s.Values) == 0 {
			continue
		}
		cls := esc(s.Class)
		fmt.Fprintf(&b, `<g class="series %s">`, cls)
		var path strings.Builder
		for i, v := range s.Values {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%s %s ", cmd, num(x(i)), num(f.y(v)))
		}
		fmt.Fprintf(&b, `<path class="line %s" d="%s">`, cls, strings.TrimSpace(path.String()))
		if s.Name != "" {
			fmt.Fprintf(&b, `<title>%s</title>`, esc(s.Name))
		}
		b.WriteString(`</path>`)
		if n <= maxDots {
			for i, v := range s.Values {
				fmt.Fprintf(&b, `<circle class="dot %s" cx="%s" cy="%s" r="3.5"><title>%s</title></circle>`,
					cls, num(x(i)), num(f.y(v)), esc(tooltip(s.Name, labels[i], opts.Format(v))))
			}
		}
		b.WriteString(`</g>`)
	}
	f.drawXLabels(&b, labels, x)
	f.drawAxis(&b)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// legendLayout places legend items (a line swatch and a name each) left
// to right from the plot's left edge, starting a new row when the next
// one would run past the right edge. It returns each item's top-left
// corner and the number of rows.
func (f *frame) legendLayout(items []legendItem) (pos [][2]float64, rows int) {
	if len(items) == 0 {
		return nil, 0
	}
	rows = 1
	x, y := f.left, padTop+6.0
	right := f.width - padRight
	for _, it := range items {
		w := 18 + float64(utf8.RuneCountInString(it.name))*charW
		if x > f.left && x+w > right {
			x, y = f.left, y+legendHeight
			rows++
		}
		pos = append(pos, [2]float64{x, y})
		x += w + 16
	}
	return pos, rows
}

// lineClass is the cleaned class list of the k-th line, "line-N" when
// none is given.
func lineClass(cls string, k int) string {
	if c := cleanClass(cls); c != "" {
		return c
	}
	return "line-" + strconv.Itoa(k+1)
}
