typedef list<i32> Ints
struct S {
    1: i32 a
    2: map<Ints, string> m
}
