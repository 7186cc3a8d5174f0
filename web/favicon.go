package web

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"sync"
)

// Favicon is the site's icon as /favicon.ico: a ballot's three bars (for, against, abstain) on
// the brand's blue, drawn here rather than kept as a binary file. Browsers ask for it on every
// site whether a page links it or not.
var Favicon = sync.OnceValue(func() []byte {
	const size = 32
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	brand := color.NRGBA{0x0b, 0x5a, 0x8f, 0xff}
	bars := []struct {
		y, w int
		c    color.NRGBA
	}{
		{8, 20, color.NRGBA{0xff, 0xff, 0xff, 0xff}},
		{14, 14, color.NRGBA{0xc8, 0xe6, 0xd2, 0xff}},
		{20, 8, color.NRGBA{0xd5, 0xda, 0xe1, 0xff}},
	}
	for y := range size {
		for x := range size {
			if inRoundedSquare(x, y, size, 6) {
				img.Set(x, y, brand)
			}
		}
	}
	for _, b := range bars {
		for y := b.y; y < b.y+4; y++ {
			for x := 6; x < 6+b.w; x++ {
				img.Set(x, y, b.c)
			}
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return ico(pngData.Bytes(), size)
})

// inRoundedSquare reports whether pixel (x, y) lies inside a size×size square with corners of
// radius r.
func inRoundedSquare(x, y, size, r int) bool {
	cx := min(max(x, r), size-1-r)
	cy := min(max(y, r), size-1-r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r*r
}

// ico wraps one PNG image in the ICO container (a PNG entry, as every current browser reads).
func ico(pngData []byte, size int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	_ = binary.Write(&b, le, [3]uint16{0, 1, 1})  // reserved, type icon, one image
	b.Write([]byte{byte(size), byte(size), 0, 0}) // width, height, no palette, reserved
	_ = binary.Write(&b, le, [2]uint16{1, 32})    // colour planes, bits per pixel
	_ = binary.Write(&b, le, [2]uint32{uint32(len(pngData)), 6 + 16})
	b.Write(pngData)
	return b.Bytes()
}
