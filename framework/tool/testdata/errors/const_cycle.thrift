const list<i32> A = [1]
const list<i32> X = Y
const list<i32> Y = X
