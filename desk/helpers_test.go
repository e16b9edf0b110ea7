package desk_test

import "github.com/amends/amends/sla"

func i64(v int64) *int64 { return &v }

func P(s string) sla.Percent { return sla.MustPercent(s) }
