package grpc_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/ternhq/tern/framework/transport/grpc"
)

// upper answers every message of a bidirectional stream with its upper-case form.
func upper(ctx context.Context, ss *grpc.ServerStream) error {
	for {
		b, err := ss.RecvMsg()
		if err == io.EOF {
			return nil // status OK
		}
		if err != nil {
			return err
		}
		if err := ss.SendMsg([]byte(strings.ToUpper(string(b)))); err != nil {
			return err
		}
	}
}

func ExampleClientConn_NewStream() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	srv := grpc.NewServer(grpc.MethodMap{"/demo.Text/Upper": grpc.StreamFunc(upper)}, grpc.DefaultConfig())
	go func() {
		if nc, err := ln.Accept(); err == nil {
			_ = srv.ServeConn(nc)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cc, err := grpc.Dial(ctx, "tcp", ln.Addr().String(), grpc.DefaultConfig())
	if err != nil {
		panic(err)
	}
	defer cc.Close()
	cs, err := cc.NewStream(ctx, "/demo.Text/Upper", nil)
	if err != nil {
		panic(err)
	}
	for _, word := range []string{"tern", "streams"} {
		if err := cs.SendMsg([]byte(word)); err != nil {
			panic(err)
		}
		b, err := cs.RecvMsg()
		if err != nil {
			panic(err)
		}
		fmt.Println(string(b))
	}
	_ = cs.CloseSend()
	_, err = cs.RecvMsg()
	fmt.Println(err == io.EOF)
	// Output:
	// TERN
	// STREAMS
	// true
}
