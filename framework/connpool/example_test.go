package connpool_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

func ExampleNewLongPool() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0") // a tiny echo server to talk to
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()

	pool := connpool.NewLongPool(tnetpoll.Dial, connpool.DefaultLongPoolConfig())
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	for i := range 3 {
		conn, err := pool.Get(ctx, "tcp", ln.Addr().String(), time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		_, _ = conn.WriteBinary([]byte("ping"))
		if err := conn.Flush(); err != nil {
			_ = pool.Discard(conn) // broken: never reuse it
			continue
		}
		reply, err := conn.Next(4)
		if err != nil {
			_ = pool.Discard(conn)
			continue
		}
		fmt.Println(i, string(reply))
		_ = conn.Release()
		_ = pool.Put(conn) // healthy: keep it for the next call
	}
	st := pool.Stats()
	fmt.Println("dials:", st.Dials, "reuses:", st.Reuses)
	// Output:
	// 0 ping
	// 1 ping
	// 2 ping
	// dials: 1 reuses: 2
}
