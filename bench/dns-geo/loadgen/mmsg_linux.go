package main

import (
	"syscall"
	"unsafe"
)

// mmsghdr is struct mmsghdr on 64-bit Linux: a msghdr and the byte count the kernel fills in.
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
	_   [4]byte
}

// batch is a fixed set of message headers, each pointing at its own buffer.
type batch struct {
	hdrs []mmsghdr
	iovs []syscall.Iovec
	bufs [][]byte
}

func newBatch(n, size int) *batch {
	b := &batch{hdrs: make([]mmsghdr, n), iovs: make([]syscall.Iovec, n), bufs: make([][]byte, n)}
	for i := range b.hdrs {
		b.bufs[i] = make([]byte, size)
		b.iovs[i].Base = &b.bufs[i][0]
		b.iovs[i].SetLen(size)
		b.hdrs[i].hdr.Iov = &b.iovs[i]
		b.hdrs[i].hdr.Iovlen = 1
	}
	return b
}

// mmsg calls sendmmsg or recvmmsg on a connected, non-blocking socket.
func mmsg(trap uintptr, fd uintptr, b *batch, n int) (int, syscall.Errno) {
	r, _, e := syscall.Syscall6(trap, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(n), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), 0
}
