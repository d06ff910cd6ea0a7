service P {
    void f()
}

service S extends P {
    void g()
    void f()
}
