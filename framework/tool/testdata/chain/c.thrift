// c has no Go namespace: its package is named after the file.
enum Kind {
    ONE = 1,
    TWO = 2,
}

struct C {
    1: Kind kind = Kind.TWO
}

exception Oops {
    1: string why
}
