struct NotAnException {
    1: string s
}

service S {
    void f() throws (1: NotAnException e)
}
