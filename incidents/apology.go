package incidents

import (
	"strings"
)

// Apology returns the apology of an explanation's Markdown body: the text
// under its "Our apology" heading (HeadingApology, at any level) up to the
// next heading, trimmed; "" when it has none, or when it still holds only
// the draft's guiding sentence.
func Apology(body string) string {
	var out []string
	in := false
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			if in {
				break
			}
			in = strings.EqualFold(strings.TrimSpace(strings.TrimLeft(t, "#")), HeadingApology)
			continue
		}
		if in {
			out = append(out, line)
		}
	}
	s := strings.TrimSpace(strings.Join(out, "\n"))
	if s == GuideApology {
		return ""
	}
	return s
}
