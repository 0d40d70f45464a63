package rpc

import (
	"context"
	"sync/atomic"
	"testing"
)

// BenchmarkNotify measures one-way throughput: client notifications handled
// by the server, including delivery of the last one.
func BenchmarkNotify(b *testing.B) {
	var handled, want atomic.Int64
	want.Store(int64(b.N))
	all := make(chan struct{})
	srv := newServer(b, Options{Handler: func(ctx context.Context, req *Request) {
		if handled.Add(1) == want.Load() {
			close(all)
		}
	}})
	// Notify never blocks, so the queue must hold the whole burst.
	client, _ := dial(b, srv, Options{SendQueue: b.N + 16})
	params := map[string]any{"seq": 1, "kind": "output", "text": "some streamed agent output", "stream": "assistant"}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := client.Notify("Client.event", params); err != nil {
			b.Fatal(err)
		}
	}
	<-all
}

// BenchmarkCall measures a sequential round trip.
func BenchmarkCall(b *testing.B) {
	srv := newServer(b, Options{Handler: echoHandler})
	client, _ := dial(b, srv, Options{})
	params := map[string]string{"text": "please add a test for the parser"}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var out map[string]string
		if err := client.Call(context.Background(), "echo", params, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode measures the inbound decoder on a typical prompt request.
func BenchmarkDecode(b *testing.B) {
	data := []byte(`{"jsonrpc":"2.0","id":42,"method":"Party.prompt","params":{"text":"please add a test for the invite parser and run it"}}`)
	b.ReportAllocs()
	for range b.N {
		if m := decode(data); m.kind != kindRequest {
			b.Fatal(m.fault)
		}
	}
}
