package kitexpeer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
)

func ExampleNewPBServer() {
	srv, err := kitexpeer.NewPBServer("") // Kitex Protobuf and gRPC on one free 127.0.0.1 port
	if err != nil {
		panic(err)
	}
	defer srv.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, v := range []kitexpeer.PBVariant{kitexpeer.PBTTHeader, kitexpeer.PBFramed, kitexpeer.PBGRPC} {
		c, err := kitexpeer.NewPBClient(srv.Addr(), v, nil)
		if err != nil {
			panic(err)
		}
		resp, err := c.Echo(ctx, &echopb.Request{Message: "hi " + v.String()})
		fmt.Println(resp.GetMessage(), err)
		c.Close()
	}

	c, err := kitexpeer.NewPBClient(srv.Addr(), kitexpeer.PBGRPC, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	st, err := c.Stream(ctx, "ServerStream")
	if err != nil {
		panic(err)
	}
	_ = st.SendMsg(&echopb.Request{Message: "s", Count: 2})
	_ = st.Close()
	for {
		resp := new(echopb.Response)
		if err := st.RecvMsg(resp); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			panic(err)
		}
		fmt.Println(resp.GetMessage(), resp.GetIndex())
	}
	// Output:
	// hi ttheader_framed <nil>
	// hi framed <nil>
	// hi grpc <nil>
	// s 0
	// s 1
}
