package kitexpeer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
)

func Example() {
	srv, err := kitexpeer.NewServer("") // a Kitex server on a free 127.0.0.1 port
	if err != nil {
		panic(err)
	}
	defer srv.Stop()

	c, err := kitexpeer.NewClient(srv.Addr(), kitexpeer.TTHeader)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "acme")
	resp, err := c.Echo(ctx, map[string]any{"message": "hi", "meta_keys": []string{"tenant"}})
	fmt.Println(resp["message"], resp["meta"], err)

	_, err = c.Echo(ctx, map[string]any{"message": "hi", "fail": true})
	ee, _ := kitexpeer.AsEchoError(err)
	fmt.Println(ee.Code, ee.Message)
	// Output:
	// hi map[p.tenant:acme] <nil>
	// 7 failed: hi
}
