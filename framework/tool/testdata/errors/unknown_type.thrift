namespace go errs

struct A {
    1: i32 x
    // a comment mentioning Missing
    2: list<map<string, Missing>> m
}
