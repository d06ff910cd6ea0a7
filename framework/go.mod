module github.com/ternhq/tern/framework

go 1.26

require (
	github.com/cloudwego/netpoll v0.7.2
	github.com/cloudwego/thriftgo v0.4.5
)

require (
	github.com/bytedance/gopkg v0.1.4 // indirect
	github.com/cloudwego/gopkg v0.2.0 // indirect
)
