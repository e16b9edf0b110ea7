package prefault

import (
	"syscall"
	"unsafe"
)

// Linux's madvise advice on transparent huge pages.
const (
	madvHugePage   = 14 // MADV_HUGEPAGE
	madvNoHugePage = 15 // MADV_NOHUGEPAGE
)

// hugePage is the size of a transparent huge page on amd64 and arm64.
const hugePage = 2 << 20

// hugeFrom is the size from which Slice asks for huge pages.
const hugeFrom = 2 * hugePage

// withHugePages runs touch, which writes into every page of b, with the
// whole huge pages inside b open to transparent huge pages, so that each
// write into an unmapped 2 MiB is one fault instead of 512 (on a system
// whose huge pages are "madvise", the usual setting, Go's heap gets none
// otherwise). After touch it closes them again (MADV_NOHUGEPAGE), so that
// when the collector later gives parts of that memory back to the kernel,
// the kernel's background collapsing does not fill them again; the huge
// pages already mapped stay. Any refusal (an old kernel, huge pages
// turned off) leaves the memory as it was, and touch runs all the same.
func withHugePages(b []byte, touch func()) {
	if len(b) < hugeFrom {
		touch()
		return
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := (base + hugePage - 1) &^ (hugePage - 1)
	end := (base + uintptr(len(b))) &^ (hugePage - 1)
	if end <= start {
		touch()
		return
	}
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvHugePage); e != 0 {
		touch()
		return
	}
	touch()
	syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvNoHugePage)
}
