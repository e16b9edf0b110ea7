package sla

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/amends/amends/internal/errs"
)

// idIndex finds a customer by id. It is an open-addressing table of
// customer indexes tagged with their hash: for a million customers it is
// several times smaller and faster to build than a map[string]int32.
type idIndex struct {
	seed  maphash.Seed
	slots []uint64 // hash tag << 32 | (index + 1); 0 is empty
	mask  uint64
	ids   []Customer
}

func newIDIndex(cs []Customer) *idIndex {
	n := uint64(16)
	for n < 2*uint64(len(cs)) {
		n *= 2
	}
	return &idIndex{seed: maphash.MakeSeed(), slots: make([]uint64, n), mask: n - 1, ids: cs}
}

// buildIDIndex indexes the customers by id in parallel. On a missing or
// repeated id it rebuilds the index in order, to report the first problem
// exactly as a sequential check would.
func buildIDIndex(cs []Customer) (*idIndex, error) {
	if len(cs) > math.MaxInt32/4 {
		return nil, errs.Invalidf("customers", "more than %d customers", math.MaxInt32/4)
	}
	x := newIDIndex(cs)
	var bad atomic.Bool
	inChunks(len(cs), func() func(int) error {
		return func(i int) error {
			if cs[i].ID == "" || !x.addConcurrent(int32(i)) {
				bad.Store(true)
				return errStop
			}
			return nil
		}
	})
	if !bad.Load() {
		return x, nil
	}
	x = newIDIndex(cs)
	for i := range cs {
		if cs[i].ID == "" {
			return nil, errs.Invalidf(fmt.Sprintf("customers[%d].id", i), "is required")
		}
		if j, ok := x.add(int32(i)); !ok {
			return nil, errs.Invalidf(fmt.Sprintf("customers[%d].id", i), "%q is already the id of customers[%d]", cs[i].ID, j)
		}
	}
	return x, nil
}

var errStop = errors.New("stop")

// addConcurrent records customer i, safely alongside other goroutines
// doing the same; false means another customer has the same id.
func (x *idIndex) addConcurrent(i int32) bool {
	id := x.ids[i].ID
	h := maphash.String(x.seed, id)
	tag := h >> 32
	mine := tag<<32 | uint64(i+1)
	for p := h & x.mask; ; p = (p + 1) & x.mask {
		s := atomic.LoadUint64(&x.slots[p])
		if s == 0 {
			if atomic.CompareAndSwapUint64(&x.slots[p], 0, mine) {
				return true
			}
			s = atomic.LoadUint64(&x.slots[p])
		}
		if s>>32 == tag && x.ids[int32(s)-1].ID == id {
			return false
		}
	}
}

// add records customer i, or returns the index of an earlier customer with
// the same id.
func (x *idIndex) add(i int32) (dup int32, ok bool) {
	id := x.ids[i].ID
	h := maphash.String(x.seed, id)
	tag := h >> 32
	for p := h & x.mask; ; p = (p + 1) & x.mask {
		s := x.slots[p]
		if s == 0 {
			x.slots[p] = tag<<32 | uint64(i+1)
			return 0, true
		}
		if s>>32 == tag && x.ids[int32(s)-1].ID == id {
			return int32(s) - 1, false
		}
	}
}

// find returns the index of the customer with id, or -1.
func (x *idIndex) find(id string) int32 {
	h := maphash.String(x.seed, id)
	tag := h >> 32
	for p := h & x.mask; ; p = (p + 1) & x.mask {
		s := x.slots[p]
		if s == 0 {
			return -1
		}
		if s>>32 == tag && x.ids[int32(s)-1].ID == id {
			return int32(s) - 1
		}
	}
}

// inChunks calls the function that start returns, once per goroutine (up to
// GOMAXPROCS), for every i in [0, n), and returns the error of the lowest i
// that failed (a goroutine stops at its first error).
func inChunks(n int, start func() func(i int) error) error {
	const chunk = 256
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk)
	if workers <= 1 {
		f := start()
		for i := range n {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	errAt := n
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := start()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					if err := f(i); err != nil {
						mu.Lock()
						if i < errAt {
							firstErr, errAt = err, i
						}
						mu.Unlock()
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
