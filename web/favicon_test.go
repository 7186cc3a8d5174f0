package web

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"testing"
)

// The icon is a well-formed ICO whose one entry is a 32×32 PNG.
func TestFavicon(t *testing.T) {
	b := Favicon()
	if len(b) < 22 || binary.LittleEndian.Uint16(b[2:]) != 1 || binary.LittleEndian.Uint16(b[4:]) != 1 {
		t.Fatalf("not an ICO with one image: % x", b[:min(len(b), 22)])
	}
	size, offset := binary.LittleEndian.Uint32(b[14:]), binary.LittleEndian.Uint32(b[18:])
	if int(offset+size) != len(b) {
		t.Fatalf("entry at %d of %d bytes, file %d bytes", offset, size, len(b))
	}
	img, err := png.Decode(bytes.NewReader(b[offset:]))
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Fatalf("entry is not a 32×32 PNG: %v %v", err, img)
	}
}
