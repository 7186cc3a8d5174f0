package web

import (
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// qrQuiet is the margin of light modules a QR code needs around it to be read.
const qrQuiet = 4

// QRCode draws text as a QR code in SVG, dark modules on a light ground, with medium error
// correction (a slip may be creased or smudged). label names it for screen readers.
func QRCode(text, label string) (template.HTML, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", fmt.Errorf("web: unable to encode a QR code: %w", err)
	}
	var m matrixWriter
	if err := qr.Save(&m); err != nil {
		return "", err
	}
	n := len(m.bitmap) + 2*qrQuiet
	var path strings.Builder
	for y, row := range m.bitmap {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x+qrQuiet, y+qrQuiet, run, run)
			x += run
		}
	}
	return template.HTML(fmt.Sprintf(`<svg class="qr" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"></rect><path fill="#000" d="%s"></path></svg>`,
		n, n, template.HTMLEscapeString(label), n, n, path.String())), nil
}

// matrixWriter receives the library's module matrix, so that the SVG is drawn here without
// the library's image writers (and their dependencies).
type matrixWriter struct {
	bitmap [][]bool
}

func (w *matrixWriter) Write(mat qrcode.Matrix) error {
	w.bitmap = mat.Bitmap()
	return nil
}

func (w *matrixWriter) Close() error { return nil }
