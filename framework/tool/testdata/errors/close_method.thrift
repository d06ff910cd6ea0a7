service S {
    void Close()
}
