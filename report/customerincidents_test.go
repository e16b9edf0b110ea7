package report

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amends/amends/desk"
)

// mostAlive is the most of aliveCount at the instants given, for entries
// with and without a From and a To, instants before, between, on and
// after their bounds.
func TestMostAliveIsTheMostOfAliveCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	base := time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC)
	hour := func(h int) *time.Time { t := base.Add(time.Duration(h) * time.Hour); return &t }
	for round := range 500 {
		var list []desk.AccountResource
		for range rng.IntN(12) {
			r := desk.AccountResource{Component: "c", Count: rng.Int64N(5)}
			if rng.IntN(3) > 0 {
				r.From = hour(rng.IntN(20))
			}
			if rng.IntN(3) > 0 {
				from := 0
				if r.From != nil {
					from = int(r.From.Sub(base).Hours())
				}
				r.To = hour(from + 1 + rng.IntN(10))
			}
			list = append(list, r)
		}
		var at []time.Time
		for range rng.IntN(6) {
			at = append(at, *hour(rng.IntN(32) - 2))
		}
		var want int64
		for _, t := range at {
			want = max(want, aliveCount(list, t))
		}
		if got := mostAlive(list, at); got != want {
			t.Fatalf("round %d: mostAlive %d, aliveCount's most %d, of %+v at %v", round, got, want, list, at)
		}
	}
}
