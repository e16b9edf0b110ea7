package sla_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/amends/amends/sla"
)

// Benchmarks run only with -bench; see docs/sla.md for the commands and the
// figures measured. Each reports ns per customer (wall clock), cpu-ns per
// customer (CPU time of the whole process, garbage collection included, on
// all cores: steadier than wall time on a shared machine) and memory:
// alloc-MiB/op is what one run allocates, peak-heap-MiB the largest heap
// seen (scenario included), sys-MiB what the process got from the OS.

// generated keeps the last generated scenario, so that -count reuses it but
// a large one does not stay in memory during the other benchmarks.
var generated struct {
	n int
	s *sla.Scenario
}

func generatedScenario(n int) *sla.Scenario {
	if generated.n != n {
		generated.s = nil
		runtime.GC()
		generated.n, generated.s = n, sla.Generate(sla.GenerateOptions{Customers: n, Incidents: 200, Seed: 1})
	}
	return generated.s
}

// peakHeap samples the heap (live and not yet swept objects) every 2 ms
// until stop is closed, through runtime/metrics, which does not stop the world.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

func reportPerCustomer(b *testing.B, n int, cpu0 time.Duration) {
	per := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/customer")
	if cpu := cpuTime(); cpu > 0 {
		b.ReportMetric(float64((cpu-cpu0).Nanoseconds())/per, "cpu-ns/customer")
	}
}

func reportMemory(b *testing.B, before runtime.MemStats, peak uint64) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	const mib = 1 << 20
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/mib, "alloc-MiB/op")
	b.ReportMetric(float64(peak)/mib, "peak-heap-MiB")
	b.ReportMetric(float64(after.Sys)/mib, "sys-MiB")
}

// BenchmarkEvaluate evaluates a generated month: 3 services, 1 to 5 resource
// entries per customer, 200 incidents.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			s := generatedScenario(n)
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			stop := make(chan struct{})
			peak := peakHeap(stop)
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				if _, err := sla.Evaluate(s); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportPerCustomer(b, n, cpu0)
			close(stop)
			reportMemory(b, before, <-peak)
		})
	}
}

// BenchmarkEndToEnd is what "amends sla evaluate FILE" does, in memory:
// decode the JSON scenario, evaluate it, encode the result.
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range []int{100_000} {
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			generated.n, generated.s = 0, nil
			var in bytes.Buffer
			if err := sla.EncodeScenario(&in, sla.Generate(sla.GenerateOptions{Customers: n, Incidents: 200, Seed: 1})); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(in.Len()))
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			stop := make(chan struct{})
			peak := peakHeap(stop)
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				s, err := sla.DecodeScenario(bytes.NewReader(in.Bytes()))
				if err != nil {
					b.Fatal(err)
				}
				res, err := sla.Evaluate(s)
				if err != nil {
					b.Fatal(err)
				}
				if err := res.WriteJSON(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportPerCustomer(b, n, cpu0)
			close(stop)
			reportMemory(b, before, <-peak)
		})
	}
}

// TestGenerateEvaluates keeps the generator honest at a trivial size.
func TestGenerateEvaluates(t *testing.T) {
	a := sla.Generate(sla.GenerateOptions{Customers: 60, Incidents: 60, Seed: 7})
	res := evaluate(t, a)
	if len(res.Customers) != 60 || len(res.Components) != 28 || len(res.Services) != 3 {
		t.Fatalf("%d customers, %d components, %d services", len(res.Customers), len(res.Components), len(res.Services))
	}
	var ja, jb bytes.Buffer
	sla.EncodeScenario(&ja, a)
	sla.EncodeScenario(&jb, sla.Generate(sla.GenerateOptions{Customers: 60, Incidents: 60, Seed: 7}))
	if !bytes.Equal(ja.Bytes(), jb.Bytes()) {
		t.Error("the same seed gave another scenario")
	}
	diff(t, "generated", exact(res), naive(t, a))
}

// BenchmarkValidate checks a generated month without evaluating it (what
// DecodeScenario adds to decoding).
func BenchmarkValidate(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			s := generatedScenario(n)
			b.ResetTimer()
			for b.Loop() {
				if err := s.Validate(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/customer")
		})
	}
}
