package keycmd

import "time"

// DelayRead makes the hidden read start d after the prompt (the terminal tests' helper).
func DelayRead(d time.Duration) { beforeRead = func() { time.Sleep(d) } }
