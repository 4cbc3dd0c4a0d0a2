// The Response every route answers with: @whatwg-node/fetch's, the class of
// the Node adapter (@whatwg-node/server, src/http/node-server.ts) and of Yoga.
// The adapter writes a body it holds as a string or as bytes at once, with
// the head. Node's own Response (undici's) keeps any body as a web stream,
// which the adapter then reads chunk by chunk, over several turns of the
// event loop: the REST retrieve spent 40% of its CPU on that (bench scenario
// a, alternating pairs: 2,330 → 3,834 requests/s, 436 → 262 µs of CPU per
// request).
export { Response } from "@whatwg-node/fetch";
