// Reads a PMTiles archive with the pmtiles JavaScript library, an independent
// reader of the v3 specification, for the tests of kume's package pmtiles.
// Usage: node read.mjs ARCHIVE < {"tiles": [[z, x, y], ...]}
// ARCHIVE is a file, or an http(s) URL that the library reads as a browser
// does from a static host: with HTTP range requests (fetch).
// Prints {"header": ..., "metadata": ..., "tiles": [{"id", "sha256"}]}: each
// asked tile's id by the library's own numbering and the SHA-256 of its
// decompressed data, or null when the archive has no such tile.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { PMTiles, zxyToTileId } from 'pmtiles';

const path = process.argv[2];
let source = path;
if (!/^https?:\/\//.test(path)) {
  const buf = readFileSync(path);
  source = {
    getKey: () => path,
    getBytes: async (offset, length) => ({
      data: buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + Math.min(offset + length, buf.length)),
    }),
  };
}
const archive = new PMTiles(source);
const asked = JSON.parse(readFileSync(0, 'utf8'));
const header = await archive.getHeader();
const metadata = await archive.getMetadata();
const tiles = [];
for (const [z, x, y] of asked.tiles) {
  const r = await archive.getZxy(z, x, y);
  tiles.push({
    id: zxyToTileId(z, x, y),
    sha256: r ? createHash('sha256').update(Buffer.from(r.data)).digest('hex') : null,
  });
}
process.stdout.write(JSON.stringify({ header, metadata, tiles }));
