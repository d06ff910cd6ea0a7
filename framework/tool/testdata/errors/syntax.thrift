namespace go errs

struct A {
    1: i32 x
    2: string
}
