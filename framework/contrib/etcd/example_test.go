package etcd_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/contrib/etcd"
	"github.com/ternhq/tern/framework/server"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func Example() {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:2379"}, DialTimeout: 5 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cli.Close()

	// A server registers while it serves and deregisters when it stops; if it dies, its key expires
	// with its lease.
	_ = server.NewServer(server.WithRegistry(etcd.NewRegistry(cli, etcd.WithTTL(10*time.Second))))

	// A client resolves through its discovery cache, which follows an etcd watch.
	_ = client.WithResolver(etcd.NewResolver(cli))

	// Or resolve directly.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res, err := etcd.NewResolver(cli).Resolve(ctx, "echo")
	fmt.Println(res.Instances, err)
}
