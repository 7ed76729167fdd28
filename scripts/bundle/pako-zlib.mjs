// pako as isomorphic-git meets it in the bundle (scripts/bundle-cli.mjs): its one-shot `inflate` and
// `deflate`, which read and write every loose object, run in Node's zlib instead of pako's JavaScript (on a
// short run pako's code is cold: about 5 ms of a 20-object render). Failures are thrown as pako throws them,
// as zlib's message text, which isomorphic-git turns into its DecompressionError. The streaming `Inflate`
// (reading a fetched pack) stays pako's.
import zlib from "node:zlib";
import pako from "pako";

function oneShot(fn) {
  return (data) => {
    try {
      return fn(data);
    } catch (e) {
      throw e instanceof Error ? e.message : e;
    }
  };
}

export default { ...pako, inflate: oneShot((d) => zlib.inflateSync(d)), deflate: oneShot((d) => zlib.deflateSync(d)) };
