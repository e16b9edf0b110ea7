// Package prefault writes to the memory of a freshly made slice before
// anything reads it.
//
// A large slice of values that hold pointers, made and then filled over
// a while, is often scanned by the garbage collector before it is
// filled: the collector's read maps the untouched pages to the kernel's
// shared zero page, and the later write must then replace each page and
// tell every other core to forget the old mapping. On the 2-core virtual
// machines Amends is measured on, that costs more than the filling does
// (the credit run of docs/performance.md). A page written first is simply
// given to the process.
package prefault

import (
	"runtime"
	"sync"
	"unsafe"
)

// page is the smallest page size of the systems Amends runs on.
const page = 4096

// Slice writes a zero byte into every page of the backing array of s, up
// to its capacity, and returns s. It must be given a slice just made
// (every element the zero value, shared with nothing): the bytes it
// writes are zero already, so no value changes.
func Slice[T any](s []T) []T {
	full := s[:cap(s)]
	if len(full) == 0 {
		return s
	}
	n := len(full) * int(unsafe.Sizeof(full[0]))
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(full))), n)
	// A page fault costs tens of microseconds on those machines: the pages
	// of a large array are shared out to every core, and asked for as
	// huge pages where the array spans them.
	withHugePages(b, func() {
		workers := min(runtime.GOMAXPROCS(0), n/parallelFrom+1)
		per := (n/page + workers - 1) / workers * page
		var wg sync.WaitGroup
		for w := range workers {
			part := b[min(n, w*per):min(n, (w+1)*per)]
			touch := func() {
				for i := 0; i < len(part); i += page {
					part[i] = 0
				}
			}
			if w == workers-1 {
				touch()
			} else {
				wg.Go(touch)
			}
		}
		wg.Wait()
	})
	b[n-1] = 0
	return s
}

// parallelFrom is the size from which Slice writes on more than one core.
const parallelFrom = 4 << 20
