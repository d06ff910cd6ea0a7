module github.com/ternhq/tern/framework/interop

go 1.26

require github.com/ternhq/tern/framework v0.0.0

require github.com/cloudwego/kitex v0.16.3 // indirect

replace github.com/ternhq/tern/framework => ../
