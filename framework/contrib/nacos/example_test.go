package nacos_test

import (
	"fmt"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/contrib/nacos"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/server"
)

func Example() {
	// Reads serverAddr, serverPort and namespace like registry-nacos does.
	cli, err := nacos.NewNamingClient(nacos.ConfigFromEnv())
	if err != nil {
		fmt.Println(err)
		return
	}

	// A server registers under the name Kitex clients resolve ("echo"), not its IDL service name.
	_ = server.NewServer(
		server.WithRegistry(nacos.NewRegistry(cli)),
		server.WithRegistryInfo(registry.Info{ServiceName: "echo"}),
	)

	// A client finds Tern and Kitex servers of "echo" alike.
	_ = client.WithResolver(nacos.NewResolver(cli))
}
