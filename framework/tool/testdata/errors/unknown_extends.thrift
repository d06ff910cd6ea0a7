service S extends Nope {
    void f()
}
