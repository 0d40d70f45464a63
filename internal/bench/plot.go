package bench

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Plot draws p99 delivery latency against participants, both axes logarithmic: one line
// per system and rate (Concordia solid, the real program solid and paler, the relay dashed;
// a colour per rate).
func (r *Report) Plot() ([]byte, error) {
	const W, H = 960, 600
	const left, right, top, bottom = 90, 250, 50, 70
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	type series struct {
		label  string
		col    color.RGBA
		dashed bool
		pts    [][2]float64 // participants, p99 ms
	}
	palette := []color.RGBA{{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {148, 103, 189, 255}}
	var all []series
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for ri, rate := range r.Opts.Rates {
		for _, sys := range r.Opts.Systems {
			s := series{label: fmt.Sprintf("%s, %d/s", sys, rate), col: palette[ri%len(palette)], dashed: !speaksProtocol(sys)}
			switch {
			case sys == SystemBinaryB:
				s.col = darker(s.col) // the second build: the rate's colour, deeper
			case agentProcess(sys):
				s.col = lighter(s.col) // fed by fakeclaude: the rate's colour, paler
			}
			for _, n := range r.Opts.Participants {
				row, ok := r.find(Scenario{System: sys, Participants: n, Rate: rate})
				if !ok || row.P99 <= 0 {
					continue
				}
				s.pts = append(s.pts, [2]float64{float64(n), row.P99})
				xmin, xmax = math.Min(xmin, float64(n)), math.Max(xmax, float64(n))
				ymin, ymax = math.Min(ymin, row.P99), math.Max(ymax, row.P99)
			}
			if len(s.pts) > 0 {
				all = append(all, s)
			}
		}
	}
	if len(all) == 0 {
		return nil, errors.New("no latency figures to plot")
	}
	// Decades around the data.
	lx0, lx1 := math.Floor(math.Log10(xmin)), math.Ceil(math.Log10(xmax))
	ly0, ly1 := math.Floor(math.Log10(ymin)), math.Ceil(math.Log10(ymax))
	if lx1 == lx0 {
		lx1++
	}
	if ly1 == ly0 {
		ly1++
	}
	pw, ph := float64(W-left-right), float64(H-top-bottom)
	px := func(x float64) float64 { return left + (math.Log10(x)-lx0)/(lx1-lx0)*pw }
	py := func(y float64) float64 { return top + ph - (math.Log10(y)-ly0)/(ly1-ly0)*ph }

	grid := color.RGBA{225, 225, 225, 255}
	ink := color.RGBA{40, 40, 40, 255}
	for d := lx0; d <= lx1; d++ {
		for m := 1.0; m < 10 && d+math.Log10(m) <= lx1; m++ {
			x := px(m * math.Pow(10, d))
			line(img, x, top, x, top+ph, grid, 1, false)
		}
		label(img, int(px(math.Pow(10, d)))-len(num(math.Pow(10, d)))*7/2, top+int(ph)+18, num(math.Pow(10, d)), ink)
	}
	for d := ly0; d <= ly1; d++ {
		for m := 1.0; m < 10 && d+math.Log10(m) <= ly1; m++ {
			y := py(m * math.Pow(10, d))
			line(img, left, y, left+pw, y, grid, 1, false)
		}
		s := num(math.Pow(10, d))
		label(img, left-8-len(s)*7, int(py(math.Pow(10, d)))+4, s, ink)
	}
	line(img, left, top, left, top+ph, ink, 1, false)
	line(img, left, top+ph, left+pw, top+ph, ink, 1, false)
	label(img, left, 28, fmt.Sprintf("p99 delivery latency (ms, log) against participants (log); %d deltas per run, medians of %d runs", r.Opts.Deltas, r.Opts.Reps), ink)
	label(img, left+int(pw)/2-50, H-22, "participants", ink)
	label(img, 12, top-12, "p99 ms", ink)

	for i, s := range all {
		for j := 1; j < len(s.pts); j++ {
			a, b := s.pts[j-1], s.pts[j]
			line(img, px(a[0]), py(a[1]), px(b[0]), py(b[1]), s.col, 2, s.dashed)
		}
		for _, p := range s.pts {
			dot(img, px(p[0]), py(p[1]), s.col)
		}
		ly := top + 20 + i*22
		lx := float64(W - right + 20)
		line(img, lx, float64(ly-4), lx+36, float64(ly-4), s.col, 2, s.dashed)
		label(img, int(lx)+44, ly, s.label, ink)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// lighter mixes c half with white.
func lighter(c color.RGBA) color.RGBA {
	mix := func(v uint8) uint8 { return uint8((int(v) + 255) / 2) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 255}
}

// darker mixes c half with black.
func darker(c color.RGBA) color.RGBA {
	return color.RGBA{c.R / 2, c.G / 2, c.B / 2, 255}
}

// num writes an axis value: 0.01, 0.1, 1, 10, 100, 1000.
func num(v float64) string {
	if v >= 1 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}

func label(img draw.Image, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// line draws from (x0,y0) to (x1,y1), width px wide, dashed in 8-pixel steps if asked.
func line(img *image.RGBA, x0, y0, x1, y1 float64, c color.RGBA, width int, dashed bool) {
	n := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0))) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		if dashed {
			walked := t * math.Hypot(x1-x0, y1-y0)
			if int(walked/8)%2 == 1 {
				continue
			}
		}
		x, y := x0+t*(x1-x0), y0+t*(y1-y0)
		for dx := 0; dx < width; dx++ {
			for dy := 0; dy < width; dy++ {
				img.SetRGBA(int(math.Round(x))+dx-width/2, int(math.Round(y))+dy-width/2, c)
			}
		}
	}
}

func dot(img *image.RGBA, x, y float64, c color.RGBA) {
	for dx := -3; dx <= 3; dx++ {
		for dy := -3; dy <= 3; dy++ {
			if dx*dx+dy*dy <= 10 {
				img.SetRGBA(int(math.Round(x))+dx, int(math.Round(y))+dy, c)
			}
		}
	}
}
