struct A {
    1: i32 x
}

union A {
    1: i32 y
}
