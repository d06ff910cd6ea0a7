package server

import "runtime"

// stack returns the current goroutine's stack, for panic logs.
func stack() []byte {
	buf := make([]byte, 16<<10)
	return buf[:runtime.Stack(buf, false)]
}
