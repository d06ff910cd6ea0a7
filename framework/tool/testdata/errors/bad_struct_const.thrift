struct A {
    1: i32 x
}
const A C = {"y": 1}
