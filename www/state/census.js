// The census-income data (data/census/README.md): fetched once, only when someone
// chooses it, and un-gzipped by the browser (DecompressionStream), so the wasm carries no
// inflater. The workers decode and check it (wasm `loadCensus`); this module refuses
// what is plainly not it — too large, not gzip, cut short — with a reason.

export const CENSUS_URL = new URL('../data/census-income.bin.gz', import.meta.url).href;
const MAX_FETCH = 5 * 1024 * 1024; // the compressed file is 3.0 MB
const MAX_BYTES = 32 * 1024 * 1024; // un-gzipped: 14.6 MB

let loading = null;

/** The census data's un-gzipped bytes (an ArrayBuffer), fetched on the first call. */
export function censusBytes(url = CENSUS_URL) {
  if (!loading) {
    loading = fetchBytes(url).catch((error) => {
      loading = null; // a later choice tries again
      throw error;
    });
  }
  return loading;
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const gz = await readAll(response.body, MAX_FETCH, 'the file is larger than 5 MB');
  if (gz.length < 18 || gz[0] !== 0x1f || gz[1] !== 0x8b) throw new Error('the file is not gzip data');
  const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return (await readAll(stream, MAX_BYTES, 'the data un-gzips to more than 32 MB')).buffer;
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw new Error(`the gzip data is damaged or cut short (${error.message})`);
  }
}

/** Reads a stream into one array, refusing more than `max` bytes. */
async function readAll(stream, max, tooLarge) {
  const chunks = [];
  let total = 0;
  for (const reader = stream.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      reader.cancel();
      throw new RangeError(tooLarge);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
