struct A {
    1: i32 x
    2: string y
    1: string z
}
