package client_test

import "github.com/ternhq/tern/framework/connpool"

func connpoolDefault() connpool.LongPoolConfig { return connpool.DefaultLongPoolConfig() }
