module github.com/ternhq/tern/framework

go 1.26.0

require (
	github.com/bufbuild/protocompile v0.14.1
	github.com/cloudwego/netpoll v0.7.2
	github.com/cloudwego/thriftgo v0.4.5
	golang.org/x/net v0.62.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/bytedance/gopkg v0.1.4 // indirect
	github.com/cloudwego/gopkg v0.2.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
