package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Lines written at once from many goroutines all come out whole by Close,
// however many they are.
func TestLogWriterKeepsEveryLineWhole(t *testing.T) {
	var out syncBuffer
	l := newLogWriter(&out, 1<<40) // only Close writes out, unless the buffer fills
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				fmt.Fprintf(l, "goroutine=%d line=%d %s\n", g, i, strings.Repeat("x", i%50))
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*2000 {
		t.Fatalf("%d lines, want %d", len(lines), 8*2000)
	}
	for _, line := range lines {
		var g, i int
		var xs string
		if n, _ := fmt.Sscanf(line, "goroutine=%d line=%d %s", &g, &i, &xs); n < 2 || (i%50 != 0 && len(xs) != i%50) {
			t.Fatalf("a broken line: %q", line)
		}
	}
}
