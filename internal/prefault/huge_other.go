//go:build !linux

package prefault

// withHugePages runs touch: huge pages are asked for on Linux only.
func withHugePages(b []byte, touch func()) { touch() }
