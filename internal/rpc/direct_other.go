//go:build !linux

package rpc

// directWrites: elsewhere DirectListener leaves connections as they are, so every frame
// goes through the write pump. A direct write needs a raw write(2) on the socket, which
// direct_linux.go makes; Windows sockets take no write(2), and the other systems are not
// measured.
const directWrites = false

func (c *directConn) writeRaw(uintptr) bool {
	c.n = -1 // never called: DirectListener makes no directConn here
	return true
}
