// Package sweep holds the hostile-input sweep of DESIGN.md section 7 (its
// tests are the package): with a fixed seed it sends generated requests to
// every REST route (enumerated from the OpenAPI document) and every GraphQL
// operation (enumerated by introspection) of a real server, with wrong
// types, huge and deeply nested values, NUL, invalid UTF-8, lone
// surrogates, injection strings and oversized bodies, and asserts: no 5xx,
// no INTERNAL_SERVER_ERROR, no answer slower than a second, no driver text
// or file path in any answer, and no change of state for a refused request.
// A tenant sweep, enumerated the same way, asks for every object of one
// account with another account's session and keys: NOT_FOUND / 404 only.
//
// A new route or operation is swept without a change here. Operations whose
// resolvers are still gqlgen's "not implemented" stubs are recognised by the
// panic they log and skipped (and reported) until they are implemented.
package sweep
