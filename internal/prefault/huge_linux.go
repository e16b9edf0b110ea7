//go:build linux && (amd64 || arm64)

package prefault

import (
	"bytes"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on amd64 and arm64.
const hugePage = 2 << 20

// hugeFrom is the size from which Slice asks for huge pages.
const hugeFrom = 2 * hugePage

// thpOnRequest reports whether the system gives transparent huge pages
// only to memory that asks for them ("madvise", the usual setting). Only
// then is there anything to ask: under "always" Go's heap has them
// already, and the MADV_NOHUGEPAGE that closes them again afterwards
// would bar that memory from them for good.
var thpOnRequest = sync.OnceValue(func() bool {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && bytes.Contains(b, []byte("[madvise]"))
})

// withHugePages runs touch, which writes into every page of b, with the
// whole huge pages inside b open to transparent huge pages, so that each
// write into an unmapped 2 MiB is one fault instead of 512. After touch it
// closes them again (MADV_NOHUGEPAGE), so that when the collector later
// gives parts of that memory back to the kernel, the kernel's background
// collapsing does not fill them again; the huge pages already mapped stay.
// On a system that is not "madvise", or on any refusal, touch runs on the
// memory as it was.
func withHugePages(b []byte, touch func()) {
	if len(b) < hugeFrom || !thpOnRequest() {
		touch()
		return
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := (base+hugePage-1)&^(hugePage-1) - base
	end := (base+uintptr(len(b)))&^(hugePage-1) - base
	if end <= start {
		touch()
		return
	}
	huge := b[start:end]
	if syscall.Madvise(huge, syscall.MADV_HUGEPAGE) != nil {
		touch()
		return
	}
	touch()
	syscall.Madvise(huge, syscall.MADV_NOHUGEPAGE)
}
