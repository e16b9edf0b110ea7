package prefault

import (
	"testing"
	"time"
)

type line struct {
	Name  string
	At    time.Time
	Count int64
}

// Slice changes no value and keeps the length.
func TestSliceChangesNothing(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000, 100_000, 300_001} {
		s := Slice(make([]line, n/2, n))
		if len(s) != n/2 || cap(s) != n {
			t.Fatalf("%d: len %d cap %d", n, len(s), cap(s))
		}
		for i, v := range s[:cap(s)] {
			if v != (line{}) {
				t.Fatalf("%d: element %d is %+v", n, i, v)
			}
		}
	}
	if s := Slice([]line(nil)); s != nil {
		t.Fatal("nil slice")
	}
}

// withHugePages writes through touch exactly once, whether or not the
// memory can have huge pages: too small, too short to hold a whole
// huge page once aligned, or large.
func TestWithHugePagesTouchesOnce(t *testing.T) {
	for _, n := range []int{0, 4096, 4<<20 - 1, 4 << 20, 64<<20 + 4097} {
		b := make([]byte, n)
		calls := 0
		withHugePages(b, func() {
			calls++
			for i := 0; i < len(b); i += page {
				b[i] = 1
			}
		})
		if calls != 1 {
			t.Fatalf("%d bytes: touch ran %d times", n, calls)
		}
		for i := 0; i < len(b); i += page {
			if b[i] != 1 {
				t.Fatalf("%d bytes: byte %d is %d after touch", n, i, b[i])
			}
		}
	}
}
