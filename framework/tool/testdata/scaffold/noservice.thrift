// An IDL file without a service: nothing to scaffold.
namespace go noservice

struct Lonely {
    1: string name
}
