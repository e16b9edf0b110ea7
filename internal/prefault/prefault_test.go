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
